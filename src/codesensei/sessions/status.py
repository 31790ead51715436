"""Read-only views of an attempt for the candidate: time remaining, progress and the review list."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from codesensei.sessions.attempts import Credential, authorize, expire_if_due, is_open, question_time_left
from codesensei.sessions.clock import as_utc, now_utc, remaining_s


def _iso(value: datetime | None) -> str | None:
    return as_utc(value).isoformat() if value else None


@dataclass(frozen=True)
class TimeStatus:
    attempt_id: str
    status: str
    started_at: datetime
    deadline_at: datetime | None
    remaining_s: float | None
    question_remaining_s: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "attempt_id": self.attempt_id,
            "status": self.status,
            "started_at": _iso(self.started_at),
            "deadline_at": _iso(self.deadline_at),
            "remaining_s": self.remaining_s,
            "question_remaining_s": self.question_remaining_s,
        }


@dataclass(frozen=True)
class Progress:
    attempt_id: str
    status: str
    total: int
    answered: int
    skipped: int
    unanswered: int
    current_position: int | None

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class ReviewEntry:
    position: int
    question_id: str
    status: str
    hints_used: int
    time_spent_s: float

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Review:
    attempt_id: str
    status: str
    entries: list[ReviewEntry] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"attempt_id": self.attempt_id, "status": self.status, "questions": [e.to_json() for e in self.entries]}


def time_status(session: Session, attempt_id: str, token: Credential, now: datetime | None = None) -> TimeStatus:
    """Time left on the server's clock (None = no limit), for the attempt and for the current question."""
    now = now or now_utc()
    loaded = authorize(session, attempt_id, token, now)
    expire_if_due(loaded, now)
    row = loaded.row
    open_ = is_open(row, now)
    question_left = question_time_left(loaded, now)
    return TimeStatus(
        attempt_id=row.id, status=row.status, started_at=row.started_at, deadline_at=row.deadline_at,
        remaining_s=remaining_s(row.deadline_at, now) if open_ else 0.0 if row.deadline_at else None,
        question_remaining_s=question_left,
    )


def progress(session: Session, attempt_id: str, token: Credential, now: datetime | None = None) -> Progress:
    now = now or now_utc()
    loaded = authorize(session, attempt_id, token, now)
    expire_if_due(loaded, now)
    statuses = [i.status for i in loaded.items]
    answered = sum(1 for s in statuses if s in ("answered", "timed_out"))
    skipped = statuses.count("skipped")
    total = loaded.definition.size if loaded.definition.mode != "adaptive" else len(statuses)
    return Progress(
        attempt_id=loaded.row.id, status=loaded.row.status, total=total, answered=answered, skipped=skipped,
        unanswered=total - answered, current_position=loaded.row.current_position if is_open(loaded.row, now) else None,
    )


def review(session: Session, attempt_id: str, token: Credential, now: datetime | None = None) -> Review:
    """Every question of the attempt with its state, so the candidate can come back to skipped ones."""
    now = now or now_utc()
    loaded = authorize(session, attempt_id, token, now)
    expire_if_due(loaded, now)
    entries = [
        ReviewEntry(i.position, i.question_id, i.status, i.hints_used, round(i.time_spent_s, 3)) for i in loaded.items
    ]
    return Review(loaded.row.id, loaded.row.status, entries)
