"""The error body every failure has, and the error responses each router documents."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


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
    401: _error("Missing, expired or revoked access token (`unauthorized`)"),
    403: _error("The account's role does not allow this (`forbidden`)"),
    404: _error("No such resource, or not one this account may see (`not_found`)"),
    409: _error("The resource's state does not allow this (`conflict`, `attempt_closed`, …)"),
    413: _error("The request body is larger than the server accepts (`payload_too_large`)"),
    422: _error("The request is invalid (`validation_failed` and others); `details` names the fields"),
}
