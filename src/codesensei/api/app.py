"""The FastAPI application factory: `create_app(settings)`; `sensei serve` runs it under uvicorn.

Opening the platform (migrations, first-start data) happens in the lifespan, so building the app touches
nothing: the OpenAPI document and the route table are available without a database.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.concurrency import run_in_threadpool

from codesensei import __version__
from codesensei.api import ws
from codesensei.api.accounts.passwords import PasswordPool
from codesensei.api.errors import install_error_handlers
from codesensei.api.limits import BodyLimit
from codesensei.api.openapi import install_openapi
from codesensei.api.ratelimit import RateLimiter
from codesensei.api.routers import (
    assessments,
    attempts,
    auth,
    health,
    invitations,
    metrics,
    practice,
    questions,
    reports,
    users,
)
from codesensei.settings import Settings, load_settings

# Connections each API process keeps: room for the admitted units of work, the worker threads' own short
# reads (the token check) and the WebSocket job threads.
API_POOL_SIZE = 48
ADMITTED_UNITS_OF_WORK = 16


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings()
    if not settings.database_pool_size:
        settings = settings.model_copy(update={"database_pool_size": API_POOL_SIZE})

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from codesensei.assistant.service import model_from_settings
        from codesensei.platform import open_platform

        to_thread.current_default_thread_limiter().total_tokens = settings.api_threads
        # Blocking work (migrations, the first bank import) runs off the event loop.
        platform = await run_in_threadpool(open_platform, settings)
        app.state.platform = platform
        app.state.chat_model = model_from_settings(settings)
        try:
            yield
        finally:
            app.state.sockets.close()
            app.state.passwords.close()
            close = getattr(app.state.chat_model, "close", None)
            if callable(close):
                close()
            platform.close()

    app = FastAPI(
        title="Code Sensei", version=__version__, lifespan=lifespan, docs_url="/docs", redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.rate_limiter = RateLimiter.from_settings(settings)
    # Units of work wait for their turn on the event loop, never in a worker thread (see deps.write_admission):
    # SQLite writes one at a time; PostgreSQL admits fewer than the pool has connections, so a worker thread
    # that asks the pool for one (the token check, a WebSocket job) always gets it.
    sqlite = settings.resolved_database_url.startswith("sqlite")
    app.state.write_admission = asyncio.Lock() if sqlite else asyncio.Semaphore(ADMITTED_UNITS_OF_WORK)
    app.state.passwords = PasswordPool(settings.password_threads or max(1, (os.cpu_count() or 2) // 2))
    app.state.sockets = ws.SocketHub(settings, app.state.rate_limiter)
    install_error_handlers(app)
    routers = [
        m.router
        for m in (health, auth, users, invitations, questions, assessments, attempts, practice, reports, metrics)
    ]
    for router in routers:
        app.include_router(router)
    install_openapi(app, routers)
    app.include_router(ws.router)
    # The web app (codesensei.web, owned by the web domain): its files, and index.html for its client routes.
    # Added after every API route, which it never shadows.
    from codesensei.web import mount_web
    mount_web(app)
    # The body limit sits inside CORS, so a 413 still carries the CORS headers a browser needs to read it.
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["*"],
            allow_headers=["Authorization", "Content-Type"],
            # Tokens travel in the Authorization header, never in cookies: no credentials mode needed.
            allow_credentials=False, max_age=600,
        )
    return app


def create_app_from_environment() -> FastAPI:
    """The factory uvicorn's worker processes call (`--workers N`): settings from the environment."""
    return create_app(load_settings())
