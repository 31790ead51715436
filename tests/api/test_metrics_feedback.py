"""`GET /api/metrics` follows the feedback policy: a candidate's averages never tell a score before their results.

A candidate's own metrics count their submitted attempts at assessments that give feedback (practice included);
reviewers read anyone's running averages, every graded answer counted at once.
"""

from __future__ import annotations

from typing import Any

from api.conftest import Api, error_of

ANN = "ann@example.com"


def _publish(api: Api, author: str, assessment_id: str, questions: list[str], **fields: Any) -> None:
    api.ok("POST", "/api/assessments", author, status=201, json={
        "id": assessment_id, "title": assessment_id, "questions": questions, "access": "public", **fields,
    })
    api.ok("POST", f"/api/assessments/{assessment_id}/publish", author)


def _answer_all(api: Api, token: str, assessment_id: str, answers: list[Any]) -> str:
    attempt: str = api.ok("POST", f"/api/assessments/{assessment_id}/attempts", token, status=201)["attempt_id"]
    for answer in answers:
        api.ok("POST", f"/api/attempts/{attempt}/answer", token, json={"answer": answer})
    return attempt


def _scopes(api: Api, token: str, **params: Any) -> dict[str, dict[str, Any]]:
    body = api.ok("GET", "/api/metrics", token, params=params)
    return {s["scope"]: s for s in body["scopes"]}


def test_a_candidate_sees_no_score_before_or_without_feedback(api: Api) -> None:
    author, reviewer = api.user("author"), api.user("reviewer")
    ann, bo = api.user("candidate", email=ANN), api.user("candidate", email="bo@example.com")
    _publish(api, author, "m-after", ["py-is-vs-equals", "sql-null-equality"])
    _publish(api, author, "m-never", ["py-is-vs-equals"], feedback={"mode": "never"})
    _publish(api, author, "m-immediate", ["sql-null-equality"], feedback={"mode": "immediate"})

    # Answered and graded, but nothing submitted yet: the running sums have it, the candidate sees nothing.
    after = _answer_all(api, ann, "m-after", [False, False])  # both right
    immediate = _answer_all(api, ann, "m-immediate", [True])  # wrong
    never = _answer_all(api, ann, "m-never", [True])  # wrong
    assert _scopes(api, ann) == {}
    assert _scopes(api, reviewer, user=ANN)["all#all"]["count"] == 4

    # A submitted `feedback: never` attempt still tells nothing.
    api.ok("POST", f"/api/attempts/{never}/submit", ann)
    assert _scopes(api, ann) == {}

    # Submitted attempts at assessments that give feedback count, with their scores.
    api.ok("POST", f"/api/attempts/{after}/submit", ann)
    mine = _scopes(api, ann)
    assert (mine["all#all"]["count"], mine["all#all"]["mean_score"]) == (2, 100.0)
    api.ok("POST", f"/api/attempts/{immediate}/submit", ann)
    mine = _scopes(api, ann)
    assert (mine["all#all"]["count"], mine["all#all"]["mean_score"]) == (3, 200 / 3)
    assert set(mine) == set(_scopes(api, reviewer, user=ANN))  # the same scopes, fewer answers in them
    assert _scopes(api, reviewer, user=ANN)["all#all"]["count"] == 4

    # Asking for some scopes gives those only; the response keeps its shape.
    body = api.ok("GET", "/api/metrics", ann, params={"scope": ["all#all", "easy#sql", "hard#nothing"]})
    assert body["user"] == ANN
    assert [s["scope"] for s in body["scopes"]] == ["all#all", "easy#sql"]
    assert set(body["scopes"][0]) == {
        "scope", "count", "mean_score", "mean_time_s", "executions", "mean_exec_time_ms", "mean_memory_kb",
    }

    # Practice counts once the session is submitted, like any attempt.
    practice = api.ok("POST", "/api/practice", ann, status=201,
                      json={"topics": ["sql"], "question_type": "true_false", "count": 1})
    api.ok("POST", f"/api/attempts/{practice['attempt_id']}/answer", ann, json={"answer": False})
    assert _scopes(api, ann)["all#all"]["count"] == 3
    api.ok("POST", f"/api/attempts/{practice['attempt_id']}/submit", ann)
    assert _scopes(api, ann)["all#all"]["count"] == 4

    # Nobody else's, unless a reviewer.
    assert _scopes(api, bo) == {}
    refused = api.call("GET", "/api/metrics", bo, params={"user": ANN})
    assert refused.status_code == 403
    assert error_of(refused)["code"] == "forbidden"
    assert api.call("GET", "/api/metrics").status_code == 401
