"""`sensei take`: a whole attempt in the terminal, question by question, with Rich.

The loop (`TakeLoop`) talks to the candidate only through a `Terminal` (a Rich console, a line reader and an
editor) and to the attempt only through an `AttemptClient`, whose every call is one committed unit of work on
the server's clock, exactly like the `sensei quiz` scripting commands. So a printed acknowledgement means the
answer is stored, a killed terminal loses only what was being typed, and tests drive the loop in-process.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, Protocol, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from codesensei.cli.output import console as default_console

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from codesensei.assistant.context import RequestKind
    from codesensei.assistant.service import AssistantReply
    from codesensei.platform import Platform
    from codesensei.runner.types import JudgeReport
    from codesensei.sessions.answering import AnswerAck, Hint
    from codesensei.sessions.attempts import CurrentQuestion
    from codesensei.sessions.judging import Judge
    from codesensei.sessions.report import AttemptReport
    from codesensei.sessions.resume import ResumePoint
    from codesensei.sessions.status import Progress, Review, TimeStatus

T = TypeVar("T")
Outcome = Literal["submitted", "time_up", "quit"]

HELP = """\
Commands, at any prompt:
  :skip       leave this question for later        :hint      the next hint
  :review     every question and its state          :time      time remaining
  :progress   answered and skipped questions        :submit    submit the attempt (asks first)
  :quit       leave now; prints how to resume       :help      this list
  :ask [TEXT] the assistant: why your last run fails, or your question (where the assessment allows)"""
GLOBAL_COMMANDS = (":skip", ":hint", ":review", ":time", ":progress", ":submit", ":quit", ":help", ":ask")
CODE_HELP = """\
Write the program: `edit` opens $EDITOR on it (starter code first), `:file PATH` reads a file,
`paste` takes lines ended by a line holding only `.`; `lang NAME` switches language, `show` prints
the program, `run` tries it on the sample tests, `submit` hands it in."""
BLANK = re.compile(r"\{\{\s*(\d+)\s*\}\}")
CODE_SPAN = re.compile(r"`([^`]+)`")
YES = ("y", "yes")


# ---- the terminal port --------------------------------------------------------------------------------


class Terminal(Protocol):
    """What the loop needs from a terminal; tests pass a scripted one."""

    @property
    def console(self) -> Console: ...

    def ask(self, prompt: str) -> str:
        """One line typed after `prompt` (Rich markup); EOFError when input ends."""
        ...

    def edit(self, text: str, suffix: str) -> str | None:
        """`text` after the candidate edited it in their editor, or None when no editor is configured."""
        ...


class RichTerminal:
    """The real terminal: Rich output, line input, and $VISUAL/$EDITOR on a temporary file."""

    def __init__(self, console: Console) -> None:
        self._console = console

    @property
    def console(self) -> Console:
        return self._console

    def ask(self, prompt: str) -> str:
        return self._console.input(prompt)

    def edit(self, text: str, suffix: str) -> str | None:
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        if not editor:
            return None
        handle, name = tempfile.mkstemp(prefix="sensei-", suffix=suffix)
        path = Path(name)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(text)
            # The candidate's own editor on their own draft: nothing of the candidate's program is executed.
            subprocess.run([*shlex.split(editor), str(path)], check=False)
            return path.read_text(encoding="utf-8")
        finally:
            path.unlink(missing_ok=True)


# ---- the attempt, one committed call at a time --------------------------------------------------------


class AttemptClient:
    """One attempt seen from the terminal: every call expires an overdue attempt, then works and commits."""

    def __init__(
        self,
        platform: Platform,
        attempt_id: str,
        token: str,
        *,
        judge: Judge | None = None,
        sample_judge: Judge | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        from codesensei.sessions.clock import now_utc

        self.platform = platform
        self.attempt_id = attempt_id
        self.token = token
        self.judge = judge
        self.sample_judge = sample_judge
        self.clock = clock or now_utc

    def _call(self, work: Callable[[Session, datetime], T]) -> T:
        from codesensei.cli.quiz import attempt_work

        now = self.clock()
        return attempt_work(self.platform, self.attempt_id, lambda session: work(session, now), now)

    def resume(self) -> ResumePoint:
        from codesensei.sessions.resume import resume_point

        return self._call(lambda s, now: resume_point(s, self.attempt_id, self.token, now))

    def answer(self, value: object, position: int | None) -> AnswerAck:
        from codesensei.sessions.answering import answer_question

        return self._call(lambda s, now: answer_question(
            s, self.attempt_id, self.token, value, position=position, now=now, judge=self.judge
        ))

    def skip(self, to: int | None = None) -> CurrentQuestion:
        from codesensei.sessions.attempts import skip_question

        return self._call(lambda s, now: skip_question(s, self.attempt_id, self.token, to=to, now=now))

    def hint(self) -> Hint:
        from codesensei.sessions.answering import take_hint

        return self._call(lambda s, now: take_hint(s, self.attempt_id, self.token, now))

    def ask(self, message: str, draft: Draft | None) -> AssistantReply:
        """The assistant on the current question; a model answers when one is configured, else the offline one."""
        from codesensei.assistant.service import ask, model_from_settings

        settings = self.platform.settings
        model = model_from_settings(settings)
        kind: RequestKind = "chat" if message else "explain"
        return self._call(lambda s, now: ask(
            s, self.attempt_id, self.token, kind, message, settings=settings,
            code=draft.source if draft else None, language=draft.language if draft else None,
            model=model, run_samples=self.sample_judge, now=now,
        ))

    def review(self) -> Review:
        from codesensei.sessions.status import review

        return self._call(lambda s, now: review(s, self.attempt_id, self.token, now))

    def time(self) -> TimeStatus:
        from codesensei.sessions.status import time_status

        return self._call(lambda s, now: time_status(s, self.attempt_id, self.token, now))

    def progress(self) -> Progress:
        from codesensei.sessions.status import progress

        return self._call(lambda s, now: progress(s, self.attempt_id, self.token, now))

    def run_samples(self, program: dict[str, str]) -> JudgeReport:
        """Judge against the sample tests; the question is read in one transaction and judged outside any."""
        from codesensei.sessions.samples import run_samples, sample_target

        target = self._call(lambda s, now: sample_target(s, self.attempt_id, self.token, now))
        return run_samples(target, program, self.sample_judge)

    def submit(self) -> AttemptReport:
        from codesensei.sessions.attempts import load, submit_attempt
        from codesensei.sessions.report import build_report

        def work(session: Session, now: datetime) -> AttemptReport:
            submit_attempt(session, self.attempt_id, self.token, now)
            return build_report(session, load(session, self.attempt_id), "candidate")

        return self._call(work)

    def results(self) -> AttemptReport:
        from codesensei.sessions.report import candidate_results

        return self._call(lambda s, now: candidate_results(s, self.attempt_id, self.token, now))


# ---- reading typed answers ----------------------------------------------------------------------------


class Retry(Exception):
    """The input was not understood; the message says what is expected, and the question is asked again."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Move(Exception):
    """Leave the current question: skip it, jump to another, submit the attempt, or quit the terminal."""

    def __init__(self, kind: Literal["skip", "jump", "submit", "quit"], position: int | None = None) -> None:
        super().__init__(kind)
        self.kind = kind
        self.position = position


def parse_choice(text: str, keys: list[str]) -> str:
    """One option key (any case)."""
    wanted = text.strip()
    for key in keys:
        if key.casefold() == wanted.casefold():
            return key
    raise Retry(f"type one of the option keys: {', '.join(keys)}")


def parse_choices(text: str, keys: list[str]) -> list[str]:
    """Option keys separated by commas or spaces; at least one, each once."""
    parts = [p for p in re.split(r"[\s,;]+", text.strip()) if p]
    if not parts:
        raise Retry(f"type one or more option keys separated by commas: {', '.join(keys)}")
    chosen = [parse_choice(p, keys) for p in parts]
    return list(dict.fromkeys(chosen))


def parse_bool(text: str) -> bool:
    word = text.strip().casefold()
    if word in ("t", "true", "y", "yes"):
        return True
    if word in ("f", "false", "n", "no"):
        return False
    raise Retry("type true or false (t/f)")


def parse_numbers(text: str, count: int) -> list[int]:
    parts = [p for p in re.split(r"[\s,;]+", text.strip()) if p]
    if not all(p.isdigit() for p in parts) or not parts:
        raise Retry(f"type item numbers between 1 and {count}, separated by spaces or commas")
    numbers = [int(p) for p in parts]
    if any(not 1 <= n <= count for n in numbers):
        raise Retry(f"item numbers run from 1 to {count}")
    return numbers


def parse_order(text: str, items: list[str]) -> list[str]:
    """The shown item numbers in the candidate's order, every item exactly once."""
    numbers = parse_numbers(text, len(items))
    if sorted(numbers) != list(range(1, len(items) + 1)):
        raise Retry(f"give every item number from 1 to {len(items)} exactly once, first to last")
    return [items[n - 1] for n in numbers]


def parse_match(text: str, rights: list[str]) -> str | None:
    """The number of the right-hand item for one left item; empty leaves it unmatched."""
    if not text.strip():
        return None
    numbers = parse_numbers(text, len(rights))
    if len(numbers) != 1:
        raise Retry(f"type one number between 1 and {len(rights)} (or nothing to leave it unmatched)")
    return rights[numbers[0] - 1]


# ---- showing things -----------------------------------------------------------------------------------


def pts(value: float) -> str:
    """Points as people write them: 0.33, not 0.333333."""
    return f"{round(value, 2):g}"


def clock_text(seconds: float | None) -> str:
    if seconds is None:
        return "no time limit"
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return (f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}") + " left"


def inline(text: str) -> Text:
    """Option and item text as one line, with `code` spans styled rather than rendered as blocks."""
    line = Text()
    for index, part in enumerate(CODE_SPAN.split(text)):
        line.append(part, style="bold cyan" if index % 2 else "")
    return line


def answer_text(value: Any) -> str:
    """A correct answer from the feedback, readably."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(answer_text(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k} → {answer_text(v)}" for k, v in value.items())
    return str(value)


def _lexer(language: str) -> str:
    return {"cpp": "cpp", "javascript": "javascript", "rust": "rust", "java": "java", "c": "c"}.get(language, "python")


def _suffix(language: str) -> str:
    from codesensei.errors import SenseiError
    from codesensei.runner.languages import get_language

    try:
        return Path(get_language(language).source_file).suffix or ".txt"
    except SenseiError:
        return ".txt"


def render_report(out: Console, report: AttemptReport) -> None:
    """The results report (the same `AttemptReport` `sensei quiz results` prints)."""
    from rich.table import Table

    out.rule("[bold]Results[/]")
    if report.submit_reason == "time_up":
        out.print("Time ran out: the attempt was submitted automatically.", style="yellow")
    verdict = "[green]passed[/]" if report.passed else "[red]not passed[/]"
    out.print(
        f"[bold]{escape(report.title)}[/]: {pts(report.points_earned)}/{pts(report.points_possible)} "
        f"({report.percentage:g} %, grade {report.grade}, {verdict})", highlight=False,
    )
    if not report.questions:
        out.print("The assessment's feedback policy shows no per-question results.")
        return
    table = Table()
    for column in ("#", "question", "type", "status", "points", "time", "hints"):
        table.add_column(column)
    for q in report.questions:
        style = "green" if q.correct else "yellow" if q.needs_review else "red"
        table.add_row(
            str(q.position), escape(q.title), q.type, q.status + (" (review)" if q.needs_review else ""),
            f"[{style}]{pts(q.points_earned)}/{pts(q.points_possible)}[/]", f"{q.time_spent_s:.0f} s",
            str(q.hints_used),
        )
    out.print(table)
    if report.pending_review:
        out.print(f"{report.pending_review} answer(s) await a reviewer; the score may still change.")
    for topic, ids in report.remediation.items():
        if ids:
            name = escape(topic)
            out.print(f"Practise [bold]{name}[/]: {', '.join(ids)}  (or `sensei practice --topic {name}`)",
                      highlight=False)


# ---- the loop -----------------------------------------------------------------------------------------


@dataclass
class Draft:
    language: str
    source: str


@dataclass
class TakeLoop:
    """One attempt, from the question waiting now to the results (or until the candidate leaves)."""

    client: AttemptClient
    terminal: Terminal
    resume_command: str
    drafts: dict[str, Draft] = field(default_factory=dict)
    can_skip: bool = True
    position: int | None = None
    current_question_id: str | None = None

    @property
    def out(self) -> Console:
        return self.terminal.console

    def say(self, text: str, **options: Any) -> None:
        self.out.print(text, highlight=False, **options)

    def error(self, message: str) -> None:
        self.out.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)

    # ---- the whole attempt ----

    def run(self) -> Outcome:
        from codesensei.sessions.errors import AttemptClosed

        try:
            return self._questions()
        except AttemptClosed as exc:
            # The server's clock decided (or another terminal submitted): say so, then show what was recorded.
            self.error(exc.message)
            report = self.client.results()
            render_report(self.out, report)
            return "time_up" if report.submit_reason == "time_up" else "submitted"
        except (Move, KeyboardInterrupt, EOFError):
            self.leave()
            return "quit"

    def leave(self) -> None:
        self.say("\nYour answers so far are saved. To continue later:")
        self.say(f"  {self.resume_command}", style="bold", soft_wrap=True)

    def _questions(self) -> Outcome:
        while True:
            point = self.client.resume()
            self.can_skip = point.can_skip
            if point.status != "in_progress":
                report = self.client.results()
                render_report(self.out, report)
                return "time_up" if report.submit_reason == "time_up" else "submitted"
            question = point.current.question
            if question is None:
                if not self._confirm_finish(point):
                    raise Move("quit")
                return self._submit()
            self.position = point.current.position
            self.current_question_id = question.question_id
            self._show(point, question.to_json())
            try:
                self._answer(question.to_json())
            except Move as move:
                if move.kind == "quit":
                    raise
                if move.kind == "submit":
                    return self._submit()
                self._move(move)

    def _submit(self) -> Outcome:
        report = self.client.submit()
        self.say("[green]Submitted.[/]")
        render_report(self.out, report)
        return "submitted"

    def _confirm_finish(self, point: ResumePoint) -> bool:
        if point.current.stop_reason:
            self.say(f"The adaptive test has finished ({point.current.stop_reason.replace('_', ' ')}).")
        else:
            self.say("Every question has an answer.")
        return self._yes_no("Submit the attempt now? [Y/n] ", default=True)

    def _yes_no(self, prompt: str, *, default: bool) -> bool:
        while True:
            reply = self.terminal.ask(prompt).strip().casefold()
            if not reply:
                return default
            if reply in ("y", "yes", "n", "no"):
                return reply in YES
            self.error("answer y or n")

    def _move(self, move: Move) -> None:
        from codesensei.errors import SenseiError
        from codesensei.sessions.errors import AttemptClosed

        try:
            self.client.skip(to=move.position)
        except AttemptClosed:
            raise
        except SenseiError as exc:
            self.error(exc.message)

    # ---- showing a question ----

    def _show(self, point: ResumePoint, view: dict[str, Any]) -> None:
        from rich.markdown import Markdown
        from rich.panel import Panel

        done = point.progress
        of = f" of {point.current.total}" if point.mode != "adaptive" else ""
        self.out.print()
        self.out.rule(f"[bold]{escape(point.title)}[/]")
        self.say(
            f"Question {point.current.position}{of}  ·  {clock_text(point.time.remaining_s)}  ·  "
            f"{done.answered} answered, {done.skipped} skipped"
        )
        if point.time.question_remaining_s is not None:
            self.say(f"This question: {clock_text(point.time.question_remaining_s)}")
        text = BLANK.sub(lambda m: f"⟨{m.group(1)}⟩", view["text"])
        self.out.print(Panel(
            Markdown(text, code_theme="monokai"),
            title=f"[bold]{escape(view['title'])}[/]",
            subtitle=f"{view['type']} · {view['points']:g} pt · {view['question_id']}",
            title_align="left", subtitle_align="right",
        ))
        kind = view["type"]
        for option in view.get("options", []):
            self.out.print(inline(f"  {option['key']}. {option['text']}"))
        if kind == "ordering":
            self.say("Items:")
            for n, item in enumerate(view["items"], start=1):
                self.out.print(inline(f"  {n}. {item}"))
        if kind == "matching":
            self.say("Right-hand items:")
            for n, right in enumerate(view["rights"], start=1):
                self.out.print(inline(f"  {n}) {right}"))
        if kind == "code":
            self._show_code(view)
        if view.get("hints_available"):
            self.say(f"[dim]{view['hints_available']} hint(s) available: :hint[/]")

    def _show_code(self, view: dict[str, Any]) -> None:
        from rich.syntax import Syntax

        limits = view["limits"]
        self.say(f"Languages: {', '.join(view['languages'])}  ·  limits {limits['time_s']:g} s, "
                 f"{limits['memory_mb']} MB")
        draft = self.drafts.get(view["question_id"])
        language = draft.language if draft else view["languages"][0]
        source = draft.source if draft else view["starter"].get(language, "")
        if source.strip():
            self.say(f"{'Your draft' if draft else 'Starter code'} ({language}):")
            self.out.print(Syntax(source, _lexer(language), line_numbers=True, theme="monokai"))
        for test in view["sample_tests"]:
            if "input" in test:
                self.say(f"  sample {test['name']}: input {test['input']!r} → {test['expected']!r}", markup=False)
            else:
                args = ", ".join(json.dumps(a) for a in test["args"])
                self.say(f"  sample {test['name']}: {view['entry_point']}({args}) → {json.dumps(test['expected'])}",
                         soft_wrap=True, markup=False)

    # ---- reading ----

    def read(self, prompt: str, passthrough: tuple[str, ...] = ()) -> str:
        """A line of answer; commands are handled here, and the ones in `passthrough` go back to the caller."""
        from codesensei.errors import SenseiError
        from codesensei.sessions.errors import AttemptClosed

        while True:
            line = self.terminal.ask(prompt)
            word, _, _ = line.strip().partition(" ")
            if not word.startswith(":") or word in passthrough:
                return line
            if word not in GLOBAL_COMMANDS:
                self.error(f"unknown command {word}; :help lists the commands")
                continue
            try:
                self._command(word, line.strip().partition(" ")[2].strip())
            except AttemptClosed:
                raise
            except SenseiError as exc:
                self.error(exc.message)

    def _command(self, word: str, rest: str = "") -> None:
        if word == ":help":
            self.say(HELP)
        elif word == ":ask":
            from rich.markdown import Markdown

            current = self.current_question_id
            reply = self.client.ask(rest, self.drafts.get(current) if current else None)
            self.out.print(Markdown(reply.text))
            self.say(f"[dim]assistant: {escape(reply.provider)}[/]")
        elif word == ":quit":
            raise Move("quit")
        elif word == ":skip":
            if not self.can_skip:
                self.error("this assessment is answered in order; questions cannot be skipped")
                return
            raise Move("skip")
        elif word == ":hint":
            hint = self.client.hint()
            cost = f" (−{hint.penalty:g} pt)" if hint.penalty else ""
            shown = inline(f"Hint {hint.number}{cost}: {hint.text}")
            shown.stylize("yellow", 0, len(f"Hint {hint.number}{cost}:"))
            self.out.print(shown)
        elif word == ":time":
            status = self.client.time()
            line = f"Time: {clock_text(status.remaining_s)}"
            if status.question_remaining_s is not None:
                line += f"; this question: {clock_text(status.question_remaining_s)}"
            self.say(line)
        elif word == ":progress":
            p = self.client.progress()
            self.say(f"Progress: {p.answered} of {p.total} answered, {p.skipped} skipped, {p.unanswered} to go")
        elif word == ":review":
            self._review()
        elif word == ":submit":
            p = self.client.progress()
            warning = f" {p.unanswered} unanswered question(s) will score nothing." if p.unanswered else ""
            if self._yes_no(f"Submit the attempt?{warning} [y/N] ", default=False):
                raise Move("submit")
            self.say("Not submitted.")

    def _review(self) -> None:
        from rich.table import Table

        listed = self.client.review()
        table = Table()
        for column in ("#", "question", "status", "hints", "time"):
            table.add_column(column)
        for e in listed.entries:
            marker = "▶ " if e.position == self.position else ""
            table.add_row(
                f"{marker}{e.position}", e.question_id, e.status, str(e.hints_used), f"{e.time_spent_s:.0f} s"
            )
        self.out.print(table)
        open_positions = [e.position for e in listed.entries if e.status in ("pending", "skipped")]
        if not self.can_skip or len(open_positions) < 2:
            return
        reply = self.terminal.ask("Go to question (number, Enter to stay): ").strip()
        if not reply:
            return
        if not reply.isdigit() or int(reply) not in open_positions:
            self.error(f"choose one of the unanswered questions: {', '.join(map(str, open_positions))}")
            return
        if int(reply) != self.position:
            raise Move("jump", int(reply))

    def read_lines(self, prompt: str = "… ") -> str:
        """Several lines, ended by a line holding only `.`."""
        lines: list[str] = []
        while True:
            line = self.read(prompt)
            if line.strip() == ".":
                return "\n".join(lines) + ("\n" if lines else "")
            lines.append(line)

    # ---- answering ----

    def _answer(self, view: dict[str, Any]) -> None:
        """Ask until an answer is recorded (or a command moves away); show the feedback the policy allows."""
        from codesensei.errors import SenseiError
        from codesensei.sessions.errors import AttemptClosed

        while True:
            value = self._typed(view)
            try:
                ack = self.client.answer(value, self.position)
            except AttemptClosed:
                raise
            except SenseiError as exc:
                self.error(exc.message)
                continue
            self._feedback(ack)
            return

    def _typed(self, view: dict[str, Any]) -> object:
        kind = view["type"]
        while True:
            try:
                if kind == "mcq":
                    return parse_choice(self.read("Answer (option key)> "), [o["key"] for o in view["options"]])
                if kind == "mcq_multi":
                    keys = [o["key"] for o in view["options"]]
                    return parse_choices(self.read("Answers (keys, comma-separated)> "), keys)
                if kind == "true_false":
                    return parse_bool(self.read("True or false> "))
                if kind == "short_answer":
                    text = self.read("Answer> ").strip()
                    if not text:
                        raise Retry("type an answer (or :skip)")
                    return text
                if kind == "fill_blank":
                    return [self.read(f"Blank {n}> ").strip() for n in range(1, view["blanks"] + 1)]
                if kind == "matching":
                    return self._matching(view)
                if kind == "ordering":
                    return parse_order(self.read("Order (item numbers, first to last)> "), view["items"])
                if kind == "essay":
                    return self._essay(view)
                return self._code(view)
            except Retry as retry:
                self.error(retry.message)

    def _matching(self, view: dict[str, Any]) -> dict[str, str]:
        chosen: dict[str, str] = {}
        self.say("For each item, type the number of its right-hand item (Enter leaves it unmatched).")
        for left in view["lefts"]:
            while True:
                try:
                    right = parse_match(self.read(f"{escape(left.replace('`', ''))} → number> "), view["rights"])
                    break
                except Retry as retry:
                    self.error(retry.message)
            if right is not None:
                chosen[left] = right
        return chosen

    def _essay(self, view: dict[str, Any]) -> str:
        limits = [f"at least {view['min_words']} words" if view.get("min_words") else "",
                  f"at most {view['max_words']} words" if view.get("max_words") else ""]
        wanted = " and ".join(x for x in limits if x)
        self.say(f"Write your answer{f' ({wanted})' if wanted else ''}; end it with a line holding only `.`, "
                 "or type :edit to use your editor.")
        first = self.read("… ", passthrough=(":edit",))
        if first.strip() == ":edit":
            text = self.terminal.edit("", ".md")
            if text is None:
                raise Retry("no editor is set ($VISUAL or $EDITOR); type the answer instead")
        elif first.strip() == ".":
            text = ""
        else:
            rest = self.read_lines()
            text = first + "\n" + rest
        if not text.strip():
            raise Retry("the answer is empty")
        self.say(f"{len(text.split())} words.")
        return text

    def _code(self, view: dict[str, Any]) -> dict[str, str]:
        from rich.syntax import Syntax

        languages: list[str] = view["languages"]
        starter: dict[str, str] = view["starter"]
        draft = self.drafts.setdefault(view["question_id"], Draft(languages[0], starter.get(languages[0], "")))
        self.say(CODE_HELP)
        while True:
            line = self.read(f"code \\[{draft.language}]> ", passthrough=(":file", ":edit")).strip()
            command, _, argument = line.partition(" ")
            argument = argument.strip()
            if command == ":file":
                if not argument:
                    self.error("give the path: :file PATH")
                    continue
                path = Path(argument).expanduser()
                try:
                    draft.source = path.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError) as exc:
                    self.error(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}")
                    continue
                self.say(f"Read {len(draft.source.splitlines())} line(s) from {escape(str(path))}.")
            elif command in ("edit", ":edit"):
                edited = self.terminal.edit(draft.source, _suffix(draft.language))
                if edited is None:
                    self.error("no editor is set ($VISUAL or $EDITOR); use :file PATH or paste")
                else:
                    draft.source = edited
                    self.say(f"Program: {len(draft.source.splitlines())} line(s).")
            elif command == "paste":
                self.say("Paste the program; end with a line holding only `.`.")
                draft.source = self.read_lines("")
            elif command == "lang":
                if argument not in languages:
                    self.error(f"choose one of: {', '.join(languages)}")
                    continue
                if draft.source == starter.get(draft.language, ""):
                    draft.source = starter.get(argument, "")
                draft.language = argument
            elif command == "show":
                self.out.print(Syntax(draft.source or " ", _lexer(draft.language), line_numbers=True, theme="monokai"))
            elif command == "run":
                self._run_samples(draft)
            elif command == "submit":
                if not draft.source.strip():
                    self.error("the program is empty")
                    continue
                return {"language": draft.language, "source": draft.source}
            elif command:
                self.say(CODE_HELP)

    def _run_samples(self, draft: Draft) -> None:
        from rich.table import Table

        from codesensei.errors import SenseiError
        from codesensei.sessions.errors import AttemptClosed

        self.say("Running the sample tests…")
        try:
            report = self.client.run_samples({"language": draft.language, "source": draft.source})
        except AttemptClosed:
            raise
        except SenseiError as exc:
            self.error(exc.message)
            return
        style = "green" if report.verdict == "accepted" else "red"
        table = Table(title=f"sample tests: [{style}]{report.verdict}[/] ({report.passed}/{report.total})")
        for column in ("test", "verdict", "time ms", "output", "expected"):
            table.add_column(column)
        for test in report.tests:
            mark = "green" if test.passed else "red"
            table.add_row(escape(test.name), f"[{mark}]{test.verdict}[/]", f"{test.time_ms:.0f}",
                          escape((test.stdout or test.message or "").strip()[:60]),
                          escape((test.expected or "").strip()[:60]))
        self.out.print(table)
        if report.compile_output:
            self.out.print(report.compile_output, markup=False, highlight=False)

    def _feedback(self, ack: AnswerAck) -> None:
        from rich.markdown import Markdown

        fb = ack.feedback
        if ack.status == "timed_out":
            self.say(f"[yellow]Recorded after the question's time limit:[/] question {ack.position} scores nothing.")
        if fb is None:
            self.say(f"[green]✓ Recorded[/] question {ack.position}.")
            return
        if fb.get("needs_review"):
            head = "[yellow]… awaiting review[/]"
        elif fb["correct"]:
            head = "[green]✓ correct[/]"
        elif fb["points_earned"] > 0:
            head = "[yellow]◐ partly correct[/]"
        else:
            head = "[red]✗ not correct[/]"
        self.say(f"Recorded question {ack.position}: {head}  {pts(fb['points_earned'])}/{pts(fb['points_possible'])} pt"
                 f"  {escape(fb['message'])}")
        if fb.get("correct_answer") is not None and not fb["correct"]:
            self.out.print(inline(f"Correct answer: {answer_text(fb['correct_answer'])}"))
        if fb.get("explanation"):
            self.out.print(Markdown(f"**Explanation:** {fb['explanation']}"))


# ---- the commands -------------------------------------------------------------------------------------


def resume_command(assessment_id: str, attempt_id: str, token: str) -> str:
    return f"sensei take {assessment_id} --resume {attempt_id} --token {token}"


def take_attempt(
    platform: Platform, assessment_id: str, attempt_id: str, token: str, terminal: Terminal | None = None
) -> Outcome:
    """Run the loop on one attempt in the real terminal (or `terminal`)."""
    client = AttemptClient(platform, attempt_id, token)
    loop = TakeLoop(client, terminal or RichTerminal(default_console), resume_command(assessment_id, attempt_id, token))
    return loop.run()


def announce(out: Console, assessment_id: str, attempt_id: str, token: str, instructions: str = "") -> None:
    out.print(f"Attempt [bold]{attempt_id}[/] started.", highlight=False)
    out.print(f"Resume token: [bold]{token}[/]  (keep it: `{resume_command(assessment_id, attempt_id, token)}` "
              "continues where you left off)", highlight=False, soft_wrap=True)
    if instructions:
        from rich.markdown import Markdown

        out.print(Markdown(instructions))
    out.print(HELP, highlight=False)


def take(
    assessment_id: Annotated[str, typer.Argument(help="The assessment to take.")],
    user: Annotated[str | None, typer.Option("--user", help="The candidate's name (default: your login).")] = None,
    resume: Annotated[str | None, typer.Option("--resume", help="Continue this attempt (needs --token).")] = None,
    token: Annotated[str | None, typer.Option("--token", help="The attempt's resume token.")] = None,
) -> None:
    """Take an assessment in the terminal, question by question, ending with the results."""
    import getpass

    from codesensei.cli.output import fail
    from codesensei.platform import open_platform
    from codesensei.sessions.assessments import get_assessment
    from codesensei.sessions.attempts import start_attempt
    from codesensei.store.db import unit_of_work

    if (resume is None) != (token is None):
        fail("--resume and --token go together: the attempt id and its resume token", 2)
    platform = open_platform()
    try:
        if resume is not None and token is not None:
            point = AttemptClient(platform, resume, token).resume()
            if point.assessment_id != assessment_id:
                fail(f"attempt '{resume}' belongs to assessment '{point.assessment_id}', not '{assessment_id}'")
            attempt_id, secret = resume, token
            default_console.print(f"Resuming attempt [bold]{attempt_id}[/] of {point.title}.", highlight=False)
        else:
            name = user or getpass.getuser()
            with unit_of_work(platform.sessions) as session:
                started = start_attempt(session, assessment_id, name)
                instructions = get_assessment(session, assessment_id).definition.instructions
            attempt_id, secret = started.attempt_id, started.token
            announce(default_console, assessment_id, attempt_id, secret, instructions)
        take_attempt(platform, assessment_id, attempt_id, secret)
    finally:
        platform.close()


def register(app: typer.Typer) -> None:
    """Add the top-level `take` command."""
    app.command("take")(take)
