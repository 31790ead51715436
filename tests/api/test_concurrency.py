"""Many clients at once: sign-ins and answers from many threads never fail with a locked database.

On SQLite every read-then-write transaction used to be able to fail half-way with "database is locked"
when another connection committed between its read and its write; transactions now take the write lock
when they begin. Sign-ins hash in the password pool, and an outdated hash is replaced at the next sign-in.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from api.conftest import STRONG, Api, make_settings, serving
from codesensei.api.accounts.passwords import MEMORY_COST_KIB, TIME_COST, needs_rehash
from codesensei.bank.model import CodeQuestion, EssayQuestion
from codesensei.platform import open_platform
from codesensei.store.account_tables import UserRow
from codesensei.store.db import unit_of_work
from sessions.sample_answers import json_answer, sample_questions

THREADS = 12
ROUNDS = 4


def answerable() -> list[str]:
    """Questions graded without the sandbox, so the contention is the database's alone."""
    return sorted(q.id for q in sample_questions().values() if not isinstance(q, CodeQuestion | EssayQuestion))


def test_logins_and_answers_from_many_threads_never_see_a_locked_database(api: Api) -> None:
    questions = answerable()
    api.ok("POST", "/api/assessments", api.admin, status=201, json={
        "id": "crowd", "title": "Crowd", "questions": questions, "access": "public", "duration_minutes": 60,
        "max_attempts": ROUNDS,
    })
    api.ok("POST", "/api/assessments/crowd/publish", api.admin)
    emails = [f"crowd-{uuid.uuid4().hex[:8]}@example.com" for _ in range(THREADS)]
    for email in emails:
        api.ok("POST", "/api/users", api.admin, status=201,
               json={"email": email, "name": "Crowd", "role": "candidate", "password": STRONG})
    outcomes: Counter[str] = Counter()
    failures: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def note(response: httpx.Response, expected: int) -> Any:
        with lock:
            outcomes[f"{response.request.method} {response.status_code}"] += 1
            if response.status_code != expected:
                failures.append(f"{response.request.method} {response.request.url.path}: {response.text}")
        return response.json() if response.status_code == expected else None

    def candidate(email: str) -> None:
        with httpx.Client(base_url=api.base_url, timeout=120) as http:
            start.wait()
            for _ in range(ROUNDS):
                # Every round signs in again (a write: a new sign-in session), starts an attempt and submits it.
                tokens = note(http.post("/api/auth/login", json={"email": email, "password": STRONG}), 200)
                if tokens is None:
                    return
                headers = {"Authorization": f"Bearer {tokens['access_token']}"}
                started = note(http.post("/api/assessments/crowd/attempts", headers=headers), 201)
                if started is None:
                    return
                attempt = started["attempt_id"]
                for _ in range(3):
                    current = note(http.get(f"/api/attempts/{attempt}/question", headers=headers), 200)
                    if current is None or current["question"] is None:
                        break
                    answer = json_answer(current["question"]["question_id"])
                    note(http.post(f"/api/attempts/{attempt}/answer", headers=headers, json={"answer": answer}), 200)
                note(http.post(f"/api/attempts/{attempt}/submit", headers=headers), 200)

    threads = [threading.Thread(target=candidate, args=(email,)) for email in emails]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert not failures, failures[:5]
    assert outcomes["POST 200"] >= THREADS * ROUNDS * 3  # logins, answers and submits
    assert outcomes["POST 201"] == THREADS * ROUNDS  # attempts started


def test_a_hash_with_old_parameters_is_replaced_at_sign_in(api: Api) -> None:
    email = f"old-{uuid.uuid4().hex[:8]}@example.com"
    api.ok("POST", "/api/users", api.admin, status=201,
           json={"email": email, "name": "Old", "role": "candidate", "password": STRONG})
    # The hash an earlier version stored: argon2-cffi's default RFC 9106 low-memory profile.
    old_hash = PasswordHasher().hash(STRONG)
    assert needs_rehash(old_hash)
    platform = open_platform(api.settings)
    try:
        with unit_of_work(platform.sessions) as session:
            session.scalars(select(UserRow).where(UserRow.email == email)).one().password_hash = old_hash
        api.login(email)
        with unit_of_work(platform.sessions) as session:
            stored = session.scalars(select(UserRow).where(UserRow.email == email)).one().password_hash
    finally:
        platform.close()
    assert stored is not None
    assert stored != old_hash
    assert f"m={MEMORY_COST_KIB},t={TIME_COST},p=1" in stored
    assert not needs_rehash(stored)
    api.login(email)  # the new hash verifies the same password
    wrong = api.call("POST", "/api/auth/login", json={"email": email, "password": STRONG + "x"})
    assert wrong.status_code == 401


@pytest.mark.parametrize("email", ["nobody@example.com", "not an email"])
def test_an_unknown_account_is_refused_like_a_wrong_password(api: Api, email: str) -> None:
    response = api.call("POST", "/api/auth/login", json={"email": email, "password": STRONG})
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "the email or the password is wrong"


CROWD = 24


def test_more_answers_at_once_than_worker_threads_never_deadlock(database_url: str, tmp_path: Path) -> None:
    """Answers and question reads from more candidates at once than the server has worker threads.

    An answer used to open its write transaction inside a worker thread: enough of them waiting there for
    the write lock took every thread, while the request holding the lock waited for a thread to commit in.
    """
    with serving(make_settings(database_url, tmp_path, api_threads=3)) as api:
        questions = answerable()
        api.ok("POST", "/api/assessments", api.admin, status=201, json={
            "id": "rush", "title": "Rush", "questions": questions, "access": "public", "duration_minutes": 60,
        })
        api.ok("POST", "/api/assessments/rush/publish", api.admin)
        sittings = []
        for _ in range(CROWD):
            token = api.user("candidate")
            headers = {"Authorization": f"Bearer {token}"}
            attempt = api.ok("POST", "/api/assessments/rush/attempts", token, status=201)["attempt_id"]
            question = api.ok("GET", f"/api/attempts/{attempt}/question", token)["question"]["question_id"]
            sittings.append((attempt, headers, json_answer(question)))

        async def rush() -> Counter[str]:
            async with httpx.AsyncClient(base_url=api.base_url, timeout=90) as http:
                calls = []
                for attempt, headers, answer in sittings:
                    calls.append(http.post(f"/api/attempts/{attempt}/answer", headers=headers, json={"answer": answer}))
                    calls.append(http.get(f"/api/attempts/{attempt}/question", headers=headers))
                    calls.append(http.get(f"/api/attempts/{attempt}/time", headers=headers))
                responses = await asyncio.gather(*calls)
            return Counter(f"{r.request.method} {r.status_code}" for r in responses)

        outcomes = asyncio.run(rush())
    assert outcomes == {"POST 200": CROWD, "GET 200": 2 * CROWD}, outcomes
