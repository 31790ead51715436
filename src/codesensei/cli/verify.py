"""`sensei bank verify`: render what `codesensei.verification` found; exit 1 if any check failed."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from codesensei.cli.output import console, print_json

if TYPE_CHECKING:
    from codesensei.verification.results import VerifyReport

RESULT_STYLE = {"pass": "green", "fail": "red", "skip": "yellow"}


def verify_command(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Bank files or folders (default: the packaged starter bank and sample bank)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of a table.")] = False,
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", min=1, help="Checks run in parallel (default: CPU count).")
    ] = None,
    only: Annotated[
        list[str] | None,
        typer.Option("--only", help="Only questions whose id matches (glob; repeatable); no first-start check."),
    ] = None,
) -> None:
    """Prove every question against its own key: judge reference solutions, grade keys, check authoring rules."""
    from codesensei.bank.files import BankFileError
    from codesensei.verification.verify import default_jobs, default_paths, verify_paths

    try:
        report = verify_paths(paths or default_paths(), jobs=jobs or default_jobs(), only=only or ())
    except BankFileError as exc:
        if as_json:
            print_json({"ok": False, "problems": exc.problems})
        else:
            for problem in exc.problems:
                console.print(f"[red]✗[/] {problem}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    if as_json:
        print_json(report.to_json())
    else:
        _render(report)
    if not report.ok:
        raise typer.Exit(1)


def _render(report: VerifyReport) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table()
    for column in ("question", "check", "result", "detail"):
        table.add_column(column, overflow="fold")
    table.add_column("time", justify="right")
    for check in report.checks:
        style = RESULT_STYLE[check.status]
        # Details quote test names and values: plain Text, so brackets are never read as markup.
        table.add_row(
            Text(check.question),
            Text(check.check),
            Text(check.status, style=style),
            Text(check.detail),
            f"{check.seconds:.2f} s",
        )
    console.print(table, highlight=False)
    failed = report.count("fail")
    style = "red" if failed else "green"
    console.print(
        f"[{style}]{report.questions} question(s), {len(report.checks)} checks: {report.count('pass')} passed, "
        f"{failed} failed, {report.count('skip')} skipped[/] in {report.seconds:.1f} s",
        highlight=False,
    )
