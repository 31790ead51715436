"""Typed errors of assessments and attempts, each with a stable code the CLI and API show."""

from __future__ import annotations

from codesensei.errors import SenseiError


class AttemptClosed(SenseiError):
    """The attempt was submitted or its time ran out: nothing more can be answered."""

    code = "attempt_closed"
    http_status = 409


class AttemptNotAllowed(SenseiError):
    """Starting is refused: unpublished, not open yet, closed, out of attempts or cooling down."""

    code = "attempt_not_allowed"
    http_status = 403


class InvalidSessionToken(SenseiError):
    code = "invalid_session_token"
    http_status = 401


class SessionExpired(SenseiError):
    code = "session_expired"
    http_status = 401


class ActionNotAllowed(SenseiError):
    """The assessment's rules forbid this action (skipping in adaptive mode, hints when not allowed)."""

    code = "action_not_allowed"
    http_status = 409
