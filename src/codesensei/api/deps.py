"""Dependencies of the routers: the platform, one unit of work per request, the caller and role gates.

The unit of work is function-scoped: it commits when the endpoint returns and before the response is
sent, so an acknowledged answer is durable and a failed commit is an error response, never a lost write.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from codesensei.api.accounts.roles import Role
from codesensei.api.accounts.signin import CurrentUser, authenticate
from codesensei.assistant.llm import ChatModel
from codesensei.errors import Forbidden, Unauthorized
from codesensei.platform import Platform
from codesensei.settings import Settings
from codesensei.store.db import unit_of_work


def get_settings(request: Request) -> Settings:
    settings = request.app.state.settings
    assert isinstance(settings, Settings)
    return settings


def get_platform(request: Request) -> Platform:
    platform = request.app.state.platform
    assert isinstance(platform, Platform)
    return platform


def get_chat_model(request: Request) -> ChatModel | None:
    """The configured model (one client for the app's lifetime), or None for the offline assistant."""
    model: ChatModel | None = request.app.state.chat_model
    return model


SettingsDep = Annotated[Settings, Depends(get_settings)]
PlatformDep = Annotated[Platform, Depends(get_platform)]
ChatModelDep = Annotated[ChatModel | None, Depends(get_chat_model)]


def db_session(platform: PlatformDep) -> Iterator[Session]:
    with unit_of_work(platform.sessions) as session:
        yield session


SessionDep = Annotated[Session, Depends(db_session, scope="function")]

bearer = HTTPBearer(
    auto_error=False, bearerFormat="JWT",
    description="The access token from /api/auth/login, /api/auth/refresh or /api/invitations/claim",
)


def current_user(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    session: SessionDep,
    settings: SettingsDep,
) -> CurrentUser:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("sign in: this needs an `Authorization: Bearer` access token")
    return authenticate(session, settings, credentials.credentials)


class RoleGate:
    """A dependency that lets the listed roles (and administrators, always) through; others get 403."""

    def __init__(self, *roles: Role) -> None:
        self.roles: tuple[Role, ...] = (*roles, "admin")

    def __call__(self, user: Annotated[CurrentUser, Depends(current_user)]) -> CurrentUser:
        if user.role not in self.roles:
            allowed = ", ".join(self.roles)
            raise Forbidden(f"this needs one of the roles {allowed}; the account is a {user.role}")
        return user


SignedIn = Annotated[CurrentUser, Depends(current_user)]
Author = Annotated[CurrentUser, Depends(RoleGate("author"))]
Reviewer = Annotated[CurrentUser, Depends(RoleGate("reviewer"))]
# Questions are read by the people who write them and by the people who grade answers to them.
Staff = Annotated[CurrentUser, Depends(RoleGate("author", "reviewer"))]
Admin = Annotated[CurrentUser, Depends(RoleGate())]
