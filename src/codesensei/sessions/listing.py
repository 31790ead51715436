"""Attempts as reviewers browse them: a filtered page, newest first, with the total for the pager."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.orm import Session

from codesensei.sessions.assessments import get_assessment
from codesensei.sessions.attempts import expire_due
from codesensei.sessions.clock import as_utc, now_utc
from codesensei.sessions.practice import PRACTICE_PREFIX
from codesensei.sessions.report import report_state
from codesensei.store.attempts import AttemptRepository

# `submitted` is `pending_review` and `final` together; the others are the states of an attempt report.
AttemptState = Literal["in_progress", "submitted", "pending_review", "final"]


@dataclass(frozen=True)
class AttemptListFilter:
    assessment_id: str | None = None
    user_name: str | None = None
    state: AttemptState | None = None
    include_practice: bool = False


@dataclass(frozen=True)
class ListedAttempt:
    attempt_id: str
    assessment_id: str
    title: str
    user: str
    number: int
    status: str
    state: str
    submit_reason: str | None
    started_at: datetime
    deadline_at: datetime | None
    submitted_at: datetime | None
    percentage: float | None
    passed: bool | None
    pending_review: int

    def to_json(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        for key in ("started_at", "deadline_at", "submitted_at"):
            value = data[key]
            data[key] = as_utc(value).isoformat() if value is not None else None
        return data


@dataclass(frozen=True)
class AttemptPage:
    items: list[ListedAttempt]
    total: int
    limit: int
    offset: int

    def to_json(self) -> dict[str, Any]:
        return {"items": [i.to_json() for i in self.items], "total": self.total, "limit": self.limit,
                "offset": self.offset}


def list_attempts(
    session: Session, flt: AttemptListFilter, *, limit: int = 50, offset: int = 0, now: datetime | None = None
) -> AttemptPage:
    """A page of attempts matching `flt`, newest first. Practice attempts are left out unless asked for.

    Attempts whose time ran out are submitted first, so the states shown are the states reports give.
    """
    if flt.assessment_id is not None:
        get_assessment(session, flt.assessment_id)  # a missing assessment is a 404, not an empty page
    expire_due(session, now or now_utc())
    rows, total = AttemptRepository(session).listing(
        assessment_id=flt.assessment_id, user_name=flt.user_name, state=flt.state,
        exclude_prefix=None if flt.include_practice else PRACTICE_PREFIX, limit=limit, offset=offset,
    )
    items = [
        ListedAttempt(
            attempt_id=row.id, assessment_id=row.assessment_id, title=title, user=row.user_name, number=row.number,
            status=row.status, state=report_state(row.status, pending), submit_reason=row.submit_reason,
            started_at=row.started_at, deadline_at=row.deadline_at, submitted_at=row.submitted_at,
            percentage=row.percentage, passed=row.passed, pending_review=pending,
        )
        for row, title, pending in rows
    ]
    return AttemptPage(items, total, limit, offset)
