"""Per-scope metrics over a set of attempts: one assessment's, several assessments', or one candidate's within them.

The same scopes and means as the per-user running sums in `scopes` (score, time spent, execution time and
memory per `difficulty#topic`), computed from the answered items themselves, so they can be restricted to any
set of attempts. Each question counts under the topics and difficulty of the version that was answered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from codesensei.bank.model import AnyQuestion
from codesensei.bank.service import get_question
from codesensei.metrics.scopes import ScopeMetrics, scopes_for
from codesensei.store.attempts import AttemptRepository, MetricDelta


@dataclass(frozen=True)
class AttemptSelection:
    """Which attempts count: some assessments (none: all), minus some, optionally one user's, optionally only
    submitted ones, optionally without practice sessions (ids starting with `exclude_prefix`)."""

    assessment_ids: Sequence[str] = ()
    excluded_assessment_ids: Sequence[str] = ()
    user_name: str | None = None
    submitted_only: bool = False
    exclude_prefix: str | None = None


def selection_metrics(session: Session, selection: AttemptSelection) -> list[ScopeMetrics]:
    """Means per `difficulty#topic` scope (with `all` rows) over the answered items of the selected attempts."""
    rows = AttemptRepository(session).answered_totals(
        assessment_ids=selection.assessment_ids, excluded_assessment_ids=selection.excluded_assessment_ids,
        user_name=selection.user_name, submitted_only=selection.submitted_only,
        exclude_prefix=selection.exclude_prefix,
    )
    questions: dict[tuple[str, int], AnyQuestion] = {}
    sums: dict[str, MetricDelta] = {}
    for totals in rows:
        key = (totals.question_id, totals.question_version)
        if key not in questions:
            questions[key] = get_question(session, *key)
        question = questions[key]
        item = MetricDelta(
            totals.count, totals.score_sum, totals.time_sum_s, totals.exec_count, totals.exec_time_sum_ms,
            totals.memory_sum_kb,
        )
        for scope in scopes_for(question.difficulty_level, question.topics):
            sums[scope] = sums.get(scope, MetricDelta()) + item
    return [ScopeMetrics.from_sums(scope, sums[scope]) for scope in sorted(sums)]
