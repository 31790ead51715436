"""What the candidate's screens need beyond the question: topics and difficulty, the per-question clock, the
hint and assistant policies, and the hints and assistant exchanges already seen (to show them after a reload).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from api.conftest import Api, error_of


def publish(api: Api, author: str, assessment_id: str, **fields: Any) -> None:
    definition = {"id": assessment_id, "title": assessment_id.title(), "access": "public", **fields}
    api.ok("POST", "/api/assessments", author, status=201, json=definition)
    api.ok("POST", f"/api/assessments/{assessment_id}/publish", author)


def test_the_question_carries_topics_difficulty_and_its_own_clock(module_api: Api) -> None:
    api = module_api
    author, candidate = api.user("author"), api.user("candidate")
    publish(api, author, "clocked", questions=["py-mutable-default", "py-is-vs-equals"], duration_minutes=30,
            question_time_limit_s=600)
    started = api.ok("POST", "/api/assessments/clocked/attempts", candidate, status=201)
    assert started["question"]["topics"] == ["python", "functions"]
    assert started["question"]["difficulty"] == "medium"

    current = api.ok("GET", f"/api/attempts/{started['attempt_id']}/question", candidate)
    server_time = datetime.fromisoformat(current["server_time"])
    assert abs(server_time - datetime.now(UTC)) < timedelta(seconds=30)
    assert current["question_time_limit_s"] == 600
    assert 590 < current["question_remaining_s"] <= 600
    assert current["remaining_s"] > current["question_remaining_s"]

    resumed = api.ok("GET", f"/api/attempts/{started['attempt_id']}", candidate)
    assert resumed["question_time_limit_s"] == 600
    assert 590 < resumed["question_remaining_s"] <= 600

    # Without a per-question limit, the question has no clock of its own.
    publish(api, author, "unclocked", questions=["py-is-vs-equals"])
    other = api.ok("POST", "/api/assessments/unclocked/attempts", candidate, status=201)
    plain = api.ok("GET", f"/api/attempts/{other['attempt_id']}/question", candidate)
    assert (plain["question_time_limit_s"], plain["question_remaining_s"]) == (None, None)
    assert plain["question"]["topics"] == ["python", "data-model"]
    assert plain["question"]["difficulty"] == "easy"


def test_policies_reach_the_brief_and_the_resume_answer(module_api: Api) -> None:
    api = module_api
    author, candidate = api.user("author"), api.user("candidate")
    publish(api, author, "helped", questions=["py-mutable-default", "py-is-vs-equals"],
            hints={"allowed": True, "penalty": 0.5}, assistant={"mode": "hints"})
    publish(api, author, "unhelped", questions=["py-mutable-default"], feedback={"mode": "never"})

    brief = api.ok("GET", "/api/assessments/helped", candidate)
    assert (brief["hints_allowed"], brief["hint_penalty"]) == (True, 0.5)
    assert brief["assistant"] == {"mode": "hints", "available": True, "kinds": ["hint"]}
    bare = api.ok("GET", "/api/assessments/unhelped", candidate)
    assert (bare["hints_allowed"], bare["hint_penalty"]) == (False, 0.0)
    assert bare["assistant"] == {"mode": "off", "available": False, "kinds": []}

    attempt = api.ok("POST", "/api/assessments/helped/attempts", candidate, status=201)["attempt_id"]
    resumed = api.ok("GET", f"/api/attempts/{attempt}", candidate)
    assert resumed["hints"] == {"allowed": True, "penalty": 0.5, "used": 0, "left": 2}
    assert resumed["assistant"] == {"mode": "hints", "available": True, "kinds": ["hint"]}
    api.ok("POST", f"/api/attempts/{attempt}/hint", candidate)
    assert api.ok("GET", f"/api/attempts/{attempt}", candidate)["hints"] == {
        "allowed": True, "penalty": 0.5, "used": 1, "left": 1,
    }
    api.ok("POST", f"/api/attempts/{attempt}/submit", candidate)
    closed = api.ok("GET", f"/api/attempts/{attempt}", candidate)
    assert closed["hints"] == {"allowed": True, "penalty": 0.5, "used": 0, "left": 0}
    assert closed["assistant"]["available"] is False

    silent = api.ok("POST", "/api/assessments/unhelped/attempts", candidate, status=201)["attempt_id"]
    resumed = api.ok("GET", f"/api/attempts/{silent}", candidate)
    assert resumed["hints"] == {"allowed": False, "penalty": 0.0, "used": 0, "left": 0}
    assert resumed["assistant"] == {"mode": "off", "available": False, "kinds": []}


def test_revealed_hints_and_own_assistant_history_come_back_after_a_reload(module_api: Api) -> None:
    api = module_api
    author, candidate, outsider = api.user("author"), api.user("candidate"), api.user("candidate")
    publish(api, author, "reloaded", questions=["py-mutable-default", "py-is-vs-equals"],
            hints={"allowed": True, "penalty": 0.25}, assistant={"mode": "full"})
    ladder = api.ok("GET", "/api/questions/py-mutable-default", author)["question"]["hints"]
    assert len(ladder) == 2
    attempt = api.ok("POST", "/api/assessments/reloaded/attempts", candidate, status=201)["attempt_id"]

    nothing_yet = api.ok("GET", f"/api/attempts/{attempt}/hints", candidate)
    assert (nothing_yet["position"], nothing_yet["hints"], nothing_yet["remaining"]) == (1, [], 2)
    first = api.ok("POST", f"/api/attempts/{attempt}/hint", candidate)
    assert first["text"] == ladder[0]
    one = api.ok("GET", f"/api/attempts/{attempt}/hints", candidate)
    # Only the rung the candidate took comes back: the next one stays hidden until asked for.
    assert one == {"attempt_id": attempt, "position": 1, "question_id": "py-mutable-default",
                   "penalty_per_hint": 0.25, "hints": [{"number": 1, "text": ladder[0]}], "remaining": 1}
    assert ladder[1] not in str(one)

    # A hint from the assistant is the next rung of the same ladder.
    reply = api.ok("POST", f"/api/attempts/{attempt}/assistant", candidate, json={"kind": "hint"})
    asked = api.ok("POST", f"/api/attempts/{attempt}/assistant", candidate,
                   json={"kind": "chat", "message": "What does a default argument keep between calls?"})
    both = api.ok("GET", f"/api/attempts/{attempt}/hints", candidate)
    assert [h["text"] for h in both["hints"]] == ladder
    assert both["remaining"] == 0

    history = api.ok("GET", f"/api/attempts/{attempt}/assistant/messages", candidate)
    assert history["attempt_id"] == attempt
    assert [(e["kind"], e["position"], e["reply"]) for e in history["exchanges"]] == [
        ("hint", 1, reply["text"]), ("chat", 1, asked["text"]),
    ]
    assert history["exchanges"][1]["request"] == "What does a default argument keep between calls?"
    # The candidate's view never carries the prompts sent to the model (the reviewers' audit view does).
    assert all(set(e) == {"position", "kind", "request", "reply", "created_at"} for e in history["exchanges"])

    # After answering, the first question's hints are still there by position; none can be added to them.
    api.ok("POST", f"/api/attempts/{attempt}/answer", candidate, json={"answer": "B"})
    by_position = api.ok("GET", f"/api/attempts/{attempt}/hints", candidate, params={"position": 1})
    assert ([h["number"] for h in by_position["hints"]], by_position["remaining"]) == ([1, 2], 0)
    waiting = api.ok("GET", f"/api/attempts/{attempt}/hints", candidate)
    assert (waiting["position"], waiting["question_id"], waiting["hints"]) == (2, "py-is-vs-equals", [])
    missing = api.call("GET", f"/api/attempts/{attempt}/hints", candidate, params={"position": 9})
    assert missing.status_code == 404
    assert error_of(missing)["code"] == "not_found"

    # Another candidate's attempt is as missing as one that does not exist.
    for path in (f"/api/attempts/{attempt}/hints", f"/api/attempts/{attempt}/assistant/messages"):
        refused = api.call("GET", path, outsider)
        assert refused.status_code == 404, path
        assert error_of(refused)["code"] == "not_found"
        assert api.call("GET", path).status_code == 401

    api.ok("POST", f"/api/attempts/{attempt}/submit", candidate)
    after = api.call("GET", f"/api/attempts/{attempt}/hints", candidate)
    assert after.status_code == 404, after.text
    assert len(api.ok("GET", f"/api/attempts/{attempt}/assistant/messages", candidate)["exchanges"]) == 2
