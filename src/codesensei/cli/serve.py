"""`sensei serve`: the HTTP API under uvicorn.

Before the server starts, the platform is opened once (migrations, the sample and starter banks on the
first start) and, on the very first start, the administrator account is created with a random password
printed here once. Worker processes then only open what is already there. SIGINT or SIGTERM stops the
server gracefully: it stops accepting, finishes the requests in flight, then closes the database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from codesensei.cli.output import console

if TYPE_CHECKING:
    from fastapi import FastAPI


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (0.0.0.0 for every interface).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Server processes.")] = 1,
    graceful_timeout: Annotated[
        int, typer.Option(min=1, help="Seconds a shutdown waits for requests in flight.")
    ] = 30,
    log_level: Annotated[str, typer.Option(help="uvicorn's log level.")] = "info",
    access_log: Annotated[
        bool, typer.Option(help="Log every request (a line per request costs CPU under load).")
    ] = True,
) -> None:
    """Serve the HTTP API (OpenAPI at /docs); the first start prints the administrator's one-time password."""
    import uvicorn

    from codesensei.api.accounts.bootstrap import ensure_admin
    from codesensei.platform import open_platform
    from codesensei.sessions.clock import now_utc
    from codesensei.settings import load_settings
    from codesensei.store.db import unit_of_work

    settings = load_settings()
    platform = open_platform(settings)
    try:
        with unit_of_work(platform.sessions) as session:
            first = ensure_admin(session, settings, now_utc())
    finally:
        platform.close()
    if first is not None:
        # Printed once and never stored in clear: this is the only time anyone sees it.
        console.print(
            f"Created the administrator account [bold]{first.email}[/] with the one-time password:\n"
            f"  {first.password}\n"
            "It is not shown again. Sign in (POST /api/auth/login) and change it (POST /api/auth/password).",
            highlight=False, soft_wrap=True,
        )
    if workers > 1 and not settings.redis_url:
        # Each process would keep its own WebSocket job events: a client that reconnects to another one
        # could not resume its runs there.
        console.print(
            "[yellow]Several workers without SENSEI_REDIS_URL: a WebSocket client that reconnects to another "
            "worker cannot resume its jobs. Set SENSEI_REDIS_URL=redis://host:6379/0 to share them.[/]"
        )
    if workers == 1:
        from codesensei.api.app import create_app

        target: FastAPI | str = create_app(settings)
    else:
        # Several processes need an importable factory; each reads the same environment.
        target = "codesensei.api.app:create_app_from_environment"
    uvicorn.run(
        target,
        host=host, port=port, workers=workers, factory=workers > 1, log_level=log_level,
        timeout_graceful_shutdown=graceful_timeout, access_log=access_log,
    )


def register(app: typer.Typer) -> None:
    app.command()(serve)
