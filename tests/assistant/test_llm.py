"""The OpenAI-compatible client against a real HTTP server on loopback: replies, streams, failures, budget."""

from __future__ import annotations

import time

import pytest

from assistant.model_server import ModelServer, Reply
from codesensei.assistant.llm import (
    Message,
    ModelRequestRejected,
    ModelUnavailable,
    OpenAICompatibleModel,
    ProviderConfig,
    TokenBudget,
    TokenBudgetExceeded,
    Usage,
    estimate_tokens,
)

HELLO = [Message("system", "be brief"), Message("user", "hello")]


def test_completion_sends_the_messages_model_and_key(model: OpenAICompatibleModel, model_server: ModelServer) -> None:
    model_server.script(Reply(text="Hi there."))
    completion = model.complete(HELLO, max_tokens=50)
    assert completion.text == "Hi there."
    assert completion.usage == Usage(11, 7)
    assert completion.finish_reason == "stop"
    sent = model_server.requests[-1]
    assert sent["_path"] == "/v1/chat/completions"
    assert sent["_auth"] == "Bearer k-123"
    assert sent["model"] == "scripted"
    assert sent["max_tokens"] == 50
    assert sent["messages"] == [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hello"}]


def test_json_mode_asks_for_a_json_object(model: OpenAICompatibleModel, model_server: ModelServer) -> None:
    model_server.script(Reply(text="{}"))
    model.complete(HELLO, max_tokens=10, json_mode=True)
    assert model_server.requests[-1]["response_format"] == {"type": "json_object"}


def test_server_errors_are_retried_until_one_succeeds(model: OpenAICompatibleModel, model_server: ModelServer) -> None:
    model_server.script(Reply(status=500), Reply(status=503), Reply(text="third time"))
    assert model.complete(HELLO, max_tokens=10).text == "third time"
    assert len(model_server.requests) == 3


def test_retry_after_is_honoured(model: OpenAICompatibleModel, model_server: ModelServer) -> None:
    model_server.script(Reply(status=429, headers={"retry-after": "0.4"}), Reply(text="ok"))
    started = time.monotonic()
    assert model.complete(HELLO, max_tokens=10).text == "ok"
    assert time.monotonic() - started >= 0.4


def test_persistent_failure_names_every_try(model: OpenAICompatibleModel, model_server: ModelServer) -> None:
    model_server.script(Reply(status=502))
    with pytest.raises(ModelUnavailable, match=r"failed 3 time\(s\): HTTP 502; HTTP 502; HTTP 502"):
        model.complete(HELLO, max_tokens=10)
    assert len(model_server.requests) == 3


def test_a_slow_server_times_out_and_is_retried(model_server: ModelServer) -> None:
    client = OpenAICompatibleModel(
        ProviderConfig(base_url=model_server.base_url, model="m", timeout_s=0.3, max_retries=1, backoff_s=0.01)
    )
    model_server.script(Reply(text="late", delay_s=1.0), Reply(text="on time"))
    assert client.complete(HELLO, max_tokens=10).text == "on time"
    model_server.script(Reply(text="late", delay_s=1.0))
    with pytest.raises(ModelUnavailable, match="ReadTimeout"):
        client.complete(HELLO, max_tokens=10)
    client.close()


def test_malformed_bodies_are_retried_then_reported(model: OpenAICompatibleModel, model_server: ModelServer) -> None:
    model_server.script(Reply(raw_body="<html>gateway</html>"), Reply(raw_body='{"choices": []}'), Reply(text="fine"))
    assert model.complete(HELLO, max_tokens=10).text == "fine"
    model_server.script(Reply(raw_body='{"nothing": 1}'))
    with pytest.raises(ModelUnavailable, match="malformed completion"):
        model.complete(HELLO, max_tokens=10)


def test_a_refused_request_is_not_retried(model: OpenAICompatibleModel, model_server: ModelServer) -> None:
    model_server.script(Reply(status=401, raw_body='{"error": {"message": "bad key"}}'))
    with pytest.raises(ModelRequestRejected, match=r"HTTP 401.*bad key"):
        model.complete(HELLO, max_tokens=10)
    assert len(model_server.requests) == 1


def test_an_unreachable_server_is_unavailable() -> None:
    client = OpenAICompatibleModel(
        ProviderConfig(base_url="http://127.0.0.1:9/v1", model="m", timeout_s=1, max_retries=1, backoff_s=0.01)
    )
    with pytest.raises(ModelUnavailable, match="ConnectError"):
        client.complete(HELLO, max_tokens=10)
    client.close()


def test_streaming_yields_deltas_then_the_whole_completion(
    model: OpenAICompatibleModel, model_server: ModelServer
) -> None:
    model_server.script(Reply(text="one two three four"))
    stream = model.stream(HELLO, max_tokens=20)
    assert stream.completion is None
    deltas = list(stream)
    assert deltas == ["one ", "two ", "three ", "four"]
    assert stream.completion is not None
    assert stream.completion.text == "one two three four"
    assert stream.completion.usage == Usage(13, 5)
    assert model_server.requests[-1]["stream"] is True


def test_a_stream_without_usage_is_charged_the_estimate(
    model: OpenAICompatibleModel, model_server: ModelServer
) -> None:
    model_server.script(Reply(text="abcd efgh", usage=False))
    stream = model.stream(HELLO, max_tokens=20)
    list(stream)
    assert stream.completion is not None
    assert stream.completion.usage.completion_tokens == estimate_tokens("abcd efgh")


def test_a_stream_failing_before_its_first_token_is_retried(
    model: OpenAICompatibleModel, model_server: ModelServer
) -> None:
    model_server.script(Reply(status=503), Reply(text="recovered stream"))
    assert "".join(model.stream(HELLO, max_tokens=20)) == "recovered stream"


def test_a_stream_breaking_off_midway_is_an_error_not_a_silent_retry(
    model: OpenAICompatibleModel, model_server: ModelServer
) -> None:
    model_server.script(Reply(text="a b c d e f", break_stream_after=2), Reply(text="should never be used"))
    received: list[str] = []
    with pytest.raises(ModelUnavailable, match="broke off"):
        received.extend(model.stream(HELLO, max_tokens=20))
    assert received == ["a ", "b "]
    assert len(model_server.requests) == 1


def test_a_malformed_stream_chunk_before_text_is_retried(
    model: OpenAICompatibleModel, model_server: ModelServer
) -> None:
    model_server.script(Reply(raw_body="data: {not json\n\n"), Reply(text="ok now"))
    assert "".join(model.stream(HELLO, max_tokens=20)) == "ok now"


def test_the_token_budget_refuses_a_request_that_could_overrun() -> None:
    budget = TokenBudget(limit=100)
    budget.reserve(HELLO, max_tokens=50)
    budget.charge(Usage(30, 40))
    assert budget.remaining == 30
    with pytest.raises(TokenBudgetExceeded, match="70 of 100 used"):
        budget.reserve(HELLO, max_tokens=50)
