"""Invitations: an author invites email addresses to an assessment; each gets a one-time link to claim.

There is no mail server, so the links go back to the author, who passes them on. That makes a link a
bearer credential in the author's hands too, which bounds what claiming may do: it creates a candidate
account, or signs in to an existing one only with that account's password — except a candidate account
that never had a password, whose only way in is an invitation link anyway.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy.orm import Session

from codesensei.api.accounts.errors import InvitationClaimed, InvitationExpired, InvitationInvalid
from codesensei.api.accounts.passwords import hash_password, verify_password
from codesensei.api.accounts.tokens import new_secret, secret_hash
from codesensei.api.accounts.users import new_user, normalise_email
from codesensei.errors import Unauthorized, ValidationFailed
from codesensei.sessions.assessments import get_assessment
from codesensei.sessions.clock import as_utc
from codesensei.settings import Settings
from codesensei.store.account_tables import InvitationRow, UserRow
from codesensei.store.accounts import AccountRepository

MAX_PER_REQUEST = 1000
InvitationStatus = Literal["pending", "claimed", "expired"]


@dataclass(frozen=True)
class InvitationInfo:
    id: str
    assessment_id: str
    email: str
    status: InvitationStatus
    created_at: datetime
    expires_at: datetime
    closes_at: datetime | None
    claimed_at: datetime | None
    user_id: str | None
    # The claim token, only in the answer that issued it: the database keeps its hash alone.
    token: str | None = None

    @classmethod
    def of(cls, row: InvitationRow, now: datetime, token: str | None = None) -> InvitationInfo:
        return cls(
            id=row.id, assessment_id=row.assessment_id, email=row.email, status=status_of(row, now),
            created_at=as_utc(row.created_at), expires_at=as_utc(row.expires_at),
            closes_at=as_utc(row.closes_at) if row.closes_at else None,
            claimed_at=as_utc(row.claimed_at) if row.claimed_at else None, user_id=row.user_id, token=token,
        )


def status_of(row: InvitationRow, now: datetime) -> InvitationStatus:
    if row.claimed_at is not None:
        return "claimed"
    return "expired" if now >= as_utc(row.expires_at) else "pending"


def _addresses(emails: Sequence[str]) -> list[str]:
    if not emails:
        raise ValidationFailed("emails: at least one address")
    if len(emails) > MAX_PER_REQUEST:
        raise ValidationFailed(f"emails: at most {MAX_PER_REQUEST} per request")
    return list(dict.fromkeys(normalise_email(e) for e in emails))


def invite(
    session: Session,
    settings: Settings,
    assessment_id: str,
    emails: Sequence[str],
    *,
    invited_by: str | None,
    expires_at: datetime | None,
    closes_at: datetime | None,
    now: datetime,
) -> list[InvitationInfo]:
    """Issue a claim link per address. Inviting an address again replaces its unclaimed link (the old one dies);
    a claimed invitation is left as it is and comes back without a token."""
    get_assessment(session, assessment_id)
    addresses = _addresses(emails)
    expires = as_utc(expires_at) if expires_at else now + timedelta(hours=settings.invitation_ttl_hours)
    closes = as_utc(closes_at) if closes_at else None
    if expires <= now:
        raise ValidationFailed("expires_at: must be in the future")
    if closes is not None and closes <= now:
        raise ValidationFailed("closes_at: must be in the future")
    repository = AccountRepository(session)
    issued: list[InvitationInfo] = []
    for email in addresses:
        row = repository.invitation(assessment_id, email)
        if row is not None and row.claimed_at is not None:
            issued.append(InvitationInfo.of(row, now))
            continue
        token = new_secret()
        if row is None:
            row = InvitationRow(id=uuid.uuid4().hex, assessment_id=assessment_id, email=email)
            session.add(row)
        row.token_hash, row.created_by, row.created_at = secret_hash(token), invited_by, now
        row.expires_at, row.closes_at = expires, closes
        session.flush()
        issued.append(InvitationInfo.of(row, now, token))
    return issued


def list_invitations(session: Session, assessment_id: str, now: datetime) -> list[InvitationInfo]:
    get_assessment(session, assessment_id)
    return [InvitationInfo.of(r, now) for r in AccountRepository(session).invitations(assessment_id)]


def _account_for(repository: AccountRepository, email: str, password: str | None, name: str, now: datetime) -> UserRow:
    user = repository.user_by_email(email)
    if user is None:
        return repository.add_user(new_user(email, name, "candidate", password, now))
    if not user.active:
        raise Unauthorized("the account of this invitation is not active")
    if user.password_hash is not None or user.role != "candidate":
        if password is None or not verify_password(user.password_hash, password):
            raise Unauthorized(f"an account with the email {email} exists: give its password to claim the invitation")
    elif password is not None:
        user.password_hash = hash_password(password)
        user.password_changed_at = now
    return user


def claim(
    session: Session, token: str, *, password: str | None, name: str, now: datetime
) -> tuple[UserRow, InvitationInfo]:
    """Claim an invitation once: the invited address's account (created if need be) gets the assessment."""
    repository = AccountRepository(session)
    row = repository.invitation_by_token(secret_hash(token))
    if row is None:
        raise InvitationInvalid("no invitation has this link; it may have been replaced by a newer one")
    if row.claimed_at is not None:
        raise InvitationClaimed("this invitation was already claimed; sign in with your email and password")
    if now >= as_utc(row.expires_at) or (row.closes_at is not None and now >= as_utc(row.closes_at)):
        raise InvitationExpired("this invitation has expired; ask for a new one")
    user = _account_for(repository, row.email, password, name, now)
    if not repository.claim_invitation(row.id, user.id, now):
        raise InvitationClaimed("this invitation was already claimed; sign in with your email and password")
    session.refresh(row)
    return user, InvitationInfo.of(row, now)
