"""Changing a graded item's score after the fact: one path for reviews, overrides and regrades.

Every change writes a `score_audit` row, updates the item, moves the per-scope metrics by the difference
(the old contribution is retracted and the new one added, so nothing is counted twice) and recomputes the
attempt's totals. Services take a session and never commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.orm import Session

from codesensei.bank.model import AnyQuestion
from codesensei.bank.service import get_question
from codesensei.errors import NotFound
from codesensei.metrics.scopes import scopes_for
from codesensei.sessions.attempts import Loaded
from codesensei.store.attempts import MetricDelta, ScopeMetricRepository, ScoreAuditRepository
from codesensei.store.session_tables import AttemptItemRow, ScoreAuditRow

ChangeKind = Literal["review", "override", "regrade", "ai"]
ScoreSource = Literal["auto", "review", "override", "ai"]
# Items that reached an answer count towards the per-scope metrics (`answering.answer_question` records
# them); pending and skipped items never did, so a rescore of one must not touch the metrics either.
COMPLETED_STATUSES = ("answered", "timed_out")


@dataclass(frozen=True)
class NewScore:
    """What an item's score becomes. `question_version` may move forward when a regrade used a newer version."""

    points_earned: float
    points_possible: float
    correct: bool
    needs_review: bool
    grade: dict[str, Any]
    feedback: str
    question_version: int
    source: ScoreSource
    exec_time_ms: float | None
    memory_kb: int | None


def item_at(loaded: Loaded, position: int) -> AttemptItemRow:
    item = loaded.item_at(position)
    if item is None:
        raise NotFound(f"attempt '{loaded.row.id}' has no question at position {position} "
                       f"(it has positions 1..{len(loaded.items)})")
    return item


def attempt_totals(points: Iterable[tuple[float, float]], passing_score: float) -> tuple[float, float, float, bool]:
    """(earned, possible, percentage, passed) from (earned, possible) per item, as `attempts.finish` stores them."""
    pairs = list(points)
    earned = sum(e for e, _ in pairs)
    possible = sum(p for _, p in pairs)
    percentage = round(100.0 * earned / possible, 4) if possible else 0.0
    return earned, possible, percentage, percentage >= passing_score


def recompute_totals(loaded: Loaded) -> None:
    """Store the attempt's totals again; an attempt still in progress gets them when it is submitted."""
    row = loaded.row
    if row.status != "submitted":
        return
    earned, possible, percentage, passed = attempt_totals(
        ((i.points_earned, i.points_possible) for i in loaded.items), loaded.definition.passing_score
    )
    row.points_earned, row.points_possible, row.percentage, row.passed = earned, possible, percentage, passed


def _contribution(
    question: AnyQuestion, earned: float, possible: float, time_s: float, exec_ms: float | None, memory_kb: int | None
) -> dict[str, MetricDelta]:
    """One completed item's share of each scope's sums, exactly as `record_completion` adds it."""
    executed = exec_ms is not None
    delta = MetricDelta(
        count=1, score=100.0 * earned / possible if possible else 0.0, time_s=time_s,
        exec_count=1 if executed else 0, exec_time_ms=exec_ms or 0.0, memory_kb=float(memory_kb or 0),
    )
    return dict.fromkeys(scopes_for(question.difficulty_level, question.topics), delta)


def _metric_deltas(
    old: dict[str, MetricDelta], new: dict[str, MetricDelta]
) -> dict[str, MetricDelta]:
    deltas: dict[str, MetricDelta] = {scope: -delta for scope, delta in old.items()}
    for scope, delta in new.items():
        deltas[scope] = deltas.get(scope, MetricDelta()) + delta
    return deltas


def apply_score(
    session: Session,
    loaded: Loaded,
    item: AttemptItemRow,
    new: NewScore,
    *,
    kind: ChangeKind,
    actor: str,
    reason: str,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> ScoreAuditRow:
    """Give `item` its new score: audit row, item, per-scope metrics and attempt totals, in the caller's transaction."""
    old_question = get_question(session, item.question_id, item.question_version)
    new_question = (
        old_question if new.question_version == item.question_version
        else get_question(session, item.question_id, new.question_version)
    )
    if item.status in COMPLETED_STATUSES:
        old = _contribution(old_question, item.points_earned, item.points_possible, item.time_spent_s,
                            item.exec_time_ms, item.memory_kb)
        fresh = _contribution(new_question, new.points_earned, new.points_possible, item.time_spent_s,
                              new.exec_time_ms, new.memory_kb)
        ScopeMetricRepository(session).adjust(loaded.row.user_name, _metric_deltas(old, fresh), now)

    audit = ScoreAuditRepository(session).add(
        ScoreAuditRow(
            attempt_id=item.attempt_id, position=item.position, question_id=item.question_id,
            question_version=new.question_version, kind=kind, actor=actor, reason=reason,
            old_points=item.points_earned, new_points=new.points_earned, old_correct=item.correct,
            new_correct=new.correct,
            details={
                "old_version": item.question_version,
                "old_points_possible": item.points_possible,
                "new_points_possible": new.points_possible,
                "old_needs_review": item.needs_review,
                "new_needs_review": new.needs_review,
                "old_source": item.score_source,
                **(details or {}),
            },
            created_at=now,
        )
    )
    item.points_earned = new.points_earned
    item.points_possible = new.points_possible
    item.correct = new.correct
    item.needs_review = new.needs_review
    item.grade = new.grade
    item.feedback = new.feedback
    item.question_version = new.question_version
    item.score_source = new.source
    item.exec_time_ms = new.exec_time_ms
    item.memory_kb = new.memory_kb
    recompute_totals(loaded)
    session.flush()
    return audit
