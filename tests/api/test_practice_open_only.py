"""Practice over HTTP keeps to questions their author opened to it: a hiring question's key is never reachable.

The sample bank (open to practice) is loaded; an author adds hiring questions on shared topics and one of their
own, used by an invited, proctored assessment.
"""

from __future__ import annotations

from api.conftest import Api, error_of

HIRING = """\
questions:
  - {id: hire-sql-tf, type: true_false, title: Hire SQL, text: A hiring question on SQL., answer: true,
     topics: [sql], difficulty: easy, explanation: The hiring key.}
  - {id: hire-py-mcq, type: mcq, title: Hire Python, text: A hiring question on Python., topics: [python],
     difficulty: hard, options: [{key: A, text: one}, {key: B, text: two}], answer: B}
  - {id: hire-own, type: short_answer, title: Hire own, text: A hiring question on its own topic., answer: [x],
     topics: [hiring-secrets], difficulty: medium}
"""
HIRING_IDS = {"hire-sql-tf", "hire-py-mcq", "hire-own"}


def _import(api: Api, author: str, text: str) -> None:
    api.ok("POST", "/api/questions/import", author, content=text, headers={"Content-Type": "text/yaml"})


def _asked(api: Api, candidate: str, body: dict[str, object]) -> set[str]:
    """Start a practice session and walk through it (skipping, or answering `A` where skipping is not allowed),
    returning the questions it asked."""
    started = api.ok("POST", "/api/practice", candidate, status=201, json=body)
    attempt = started["attempt_id"]
    asked = set()
    for _ in range(started["questions"]):
        shown = api.ok("GET", f"/api/attempts/{attempt}/question", candidate)["question"]
        if shown is None:  # an adaptive session may stop early
            break
        asked.add(shown["question_id"])
        if body.get("adaptive"):
            api.ok("POST", f"/api/attempts/{attempt}/answer", candidate, json={"answer": "A"})
        else:
            api.ok("POST", f"/api/attempts/{attempt}/skip", candidate)
    return asked


def test_practice_never_reaches_the_questions_of_a_hiring_assessment(api: Api) -> None:
    author, candidate = api.user("author"), api.user("candidate")
    _import(api, author, HIRING)
    api.ok("POST", "/api/assessments", author, status=201, json={
        "id": "hiring-screen", "title": "Hiring screen", "questions": sorted(HIRING_IDS),
        "proctoring": "strict", "feedback": {"mode": "never"},
    })
    api.ok("POST", "/api/assessments/hiring-screen/publish", author)

    topics = {t["topic"]: t for t in api.ok("GET", "/api/practice/topics", candidate)["topics"]}
    assert "hiring-secrets" not in topics
    sql_before = topics["sql"]["by_difficulty"]
    refused = api.call("POST", "/api/practice", candidate, json={"topics": ["hiring-secrets"]})
    assert refused.status_code == 422
    assert "among those open to practice" in error_of(refused)["message"]
    for body in (
        {"topics": ["sql"], "count": 100},
        {"topics": ["sql"], "question_type": "true_false", "difficulty_levels": ["easy"], "count": 100},
        {"topics": ["python", "sql", "hiring-secrets"], "difficulty_levels": ["hard"], "count": 100},
        {"topics": ["python"], "question_type": "mcq", "count": 100, "adaptive": True},
    ):
        asked = _asked(api, candidate, body)
        assert asked, body
        assert not asked & HIRING_IDS, body

    # The author opens one question to practice: from then on practice may ask it.
    _import(api, author, HIRING.replace("explanation: The hiring key.}", "explanation: The key., practice: true}"))
    topics = {t["topic"]: t for t in api.ok("GET", "/api/practice/topics", candidate)["topics"]}
    assert topics["sql"]["by_difficulty"]["easy"] == sql_before["easy"] + 1
    asked = _asked(api, candidate, {"topics": ["sql"], "difficulty_levels": ["easy"], "count": 100})
    assert asked & HIRING_IDS == {"hire-sql-tf"}
