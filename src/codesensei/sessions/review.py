"""Human review: the queue of answers waiting for a person, grading them by rubric or points, overrides, history.

An item needs review when its grader could not score it (essays graded `manual`, `ai` grading not yet done,
anything a grader routes to review); it scores a provisional zero until a reviewer grades it, and its
attempt's report says `pending_review`. A reviewer may also override any automatic score, with a reason.
Every change goes through `rescoring.apply_score`, which writes the audit trail and keeps totals and
per-scope metrics consistent. Services take a session and never commit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from codesensei.bank.model import AnyQuestion, Criterion
from codesensei.bank.service import get_question
from codesensei.errors import NotFound, ValidationFailed
from codesensei.grading.result import CriterionScore, criterion, scored
from codesensei.sessions.attempts import Loaded, expire_due, expire_if_due, load
from codesensei.sessions.clock import as_utc, now_utc
from codesensei.sessions.errors import ActionNotAllowed
from codesensei.sessions.report import ReportState, report_state
from codesensei.sessions.rescoring import NewScore, apply_score, attempt_totals, item_at
from codesensei.sessions.view import correct_answer
from codesensei.store.assessments import AssessmentRepository
from codesensei.store.attempts import AttemptRepository, ScoreAuditRepository
from codesensei.store.session_tables import AttemptItemRow, ScoreAuditRow

ACTOR_MAX_CHARS = 200


def _iso(value: datetime | None) -> str | None:
    return as_utc(value).isoformat() if value else None


@dataclass(frozen=True)
class QueueEntry:
    """One answer waiting for a reviewer."""

    attempt_id: str
    assessment_id: str
    user: str
    number: int
    submitted_at: datetime | None
    position: int
    question_id: str
    question_version: int
    type: str
    title: str
    points_earned: float
    points_possible: float
    feedback: str

    def to_json(self) -> dict[str, Any]:
        return {**self.__dict__, "submitted_at": _iso(self.submitted_at)}


@dataclass(frozen=True)
class AuditEntry:
    """One row of an attempt's score history."""

    id: int
    attempt_id: str
    position: int
    question_id: str
    question_version: int
    kind: str
    actor: str
    reason: str
    old_points: float
    new_points: float
    old_correct: bool
    new_correct: bool
    details: dict[str, Any]
    created_at: datetime

    @classmethod
    def of(cls, row: ScoreAuditRow) -> AuditEntry:
        return cls(
            id=row.id, attempt_id=row.attempt_id, position=row.position, question_id=row.question_id,
            question_version=row.question_version, kind=row.kind, actor=row.actor, reason=row.reason,
            old_points=row.old_points, new_points=row.new_points, old_correct=row.old_correct,
            new_correct=row.new_correct, details=dict(row.details or {}), created_at=row.created_at,
        )

    def to_json(self) -> dict[str, Any]:
        return {**self.__dict__, "created_at": _iso(self.created_at)}


@dataclass(frozen=True)
class ReviewItem:
    """Everything a reviewer needs to grade one answer: question, rubric, key, the answer and its current score."""

    attempt_id: str
    assessment_id: str
    user: str
    attempt_status: str
    position: int
    question_id: str
    question_version: int
    type: str
    title: str
    text: str
    grading_method: str
    rubric: list[dict[str, Any]]
    correct_answer: Any
    answer: Any
    status: str
    points_earned: float
    points_possible: float
    correct: bool
    needs_review: bool
    score_source: str
    feedback: str
    criteria: list[dict[str, Any]]
    hints_used: int
    hint_penalty: float
    history: list[AuditEntry] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {**self.__dict__, "history": [h.to_json() for h in self.history]}


@dataclass(frozen=True)
class ScoreChange:
    """The outcome of a review or override: the item's old and new score and the attempt's new totals."""

    audit_id: int
    attempt_id: str
    position: int
    question_id: str
    kind: str
    actor: str
    old_points: float
    new_points: float
    points_possible: float
    old_correct: bool
    new_correct: bool
    attempt_points_earned: float
    attempt_points_possible: float
    attempt_percentage: float
    attempt_passed_before: bool
    attempt_passed: bool
    pending_review: int
    state: ReportState

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


# ---- reading -------------------------------------------------------------------------------------------


def review_queue(session: Session, assessment_id: str | None = None, now: datetime | None = None) -> list[QueueEntry]:
    """Answers waiting for a reviewer, oldest submission first; attempts whose time ran out are submitted first."""
    if assessment_id is not None and AssessmentRepository(session).get(assessment_id) is None:
        raise NotFound(f"assessment '{assessment_id}' does not exist")
    expire_due(session, now or now_utc())
    entries = []
    questions: dict[tuple[str, int], AnyQuestion] = {}
    for attempt, item in AttemptRepository(session).awaiting_review(assessment_id):
        key = (item.question_id, item.question_version)
        if key not in questions:
            questions[key] = get_question(session, *key)
        question = questions[key]
        entries.append(QueueEntry(
            attempt_id=attempt.id, assessment_id=attempt.assessment_id, user=attempt.user_name, number=attempt.number,
            submitted_at=attempt.submitted_at, position=item.position, question_id=item.question_id,
            question_version=item.question_version, type=question.type, title=question.title,
            points_earned=item.points_earned, points_possible=item.points_possible, feedback=item.feedback,
        ))
    return entries


def _rubric(question: AnyQuestion) -> list[dict[str, Any]]:
    return [c.model_dump(mode="json") for c in question.grading.rubric]


def review_item(session: Session, attempt_id: str, position: int) -> ReviewItem:
    """One answer as a reviewer sees it (the key and model answer included), with its score history."""
    loaded = load(session, attempt_id)
    item = item_at(loaded, position)
    question = get_question(session, item.question_id, item.question_version)
    grade = item.grade or {}
    history = [AuditEntry.of(r) for r in ScoreAuditRepository(session).for_attempt(attempt_id, position)]
    return ReviewItem(
        attempt_id=loaded.row.id, assessment_id=loaded.row.assessment_id, user=loaded.row.user_name,
        attempt_status=loaded.row.status, position=item.position, question_id=item.question_id,
        question_version=item.question_version, type=question.type, title=question.title, text=question.text,
        grading_method=question.grading.method, rubric=_rubric(question), correct_answer=correct_answer(question),
        answer=item.answer, status=item.status, points_earned=item.points_earned,
        points_possible=item.points_possible, correct=item.correct, needs_review=item.needs_review,
        score_source=item.score_source, feedback=item.feedback, criteria=list(grade.get("criteria") or []),
        hints_used=item.hints_used, hint_penalty=_penalty(loaded, item), history=history,
    )


def audit_history(session: Session, attempt_id: str) -> list[AuditEntry]:
    """Every score change of an attempt, oldest first."""
    if AttemptRepository(session).get(attempt_id) is None:
        raise NotFound(f"attempt '{attempt_id}' does not exist")
    return [AuditEntry.of(r) for r in ScoreAuditRepository(session).for_attempt(attempt_id)]


# ---- changing scores -----------------------------------------------------------------------------------


def _actor(name: str) -> str:
    actor = name.strip()
    if not actor:
        raise ValidationFailed("reviewer: a reviewer name is required")
    if len(actor) > ACTOR_MAX_CHARS:
        raise ValidationFailed(f"reviewer: at most {ACTOR_MAX_CHARS} characters")
    return actor


def _load_submitted(session: Session, attempt_id: str, now: datetime) -> Loaded:
    """The attempt, locked; reviewing an attempt the candidate is still answering would race the candidate."""
    loaded = load(session, attempt_id, for_update=True)
    expire_if_due(loaded, now)
    if loaded.row.status != "submitted":
        raise ActionNotAllowed(f"attempt '{attempt_id}' is still in progress; it can be reviewed once submitted")
    return loaded


def _penalty(loaded: Loaded, item: AttemptItemRow) -> float:
    return item.hints_used * loaded.definition.hints.penalty if item.status == "answered" else 0.0


def _check_points(points: float, possible: float) -> float:
    if not math.isfinite(points) or points < 0 or points > possible:
        raise ValidationFailed(f"points: must be between 0 and {possible:g}, the question's points")
    return float(points)


def _criterion_scores(question: AnyQuestion, possible: float, given: Mapping[str, float]) -> list[CriterionScore]:
    """A reviewer's score (0..1) per rubric criterion, each worth its weight's share of the points."""
    rubric: list[Criterion] = question.grading.rubric
    if not rubric:
        raise ValidationFailed(f"criterion: question '{question.id}' has no rubric; grade it with points")
    by_name = {c.name: c for c in rubric}
    folded = {c.name.casefold(): c.name for c in rubric}
    scores: dict[str, float] = {}
    for raw_name, value in given.items():
        name = raw_name if raw_name in by_name else folded.get(raw_name.casefold())
        if name is None:
            known = ", ".join(repr(c.name) for c in rubric)
            raise ValidationFailed(f"criterion: {raw_name!r} is not in the rubric ({known})")
        if not math.isfinite(value) or not 0.0 <= value <= 1.0:
            raise ValidationFailed(f"criterion {name!r}: a score from 0 to 1 (the share of the criterion met)")
        scores[name] = float(value)
    missing = [c.name for c in rubric if c.name not in scores]
    if missing:
        raise ValidationFailed(f"criterion: no score for {', '.join(repr(m) for m in missing)}; score every criterion")
    total_weight = sum(c.weight for c in rubric)
    return [
        criterion(c.name, scores[c.name], possible * c.weight / total_weight, "scored by a reviewer") for c in rubric
    ]


def _change(loaded: Loaded, item: AttemptItemRow, audit: ScoreAuditRow, passed_before: bool) -> ScoreChange:
    row = loaded.row
    pending = sum(1 for i in loaded.items if i.needs_review)
    return ScoreChange(
        audit_id=audit.id, attempt_id=row.id, position=item.position, question_id=item.question_id, kind=audit.kind,
        actor=audit.actor, old_points=audit.old_points, new_points=audit.new_points,
        points_possible=item.points_possible, old_correct=audit.old_correct, new_correct=audit.new_correct,
        attempt_points_earned=row.points_earned or 0.0, attempt_points_possible=row.points_possible or 0.0,
        attempt_percentage=row.percentage or 0.0, attempt_passed_before=passed_before,
        attempt_passed=bool(row.passed), pending_review=pending, state=report_state(row.status, pending),
    )


def _passed_now(loaded: Loaded) -> bool:
    return attempt_totals(((i.points_earned, i.points_possible) for i in loaded.items),
                          loaded.definition.passing_score)[3]


def grade_item(
    session: Session,
    attempt_id: str,
    position: int,
    *,
    reviewer: str,
    points: float | None = None,
    criteria: Mapping[str, float] | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> ScoreChange:
    """A reviewer grades an answer that needs review: by rubric (`criteria`, 0..1 each) or with `points`.

    Rubric grading is scored like the automatic graders (weights, partial credit, hint penalty); points
    given directly are the item's final score. An automatically scored item is changed with
    `override_score`, which needs a reason, not here.
    """
    now = now or now_utc()
    actor = _actor(reviewer)
    if (points is None) == (not criteria):
        raise ValidationFailed("give either points or a score for every rubric criterion, not both")
    loaded = _load_submitted(session, attempt_id, now)
    item = item_at(loaded, position)
    if not item.needs_review and item.score_source != "review":
        raise ActionNotAllowed(
            f"question {position} of attempt '{attempt_id}' was scored automatically and does not need review; "
            "override its score, with a reason, instead"
        )
    question = get_question(session, item.question_id, item.question_version)
    possible = item.points_possible
    details: dict[str, Any]
    if criteria:
        scores = _criterion_scores(question, possible, criteria)
        earned = sum(c.points_earned for c in scores)
        result = scored(earned / possible if possible else 0.0, possible, question.partial_credit,
                        f"{sum(1 for c in scores if c.points_earned >= c.points_possible)} of {len(scores)} "
                        "rubric criteria fully met (graded by a reviewer).", tuple(scores))
        # The hint penalty applies as it does to automatic grades, so graded and reviewed items compare.
        new_points = max(0.0, result.points_earned - _penalty(loaded, item))
        fraction = result.fraction
        criteria_json = [c.to_json() for c in scores]
        feedback = result.feedback
        details = {"criteria": {name: float(value) for name, value in criteria.items()},
                   "hint_penalty": _penalty(loaded, item)}
    else:
        assert points is not None
        new_points = _check_points(points, possible)
        fraction = new_points / possible if possible else 0.0
        criteria_json = []
        feedback = "Graded by a reviewer."
        details = {"points_given": new_points}
    correct = new_points >= possible
    passed_before = _passed_now(loaded)
    new = NewScore(
        points_earned=new_points, points_possible=possible, correct=correct, needs_review=False,
        grade={"points_earned": new_points, "points_possible": possible, "correct": correct, "feedback": feedback,
               "criteria": criteria_json, "needs_review": False, "fraction": fraction,
               "verdict": (item.grade or {}).get("verdict"), "source": "review"},
        feedback=feedback, question_version=item.question_version, source="review",
        exec_time_ms=item.exec_time_ms, memory_kb=item.memory_kb,
    )
    audit = apply_score(session, loaded, item, new, kind="review", actor=actor, reason=reason.strip(), now=now,
                        details=details)
    return _change(loaded, item, audit, passed_before)


def override_score(
    session: Session,
    attempt_id: str,
    position: int,
    *,
    points: float,
    reason: str,
    reviewer: str,
    now: datetime | None = None,
) -> ScoreChange:
    """Replace any item's score with `points` (final, no penalty applied); the reason is required and audited."""
    now = now or now_utc()
    actor = _actor(reviewer)
    why = reason.strip()
    if not why:
        raise ValidationFailed("reason: an override needs a reason")
    loaded = _load_submitted(session, attempt_id, now)
    item = item_at(loaded, position)
    possible = item.points_possible
    new_points = _check_points(points, possible)
    correct = new_points >= possible
    passed_before = _passed_now(loaded)
    feedback = "Score set by a reviewer."
    new = NewScore(
        points_earned=new_points, points_possible=possible, correct=correct, needs_review=False,
        grade={"points_earned": new_points, "points_possible": possible, "correct": correct, "feedback": feedback,
               "criteria": [], "needs_review": False, "fraction": new_points / possible if possible else 0.0,
               "verdict": (item.grade or {}).get("verdict"), "source": "override"},
        feedback=feedback, question_version=item.question_version, source="override",
        exec_time_ms=item.exec_time_ms, memory_kb=item.memory_kb,
    )
    audit = apply_score(session, loaded, item, new, kind="override", actor=actor, reason=why, now=now,
                        details={"points_given": new_points})
    return _change(loaded, item, audit, passed_before)
