"""The one place where errors become HTTP responses: every failure has the body `{"error": {code, message}}`.

Typed `SenseiError`s carry their own code and status; request validation is 422 `validation_failed` with
one `details` entry per field; Starlette's own errors (unknown route, wrong method) keep their status;
a database constraint that a concurrent request won is 409 `conflict`; anything else is a logged 500.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from codesensei.api.schemas.common import ErrorDetail, ErrorResponse, FieldProblem
from codesensei.errors import SenseiError, Unauthorized

log = logging.getLogger("codesensei.api")

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    429: "rate_limited",
    415: "unsupported_media_type",
}


class RateLimited(SenseiError):
    """Too many requests of one kind from one caller (see `api.ratelimit`); answered with `Retry-After`."""

    code = "rate_limited"
    http_status = 429

    def __init__(self, message: str, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s

    @property
    def retry_after_header(self) -> str:
        # Retry-After takes whole seconds; rounding up never invites a retry that is refused again.
        return str(max(1, math.ceil(self.retry_after_s)))


def error_response(
    status: int, code: str, message: str, *, details: list[FieldProblem] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = ErrorResponse(error=ErrorDetail(code=code, message=message, details=details))
    return JSONResponse(body.model_dump(mode="json", exclude_none=True), status_code=status, headers=headers)


def _sensei_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SenseiError)
    # RFC 6750: a 401 names the scheme the client should authenticate with.
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthorized) else None
    if isinstance(exc, RateLimited):
        headers = {"Retry-After": exc.retry_after_header}
    return error_response(exc.http_status, exc.code, exc.message, headers=headers)


def _problem(error: Any) -> FieldProblem:
    loc = [p if isinstance(p, int) else str(p) for p in error.get("loc", ())]
    return FieldProblem(loc=loc, message=str(error.get("msg", "invalid")).removeprefix("Value error, "))


def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [_problem(e) for e in exc.errors()]
    # `email: Field required`: the field path without its `body`/`query` prefix, as the CLI names fields.
    summary = "; ".join(
        f"{'.'.join(str(part) for part in problem.loc[1:]) or problem.loc[0]}: {problem.message}"
        for problem in problems[:5]
    )
    return error_response(422, "validation_failed", summary or "the request is invalid", details=problems)


def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    return error_response(exc.status_code, code, str(exc.detail), headers=dict(exc.headers or {}))


def _integrity_error(_: Request, exc: Exception) -> JSONResponse:
    log.info("constraint violation answered as a conflict: %s", exc)
    return error_response(409, "conflict", "the change conflicts with another one made at the same time; try again")


def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error", exc_info=exc)
    return error_response(500, "internal_error", "the server failed to handle the request; it has been logged")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(SenseiError, _sensei_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(Exception, _unexpected)
