"""The server's clock for attempts: deadlines (duration × accommodation, capped by the closing date)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from codesensei.sessions.definition import AssessmentDefinition


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def now_utc() -> datetime:
    return datetime.now(UTC)


def deadline_for(definition: AssessmentDefinition, user_name: str, started_at: datetime) -> datetime | None:
    """When an attempt started at `started_at` must end, or None when it has no time limit."""
    deadline: datetime | None = None
    if definition.duration_minutes is not None:
        minutes = definition.duration_minutes * definition.time_multiplier(user_name)
        deadline = started_at + timedelta(minutes=minutes)
    if definition.closes_at is not None:
        deadline = definition.closes_at if deadline is None else min(deadline, definition.closes_at)
    return deadline


def remaining_s(deadline: datetime | None, now: datetime) -> float | None:
    if deadline is None:
        return None
    return max(0.0, (as_utc(deadline) - now).total_seconds())
