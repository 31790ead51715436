"""Signing in and out: login, refresh (rotating), logout, the caller's account, passwords."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from codesensei.api.accounts import signin
from codesensei.api.accounts.passwords import needs_rehash
from codesensei.api.accounts.signin import IssuedTokens, RefreshReused
from codesensei.api.accounts.users import UserInfo
from codesensei.api.deps import (
    PasswordPoolDep,
    PlatformDep,
    SessionDep,
    SettingsDep,
    SignedIn,
    read_only_call,
    write_admission,
)
from codesensei.api.ratelimit import LoginLimit
from codesensei.api.schemas.accounts import (
    LoginRequest,
    PasswordChange,
    PasswordResetRequest,
    RefreshRequest,
    TokenResponse,
    UserOut,
)
from codesensei.api.schemas.common import ERROR_RESPONSES, RATE_LIMITED
from codesensei.errors import Unauthorized
from codesensei.sessions.clock import now_utc
from codesensei.store.accounts import AccountRepository
from codesensei.store.db import unit_of_work

router = APIRouter(prefix="/api/auth", tags=["auth"], responses=ERROR_RESPONSES)


def user_out(info: UserInfo) -> UserOut:
    return UserOut.model_validate(info, from_attributes=True)


def token_fields(tokens: IssuedTokens, now: datetime) -> dict[str, object]:
    return {
        "access_token": tokens.access_token,
        "expires_in": max(0, int((tokens.access_expires_at - now).total_seconds())),
        "expires_at": tokens.access_expires_at,
        "refresh_token": tokens.refresh_token,
        "refresh_expires_at": tokens.refresh_expires_at,
        "user": user_out(tokens.user),
    }


@router.post("/login", dependencies=[LoginLimit], responses=RATE_LIMITED)
async def login(
    body: LoginRequest, request: Request, platform: PlatformDep, settings: SettingsDep, passwords: PasswordPoolDep
) -> TokenResponse:
    """Email and password → a short-lived access token and a one-time refresh token."""
    # The account is read, the password verified in the password pool, then the session written: no
    # transaction (nor SQLite's write lock) is held while argon2 runs, and no request thread waits on it.
    found = await run_in_threadpool(read_only_call, platform, signin.lookup_login, body.email)
    if not await passwords.verify(found.password_hash, body.password):
        raise Unauthorized(signin.WRONG_CREDENTIALS)
    assert found.password_hash is not None
    new_hash = await passwords.hash(body.password) if needs_rehash(found.password_hash) else None
    now = now_utc()

    def complete() -> signin.IssuedTokens:
        with unit_of_work(platform.sessions) as session:
            return signin.complete_login(session, settings, found, now, new_hash=new_hash)

    async with write_admission(request):
        tokens = await run_in_threadpool(complete)
    return TokenResponse.model_validate(token_fields(tokens, now))


@router.post("/refresh", dependencies=[LoginLimit], responses=RATE_LIMITED)
async def refresh(
    body: RefreshRequest, request: Request, platform: PlatformDep, settings: SettingsDep
) -> TokenResponse:
    """Trade a refresh token for a new pair; the old one stops working. Reusing a used one ends the session."""
    now = now_utc()

    def rotate() -> IssuedTokens | RefreshReused:
        # Its own unit of work: a detected reuse revokes the session, which must be committed although the
        # answer is a refusal (the request's unit of work would roll it back).
        with unit_of_work(platform.sessions) as session:
            return signin.rotate(session, settings, body.refresh_token, now)

    async with write_admission(request):
        outcome = await run_in_threadpool(rotate)
    if isinstance(outcome, RefreshReused):
        raise Unauthorized("this refresh token was already used, so the session was ended to be safe; sign in again")
    return TokenResponse.model_validate(token_fields(outcome, now))


@router.post("/logout", status_code=204, response_class=Response)
def logout(body: RefreshRequest, session: SessionDep) -> Response:
    """End the sign-in session of this refresh token: its refresh and access tokens stop working at once."""
    signin.logout(session, body.refresh_token, now_utc())
    return Response(status_code=204)


@router.get("/me")
def me(user: SignedIn, session: SessionDep) -> UserOut:
    row = AccountRepository(session).user(user.id)
    assert row is not None  # authenticate() loaded it a moment ago in this transaction
    return user_out(UserInfo.of(row))


@router.post("/password", status_code=204, response_class=Response)
def change_password(body: PasswordChange, user: SignedIn, session: SessionDep) -> Response:
    """Change one's own password; the account's other sign-in sessions end."""
    signin.change_password(session, user, body.current_password, body.new_password, now_utc())
    return Response(status_code=204)


@router.post("/reset", status_code=204, response_class=Response, dependencies=[LoginLimit], responses=RATE_LIMITED)
def reset_password(body: PasswordResetRequest, session: SessionDep) -> Response:
    """Set a new password with the one-time token of a reset link; every sign-in session of the account ends."""
    signin.reset_password(session, body.token, body.new_password, now_utc())
    return Response(status_code=204)
