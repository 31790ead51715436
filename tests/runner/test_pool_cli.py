"""The warm pool (slots, one submission per box) and the `sensei` runner commands."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from codesensei.bank.model import CodeAnswer, CodeQuestion
from codesensei.cli.runner import register
from codesensei.runner.dispatch import LocalDispatcher
from codesensei.runner.jobs import JudgeJob
from codesensei.runner.judge import report_from_events
from codesensei.runner.pool import WarmPool
from codesensei.runner.sandbox import BwrapSandbox

pytestmark = pytest.mark.sandbox
ROOT = Path(__file__).parents[2]

QUESTION = CodeQuestion.model_validate(
    {
        "id": "counter",
        "type": "code",
        "title": "Counter",
        "text": "c",
        "languages": ["python", "javascript"],
        "tests": [
            {"name": f"t{i}", "kind": "stdio", "input": "", "expected": "1", "visibility": "sample"} for i in range(3)
        ],
    }
)
PY_COUNTER = "import builtins\nbuiltins.n = getattr(builtins, 'n', 0) + 1\nprint(builtins.n)"
JS_COUNTER = "globalThis.n = (globalThis.n || 0) + 1; console.log(globalThis.n)"


def test_warm_pool_serves_each_box_once_and_keeps_state_fresh(tmp_path: Path) -> None:
    pool = WarmPool(BwrapSandbox(), tmp_path, slots=2)
    try:
        pool.warm_up()
        dispatcher = LocalDispatcher(boxes=pool)
        for language, source in (("python", PY_COUNTER), ("javascript", JS_COUNTER)) * 2:
            events = list(dispatcher.submit(JudgeJob(QUESTION, CodeAnswer(language=language, source=source))))
            report = report_from_events(iter(events))
            assert report.verdict == "accepted", report.to_json()
        # Used boxes are discarded and their slots refilled in the background.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and len(pool._ready["python"]) < 2:
            time.sleep(0.05)
        assert len(pool._ready["python"]) == 2
        assert all(not box.used for boxes in pool._ready.values() for box in boxes)
        # Slots are file locks: a second pool (or process) finds every python slot taken.
        second = WarmPool(BwrapSandbox(), tmp_path, slots=2)
        assert second._lock_slot(pool.languages[0]) is None
        second.close()
    finally:
        pool.close()


def app() -> typer.Typer:
    application = typer.Typer()
    register(application)
    return application


def test_cli_run_json(tmp_path: Path) -> None:
    program = tmp_path / "a.py"
    program.write_text("print(input()[::-1])")
    result = CliRunner().invoke(app(), ["run", str(program), "--lang", "python", "--input", "abc", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["status"] == "ok"
    assert data["stdout"] == "cba\n"
    assert set(data) >= {
        "exit_code",
        "signal",
        "stderr",
        "compile_output",
        "time_ms",
        "wall_ms",
        "memory_kb",
        "truncated",
    }


def test_cli_judge_from_a_bank_file(tmp_path: Path) -> None:
    bank = tmp_path / "bank.yaml"
    bank.write_text(
        "id: twice\ntype: code\ntitle: Twice\ntext: double it\nlanguages: [python]\ntests:\n"
        "  - {name: a, kind: stdio, input: '2', expected: '4', visibility: sample}\n"
        "  - {name: b, kind: stdio, input: '5', expected: '10'}\n"
    )
    program = tmp_path / "a.py"
    program.write_text("print(2 * int(input()))")
    result = CliRunner().invoke(app(), ["judge", str(program), "--lang", "python", "--question", str(bank), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["verdict"], data["passed"], data["total"], data["score"]) == ("accepted", 2, 2, 1.0)
    sample_only = CliRunner().invoke(
        app(), ["judge", str(program), "--lang", "python", "--question", str(bank), "--sample-only", "--json"]
    )
    assert json.loads(sample_only.stdout)["total"] == 1


def test_cli_errors_are_one_line(tmp_path: Path) -> None:
    program = tmp_path / "a.py"
    program.write_text("print(1)")
    result = CliRunner().invoke(app(), ["run", str(program), "--lang", "cobol", "--json"])
    assert result.exit_code == 2
    assert "unknown language" in result.output
    assert "Traceback" not in result.output


def test_languages_lists_all_six_with_versions() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "codesensei.cli.runner", "languages", "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert set(rows) == {"python", "javascript", "c", "cpp", "java", "rust"}
    for row in rows.values():
        assert row["available"], row
        assert row["version"]
