"""The attempt repository: attempts, their items and the per-scope metric sums."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from codesensei.store.session_tables import AttemptItemRow, AttemptRow, ScopeMetricRow


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

    def flush(self) -> None:
        self.session.flush()


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
