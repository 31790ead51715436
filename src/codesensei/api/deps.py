"""Dependencies of the routers: the platform, one unit of work per request, the caller and role gates.

The unit of work is function-scoped: it commits when the endpoint returns and before the response is
sent, so an acknowledged answer is durable and a failed commit is an error response, never a lost write.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Annotated, Concatenate, ParamSpec, TypeVar

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from codesensei.api.accounts.passwords import PasswordPool
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


def get_password_pool(request: Request) -> PasswordPool:
    pool = request.app.state.passwords
    assert isinstance(pool, PasswordPool)
    return pool


SettingsDep = Annotated[Settings, Depends(get_settings)]
PasswordPoolDep = Annotated[PasswordPool, Depends(get_password_pool)]
PlatformDep = Annotated[Platform, Depends(get_platform)]
ChatModelDep = Annotated[ChatModel | None, Depends(get_chat_model)]


Params = ParamSpec("Params")
Result = TypeVar("Result")


def _finish(session: Session, commit: bool) -> None:
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


def write_admission(request: Request) -> AbstractAsyncContextManager[object]:
    """Where a unit of work that may write waits its turn, on the event loop, before it starts.

    A request's transaction spans several worker-thread hand-offs (dependencies, the endpoint, the commit)
    and holds its connection, and on SQLite the write lock, in between. Were requests to wait for the lock or
    a connection inside worker threads, enough of them could fill the thread pool while the transactions
    holding what they wait for need a thread to finish in: a deadlock. They queue here instead, holding no
    thread, in arrival order: one at a time on SQLite (one writer), on PostgreSQL fewer than the pool has
    connections (the rest serve the token checks and WebSocket jobs, which take one briefly in a thread).
    """
    admission: asyncio.Lock | asyncio.Semaphore = request.app.state.write_admission
    return admission


async def admitted(
    request: Request, work: Callable[Params, Result], *args: Params.args, **kwargs: Params.kwargs
) -> Result:
    """`work(...)` in a worker thread once the write admission lets it in: for endpoints that open their own
    write transaction rather than take the request's unit of work (see `write_admission`)."""
    async with write_admission(request):
        return await run_in_threadpool(work, *args, **kwargs)


async def db_session(request: Request, platform: PlatformDep) -> AsyncIterator[Session]:
    """The request's unit of work (see `unit_of_work`), as an async dependency.

    Making a session touches no database, so it is made on the event loop; the commit (or rollback) runs in
    a worker thread. A sync generator dependency would cost two thread hand-offs per request instead of one.
    """
    async with write_admission(request):
        session = platform.sessions()
        try:
            yield session
        except BaseException:
            await run_in_threadpool(_finish, session, False)
            raise
        await run_in_threadpool(_finish, session, True)


SessionDep = Annotated[Session, Depends(db_session, scope="function")]


def read_only_call(
    platform: Platform,
    work: Callable[Concatenate[Session, Params], Result],
    *args: Params.args,
    **kwargs: Params.kwargs,
) -> Result:
    """`work(session, ...)` in a transaction of its own that only reads (on SQLite it takes no write lock)."""
    with unit_of_work(platform.read_sessions) as session:
        return work(session, *args, **kwargs)


bearer = HTTPBearer(
    auto_error=False,
    bearerFormat="JWT",
    description="The access token from /api/auth/login, /api/auth/refresh or /api/invitations/claim",
)


def current_user(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)], request: Request
) -> CurrentUser:
    """The caller, checked in a read transaction of its own.

    Not in the request's unit of work: on SQLite that one takes the write lock when it begins and should
    hold it for the endpoint's work only. Settings and platform come straight from the app's state rather
    than as sub-dependencies: this runs on every request, and each dependency costs FastAPI time to solve.
    """
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("sign in: this needs an `Authorization: Bearer` access token")
    return read_only_call(get_platform(request), authenticate, get_settings(request), credentials.credentials)


class RoleGate:
    """A dependency that lets the listed roles (and administrators, always) through; others get 403."""

    def __init__(self, *roles: Role) -> None:
        self.roles: tuple[Role, ...] = (*roles, "admin")

    async def __call__(self, user: Annotated[CurrentUser, Depends(current_user)]) -> CurrentUser:
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
