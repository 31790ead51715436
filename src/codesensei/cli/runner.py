"""`sensei run`, `sensei judge`, `sensei languages` and `sensei sandbox setup`: the runner from the terminal."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from codesensei.cli.output import console, errors, fail, print_json

if TYPE_CHECKING:
    from codesensei.bank.model import CodeQuestion

STATUS_STYLE = {"ok": "green", "accepted": "green", "wrong_answer": "red", "compile_error": "yellow"}

JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of a table.")]
UnsafeOption = Annotated[
    bool, typer.Option("--unsafe-no-sandbox", help="Run WITHOUT any sandbox (development only; warns).")
]


def _read_source(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {path}: {exc}")


def _warn_unsafe() -> None:
    errors.print("[bold yellow]warning:[/] running candidate code WITHOUT a sandbox (--unsafe-no-sandbox)")


def run_command(
    file: Annotated[Path, typer.Argument(help="The program to run.")],
    lang: Annotated[str, typer.Option("--lang", help="Language name (see `sensei languages`).")],
    stdin: Annotated[Path | None, typer.Option("--stdin", help="A file fed to the program's stdin.")] = None,
    input_text: Annotated[str | None, typer.Option("--input", help="Text fed to the program's stdin.")] = None,
    time_limit: Annotated[float | None, typer.Option("--time-limit", help="CPU seconds.", min=0.05, max=60)] = None,
    memory_limit: Annotated[int | None, typer.Option("--memory-limit", help="MB.", min=16, max=4096)] = None,
    unsafe_no_sandbox: UnsafeOption = False,
    as_json: JsonOption = False,
) -> None:
    """Compile and run one program once (exit 0 even when the program fails; see `status`)."""
    import warnings

    from codesensei.errors import SenseiError
    from codesensei.runner.api import default_limits, run_program
    from codesensei.runner.languages import get_language
    from codesensei.runner.types import RunLimits

    source = _read_source(file)
    if stdin is not None and input_text is not None:
        fail("give --stdin or --input, not both", 2)
    feed = input_text or ""
    if stdin is not None:
        feed = _read_source(stdin)
    try:
        base = default_limits(get_language(lang))
    except SenseiError as exc:
        fail(exc.message, 2)
    limits = RunLimits(cpu_time_s=time_limit or base.cpu_time_s, memory_mb=memory_limit or base.memory_mb)
    if unsafe_no_sandbox:
        _warn_unsafe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = run_program(source, lang, feed, limits, unsafe_no_sandbox=unsafe_no_sandbox)
    if as_json:
        print_json(result.to_json())
        return
    from rich.table import Table

    table = Table(show_header=False, box=None)
    style = STATUS_STYLE.get(result.status, "red")
    table.add_row("status", f"[{style}]{result.status}[/]")
    for key in ("exit_code", "signal", "time_ms", "wall_ms", "memory_kb", "message"):
        value = getattr(result, key)
        if value not in (None, ""):
            table.add_row(key, str(value))
    console.print(table)
    for title, text in (
        ("compile output", result.compile_output),
        ("stdout", result.stdout),
        ("stderr", result.stderr),
    ):
        if text:
            console.rule(title)
            console.print(text, markup=False, highlight=False, end="" if text.endswith("\n") else "\n")


def load_code_question(value: str) -> CodeQuestion:
    """`--question`: an existing file (PATH or PATH#ID) is loaded from disk, anything else is an id."""
    from codesensei.bank.model import CodeQuestion
    from codesensei.errors import NotFound, ValidationFailed

    path_text, _, wanted = value.partition("#")
    path = Path(path_text)
    if path.exists():
        from codesensei.bank.files import load_questions

        found = [q for q in load_questions(path) if isinstance(q, CodeQuestion)]
        if wanted:
            found = [q for q in found if q.id == wanted]
        if not found:
            raise NotFound(f"no code question{' ' + repr(wanted) if wanted else ''} in {path}")
        if len(found) > 1:
            ids = ", ".join(q.id for q in found)
            raise ValidationFailed(f"{path} holds several code questions ({ids}); pick one with {path}#ID")
        return found[0]
    from codesensei.bank.lookup import find_question

    question = find_question(value)
    if not isinstance(question, CodeQuestion):
        raise ValidationFailed(f"question {value!r} is a {question.type} question, not a code question")
    return question


def judge_command(
    file: Annotated[Path, typer.Argument(help="The candidate's program.")],
    lang: Annotated[str, typer.Option("--lang", help="Language name (see `sensei languages`).")],
    question: Annotated[str, typer.Option("--question", help="A question id, a bank file, or FILE#ID.")],
    sample_only: Annotated[bool, typer.Option("--sample-only", help="Run only the sample tests.")] = False,
    unsafe_no_sandbox: UnsafeOption = False,
    as_json: JsonOption = False,
) -> None:
    """Judge a program against a code question's tests."""
    import warnings

    from codesensei.bank.model import CodeAnswer
    from codesensei.errors import SenseiError
    from codesensei.runner.judge import judge

    source = _read_source(file)
    try:
        code_question = load_code_question(question)
        answer = CodeAnswer(language=lang, source=source)
        from codesensei.runner.languages import get_language

        get_language(lang)
    except SenseiError as exc:
        fail(exc.message, 2)
    if unsafe_no_sandbox:
        _warn_unsafe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        report = judge(code_question, answer, include_hidden=not sample_only, unsafe_no_sandbox=unsafe_no_sandbox)
    if as_json:
        print_json(report.to_json())
        return
    from rich.table import Table

    table = Table(
        title=f"{code_question.id}: {report.verdict}  ({report.passed}/{report.total}, score {report.score:.2f})"
    )
    for column in ("test", "visibility", "verdict", "time ms", "memory KB", "message"):
        table.add_column(column)
    for test in report.tests:
        style = STATUS_STYLE.get(test.verdict, "red")
        table.add_row(
            test.name,
            test.visibility,
            f"[{style}]{test.verdict}[/]",
            f"{test.time_ms:.1f}",
            str(test.memory_kb),
            test.message[:80],
        )
    console.print(table)
    if report.compile_output:
        console.rule("compile output")
        console.print(report.compile_output, markup=False, highlight=False)
    if report.message:
        console.print(report.message, markup=False)


def languages_command(as_json: JsonOption = False) -> None:
    """List the languages with their detected toolchain versions; missing toolchains are marked."""
    from codesensei.runner.languages import all_languages, detect

    rows: list[dict[str, Any]] = []
    for name, language in all_languages().items():
        found = detect(name)
        rows.append(
            {
                "name": name,
                "title": language.title,
                "available": found.available,
                "version": found.version,
                "compiled": language.compiled,
                "time_s": language.limits.time_s,
                "memory_mb": language.limits.memory_mb,
            }
        )
    if as_json:
        print_json(rows)
        return
    from rich.table import Table

    table = Table()
    for column in ("language", "title", "version", "limits"):
        table.add_column(column)
    for row in rows:
        version = row["version"] if row["available"] else "[red]missing[/]"
        table.add_row(row["name"], row["title"], version, f"{row['time_s']:g} s, {row['memory_mb']} MB")
    console.print(table)


def setup_command(
    server_user: Annotated[
        str | None, typer.Option("--server-user", help="The unprivileged user the server runs as.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """One-time, as root: create the `sensei-box` user and the cgroup subtree delegated to the server."""
    from codesensei.runner.setup import setup_sandbox

    if os.geteuid() != 0:
        fail("`sensei sandbox setup` must run as root (e.g. with sudo)", 2)
    try:
        done = setup_sandbox(server_user or os.environ.get("SUDO_USER"))
    except (OSError, RuntimeError) as exc:
        fail(str(exc))
    if as_json:
        print_json(done)
    else:
        for step in done["steps"]:
            console.print(f"[green]✓[/] {step}")


def register(app: typer.Typer) -> None:
    """Add `run`, `judge`, `languages` and the `sandbox` group to the main `sensei` app."""
    app.command("run")(run_command)
    app.command("judge")(judge_command)
    app.command("languages")(languages_command)
    sandbox_app = typer.Typer(help="Prepare this machine for running candidate code.", no_args_is_help=True)
    sandbox_app.command("setup")(setup_command)
    app.add_typer(sandbox_app, name="sandbox")


def main() -> None:
    app = typer.Typer(no_args_is_help=True, add_completion=False)
    register(app)
    app()


if __name__ == "__main__":
    main()
