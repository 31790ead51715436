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
from codesensei.store.attempts import AttemptRepository, ItemTotals


@dataclass(frozen=True)
class AttemptSelection:
    """Which attempts count: some assessments (none: all), minus some, optionally one user's, optionally only
    submitted ones, optionally without practice sessions (ids starting with `exclude_prefix`)."""

    assessment_ids: Sequence[str] = ()
    excluded_assessment_ids: Sequence[str] = ()
    user_name: str | None = None
    submitted_only: bool = False
    exclude_prefix: str | None = None


@dataclass
class _Sums:
    count: int = 0
    score: float = 0.0
    time_s: float = 0.0
    exec_count: int = 0
    exec_time_ms: float = 0.0
    memory_kb: float = 0.0

    def add(self, totals: ItemTotals) -> None:
        self.count += totals.count
        self.score += totals.score_sum
        self.time_s += totals.time_sum_s
        self.exec_count += totals.exec_count
        self.exec_time_ms += totals.exec_time_sum_ms
        self.memory_kb += totals.memory_sum_kb

    def metrics(self, scope: str) -> ScopeMetrics:
        return ScopeMetrics(
            scope=scope, count=self.count, mean_score=self.score / self.count if self.count else 0.0,
            mean_time_s=self.time_s / self.count if self.count else 0.0, executions=self.exec_count,
            mean_exec_time_ms=self.exec_time_ms / self.exec_count if self.exec_count else None,
            mean_memory_kb=self.memory_kb / self.exec_count if self.exec_count else None,
        )


def selection_metrics(session: Session, selection: AttemptSelection) -> list[ScopeMetrics]:
    """Means per `difficulty#topic` scope (with `all` rows) over the answered items of the selected attempts."""
    rows = AttemptRepository(session).answered_totals(
        assessment_ids=selection.assessment_ids, excluded_assessment_ids=selection.excluded_assessment_ids,
        user_name=selection.user_name, submitted_only=selection.submitted_only,
        exclude_prefix=selection.exclude_prefix,
    )
    questions: dict[tuple[str, int], AnyQuestion] = {}
    sums: dict[str, _Sums] = {}
    for totals in rows:
        key = (totals.question_id, totals.question_version)
        if key not in questions:
            questions[key] = get_question(session, *key)
        question = questions[key]
        for scope in scopes_for(question.difficulty_level, question.topics):
            sums.setdefault(scope, _Sums()).add(totals)
    return [sums[scope].metrics(scope) for scope in sorted(sums)]
