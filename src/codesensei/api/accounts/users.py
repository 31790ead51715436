"""User accounts: create, list, change role or active flag, and administrator-issued password resets."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from codesensei.api.accounts.passwords import hash_password
from codesensei.api.accounts.roles import ROLES, Role
from codesensei.api.accounts.tokens import new_secret, secret_hash
from codesensei.errors import Conflict, NotFound, ValidationFailed
from codesensei.sessions.clock import as_utc
from codesensei.settings import Settings
from codesensei.store.account_tables import PasswordResetRow, UserRow
from codesensei.store.accounts import AccountRepository

# Deliberately loose: one @, no spaces, something on both sides. Deliverability is the mail system's business,
# and there is no mail system; the address is an identifier the author and the candidate both know.
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}$")
NAME_MAX = 200


@dataclass(frozen=True)
class UserInfo:
    id: str
    email: str
    name: str
    role: str
    active: bool
    has_password: bool
    created_at: datetime

    @classmethod
    def of(cls, row: UserRow) -> UserInfo:
        return cls(row.id, row.email, row.name, row.role, row.active, row.password_hash is not None,
                   as_utc(row.created_at))


@dataclass(frozen=True)
class IssuedSecret:
    """A one-time secret shown once (the database keeps its hash only)."""

    token: str
    expires_at: datetime


def normalise_email(text: str) -> str:
    email = text.strip().lower()
    if not _EMAIL.match(email):
        raise ValidationFailed(f"email: {text!r} is not an email address")
    return email


def check_role(role: str) -> Role:
    for known in ROLES:
        if role == known:
            return known
    raise ValidationFailed(f"role: must be one of {', '.join(ROLES)}")


def _name(name: str, email: str) -> str:
    clean = name.strip() or email.split("@", 1)[0]
    if len(clean) > NAME_MAX:
        raise ValidationFailed(f"name: at most {NAME_MAX} characters")
    return clean


def new_user(email: str, name: str, role: Role, password: str | None, now: datetime) -> UserRow:
    return UserRow(
        id=uuid.uuid4().hex, email=email, name=_name(name, email), role=role,
        password_hash=hash_password(password) if password is not None else None, active=True, created_at=now,
        password_changed_at=now if password is not None else None,
    )


def create_user(
    session: Session, *, email: str, name: str, role: str, password: str | None, now: datetime
) -> UserInfo:
    """A new account; without a password it can sign in only after a password reset (or by its invitation)."""
    address = normalise_email(email)
    repository = AccountRepository(session)
    if repository.user_by_email(address) is not None:
        raise Conflict(f"an account with the email {address} already exists")
    return UserInfo.of(repository.add_user(new_user(address, name, check_role(role), password, now)))


def list_users(session: Session, *, role: str | None, limit: int, offset: int) -> tuple[list[UserInfo], int]:
    repository = AccountRepository(session)
    if role is not None:
        check_role(role)
    return [UserInfo.of(r) for r in repository.users(role=role, limit=limit, offset=offset)], repository.count_users(
        role=role
    )


def get_user(session: Session, user_id: str) -> UserRow:
    row = AccountRepository(session).user(user_id)
    if row is None:
        raise NotFound(f"user '{user_id}' does not exist")
    return row


def _active_admins(repository: AccountRepository) -> int:
    return sum(1 for r in repository.users(role="admin", limit=10_000) if r.active)


def update_user(
    session: Session,
    user_id: str,
    *,
    name: str | None = None,
    role: str | None = None,
    active: bool | None = None,
    now: datetime,
) -> UserInfo:
    """Rename, change the role, or (de)activate; a role change or deactivation ends the account's sign-ins."""
    repository = AccountRepository(session)
    row = get_user(session, user_id)
    new_role = check_role(role) if role is not None else row.role
    new_active = row.active if active is None else active
    losing_admin = row.role == "admin" and row.active and (new_role != "admin" or not new_active)
    if losing_admin and _active_admins(repository) <= 1:
        raise Conflict("this is the last active administrator; make another one first")
    if name is not None:
        row.name = _name(name, row.email)
    if new_role != row.role or new_active != row.active:
        # Tokens carry the role; ending the sign-ins makes every client pick up the change at once.
        repository.revoke_user_sessions(row.id, "account_changed", now)
    row.role, row.active = new_role, new_active
    session.flush()
    return UserInfo.of(row)


def issue_password_reset(
    session: Session, settings: Settings, user_id: str, *, issued_by: str | None, now: datetime
) -> IssuedSecret:
    """A one-time reset token for the account (there is no mail server: the administrator passes the link on)."""
    row = get_user(session, user_id)
    repository = AccountRepository(session)
    repository.retire_password_resets(row.id, now)
    token = new_secret()
    expires = now + timedelta(seconds=settings.password_reset_ttl_s)
    repository.add_password_reset(PasswordResetRow(
        id=uuid.uuid4().hex, user_id=row.id, token_hash=secret_hash(token), created_by=issued_by, created_at=now,
        expires_at=expires,
    ))
    return IssuedSecret(token, expires)
