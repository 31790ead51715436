"""Reviewers browse attempts: filtered by assessment, state and candidate, newest first, a page at a time."""

from __future__ import annotations

from typing import Any

from api.conftest import Api, error_of

MANUAL_ESSAY = """\
questions:
  - id: listed-essay
    type: essay
    title: Describe a bug you fixed
    text: Describe a hard bug you fixed and how you found it.
    topics: [debugging]
    points: 2
"""


def publish(api: Api, author: str, assessment_id: str, questions: list[str]) -> None:
    api.ok("POST", "/api/assessments", author, status=201,
           json={"id": assessment_id, "title": assessment_id.title(), "questions": questions, "access": "public"})
    api.ok("POST", f"/api/assessments/{assessment_id}/publish", author)


def page(api: Api, token: str, **params: Any) -> dict[str, Any]:
    found: dict[str, Any] = api.ok("GET", "/api/review/attempts", token, params=params)
    return found


def test_reviewers_page_through_attempts_with_filters(module_api: Api) -> None:
    api = module_api
    author, reviewer = api.user("author"), api.user("reviewer")
    api.ok("POST", "/api/questions/import", author, content=MANUAL_ESSAY, headers={"Content-Type": "text/yaml"})
    publish(api, author, "listed", ["py-is-vs-equals", "listed-essay"])
    publish(api, author, "listed-other", ["py-is-vs-equals"])
    emails = [f"listed-{n}@example.com" for n in range(3)]
    tokens = [api.user("candidate", email=e) for e in emails]

    # 0: answers the essay, so it waits for a reviewer; 1: still in progress; 2: submits without answering.
    waiting = api.ok("POST", "/api/assessments/listed/attempts", tokens[0], status=201)["attempt_id"]
    api.ok("POST", f"/api/attempts/{waiting}/answer", tokens[0], json={"answer": True})
    api.ok("POST", f"/api/attempts/{waiting}/answer", tokens[0], json={"answer": "I bisected it to one commit."})
    api.ok("POST", f"/api/attempts/{waiting}/submit", tokens[0])
    running = api.ok("POST", "/api/assessments/listed/attempts", tokens[1], status=201)["attempt_id"]
    final = api.ok("POST", "/api/assessments/listed/attempts", tokens[2], status=201)["attempt_id"]
    api.ok("POST", f"/api/attempts/{final}/submit", tokens[2])
    elsewhere = api.ok("POST", "/api/assessments/listed-other/attempts", tokens[0], status=201)["attempt_id"]

    listed = page(api, reviewer, assessment_id="listed")
    assert (listed["total"], listed["limit"], listed["offset"]) == (3, 50, 0)
    # Newest first.
    assert [i["attempt_id"] for i in listed["items"]] == [final, running, waiting]
    by_id = {i["attempt_id"]: i for i in listed["items"]}
    assert by_id[waiting] | {"started_at": None, "submitted_at": None} == {
        "attempt_id": waiting, "assessment_id": "listed", "title": "Listed", "user": emails[0], "number": 1,
        "status": "submitted", "state": "pending_review", "submit_reason": "candidate", "started_at": None,
        "deadline_at": None, "submitted_at": None, "percentage": by_id[waiting]["percentage"], "passed": False,
        "pending_review": 1,
    }
    assert (by_id[running]["state"], by_id[running]["submitted_at"], by_id[running]["percentage"]) == (
        "in_progress", None, None,
    )
    assert (by_id[final]["state"], by_id[final]["pending_review"], by_id[final]["percentage"]) == ("final", 0, 0.0)

    states = {s: [i["attempt_id"] for i in page(api, reviewer, assessment_id="listed", state=s)["items"]]
              for s in ("in_progress", "submitted", "pending_review", "final")}
    assert states == {"in_progress": [running], "submitted": [final, waiting], "pending_review": [waiting],
                      "final": [final]}
    mine = page(api, reviewer, user=emails[0])
    assert ([i["attempt_id"] for i in mine["items"]], mine["total"]) == ([elsewhere, waiting], 2)

    # Pages of two: the same order, the same total on every page, nothing repeated or lost.
    everything = page(api, api.admin, limit=200)
    seen: list[str] = []
    for offset in range(0, everything["total"] + 2, 2):
        part = page(api, api.admin, limit=2, offset=offset)
        assert part["total"] == everything["total"]
        assert (part["limit"], part["offset"]) == (2, offset)
        seen += [i["attempt_id"] for i in part["items"]]
    assert seen == [i["attempt_id"] for i in everything["items"]]
    assert {waiting, running, final, elsewhere} <= set(seen)


def test_only_reviewers_list_attempts_and_filters_are_checked(module_api: Api) -> None:
    api = module_api
    for role in ("candidate", "author"):
        refused = api.call("GET", "/api/review/attempts", api.user(role))
        assert refused.status_code == 403, role
        assert error_of(refused)["code"] == "forbidden"
    assert api.call("GET", "/api/review/attempts").status_code == 401
    reviewer = api.user("reviewer")
    missing = api.call("GET", "/api/review/attempts", reviewer, params={"assessment_id": "no-such-assessment"})
    assert missing.status_code == 404
    assert error_of(missing)["code"] == "not_found"
    for params in ({"state": "finished"}, {"limit": 0}, {"limit": 201}, {"offset": -1}):
        bad = api.call("GET", "/api/review/attempts", reviewer, params=params)
        assert bad.status_code == 422, params
        assert error_of(bad)["code"] == "validation_failed"
