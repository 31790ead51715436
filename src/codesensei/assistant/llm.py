"""One interface to chat models — complete or stream — and an OpenAI-compatible provider.

The provider speaks the chat-completions protocol, which hosted APIs and local servers (Ollama,
vLLM, llama.cpp's server) share, so one client covers them all. Transient failures (connection
errors, timeouts, 408/409/429/5xx, a garbled body) are retried with exponential backoff; a stream is
retried only until its first token, because a retry after that would repeat text the caller has
already shown.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import httpx

from codesensei.errors import SenseiError

Role = Literal["system", "user", "assistant"]
_RETRYABLE_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})
_MAX_RETRY_AFTER_S = 10.0


class ModelUnavailable(SenseiError):
    """The model could not be reached or kept failing after the configured retries."""

    code = "model_unavailable"
    http_status = 503


class ModelRequestRejected(SenseiError):
    """The model server refused the request itself (bad key, unknown model, request too large)."""

    code = "model_request_rejected"
    http_status = 502


class ModelReplyInvalid(SenseiError):
    """The model server answered with something that is not a chat completion."""

    code = "model_reply_invalid"
    http_status = 502


class TokenBudgetExceeded(SenseiError):
    code = "token_budget_exceeded"
    http_status = 429


@dataclass(frozen=True)
class Message:
    role: Role
    content: str


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int
    completion_tokens: int

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True)
class Completion:
    text: str
    usage: Usage
    model: str
    finish_reason: str | None = None


def estimate_tokens(text: str) -> int:
    """About four characters per token: the usual estimate for English and code.

    An exact tokenizer would have to download its vocabulary at run time, which a self-hosted,
    offline install cannot; the estimate only reserves budget, and the server's own count is charged.
    """
    return math.ceil(len(text) / 4)


def estimate_prompt_tokens(messages: Sequence[Message]) -> int:
    # Each message carries a few tokens of framing (role, separators) in every chat template.
    return sum(estimate_tokens(m.content) + 4 for m in messages)


@dataclass
class TokenBudget:
    """Tokens one attempt may spend; a request is refused up front if it could overrun the rest."""

    limit: int
    used: int = 0

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    def reserve(self, messages: Sequence[Message], max_tokens: int) -> None:
        needed = estimate_prompt_tokens(messages) + max_tokens
        if needed > self.remaining:
            raise TokenBudgetExceeded(
                f"the assistant's token budget for this attempt is spent ({self.used} of {self.limit} used; "
                f"this request needs up to {needed})"
            )

    def charge(self, usage: Usage) -> None:
        self.used += usage.total_tokens


class ChatStream:
    """Text deltas as they arrive; `completion` holds the whole reply once iteration has finished."""

    def __init__(self, deltas: Iterator[str], finish: Iterator[Completion]) -> None:
        self._deltas = deltas
        self._finish = finish
        self.completion: Completion | None = None

    def __iter__(self) -> Iterator[str]:
        yield from self._deltas
        self.completion = next(self._finish)


class ChatModel(Protocol):
    """What the assistant and the AI grader need from a model."""

    @property
    def name(self) -> str: ...

    def complete(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int,
        temperature: float = 0.2,
        json_mode: bool = False,
    ) -> Completion: ...

    def stream(self, messages: Sequence[Message], *, max_tokens: int, temperature: float = 0.2) -> ChatStream: ...


@dataclass(frozen=True)
class ProviderConfig:
    base_url: str
    model: str
    api_key: str = ""
    timeout_s: float = 60.0
    max_retries: int = 2
    backoff_s: float = 0.5


@dataclass
class _Retry:
    config: ProviderConfig
    attempt: int = 0
    errors: list[str] = field(default_factory=list)

    def failed(self, reason: str, retry_after_s: float | None = None) -> None:
        """Record a transient failure and wait before the next try, or give up after the last one."""
        self.errors.append(reason)
        if self.attempt >= self.config.max_retries:
            where = f"model {self.config.model!r} at {self.config.base_url}"
            raise ModelUnavailable(f"{where} failed {self.attempt + 1} time(s): {'; '.join(self.errors)}")
        delay = self.config.backoff_s * (2**self.attempt)
        if retry_after_s is not None:
            delay = max(delay, min(retry_after_s, _MAX_RETRY_AFTER_S))
        self.attempt += 1
        time.sleep(delay)


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return float(response.headers.get("retry-after", ""))
    except ValueError:
        return None


def _usage(data: dict[str, Any] | None, messages: Sequence[Message], text: str) -> Usage:
    if isinstance(data, dict) and isinstance(data.get("prompt_tokens"), int):
        return Usage(int(data["prompt_tokens"]), int(data.get("completion_tokens") or 0))
    # Some local servers send no usage, especially when streaming: charge the estimate instead.
    return Usage(estimate_prompt_tokens(messages), estimate_tokens(text))


class _Transient(Exception):
    def __init__(self, reason: str, retry_after_s: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after_s = retry_after_s


class OpenAICompatibleModel:
    """A chat-completions client for any OpenAI-compatible server."""

    def __init__(self, config: ProviderConfig) -> None:
        self.config = config
        headers = {"Authorization": f"Bearer {config.api_key}"} if config.api_key else {}
        self._client = httpx.Client(
            base_url=config.base_url.rstrip("/") + "/",
            headers=headers,
            timeout=httpx.Timeout(config.timeout_s, connect=min(10.0, config.timeout_s)),
        )

    @property
    def name(self) -> str:
        return self.config.model

    def close(self) -> None:
        self._client.close()

    def _body(self, messages: Sequence[Message], max_tokens: int, temperature: float) -> dict[str, Any]:
        return {
            "model": self.config.model,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "max_tokens": max_tokens,
            "temperature": temperature,
        }

    def _check_status(self, response: httpx.Response) -> None:
        if response.status_code in _RETRYABLE_STATUS:
            raise _Transient(f"HTTP {response.status_code}", _retry_after(response))
        if response.status_code >= 400:
            response.read()  # a streamed error response has not been read yet
            detail = response.text[:300]
            raise ModelRequestRejected(
                f"model server refused the request with HTTP {response.status_code}: {detail}".rstrip(": ")
            )

    def complete(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int,
        temperature: float = 0.2,
        json_mode: bool = False,
    ) -> Completion:
        body = self._body(messages, max_tokens, temperature)
        if json_mode:
            body["response_format"] = {"type": "json_object"}
        retry = _Retry(self.config)
        while True:
            try:
                response = self._client.post("chat/completions", json=body)
                self._check_status(response)
                return self._parse_completion(response, messages)
            except httpx.TransportError as exc:
                retry.failed(f"{type(exc).__name__}: {exc}".rstrip(": "))
            except _Transient as exc:
                retry.failed(exc.reason, exc.retry_after_s)

    def _parse_completion(self, response: httpx.Response, messages: Sequence[Message]) -> Completion:
        try:
            data = response.json()
            choice = data["choices"][0]
            text = choice["message"]["content"] or ""
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise _Transient(f"malformed completion ({type(exc).__name__})") from exc
        if not isinstance(text, str):
            raise _Transient("malformed completion (content is not text)")
        return Completion(
            text=text,
            usage=_usage(data.get("usage"), messages, text),
            model=str(data.get("model") or self.config.model),
            finish_reason=choice.get("finish_reason"),
        )

    def stream(self, messages: Sequence[Message], *, max_tokens: int, temperature: float = 0.2) -> ChatStream:
        body = self._body(messages, max_tokens, temperature) | {
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        parts: list[str] = []
        usage_data: list[dict[str, Any]] = []
        finish_reason: list[str] = []

        def deltas() -> Iterator[str]:
            retry = _Retry(self.config)
            while True:
                started = False
                try:
                    with self._client.stream("POST", "chat/completions", json=body) as response:
                        self._check_status(response)
                        for chunk in _sse_chunks(response):
                            if isinstance(chunk.get("usage"), dict):
                                usage_data.append(chunk["usage"])
                            for choice in chunk.get("choices") or []:
                                if choice.get("finish_reason"):
                                    finish_reason.append(str(choice["finish_reason"]))
                                delta = (choice.get("delta") or {}).get("content")
                                if isinstance(delta, str) and delta:
                                    started = True
                                    parts.append(delta)
                                    yield delta
                    return
                except (httpx.TransportError, _Transient) as exc:
                    reason = exc.reason if isinstance(exc, _Transient) else f"{type(exc).__name__}: {exc}".rstrip(": ")
                    if started:
                        raise ModelUnavailable(f"the model's reply stream broke off: {reason}") from exc
                    retry.failed(reason, exc.retry_after_s if isinstance(exc, _Transient) else None)

        def finish() -> Iterator[Completion]:
            text = "".join(parts)
            yield Completion(
                text=text,
                usage=_usage(usage_data[-1] if usage_data else None, messages, text),
                model=self.config.model,
                finish_reason=finish_reason[-1] if finish_reason else None,
            )

        return ChatStream(deltas(), finish())


def _sse_chunks(response: httpx.Response) -> Iterator[dict[str, Any]]:
    """The JSON payloads of a server-sent-event stream, up to `[DONE]`.

    A stream that ends with neither `[DONE]` nor a finish reason was cut off, not finished.
    """
    finished = False
    for line in response.iter_lines():
        if not line.startswith("data:"):
            continue  # comments (keep-alives), `event:` and blank separator lines
        payload = line[5:].strip()
        if payload == "[DONE]":
            return
        try:
            chunk = json.loads(payload)
        except ValueError as exc:
            raise _Transient("malformed stream chunk") from exc
        if not isinstance(chunk, dict):
            raise _Transient("malformed stream chunk")
        if "error" in chunk:
            raise _Transient(f"error in stream: {str(chunk['error'])[:200]}")
        finished = finished or any(c.get("finish_reason") for c in chunk.get("choices") or [])
        yield chunk
    if not finished:
        raise _Transient("the stream ended before the reply was complete")
