"""Metrics per assessment and across assessments (time, execution time, memory and score by topic × difficulty).

Reviewers read everyone's; a candidate reads only their own submitted attempts at assessments that give
feedback, so metrics never say more than the candidate's results do. Code answers run in the real sandbox.
"""

from __future__ import annotations

from typing import Any

import pytest

from api.conftest import Api, error_of
from sessions.sample_answers import json_answer

pytestmark = [pytest.mark.sandbox]


def publish(api: Api, author: str, assessment_id: str, questions: list[str], **fields: Any) -> None:
    api.ok("POST", "/api/assessments", author, status=201, json={
        "id": assessment_id, "title": assessment_id.title(), "questions": questions, "access": "public", **fields,
    })
    api.ok("POST", f"/api/assessments/{assessment_id}/publish", author)


def take(api: Api, token: str, assessment_id: str, answers: list[Any], *, submit: bool = True) -> str:
    """Answer the questions in order (None skips one), then submit."""
    attempt: str = api.ok("POST", f"/api/assessments/{assessment_id}/attempts", token, status=201)["attempt_id"]
    for answer in answers:
        if answer is None:
            api.ok("POST", f"/api/attempts/{attempt}/skip", token)
        else:
            api.ok("POST", f"/api/attempts/{attempt}/answer", token, json={"answer": answer})
    if submit:
        api.ok("POST", f"/api/attempts/{attempt}/submit", token)
    return attempt


def scopes(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["scope"]: s for s in body["scopes"]}


def test_metrics_per_assessment_and_across_assessments(api: Api) -> None:
    author, reviewer = api.user("author"), api.user("reviewer")
    ann_email, bo_email = "ann@example.com", "bo@example.com"
    ann, bo = api.user("candidate", email=ann_email), api.user("candidate", email=bo_email)
    publish(api, author, "metrics-a", ["py-is-vs-equals", "py-word-frequency"])
    publish(api, author, "metrics-b", ["sql-null-equality"])
    publish(api, author, "metrics-silent", ["py-is-vs-equals"], feedback={"mode": "never"})

    take(api, ann, "metrics-a", [json_answer("py-is-vs-equals"), json_answer("py-word-frequency")])
    take(api, ann, "metrics-b", [True])  # wrong
    take(api, ann, "metrics-silent", [json_answer("py-is-vs-equals")])
    # Bo answers the first question wrongly and leaves the code question unanswered: it does not count.
    take(api, bo, "metrics-a", [True, None])
    take(api, bo, "metrics-b", [False], submit=False)  # still in progress

    per = api.ok("GET", "/api/metrics/assessments/metrics-a", reviewer)
    assert (per["assessment_id"], per["title"], per["user"]) == ("metrics-a", "Metrics-A", None)
    found = scopes(per)
    assert (found["all#all"]["count"], found["all#all"]["mean_score"]) == (3, pytest.approx(200 / 3))
    assert (found["all#all"]["difficulty"], found["all#all"]["topic"]) == ("all", "all")
    assert (found["easy#data-model"]["difficulty"], found["easy#data-model"]["topic"]) == ("easy", "data-model")
    assert (found["easy#data-model"]["count"], found["easy#data-model"]["mean_score"]) == (2, 50.0)
    code = found["easy#strings"]
    assert (code["count"], code["executions"], code["mean_score"]) == (1, 1, 100.0)
    assert code["mean_exec_time_ms"] is not None
    assert code["mean_exec_time_ms"] >= 0
    assert code["mean_memory_kb"] > 0
    assert found["easy#data-model"]["executions"] == 0
    assert found["easy#data-model"]["mean_exec_time_ms"] is None
    assert found["all#python"]["count"] == 3
    assert all(s["mean_time_s"] >= 0 for s in per["scopes"])
    assert not any(s["topic"] == "sql" for s in per["scopes"])

    one = scopes(api.ok("GET", "/api/metrics/assessments/metrics-a", reviewer, params={"user": ann_email}))
    assert (one["all#all"]["count"], one["all#all"]["mean_score"]) == (2, 100.0)

    # Across assessments: everything, or the ones named; in-progress answers count for reviewers.
    across = api.ok("GET", "/api/metrics/assessments", reviewer)
    assert (across["assessment_ids"], across["user"], across["include_practice"]) == ([], None, False)
    assert scopes(across)["all#all"]["count"] == 3 + 1 + 1 + 1
    named = api.ok("GET", "/api/metrics/assessments", reviewer,
                   params={"assessment_id": ["metrics-a", "metrics-b"]})
    assert named["assessment_ids"] == ["metrics-a", "metrics-b"]
    assert scopes(named)["all#all"]["count"] == 5
    assert scopes(named)["easy#sql"]["count"] == 2

    # A candidate: their own submitted attempts only, never those of an assessment that gives no feedback.
    own = api.ok("GET", "/api/metrics/assessments/metrics-a", ann)
    assert own["user"] == ann_email
    assert scopes(own)["all#all"]["count"] == 2
    mine = scopes(api.ok("GET", "/api/metrics/assessments", ann))
    assert (mine["all#all"]["count"], mine["all#all"]["mean_score"]) == (3, pytest.approx(200 / 3))
    assert "all#all" not in scopes(api.ok("GET", "/api/metrics/assessments", bo, params={"assessment_id": "metrics-b"}))
    silent = api.call("GET", "/api/metrics/assessments/metrics-silent", ann)
    assert silent.status_code == 409
    assert error_of(silent)["code"] == "action_not_allowed"
    assert scopes(api.ok("GET", "/api/metrics/assessments/metrics-silent", reviewer))["all#all"]["count"] == 1
    for path in ("/api/metrics/assessments/metrics-a", "/api/metrics/assessments"):
        refused = api.call("GET", path, ann, params={"user": bo_email})
        assert refused.status_code == 403
        assert error_of(refused)["code"] == "forbidden"
        assert api.call("GET", path).status_code == 401
    missing = api.call("GET", "/api/metrics/assessments/no-such-assessment", reviewer)
    assert missing.status_code == 404
    assert error_of(missing)["code"] == "not_found"

    # Practice counts only when asked for.
    practice = api.ok("POST", "/api/practice", ann, status=201,
                      json={"topics": ["sql"], "question_type": "true_false", "count": 1})
    api.ok("POST", f"/api/attempts/{practice['attempt_id']}/answer", ann, json={"answer": False})
    api.ok("POST", f"/api/attempts/{practice['attempt_id']}/submit", ann)
    assert scopes(api.ok("GET", "/api/metrics/assessments", ann))["all#all"]["count"] == 3
    with_practice = scopes(api.ok("GET", "/api/metrics/assessments", ann, params={"include_practice": True}))
    assert with_practice["all#all"]["count"] == 4

    # Over all of a candidate's attempts, the metrics agree with the per-user running sums kept as answers come.
    everything = api.ok("GET", "/api/metrics/assessments", reviewer, params={"user": ann_email,
                                                                             "include_practice": True})
    running = api.ok("GET", "/api/metrics", reviewer, params={"user": ann_email})
    assert set(scopes(everything)) == set(scopes(running))
    for scope, sums in scopes(running).items():
        computed = scopes(everything)[scope]
        for key in ("count", "executions"):
            assert computed[key] == sums[key], (scope, key)
        for key in ("mean_score", "mean_time_s", "mean_exec_time_ms", "mean_memory_kb"):
            assert computed[key] == pytest.approx(sums[key]), (scope, key)
