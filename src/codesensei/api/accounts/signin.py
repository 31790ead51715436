"""Signing in: login, refresh-token rotation with reuse detection, logout, per-request authentication, passwords.

A login opens a sign-in session (a refresh-token family). Each refresh uses up its token and issues the
next one in the same session; presenting a token that was already used means two parties hold it (a copy
was stolen, or a client replays), so the whole session is revoked and both must sign in again. The one
exception is a retry: within `refresh_grace_s` of the refresh, while its new refresh token is unused, the
same token gets the same pair again (both are derived from it with the server's key), because a client
whose response was lost on the way cannot know it succeeded.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from codesensei.api.accounts.passwords import check_policy, hash_password, needs_rehash, verify_password
from codesensei.api.accounts.tokens import (
    derived_secret,
    issue_access_token,
    new_secret,
    read_access_token,
    secret_hash,
)
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


def _refresh_token(
    session: Session, settings: Settings, session_id: str, now: datetime, token: str | None = None
) -> tuple[str, datetime]:
    token = token or new_secret()
    expires = now + timedelta(seconds=settings.refresh_token_ttl_s)
    AccountRepository(session).add_refresh_token(RefreshTokenRow(
        id=uuid.uuid4().hex, session_id=session_id, token_hash=secret_hash(token), created_at=now, expires_at=expires,
    ))
    return token, expires


def _tokens(
    session: Session, settings: Settings, user: UserRow, session_id: str, now: datetime, used: str | None = None
) -> IssuedTokens:
    """A new pair; when rotating the refresh token `used`, both are derived from it (see `_retried`)."""
    refresh, refresh_expires = _refresh_token(
        session, settings, session_id, now, derived_secret(settings, "refresh", used) if used else None
    )
    access, access_expires = issue_access_token(
        settings, user_id=user.id, role=user.role, session_id=session_id, now=now,
        token_id=derived_secret(settings, "access", used)[:32] if used else None,
    )
    return IssuedTokens(access, access_expires, refresh, refresh_expires, UserInfo.of(user))


def _retried(
    session: Session, settings: Settings, row: RefreshTokenRow, used: str, now: datetime
) -> IssuedTokens | None:
    """The pair a refresh with `used` issued, if this is a retry of it: within the grace window after that
    refresh, and its new refresh token not used yet (if it was, the client did get the response)."""
    if row.used_at is None or now - as_utc(row.used_at) > timedelta(seconds=settings.refresh_grace_s):
        return None
    repository = AccountRepository(session)
    successor = repository.refresh_token(secret_hash(derived_secret(settings, "refresh", used)))
    if successor is None or successor.used_at is not None or successor.session_id != row.session_id:
        return None
    auth = repository.auth_session(row.session_id)
    user = repository.user(auth.user_id) if auth is not None else None
    if user is None or not user.active:
        return None
    issued_at = as_utc(row.used_at)
    access, access_expires = issue_access_token(
        settings, user_id=user.id, role=user.role, session_id=row.session_id, now=issued_at,
        token_id=derived_secret(settings, "access", used)[:32],
    )
    refresh = derived_secret(settings, "refresh", used)
    return IssuedTokens(access, access_expires, refresh, as_utc(successor.expires_at), UserInfo.of(user))


def start_session(session: Session, settings: Settings, user: UserRow, now: datetime) -> IssuedTokens:
    """Open a sign-in session for an already authenticated user and issue its first tokens."""
    auth = AuthSessionRow(id=uuid.uuid4().hex, user_id=user.id, created_at=now)
    AccountRepository(session).add_auth_session(auth)
    return _tokens(session, settings, user, auth.id, now)


@dataclass(frozen=True)
class LoginLookup:
    """What a sign-in checks the password against: the account's id and hash (None when there is no account)."""

    user_id: str | None
    password_hash: str | None


def lookup_login(session: Session, email: str) -> LoginLookup:
    """The account an email names, read before the password is verified (outside any write transaction)."""
    try:
        address = normalise_email(email)
    except ValidationFailed:
        address = ""
    user = AccountRepository(session).user_by_email(address) if address else None
    if user is None or not user.active:
        return LoginLookup(None, None)
    return LoginLookup(user.id, user.password_hash)


def complete_login(
    session: Session, settings: Settings, found: LoginLookup, now: datetime, *, new_hash: str | None = None
) -> IssuedTokens:
    """Open the sign-in session once the password matched `found`; `new_hash` replaces an outdated hash.

    The password may have changed, or the account been deactivated, while the hash was being verified:
    then the verification was against a stale hash and the sign-in is refused like a wrong password.
    """
    user = AccountRepository(session).user(found.user_id) if found.user_id else None
    if user is None or not user.active or user.password_hash is None or user.password_hash != found.password_hash:
        raise Unauthorized(WRONG_CREDENTIALS)
    if new_hash is not None:
        user.password_hash = new_hash
    return start_session(session, settings, user, now)


def login(session: Session, settings: Settings, email: str, password: str, now: datetime) -> IssuedTokens:
    """Email and password → tokens, in one transaction (the API splits this up to hash outside it).

    Unknown email, wrong password and inactive account look the same, and take the same time.
    """
    found = lookup_login(session, email)
    if not verify_password(found.password_hash, password):
        raise Unauthorized(WRONG_CREDENTIALS)
    assert found.password_hash is not None
    new_hash = hash_password(password) if needs_rehash(found.password_hash) else None
    return complete_login(session, settings, found, now, new_hash=new_hash)


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
    if row.used_at is not None:
        # A client whose response was lost retries with the same token: it gets the same pair again.
        retried = _retried(session, settings, row, refresh_token, now)
        if retried is not None:
            return retried
    # The conditional update decides between two concurrent refreshes with the same token: one loses.
    if row.used_at is not None or not repository.use_refresh_token(row.id, now):
        repository.revoke_auth_session(auth.id, "refresh_token_reused", now)
        return RefreshReused(auth.id)
    user = repository.user(auth.user_id)
    if user is None or not user.active:
        raise Unauthorized("the account is not active")
    return _tokens(session, settings, user, auth.id, now, used=refresh_token)


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
