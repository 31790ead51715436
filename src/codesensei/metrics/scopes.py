"""Per-scope running averages of score, time, execution time and memory, updated as each question completes.

A question of difficulty `d` with topics `t1, t2` updates `d#t1`, `all#t1`, `d#t2`, `all#t2`, `d#all` and
`all#all`; the sums live in one row per (user, scope), so reading a scope never scans attempts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from codesensei.store.attempts import MetricDelta, ScopeMetricRepository

ALL = "all"


def scopes_for(difficulty_level: str, topics: Sequence[str]) -> list[str]:
    """The scopes one completed question counts towards."""
    scopes: list[str] = []
    for topic in dict.fromkeys(topics):
        scopes += [f"{difficulty_level}#{topic}", f"{ALL}#{topic}"]
    return [*scopes, f"{difficulty_level}#{ALL}", f"{ALL}#{ALL}"]


@dataclass(frozen=True)
class ScopeMetrics:
    scope: str
    count: int
    mean_score: float
    mean_time_s: float
    executions: int
    mean_exec_time_ms: float | None
    mean_memory_kb: float | None

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_sums(cls, scope: str, sums: MetricDelta) -> ScopeMetrics:
        """The means of one scope's sums (a user's running sums, or sums over chosen attempts)."""
        return cls(
            scope=scope,
            count=sums.count,
            mean_score=sums.score / sums.count if sums.count else 0.0,
            mean_time_s=sums.time_s / sums.count if sums.count else 0.0,
            executions=sums.exec_count,
            mean_exec_time_ms=sums.exec_time_ms / sums.exec_count if sums.exec_count else None,
            mean_memory_kb=sums.memory_kb / sums.exec_count if sums.exec_count else None,
        )


def record_completion(
    session: Session,
    user_name: str,
    *,
    difficulty_level: str,
    topics: Sequence[str],
    score_percent: float,
    time_s: float,
    exec_time_ms: float | None,
    memory_kb: float | None,
    when: datetime,
) -> None:
    """Add one completed question to every scope it belongs to."""
    ScopeMetricRepository(session).add(
        user_name, scopes_for(difficulty_level, topics), score=score_percent, time_s=time_s,
        exec_time_ms=exec_time_ms, memory_kb=memory_kb, when=when,
    )


def user_metrics(session: Session, user_name: str, scopes: Sequence[str] = ()) -> list[ScopeMetrics]:
    """The user's averages, for every scope or the ones asked for."""
    rows = ScopeMetricRepository(session).for_user(user_name, scopes)
    return [
        ScopeMetrics.from_sums(
            r.scope,
            MetricDelta(r.count, r.score_sum, r.time_sum_s, r.exec_count, r.exec_time_sum_ms, r.memory_sum_kb),
        )
        for r in rows
    ]
