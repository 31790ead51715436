"""Accounts, tokens, password resets and invitations."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from codesensei.api.accounts.invitations import InvitationStatus
from codesensei.api.accounts.roles import Role
from codesensei.api.schemas.common import UtcDateTime

Email = Field(min_length=3, max_length=320, examples=["ann@example.com"])
Password = Field(min_length=1, max_length=1024)
Secret = Field(min_length=1, max_length=200)


class LoginRequest(BaseModel):
    email: str = Email
    password: str = Password


class RefreshRequest(BaseModel):
    refresh_token: str = Secret


class UserOut(BaseModel):
    id: str
    email: str
    name: str
    role: Role
    active: bool
    has_password: bool
    created_at: UtcDateTime


class TokenResponse(BaseModel):
    access_token: str = Field(description="a JWT for the `Authorization: Bearer` header")
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth 2 token type, not a secret
    expires_in: int = Field(description="seconds until the access token expires")
    expires_at: UtcDateTime
    refresh_token: str = Field(description="one-time: each refresh returns the next one")
    refresh_expires_at: UtcDateTime
    user: UserOut


class ClaimResponse(TokenResponse):
    assessment_id: str


class PasswordChange(BaseModel):
    current_password: str = Field(default="", max_length=1024, description="empty for an account without one")
    new_password: str = Password


class PasswordResetRequest(BaseModel):
    token: str = Secret
    new_password: str = Password


class UserCreate(BaseModel):
    email: str = Email
    name: str = Field(default="", max_length=200)
    role: Role = "candidate"
    password: str | None = Field(default=None, max_length=1024, description="omit to let the user set one by reset")


class UserUpdate(BaseModel):
    name: str | None = Field(default=None, max_length=200)
    role: Role | None = None
    active: bool | None = None


class UserList(BaseModel):
    users: list[UserOut]
    total: int


class ResetLink(BaseModel):
    token: str = Field(description="one-time; POST it with a new password to /api/auth/reset")
    link: str
    expires_at: UtcDateTime


class InvitationCreate(BaseModel):
    emails: list[str] = Field(min_length=1, max_length=1000)
    expires_at: datetime | None = Field(default=None, description="until when the link can be claimed")
    closes_at: datetime | None = Field(default=None, description="after this the invitee cannot start attempts")


class InvitationOut(BaseModel):
    id: str
    assessment_id: str
    email: str
    status: InvitationStatus
    created_at: UtcDateTime
    expires_at: UtcDateTime
    closes_at: UtcDateTime | None
    claimed_at: UtcDateTime | None
    user_id: str | None
    token: str | None = Field(description="the one-time claim token: only in the answer that issued it")
    link: str | None = Field(description="the claim link to send to the invitee: only in the answer that issued it")


class InvitationList(BaseModel):
    invitations: list[InvitationOut]


class ClaimRequest(BaseModel):
    token: str = Secret
    password: str | None = Field(
        default=None, max_length=1024,
        description="sets the new account's password; required when the address already has an account with one",
    )
    name: str = Field(default="", max_length=200)
