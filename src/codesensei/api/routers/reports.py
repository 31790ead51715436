"""For reviewers: full attempt reports, the review queue, grading and overrides, the audit trail, exports."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import IO, Annotated, Literal, TextIO, cast

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

from codesensei.api.deps import Reviewer, SessionDep
from codesensei.api.schemas.common import ERROR_RESPONSES, MAX_OFFSET
from codesensei.api.schemas.reports import (
    AttemptPageOut,
    AttemptReportOut,
    AuditHistory,
    GradeRequest,
    OverrideRequest,
    ReviewItemOut,
    ReviewQueue,
    ScoreChangeOut,
)
from codesensei.sessions.export import (
    ATTEMPT_COLUMNS,
    ITEM_COLUMNS,
    ExportFilter,
    ExportFormat,
    export_records,
    parse_since,
    write_records,
)
from codesensei.sessions.listing import AttemptListFilter, AttemptState, list_attempts
from codesensei.sessions.report import attempt_report
from codesensei.sessions.review import audit_history, grade_item, override_score, review_item, review_queue

router = APIRouter(tags=["review"], responses=ERROR_RESPONSES)

MEDIA_TYPES: dict[str, str] = {"json": "application/json", "jsonl": "application/x-ndjson", "csv": "text/csv"}
# Exports are written to a spooled file: memory up to this size, then disk, so any export size is bounded.
SPOOL_BYTES = 8 * 1024 * 1024
CHUNK = 64 * 1024


@router.get("/api/reports/{attempt_id}")
def report(attempt_id: str, _: Reviewer, session: SessionDep) -> AttemptReportOut:
    """The full report of any attempt: keys, explanations and answers included."""
    return AttemptReportOut.model_validate(attempt_report(session, attempt_id, audience="staff").to_json())


@router.get("/api/review/attempts")
def attempts(
    _: Reviewer,
    session: SessionDep,
    assessment_id: Annotated[str | None, Query(max_length=128)] = None,
    state: Annotated[AttemptState | None, Query(description="`submitted` is `pending_review` and `final`")] = None,
    user: Annotated[str | None, Query(max_length=200, description="the candidate's email")] = None,
    include_practice: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> AttemptPageOut:
    """Attempts newest first, filtered by assessment, state and candidate, a page at a time with the total."""
    flt = AttemptListFilter(assessment_id=assessment_id, user_name=user, state=state, include_practice=include_practice)
    return AttemptPageOut.model_validate(list_attempts(session, flt, limit=limit, offset=offset).to_json())


@router.get("/api/review/queue")
def queue(_: Reviewer, session: SessionDep, assessment_id: str | None = None) -> ReviewQueue:
    """Answers waiting for a reviewer, oldest submission first."""
    return ReviewQueue.model_validate({"entries": [e.to_json() for e in review_queue(session, assessment_id)]})


@router.get("/api/review/attempts/{attempt_id}/history")
def score_history(attempt_id: str, _: Reviewer, session: SessionDep) -> AuditHistory:
    """Every score change of the attempt (reviews, overrides, regrades), oldest first."""
    return AuditHistory.model_validate({"entries": [e.to_json() for e in audit_history(session, attempt_id)]})


@router.get("/api/review/attempts/{attempt_id}/items/{position}")
def item(attempt_id: str, position: int, _: Reviewer, session: SessionDep) -> ReviewItemOut:
    """One answer with its question, rubric, key, current score and score history."""
    return ReviewItemOut.model_validate(review_item(session, attempt_id, position).to_json())


@router.post("/api/review/attempts/{attempt_id}/items/{position}/grade")
def grade(
    attempt_id: str, position: int, body: GradeRequest, reviewer: Reviewer, session: SessionDep
) -> ScoreChangeOut:
    """Grade an answer that needs review, by points or by a 0..1 score per rubric criterion."""
    change = grade_item(
        session, attempt_id, position, reviewer=reviewer.email, points=body.points, criteria=body.criteria,
        reason=body.reason,
    )
    return ScoreChangeOut.model_validate(change.to_json())


@router.post("/api/review/attempts/{attempt_id}/items/{position}/override")
def override(
    attempt_id: str, position: int, body: OverrideRequest, reviewer: Reviewer, session: SessionDep
) -> ScoreChangeOut:
    """Replace any automatic score; the reason is required and kept in the audit trail."""
    change = override_score(session, attempt_id, position, points=body.points, reason=body.reason,
                            reviewer=reviewer.email)
    return ScoreChangeOut.model_validate(change.to_json())


def _chunks(spool: IO[str]) -> Iterator[str]:
    spool.seek(0)
    while chunk := spool.read(CHUNK):
        yield chunk


@router.get(
    "/api/results/export",
    response_class=StreamingResponse,
    # JSON is one array of records; JSON Lines and CSV are text.
    responses={200: {"content": {
        m: {"schema": {"type": "array", "items": {"type": "object"}} if f == "json" else {"type": "string"}}
        for f, m in MEDIA_TYPES.items()
    }}},
)
def export(
    _: Reviewer,
    session: SessionDep,
    format: Literal["json", "jsonl", "csv"] = "json",
    assessment_id: str | None = None,
    user: str | None = None,
    since: Annotated[str | None, Query(description="YYYY-MM-DD or an ISO date-time (UTC if no zone)")] = None,
    per_question: bool = False,
) -> StreamingResponse:
    """One record per attempt (or per attempt question), scores from the attempt report, as `sensei results export`."""
    fmt: ExportFormat = format
    flt = ExportFilter(assessment_id=assessment_id, user_name=user, since=parse_since(since) if since else None)
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, mode="w+", encoding="utf-8")  # noqa: SIM115
    try:
        # Written inside the request's unit of work, so a missing assessment is a 404, not a broken stream.
        write_records(export_records(session, flt, per_question=per_question), fmt, cast(TextIO, spool),
                      ITEM_COLUMNS if per_question else ATTEMPT_COLUMNS)
    except BaseException:
        spool.close()
        raise
    name = f"results.{format}"
    return StreamingResponse(
        _chunks(spool), media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'}, background=BackgroundTask(spool.close),
    )
