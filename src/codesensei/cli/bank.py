"""`sensei bank`: validate, import, export, list, show and search questions; publish the file format's schema."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from codesensei.cli.output import console, fail, print_json
from codesensei.cli.verify import verify_command

if TYPE_CHECKING:
    from codesensei.bank.service import QuestionSummary
    from codesensei.store.questions import QuestionFilter

app = typer.Typer(
    help="The question bank: validate, verify, import, export, list, show, search, schema.", no_args_is_help=True
)
app.command("verify")(verify_command)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
TypeOpt = Annotated[list[str] | None, typer.Option("--type", help="Question type (repeatable).")]
TopicOpt = Annotated[list[str] | None, typer.Option("--topic", help="Topic (repeatable).")]
TagOpt = Annotated[list[str] | None, typer.Option("--tag", help="Tag (repeatable).")]
LanguageOpt = Annotated[list[str] | None, typer.Option("--language", help="Programming language (repeatable).")]
LevelOpt = Annotated[list[str] | None, typer.Option("--difficulty", help="easy, medium or hard (repeatable).")]
MinOpt = Annotated[float | None, typer.Option("--min-difficulty", min=0, max=1)]
MaxOpt = Annotated[float | None, typer.Option("--max-difficulty", min=0, max=1)]


def _filter(
    types: list[str] | None,
    topics: list[str] | None,
    tags: list[str] | None,
    languages: list[str] | None,
    levels: list[str] | None,
    min_difficulty: float | None,
    max_difficulty: float | None,
) -> QuestionFilter:
    from codesensei.bank.model import QUESTION_TYPES
    from codesensei.store.questions import QuestionFilter

    unknown = sorted(set(types or []) - set(QUESTION_TYPES))
    if unknown:
        fail(f"unknown question type {', '.join(unknown)}; one of {', '.join(QUESTION_TYPES)}", 2)
    bad_levels = sorted(set(levels or []) - {"easy", "medium", "hard"})
    if bad_levels:
        fail(f"unknown difficulty {', '.join(bad_levels)}; one of easy, medium, hard", 2)
    return QuestionFilter(
        types=types or (),
        topics=topics or (),
        tags=tags or (),
        languages=languages or (),
        difficulty_levels=levels or (),
        min_difficulty=min_difficulty,
        max_difficulty=max_difficulty,
    )


@app.command()
def validate(path: Path, json_output: JsonFlag = False) -> None:
    """Check bank files without importing them (no database needed)."""
    from collections import Counter

    from codesensei.bank.files import BankFileError, read_bank

    try:
        files = read_bank(path)
    except BankFileError as exc:
        if json_output:
            print_json({"valid": False, "problems": exc.problems})
        else:
            for problem in exc.problems:
                console.print(f"[red]✗[/] {problem}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    counts = Counter(q.type for f in files for q in f.questions)
    if json_output:
        print_json({"valid": True, "files": len(files), "questions": sum(counts.values()), "by_type": dict(counts)})
    else:
        summary = ", ".join(f"{n} {t}" for t, n in sorted(counts.items()))
        console.print(f"[green]✓[/] {len(files)} file(s), {sum(counts.values())} question(s): {summary}")


@app.command("import")
def import_(path: Path, json_output: JsonFlag = False) -> None:
    """Import a bank file or folder: all-or-nothing per file, idempotent by question id."""
    from codesensei.bank.files import BankFileError, read_bank
    from codesensei.bank.service import import_files
    from codesensei.platform import platform_session

    try:
        files = read_bank(path)
    except BankFileError as exc:
        for problem in exc.problems:
            console.print(f"[red]✗[/] {problem}", highlight=False, soft_wrap=True)
        fail(f"nothing imported: {len(exc.problems)} problem(s)")
    with platform_session() as session:
        report = import_files(session, files)
    if json_output:
        print_json(report.to_json())
    else:
        console.print(
            f"imported {len(report.files)} file(s): [green]{report.created} created[/], "
            f"[yellow]{report.updated} updated[/], {report.unchanged} unchanged"
        )


@app.command()
def export(
    out: Annotated[Path | None, typer.Option("--out", "-o", help="File to write (default: stdout).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="yaml or json")] = "yaml",
    ids: Annotated[list[str] | None, typer.Option("--id", help="Only these question ids (repeatable).")] = None,
    types: TypeOpt = None,
    topics: TopicOpt = None,
    tags: TagOpt = None,
    languages: LanguageOpt = None,
    levels: LevelOpt = None,
) -> None:
    """Export questions in the bank file format; importing the result reproduces them exactly."""
    from codesensei.bank.files import dump_questions
    from codesensei.bank.service import export_questions
    from codesensei.platform import platform_session

    if fmt not in ("yaml", "json"):
        fail("--format must be yaml or json", 2)
    flt = _filter(types, topics, tags, languages, levels, None, None)
    with platform_session() as session:
        questions = export_questions(session, flt, ids or ())
    document = dump_questions(questions, fmt)
    if out is None:
        typer.echo(document, nl=False)
    else:
        out.write_text(document, encoding="utf-8")
        console.print(f"exported {len(questions)} question(s) to {out}")


@app.command("list")
def list_(
    types: TypeOpt = None,
    topics: TopicOpt = None,
    tags: TagOpt = None,
    languages: LanguageOpt = None,
    levels: LevelOpt = None,
    min_difficulty: MinOpt = None,
    max_difficulty: MaxOpt = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    json_output: JsonFlag = False,
) -> None:
    """List questions in the bank, with filters."""
    from codesensei.bank.service import list_questions
    from codesensei.platform import platform_session

    flt = _filter(types, topics, tags, languages, levels, min_difficulty, max_difficulty)
    with platform_session() as session:
        summaries, total = list_questions(session, flt, limit=limit, offset=offset)
    if json_output:
        print_json({"total": total, "questions": [s.to_json() for s in summaries]})
        return
    _table(summaries, f"{len(summaries)} of {total} question(s)")


def _table(summaries: list[QuestionSummary], caption: str) -> None:
    from rich.table import Table

    table = Table(caption=caption)
    for column in ("id", "type", "difficulty", "topics", "title"):
        table.add_column(column, overflow="fold")
    for s in summaries:
        table.add_row(s.id, s.type, s.difficulty, ", ".join(s.topics), s.title)
    console.print(table)


@app.command()
def show(
    question_id: str,
    version: Annotated[int | None, typer.Option(help="A previous version.")] = None,
    json_output: JsonFlag = False,
) -> None:
    """Show one question with its key, tests, versions and statistics."""
    from codesensei.bank.files import dump_questions, question_to_data
    from codesensei.bank.service import describe_question, get_question
    from codesensei.platform import platform_session

    with platform_session() as session:
        detail = describe_question(session, question_id)
        question = detail.question if version is None else get_question(session, question_id, version)
    if json_output:
        data = detail.to_json()
        data["question"] = question_to_data(question)
        data["shown_version"] = version or detail.version
        print_json(data)
        return
    from rich.markdown import Markdown
    from rich.panel import Panel
    from rich.syntax import Syntax

    heading = f"{question.title}  [dim]({question.type}, {question.difficulty_level})[/]"
    console.print(Panel(Markdown(question.text), title=heading))
    console.print(Syntax(dump_questions([question]), "yaml", word_wrap=True))
    console.print(
        f"version {version or detail.version} of {detail.versions}; shown {detail.times_shown}×, "
        f"correct {detail.times_correct}×"
    )


@app.command()
def search(
    query: str,
    types: TypeOpt = None,
    topics: TopicOpt = None,
    tags: TagOpt = None,
    languages: LanguageOpt = None,
    levels: LevelOpt = None,
    min_difficulty: MinOpt = None,
    max_difficulty: MaxOpt = None,
    limit: Annotated[int, typer.Option(min=1, max=200)] = 20,
    json_output: JsonFlag = False,
) -> None:
    """Full-text search over title, text, topics and tags, with filters; best match first."""
    from codesensei.bank.service import search_questions
    from codesensei.platform import platform_session

    flt = _filter(types, topics, tags, languages, levels, min_difficulty, max_difficulty)
    with platform_session() as session:
        summaries = search_questions(session, query, flt, limit=limit)
    if json_output:
        print_json({"query": query, "questions": [s.to_json() for s in summaries]})
        return
    _table(summaries, f"{len(summaries)} match(es) for {query!r}")


@app.command()
def schema(out: Annotated[Path | None, typer.Option("--out", "-o")] = None) -> None:
    """Print the JSON Schema of the bank file format (no database needed)."""
    import json

    from codesensei.bank.schema import bank_json_schema

    document = json.dumps(bank_json_schema(), indent=2) + "\n"
    if out is None:
        typer.echo(document, nl=False)
    else:
        out.write_text(document, encoding="utf-8")

