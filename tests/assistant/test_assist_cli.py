"""`sensei assist` as a subprocess: offline by default, a configured model streams, and the log keeps it all."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from assistant.model_server import ModelServer, Reply

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]
HELPED = """\
id: helped
title: Helped
questions: [algo-longest-run]
duration_minutes: 30
hints: {allowed: true, penalty: 1}
assistant: {mode: full}
"""


def sensei(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "codesensei.cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done


def sensei_json(env: dict[str, str], *args: str) -> Any:
    return json.loads(sensei(env, *args, "--json").stdout)


@pytest.fixture
def started(cli_env: dict[str, str], tmp_path: Path) -> tuple[dict[str, str], str, str]:
    env = {**os.environ, **cli_env, "SENSEI_LOAD_SAMPLE_BANK": "true"}
    config = tmp_path / "helped.yaml"
    config.write_text(HELPED)
    sensei_json(env, "assessment", "create", "--config", str(config))
    sensei_json(env, "assessment", "publish", "helped")
    attempt = sensei_json(env, "quiz", "start", "helped", "--user", "ada")
    return env, attempt["attempt_id"], attempt["token"]


def test_offline_hint_and_explanation(started: tuple[dict[str, str], str, str], tmp_path: Path) -> None:
    env, attempt, token = started
    hint = sensei_json(env, "assist", "ask", "--attempt", attempt, "--token", token, "--kind", "hint")
    assert hint["hint_number"] == 1
    assert hint["text"].startswith("**Hint 1:**")
    code = tmp_path / "solution.py"
    code.write_text("def longest_run(nums):\n    return len(nums)\n")
    shown = sensei(
        env, "assist", "ask", "--attempt", attempt, "--token", token, "--file", str(code), "--lang", "python"
    )
    assert "Sample test run-sample fails" in shown.stdout.replace("`", "")
    assert "offline" in shown.stdout
    log = sensei_json(env, "assist", "log", attempt)
    assert [entry["kind"] for entry in log] == ["hint", "explain"]


def test_a_configured_model_streams_and_is_logged(
    started: tuple[dict[str, str], str, str], model_server: ModelServer
) -> None:
    env, attempt, token = started
    model_env = {**env, "SENSEI_LLM_BASE_URL": model_server.base_url, "SENSEI_LLM_MODEL": "scripted"}
    model_server.script(Reply(text="Count runs, not distinct values."))
    shown = sensei(
        model_env, "assist", "ask", "--attempt", attempt, "--token", token, "--kind", "chat", "-m", "what is wrong?"
    )
    assert "Count runs, not distinct values." in shown.stdout
    assert model_server.requests[-1]["stream"] is True
    log = sensei_json(env, "assist", "log", attempt)
    assert log[0]["provider"] == "scripted"
    assert log[0]["prompt"][1]["content"] == model_server.prompts()[1]
