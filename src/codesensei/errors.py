"""Typed errors with a stable code; the API maps them to HTTP in one place, the CLI prints them."""

from __future__ import annotations


class SenseiError(Exception):
    """Base of every error a user may see; `code` is stable and documented."""

    code = "error"
    http_status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationFailed(SenseiError):
    code = "validation_failed"
    http_status = 422


class NotFound(SenseiError):
    code = "not_found"
    http_status = 404


class Conflict(SenseiError):
    code = "conflict"
    http_status = 409


class ConfigurationError(SenseiError):
    code = "configuration_error"
    http_status = 500


class Unauthorized(SenseiError):
    """Missing, malformed, expired or revoked credentials: sign in (again)."""

    code = "unauthorized"
    http_status = 401


class Forbidden(SenseiError):
    """Signed in, but the account's role does not allow this."""

    code = "forbidden"
    http_status = 403


class PayloadTooLarge(SenseiError):
    code = "payload_too_large"
    http_status = 413
