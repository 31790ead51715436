"""The request boundary: one unit of work per request, committed before the response is sent.

FastAPI runs the exit of a `yield` dependency after the response unless it is function-scoped; a
request-scoped unit of work would acknowledge an answer before committing it. This pins the scope on
every route, and shows that a refused call leaves nothing behind while an acknowledged one is stored.
"""

from __future__ import annotations

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from sqlalchemy import text

from api.conftest import Api, error_of
from codesensei.api.deps import db_session
from codesensei.api.routers import (
    assessments,
    attempts,
    auth,
    health,
    invitations,
    metrics,
    practice,
    questions,
    reports,
    users,
)
from codesensei.store.db import make_engine

ROUTES = [
    r for m in (health, auth, users, invitations, questions, assessments, attempts, reports, metrics, practice)
    for r in m.router.routes if isinstance(r, APIRoute)
]


def session_scopes(dependant: Dependant) -> list[str | None]:
    found = [d.scope for d in dependant.dependencies if d.call is db_session]
    return found + [s for d in dependant.dependencies for s in session_scopes(d)]


# Routes without the request's unit of work: sign-in and refresh open their own (committed before they
# answer), an answer is judged between its own two transactions (`api.answers`: the sandbox never runs inside
# one), verifying a question reads it in a short transaction of its own before judging, and the bank's schema
# and validation write nothing (the caller is checked in a read transaction).
OWN_OR_NO_UNIT_OF_WORK = {
    ("POST", "/api/auth/login"), ("POST", "/api/auth/refresh"), ("POST", "/api/attempts/{attempt_id}/answer"),
    ("POST", "/api/questions/verify"),
    ("GET", "/api/questions/schema"), ("POST", "/api/questions/validate"),
}


def test_every_unit_of_work_commits_before_the_response() -> None:
    without = set()
    for route in ROUTES:
        scopes = session_scopes(route.dependant)
        assert set(scopes) <= {"function"}, (route.path, scopes)
        if not scopes:
            without |= {(method, route.path) for method in route.methods}
    assert without <= OWN_OR_NO_UNIT_OF_WORK


def count(api: Api, sql: str) -> int:
    engine = make_engine(api.settings.resolved_database_url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text(sql)).scalar_one())
    finally:
        engine.dispose()


def test_acknowledged_writes_are_stored_and_refused_ones_leave_nothing(api: Api) -> None:
    users_before = count(api, "SELECT count(*) FROM users")
    api.user("author", "al@example.com")
    # Read straight from the database by another connection, right after the acknowledgement.
    assert count(api, "SELECT count(*) FROM users") == users_before + 1
    # A request that fails after writing rolls back: answering position 2 first moves the attempt there,
    # then the answer turns out invalid, so the move must not stick.
    author = api.login("al@example.com")["access_token"]
    api.ok("POST", "/api/assessments", author, status=201, json={
        "id": "q", "title": "Q", "questions": ["py-mutable-default", "py-is-vs-equals"], "access": "public",
    })
    api.ok("POST", "/api/assessments/q/publish", author)
    candidate = api.user("candidate")
    attempt = api.ok("POST", "/api/assessments/q/attempts", candidate, status=201)["attempt_id"]
    refused = api.call("POST", f"/api/attempts/{attempt}/answer", candidate, json={"answer": [1, 2], "position": 2})
    assert (refused.status_code, error_of(refused)["code"]) == (422, "invalid_answer")
    assert api.ok("GET", f"/api/attempts/{attempt}/progress", candidate)["current_position"] == 1
    assert count(api, "SELECT count(*) FROM attempt_items WHERE shown_at IS NOT NULL") == 1
