"""An acknowledged answer survives `kill -9` of the server in the middle of load.

Candidates answer through HTTP in threads against `sensei serve` in a child process; the server is killed
with SIGKILL while answers are in flight, started again on the same database, and every answer that was
acknowledged (a 200 with `recorded: true`) must be stored. Answers in flight at the kill may or may not be
stored; none may be lost once acknowledged, because the request's unit of work commits before the response.
"""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.test_serve import PASSWORD_LINE, Served
from codesensei.bank.model import CodeQuestion, EssayQuestion
from sessions.sample_answers import json_answer, sample_questions

pytestmark = pytest.mark.slow

CANDIDATES = 6
PASSWORD = "correct horse battery staple"


@pytest.fixture
def env(cli_env: dict[str, str]) -> dict[str, str]:
    return {
        **os.environ, **cli_env, "SENSEI_LOAD_SAMPLE_BANK": "true", "SENSEI_SECRET_KEY": "s" * 40,
        "SENSEI_RATE_LOGIN_PER_MINUTE": "0", "SENSEI_RATE_SUBMIT_PER_MINUTE": "0",
    }


def answerable() -> list[str]:
    """Sample-bank questions graded at once without the sandbox, so the load is the database's."""
    return sorted(q.id for q in sample_questions().values() if not isinstance(q, CodeQuestion | EssayQuestion))


class Candidate(threading.Thread):
    def __init__(self, url: str, email: str, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.url, self.email, self.stop = url, email, stop
        self.acked: list[tuple[str, int]] = []
        self.attempt = ""

    def run(self) -> None:
        try:
            self.answer()
        except httpx.TransportError:
            return  # the server was killed: whatever was acknowledged before must be stored

    def answer(self) -> None:
        with httpx.Client(base_url=self.url, timeout=30) as http:
            signed_in = http.post("/api/auth/login", json={"email": self.email, "password": PASSWORD})
            headers = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
            started = http.post("/api/assessments/durable/attempts", headers=headers).json()
            self.attempt = started["attempt_id"]
            question: dict[str, Any] | None = started["question"]
            while question is not None and not self.stop.is_set():
                response = http.post(f"/api/attempts/{self.attempt}/answer", headers=headers,
                                     json={"answer": json_answer(question["question_id"])})
                ack = response.json()
                assert response.status_code == 200, ack
                assert ack["recorded"] is True
                self.acked.append((ack["question_id"], ack["position"]))
                question = http.get(f"/api/attempts/{self.attempt}/question", headers=headers).json()["question"]


def test_every_acknowledged_answer_survives_kill_9(env: dict[str, str], tmp_path: Path) -> None:
    server = Served(env, tmp_path, "first")
    found = PASSWORD_LINE.search(server.stdout)
    assert found, server.stdout
    with httpx.Client(base_url=server.url, timeout=30) as http:
        admin = http.post("/api/auth/login", json={"email": "admin@localhost", "password": found.group(1)})
        headers = {"Authorization": f"Bearer {admin.json()['access_token']}"}
        created = http.post("/api/assessments", headers=headers, json={
            "id": "durable", "title": "Durable", "questions": answerable(), "access": "public",
            "duration_minutes": 60,
        })
        assert created.status_code == 201, created.text
        assert http.post("/api/assessments/durable/publish", headers=headers).status_code == 200
        emails = [f"load-{uuid.uuid4().hex[:8]}@example.com" for _ in range(CANDIDATES)]
        for email in emails:
            made = http.post("/api/users", headers=headers,
                             json={"email": email, "name": "Load", "role": "candidate", "password": PASSWORD})
            assert made.status_code == 201, made.text

    stop = threading.Event()
    candidates = [Candidate(server.url, email, stop) for email in emails]
    for candidate in candidates:
        candidate.start()
    # Kill once answers are flowing, so some are in flight at the moment of the kill.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not all(len(c.acked) >= 3 for c in candidates):
        time.sleep(0.05)
    server.process.send_signal(signal.SIGKILL)
    server.process.wait(timeout=30)
    stop.set()
    for candidate in candidates:
        candidate.join(timeout=60)
    assert all(c.attempt for c in candidates)
    acked = {(c.email, c.attempt): list(c.acked) for c in candidates}
    total = sum(len(v) for v in acked.values())
    assert total >= 3 * CANDIDATES, acked

    again = Served(env, tmp_path, "second")
    try:
        with httpx.Client(base_url=again.url, timeout=30) as http:
            for (email, attempt), answers in acked.items():
                token = http.post("/api/auth/login", json={"email": email, "password": PASSWORD}).json()["access_token"]
                review = http.get(f"/api/attempts/{attempt}/review", headers={"Authorization": f"Bearer {token}"})
                stored = {(q["question_id"], q["position"]) for q in review.json()["questions"]
                          if q["status"] == "answered"}
                missing = [a for a in answers if a not in stored]
                assert not missing, (email, missing)
    finally:
        again.stop()
    print(f"{total} acknowledged answers from {CANDIDATES} candidates, all stored after kill -9")
