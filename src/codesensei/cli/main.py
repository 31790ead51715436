"""The `sensei` command: sub-commands are registered here; each imports its heavy dependencies lazily."""

from __future__ import annotations

import sys

import typer

from codesensei import __version__
from codesensei.cli import bank, db

app = typer.Typer(
    name="sensei",
    help="Code Sensei: programming assessments and technical interviews, self-hosted.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(bank.app, name="bank")
app.add_typer(db.app, name="db")


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


def run() -> None:
    """Console entry point: typed errors become one line on stderr and exit code 1, never a traceback."""
    from codesensei.errors import SenseiError

    try:
        app()
    except SenseiError as exc:
        from codesensei.cli.output import errors

        errors.print(f"[bold red]error:[/] {exc.message}", highlight=False, soft_wrap=True)
        sys.exit(1)


if __name__ == "__main__":
    run()
