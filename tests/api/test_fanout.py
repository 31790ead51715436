"""Two API processes sharing Redis: a WebSocket client that reconnects to the other one misses nothing.

Two `sensei serve` processes run on one database with the same `SENSEI_REDIS_URL`. A candidate starts a
run on the first process's socket and drops the connection after its first event; on a socket of the second
process it resumes after the last `seq` it saw, and gets each remaining event exactly once, in order, up
to the last. A full replay from the second process matches what the two sockets delivered together.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from websockets.sync.client import ClientConnection, connect

from api.test_serve import PASSWORD_LINE, Served
from sessions.sample_answers import program

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]

REDIS_URL = os.environ.get("SENSEI_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
QUESTION = "py-word-frequency"
PASSWORD = "correct horse battery staple"
TERMINAL = {"done", "assistant_done", "error"}


@pytest.fixture
def env(cli_env: dict[str, str]) -> dict[str, str]:
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError:
        if os.environ.get("SENSEI_TEST_REQUIRE_REDIS"):
            raise  # CI starts Redis: a missing one there is a failure, not a skip
        pytest.skip(f"no Redis at {REDIS_URL}")
    return {
        **os.environ, **cli_env, "SENSEI_LOAD_SAMPLE_BANK": "true", "SENSEI_SECRET_KEY": "f" * 40,
        "SENSEI_REDIS_URL": REDIS_URL, "SENSEI_RATE_LOGIN_PER_MINUTE": "0", "SENSEI_RATE_RUN_PER_MINUTE": "0",
    }


@contextmanager
def signed_in_socket(server: Served, attempt: str, token: str) -> Iterator[ClientConnection]:
    with connect(server.url.replace("http://", "ws://") + f"/ws/attempts/{attempt}", open_timeout=30) as ws:
        ws.send(json.dumps({"type": "auth", "token": token}))
        assert json.loads(ws.recv(timeout=30))["type"] == "ready"
        yield ws


def until_last(ws: ClientConnection) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    while not events or events[-1]["type"] not in TERMINAL:
        events.append(json.loads(ws.recv(timeout=120)))
    return events


def test_a_client_resumes_a_job_on_another_process_and_gets_every_event_once(
    env: dict[str, str], tmp_path: Path
) -> None:
    first = Served(env, tmp_path, "first")
    second: Served | None = None
    try:
        found = PASSWORD_LINE.search(first.stdout)
        assert found, first.stdout
        second = Served(env, tmp_path, "second")
        with httpx.Client(base_url=first.url, timeout=60) as http:
            admin = http.post("/api/auth/login", json={"email": "admin@localhost", "password": found.group(1)})
            headers = {"Authorization": f"Bearer {admin.json()['access_token']}"}
            name = f"fanout-{uuid.uuid4().hex[:8]}"
            email = f"{name}@example.com"
            http.post("/api/assessments", headers=headers, json={
                "id": name, "title": "Fan-out", "questions": [QUESTION], "access": "public",
                "feedback": {"mode": "immediate"},
            }).raise_for_status()
            http.post(f"/api/assessments/{name}/publish", headers=headers).raise_for_status()
            http.post("/api/users", headers=headers, json={
                "email": email, "name": "Fan", "role": "candidate", "password": PASSWORD,
            }).raise_for_status()
            token = http.post("/api/auth/login", json={"email": email, "password": PASSWORD}).json()["access_token"]
            started = http.post(f"/api/assessments/{name}/attempts", headers={"Authorization": f"Bearer {token}"})
            attempt = started.json()["attempt_id"]

        with signed_in_socket(first, attempt, token) as on_first:
            on_first.send(json.dumps({"type": "run", "language": "python", "source": program(QUESTION)}))
            accepted = json.loads(on_first.recv(timeout=60))
            assert (accepted["type"], accepted["seq"]) == ("accepted", 1)
        # The connection dropped; the job goes on in the first process.

        with signed_in_socket(second, attempt, token) as on_second:
            on_second.send(json.dumps({"type": "resume", "job": accepted["job"], "after": 1}))
            rest = until_last(on_second)
            assert [e["seq"] for e in rest] == list(range(2, len(rest) + 2))
            assert {e["job"] for e in rest} == {accepted["job"]}
            assert rest[-1]["type"] == "done", rest[-1]
            assert any(e["type"] == "test" for e in rest)

            # The whole job again from the second process: the same events, in the same order.
            on_second.send(json.dumps({"type": "resume", "job": accepted["job"], "after": 0}))
            assert until_last(on_second) == [accepted, *rest]
    finally:
        first.stop()
        if second is not None:
            second.stop()
