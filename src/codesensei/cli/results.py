"""`sensei results export`: attempt results as JSON, JSON Lines or CSV, for spreadsheets and scripts."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from codesensei.cli.output import errors, fail

app = typer.Typer(help="Attempt results: export them for spreadsheets and scripts.", no_args_is_help=True)


@app.command("export")
def export(
    fmt: Annotated[str, typer.Option("--format", help="json (one array), jsonl (JSON Lines) or csv.")],
    assessment: Annotated[str | None, typer.Option("--assessment", help="Only this assessment's attempts.")] = None,
    user: Annotated[str | None, typer.Option("--user", help="Only this candidate's attempts.")] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Only attempts started at or after this date (YYYY-MM-DD, UTC).")
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")] = None,
    per_question: Annotated[
        bool, typer.Option("--per-question", help="One row per question of each attempt instead of per attempt.")
    ] = False,
) -> None:
    """Export one row per attempt (or per attempt question), in start order, streamed as it is read."""
    from rich.markup import escape

    from codesensei.errors import SenseiError
    from codesensei.platform import platform_session
    from codesensei.sessions.export import (
        ATTEMPT_COLUMNS,
        EXPORT_FORMATS,
        ITEM_COLUMNS,
        ExportFilter,
        export_records,
        parse_since,
        write_records,
    )

    chosen = next((f for f in EXPORT_FORMATS if f == fmt), None)
    if chosen is None:
        fail(escape(f"--format must be one of {', '.join(EXPORT_FORMATS)}, not {fmt!r}"), 2)
    columns = ITEM_COLUMNS if per_question else ATTEMPT_COLUMNS
    # Write next to the target and rename at the end, so a failed export never leaves a file that looks whole.
    partial = output.with_name(output.name + ".partial") if output is not None else None
    try:
        flt = ExportFilter(assessment, user, parse_since(since) if since else None)
        with platform_session() as session:
            records = export_records(session, flt, per_question=per_question)
            if partial is None:
                count = write_records(records, chosen, sys.stdout, columns)
                sys.stdout.flush()
            else:
                with partial.open("w", encoding="utf-8", newline="") as handle:
                    count = write_records(records, chosen, handle, columns)
        if partial is not None and output is not None:
            os.replace(partial, output)
    except SenseiError as exc:
        fail(escape(f"{exc.message} [{exc.code}]"))
    except OSError as exc:
        fail(escape(f"cannot write {output}: {exc.strerror or exc}"))
    finally:
        if partial is not None:
            partial.unlink(missing_ok=True)
    if output is not None:
        noun = "question row(s)" if per_question else "attempt(s)"
        errors.print(f"exported {count} {noun} to {output}", highlight=False)
