"""Practice over HTTP: the setup form's topics, starting a session, and taking it through the attempt endpoints."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from api.conftest import Api, error_of
from codesensei.bank.files import load_questions
from codesensei.platform import SAMPLE_BANK

SAMPLE = {q.id: q for q in load_questions(SAMPLE_BANK)}


def test_the_setup_form_lists_topics_with_counts_per_difficulty(module_api: Api) -> None:
    api = module_api
    candidate = api.user("candidate")
    topics = {t["topic"]: t for t in api.ok("GET", "/api/practice/topics", candidate)["topics"]}
    expected: dict[str, Counter[str]] = {}
    for question in SAMPLE.values():
        for topic in question.topics:
            expected.setdefault(topic, Counter())[question.difficulty_level] += 1
    # The module's other tests may import questions; every sample-bank count is a lower bound, python's exact.
    assert set(expected) <= set(topics)
    python = topics["python"]
    assert python["by_difficulty"] == {level: expected["python"][level] for level in ("easy", "medium", "hard")}
    assert python["total"] == sum(expected["python"].values())

    codes = api.ok("GET", "/api/practice/topics", candidate, params={"type": "code"})["topics"]
    assert {t["topic"] for t in codes} == {t for q in SAMPLE.values() if q.type == "code" for t in q.topics}
    bad = api.call("GET", "/api/practice/topics", candidate, params={"type": "poem"})
    assert bad.status_code == 422
    assert error_of(bad)["code"] == "validation_failed"
    assert api.call("GET", "/api/practice/topics").status_code == 401


def test_a_candidate_starts_practice_and_takes_it_through_the_attempt_endpoints(module_api: Api) -> None:
    api = module_api
    candidate, outsider, reviewer = api.user("candidate"), api.user("candidate"), api.user("reviewer")
    body = {"topics": ["sql", "python"], "difficulty_levels": ["easy"], "count": 3, "duration_minutes": 15}
    started = api.ok("POST", "/api/practice", candidate, status=201, json=body)
    attempt = started["attempt_id"]
    assert started["assessment_id"].startswith("practice.")
    assert (started["questions"], started["duration_minutes"], started["number"]) == (3, 15, 1)
    assert started["title"] == "Practice: python, sql [easy]"
    deadline = datetime.fromisoformat(started["deadline_at"])
    assert timedelta(minutes=14) < deadline - datetime.now(deadline.tzinfo) <= timedelta(minutes=15)

    seen = []
    for _ in range(3):
        shown = api.ok("GET", f"/api/attempts/{attempt}/question", candidate)["question"]
        assert shown["difficulty"] == "easy"
        assert {"sql", "python"} & set(shown["topics"])
        seen.append(shown["question_id"])
        # Submitting nothing useful is enough: practice feedback shows the key and the explanation at once.
        ack = api.ok("POST", f"/api/attempts/{attempt}/skip", candidate)
        assert ack["attempt_id"] == attempt
    assert len(set(seen)) == 3
    resumed = api.ok("GET", f"/api/attempts/{attempt}", candidate)
    assert resumed["hints"]["allowed"] is True
    assert resumed["hints"]["penalty"] == 0.0
    # Another candidate cannot see it.
    assert api.call("GET", f"/api/attempts/{attempt}", outsider).status_code == 404

    # A new session of the same practice closes the unfinished one.
    again = api.ok("POST", "/api/practice", candidate, status=201, json=body)
    assert (again["assessment_id"], again["number"]) == (started["assessment_id"], 2)
    old = api.ok("GET", f"/api/attempts/{attempt}", candidate)
    assert (old["status"], old["submit_reason"]) == ("submitted", "abandoned")

    # Practice attempts stay out of the reviewers' list unless asked for.
    default = api.ok("GET", "/api/review/attempts", reviewer, params={"limit": 200})["items"]
    assert attempt not in {i["attempt_id"] for i in default}
    everything = api.ok("GET", "/api/review/attempts", reviewer, params={"limit": 200, "include_practice": True})
    assert {attempt, again["attempt_id"]} <= {i["attempt_id"] for i in everything["items"]}


def test_practice_requests_are_checked(module_api: Api) -> None:
    api = module_api
    candidate = api.user("candidate")
    for body, where in (
        ({"topics": []}, "topics"),
        ({"topics": ["python"], "count": 0}, "count"),
        ({"topics": ["python"], "difficulty_levels": ["extreme"]}, "difficulty_levels"),
        ({"topics": ["python"], "duration_minutes": 0}, "duration_minutes"),
        ({"topics": ["  "]}, "topics"),
    ):
        refused = api.call("POST", "/api/practice", candidate, json=body)
        assert refused.status_code == 422, (body, refused.text)
        error = error_of(refused)
        assert error["code"] == "validation_failed"
        assert where in error["message"], error
    none = api.call("POST", "/api/practice", candidate, json={"topics": ["cobol"]})
    assert none.status_code == 422
    assert "no active question has the topic 'cobol'" in error_of(none)["message"]
    assert api.call("POST", "/api/practice", json={"topics": ["python"]}).status_code == 401
