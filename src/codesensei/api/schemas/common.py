"""The error body every failure has, and the error responses each router documents."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field


def _utc(value: datetime) -> datetime:
    # The store keeps UTC instants, and SQLite returns them without a zone; OpenAPI's `date-time` needs one.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


# Past this, an offset would overflow the database's 64-bit integers (a 500); no list is that long anyway.
MAX_OFFSET = 2**31 - 1

# Every instant the API returns: RFC 3339 with an offset, as its schema (`format: date-time`) promises.
UtcDateTime = Annotated[datetime, AfterValidator(_utc)]


class FieldProblem(BaseModel):
    loc: list[str | int] = Field(description="where the problem is: `body`, `query` or `path`, then the field path")
    message: str


class ErrorDetail(BaseModel):
    code: str = Field(description="stable, machine-readable: `unauthorized`, `forbidden`, `not_found`, …")
    message: str = Field(description="for people; may change between versions")
    details: list[FieldProblem] | None = Field(default=None, description="one entry per invalid field (422 only)")


class ErrorResponse(BaseModel):
    error: ErrorDetail


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorResponse, "description": description}


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _error("The body could not be read: not JSON, or broken (`bad_request`)"),
    401: _error("Missing, expired or revoked access token (`unauthorized`)"),
    403: _error("The account's role does not allow this (`forbidden`)"),
    404: _error("No such resource, or not one this account may see (`not_found`)"),
    409: _error("The resource's state does not allow this (`conflict`, `attempt_closed`, …)"),
    413: _error("The request body is larger than the server accepts (`payload_too_large`)"),
    422: _error("The request is invalid (`validation_failed` and others); `details` names the fields"),
}

# Added to the operations that are rate limited (`api.ratelimit`).
RATE_LIMITED: dict[int | str, dict[str, Any]] = {
    429: _error("Too many such requests from this caller (`rate_limited`); `Retry-After` says when to retry"),
}
