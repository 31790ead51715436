"""The attempt report: one function (`attempt_report`) that the CLI, the API and the web app all show.

Points per question (hint penalties applied), total, percentage, pass/fail, letter grade, breakdowns per
topic and difficulty, time per question, hints, and remediation for topics under 60 %.

`state` says whether the result is final: `in_progress`, `pending_review` (some answers still wait for a
reviewer, so points, percentage and pass/fail are provisional) or `final`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.orm import Session

from codesensei.bank.model import AnyQuestion
from codesensei.bank.service import get_question
from codesensei.sessions.attempts import Credential, Loaded, authorize, expire_if_due, is_open, load
from codesensei.sessions.clock import as_utc, now_utc
from codesensei.sessions.errors import ActionNotAllowed
from codesensei.sessions.view import correct_answer
from codesensei.store.attempts import AttemptRepository
from codesensei.store.questions import QuestionFilter, QuestionRepository

Audience = Literal["candidate", "staff"]
ReportState = Literal["in_progress", "pending_review", "final"]
REMEDIATION_BELOW = 60.0
REMEDIATION_PER_TOPIC = 5
GRADES = ((90.0, "A"), (80.0, "B"), (70.0, "C"), (60.0, "D"))


def letter_grade(percentage: float) -> str:
    return next((letter for floor, letter in GRADES if percentage >= floor), "F")


def _pct(earned: float, possible: float) -> float:
    return round(100.0 * earned / possible, 2) if possible else 0.0


@dataclass(frozen=True)
class QuestionResult:
    position: int
    question_id: str
    version: int
    title: str
    type: str
    difficulty: str
    topics: list[str]
    status: str
    points_earned: float
    points_possible: float
    correct: bool
    needs_review: bool
    hints_used: int
    hint_penalty: float
    time_spent_s: float
    exec_time_ms: float | None
    memory_kb: int | None
    feedback: str
    answer: Any
    correct_answer: Any = None
    explanation: str | None = None

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Breakdown:
    name: str
    questions: int
    points_earned: float
    points_possible: float

    @property
    def percentage(self) -> float:
        return _pct(self.points_earned, self.points_possible)

    def to_json(self) -> dict[str, Any]:
        return {**self.__dict__, "percentage": self.percentage}


@dataclass(frozen=True)
class AttemptReport:
    attempt_id: str
    assessment_id: str
    title: str
    user: str
    number: int
    status: str
    submit_reason: str | None
    started_at: datetime
    submitted_at: datetime | None
    points_earned: float
    points_possible: float
    percentage: float
    passing_score: float
    passed: bool
    grade: str
    hints_used: int
    hint_penalty: float
    time_spent_s: float
    pending_review: int
    state: ReportState
    theta: float | None
    questions: list[QuestionResult] = field(default_factory=list)
    by_topic: list[Breakdown] = field(default_factory=list)
    by_difficulty: list[Breakdown] = field(default_factory=list)
    remediation: dict[str, list[str]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["started_at"] = as_utc(self.started_at).isoformat()
        data["submitted_at"] = as_utc(self.submitted_at).isoformat() if self.submitted_at else None
        data["questions"] = [q.to_json() for q in self.questions]
        data["by_topic"] = [b.to_json() for b in self.by_topic]
        data["by_difficulty"] = [b.to_json() for b in self.by_difficulty]
        return data


def _breakdowns(results: list[QuestionResult], key: Literal["topics", "difficulty"]) -> list[Breakdown]:
    sums: dict[str, list[float]] = {}
    for r in results:
        names = r.topics if key == "topics" else [r.difficulty]
        for name in names:
            entry = sums.setdefault(name, [0, 0.0, 0.0])
            entry[0] += 1
            entry[1] += r.points_earned
            entry[2] += r.points_possible
    return [Breakdown(name, int(v[0]), round(v[1], 6), round(v[2], 6)) for name, v in sorted(sums.items())]


def _remediation(session: Session, user: str, weak_topics: list[str]) -> dict[str, list[str]]:
    """For each weak topic, active bank questions in it that the user has never been given."""
    seen = AttemptRepository(session).seen_question_ids(user)
    questions = QuestionRepository(session)
    suggestions: dict[str, list[str]] = {}
    for topic in weak_topics:
        ids = [i for i in questions.ids(QuestionFilter(topics=[topic])) if i not in seen]
        suggestions[topic] = ids[:REMEDIATION_PER_TOPIC]
    return suggestions


def _result(loaded: Loaded, position: int, question: AnyQuestion, audience: Audience) -> QuestionResult:
    item = loaded.item_at(position)
    assert item is not None
    policy = loaded.definition.feedback
    show_key = audience == "staff" or policy.show_correct_answers
    show_explanation = audience == "staff" or policy.show_explanations
    return QuestionResult(
        position=item.position, question_id=item.question_id, version=item.question_version,
        title=question.title, type=question.type, difficulty=question.difficulty_level, topics=list(question.topics),
        status=item.status, points_earned=item.points_earned, points_possible=item.points_possible,
        correct=item.correct, needs_review=item.needs_review, hints_used=item.hints_used,
        hint_penalty=item.hints_used * loaded.definition.hints.penalty if item.status == "answered" else 0.0,
        time_spent_s=round(item.time_spent_s, 3), exec_time_ms=item.exec_time_ms, memory_kb=item.memory_kb,
        feedback=item.feedback, answer=item.answer,
        correct_answer=correct_answer(question) if show_key else None,
        explanation=question.explanation if show_explanation else None,
    )


def report_state(status: str, pending_review: int) -> ReportState:
    if status == "in_progress":
        return "in_progress"
    return "pending_review" if pending_review else "final"


def build_report(
    session: Session, loaded: Loaded, audience: Audience = "staff", *, with_remediation: bool = True
) -> AttemptReport:
    """The report of a loaded attempt; `with_remediation=False` skips the practice suggestions (bulk exports)."""
    row = loaded.row
    results = [
        _result(loaded, i.position, get_question(session, i.question_id, i.question_version), audience)
        for i in loaded.items
    ]
    earned = sum(r.points_earned for r in results)
    possible = sum(r.points_possible for r in results)
    percentage = _pct(earned, possible)
    by_topic = _breakdowns(results, "topics")
    weak = [b.name for b in by_topic if b.percentage < REMEDIATION_BELOW]
    hidden = audience == "candidate" and loaded.definition.feedback.mode == "never"
    pending_review = sum(1 for r in results if r.needs_review)
    return AttemptReport(
        attempt_id=row.id, assessment_id=row.assessment_id, title=loaded.definition.title, user=row.user_name,
        number=row.number, status=row.status, submit_reason=row.submit_reason, started_at=row.started_at,
        submitted_at=row.submitted_at, points_earned=round(earned, 6), points_possible=round(possible, 6),
        percentage=percentage, passing_score=loaded.definition.passing_score,
        passed=percentage >= loaded.definition.passing_score, grade=letter_grade(percentage),
        hints_used=sum(r.hints_used for r in results), hint_penalty=sum(r.hint_penalty for r in results),
        time_spent_s=round(sum(r.time_spent_s for r in results), 3),
        pending_review=pending_review, state=report_state(row.status, pending_review), theta=row.theta,
        questions=[] if hidden else results,
        by_topic=[] if hidden else by_topic,
        by_difficulty=[] if hidden else _breakdowns(results, "difficulty"),
        remediation={} if hidden or not with_remediation else _remediation(session, row.user_name, weak),
    )


def attempt_report(
    session: Session,
    attempt_id: str,
    *,
    audience: Audience = "staff",
    now: datetime | None = None,
    with_remediation: bool = True,
) -> AttemptReport:
    """The report of one attempt; an attempt past its deadline is submitted first."""
    loaded = load(session, attempt_id)
    expire_if_due(loaded, now or now_utc())
    return build_report(session, loaded, audience, with_remediation=with_remediation)


def candidate_results(
    session: Session, attempt_id: str, token: Credential, now: datetime | None = None
) -> AttemptReport:
    """The candidate's report, after submission, as the feedback policy allows."""
    now = now or now_utc()
    loaded = authorize(session, attempt_id, token, now)
    expire_if_due(loaded, now)
    if is_open(loaded.row, now):
        raise ActionNotAllowed("results are available once the attempt is submitted")
    return build_report(session, loaded, "candidate")


@dataclass(frozen=True)
class AttemptSummary:
    attempt_id: str
    assessment_id: str
    number: int
    status: str
    started_at: datetime
    submitted_at: datetime | None
    percentage: float | None
    passed: bool | None

    def to_json(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["started_at"] = as_utc(self.started_at).isoformat()
        data["submitted_at"] = as_utc(self.submitted_at).isoformat() if self.submitted_at else None
        return data


def history(
    session: Session, user_name: str, assessment_id: str | None = None, now: datetime | None = None
) -> list[AttemptSummary]:
    """A user's attempts, oldest first (expired ones are submitted on the way)."""
    now = now or now_utc()
    summaries = []
    for row in AttemptRepository(session).for_user(user_name, assessment_id):
        if row.status == "in_progress":
            expire_if_due(load(session, row.id), now)
        summaries.append(
            AttemptSummary(row.id, row.assessment_id, row.number, row.status, row.started_at, row.submitted_at,
                           row.percentage, row.passed)
        )
    return summaries
