"""Accounts, for administrators: create, list, change, and issue password-reset links."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from codesensei.api.accounts import users
from codesensei.api.accounts.roles import Role
from codesensei.api.deps import Admin, SessionDep, SettingsDep
from codesensei.api.links import link
from codesensei.api.routers.auth import user_out
from codesensei.api.schemas.accounts import ResetLink, UserCreate, UserList, UserOut, UserUpdate
from codesensei.api.schemas.common import ERROR_RESPONSES, MAX_OFFSET
from codesensei.sessions.clock import now_utc

router = APIRouter(prefix="/api/users", tags=["users"], responses=ERROR_RESPONSES)


@router.post("", status_code=201)
def create_user(body: UserCreate, _: Admin, session: SessionDep) -> UserOut:
    """A new account with a role; without a password, issue a reset link so its owner sets one."""
    info = users.create_user(
        session, email=body.email, name=body.name, role=body.role, password=body.password, now=now_utc()
    )
    return user_out(info)


@router.get("")
def list_users(
    _: Admin,
    session: SessionDep,
    role: Role | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> UserList:
    found, total = users.list_users(session, role=role, limit=limit, offset=offset)
    return UserList(users=[user_out(u) for u in found], total=total)


@router.patch("/{user_id}")
def update_user(user_id: str, body: UserUpdate, _: Admin, session: SessionDep) -> UserOut:
    """Rename, change the role or (de)activate; a role change or deactivation ends the account's sessions."""
    info = users.update_user(session, user_id, name=body.name, role=body.role, active=body.active, now=now_utc())
    return user_out(info)


@router.post("/{user_id}/password-reset", status_code=201)
def password_reset(
    user_id: str, admin: Admin, session: SessionDep, settings: SettingsDep, request: Request
) -> ResetLink:
    """A one-time password-reset link for the account (no mail is sent: pass the link on)."""
    issued = users.issue_password_reset(session, settings, user_id, issued_by=admin.id, now=now_utc())
    return ResetLink(
        token=issued.token, link=link(request, settings, "/reset-password", issued.token), expires_at=issued.expires_at
    )
