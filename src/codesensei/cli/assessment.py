"""`sensei assessment`: create (from a YAML/JSON definition), list, show and publish assessments."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from codesensei.cli.output import console, print_json

if TYPE_CHECKING:
    from codesensei.sessions.assessments import AssessmentInfo

app = typer.Typer(help="Assessment definitions: create, list, show, publish.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _describe(info: AssessmentInfo) -> None:
    d = info.definition
    console.print(f"[bold]{d.id}[/] — {d.title} ({d.mode}, {info.status})", highlight=False)
    duration = f"{d.duration_minutes:g} min" if d.duration_minutes else "untimed"
    console.print(f"  {d.size} question(s), {duration}, pass at {d.passing_score:g} %, feedback {d.feedback.mode}",
                  highlight=False)


@app.command("create")
def create(
    config: Annotated[Path, typer.Option("--config", help="The definition file (YAML or JSON).")],
    as_json: JsonFlag = False,
) -> None:
    """Create an assessment (or replace a draft with the same id) from a definition file."""
    from codesensei.platform import platform_session
    from codesensei.sessions.assessments import create_assessment, read_definition

    definition = read_definition(config)
    with platform_session() as session:
        info = create_assessment(session, definition)
    if as_json:
        print_json(info.to_json())
    else:
        _describe(info)


@app.command("list")
def list_(as_json: JsonFlag = False) -> None:
    """List assessments."""
    from codesensei.platform import platform_session
    from codesensei.sessions.assessments import list_assessments

    with platform_session() as session:
        infos = list_assessments(session)
    if as_json:
        print_json({"assessments": [i.to_json() for i in infos]})
        return
    for info in infos:
        _describe(info)
    console.print(f"{len(infos)} assessment(s)")


@app.command("show")
def show(assessment_id: str, as_json: JsonFlag = False) -> None:
    """Show one assessment's definition."""
    from codesensei.platform import platform_session
    from codesensei.sessions.assessments import get_assessment

    with platform_session() as session:
        info = get_assessment(session, assessment_id)
    if as_json:
        print_json(info.to_json())
        return
    _describe(info)
    if info.definition.instructions:
        console.print(info.definition.instructions, highlight=False)


@app.command("publish")
def publish(assessment_id: str, as_json: JsonFlag = False) -> None:
    """Publish a draft so candidates can start it."""
    from codesensei.platform import platform_session
    from codesensei.sessions.assessments import publish_assessment

    with platform_session() as session:
        info = publish_assessment(session, assessment_id)
    if as_json:
        print_json(info.to_json())
    else:
        _describe(info)
