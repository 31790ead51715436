"""The account repository: every SQL statement about users, sign-in sessions, invitations and password resets.

One-time secrets are consumed with a conditional UPDATE (`… WHERE used_at IS NULL`) and the row count
decides who won, so two concurrent uses of the same token can never both succeed, on either database.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, Select, func, or_, select, update
from sqlalchemy.orm import Session

from codesensei.store.account_tables import (
    AuthSessionRow,
    InvitationRow,
    PasswordResetRow,
    RefreshTokenRow,
    UserRow,
)


def _changed(result: Any) -> int:
    assert isinstance(result, CursorResult)
    return int(result.rowcount)


class AccountRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # ---- users ---------------------------------------------------------------------------------------

    def user(self, user_id: str) -> UserRow | None:
        return self.session.get(UserRow, user_id)

    def user_by_email(self, email: str) -> UserRow | None:
        return self.session.scalars(select(UserRow).where(UserRow.email == email)).first()

    def add_user(self, row: UserRow) -> UserRow:
        self.session.add(row)
        self.session.flush()
        return row

    def _users(self, statement: Select[Any], role: str | None) -> Select[Any]:
        return statement if role is None else statement.where(UserRow.role == role)

    def users(self, *, role: str | None = None, limit: int = 50, offset: int = 0) -> list[UserRow]:
        statement = self._users(select(UserRow), role).order_by(UserRow.created_at, UserRow.id)
        return list(self.session.scalars(statement.limit(limit).offset(offset)))

    def count_users(self, *, role: str | None = None) -> int:
        return int(self.session.scalar(self._users(select(func.count()).select_from(UserRow), role)) or 0)

    # ---- sign-in sessions and refresh tokens --------------------------------------------------------

    def auth_session(self, session_id: str) -> AuthSessionRow | None:
        return self.session.get(AuthSessionRow, session_id)

    def add_auth_session(self, row: AuthSessionRow) -> None:
        self.session.add(row)
        self.session.flush()

    def revoke_auth_session(self, session_id: str, reason: str, now: datetime) -> None:
        self.session.execute(
            update(AuthSessionRow)
            .where(AuthSessionRow.id == session_id, AuthSessionRow.revoked_at.is_(None))
            .values(revoked_at=now, revoke_reason=reason)
        )

    def revoke_user_sessions(self, user_id: str, reason: str, now: datetime, *, keep: str | None = None) -> None:
        statement = update(AuthSessionRow).where(
            AuthSessionRow.user_id == user_id, AuthSessionRow.revoked_at.is_(None)
        )
        if keep is not None:
            statement = statement.where(AuthSessionRow.id != keep)
        self.session.execute(statement.values(revoked_at=now, revoke_reason=reason))

    def add_refresh_token(self, row: RefreshTokenRow) -> None:
        self.session.add(row)
        self.session.flush()

    def refresh_token(self, token_hash: str) -> RefreshTokenRow | None:
        return self.session.scalars(select(RefreshTokenRow).where(RefreshTokenRow.token_hash == token_hash)).first()

    def use_refresh_token(self, token_id: str, now: datetime) -> bool:
        """Mark the token rotated; False if it already was (by this or a concurrent request)."""
        result = self.session.execute(
            update(RefreshTokenRow)
            .where(RefreshTokenRow.id == token_id, RefreshTokenRow.used_at.is_(None))
            .values(used_at=now)
        )
        return _changed(result) == 1

    # ---- invitations --------------------------------------------------------------------------------

    def invitation(self, assessment_id: str, email: str) -> InvitationRow | None:
        return self.session.scalars(
            select(InvitationRow).where(InvitationRow.assessment_id == assessment_id, InvitationRow.email == email)
        ).first()

    def invitation_by_token(self, token_hash: str) -> InvitationRow | None:
        return self.session.scalars(select(InvitationRow).where(InvitationRow.token_hash == token_hash)).first()

    def add_invitation(self, row: InvitationRow) -> None:
        self.session.add(row)
        self.session.flush()

    def invitations(self, assessment_id: str) -> list[InvitationRow]:
        statement = (
            select(InvitationRow)
            .where(InvitationRow.assessment_id == assessment_id)
            .order_by(InvitationRow.created_at, InvitationRow.email)
        )
        return list(self.session.scalars(statement))

    def claim_invitation(self, invitation_id: str, user_id: str, now: datetime) -> bool:
        """Bind the invitation to the user; False if it was already claimed."""
        result = self.session.execute(
            update(InvitationRow)
            .where(InvitationRow.id == invitation_id, InvitationRow.claimed_at.is_(None))
            .values(claimed_at=now, user_id=user_id)
        )
        return _changed(result) == 1

    def invited_assessment_ids(self, user_id: str, now: datetime, assessment_ids: Sequence[str] = ()) -> set[str]:
        """Assessments the user claimed an invitation to that has not closed."""
        statement = select(InvitationRow.assessment_id).where(
            InvitationRow.user_id == user_id,
            InvitationRow.claimed_at.is_not(None),
            or_(InvitationRow.closes_at.is_(None), InvitationRow.closes_at > now),
        )
        if assessment_ids:
            statement = statement.where(InvitationRow.assessment_id.in_(assessment_ids))
        return set(self.session.scalars(statement))

    # ---- password resets ----------------------------------------------------------------------------

    def add_password_reset(self, row: PasswordResetRow) -> None:
        self.session.add(row)
        self.session.flush()

    def password_reset(self, token_hash: str) -> PasswordResetRow | None:
        return self.session.scalars(select(PasswordResetRow).where(PasswordResetRow.token_hash == token_hash)).first()

    def use_password_reset(self, reset_id: str, now: datetime) -> bool:
        result = self.session.execute(
            update(PasswordResetRow)
            .where(PasswordResetRow.id == reset_id, PasswordResetRow.used_at.is_(None))
            .values(used_at=now)
        )
        return _changed(result) == 1

    def retire_password_resets(self, user_id: str, now: datetime) -> None:
        """A new reset link replaces the earlier ones: only the latest works."""
        self.session.execute(
            update(PasswordResetRow)
            .where(PasswordResetRow.user_id == user_id, PasswordResetRow.used_at.is_(None))
            .values(used_at=now)
        )
