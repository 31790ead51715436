"""Verdicts, decided outside the box: one test's from what the box reported, the submission's from the tests.

Pure functions over dataclasses, tested with made-up outcomes (no processes).
"""

from __future__ import annotations

import signal
from dataclasses import dataclass
from typing import Any

from codesensei.runner.types import JudgeReport, RunLimits, TestResult, Verdict

MEMORY_MARKERS = ("MemoryError", "JavaScript heap out of memory", "java.lang.OutOfMemoryError", "memory allocation of")


@dataclass(frozen=True)
class Execution:
    """A test's run as the judge sees it, whichever box produced it."""

    status: str  # exited | signaled | timeout | output_limit | died
    exit_code: int | None
    signal: int | None
    cpu_ms: float
    wall_ms: float
    memory_kb: int
    stdout: str
    stderr: str
    result: Any
    oom_killed: bool = False
    outside_cpu_ms: float = 0.0


def execution_verdict(run: Execution, limits: RunLimits) -> tuple[Verdict | None, str]:
    """The verdict of a run that failed to finish cleanly, or (None, "") when its output should be checked."""
    cpu_limit_ms = limits.cpu_time_s * 1000
    if run.status == "output_limit":
        return "output_limit_exceeded", "the program wrote more output than allowed"
    memory_hit = run.oom_killed or any(marker in run.stderr for marker in MEMORY_MARKERS)
    if memory_hit or (run.signal == signal.SIGKILL and run.memory_kb >= limits.memory_mb * 1024):
        return "memory_limit_exceeded", f"the program used more than {limits.memory_mb} MB"
    # The outside CPU total includes the harness's own small share, hence the slack.
    over_cpu = run.cpu_ms > cpu_limit_ms or run.outside_cpu_ms > cpu_limit_ms * 1.5 + 100
    if run.status == "timeout" or over_cpu or run.signal == signal.SIGXCPU:
        return "time_limit_exceeded", f"the program ran longer than {limits.cpu_time_s:g} s"
    if run.status == "died":
        return "runtime_error", "the program's box stopped unexpectedly"
    if run.signal is not None:
        name = signal.Signals(run.signal).name if run.signal in signal.valid_signals() else str(run.signal)
        return "runtime_error", f"the program was killed by {name}"
    if run.exit_code not in (0, None):
        return "runtime_error", f"the program exited with code {run.exit_code}"
    return None, ""


def aggregate(
    tests: list[TestResult], *, compile_output: str = "", compile_failed: bool = False, message: str = ""
) -> JudgeReport:
    """`compile_error` if compiling failed, else `accepted` if every test passed, else the first failure."""
    if compile_failed:
        return JudgeReport(
            verdict="compile_error",
            passed=0,
            total=len(tests),
            score=0.0,
            tests=tests,
            compile_output=compile_output,
            message=message,
        )
    passed = [t for t in tests if t.passed]
    total_weight = sum(t.weight for t in tests)
    failing = next((t for t in tests if not t.passed), None)
    verdict: Verdict = "accepted" if failing is None else failing.verdict
    if not tests:
        verdict, message = "internal_error", message or "the question has no tests for this language"
    return JudgeReport(
        verdict=verdict,
        passed=len(passed),
        total=len(tests),
        score=round(sum(t.weight for t in passed) / total_weight, 6) if total_weight else 0.0,
        tests=tests,
        time_ms=round(max((t.time_ms for t in tests), default=0.0), 3),
        memory_kb=max((t.memory_kb for t in tests), default=0),
        compile_output=compile_output,
        message=message,
    )
