"""Invitations: authors invite addresses to an assessment; invitees claim their one-time link."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query, Request, Response

from codesensei.api.accounts import invitations, signin
from codesensei.api.accounts.invitations import InvitationInfo
from codesensei.api.deps import Author, SessionDep, SettingsDep
from codesensei.api.links import link
from codesensei.api.ratelimit import LoginLimit
from codesensei.api.routers.auth import token_fields
from codesensei.api.schemas.accounts import (
    ClaimRequest,
    ClaimResponse,
    InvitationCreate,
    InvitationList,
    InvitationOut,
)
from codesensei.api.schemas.common import ERROR_RESPONSES, RATE_LIMITED
from codesensei.sessions.clock import now_utc
from codesensei.settings import Settings

router = APIRouter(tags=["invitations"], responses=ERROR_RESPONSES)
CSV_COLUMNS = ("email", "status", "created_at", "expires_at", "closes_at", "claimed_at", "user_id", "id")


def _out(info: InvitationInfo, request: Request, settings: Settings) -> InvitationOut:
    claim_link = link(request, settings, "/claim", info.token) if info.token else None
    return InvitationOut.model_validate({**info.__dict__, "link": claim_link})


@router.post("/api/assessments/{assessment_id}/invitations", status_code=201)
def invite(
    assessment_id: str, body: Annotated[InvitationCreate, Body(examples=[{"emails": ["ada@example.com"]}])],
    author: Author, session: SessionDep, settings: SettingsDep,
    request: Request,
) -> InvitationList:
    """Invite addresses; the answer holds each one-time claim link (no mail is sent: pass them on).

    Inviting an address again replaces its unclaimed link; a claimed invitation comes back without one.
    """
    issued = invitations.invite(
        session, settings, assessment_id, body.emails, invited_by=author.id, expires_at=body.expires_at,
        closes_at=body.closes_at, now=now_utc(),
    )
    return InvitationList(invitations=[_out(i, request, settings) for i in issued])


@router.get(
    "/api/assessments/{assessment_id}/invitations",
    response_model=InvitationList,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def list_invitations(
    assessment_id: str,
    _: Author,
    session: SessionDep,
    settings: SettingsDep,
    request: Request,
    format: Annotated[Literal["json", "csv"], Query(description="csv for spreadsheets")] = "json",
) -> InvitationList | Response:
    """The assessment's invitations and whether each was claimed (tokens are never shown again)."""
    found = invitations.list_invitations(session, assessment_id, now_utc())
    if format == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for info in found:
            row = info.__dict__
            writer.writerow(["" if row[c] is None else str(row[c]) for c in CSV_COLUMNS])
        headers = {"Content-Disposition": f'attachment; filename="invitations-{assessment_id}.csv"'}
        return Response(out.getvalue(), media_type="text/csv", headers=headers)
    return InvitationList(invitations=[_out(i, request, settings) for i in found])


@router.post("/api/invitations/claim", dependencies=[LoginLimit], responses=RATE_LIMITED)
def claim(body: ClaimRequest, session: SessionDep, settings: SettingsDep) -> ClaimResponse:
    """Claim an invitation once: creates the candidate account (or signs in to the existing one with its
    password) and returns tokens. Afterwards the candidate signs in with email and password."""
    now = now_utc()
    user, invitation = invitations.claim(session, body.token, password=body.password, name=body.name, now=now)
    tokens = signin.start_session(session, settings, user, now)
    return ClaimResponse.model_validate({**token_fields(tokens, now), "assessment_id": invitation.assessment_id})
