"""Prove a code question with its reference solutions, judged in the sandbox like any submission.

- `accepted`: every test passes, each within a quarter of the CPU limit.
- `wrong`: at least one hidden test fails. A compile error proves nothing, and neither does a time limit on
  the performance test (that would make it a slow solution, not a wrong one).
- `slow`: run on the performance test with the limit raised to four times, it must still run out of CPU
  time, so it needs at least four times the limit. Its wall limit is generous: on a busy machine the wall
  clock would otherwise stop it first, and that proves nothing about its CPU time.
Questions whose tests are all `source` checks grade the solution's text instead.
"""

from __future__ import annotations

import signal
from dataclasses import replace
from typing import Protocol

from codesensei.bank.model import CodeAnswer, CodeQuestion, Solution
from codesensei.grading import grade
from codesensei.runner.judge import ExecutedTest, question_limits
from codesensei.runner.types import JudgeReport, RunLimits, TestResult
from codesensei.runner.verdicts import Execution, execution_verdict
from codesensei.verification.results import Outcome, failed, passed


class SolutionRunner(Protocol):
    """The port to the runner: judge an answer with every test, or run it on one test with given limits."""

    def judge(self, question: CodeQuestion, answer: CodeAnswer) -> JudgeReport: ...

    def run_test(
        self, question: CodeQuestion, answer: CodeAnswer, test: ExecutedTest, limits: RunLimits, wall_s: float
    ) -> Execution: ...


ACCEPTED_SHARE = 0.25
SLOW_FACTOR = 4.0
MAX_TIME_S = 60.0  # the model's own ceiling for `limits.time_s`
# A slow solution gets this many times its CPU limit (plus a few seconds) of wall time.
SLOW_WALL_FACTOR = 10.0
SLOW_WALL_EXTRA_S = 5.0


def check_solution(
    question: CodeQuestion, solution: Solution, *, performance_test: str | None, runner: SolutionRunner
) -> Outcome:
    """Run one reference solution against a materialized question and say whether it behaves as labelled."""
    answer = CodeAnswer(language=solution.language, source=solution.code)
    if not question.executed_tests:
        return _check_source_only(question, solution, answer)
    if solution.expect == "accepted":
        return _check_accepted(question, runner.judge(question, answer))
    if solution.expect == "wrong":
        return _check_wrong(runner.judge(question, answer), performance_test)
    test = next((t for t in question.executed_tests if t.name == performance_test), None)
    if test is None:
        return failed("a slow solution needs a generated performance test to be proven slow")
    raised = min(MAX_TIME_S, question.limits.time_s * SLOW_FACTOR)
    limits = replace(question_limits(question), cpu_time_s=raised)
    wall_s = raised * SLOW_WALL_FACTOR + SLOW_WALL_EXTRA_S
    return _check_slow(runner.run_test(question, answer, test, limits, wall_s), limits, test.name, wall_s)


def _failure(report: JudgeReport) -> str:
    if report.verdict == "compile_error":
        first_line = next((line for line in report.compile_output.splitlines() if line.strip()), "")
        return f"compile_error: {first_line}"[:300]
    test = next((t for t in report.tests if not t.passed), None)
    if test is None:
        return f"{report.verdict}: {report.message}"[:300]
    return f"{test.verdict} on {test.name}" + (f": {test.message}"[:300] if test.message else "")


def _slowest(report: JudgeReport) -> TestResult:
    return max(report.tests, key=lambda t: t.time_ms)


def _check_accepted(question: CodeQuestion, report: JudgeReport) -> Outcome:
    if report.verdict != "accepted":
        return failed(_failure(report))
    budget_ms = question.limits.time_s * 1000 * ACCEPTED_SHARE
    slowest = _slowest(report)
    if slowest.time_ms > budget_ms:
        return failed(
            f"{slowest.name} took {slowest.time_ms:.0f} ms of CPU; an accepted solution stays within a quarter "
            f"of the {question.limits.time_s:g} s limit ({budget_ms:.0f} ms)"
        )
    return passed(
        f"{report.passed}/{report.total} tests; slowest {slowest.name}: {slowest.time_ms:.0f}/{budget_ms:.0f} ms"
    )


def _check_wrong(report: JudgeReport, performance_test: str | None) -> Outcome:
    if report.verdict in ("compile_error", "internal_error"):
        return failed(f"{_failure(report)} (a wrong solution must run and fail a hidden test)")
    proofs = [
        t
        for t in report.tests
        if t.visibility == "hidden"
        and not t.passed
        and t.verdict != "internal_error"
        and not (t.name == performance_test and t.verdict == "time_limit_exceeded")
    ]
    if not proofs:
        return failed(f"passes every hidden test ({report.passed}/{report.total} tests passed)")
    names = ", ".join(t.name for t in proofs[:3]) + (", …" if len(proofs) > 3 else "")
    return passed(f"fails {len(proofs)} hidden test{'s' if len(proofs) > 1 else ''}: {names}")


def _check_slow(run: Execution, limits: RunLimits, test_name: str, wall_s: float) -> Outcome:
    verdict, message = execution_verdict(run, limits)
    if verdict is None:
        return failed(
            f"finished {test_name} in {run.cpu_ms:.0f} ms of CPU: not slow enough "
            f"(it must run out of {limits.cpu_time_s:g} s, four times the limit)"
        )
    if verdict != "time_limit_exceeded":
        return failed(f"{verdict} on {test_name}: {message}")
    # Stopped by the CPU limit (the kernel's SIGXCPU, or the harness's CPU watch before the wall deadline).
    # The in-box CPU figure may read a little under the limit even then, so it does not decide.
    if run.signal != signal.SIGXCPU and run.wall_ms >= wall_s * 1000:
        return failed(
            f"stopped by the wall clock ({wall_s:g} s) after only {run.cpu_ms:.0f} ms of CPU: "
            "a program that waits is not slow, unless the machine is overloaded"
        )
    return passed(f"time_limit_exceeded on {test_name} after {run.cpu_ms:.0f} ms of CPU (limit × 4)")


def _check_source_only(question: CodeQuestion, solution: Solution, answer: CodeAnswer) -> Outcome:
    result = grade(question, answer)
    full = result.points_earned >= result.points_possible
    if solution.expect == "accepted":
        return (
            passed(result.feedback)
            if full
            else failed(f"{result.points_earned:g}/{result.points_possible:g}: {result.feedback}")
        )
    if solution.expect == "wrong":
        return failed("earns full marks on the source checks") if full else passed(result.feedback)
    return failed("a question without executed tests cannot prove a solution slow")
