"""Typed errors of invitations; the API's one exception handler maps them to HTTP like every SenseiError."""

from __future__ import annotations

from codesensei.errors import SenseiError


class InvitationInvalid(SenseiError):
    """No invitation has this token (mistyped, or replaced by a newer invitation to the same address)."""

    code = "invalid_invitation"
    http_status = 404


class InvitationClaimed(SenseiError):
    code = "invitation_claimed"
    http_status = 409


class InvitationExpired(SenseiError):
    code = "invitation_expired"
    http_status = 410
