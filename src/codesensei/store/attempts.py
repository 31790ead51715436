"""The attempt repository: attempts, their items, the per-scope metric sums and the score audit trail."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select, true
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from codesensei.store.session_tables import AssessmentRow, AttemptItemRow, AttemptRow, ScopeMetricRow, ScoreAuditRow


@dataclass(frozen=True)
class ItemTotals:
    """Sums over the answered items that used one question version (scores in percent of the item's points)."""

    question_id: str
    question_version: int
    count: int
    score_sum: float
    time_sum_s: float
    exec_count: int
    exec_time_sum_ms: float
    memory_sum_kb: float


class AttemptRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.dialect = session.get_bind().dialect.name

    def add(self, row: AttemptRow) -> AttemptRow:
        self.session.add(row)
        self.session.flush()
        return row

    def get(self, attempt_id: str, *, for_update: bool = False) -> AttemptRow | None:
        """The attempt; `for_update` locks its row (PostgreSQL) so two answers cannot interleave."""
        statement = select(AttemptRow).where(AttemptRow.id == attempt_id)
        if for_update and self.dialect != "sqlite":
            statement = statement.with_for_update()
        return self.session.scalars(statement).first()

    def for_user(self, user_name: str, assessment_id: str | None = None) -> list[AttemptRow]:
        statement = select(AttemptRow).where(AttemptRow.user_name == user_name)
        if assessment_id is not None:
            statement = statement.where(AttemptRow.assessment_id == assessment_id)
        return list(self.session.scalars(statement.order_by(AttemptRow.started_at, AttemptRow.number)))

    def count_for(self, user_name: str, assessment_id: str) -> int:
        statement = select(func.count()).select_from(AttemptRow).where(
            AttemptRow.user_name == user_name, AttemptRow.assessment_id == assessment_id
        )
        return int(self.session.scalar(statement) or 0)

    def items(self, attempt_id: str) -> list[AttemptItemRow]:
        statement = select(AttemptItemRow).where(AttemptItemRow.attempt_id == attempt_id)
        return list(self.session.scalars(statement.order_by(AttemptItemRow.position)))

    def add_items(self, items: Sequence[AttemptItemRow]) -> None:
        self.session.add_all(items)
        self.session.flush()

    def seen_question_ids(self, user_name: str) -> set[str]:
        statement = (
            select(AttemptItemRow.question_id)
            .join(AttemptRow, AttemptRow.id == AttemptItemRow.attempt_id)
            .where(AttemptRow.user_name == user_name)
        )
        return set(self.session.scalars(statement))

    def page_keys(
        self,
        *,
        assessment_id: str | None = None,
        user_name: str | None = None,
        since: datetime | None = None,
        after: tuple[datetime, str] | None = None,
        limit: int = 200,
    ) -> list[tuple[datetime, str]]:
        """(started_at, id) of the next `limit` attempts in start order after `after` (keyset pagination).

        Keyset rather than OFFSET so each page costs the same however deep the export is, and attempts
        started while exporting cannot shift rows between pages.
        """
        statement = select(AttemptRow.started_at, AttemptRow.id)
        if assessment_id is not None:
            statement = statement.where(AttemptRow.assessment_id == assessment_id)
        if user_name is not None:
            statement = statement.where(AttemptRow.user_name == user_name)
        if since is not None:
            statement = statement.where(AttemptRow.started_at >= since)
        if after is not None:
            started, attempt_id = after
            statement = statement.where(
                or_(AttemptRow.started_at > started, and_(AttemptRow.started_at == started, AttemptRow.id > attempt_id))
            )
        statement = statement.order_by(AttemptRow.started_at, AttemptRow.id).limit(limit)
        return [(started_at, attempt_id) for started_at, attempt_id in self.session.execute(statement)]

    def _listed(
        self,
        statement: Select[Any],
        *,
        assessment_id: str | None,
        user_name: str | None,
        state: str | None,
        exclude_prefix: str | None,
    ) -> Select[Any]:
        if assessment_id is not None:
            statement = statement.where(AttemptRow.assessment_id == assessment_id)
        if user_name is not None:
            statement = statement.where(AttemptRow.user_name == user_name)
        if exclude_prefix is not None:
            statement = statement.where(~AttemptRow.assessment_id.startswith(exclude_prefix, autoescape=True))
        waiting = (
            select(AttemptItemRow.attempt_id)
            .where(AttemptItemRow.attempt_id == AttemptRow.id, AttemptItemRow.needs_review == true())
            .exists()
        )
        if state == "in_progress":
            statement = statement.where(AttemptRow.status == "in_progress")
        elif state == "submitted":
            statement = statement.where(AttemptRow.status == "submitted")
        elif state == "pending_review":
            statement = statement.where(AttemptRow.status == "submitted", waiting)
        elif state == "final":
            statement = statement.where(AttemptRow.status == "submitted", ~waiting)
        return statement

    def listing(
        self,
        *,
        assessment_id: str | None = None,
        user_name: str | None = None,
        state: str | None = None,
        exclude_prefix: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[tuple[AttemptRow, str, int]], int]:
        """A page of attempts, newest first, each with its assessment's title and the items awaiting review;
        and how many attempts match. `state` is `in_progress`, `submitted`, `pending_review` or `final`."""
        filters = {
            "assessment_id": assessment_id, "user_name": user_name, "state": state, "exclude_prefix": exclude_prefix,
        }
        pending = (
            select(func.count())
            .select_from(AttemptItemRow)
            .where(AttemptItemRow.attempt_id == AttemptRow.id, AttemptItemRow.needs_review == true())
            .scalar_subquery()
        )
        statement = self._listed(
            select(AttemptRow, AssessmentRow.title, pending).join(
                AssessmentRow, AssessmentRow.id == AttemptRow.assessment_id
            ),
            **filters,
        )
        statement = statement.order_by(AttemptRow.started_at.desc(), AttemptRow.id.desc()).limit(limit).offset(offset)
        rows = [(row, title, int(count)) for row, title, count in self.session.execute(statement)]
        total = self.session.scalar(self._listed(select(func.count()).select_from(AttemptRow), **filters))
        return rows, int(total or 0)

    def answered_totals(
        self,
        *,
        assessment_ids: Sequence[str] = (),
        excluded_assessment_ids: Sequence[str] = (),
        user_name: str | None = None,
        submitted_only: bool = False,
        exclude_prefix: str | None = None,
    ) -> list[ItemTotals]:
        """Sums over the answered items of the matching attempts, one row per question version.

        Grouped in SQL, so the rows returned are at most the bank's size however many attempts there are.
        """
        item = AttemptItemRow
        executed = item.exec_time_ms.is_not(None)
        score = case((item.points_possible > 0, 100.0 * item.points_earned / item.points_possible), else_=0.0)
        statement = (
            select(
                item.question_id, item.question_version, func.count(), func.sum(score), func.sum(item.time_spent_s),
                func.sum(case((executed, 1), else_=0)), func.sum(case((executed, item.exec_time_ms), else_=0.0)),
                func.sum(case((executed, func.coalesce(item.memory_kb, 0)), else_=0)),
            )
            .join(AttemptRow, AttemptRow.id == item.attempt_id)
            .where(item.status.in_(("answered", "timed_out")))
            .group_by(item.question_id, item.question_version)
            .order_by(item.question_id, item.question_version)
        )
        if assessment_ids:
            statement = statement.where(AttemptRow.assessment_id.in_(assessment_ids))
        if excluded_assessment_ids:
            statement = statement.where(AttemptRow.assessment_id.not_in(excluded_assessment_ids))
        if exclude_prefix is not None:
            statement = statement.where(~AttemptRow.assessment_id.startswith(exclude_prefix, autoescape=True))
        if user_name is not None:
            statement = statement.where(AttemptRow.user_name == user_name)
        if submitted_only:
            statement = statement.where(AttemptRow.status == "submitted")
        return [
            ItemTotals(question_id, version, int(count), float(score_sum or 0), float(time_sum or 0),
                       int(exec_count or 0), float(exec_sum or 0), float(memory_sum or 0))
            for question_id, version, count, score_sum, time_sum, exec_count, exec_sum, memory_sum
            in self.session.execute(statement)
        ]

    def awaiting_review(self, assessment_id: str | None = None) -> list[tuple[AttemptRow, AttemptItemRow]]:
        """Items still needing a human score in submitted attempts, oldest submission first."""
        statement = (
            select(AttemptRow, AttemptItemRow)
            .join(AttemptItemRow, AttemptItemRow.attempt_id == AttemptRow.id)
            .where(AttemptItemRow.needs_review == true(), AttemptRow.status == "submitted")
        )
        if assessment_id is not None:
            statement = statement.where(AttemptRow.assessment_id == assessment_id)
        statement = statement.order_by(AttemptRow.submitted_at, AttemptRow.id, AttemptItemRow.position)
        return [(attempt, item) for attempt, item in self.session.execute(statement)]

    def ids_using_question(self, question_id: str) -> list[str]:
        """Every attempt with an item that used `question_id` (any version), in start order."""
        statement = (
            select(AttemptRow.id)
            .where(
                select(AttemptItemRow.attempt_id)
                .where(AttemptItemRow.attempt_id == AttemptRow.id, AttemptItemRow.question_id == question_id)
                .exists()
            )
            .order_by(AttemptRow.started_at, AttemptRow.id)
        )
        return list(self.session.scalars(statement))

    def flush(self) -> None:
        self.session.flush()


class ScoreAuditRepository:
    """The append-only trail of score changes made after grading (reviews, overrides, regrades)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: ScoreAuditRow) -> ScoreAuditRow:
        self.session.add(row)
        self.session.flush()
        return row

    def for_attempt(self, attempt_id: str, position: int | None = None) -> list[ScoreAuditRow]:
        statement = select(ScoreAuditRow).where(ScoreAuditRow.attempt_id == attempt_id)
        if position is not None:
            statement = statement.where(ScoreAuditRow.position == position)
        return list(self.session.scalars(statement.order_by(ScoreAuditRow.created_at, ScoreAuditRow.id)))


@dataclass(frozen=True)
class MetricDelta:
    """One scope's sums, or a change to them (a rescore retracts the old contribution and adds the new one)."""

    count: int = 0
    score: float = 0.0
    time_s: float = 0.0
    exec_count: int = 0
    exec_time_ms: float = 0.0
    memory_kb: float = 0.0

    def __add__(self, other: MetricDelta) -> MetricDelta:
        return MetricDelta(
            self.count + other.count, self.score + other.score, self.time_s + other.time_s,
            self.exec_count + other.exec_count, self.exec_time_ms + other.exec_time_ms,
            self.memory_kb + other.memory_kb,
        )

    def __neg__(self) -> MetricDelta:
        return MetricDelta(
            -self.count, -self.score, -self.time_s, -self.exec_count, -self.exec_time_ms, -self.memory_kb
        )

    @property
    def is_zero(self) -> bool:
        return not any((self.count, self.score, self.time_s, self.exec_count, self.exec_time_ms, self.memory_kb))


class ScopeMetricRepository:
    """Per-(user, scope) running sums, incremented atomically with one upsert per scope."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.dialect = session.get_bind().dialect.name

    def add(
        self,
        user_name: str,
        scopes: Sequence[str],
        *,
        score: float,
        time_s: float,
        exec_time_ms: float | None,
        memory_kb: float | None,
        when: datetime,
    ) -> None:
        executed = exec_time_ms is not None
        for scope in scopes:
            values = {
                "user_name": user_name, "scope": scope, "count": 1, "score_sum": score, "time_sum_s": time_s,
                "exec_count": 1 if executed else 0, "exec_time_sum_ms": exec_time_ms or 0.0,
                "memory_sum_kb": memory_kb or 0.0, "updated_at": when,
            }
            insert = sqlite_insert if self.dialect == "sqlite" else pg_insert
            statement = insert(ScopeMetricRow).values(**values)
            table = ScopeMetricRow
            statement = statement.on_conflict_do_update(
                index_elements=["user_name", "scope"],
                set_={
                    "count": table.count + 1,
                    "score_sum": table.score_sum + score,
                    "time_sum_s": table.time_sum_s + time_s,
                    "exec_count": table.exec_count + (1 if executed else 0),
                    "exec_time_sum_ms": table.exec_time_sum_ms + (exec_time_ms or 0.0),
                    "memory_sum_kb": table.memory_sum_kb + (memory_kb or 0.0),
                    "updated_at": when,
                },
            )
            self.session.execute(statement)

    def adjust(self, user_name: str, deltas: Mapping[str, MetricDelta], when: datetime) -> None:
        """Add each delta to its scope's sums in one atomic upsert per scope (zero deltas write nothing).

        Incrementing in SQL rather than reading and writing back keeps concurrent updates from losing
        each other's changes, as in `add`.
        """
        insert = sqlite_insert if self.dialect == "sqlite" else pg_insert
        table = ScopeMetricRow
        for scope, delta in deltas.items():
            if delta.is_zero:
                continue
            statement = insert(ScopeMetricRow).values(
                user_name=user_name, scope=scope, count=delta.count, score_sum=delta.score, time_sum_s=delta.time_s,
                exec_count=delta.exec_count, exec_time_sum_ms=delta.exec_time_ms, memory_sum_kb=delta.memory_kb,
                updated_at=when,
            )
            statement = statement.on_conflict_do_update(
                index_elements=["user_name", "scope"],
                set_={
                    "count": table.count + delta.count,
                    "score_sum": table.score_sum + delta.score,
                    "time_sum_s": table.time_sum_s + delta.time_s,
                    "exec_count": table.exec_count + delta.exec_count,
                    "exec_time_sum_ms": table.exec_time_sum_ms + delta.exec_time_ms,
                    "memory_sum_kb": table.memory_sum_kb + delta.memory_kb,
                    "updated_at": when,
                },
            )
            self.session.execute(statement)

    def for_user(self, user_name: str, scopes: Sequence[str] = ()) -> list[ScopeMetricRow]:
        statement = select(ScopeMetricRow).where(ScopeMetricRow.user_name == user_name)
        if scopes:
            statement = statement.where(ScopeMetricRow.scope.in_(scopes))
        return list(self.session.scalars(statement.order_by(ScopeMetricRow.scope)))


def due_attempt_ids(session: Session, now: datetime) -> list[str]:
    """Attempts still marked in progress whose deadline has passed (for the auto-submit sweep)."""
    statement = select(AttemptRow.id).where(
        AttemptRow.status == "in_progress", AttemptRow.deadline_at.is_not(None), AttemptRow.deadline_at <= now
    )
    return list(session.scalars(statement))
