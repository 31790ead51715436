"""`sensei take`: the terminal loop in-process through a scripted terminal, and the real command in a pseudo-terminal.

In-process tests pass fake judges (nothing is executed); the pseudo-terminal tests judge code in the real sandbox.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from codesensei.bank.model import CodeAnswer, CodeQuestion
from codesensei.cli.take import (
    AttemptClient,
    Retry,
    TakeLoop,
    parse_bool,
    parse_choice,
    parse_choices,
    parse_match,
    parse_order,
    resume_command,
)
from codesensei.platform import Platform
from codesensei.runner.types import JudgeReport, TestResult
from codesensei.sessions.attempts import load, start_attempt
from codesensei.sessions.report import attempt_report
from codesensei.store.db import unit_of_work
from sessions.helpers import T0, at, make_assessment
from sessions.sample_answers import sample_questions
from sessions.terminal import Candidate, ScriptedTerminal

EVERY_TYPE = [
    "py-mutable-default", "algo-stable-sorts", "sql-null-equality", "algo-merge-sort-comparisons",
    "sql-aggregate-blanks", "test-doubles-matching", "test-tdd-cycle", "test-property-based-essay", "algo-longest-run",
]
IMMEDIATE = {"mode": "immediate", "show_correct_answers": True, "show_explanations": True}


def judged(question: CodeQuestion, *, sample_only: bool, verdict: Any = "accepted") -> JudgeReport:
    """A judge report without running anything: every (sample) test gets `verdict`."""
    tests = [
        TestResult(name=t.name, visibility=t.visibility, verdict=verdict, weight=t.weight,
                   stdout="4" if t.visibility == "sample" else None, expected="3" if t.visibility == "sample" else None)
        for t in question.executed_tests if t.visibility == "sample" or not sample_only
    ]
    passed = sum(1 for t in tests if t.passed)
    return JudgeReport(verdict=verdict, passed=passed, total=len(tests), score=passed / len(tests), tests=tests)


def accept_all(question: CodeQuestion, answer: CodeAnswer) -> JudgeReport:
    return judged(question, sample_only=False)


def samples_fail(question: CodeQuestion, answer: CodeAnswer) -> JudgeReport:
    return judged(question, sample_only=True, verdict="wrong_answer")


def samples_pass(question: CodeQuestion, answer: CodeAnswer) -> JudgeReport:
    return judged(question, sample_only=True)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> Any:
        return self.now


def start(platform: Platform, assessment_id: str, user: str = "ann", minutes: float = 0) -> tuple[str, str]:
    with unit_of_work(platform.sessions) as session:
        started = start_attempt(session, assessment_id, user, at(minutes))
    return started.attempt_id, started.token


def loop_for(platform: Platform, attempt: tuple[str, str], terminal: ScriptedTerminal, clock: Clock | None = None,
             sample_judge: Any = samples_pass) -> TakeLoop:
    client = AttemptClient(platform, *attempt, judge=accept_all, sample_judge=sample_judge, clock=clock or Clock())
    return TakeLoop(client, terminal, resume_command("quiz", *attempt))


def items_of(platform: Platform, attempt_id: str) -> list[tuple[str, str]]:
    with unit_of_work(platform.sessions) as session:
        return [(i.question_id, i.status) for i in load(session, attempt_id).items]


# ---- the loop, in-process ------------------------------------------------------------------------------


def test_the_loop_answers_every_type_with_commands(bank: Platform, tmp_path: Path) -> None:
    with unit_of_work(bank.sessions) as session:
        make_assessment(session, questions=EVERY_TYPE, duration_minutes=30, feedback=IMMEDIATE,
                        hints={"allowed": True, "penalty": 0.5})
    attempt = start(bank, "quiz")
    starter = sample_questions()["algo-longest-run"]
    assert isinstance(starter, CodeQuestion)
    candidate = Candidate(tmp_path, run_samples=("algo-longest-run",), before={
        "py-mutable-default": [":help", ":hint", ":time", ":progress", ":nonsense", "Z"],
        "algo-stable-sorts": [":skip"],
        "sql-null-equality": ["maybe"],
        "algo-merge-sort-comparisons": [":review", "2"],
        "test-tdd-cycle": ["1 1 2 3 4"],
        "algo-longest-run": ["lang javascript", "lang cobol", "lang python", "show", "edit", "run"],
    })
    terminal = ScriptedTerminal(responder=candidate, edits=["def longest_run(nums):\n    return 4\n"])
    outcome = loop_for(bank, attempt, terminal, sample_judge=samples_fail).run()
    out = terminal.output

    assert outcome == "submitted", out[-3000:]
    assert "Commands, at any prompt" in out
    assert "Hint 1 (−0.5 pt): When is the expression [] in the signature evaluated?" in out
    assert "Time: 30:00 left" in out
    assert "Progress: 0 of 9 answered, 0 skipped, 9 to go" in out
    assert "unknown command :nonsense" in out
    assert "type one of the option keys: A, B, C, D" in out
    assert "type true or false" in out
    assert "give every item number from 1 to 5 exactly once" in out
    assert "choose one of: python, javascript" in out
    assert terminal.edited == [starter.starter["python"]]  # back to python: the python starter, not the JS one
    assert "sample tests: wrong_answer (0/1)" in out
    # Immediate feedback with explanations; the hinted answer is correct but costs half a point.
    assert out.count("✓ correct") == 9
    assert "Explanation: Default values are evaluated once" in out
    assert "Results" in out
    assert "Question 2 of 9" in out
    assert "Question 9 of 9" in out

    assert [s for _, s in items_of(bank, attempt[0])] == ["answered"] * 9
    with unit_of_work(bank.sessions) as session:
        report = attempt_report(session, attempt[0])
    assert report.points_possible - report.points_earned == 0.5
    assert report.hints_used == 1
    assert report.submit_reason == "candidate"


def test_the_deadline_passes_while_the_candidate_types(bank: Platform) -> None:
    with unit_of_work(bank.sessions) as session:
        make_assessment(session, questions=["py-mutable-default", "py-is-vs-equals"], duration_minutes=10)
    attempt = start(bank, "quiz")
    clock = Clock()

    def slow(prompt: str, output: str) -> str:
        if prompt.startswith("True or false"):
            clock.now = at(11)  # the candidate typed for eleven minutes
            return "false"
        return "B"

    terminal = ScriptedTerminal(responder=slow)
    outcome = loop_for(bank, attempt, terminal, clock).run()
    out = terminal.output
    assert outcome == "time_up"
    assert "ran out of time" in out
    assert "submitted automatically; nothing more is accepted" in out
    assert "Time ran out: the attempt was submitted automatically." in out
    assert "Quiz: 1/2 (50 %" in out
    assert items_of(bank, attempt[0]) == [("py-mutable-default", "answered"), ("py-is-vs-equals", "pending")]
    with unit_of_work(bank.sessions) as session:
        row = load(session, attempt[0]).row
        assert (row.status, row.submit_reason) == ("submitted", "time_up")


def test_quit_prints_the_resume_command_and_resume_continues(bank: Platform, tmp_path: Path) -> None:
    with unit_of_work(bank.sessions) as session:
        make_assessment(session, questions=["py-mutable-default", "py-is-vs-equals", "sql-null-equality"])
    attempt = start(bank, "quiz")
    first = ScriptedTerminal(["b", ":quit"])
    assert loop_for(bank, attempt, first).run() == "quit"
    assert f"sensei take quiz --resume {attempt[0]} --token {attempt[1]}" in first.output
    assert "✓ Recorded question 1." in first.output  # feedback after submission: no correctness yet

    # Input ending (Ctrl-D) leaves the same way.
    ended = ScriptedTerminal([])
    assert loop_for(bank, attempt, ended).run() == "quit"
    assert "--resume" in ended.output

    # `:submit` asks first; "n" keeps going, and the warning counts the unanswered questions.
    candidate = Candidate(tmp_path, before={"py-is-vs-equals": [":submit", "maybe", "n"]})
    again = ScriptedTerminal(responder=candidate)
    assert loop_for(bank, attempt, again).run() == "submitted"
    assert "Question 2 of 3" in again.output
    assert "1 answered, 0 skipped" in again.output
    assert "2 unanswered question(s) will score nothing" in again.output
    assert "answer y or n" in again.output
    assert "Not submitted." in again.output
    assert [s for _, s in items_of(bank, attempt[0])] == ["answered"] * 3

    # Submitting early from a prompt, then resuming a closed attempt shows its results.
    early = start(bank, "quiz", user="bob")
    submitter = ScriptedTerminal([":submit", "y"])
    assert loop_for(bank, early, submitter).run() == "submitted"
    assert "3 unanswered question(s)" in submitter.output
    closed = ScriptedTerminal([])
    assert loop_for(bank, early, closed).run() == "submitted"
    assert "Results" in closed.output
    assert "Quiz: 0/3" in closed.output


def test_the_loop_runs_an_adaptive_attempt_in_order(bank: Platform, tmp_path: Path) -> None:
    pool = {"topics": ["python"], "types": ["mcq", "mcq_multi", "true_false", "short_answer", "fill_blank",
                                             "matching", "ordering"]}
    with unit_of_work(bank.sessions) as session:
        make_assessment(session, id="cat", mode="adaptive", questions=[], pool=pool, question_count=4,
                        feedback=IMMEDIATE)
    attempt = start(bank, "cat")
    with unit_of_work(bank.sessions) as session:
        first_id = load(session, attempt[0]).items[0].question_id
    candidate = Candidate(tmp_path, before={first_id: [":skip", ":review"]})
    terminal = ScriptedTerminal(responder=candidate)
    assert loop_for(bank, attempt, terminal).run() == "submitted"
    out = terminal.output
    assert "questions cannot be skipped" in out
    assert "Go to question" not in out  # adaptive: the review lists, but never jumps
    assert "The adaptive test has finished (max items)." in out
    assert out.count("✓ correct") == 4
    with unit_of_work(bank.sessions) as session:
        report = attempt_report(session, attempt[0])
    assert len(report.questions) == 4
    assert report.percentage == 100.0
    assert report.theta is not None
    assert report.theta > 0


def test_code_questions_run_samples_and_refuse_what_cannot_run(bank: Platform, tmp_path: Path) -> None:
    with unit_of_work(bank.sessions) as session:
        make_assessment(session, questions=["sql-parameterised-query", "algo-longest-run"], feedback=IMMEDIATE)
    attempt = start(bank, "quiz")
    candidate = Candidate(tmp_path, run_samples=("algo-longest-run",), before={
        "sql-parameterised-query": ["run", ":file /no/such/file.py", "paste", "rows = conn.execute(", ".", "submit"],
    })
    terminal = ScriptedTerminal(responder=candidate)
    assert loop_for(bank, attempt, terminal).run() == "submitted"
    out = terminal.output
    assert "question 1 has no sample tests to run; submit it to have it graded" in out
    # The pasted line passes the source checks for `.execute(` and against string formatting, not the placeholder.
    assert "Recorded question 1: ◐ partly correct  2.25/3 pt" in out
    assert "cannot read /no/such/file.py" in out
    assert "sample tests: accepted (1/1)" in out
    assert "longest_run([1, 1, 2, 2, 2, 3]) → 3" in out


def test_answer_parsers() -> None:
    assert parse_choice(" b ", ["A", "B"]) == "B"
    assert parse_choices("a, c d", ["A", "B", "C", "D"]) == ["A", "C", "D"]
    assert parse_choices("a,a", ["A", "B"]) == ["A"]
    assert parse_bool("F") is False
    assert parse_bool("yes") is True
    assert parse_order("3,1 2", ["x", "y", "z"]) == ["z", "x", "y"]
    assert parse_match("", ["p", "q"]) is None
    assert parse_match("2", ["p", "q"]) == "q"
    for call in (lambda: parse_choice("E", ["A"]), lambda: parse_choices(" ", ["A"]), lambda: parse_bool("?"),
                 lambda: parse_order("1 1", ["x", "y"]), lambda: parse_order("1 3", ["x", "y"]),
                 lambda: parse_order("one", ["x"]), lambda: parse_match("1 2", ["p", "q"])):
        with pytest.raises(Retry):
            call()


# ---- the real command in a pseudo-terminal -------------------------------------------------------------

PROMPTS = [
    r"Answer \(option key\)> ", r"Answers \(keys, comma-separated\)> ", r"True or false> ", r"Answer> ",
    r"Blank \d+> ", r"Order \(item numbers, first to last\)> ", r"[^\r\n]+ → number> ", r"\n… ",
    r"code \[\w+\]> ", r"Submit the attempt now\? \[Y/n\] ", r"Go to question \(number, Enter to stay\): ",
]


@pytest.fixture
def pty_env(cli_env: dict[str, str], bank: Platform) -> dict[str, str]:
    # The bank fixture imported the sample bank into this test's database; TERM=dumb keeps Rich plain.
    return {**os.environ, **cli_env, "TERM": "dumb", "COLUMNS": "200", "LINES": "50", "PYTHONIOENCODING": "utf-8"}


def spawn(env: dict[str, str], *args: str) -> Any:
    pexpect = pytest.importorskip("pexpect")
    return pexpect.spawn(sys.executable, ["-m", "codesensei.cli.main", *args], env=env, encoding="utf-8",
                         dimensions=(50, 200), timeout=180)


def drive(child: Any, candidate: Candidate, screen: str = "") -> str:
    """Answer prompts until the process ends; returns everything it printed."""
    import pexpect

    while True:
        index = child.expect([*PROMPTS, pexpect.EOF])
        screen += child.before + (child.after if isinstance(child.after, str) else "")
        if index == len(PROMPTS):
            return screen
        child.sendline(candidate(child.after.strip("\r\n"), screen))


def quiz_json(env: dict[str, str], *args: str) -> Any:
    done = subprocess.run([sys.executable, "-m", "codesensei.cli.main", "quiz", *args, "--json"], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.slow
@pytest.mark.sandbox
def test_take_in_a_pseudo_terminal_answers_every_sample_question(
    pty_env: dict[str, str], bank: Platform, tmp_path: Path
) -> None:
    every = list(sample_questions())
    with unit_of_work(bank.sessions) as session:
        make_assessment(session, id="everything", questions=every, duration_minutes=60, feedback=IMMEDIATE)
    child = spawn(pty_env, "take", "everything", "--user", "pat")
    child.expect(r"Attempt (\w+) started")
    attempt_id = child.match.group(1)
    child.expect(r"Resume token: (\S+)")
    token = child.match.group(1)
    candidate = Candidate(tmp_path, run_samples=("algo-longest-run", "py-word-frequency"),
                          before={"py-immutable-builtins": [":skip"]})
    screen = drive(child, candidate)
    child.close()
    assert child.exitstatus == 0, screen[-3000:]
    assert screen.count("✓ correct") == 27, screen[-3000:]
    assert screen.count("sample tests: accepted (1/1)") == 2
    assert "Results" in screen
    assert "(100 %, grade A, passed)" in screen

    results = quiz_json(pty_env, "results", "--attempt", attempt_id, "--token", token)
    assert results["percentage"] == 100.0
    assert {q["type"] for q in results["questions"]} == {q.type for q in sample_questions().values()}
    assert [q["status"] for q in results["questions"]] == ["answered"] * 27


@pytest.mark.slow
def test_take_killed_after_an_acknowledged_answer_resumes_with_nothing_lost(
    pty_env: dict[str, str], bank: Platform, tmp_path: Path
) -> None:
    questions = ["py-mutable-default", "py-is-vs-equals", "py-list-comprehension-output", "sql-parameterised-query"]
    with unit_of_work(bank.sessions) as session:
        make_assessment(session, questions=questions, duration_minutes=30, feedback=IMMEDIATE)
    child = spawn(pty_env, "take", "quiz", "--user", "kim")
    child.expect(r"Attempt (\w+) started")
    attempt_id = child.match.group(1)
    child.expect(r"Resume token: (\S+)")
    token = child.match.group(1)
    child.expect(r"Answer \(option key\)> ")
    child.sendline("B")
    child.expect(r"Recorded question 1: ✓ correct")
    child.send("fal")  # typing the next answer when the process dies: only this is lost
    child.kill(signal.SIGKILL)
    child.close(force=True)
    assert child.signalstatus == signal.SIGKILL

    review = quiz_json(pty_env, "review", "--attempt", attempt_id, "--token", token)
    assert [q["status"] for q in review["questions"]] == ["answered", "pending", "pending", "pending"]

    resumed = spawn(pty_env, "take", "quiz", "--resume", attempt_id, "--token", token)
    resumed.expect("Resuming attempt")
    screen = drive(resumed, Candidate(tmp_path))
    resumed.close()
    assert resumed.exitstatus == 0, screen[-3000:]
    assert "Question 2 of 4" in screen
    assert "1 answered, 0 skipped" in screen
    assert "Question 1 of 4" not in screen
    assert "(100 %, grade A, passed)" in screen
    results = quiz_json(pty_env, "results", "--attempt", attempt_id, "--token", token)
    assert [q["status"] for q in results["questions"]] == ["answered"] * 4

    wrong = spawn(pty_env, "take", "other", "--resume", attempt_id, "--token", token)
    wrong.expect(pytest.importorskip("pexpect").EOF)
    wrong.close()
    assert wrong.exitstatus == 1
    assert "belongs to assessment 'quiz'" in wrong.before


def test_ask_brings_the_assistant_into_the_loop(bank: Platform, tmp_path: Path) -> None:
    with unit_of_work(bank.sessions) as session:
        make_assessment(session, questions=["algo-longest-run"], assistant={"mode": "full"})
    attempt = start(bank, "quiz")
    program = tmp_path / "solution.py"
    program.write_text("def longest_run(nums):\n    unused = 1\n    return len(nums)\n")
    terminal = ScriptedTerminal([f":file {program}", ":ask", "submit", "y"])
    loop_for(bank, attempt, terminal, sample_judge=samples_fail).run()
    out = terminal.output
    assert "Sample test run-sample fails" in out.replace("`", "")
    assert "unused is assigned" in out.replace("`", "")
    assert "assistant: offline" in out
    with unit_of_work(bank.sessions) as session:
        from codesensei.assistant.service import assistant_log

        assert [e.kind for e in assistant_log(session, attempt[0])] == ["explain"]
