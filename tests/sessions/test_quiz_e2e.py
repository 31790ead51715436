"""Random and adaptive assessments end to end through the scripting commands (`sensei quiz … --json`).

Fixed mode, its timeout and kill -9 are in test_quiz_cli.py; these add the other two modes, `quiz resume`,
a resume after the answering process was killed, a timeout with auto-submit and refused late answers.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from codesensei.platform import Platform
from sessions.sample_answers import json_answer, sample_questions

pytestmark = pytest.mark.slow

AUTO_GRADED = ["mcq", "mcq_multi", "true_false", "short_answer", "fill_blank", "matching", "ordering"]
RANDOM = """\
id: py-random
title: Python, drawn at random
mode: random
pool: {topics: [python], types: [mcq, mcq_multi, true_false, short_answer, fill_blank]}
question_count: 4
shuffle_options: true
duration_minutes: 30
feedback: {mode: immediate, show_correct_answers: true}
"""
ADAPTIVE = """\
id: py-adaptive
title: Python, adaptive
mode: adaptive
pool: {topics: [python, algorithms], types: [%s]}
question_count: 4
adaptive: {min_items: 2}
duration_minutes: %s
feedback: {mode: immediate}
"""


@pytest.fixture
def env(cli_env: dict[str, str], bank: Platform) -> dict[str, str]:
    # The sample bank alone (the bank fixture imported it): the pools below must hold only questions
    # sample_answers can answer, whatever other banks a first start would import.
    return {**os.environ, **cli_env, "SENSEI_LOAD_SAMPLE_BANK": "false"}


def sensei(env: dict[str, str], *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "codesensei.cli.main", *args], env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    if ok:
        assert done.returncode == 0, done.stderr
    return done


def sensei_json(env: dict[str, str], *args: str) -> Any:
    return json.loads(sensei(env, *args, "--json").stdout)


def create(env: dict[str, str], tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    sensei_json(env, "assessment", "create", "--config", str(path))
    assert sensei_json(env, "assessment", "publish", name)["status"] == "published"


def answer(env: dict[str, str], auth: list[str], question_id: str, *extra: str) -> Any:
    return sensei_json(env, "quiz", "answer", *auth, "--answer", json.dumps(json_answer(question_id)), *extra)


def kill_after_ack(env: dict[str, str], auth: list[str], question_id: str) -> str:
    """Answer in a process killed with SIGKILL as soon as it printed its acknowledgement."""
    process = subprocess.Popen(
        [sys.executable, "-m", "codesensei.cli.main", "quiz", "answer", *auth,
         "--answer", json.dumps(json_answer(question_id))],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=30)
    return line


def test_random_assessment_through_the_scripting_commands(env: dict[str, str], tmp_path: Path) -> None:
    create(env, tmp_path, "py-random", RANDOM)
    pool = {q.id for q in sample_questions().values()
            if "python" in q.topics and q.type in ("mcq", "mcq_multi", "true_false", "short_answer", "fill_blank")}

    started = sensei_json(env, "quiz", "start", "py-random", "--user", "ann")
    auth = ["--attempt", started["attempt_id"], "--token", started["token"]]
    review = sensei_json(env, "quiz", "review", *auth)
    drawn = [q["question_id"] for q in review["questions"]]
    assert len(drawn) == len(set(drawn)) == 4
    assert set(drawn) <= pool

    first = answer(env, auth, drawn[0])
    assert first["feedback"]["correct"] is True
    skipped = sensei_json(env, "quiz", "skip", *auth)
    assert skipped["position"] == 3

    # The answering process dies right after acknowledging: the answer is stored, and resume shows it.
    line = kill_after_ack(env, auth, drawn[2])
    assert line.startswith("recorded: question 3")
    point = sensei_json(env, "quiz", "resume", started["attempt_id"], "--token", started["token"])
    assert point["status"] == "in_progress"
    assert (point["position"], point["question"]["question_id"]) == (4, drawn[3])
    assert (point["progress"]["answered"], point["progress"]["skipped"]) == (2, 1)
    assert 0 < point["remaining_s"] <= 1800
    assert point["mode"] == "random"
    assert "answer" not in point["question"]
    human = sensei(env, "quiz", "resume", started["attempt_id"], "--token", started["token"]).stdout
    assert "progress: 2 of 4 answered, 1 skipped" in human
    assert "Question 4 of 4" in human

    assert answer(env, auth, drawn[3])["next_position"] == 2  # the skipped question comes back
    assert answer(env, auth, drawn[1], "--position", "2")["finished"] is True
    report = sensei_json(env, "quiz", "submit", *auth)
    assert report["percentage"] == 100.0
    assert [q["question_id"] for q in report["questions"]] == drawn

    late = sensei(env, "quiz", "answer", *auth, "--answer", '"B"', ok=False)
    assert late.returncode == 1
    assert "already submitted" in late.stderr
    assert "attempt_closed" in late.stderr
    closed = sensei_json(env, "quiz", "resume", started["attempt_id"], "--token", started["token"])
    assert (closed["status"], closed["submit_reason"], closed["question"]) == ("submitted", "candidate", None)


def test_adaptive_assessment_through_the_scripting_commands(env: dict[str, str], tmp_path: Path) -> None:
    create(env, tmp_path, "py-adaptive", ADAPTIVE % (", ".join(AUTO_GRADED), 30))
    started = sensei_json(env, "quiz", "start", "py-adaptive", "--user", "bea")
    auth = ["--attempt", started["attempt_id"], "--token", started["token"]]

    refused = sensei(env, "quiz", "skip", *auth, ok=False)
    assert "action_not_allowed" in refused.stderr
    given: list[str] = []
    question = started["question"]
    while question is not None:
        given.append(question["question_id"])
        if len(given) == 2:
            line = kill_after_ack(env, auth, question["question_id"])
            assert line.startswith("recorded: question 2")
        else:
            ack = answer(env, auth, question["question_id"])
            assert ack["feedback"]["correct"] is True
        point = sensei_json(env, "quiz", "resume", started["attempt_id"], "--token", started["token"])
        assert point["progress"]["answered"] == len(given)
        question = point["question"]
    assert len(given) == len(set(given)) == 4
    assert point["stop_reason"] == "max_items"
    assert point["position"] is None

    out_of_order = sensei(env, "quiz", "answer", *auth, "--answer", "true", ok=False)
    assert "no question is waiting" in out_of_order.stderr
    report = sensei_json(env, "quiz", "submit", *auth)
    assert report["percentage"] == 100.0
    assert [q["question_id"] for q in report["questions"]] == given
    assert report["theta"] > 0.5  # four right answers move the estimate well above the prior's mean


def test_adaptive_time_runs_out_auto_submits_and_refuses_late_answers(env: dict[str, str], tmp_path: Path) -> None:
    # A minute: enough for two commands on a busy machine before the deadline, which the test then waits out.
    create(env, tmp_path, "py-adaptive", ADAPTIVE % ("true_false, mcq", 1))
    started = sensei_json(env, "quiz", "start", "py-adaptive", "--user", "cy")
    auth = ["--attempt", started["attempt_id"], "--token", started["token"]]
    ack = answer(env, auth, started["question"]["question_id"])
    assert ack["finished"] is False
    deadline = datetime.fromisoformat(started["deadline_at"])
    time.sleep(max(0.0, (deadline - datetime.now(UTC)).total_seconds()) + 0.3)

    late = sensei(env, "quiz", "answer", *auth, "--answer", "true", ok=False)
    assert late.returncode == 1
    assert "ran out of time" in late.stderr
    assert "attempt_closed" in late.stderr
    point = sensei_json(env, "quiz", "resume", started["attempt_id"], "--token", started["token"])
    assert (point["status"], point["submit_reason"], point["question"]) == ("submitted", "time_up", None)
    results = sensei_json(env, "quiz", "results", *auth)
    assert results["submit_reason"] == "time_up"
    assert [q["status"] for q in results["questions"]] == ["answered", "pending"]
    assert results["points_earned"] == 1.0
