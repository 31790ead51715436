"""`sensei quiz`: take an assessment from scripts — start, resume, answer, skip, review, time, progress, submit…

The CLI has no accounts yet: `--user NAME` names the candidate, and `start` prints the attempt id and the
resume token the other commands take. Every command commits before it prints, so a printed
acknowledgement means the answer is stored.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from codesensei.cli.output import console, fail, print_json

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from codesensei.platform import Platform

app = typer.Typer(help="Take assessments from the terminal or scripts.", no_args_is_help=True)

T = TypeVar("T")
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON.")]
AttemptOpt = Annotated[str, typer.Option("--attempt", help="The attempt id printed by `start`.")]
TokenOpt = Annotated[str, typer.Option("--token", help="The resume token printed by `start`.")]
UserOpt = Annotated[str, typer.Option("--user", help="The candidate's name.")]


def attempt_work(
    platform: Platform, attempt_id: str | None, work: Callable[[Session], T], now: datetime | None = None
) -> T:
    """Submit the attempt first if its time ran out (its own transaction), then do `work` and commit.

    The auto-submit commits even when `work` is then refused, so a late answer leaves the attempt submitted.
    """
    from codesensei.sessions.attempts import expire_attempt
    from codesensei.store.db import unit_of_work

    if attempt_id is not None:
        with unit_of_work(platform.sessions) as session:
            expire_attempt(session, attempt_id, now)
    with unit_of_work(platform.sessions) as session:
        return work(session)


def _run(attempt_id: str | None, work: Callable[[Session], T]) -> T:
    """One command's work on the configured database (see `attempt_work`); typed errors print with their code."""
    from codesensei.errors import SenseiError
    from codesensei.platform import open_platform

    platform = open_platform()
    try:
        return attempt_work(platform, attempt_id, work)
    except SenseiError as exc:
        from rich.markup import escape

        fail(escape(f"{exc.message} [{exc.code}]"))
    finally:
        platform.close()


def _emit(data: dict[str, Any], as_json: bool, lines: list[str]) -> None:
    if as_json:
        print_json(data)
    else:
        for line in lines:
            console.print(line, highlight=False, soft_wrap=True)
    sys.stdout.flush()


def _question_lines(question: dict[str, Any] | None, position: int | None, total: int) -> list[str]:
    if question is None:
        return ["No question is waiting: submit the attempt (`sensei quiz submit`)."]
    # `start` does not know the total of an adaptive attempt, which grows as the engine picks items.
    of = f" of {total}" if total > 0 else ""
    lines = [f"[bold]Question {position}{of}[/] ({question['type']}, {question['points']:g} pt)",
             question["title"], question["text"]]
    for option in question.get("options", []):
        lines.append(f"  {option['key']}. {option['text']}")
    for n, item in enumerate(question.get("items", []), start=1):
        lines.append(f"  {n}. {item}")
    if question.get("rights"):
        lines.append("  match: " + ", ".join(question["lefts"]) + "  ⟶  " + ", ".join(question["rights"]))
    return lines


@app.command("list")
def list_(as_json: JsonFlag = False) -> None:
    """Published assessments a candidate can start (practice sessions are started with `sensei practice`)."""
    from codesensei.sessions.assessments import list_assessments
    from codesensei.sessions.practice import is_practice

    published = _run(None, lambda s: list_assessments(s, published_only=True))
    infos = [i for i in published if not is_practice(i.definition.id)]
    data = {"assessments": [{"id": i.definition.id, "title": i.definition.title, "mode": i.definition.mode,
                             "questions": i.definition.size, "duration_minutes": i.definition.duration_minutes}
                            for i in infos]}
    _emit(data, as_json, [f"{i.definition.id}  {i.definition.title}" for i in infos] or ["No published assessments."])


@app.command("start")
def start(assessment_id: str, user: UserOpt, as_json: JsonFlag = False) -> None:
    """Start an attempt; prints the attempt id and the resume token."""
    from codesensei.sessions.attempts import start_attempt

    started = _run(None, lambda s: start_attempt(s, assessment_id, user))
    data = started.to_json()
    question = data["question"]
    lines = [f"attempt: {started.attempt_id}", f"token: {started.token}",
             *_question_lines(question, 1 if question else None, 0)]
    _emit(data, as_json, lines)


@app.command("current")
def current(attempt: AttemptOpt, token: TokenOpt, as_json: JsonFlag = False) -> None:
    """The question waiting for an answer, as the candidate sees it."""
    from codesensei.sessions.attempts import current_question

    shown = _run(attempt, lambda s: current_question(s, attempt, token))
    data = shown.to_json()
    _emit(data, as_json, _question_lines(data["question"], shown.position, shown.total))


@app.command("resume")
def resume(
    attempt_id: Annotated[str, typer.Argument(help="The attempt id printed by `start`.")],
    token: TokenOpt,
    as_json: JsonFlag = False,
) -> None:
    """Where the attempt left off: the waiting question, time remaining and progress."""
    from codesensei.sessions.resume import resume_point

    point = _run(attempt_id, lambda s: resume_point(s, attempt_id, token))
    data = point.to_json()
    done = point.progress
    left = "no time limit" if point.time.remaining_s is None else f"{point.time.remaining_s:.0f} s left"
    lines = [f"attempt: {point.attempt_id} ({point.title}, {point.user}, {point.status})",
             f"time: {left}" if point.status == "in_progress" else f"submitted: {point.submit_reason}",
             f"progress: {done.answered} of {done.total} answered, {done.skipped} skipped"]
    if point.status == "in_progress":
        lines += _question_lines(data["question"], point.current.position, point.current.total)
    else:
        lines.append("The attempt is closed; see `sensei quiz results`.")
    _emit(data, as_json, lines)


def _parse_answer(answer: str | None, source: Path | None, language: str | None) -> object:
    if source is not None:
        try:
            text = source.read_text(encoding="utf-8")
        except OSError as exc:
            fail(f"cannot read {source}: {exc.strerror or exc}")
        return {"source": text, **({"language": language} if language else {})}
    if answer is None:
        fail("give the answer with --answer (JSON or plain text) or a program with --source FILE")
    try:
        return json.loads(answer)
    except json.JSONDecodeError:
        return answer


@app.command("answer")
def answer(
    attempt: AttemptOpt,
    token: TokenOpt,
    value: Annotated[str | None, typer.Option("--answer", help="The answer as JSON, or plain text.")] = None,
    source: Annotated[Path | None, typer.Option("--source", help="A program file, for code questions.")] = None,
    language: Annotated[str | None, typer.Option("--language", help="The program's language.")] = None,
    position: Annotated[int | None, typer.Option("--position", help="Answer this (skipped) question.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Answer the current question; the acknowledgement is printed only after the answer is stored."""
    from codesensei.sessions.answering import answer_question

    parsed = _parse_answer(value, source, language)
    ack = _run(attempt, lambda s: answer_question(s, attempt, token, parsed, position=position))
    lines = [f"recorded: question {ack.position} ({ack.status}, {ack.time_spent_s:g} s)"]
    if ack.feedback:
        fb = ack.feedback
        lines.append(f"  {fb['points_earned']:g}/{fb['points_possible']:g} — {fb['message']}")
    _emit(ack.to_json(), as_json, lines)


@app.command("skip")
def skip(
    attempt: AttemptOpt,
    token: TokenOpt,
    to: Annotated[int | None, typer.Option("--to", help="Go to this position instead of the next one.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Leave the current question for later and move on."""
    from codesensei.sessions.attempts import skip_question

    shown = _run(attempt, lambda s: skip_question(s, attempt, token, to=to))
    data = shown.to_json()
    _emit(data, as_json, _question_lines(data["question"], shown.position, shown.total))


@app.command("hint")
def hint(attempt: AttemptOpt, token: TokenOpt, as_json: JsonFlag = False) -> None:
    """The next hint for the current question (costs the assessment's hint penalty)."""
    from codesensei.sessions.answering import take_hint

    given = _run(attempt, lambda s: take_hint(s, attempt, token))
    _emit(given.to_json(), as_json, [f"hint {given.number}: {given.text} (−{given.penalty:g} pt)"])


@app.command("review")
def review_(attempt: AttemptOpt, token: TokenOpt, as_json: JsonFlag = False) -> None:
    """Every question of the attempt and its state."""
    from codesensei.sessions.status import review

    listed = _run(attempt, lambda s: review(s, attempt, token))
    lines = [f"{e.position:>3}. {e.question_id}  {e.status}  {e.time_spent_s:g} s" for e in listed.entries]
    _emit(listed.to_json(), as_json, lines)


@app.command("time")
def time_(attempt: AttemptOpt, token: TokenOpt, as_json: JsonFlag = False) -> None:
    """Time remaining on the server's clock."""
    from codesensei.sessions.status import time_status

    status = _run(attempt, lambda s: time_status(s, attempt, token))
    left = "no time limit" if status.remaining_s is None else f"{status.remaining_s:.0f} s left"
    _emit(status.to_json(), as_json, [f"{status.status}: {left}"])


@app.command("progress")
def progress_(attempt: AttemptOpt, token: TokenOpt, as_json: JsonFlag = False) -> None:
    """Answered, skipped and unanswered questions."""
    from codesensei.sessions.status import progress

    p = _run(attempt, lambda s: progress(s, attempt, token))
    _emit(p.to_json(), as_json, [f"{p.answered} of {p.total} answered, {p.skipped} skipped ({p.status})"])


def _report_lines(report: dict[str, Any]) -> list[str]:
    verdict = "passed" if report["passed"] else "not passed"
    lines = [f"{report['title']}: {report['points_earned']:g}/{report['points_possible']:g} "
             f"({report['percentage']:g} %, grade {report['grade']}, {verdict})"]
    lines += [f"  {q['position']:>3}. {q['question_id']}  {q['points_earned']:g}/{q['points_possible']:g}  "
              f"{q['time_spent_s']:g} s" for q in report["questions"]]
    lines += [f"  practise {topic}: {', '.join(ids)}" for topic, ids in report["remediation"].items() if ids]
    return lines


@app.command("submit")
def submit(attempt: AttemptOpt, token: TokenOpt, as_json: JsonFlag = False) -> None:
    """Submit the attempt; unanswered questions score nothing."""
    from codesensei.sessions.attempts import submit_attempt
    from codesensei.sessions.report import build_report

    def work(session: Session) -> dict[str, Any]:
        from codesensei.sessions.attempts import load

        submit_attempt(session, attempt, token)
        return build_report(session, load(session, attempt), "candidate").to_json()

    report = _run(attempt, work)
    _emit(report, as_json, ["submitted", *_report_lines(report)])


@app.command("results")
def results(attempt: AttemptOpt, token: TokenOpt, as_json: JsonFlag = False) -> None:
    """The attempt's report, as the assessment's feedback policy allows."""
    from codesensei.sessions.report import candidate_results

    report = _run(attempt, lambda s: candidate_results(s, attempt, token).to_json())
    _emit(report, as_json, _report_lines(report))


@app.command("history")
def history_(user: UserOpt, as_json: JsonFlag = False) -> None:
    """A candidate's attempts, oldest first."""
    from codesensei.sessions.report import history

    rows = _run(None, lambda s: history(s, user))
    lines = [f"{h.attempt_id}  {h.assessment_id} #{h.number}  {h.status}  "
             f"{'' if h.percentage is None else f'{h.percentage:g} %'}" for h in rows]
    _emit({"user": user, "attempts": [h.to_json() for h in rows]}, as_json, lines or ["No attempts."])


@app.command("metrics")
def metrics(user: UserOpt, scope: Annotated[list[str] | None, typer.Option("--scope")] = None,
            as_json: JsonFlag = False) -> None:
    """A candidate's per-scope averages (`easy#arrays`, `all#arrays`, `easy#all`, `all#all`)."""
    from codesensei.metrics.scopes import user_metrics

    rows = _run(None, lambda s: user_metrics(s, user, scope or ()))
    lines = [f"{m.scope:<30} n={m.count}  score {m.mean_score:.1f} %  time {m.mean_time_s:.1f} s" for m in rows]
    _emit({"user": user, "scopes": [m.to_json() for m in rows]}, as_json, lines or ["No metrics yet."])
