"""Archiving questions and assessments: out of listings, no new attempts; what was already done keeps working."""

from __future__ import annotations

from api.conftest import Api, error_of

QUESTIONS = """\
defaults: {practice: true}
questions:
  - {id: arch-a, type: true_false, title: Arch A, text: Archived questions leave pools., answer: true,
     topics: [archiving]}
  - {id: arch-b, type: true_false, title: Arch B, text: Archived assessments start attempts., answer: false,
     topics: [archiving]}
  - {id: arch-c, type: true_false, title: Arch C, text: Reports of archived work still read., answer: true,
     topics: [archiving], difficulty: hard}
"""


def ids(body: dict[str, list[dict[str, str]]], key: str) -> list[str]:
    return [item["id"] for item in body[key]]


def test_an_archived_assessment_leaves_listings_and_starts_nothing(module_api: Api) -> None:
    api = module_api
    author, reviewer = api.user("author"), api.user("reviewer")
    done, busy, later = api.user("candidate"), api.user("candidate"), api.user("candidate")
    api.ok("POST", "/api/questions/import", author, content=QUESTIONS, headers={"Content-Type": "text/yaml"})
    api.ok("POST", "/api/assessments", author, status=201, json={
        "id": "arch-fixed", "title": "Arch", "questions": ["arch-a", "arch-b"], "access": "public",
        "feedback": {"mode": "immediate", "show_correct_answers": True},
    })
    api.ok("POST", "/api/assessments/arch-fixed/publish", author)
    finished = api.ok("POST", "/api/assessments/arch-fixed/attempts", done, status=201)["attempt_id"]
    api.ok("POST", f"/api/attempts/{finished}/answer", done, json={"answer": True})
    api.ok("POST", f"/api/attempts/{finished}/submit", done)
    running = api.ok("POST", "/api/assessments/arch-fixed/attempts", busy, status=201)["attempt_id"]

    archived = api.ok("POST", "/api/assessments/arch-fixed/archive", author)
    assert archived["status"] == "archived"
    assert api.ok("POST", "/api/assessments/arch-fixed/archive", author)["status"] == "archived"  # a no-op
    assert "arch-fixed" not in ids(api.ok("GET", "/api/assessments", author), "assessments")
    with_archived = api.ok("GET", "/api/assessments", author, params={"include_archived": True})["assessments"]
    assert {a["id"]: a["status"] for a in with_archived}["arch-fixed"] == "archived"
    assert "arch-fixed" not in ids(api.ok("GET", "/api/assessments", later, params={"include_archived": True}),
                                   "assessments")
    assert api.call("GET", "/api/assessments/arch-fixed", later).status_code == 404

    # No new attempt: a candidate no longer sees it; staff are told why.
    assert api.call("POST", "/api/assessments/arch-fixed/attempts", later).status_code == 404
    refused = api.call("POST", "/api/assessments/arch-fixed/attempts", api.admin)
    assert refused.status_code == 403
    assert error_of(refused)["code"] == "attempt_not_allowed"
    assert "archived" in error_of(refused)["message"]
    for path, body in (("/api/assessments/arch-fixed/publish", None),
                       ("/api/assessments", {"id": "arch-fixed", "title": "Changed", "questions": ["arch-a"]})):
        conflict = api.call("POST", path, author, json=body)
        assert conflict.status_code == 409, path
        assert "archived" in error_of(conflict)["message"]

    # What was already done keeps working: reports, results, and finishing an attempt in progress.
    report = api.ok("GET", f"/api/reports/{finished}", reviewer)
    assert (report["assessment_id"], report["points_earned"]) == ("arch-fixed", 1.0)
    assert api.ok("GET", f"/api/attempts/{finished}/results", done)["points_earned"] == 1.0
    api.ok("POST", f"/api/attempts/{running}/answer", busy, json={"answer": True})
    assert api.ok("POST", f"/api/attempts/{running}/submit", busy)["status"] == "submitted"

    restored = api.ok("POST", "/api/assessments/arch-fixed/unarchive", author)
    assert restored["status"] == "published"
    assert "arch-fixed" in ids(api.ok("GET", "/api/assessments", later), "assessments")
    api.ok("POST", "/api/assessments/arch-fixed/attempts", later, status=201)

    # A draft comes back a draft.
    api.ok("POST", "/api/assessments", author, status=201,
           json={"id": "arch-draft", "title": "Draft", "questions": ["arch-a"]})
    assert api.ok("POST", "/api/assessments/arch-draft/archive", author)["status"] == "archived"
    assert api.ok("POST", "/api/assessments/arch-draft/unarchive", author)["status"] == "draft"


def test_an_archived_question_leaves_the_bank_listings_and_new_attempts(module_api: Api) -> None:
    api = module_api
    author, reviewer, candidate = api.user("author"), api.user("reviewer"), api.user("candidate")
    api.ok("POST", "/api/questions/import", author, content=QUESTIONS, headers={"Content-Type": "text/yaml"})
    api.ok("POST", "/api/assessments", author, status=201, json={
        "id": "arch-questions", "title": "Arch questions", "questions": ["arch-a", "arch-b"], "access": "public",
        "max_attempts": None,
    })
    api.ok("POST", "/api/assessments/arch-questions/publish", author)
    before = api.ok("POST", "/api/assessments/arch-questions/attempts", candidate, status=201)["attempt_id"]
    api.ok("POST", f"/api/attempts/{before}/answer", candidate, json={"answer": True})
    api.ok("POST", f"/api/attempts/{before}/submit", candidate)

    detail = api.ok("POST", "/api/questions/arch-a/archive", author)
    assert (detail["active"], detail["question"]["id"]) == (False, "arch-a")
    assert api.ok("POST", "/api/questions/arch-a/archive", author)["active"] is False  # a no-op
    listed = api.ok("GET", "/api/questions", author, params={"topic": "archiving"})
    assert [q["id"] for q in listed["items"]] == ["arch-b", "arch-c"]
    assert all(q["active"] for q in listed["items"])
    everything = api.ok("GET", "/api/questions", author, params={"topic": "archiving", "include_inactive": True})
    assert {q["id"]: q["active"] for q in everything["items"]} == {"arch-a": False, "arch-b": True, "arch-c": True}
    found = api.ok("GET", "/api/questions", author, params={"q": "archived questions leave pools"})
    assert "arch-a" not in [q["id"] for q in found["items"]]
    topics = {t["topic"]: t for t in api.ok("GET", "/api/practice/topics", candidate)["topics"]}
    assert topics["archiving"]["by_difficulty"] == {"easy": 0, "medium": 1, "hard": 1}

    # No new attempt asks it; an assessment cannot be made with it.
    refused = api.call("POST", "/api/assessments/arch-questions/attempts", candidate)
    assert refused.status_code == 403
    assert "arch-a" in error_of(refused)["message"]
    made = api.call("POST", "/api/assessments", author,
                    json={"id": "arch-new", "title": "New", "questions": ["arch-a"]})
    assert made.status_code == 422
    # Earlier attempts still report it.
    assert [q["question_id"] for q in api.ok("GET", f"/api/reports/{before}", reviewer)["questions"]] == [
        "arch-a", "arch-b",
    ]

    assert api.ok("POST", "/api/questions/arch-a/unarchive", author)["active"] is True
    again = api.ok("POST", "/api/assessments/arch-questions/attempts", candidate, status=201)
    assert again["question"]["question_id"] == "arch-a"


def test_archiving_needs_an_author(module_api: Api) -> None:
    api = module_api
    for role in ("candidate", "reviewer"):
        token = api.user(role)
        for path in ("/api/questions/py-is-vs-equals/archive", "/api/questions/py-is-vs-equals/unarchive",
                     "/api/assessments/anything/archive", "/api/assessments/anything/unarchive"):
            refused = api.call("POST", path, token)
            assert refused.status_code == 403, (role, path)
            assert error_of(refused)["code"] == "forbidden"
    author = api.user("author")
    for path in ("/api/questions/no-such-question/archive", "/api/assessments/no-such-assessment/archive"):
        missing = api.call("POST", path, author)
        assert missing.status_code == 404, path
        assert error_of(missing)["code"] == "not_found"
