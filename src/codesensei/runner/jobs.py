"""What the dispatcher is asked to do (`JudgeJob`) and what it streams back (JSON-ready event dicts)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from codesensei.bank.model import CodeAnswer, CodeQuestion
from codesensei.runner.types import JudgeReport, TestResult

TestSelection = Literal["sample", "all"]
# {"type": "compiled" | "test" | "done", "seq": n, ...}: plain dicts, so they cross queues and sockets.
JudgeEvent = dict[str, Any]


@dataclass(frozen=True)
class JudgeJob:
    """One submission to judge: "run" uses the sample tests, "submit" all; `custom_input` runs once on it."""

    question: CodeQuestion
    answer: CodeAnswer
    tests: TestSelection = "all"
    custom_input: str | None = None
    submission_id: str = ""


def compiled_event(seq: int, *, ok: bool, compile_output: str, cached: bool, message: str = "") -> JudgeEvent:
    return {
        "type": "compiled",
        "seq": seq,
        "ok": ok,
        "compile_output": compile_output,
        "cached": cached,
        "message": message,
    }


def test_event(seq: int, result: TestResult) -> JudgeEvent:
    return {"type": "test", "seq": seq, "result": result.to_json()}


def done_event(seq: int, report: JudgeReport) -> JudgeEvent:
    return {"type": "done", "seq": seq, "report": report.to_json()}
