"""The assessment repository: every SQL statement about stored assessment definitions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from codesensei.store.session_tables import AssessmentRow
from codesensei.store.tables import utcnow


class AssessmentRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, assessment_id: str) -> AssessmentRow | None:
        return self.session.get(AssessmentRow, assessment_id)

    def list(self, *, status: str | None = None) -> list[AssessmentRow]:
        statement = select(AssessmentRow).order_by(AssessmentRow.id)
        if status is not None:
            statement = statement.where(AssessmentRow.status == status)
        return list(self.session.scalars(statement))

    def save(self, assessment_id: str, title: str, mode: str, definition: dict[str, Any]) -> AssessmentRow:
        """Insert a draft or replace an existing draft's definition."""
        row = self.get(assessment_id)
        now = utcnow()
        if row is None:
            row = AssessmentRow(
                id=assessment_id, title=title, mode=mode, status="draft", definition=definition,
                created_at=now, updated_at=now,
            )
            self.session.add(row)
        else:
            row.title, row.mode, row.definition, row.updated_at = title, mode, definition, now
        self.session.flush()
        return row

    def publish(self, row: AssessmentRow, when: datetime) -> None:
        row.status = "published"
        row.published_at = when
        row.updated_at = when
        self.session.flush()
