"""Results export: one record per attempt (or per attempt item) as JSON, JSON Lines or CSV, streamed.

Scores come from the one report function (`report.build_report`), never recomputed here. Attempts are read
a page at a time in start order (keyset pagination); the session holds loaded rows only weakly once they are
flushed, so an export of any size keeps one page of ids and the attempt being written in memory. Services
take a session and never commit; an attempt past its deadline is submitted on the way, as every read does.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, Literal, TextIO

from sqlalchemy.orm import Session

from codesensei.errors import NotFound, ValidationFailed
from codesensei.sessions.attempts import expire_if_due, load
from codesensei.sessions.clock import as_utc, now_utc
from codesensei.sessions.report import AttemptReport, build_report
from codesensei.store.assessments import AssessmentRepository
from codesensei.store.attempts import AttemptRepository

ExportFormat = Literal["json", "jsonl", "csv"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("json", "jsonl", "csv")
PAGE_SIZE = 200

# The CSV column order is part of the format: scripts and spreadsheets address columns by position.
ATTEMPT_COLUMNS = (
    "attempt_id", "assessment_id", "title", "user", "number", "status", "state", "started_at", "submitted_at",
    "submit_reason", "points_earned", "points_possible", "percentage", "passed", "grade", "time_spent_s",
    "hints_used", "pending_review", "topics",
)
ITEM_COLUMNS = (
    "attempt_id", "assessment_id", "user", "number", "position", "question_id", "question_version", "type",
    "topics", "difficulty", "status", "points_earned", "points_possible", "correct", "needs_review",
    "time_spent_s", "hints_used", "exec_time_ms", "memory_kb",
)


@dataclass(frozen=True)
class ExportFilter:
    assessment_id: str | None = None
    user_name: str | None = None
    since: datetime | None = None


def parse_since(text: str) -> datetime:
    """`YYYY-MM-DD` (midnight UTC) or an ISO date-time; one without a zone is taken as UTC."""
    value = text.strip()
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time(), tzinfo=UTC)
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(f"since: {text!r} is not a date (YYYY-MM-DD) or an ISO date-time") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def iter_reports(
    session: Session, flt: ExportFilter, *, page_size: int = PAGE_SIZE, now: datetime | None = None
) -> Iterator[AttemptReport]:
    """Staff reports of the matching attempts in start order, one page of ids at a time."""
    if flt.assessment_id is not None and AssessmentRepository(session).get(flt.assessment_id) is None:
        raise NotFound(f"assessment '{flt.assessment_id}' does not exist")
    now = now or now_utc()
    repository = AttemptRepository(session)
    after: tuple[datetime, str] | None = None
    while True:
        keys = repository.page_keys(
            assessment_id=flt.assessment_id, user_name=flt.user_name, since=flt.since, after=after, limit=page_size
        )
        for _, attempt_id in keys:
            loaded = load(session, attempt_id)
            expire_if_due(loaded, now)
            # Remediation suggestions are for the candidate's page, and cost queries per weak topic.
            yield build_report(session, loaded, "staff", with_remediation=False)
        if len(keys) < page_size:
            return
        after = keys[-1]


def _iso(value: datetime | None) -> str | None:
    return as_utc(value).isoformat() if value else None


def attempt_record(report: AttemptReport) -> dict[str, Any]:
    """One attempt as an export record; `topics` maps each topic to the attempt's percentage in it."""
    return {
        "attempt_id": report.attempt_id,
        "assessment_id": report.assessment_id,
        "title": report.title,
        "user": report.user,
        "number": report.number,
        "status": report.status,
        "state": report.state,
        "started_at": _iso(report.started_at),
        "submitted_at": _iso(report.submitted_at),
        "submit_reason": report.submit_reason,
        "points_earned": report.points_earned,
        "points_possible": report.points_possible,
        "percentage": report.percentage,
        "passed": report.passed,
        "grade": report.grade,
        "time_spent_s": report.time_spent_s,
        "hints_used": report.hints_used,
        "pending_review": report.pending_review,
        "topics": {b.name: b.percentage for b in report.by_topic},
    }


def item_records(report: AttemptReport) -> Iterator[dict[str, Any]]:
    """One record per question of the attempt."""
    for q in report.questions:
        yield {
            "attempt_id": report.attempt_id,
            "assessment_id": report.assessment_id,
            "user": report.user,
            "number": report.number,
            "position": q.position,
            "question_id": q.question_id,
            "question_version": q.version,
            "type": q.type,
            "topics": list(q.topics),
            "difficulty": q.difficulty,
            "status": q.status,
            "points_earned": q.points_earned,
            "points_possible": q.points_possible,
            "correct": q.correct,
            "needs_review": q.needs_review,
            "time_spent_s": q.time_spent_s,
            "hints_used": q.hints_used,
            "exec_time_ms": q.exec_time_ms,
            "memory_kb": q.memory_kb,
        }


def export_records(session: Session, flt: ExportFilter, *, per_question: bool = False,
                   page_size: int = PAGE_SIZE, now: datetime | None = None) -> Iterator[dict[str, Any]]:
    for report in iter_reports(session, flt, page_size=page_size, now=now):
        if per_question:
            yield from item_records(report)
        else:
            yield attempt_record(report)


def csv_cell(value: Any) -> str:
    """A record value as CSV text: booleans `true`/`false`, empty for none, lists `a;b`, topics `name=pct;…`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, dict):
        return ";".join(f"{k}={v}" for k, v in value.items())
    return str(value)


def write_records(records: Iterable[dict[str, Any]], fmt: ExportFormat, out: TextIO, columns: tuple[str, ...]) -> int:
    """Write records as they come; returns how many. JSON is one array, written element by element."""
    count = 0
    if fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(columns)
        for record in records:
            writer.writerow([csv_cell(record[c]) for c in columns])
            count += 1
        return count
    if fmt == "jsonl":
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
        return count
    out.write("[")
    for record in records:
        out.write(("\n  " if count == 0 else ",\n  ") + json.dumps(record, ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count
