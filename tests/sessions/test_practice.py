"""Practice sessions: a reused practice assessment per request, immediate feedback, free hints, no limits."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from codesensei.bank.model import CodeAnswer, CodeQuestion
from codesensei.errors import Conflict, ValidationFailed
from codesensei.platform import Platform
from codesensei.runner.types import JudgeReport, TestResult
from codesensei.sessions.answering import answer_question, take_hint
from codesensei.sessions.assessments import create_assessment, get_assessment, parse_definition
from codesensei.sessions.attempts import load, skip_question, submit_attempt
from codesensei.sessions.errors import ActionNotAllowed
from codesensei.sessions.practice import (
    PracticeRequest,
    ensure_practice,
    is_practice,
    practice_definition,
    start_practice,
)
from codesensei.sessions.report import attempt_report
from codesensei.store.attempts import AttemptRepository
from codesensei.store.db import unit_of_work
from sessions.helpers import T0, at
from sessions.sample_answers import json_answer
from sessions.terminal import Candidate, ScriptedTerminal


def test_a_practice_assessment_is_made_once_and_reused(bank: Platform) -> None:
    with unit_of_work(bank.sessions) as session:
        made = ensure_practice(session, PracticeRequest("python"), T0)
        again = ensure_practice(session, PracticeRequest("python"), at(5))
        info = get_assessment(session, made.id)
    assert made.id == again.id == "practice.python.5"
    assert is_practice(made.id)
    assert info.status == "published"
    d = info.definition
    assert (d.mode, d.max_attempts, d.cooldown_minutes, d.hints.allowed, d.hints.penalty) == (
        "random", None, 0.0, True, 0.0,
    )
    assert (d.feedback.mode, d.feedback.show_correct_answers, d.feedback.show_explanations) == (
        "immediate", True, True,
    )
    assert d.pool.topics == ["python"]

    with unit_of_work(bank.sessions) as session:
        adaptive = ensure_practice(session, PracticeRequest("sql", adaptive=True, question_type="true_false"), T0)
        # A small topic asks what there is: one true/false question on SQL.
        small = ensure_practice(session, PracticeRequest("sql", question_type="true_false", count=10), T0)
    assert adaptive.id == "practice.sql.true_false.adaptive.1"
    assert adaptive.mode == "adaptive"
    assert (small.id, small.question_count) == ("practice.sql.true_false.1", 1)

    # A topic that is not usable in an id gets a readable part plus a hash, so two topics never collide.
    spaced = practice_definition(PracticeRequest("data structures"), 2).id
    dashed = practice_definition(PracticeRequest("data-structures"), 2).id
    assert spaced.startswith("practice.data-structures-")
    assert spaced.endswith(".2")
    assert dashed == "practice.data-structures.2"


def test_practice_requests_are_checked(bank: Platform) -> None:
    with unit_of_work(bank.sessions) as session:
        with pytest.raises(ValidationFailed, match="no active question has the topic 'cobol'"):
            ensure_practice(session, PracticeRequest("cobol"), T0)
        with pytest.raises(ValidationFailed, match="type: 'poem' is not one of"):
            ensure_practice(session, PracticeRequest("python", question_type="poem"), T0)
        with pytest.raises(ValidationFailed, match="no active essay question has the topic 'sql'"):
            ensure_practice(session, PracticeRequest("sql", question_type="essay"), T0)
        with pytest.raises(ValidationFailed, match="count"):
            ensure_practice(session, PracticeRequest("python", count=0), T0)
        # An assessment someone made under a practice id is never taken over.
        definition = create_assessment(session, parse_definition({
            "id": "practice.testing.3", "title": "Not practice", "mode": "fixed", "questions": ["test-tdd-cycle"],
        }))
        assert definition.status == "draft"
        with pytest.raises(Conflict, match="is not this practice session"):
            ensure_practice(session, PracticeRequest("testing", count=3), T0)


def test_practice_gives_feedback_free_hints_and_unlimited_attempts(bank: Platform) -> None:
    request = PracticeRequest("sql", question_type="true_false", count=1)
    with unit_of_work(bank.sessions) as session:
        first = start_practice(session, request, "ann", T0).started
        hint = take_hint(session, first.attempt_id, first.token, at(1))
        ack = answer_question(session, first.attempt_id, first.token, True, now=at(2))
    assert hint.penalty == 0.0
    assert ack.feedback is not None
    assert ack.feedback["correct"] is False
    assert ack.feedback["correct_answer"] is False
    assert "UNKNOWN" in ack.feedback["explanation"]

    with unit_of_work(bank.sessions) as session:
        second = start_practice(session, request, "ann", at(3)).started  # the first is still open: abandoned
        ack = answer_question(session, second.attempt_id, second.token, False, now=at(3))
        assert ack.feedback is not None
        assert ack.feedback["points_earned"] == 1.0
        submit_attempt(session, second.attempt_id, second.token, at(3))
        third = start_practice(session, request, "ann", at(3)).started  # no cooldown, no attempt limit
        rows = AttemptRepository(session).for_user("ann", "practice.sql.true_false.1")
    assert [(r.number, r.status, r.submit_reason) for r in rows] == [
        (1, "submitted", "abandoned"), (2, "submitted", "candidate"), (3, "in_progress", None),
    ]
    assert third.attempt_id == rows[2].id

    with unit_of_work(bank.sessions) as session:
        hinted = start_practice(session, PracticeRequest("python", question_type="mcq", count=1), "bo", T0).started
        take_hint(session, hinted.attempt_id, hinted.token, T0)
        item = load(session, hinted.attempt_id).items[0]
        answer_question(session, hinted.attempt_id, hinted.token, json_answer(item.question_id), now=at(1))
        assert attempt_report(session, hinted.attempt_id).points_earned == 1.0  # free hints


def test_adaptive_practice_runs_through_the_terminal_loop(bank: Platform, tmp_path: Path) -> None:
    from codesensei.cli.take import AttemptClient, TakeLoop, resume_command

    request = PracticeRequest("python", adaptive=True, question_type=None, count=3)
    with unit_of_work(bank.sessions) as session:
        practice = start_practice(session, request, "cy", T0)
        with pytest.raises(ActionNotAllowed, match="do not allow skipping"):
            skip_question(session, practice.started.attempt_id, practice.started.token, now=T0)
    started = practice.started
    terminal = ScriptedTerminal(responder=Candidate(tmp_path, before={}))
    client = AttemptClient(bank, started.attempt_id, started.token, judge=accept_all, clock=lambda: T0)
    loop = TakeLoop(client, terminal, resume_command(practice.definition.id, started.attempt_id, started.token))
    assert loop.run() == "submitted"
    out = terminal.output
    assert out.count("✓ correct") == 3
    assert out.count("Explanation:") == 3
    assert "Practice: python, adaptive" in out
    with unit_of_work(bank.sessions) as session:
        report = attempt_report(session, started.attempt_id)
    assert report.theta is not None
    assert len(report.questions) == 3


def accept_all(question: CodeQuestion, answer: CodeAnswer) -> JudgeReport:
    """The engine may pick the code question on word frequency: pass its tests without running anything."""
    tests = [TestResult(name=t.name, visibility=t.visibility, verdict="accepted", weight=t.weight)
             for t in question.executed_tests]
    return JudgeReport(verdict="accepted", passed=len(tests), total=len(tests), score=1.0, tests=tests)


@pytest.mark.slow
def test_practice_command_and_the_listings(cli_env: dict[str, str], bank: Platform) -> None:
    pexpect = pytest.importorskip("pexpect")
    env = {**os.environ, **cli_env, "TERM": "dumb", "COLUMNS": "200"}
    child = pexpect.spawn(sys.executable, ["-m", "codesensei.cli.main", "practice", "--topic", "sql", "--type",
                                           "true_false", "--user", "dee"], env=env, encoding="utf-8",
                          dimensions=(50, 200), timeout=120)
    child.expect(r"True or false> ")
    child.sendline(":hint")
    child.expect(r"Hint 1: What is the truth value")  # no penalty shown: hints are free
    child.expect(r"True or false> ")
    child.sendline("true")
    child.expect(r"✗ not correct")
    child.expect(r"Correct answer: false")
    child.expect(r"Explanation: = NULL evaluates to UNKNOWN")
    child.expect(r"Submit the attempt now\? \[Y/n\] ")
    child.sendline("")
    child.expect(r"Practice: sql \(true_false\): 0/1")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    def listed(*args: str) -> list[str]:
        done = subprocess.run([sys.executable, "-m", "codesensei.cli.main", *args, "--json"], env=env,
                              capture_output=True, text=True, timeout=120, check=True)
        data: dict[str, Any] = json.loads(done.stdout)
        return [a["id"] for a in data["assessments"]]

    assert listed("quiz", "list") == []  # practice sessions are not offered as assessments to start
    assert "practice.sql.true_false.1" in listed("assessment", "list")
