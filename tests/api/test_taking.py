"""A candidate takes the whole sample bank over HTTP, and never receives what would give answers away.

One flow per database: an author imports a question and builds the assessment, invites a candidate who
claims the link, answers every sample-bank question (code in the real sandbox), uses hints, skips, the
assistant and every read endpoint, and submits; a reviewer grades what needs a person. Every JSON body the
candidate received is then scanned for hidden tests, reference solutions, keys and explanations.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import httpx
import pytest

from api.conftest import STRONG, Api, error_of
from codesensei.bank.model import AnyQuestion, CallTest, CodeQuestion, EssayQuestion, ScriptTest, SourceTest, StdioTest
from sessions.sample_answers import json_answer, sample_questions

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]

MANUAL_ESSAY = """\
questions:
  - id: api-manual-essay
    type: essay
    title: Describe a bug you fixed
    text: Describe a hard bug you fixed and how you found it.
    topics: [debugging]
    points: 2
    explanation: Reviewers look for a hypothesis, an experiment and a regression test.
    model_answer: I bisected the history, wrote a failing test first, then fixed the off-by-one.
"""
MY_ESSAY = "I reproduced it with a failing test, bisected to the commit, and fixed an off-by-one in the pager."
# Keys a candidate's view or results must never have, whatever the question type.
FORBIDDEN_KEYS = {"solutions", "tests", "rubric", "model_answer", "pairs", "accepted", "generator", "checker"}


class Candidate:
    """The candidate's side: every JSON body received is kept for the leak scan."""

    def __init__(self, api: Api, token: str) -> None:
        self.api, self.token = api, token
        self.received: list[tuple[str, Any]] = []
        self.sent_answers: list[Any] = []

    def call(self, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        response: httpx.Response = self.api.call(method, path, self.token, **kwargs)
        assert response.status_code == status, (method, path, response.text)
        body = response.json()
        self.received.append((f"{method} {path}", body))
        return body

    def answer(self, attempt_id: str, answer: Any, **extra: Any) -> Any:
        self.sent_answers.append(answer)
        return self.call("POST", f"/api/attempts/{attempt_id}/answer", json={"answer": answer, **extra})


def secrets_of(question: AnyQuestion) -> list[str]:
    """Text that must never reach a candidate: explanations, model answers, hidden tests and solutions."""
    found = [question.explanation]
    if isinstance(question, EssayQuestion):
        found.append(question.model_answer)
    if isinstance(question, CodeQuestion):
        # Lines the candidate is shown anyway (the starter's signature) are not secrets.
        shown = "\n".join([question.text, *question.starter.values()])
        found += [
            line for s in question.solutions for line in s.code.splitlines()
            if len(line.strip()) >= 12 and line.strip() not in shown
        ]
        for test in question.tests:
            if test.visibility != "hidden":
                continue
            if isinstance(test, StdioTest):
                found += [test.input, test.expected or ""]
            elif isinstance(test, CallTest):
                found += [json.dumps(a, separators=(",", ":")) for a in test.args]
            elif isinstance(test, ScriptTest):
                found.append(test.code)
            elif isinstance(test, SourceTest):
                found.append(test.expected)
    # As they would appear inside a JSON string; short values (1, "") would match anything.
    return [json.dumps(s)[1:-1] if not s.startswith("[") else s for s in found if len(s.strip()) >= 4]


def scrub(value: Any, sent: list[Any]) -> Any:
    """The body with the candidate's own answers removed (after checking they are exactly what was sent)."""
    if isinstance(value, dict):
        cleaned = {}
        for key, item in value.items():
            assert key not in FORBIDDEN_KEYS, key
            if key in ("correct_answer", "explanation"):
                assert item is None, (key, item)
            if key == "answer":
                assert item is None or item in sent, item
                continue
            cleaned[key] = scrub(item, sent)
        return cleaned
    if isinstance(value, list):
        return [scrub(v, sent) for v in value]
    return value


def assert_nothing_leaked(candidate: Candidate, questions: list[AnyQuestion]) -> None:
    forbidden = {s for q in questions for s in secrets_of(q)}
    assert len(forbidden) > 30  # the scan has something to look for
    for where, body in candidate.received:
        text = json.dumps(scrub(body, candidate.sent_answers), separators=(",", ":"), ensure_ascii=False)
        leaked = sorted(s for s in forbidden if s in text)
        assert not leaked, (where, leaked)


def answer_for(question_id: str) -> Any:
    return MY_ESSAY if question_id == "api-manual-essay" else json_answer(question_id)


def test_a_candidate_takes_the_sample_bank_over_http(api: Api) -> None:
    author, reviewer = api.user("author"), api.user("reviewer")
    imported = api.ok("POST", "/api/questions/import", author, content=MANUAL_ESSAY,
                      headers={"Content-Type": "application/yaml"})
    assert (imported["created"], imported["files"][0]["created"]) == (1, ["api-manual-essay"])
    again = api.ok("POST", "/api/questions/import", author, content=MANUAL_ESSAY, headers={"Content-Type": "text/yaml"})
    assert (again["created"], again["unchanged"]) == (0, 1)

    sample_ids = sorted(sample_questions())
    definition = {
        "id": "api-fixed", "title": "Everything over HTTP", "mode": "fixed",
        "questions": [*sample_ids, "api-manual-essay"], "duration_minutes": 120, "passing_score": 50,
        "feedback": {"mode": "immediate"}, "hints": {"allowed": True}, "assistant": {"mode": "full"},
    }
    created = api.ok("POST", "/api/assessments", author, status=201, json=definition)
    assert created["status"] == "draft"
    assert api.ok("POST", "/api/assessments/api-fixed/publish", author)["status"] == "published"

    outsider = api.user("candidate")
    assert api.ok("GET", "/api/assessments", outsider) == {"assessments": []}
    link = api.ok("POST", "/api/assessments/api-fixed/invitations", author, status=201,
                  json={"emails": ["Cand@Example.com"]})["invitations"][0]
    claimed = api.ok("POST", "/api/invitations/claim", json={"token": link["token"], "password": STRONG})
    assert claimed["assessment_id"] == "api-fixed"
    candidate = Candidate(api, claimed["access_token"])

    listed = candidate.call("GET", "/api/assessments")["assessments"]
    assert [a["id"] for a in listed] == ["api-fixed"]
    brief = candidate.call("GET", "/api/assessments/api-fixed")
    assert brief["questions"] == len(sample_ids) + 1
    started = candidate.call("POST", "/api/assessments/api-fixed/attempts", status=201)
    attempt = started["attempt_id"]
    assert "token" not in started
    base = f"/api/attempts/{attempt}"

    # Skip the first question, come back to it at the end.
    first = started["question"]["question_id"]
    skipped = candidate.call("POST", f"{base}/skip", json={})
    assert skipped["position"] == 2
    code_seen = False
    while (current := candidate.call("GET", f"{base}/question")["question"]) is not None:
        question_id = current["question_id"]
        if current["type"] == "code" and not code_seen:
            code_seen = True
            assert current["sample_tests"]
            assert current["starter"]
            candidate.call("POST", f"{base}/hint")
            candidate.call("POST", f"{base}/assistant",
                           json={"kind": "explain", "message": "why?", "code": json_answer(question_id)["source"],
                                 "language": "python"})
            for path in ("", "/review", "/time", "/progress"):
                candidate.call("GET", f"{base}{path}")
        position = current_position = candidate.call("GET", f"{base}/progress")["current_position"]
        ack = candidate.answer(attempt, answer_for(question_id))
        assert ack["position"] == position == current_position
        assert ack["feedback"]["correct"] or question_id == "api-manual-essay" or ack["feedback"]["needs_review"], ack
    assert first in {entry["question_id"] for entry in candidate.call("GET", f"{base}/review")["questions"]}

    report = candidate.call("POST", f"{base}/submit")
    assert (report["status"], report["state"], report["pending_review"]) == ("submitted", "pending_review", 1)
    by_id = {q["question_id"]: q for q in report["questions"]}
    assert set(by_id) == {*sample_ids, "api-manual-essay"}
    assert all(q["correct"] for i, q in by_id.items() if i != "api-manual-essay"), report
    late = api.call("POST", f"{base}/answer", candidate.token, json={"answer": "B"})
    assert (late.status_code, error_of(late)["code"]) == (409, "attempt_closed")

    # A reviewer grades the essay that needs a person; the candidate's result becomes final.
    queue = api.ok("GET", "/api/review/queue", reviewer)["entries"]
    assert [(e["attempt_id"], e["question_id"]) for e in queue] == [(attempt, "api-manual-essay")]
    item = api.ok("GET", f"/api/review/attempts/{attempt}/items/{queue[0]['position']}", reviewer)
    assert item["answer"] == MY_ESSAY
    assert item["correct_answer"]
    change = api.ok("POST", f"/api/review/attempts/{attempt}/items/{queue[0]['position']}/grade", reviewer,
                    json={"points": 2, "reason": "clear method"})
    reviewer_email = api.ok("GET", "/api/auth/me", reviewer)["email"]
    assert (change["state"], change["new_points"], change["actor"]) == ("final", 2.0, reviewer_email)
    final = candidate.call("GET", f"{base}/results")
    assert (final["state"], final["percentage"], final["passed"]) == ("final", 100.0, True)
    staff = api.ok("GET", f"/api/reports/{attempt}", reviewer)
    assert all(q["explanation"] is not None for q in staff["questions"] if q["question_id"] == "api-manual-essay")
    history = api.ok("GET", f"/api/review/attempts/{attempt}/history", reviewer)["entries"]
    assert [h["kind"] for h in history] == ["review"]
    log = api.ok("GET", f"{base}/assistant", reviewer)["exchanges"]
    assert [e["kind"] for e in log] == ["explain"]

    exported = api.call("GET", "/api/results/export", reviewer, params={"format": "csv", "assessment_id": "api-fixed"})
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["attempt_id"], r["user"], r["percentage"]) for r in rows] == [(attempt, "cand@example.com", "100.0")]

    candidate.call("GET", "/api/attempts")
    metrics = candidate.call("GET", "/api/metrics", params={"scope": "all#all"})
    assert metrics["scopes"][0]["count"] == len(sample_ids) + 1
    candidate.call("GET", "/api/auth/me")

    questions = [*sample_questions().values()]
    assert_nothing_leaked(candidate, questions)


@pytest.mark.parametrize(
    "planted",
    [
        {"question": {"sample_tests": [{"name": "x", "input": "Go go GO stop\n", "expected": "go 3\n"}]}},
        {"feedback": {"message": "expected longest_run([1,2,3,3,3,3]) == 4", "args": [[1, 2, 3, 3, 3, 3]]}},
        {"text": "    counts = Counter(sys.stdin.readline().lower().split())"},
        {"questions": [{"explanation": None, "solutions": []}]},
        {"correct_answer": "B"},
        {"answer": "an answer nobody sent"},
    ],
)
def test_the_leak_scan_finds_planted_leaks(planted: dict[str, Any]) -> None:
    candidate = Candidate.__new__(Candidate)
    candidate.received, candidate.sent_answers = [("planted", planted)], ["B"]
    with pytest.raises(AssertionError):
        assert_nothing_leaked(candidate, [*sample_questions().values()])
