"""Verdict logic with a fake box: no processes, every rule of the contract."""

from __future__ import annotations

from typing import Any

import pytest

from codesensei.bank.model import CodeAnswer, CodeQuestion
from codesensei.runner.boxes import BoxTestOutcome
from codesensei.runner.compiler import Program
from codesensei.runner.jobs import JudgeJob
from codesensei.runner.judge import judge_events, report_from_events
from codesensei.runner.languages import Language
from codesensei.runner.sandbox import UnconfinedSandbox
from codesensei.runner.types import RunLimits, TestResult
from codesensei.runner.verdicts import Execution, aggregate, execution_verdict

LIMITS = RunLimits(cpu_time_s=1.0, memory_mb=64)


def run(**changes: Any) -> Execution:
    base: dict[str, Any] = {
        "status": "exited",
        "exit_code": 0,
        "signal": None,
        "cpu_ms": 5.0,
        "wall_ms": 6.0,
        "memory_kb": 1000,
        "stdout": "",
        "stderr": "",
        "result": None,
    }
    return Execution(**{**base, **changes})


@pytest.mark.parametrize(
    ("execution", "verdict"),
    [
        (run(), None),
        (run(status="output_limit"), "output_limit_exceeded"),
        (run(oom_killed=True, signal=9, exit_code=None), "memory_limit_exceeded"),
        (run(stderr="MemoryError"), "memory_limit_exceeded"),
        (run(status="timeout"), "time_limit_exceeded"),
        (run(cpu_ms=1500.0), "time_limit_exceeded"),
        (run(outside_cpu_ms=5000.0), "time_limit_exceeded"),
        (run(exit_code=None, signal=24), "time_limit_exceeded"),
        (run(exit_code=1), "runtime_error"),
        (run(exit_code=None, signal=11), "runtime_error"),
        (run(status="died", exit_code=None), "runtime_error"),
    ],
)
def test_execution_verdicts(execution: Execution, verdict: str | None) -> None:
    assert execution_verdict(execution, LIMITS)[0] == verdict


def result(name: str, verdict: str, weight: float = 1.0) -> TestResult:
    return TestResult(name=name, visibility="hidden", verdict=verdict, weight=weight)  # type: ignore[arg-type]


def test_aggregate_first_failure_and_weighted_score() -> None:
    report = aggregate([result("a", "accepted", 3), result("b", "time_limit_exceeded"), result("c", "wrong_answer")])
    assert report.verdict == "time_limit_exceeded"
    assert (report.passed, report.total) == (1, 3)
    assert report.score == pytest.approx(0.6)
    assert aggregate([result("a", "accepted")]).verdict == "accepted"
    assert aggregate([], compile_failed=True, compile_output="boom").verdict == "compile_error"


class FakeBox:
    """Replays scripted harness reports; records what the judge asked for."""

    def __init__(self, reports: list[dict[str, Any] | None]) -> None:
        self.reports = reports
        self.requests: list[dict[str, Any]] = []
        self.closed = False

    @property
    def alive(self) -> bool:
        return not self.closed

    def run_test(self, request: dict[str, Any], timeout_s: float) -> BoxTestOutcome:
        self.send_test(request, timeout_s)
        return self.receive_test()

    def send_test(self, request: dict[str, Any], timeout_s: float) -> None:
        self.requests.append(request)

    def receive_test(self) -> BoxTestOutcome:
        return BoxTestOutcome(self.reports.pop(0), oom_killed=False, cgroup_cpu_ms=1.0)

    def close(self) -> None:
        self.closed = True


class FakeBoxes:
    def __init__(self, *boxes: FakeBox) -> None:
        self.boxes = list(boxes)

    def acquire(self, language: Language, program: Program, limits: RunLimits) -> FakeBox:
        return self.boxes.pop(0)


def ok(**changes: Any) -> dict[str, Any]:
    return {
        "status": "exited",
        "exit_code": 0,
        "signal": None,
        "cpu_ms": 1,
        "wall_ms": 1,
        "memory_kb": 10,
        "stdout": "",
        "stderr": "",
        "result": None,
        **changes,
    }


QUESTION = CodeQuestion.model_validate(
    {
        "id": "add",
        "type": "code",
        "title": "Add",
        "text": "add",
        "entry_point": "add",
        "tests": [
            {"name": "s", "kind": "call", "args": [1, 2], "expected": 3, "visibility": "sample"},
            {"name": "h1", "kind": "call", "args": [2, 2], "expected": 4, "weight": 2},
            {"name": "h2", "kind": "call", "args": [5, 5], "expected": 10},
        ],
    }
)


def test_judge_streams_events_and_replaces_a_dead_box() -> None:
    first = FakeBox([ok(result={"value": "3"}), None])
    second = FakeBox([ok(result={"value": "11"})])
    job = JudgeJob(QUESTION, CodeAnswer(language="python", source="def add(a, b): ..."))
    events = list(judge_events(job, sandbox=UnconfinedSandbox(), boxes=FakeBoxes(first, second), cache=None))
    assert [e["type"] for e in events] == ["compiled", "test", "test", "test", "done"]
    assert [e["seq"] for e in events] == [0, 1, 2, 3, 4]
    report = events[-1]["report"]
    assert [t["verdict"] for t in report["tests"]] == ["accepted", "runtime_error", "wrong_answer"]
    assert report["verdict"] == "runtime_error"
    assert report["score"] == pytest.approx(0.25)
    # Expected values never travel into the box.
    assert all("expected" not in r for r in first.requests + second.requests)
    assert first.closed
    assert second.closed
    # Hidden tests expose no output or expectation: only where the output first differs.
    assert "expected" not in report["tests"][2]
    assert report["tests"][2]["message"] == "wrong answer at $"


def test_sample_only_and_sample_diff() -> None:
    box = FakeBox([ok(result={"value": "4"})])
    job = JudgeJob(QUESTION, CodeAnswer(language="python", source="x"), tests="sample")
    report = report_from_events(judge_events(job, sandbox=UnconfinedSandbox(), boxes=FakeBoxes(box), cache=None))
    assert report.total == 1
    assert report.tests[0].expected == "3"
    assert report.tests[0].diff


@pytest.mark.parametrize(
    ("message", "shown"),
    [
        ("line 3: expected '5', got '4'", "wrong answer at line 3"),
        ("token 7: expected the number 2.5, got 'x'", "wrong answer at token 7"),
        ("$[2].name: expected 'b', got 'c'", "wrong answer at $[2].name"),
        ("$: expected an array of 3 items, got 4", "wrong answer at $"),
        ("line '7' expected 2 time(s), found 1 in the output", "wrong answer"),
    ],
)
def test_hidden_wrong_answers_say_where_not_what(message: str, shown: str) -> None:
    from codesensei.runner.judge import hidden_wrong_answer

    assert hidden_wrong_answer(message) == shown
