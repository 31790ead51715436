"""`sensei assessment` and `sensei quiz` end to end, as subprocesses over the sample bank, on each database."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

FIXED = """\
id: py-basics
title: Python basics
instructions: Answer every question.
mode: fixed
questions: [py-mutable-default, py-is-vs-equals, py-list-comprehension-output, sql-parameterised-query]
duration_minutes: 30
passing_score: 50
feedback: {mode: immediate, show_correct_answers: true}
hints: {allowed: true, penalty: 0.5}
"""
SHORT = """\
id: blitz
title: Blitz
questions: [py-is-vs-equals, py-mutable-default]
duration_minutes: 0.2
"""


def env_for(cli_env: dict[str, str]) -> dict[str, str]:
    return {**os.environ, **cli_env, "SENSEI_LOAD_SAMPLE_BANK": "true"}


def sensei(env: dict[str, str], *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "codesensei.cli.main", *args],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    if ok:
        assert done.returncode == 0, done.stderr
    return done


def sensei_json(env: dict[str, str], *args: str) -> Any:
    return json.loads(sensei(env, *args, "--json").stdout)


def create(env: dict[str, str], tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    assert sensei_json(env, "assessment", "create", "--config", str(path))["status"] == "draft"
    assert sensei_json(env, "assessment", "publish", name)["status"] == "published"


def test_fixed_assessment_through_the_cli(cli_env: dict[str, str], tmp_path: Path) -> None:
    env = env_for(cli_env)
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\ntitle: X\nmode: fixed\nfeedback: {mode: sometimes}\nquestions: [py-is-vs-equals]\n")
    refused = sensei(env, "assessment", "create", "--config", str(bad), ok=False)
    assert refused.returncode == 1
    assert "feedback.mode" in refused.stderr

    create(env, tmp_path, "py-basics", FIXED)
    shown = sensei_json(env, "assessment", "show", "py-basics")
    assert shown["definition"]["hints"]["penalty"] == 0.5
    assert [a["id"] for a in sensei_json(env, "assessment", "list")["assessments"]] == ["py-basics"]
    assert [a["id"] for a in sensei_json(env, "quiz", "list")["assessments"]] == ["py-basics"]

    started = sensei_json(env, "quiz", "start", "py-basics", "--user", "ann")
    auth = ["--attempt", started["attempt_id"], "--token", started["token"]]
    assert started["question"]["question_id"] == "py-mutable-default"
    assert "answer" not in started["question"]

    hint = sensei_json(env, "quiz", "hint", *auth)
    assert hint["number"] == 1
    ack = sensei_json(env, "quiz", "answer", *auth, "--answer", '"B"')
    assert ack["recorded"] is True
    assert ack["feedback"]["points_earned"] == 0.5
    assert ack["feedback"]["correct_answer"] == "B"
    skipped = sensei_json(env, "quiz", "skip", *auth)
    assert skipped["position"] == 3
    assert sensei_json(env, "quiz", "answer", *auth, "--answer", '"[1, 9]"')["feedback"]["correct"] is True
    program = tmp_path / "query.py"
    program.write_text('rows = conn.execute("SELECT * FROM users WHERE email = ?", (email,))\n')
    code_ack = sensei_json(env, "quiz", "answer", *auth, "--source", str(program), "--language", "python")
    assert code_ack["feedback"]["points_earned"] == 3.0
    assert code_ack["next_position"] == 2  # the skipped question comes back
    progress = sensei_json(env, "quiz", "progress", *auth)
    assert (progress["answered"], progress["skipped"], progress["current_position"]) == (3, 1, 2)
    assert 0 < sensei_json(env, "quiz", "time", *auth)["remaining_s"] <= 1800
    review = sensei_json(env, "quiz", "review", *auth)
    assert [q["status"] for q in review["questions"]] == ["answered", "skipped", "answered", "answered"]

    report = sensei_json(env, "quiz", "submit", *auth)
    assert report["points_earned"] == 4.5
    assert report["points_possible"] == 6.0
    assert report["passed"] is True
    assert report["grade"] == "C"

    late = sensei(env, "quiz", "answer", *auth, "--answer", "false", ok=False)
    assert late.returncode == 1
    assert "already submitted" in late.stderr
    assert "attempt_closed" in late.stderr

    results = sensei_json(env, "quiz", "results", *auth)
    assert results["percentage"] == 75.0
    assert results["hints_used"] == 1
    assert [q["status"] for q in results["questions"]][1] == "skipped"
    history = sensei_json(env, "quiz", "history", "--user", "ann")
    assert [h["attempt_id"] for h in history["attempts"]] == [started["attempt_id"]]
    metrics = {m["scope"]: m for m in sensei_json(env, "quiz", "metrics", "--user", "ann")["scopes"]}
    assert metrics["all#all"]["count"] == 3
    # medium#python: the mutable-default question (50 % after the hint) and the parameterised query (100 %).
    assert (metrics["medium#python"]["count"], metrics["medium#python"]["mean_score"]) == (2, 75.0)
    again = sensei(env, "quiz", "start", "py-basics", "--user", "ann", ok=False)
    assert "used all 1 attempt" in again.stderr

    # Human output works too.
    assert "recorded" not in sensei(env, "quiz", "results", *auth).stdout
    assert "Python basics: 4.5/6" in sensei(env, "quiz", "results", *auth).stdout


def test_time_runs_out_and_a_late_answer_is_refused(cli_env: dict[str, str], tmp_path: Path) -> None:
    env = env_for(cli_env)
    create(env, tmp_path, "blitz", SHORT)
    started = sensei_json(env, "quiz", "start", "blitz", "--user", "bob")
    auth = ["--attempt", started["attempt_id"], "--token", started["token"]]
    sensei_json(env, "quiz", "answer", *auth, "--answer", "false")
    remaining = sensei_json(env, "quiz", "time", *auth)["remaining_s"]
    time.sleep(remaining + 0.3)
    late = sensei(env, "quiz", "answer", *auth, "--answer", '"B"', ok=False)
    assert late.returncode == 1
    assert "ran out of time" in late.stderr
    assert "attempt_closed" in late.stderr
    results = sensei_json(env, "quiz", "results", *auth)
    assert results["submit_reason"] == "time_up"
    assert results["points_earned"] == 1.0
    assert [q["status"] for q in results["questions"]] == ["answered", "pending"]


def test_an_acknowledged_answer_survives_kill_9(cli_env: dict[str, str], tmp_path: Path) -> None:
    env = env_for(cli_env)
    create(env, tmp_path, "py-basics", FIXED)
    started = sensei_json(env, "quiz", "start", "py-basics", "--user", "cat")
    auth = ["--attempt", started["attempt_id"], "--token", started["token"]]
    process = subprocess.Popen(
        [sys.executable, "-m", "codesensei.cli.main", "quiz", "answer", *auth, "--answer", '"B"'],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert line.startswith("recorded: question 1")
    assert process.returncode in (-signal.SIGKILL, 0)
    review = sensei_json(env, "quiz", "review", *auth)
    assert review["questions"][0]["status"] == "answered"
    results_item = review["questions"][0]
    assert results_item["question_id"] == "py-mutable-default"


def test_a_wrong_token_is_refused(cli_env: dict[str, str], tmp_path: Path) -> None:
    env = env_for(cli_env)
    create(env, tmp_path, "py-basics", FIXED)
    started = sensei_json(env, "quiz", "start", "py-basics", "--user", "dan")
    for command in ("current", "progress", "time", "review", "submit"):
        refused = sensei(env, "quiz", command, "--attempt", started["attempt_id"], "--token", "nope", ok=False)
        assert refused.returncode == 1
        assert "invalid_session_token" in refused.stderr
