"""`sensei review` (the human review queue, grading, overrides, history) and `sensei regrade QUESTION`.

Every command commits before it prints, so a printed change is stored; `regrade --dry-run` writes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from codesensei.cli.output import console, fail, print_json

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from codesensei.sessions.regrade import RegradeReport
    from codesensei.sessions.review import ScoreChange

app = typer.Typer(help="Human review: the queue, grading by rubric or points, overrides, the audit trail.",
                  no_args_is_help=True)

T = TypeVar("T")
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON.")]
ReviewerOpt = Annotated[str, typer.Option("--reviewer", help="Who is grading (recorded in the audit trail).")]
PointsOpt = Annotated[float | None, typer.Option("--points", help="The item's new score, 0 to its points.")]


def register(main: typer.Typer) -> None:
    """Add the `review` group and the top-level `regrade` command to the main `sensei` app."""
    main.add_typer(app, name="review")
    main.command("regrade")(regrade)


def _run(work: Callable[[Session], T]) -> T:
    """One unit of work; a typed error becomes one line naming its stable code."""
    from codesensei.errors import SenseiError
    from codesensei.platform import platform_session

    try:
        with platform_session() as session:
            return work(session)
    except SenseiError as exc:
        from rich.markup import escape

        fail(escape(f"{exc.message} [{exc.code}]"))


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


@app.command("list")
def list_(
    assessment: Annotated[str | None, typer.Option("--assessment", help="Only this assessment.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Answers waiting for a reviewer (essays graded manually and anything a grader routed to review)."""
    from codesensei.sessions.review import review_queue

    entries = _run(lambda s: review_queue(s, assessment))
    if as_json:
        print_json({"items": [e.to_json() for e in entries]})
        return
    if not entries:
        console.print("Nothing is waiting for review.")
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"{len(entries)} answer(s) waiting for review")
    for name in ("attempt", "position", "user", "assessment", "question", "type", "points"):
        table.add_column(name, justify="right" if name in ("position", "points") else "left")
    for e in entries:
        table.add_row(e.attempt_id, str(e.position), escape(e.user), e.assessment_id, e.question_id, e.type,
                      f"{e.points_possible:g}")
    console.print(table)


@app.command("show")
def show(attempt: str, position: int, as_json: JsonFlag = False) -> None:
    """One answer with its question, rubric, key, the candidate's answer, the current score and its history."""
    from rich.markup import escape

    from codesensei.sessions.review import review_item

    item = _run(lambda s: review_item(s, attempt, position))
    if as_json:
        print_json(item.to_json())
        return
    state = "needs review" if item.needs_review else f"scored ({item.score_source})"
    lines = [
        f"[bold]{escape(item.title)}[/] — {item.question_id} v{item.question_version} ({item.type}), "
        f"attempt {item.attempt_id} #{item.position}, {escape(item.user)}",
        escape(item.text),
        f"grading: {item.grading_method}",
    ]
    for c in item.rubric:
        phrases = f" — key phrases: {', '.join(c['key_phrases'])}" if c["key_phrases"] else ""
        described = f": {c['description']}" if c["description"] else ""
        lines.append(escape(f"  • {c['name']} (weight {c['weight']:g}){described}{phrases}"))
    lines.append(escape(f"key / model answer: {_show(item.correct_answer)}"))
    lines.append("[bold]answer:[/]")
    lines.append(escape(_show(item.answer)))
    lines.append(f"score: {item.points_earned:g}/{item.points_possible:g} — {state}; hints {item.hints_used} "
                 f"(−{item.hint_penalty:g})")
    lines.append(escape(f"feedback: {item.feedback}"))
    for c in item.criteria:
        lines.append(escape(f"  {c['name']}: {c['points_earned']:g}/{c['points_possible']:g} {c['feedback']}"))
    for h in item.history:
        lines.append(escape(f"  {h.created_at:%Y-%m-%d %H:%M} {h.kind} by {h.actor}: {h.old_points:g} → "
                            f"{h.new_points:g}{' — ' + h.reason if h.reason else ''}"))
    for line in lines:
        console.print(line, highlight=False, soft_wrap=True)


def _parse_criteria(values: list[str]) -> dict[str, float]:
    parsed: dict[str, float] = {}
    for value in values:
        name, sep, score = value.rpartition("=")
        if not sep or not name.strip():
            fail(f"--criterion takes NAME=SCORE (a score from 0 to 1), not {value!r}", 2)
        try:
            parsed[name.strip()] = float(score)
        except ValueError:
            fail(f"--criterion {name.strip()!r}: {score!r} is not a number from 0 to 1", 2)
    return parsed


def _print_change(change: ScoreChange, as_json: bool) -> None:
    from rich.markup import escape

    if as_json:
        print_json(change.to_json())
        return
    flip = ""
    if change.attempt_passed_before != change.attempt_passed:
        flip = " (now passed)" if change.attempt_passed else " (no longer passed)"
    console.print(
        f"{change.kind}: question {change.position} of attempt {escape(change.attempt_id)}: "
        f"{change.old_points:g} → {change.new_points:g}/{change.points_possible:g}; attempt "
        f"{change.attempt_points_earned:g}/{change.attempt_points_possible:g} ({change.attempt_percentage:g} %), "
        f"{'passed' if change.attempt_passed else 'not passed'}{flip}; results {change.state.replace('_', ' ')}",
        highlight=False, soft_wrap=True,
    )


@app.command("grade")
def grade(
    attempt: str,
    position: int,
    reviewer: ReviewerOpt,
    points: PointsOpt = None,
    criterion: Annotated[list[str] | None, typer.Option(
        "--criterion", help="NAME=SCORE for each rubric criterion, SCORE from 0 to 1 (repeat the option).")] = None,
    reason: Annotated[str, typer.Option("--reason", help="A note for the audit trail.")] = "",
    as_json: JsonFlag = False,
) -> None:
    """Grade an answer that needs review: by rubric (criterion scores weighted by the rubric) or with points."""
    from codesensei.sessions.review import grade_item

    criteria = _parse_criteria(criterion or [])
    change = _run(lambda s: grade_item(s, attempt, position, reviewer=reviewer, points=points,
                                       criteria=criteria or None, reason=reason))
    _print_change(change, as_json)


@app.command("override")
def override(
    attempt: str,
    position: int,
    points: Annotated[float, typer.Option("--points", help="The item's new score, 0 to its points.")],
    reason: Annotated[str, typer.Option("--reason", help="Why the score changes (required, audited).")],
    reviewer: ReviewerOpt,
    as_json: JsonFlag = False,
) -> None:
    """Replace any automatic score; the reason is required and recorded in the audit trail."""
    from codesensei.sessions.review import override_score

    change = _run(lambda s: override_score(s, attempt, position, points=points, reason=reason, reviewer=reviewer))
    _print_change(change, as_json)


@app.command("ai-grade")
def ai_grade(
    assessment: Annotated[str | None, typer.Option("--assessment", help="Only this assessment's answers.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Grade queued answers whose questions ask for AI grading with the configured model (SENSEI_LLM_*)."""
    from codesensei.assistant.ai_review import ai_grade_queue
    from codesensei.assistant.service import model_from_settings
    from codesensei.settings import load_settings

    model = model_from_settings(load_settings())
    if model is None:
        fail("no model is configured: set SENSEI_LLM_BASE_URL and SENSEI_LLM_MODEL [configuration_error]")
    outcomes = _run(lambda s: ai_grade_queue(s, model, assessment_id=assessment))
    if as_json:
        print_json([o.to_json() for o in outcomes])
        return
    for o in outcomes:
        state = "graded" if o.graded else "left for review"
        console.print(f"{o.attempt_id} #{o.position} {o.question_id}: {o.points_earned:g}/{o.points_possible:g} "
                      f"({state})", highlight=False, markup=False)
    console.print(f"{sum(o.graded for o in outcomes)} of {len(outcomes)} answer(s) graded by the model.")


@app.command("history")
def history(attempt: str, as_json: JsonFlag = False) -> None:
    """Every score change of an attempt (reviews, overrides, regrades), oldest first."""
    from codesensei.sessions.review import audit_history

    entries = _run(lambda s: audit_history(s, attempt))
    if as_json:
        print_json({"attempt_id": attempt, "changes": [e.to_json() for e in entries]})
        return
    if not entries:
        console.print("No score changes.")
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=escape(f"Score changes of attempt {attempt}"))
    for name in ("when", "position", "question", "kind", "by", "points", "reason"):
        table.add_column(name)
    for e in entries:
        table.add_row(f"{e.created_at:%Y-%m-%d %H:%M:%S}", str(e.position), f"{e.question_id} v{e.question_version}",
                      e.kind, escape(e.actor), f"{e.old_points:g} → {e.new_points:g}", escape(e.reason))
    console.print(table)


def _print_regrade(report: RegradeReport) -> None:
    from rich.markup import escape
    from rich.table import Table

    verb = "would change" if report.dry_run else "changed"
    console.print(
        f"{report.question_id} v{report.version}: {report.examined} answer(s) examined, {len(report.changes)} "
        f"{verb}, {report.unchanged} unchanged, {len(report.skipped_reviewed)} skipped (reviewed), "
        f"{len(report.failed)} could not be graded" + (" — dry run, nothing written" if report.dry_run else ""),
        highlight=False, soft_wrap=True,
    )
    if report.changes:
        outcome = {a.attempt_id: a for a in report.attempts}
        table = Table()
        for name in ("attempt", "user", "position", "version", "points", "attempt %", "pass/fail"):
            table.add_column(name, justify="right" if name in ("position", "points", "attempt %") else "left")
        for c in report.changes:
            a = outcome[c.attempt_id]
            flip = ""
            if a.old_passed is not None and a.new_passed is not None:
                flip = ("pass" if a.old_passed else "fail") + (
                    f" → {'pass' if a.new_passed else 'fail'}" if a.flipped else "")
            table.add_row(c.attempt_id, escape(c.user), str(c.position), f"{c.old_version} → {c.new_version}",
                          f"{c.old_points:g} → {c.new_points:g}/{c.new_points_possible:g}",
                          f"{a.old_percentage:g} → {a.new_percentage:g}", flip)
        console.print(table)
    for note in report.skipped_reviewed:
        console.print(escape(f"  skipped {note.attempt_id} #{note.position} ({note.user}): {note.message}"),
                      highlight=False)
    for note in report.failed:
        detail = escape(f"{note.attempt_id} #{note.position} ({note.user}): {note.message}")
        console.print(f"  [red]not graded[/] {detail}", highlight=False)


def regrade(
    question: Annotated[str, typer.Argument(help="The question id whose answers to grade again.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change; write nothing.")] = False,
    include_reviewed: Annotated[bool, typer.Option(
        "--include-reviewed", help="Also regrade answers a reviewer scored (by review or override).")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Grade every answer to QUESTION again with its current version (code in the sandbox); audited."""
    from codesensei.sessions.regrade import regrade_question

    report = _run(lambda s: regrade_question(s, question, dry_run=dry_run, include_reviewed=include_reviewed))
    if as_json:
        print_json(report.to_json())
    else:
        _print_regrade(report)
