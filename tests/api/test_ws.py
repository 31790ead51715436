"""The attempt WebSocket: streamed runs and submits, resuming after a reconnect, ownership, no hidden data.

Each test takes its own attempt of its own assessment on a server shared by the module (one per database);
the code runs in the real sandbox.
"""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from api.conftest import Api, make_settings, serving
from api.test_taking import secrets_of
from codesensei.bank.model import CodeQuestion
from sessions.sample_answers import json_answer, sample_questions

pytestmark = [pytest.mark.sandbox]

QUESTION = "py-word-frequency"  # stdio: one sample test, three hidden ones
TERMINAL = {"done", "assistant_done", "error"}
HIDDEN_KEYS = {"name", "visibility", "verdict", "weight", "time_ms", "wall_ms", "memory_kb", "message"}


class Socket:
    """A candidate's connection to one attempt, signed in with the first message."""

    def __init__(self, api: Api, attempt: str, token: str) -> None:
        url = api.base_url.replace("http://", "ws://") + f"/ws/attempts/{attempt}"
        self.stack = contextlib.ExitStack()
        self.ws: ClientConnection = self.stack.enter_context(connect(url, open_timeout=30))
        self.send(type="auth", token=token)

    def send(self, **message: Any) -> None:
        self.ws.send(json.dumps(message))

    def recv(self, timeout: float = 120) -> dict[str, Any]:
        event: dict[str, Any] = json.loads(self.ws.recv(timeout=timeout))
        return event

    def ready(self) -> dict[str, Any]:
        event = self.recv()
        assert event["type"] == "ready", event
        return event

    def job(self, **message: Any) -> list[dict[str, Any]]:
        """Send a job message and collect its events up to the last one."""
        self.send(**message)
        return self.collect()

    def collect(self, after: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
        events = list(after or [])
        while not events or events[-1]["type"] not in TERMINAL:
            events.append(self.recv())
        return events

    def close(self) -> None:
        self.stack.close()


def start(api: Api, **fields: Any) -> tuple[str, str]:
    """A published assessment with the code question; returns a new candidate's token and attempt id."""
    author = api.user("author")
    definition = {
        "id": f"ws-{uuid.uuid4().hex[:8]}", "title": "Socket", "questions": [QUESTION, "py-is-vs-equals"],
        "access": "public", "feedback": {"mode": "immediate"}, "assistant": {"mode": "full"}, **fields,
    }
    api.ok("POST", "/api/assessments", author, status=201, json=definition)
    api.ok("POST", f"/api/assessments/{definition['id']}/publish", author)
    token = api.user("candidate")
    attempt = api.ok("POST", f"/api/assessments/{definition['id']}/attempts", token, status=201)
    assert attempt["question"]["question_id"] == QUESTION
    return token, attempt["attempt_id"]


def source() -> str:
    answer: str = json_answer(QUESTION)["source"]
    return answer


def assert_numbered(events: list[dict[str, Any]]) -> None:
    """One job's events: numbered 1, 2, … with no gap and no repeat, `accepted` first, one terminal event last."""
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1)), events
    assert len({e["job"] for e in events}) == 1
    assert events[0]["type"] == "accepted"
    assert [e["type"] in TERMINAL for e in events] == [False] * (len(events) - 1) + [True]


def assert_no_hidden_data(events: list[dict[str, Any]]) -> None:
    question = sample_questions()[QUESTION]
    assert isinstance(question, CodeQuestion)
    text = json.dumps(events)
    leaked = [s for s in secrets_of(question) if s in text]
    assert not leaked, leaked
    for event in events:
        results = [event["result"]] if event["type"] == "test" else (event.get("report") or {}).get("tests", [])
        for result in results:
            if result["visibility"] == "hidden":
                assert set(result) <= HIDDEN_KEYS, result


def test_a_run_streams_the_sample_tests_and_runs_custom_input(module_api: Api) -> None:
    token, attempt = start(module_api)
    socket = Socket(module_api, attempt, token)
    assert socket.ready()["attempt_id"] == attempt

    events = socket.job(type="run", language="python", source=source())
    assert_numbered(events)
    assert [e["type"] for e in events] == ["accepted", "compiled", "test", "done"]
    sample = events[2]["result"]
    assert (sample["name"], sample["visibility"], sample["verdict"]) == ("freq-sample", "sample", "accepted")
    assert sample["stdout"] == sample["expected"]
    assert (events[3]["report"]["verdict"], events[3]["report"]["total"]) == ("accepted", 1)

    own = socket.job(type="run", language="python", source=source(), input="b a b\n")
    assert_numbered(own)
    assert own[0]["job"] != events[0]["job"]
    custom = next(e["result"] for e in own if e["type"] == "test")
    assert (custom["name"], custom["stdout"]) == ("custom input", "b 2\n")

    broken = socket.job(type="run", language="python", source="def broken(:\n")
    assert broken[-1]["report"]["verdict"] in ("compile_error", "runtime_error")
    socket.send(type="launch")
    assert socket.recv()["code"] == "validation_failed"
    socket.ws.send(b'{"type": "resume"}')  # a binary frame is read as text, not a crash
    assert socket.recv()["code"] == "validation_failed"
    # Nothing of a run is recorded.
    assert module_api.ok("GET", f"/api/attempts/{attempt}/progress", token)["answered"] == 0
    socket.close()


def test_a_submit_streams_every_test_and_acknowledges_once_recorded(module_api: Api) -> None:
    token, attempt = start(module_api)
    socket = Socket(module_api, attempt, token)
    socket.ready()
    events = socket.job(type="submit", language="python", source=source())
    assert_numbered(events)
    tests = [e["result"] for e in events if e["type"] == "test"]
    assert [(t["name"], t["visibility"], t["verdict"]) for t in tests] == [
        ("freq-sample", "sample", "accepted"), ("freq-tie", "hidden", "accepted"),
        ("freq-case", "hidden", "accepted"), ("freq-single", "hidden", "accepted"),
    ]
    done = events[-1]
    assert done["type"] == "done"
    assert (done["ack"]["recorded"], done["ack"]["position"], done["ack"]["feedback"]["correct"]) == (True, 1, True)
    assert done["report"]["passed"] == 4
    assert_no_hidden_data(events)
    # `done` was sent after the commit: the answer is there for any other reader.
    progress = module_api.ok("GET", f"/api/attempts/{attempt}/progress", token)
    assert (progress["answered"], progress["current_position"]) == (1, 2)
    socket.close()


def test_a_submit_shows_only_progress_when_feedback_is_not_immediate(module_api: Api) -> None:
    token, attempt = start(module_api, feedback={"mode": "after_submission"})
    socket = Socket(module_api, attempt, token)
    socket.ready()
    events = socket.job(type="submit", language="python", source="print('nothing useful')\n")
    assert_numbered(events)
    shown = [("freq-sample", "sample"), ("freq-tie", "hidden"), ("freq-case", "hidden"), ("freq-single", "hidden")]
    assert [e["result"] for e in events if e["type"] == "test"] == [{"name": n, "visibility": v} for n, v in shown]
    assert (events[-1]["report"], events[-1]["ack"]["feedback"], events[-1]["ack"]["recorded"]) == (None, None, True)
    socket.close()


def test_a_client_that_reconnects_mid_stream_gets_the_rest_exactly_once(module_api: Api) -> None:
    token, attempt = start(module_api)
    first = Socket(module_api, attempt, token)
    first.ready()
    first.send(type="submit", language="python", source=source())
    seen = [first.recv()]
    while seen[-1]["type"] != "test":
        seen.append(first.recv())
    first.ws.close_socket()  # the network drops: no closing handshake
    job, last = seen[-1]["job"], seen[-1]["seq"]

    again = Socket(module_api, attempt, token)
    again.ready()
    again.send(type="resume", job=job, after=last)
    rest = again.collect()
    whole = seen + rest
    assert_numbered(whole)
    assert whole[-1]["type"] == "done"
    assert sum(e["type"] == "test" for e in whole) == 4
    # A later resume from the start replays the same events, and nothing follows the last one.
    again.send(type="resume", job=job, after=0)
    assert again.collect() == whole
    again.send(type="resume", job=job, after=whole[-1]["seq"])
    with pytest.raises(TimeoutError):
        again.recv(timeout=1)
    again.send(type="resume", job="0" * 32, after=0)
    assert again.recv()["code"] == "not_found"
    again.close()
    assert module_api.ok("GET", f"/api/attempts/{attempt}/progress", token)["answered"] == 1


def close_code(socket: Socket) -> int | None:
    with pytest.raises(ConnectionClosed) as closed:
        socket.recv(timeout=30)
    return closed.value.rcvd.code if closed.value.rcvd else None


def test_another_users_attempt_or_job_is_refused(module_api: Api) -> None:
    token, attempt = start(module_api)
    ann = Socket(module_api, attempt, token)
    ann.ready()
    job = ann.job(type="run", language="python", source=source())[0]["job"]

    bob_token, bob_attempt = start(module_api)
    assert close_code(Socket(module_api, attempt, bob_token)) == 1008
    assert close_code(Socket(module_api, "f" * 32, bob_token)) == 1008
    assert close_code(Socket(module_api, attempt, "not-a-token")) == 1008
    url = module_api.base_url.replace("http://", "ws://") + f"/ws/attempts/{attempt}"
    with connect(url) as raw:
        raw.send(json.dumps({"type": "run", "language": "python", "source": "print(1)"}))
        with pytest.raises(ConnectionClosed) as closed:
            raw.recv(timeout=30)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1008

    bob = Socket(module_api, bob_attempt, bob_token)
    bob.ready()
    bob.send(type="resume", job=job, after=0)
    refused = bob.recv()
    assert (refused["type"], refused["code"]) == ("error", "not_found")
    # Switching the socket to another account's token closes it.
    bob.send(type="auth", token=token)
    assert close_code(bob) == 1008
    ann.close()


def test_a_late_submit_is_refused(module_api: Api) -> None:
    author = module_api.user("author")
    assessment = f"ws-late-{uuid.uuid4().hex[:6]}"
    module_api.ok("POST", "/api/assessments", author, status=201, json={
        "id": assessment, "title": "Late", "questions": [QUESTION], "access": "public", "duration_minutes": 0.05,
    })
    module_api.ok("POST", f"/api/assessments/{assessment}/publish", author)
    token = module_api.user("candidate")
    started = module_api.ok("POST", f"/api/assessments/{assessment}/attempts", token, status=201)
    socket = Socket(module_api, started["attempt_id"], token)
    socket.ready()
    deadline = datetime.fromisoformat(started["deadline_at"])
    time.sleep(max(0.0, (deadline - datetime.now(UTC)).total_seconds()) + 0.3)
    events = socket.job(type="submit", language="python", source=source())
    assert_numbered(events)
    assert [e["type"] for e in events] == ["accepted", "error"]
    assert events[-1]["code"] == "attempt_closed"
    point = module_api.ok("GET", f"/api/attempts/{started['attempt_id']}", token)
    assert (point["status"], point["submit_reason"], point["progress"]["answered"]) == ("submitted", "time_up", 0)
    socket.close()


def test_assistant_replies_stream_as_deltas(module_api: Api) -> None:
    token, attempt = start(module_api)
    socket = Socket(module_api, attempt, token)
    socket.ready()
    events = socket.job(type="assistant", kind="explain", message="why?", code=source(), language="python")
    assert_numbered(events)
    deltas = [e["text"] for e in events if e["type"] == "assistant_delta"]
    assert deltas
    done = events[-1]
    assert done["type"] == "assistant_done"
    assert "".join(deltas) == done["reply"]["text"]
    assert done["reply"]["kind"] == "explain"
    assert_no_hidden_data(events)
    log = module_api.ok("GET", f"/api/attempts/{attempt}/assistant", module_api.admin)["exchanges"]
    assert [e["kind"] for e in log] == ["explain"]
    socket.close()


def test_a_socket_that_does_not_authenticate_in_time_is_closed(database_url: str, tmp_path: Path) -> None:
    with serving(make_settings(database_url, tmp_path, ws_auth_timeout_s=1)) as api:
        token, attempt = start(api)
        url = api.base_url.replace("http://", "ws://") + f"/ws/attempts/{attempt}"
        with connect(url, open_timeout=30) as silent:
            started = time.monotonic()
            with pytest.raises(ConnectionClosed) as closed:
                silent.recv(timeout=30)
            waited = time.monotonic() - started
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1008
        assert 0.9 <= waited < 20
        # Within the time, the same attempt signs in as usual.
        Socket(api, attempt, token).ready()
