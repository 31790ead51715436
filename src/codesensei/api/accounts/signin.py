"""Signing in: login, refresh-token rotation with reuse detection, logout, per-request authentication, passwords.

A login opens a sign-in session (a refresh-token family). Each refresh uses up its token and issues the
next one in the same session; presenting a token that was already used means two parties hold it (a copy
was stolen, or a client replays), so the whole session is revoked and both must sign in again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from codesensei.api.accounts.passwords import check_policy, hash_password, needs_rehash, verify_password
from codesensei.api.accounts.tokens import issue_access_token, new_secret, read_access_token, secret_hash
from codesensei.api.accounts.users import UserInfo, normalise_email
from codesensei.errors import Unauthorized, ValidationFailed
from codesensei.sessions.attempts import Owner
from codesensei.sessions.clock import as_utc
from codesensei.settings import Settings
from codesensei.store.account_tables import AuthSessionRow, PasswordResetRow, RefreshTokenRow, UserRow
from codesensei.store.accounts import AccountRepository

WRONG_CREDENTIALS = "the email or the password is wrong"


@dataclass(frozen=True)
class CurrentUser:
    """The authenticated caller of one request."""

    id: str
    email: str
    name: str
    role: str
    session_id: str

    @property
    def owner(self) -> Owner:
        """How attempt use cases authorise this user: attempts are kept under the account's email."""
        return Owner(self.email)


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    access_expires_at: datetime
    refresh_token: str
    refresh_expires_at: datetime
    user: UserInfo


@dataclass(frozen=True)
class RefreshReused:
    """A used refresh token came back: its session is revoked (the boundary commits that, then refuses)."""

    session_id: str


def _refresh_token(session: Session, settings: Settings, session_id: str, now: datetime) -> tuple[str, datetime]:
    token = new_secret()
    expires = now + timedelta(seconds=settings.refresh_token_ttl_s)
    AccountRepository(session).add_refresh_token(RefreshTokenRow(
        id=uuid.uuid4().hex, session_id=session_id, token_hash=secret_hash(token), created_at=now, expires_at=expires,
    ))
    return token, expires


def _tokens(session: Session, settings: Settings, user: UserRow, session_id: str, now: datetime) -> IssuedTokens:
    refresh, refresh_expires = _refresh_token(session, settings, session_id, now)
    access, access_expires = issue_access_token(
        settings, user_id=user.id, role=user.role, session_id=session_id, now=now
    )
    return IssuedTokens(access, access_expires, refresh, refresh_expires, UserInfo.of(user))


def start_session(session: Session, settings: Settings, user: UserRow, now: datetime) -> IssuedTokens:
    """Open a sign-in session for an already authenticated user and issue its first tokens."""
    auth = AuthSessionRow(id=uuid.uuid4().hex, user_id=user.id, created_at=now)
    AccountRepository(session).add_auth_session(auth)
    return _tokens(session, settings, user, auth.id, now)


def login(session: Session, settings: Settings, email: str, password: str, now: datetime) -> IssuedTokens:
    """Email and password → tokens. Unknown email, wrong password and inactive account look the same."""
    try:
        address = normalise_email(email)
    except ValidationFailed:
        address = ""
    user = AccountRepository(session).user_by_email(address) if address else None
    # Verify even when there is no such user, so the answer time does not tell which emails have accounts.
    matches = verify_password(user.password_hash if user else None, password)
    if user is None or not matches or not user.active:
        raise Unauthorized(WRONG_CREDENTIALS)
    assert user.password_hash is not None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return start_session(session, settings, user, now)


def rotate(session: Session, settings: Settings, refresh_token: str, now: datetime) -> IssuedTokens | RefreshReused:
    """Use up a refresh token and issue the next pair; a token used before revokes its whole session."""
    repository = AccountRepository(session)
    row = repository.refresh_token(secret_hash(refresh_token))
    if row is None:
        raise Unauthorized("the refresh token is not valid")
    auth = repository.auth_session(row.session_id)
    if auth is None or auth.revoked_at is not None:
        raise Unauthorized("the session was ended; sign in again")
    if row.used_at is None and now >= as_utc(row.expires_at):
        raise Unauthorized("the refresh token has expired; sign in again")
    # The conditional update decides between two concurrent refreshes with the same token: one loses.
    if row.used_at is not None or not repository.use_refresh_token(row.id, now):
        repository.revoke_auth_session(auth.id, "refresh_token_reused", now)
        return RefreshReused(auth.id)
    user = repository.user(auth.user_id)
    if user is None or not user.active:
        raise Unauthorized("the account is not active")
    return _tokens(session, settings, user, auth.id, now)


def logout(session: Session, refresh_token: str, now: datetime) -> None:
    """End the sign-in session the refresh token belongs to (every token of it); ending it twice is fine."""
    repository = AccountRepository(session)
    row = repository.refresh_token(secret_hash(refresh_token))
    if row is None:
        raise Unauthorized("the refresh token is not valid")
    repository.revoke_auth_session(row.session_id, "logout", now)


def authenticate(session: Session, settings: Settings, access_token: str) -> CurrentUser:
    """The caller of a request: a valid access token whose session is live and whose account is active."""
    claims = read_access_token(settings, access_token)
    repository = AccountRepository(session)
    auth = repository.auth_session(claims.session_id)
    if auth is None or auth.revoked_at is not None or auth.user_id != claims.user_id:
        raise Unauthorized("the session was ended; sign in again")
    user = repository.user(claims.user_id)
    if user is None or not user.active:
        raise Unauthorized("the account is not active")
    # The stored role is authoritative (a role change also ends the sessions, so the claim rarely lags).
    return CurrentUser(user.id, user.email, user.name, user.role, auth.id)


def change_password(session: Session, user: CurrentUser, current: str, new: str, now: datetime) -> None:
    """Change one's own password; every other sign-in of the account ends."""
    repository = AccountRepository(session)
    row = repository.user(user.id)
    assert row is not None
    if row.password_hash is not None and not verify_password(row.password_hash, current):
        raise Unauthorized("the current password is wrong")
    _set_password(row, new, now)
    repository.revoke_user_sessions(row.id, "password_changed", now, keep=user.session_id)


def reset_password(session: Session, token: str, new: str, now: datetime) -> None:
    """Set a new password with a one-time reset token; every sign-in of the account ends."""
    check_policy(new)
    repository = AccountRepository(session)
    reset: PasswordResetRow | None = repository.password_reset(secret_hash(token))
    if reset is None or reset.used_at is not None or now >= as_utc(reset.expires_at):
        raise Unauthorized("the password-reset link is not valid, was used already or has expired")
    if not repository.use_password_reset(reset.id, now):
        raise Unauthorized("the password-reset link was used already")
    row = repository.user(reset.user_id)
    assert row is not None
    _set_password(row, new, now)
    repository.revoke_user_sessions(row.id, "password_reset", now)


def _set_password(row: UserRow, password: str, now: datetime) -> None:
    row.password_hash = hash_password(password)
    row.password_changed_at = now
