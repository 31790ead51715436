"""`sensei assist`: ask the assistant about the current question of an attempt, and read its audit log."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer

from codesensei.cli.output import console, print_json

if TYPE_CHECKING:
    from codesensei.assistant.context import RequestKind

app = typer.Typer(help="The assistant: hints, explanations, debugging help and code review.", no_args_is_help=True)

KINDS = ("explain", "debug", "hint", "review", "chat")  # the values of RequestKind


@app.command("ask")
def ask_command(
    attempt: Annotated[str, typer.Option("--attempt", help="The attempt id printed by `sensei quiz start`.")],
    token: Annotated[str, typer.Option("--token", help="The attempt's resume token.")],
    kind: Annotated[str, typer.Option("--kind", help=f"One of: {', '.join(KINDS)}.")] = "explain",
    message: Annotated[str, typer.Option("--message", "-m", help="Your question, for `chat`.")] = "",
    file: Annotated[Path | None, typer.Option("--file", help="Your current code, for code questions.")] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="The code's language.")] = None,
    position: Annotated[int | None, typer.Option("--position", help="A submitted question, for `review`.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Ask the assistant; the reply streams as it arrives when a model is configured."""
    from codesensei.assistant.service import ask, model_from_settings
    from codesensei.cli.quiz import attempt_work
    from codesensei.errors import ValidationFailed
    from codesensei.platform import open_platform

    if kind not in KINDS:
        raise ValidationFailed(f"--kind must be one of {', '.join(KINDS)}, not {kind!r}")
    request_kind = cast("RequestKind", kind)
    code = file.read_text(encoding="utf-8") if file is not None else None
    platform = open_platform()
    model = model_from_settings(platform.settings)
    streamed: list[str] = []

    def show(delta: str) -> None:
        streamed.append(delta)
        if not as_json:
            console.print(delta, end="", markup=False, highlight=False, soft_wrap=True)

    try:
        reply = attempt_work(
            platform,
            attempt,
            lambda session: ask(
                session,
                attempt,
                token,
                request_kind,
                message,
                settings=platform.settings,
                code=code,
                language=lang,
                position=position,
                model=model,
                on_delta=show,
            ),
        )
    finally:
        platform.close()
    if as_json:
        print_json(reply.to_json())
    else:
        console.print()
        console.print(f"[dim]{reply.provider} · {reply.tokens_used} of {reply.tokens_limit} tokens used[/]")


@app.command("log")
def log_command(
    attempt: Annotated[str, typer.Argument(help="The attempt id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON, prompts included.")] = False,
) -> None:
    """Every exchange of an attempt with the assistant, for audit (staff)."""
    from rich.table import Table

    from codesensei.assistant.service import assistant_log
    from codesensei.platform import platform_session

    with platform_session() as session:
        entries = assistant_log(session, attempt)
    if as_json:
        print_json([e.to_json() for e in entries])
        return
    table = Table("when", "question", "kind", "request", "provider", "tokens", "reply")
    for e in entries:
        table.add_row(
            f"{e.created_at:%H:%M:%S}",
            str(e.position or ""),
            e.kind,
            e.request[:40],
            e.provider,
            str(e.tokens),
            e.reply[:80],
        )
    console.print(table)
