"""Attempts belong to their owner, the server's clock closes them, and the attempt rules hold over HTTP."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from api.conftest import Api, error_of

OPEN = {"id": "open", "title": "Open", "questions": ["py-mutable-default", "py-is-vs-equals"], "access": "public"}
ATTEMPT_CALLS = [
    ("GET", ""), ("GET", "/question"), ("POST", "/answer"), ("POST", "/skip"), ("POST", "/hint"), ("GET", "/review"),
    ("GET", "/time"), ("GET", "/progress"), ("POST", "/submit"), ("GET", "/results"), ("POST", "/assistant"),
]


def publish(api: Api, **fields: object) -> None:
    author = api.user("author")
    definition = {**OPEN, **fields}
    api.ok("POST", "/api/assessments", author, status=201, json=definition)
    api.ok("POST", f"/api/assessments/{definition['id']}/publish", author)


def test_another_candidates_attempt_is_refused_like_a_missing_one(api: Api) -> None:
    publish(api, hints={"allowed": True}, assistant={"mode": "full"})
    ann, bob = api.user("candidate"), api.user("candidate")
    attempt = api.ok("POST", "/api/assessments/open/attempts", ann, status=201)["attempt_id"]
    bodies = {"/answer": {"answer": "B"}, "/assistant": {"kind": "hint"}}
    for method, suffix in ATTEMPT_CALLS:
        for attempt_id in (attempt, "f" * 32):
            kwargs = {"json": bodies.get(suffix, {})} if method == "POST" else {}
            response = api.call(method, f"/api/attempts/{attempt_id}{suffix}", bob, **kwargs)
            assert response.status_code == 404, (method, suffix, response.text)
            assert error_of(response) == {"code": "not_found", "message": f"attempt '{attempt_id}' does not exist"}
    assert api.ok("GET", "/api/attempts", bob) == {"attempts": []}
    # Nothing Bob did touched Ann's attempt.
    assert api.ok("GET", f"/api/attempts/{attempt}/progress", ann)["answered"] == 0
    assert [a["attempt_id"] for a in api.ok("GET", "/api/attempts", ann)["attempts"]] == [attempt]


def test_a_late_answer_is_refused_and_the_attempt_was_submitted_on_time(api: Api) -> None:
    publish(api, duration_minutes=0.05)  # three seconds
    token = api.user("candidate")
    started = api.ok("POST", "/api/assessments/open/attempts", token, status=201)
    attempt = started["attempt_id"]
    first = api.ok("POST", f"/api/attempts/{attempt}/answer", token, json={"answer": "B"})
    assert first["recorded"] is True
    deadline = datetime.fromisoformat(started["deadline_at"])
    time.sleep(max(0.0, (deadline - datetime.now(UTC)).total_seconds()) + 0.3)

    late = api.call("POST", f"/api/attempts/{attempt}/answer", token, json={"answer": False})
    assert late.status_code == 409
    error = error_of(late)
    assert error["code"] == "attempt_closed"
    assert "ran out of time" in error["message"]
    point = api.ok("GET", f"/api/attempts/{attempt}", token)
    assert (point["status"], point["submit_reason"], point["question"]) == ("submitted", "time_up", None)
    results = api.ok("GET", f"/api/attempts/{attempt}/results", token)
    assert [q["status"] for q in results["questions"]] == ["answered", "pending"]
    assert results["submitted_at"] == started["deadline_at"]


def test_attempt_rules_results_and_skipping_over_http(api: Api) -> None:
    publish(api, max_attempts=1, feedback={"mode": "after_submission"})
    token = api.user("candidate")
    started = api.ok("POST", "/api/assessments/open/attempts", token, status=201)
    attempt = started["attempt_id"]
    busy = api.call("POST", "/api/assessments/open/attempts", token)
    assert (busy.status_code, error_of(busy)["code"]) == (403, "attempt_not_allowed")
    early = api.call("GET", f"/api/attempts/{attempt}/results", token)
    assert (early.status_code, error_of(early)["code"]) == (409, "action_not_allowed")
    assert api.ok("POST", f"/api/attempts/{attempt}/skip", token)["position"] == 2
    ack = api.ok("POST", f"/api/attempts/{attempt}/answer", token, json={"answer": False})
    assert (ack["feedback"], ack["next_position"]) == (None, 1)
    hint = api.call("POST", f"/api/attempts/{attempt}/hint", token)
    assert (hint.status_code, error_of(hint)["code"]) == (409, "action_not_allowed")
    bad = api.call("POST", f"/api/attempts/{attempt}/answer", token, json={"answer": ["not", "a", "key"]})
    assert (bad.status_code, error_of(bad)["code"]) == (422, "invalid_answer")
    api.ok("POST", f"/api/attempts/{attempt}/answer", token, json={"answer": "B"})
    report = api.ok("POST", f"/api/attempts/{attempt}/submit", token)
    assert (report["percentage"], report["state"]) == (100.0, "final")
    assert all(q["correct_answer"] is None and q["explanation"] is None for q in report["questions"])
    twice = api.call("POST", f"/api/attempts/{attempt}/submit", token)
    assert (twice.status_code, error_of(twice)["code"]) == (409, "attempt_closed")
    no_more = api.call("POST", "/api/assessments/open/attempts", token)
    assert (no_more.status_code, error_of(no_more)["code"]) == (403, "attempt_not_allowed")
