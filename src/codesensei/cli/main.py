"""The `sensei` command: sub-commands are registered here; each imports its heavy dependencies lazily."""

from __future__ import annotations

from typing import Any

import typer
from typer._click import Context
from typer.core import TyperGroup

from codesensei import __version__
from codesensei.cli import adaptive, assessment, assist, bank, db, practice, quiz, results, review, runner, serve, take
from codesensei.errors import SenseiError


class SenseiGroup(TyperGroup):
    """Typed errors become one line on stderr and exit code 1, never a traceback, for every command."""

    def invoke(self, ctx: Context) -> Any:
        try:
            return super().invoke(ctx)
        except SenseiError as exc:
            from codesensei.cli.output import errors

            errors.print(f"[bold red]error:[/] {exc.message}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None


app = typer.Typer(
    name="sensei",
    cls=SenseiGroup,
    help="Code Sensei: programming assessments and technical interviews, self-hosted.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(bank.app, name="bank")
app.add_typer(db.app, name="db")
app.add_typer(assessment.app, name="assessment")
app.add_typer(quiz.app, name="quiz")
app.add_typer(assist.app, name="assist")
app.add_typer(results.app, name="results")
review.register(app)
adaptive.register(app)
runner.register(app)
take.register(app)
practice.register(app)
serve.register(app)


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


def run() -> None:
    """Console entry point."""
    app()


if __name__ == "__main__":
    run()
