"""Run one test of a question in a fresh harness box with explicit limits, outside the judge's event stream.

For the runs the platform makes of its own reference code: filling a generated test, and proving a slow
solution slow, where a busy machine's wall clock must not stop a program before its CPU limit does.
The box gets the test's input only; whatever the run produced is returned to be checked out here.
"""

from __future__ import annotations

from pathlib import Path

from codesensei.bank.model import CodeAnswer, CodeQuestion
from codesensei.errors import SenseiError
from codesensei.runner.compiler import prepare
from codesensei.runner.judge import ColdBoxes, ExecutedTest, box_request, execution_of
from codesensei.runner.languages import get_language
from codesensei.runner.sandbox import Sandbox, SandboxUnavailable
from codesensei.runner.types import RunLimits
from codesensei.runner.verdicts import Execution


class NotRunnable(SenseiError):
    """The program could not be run at all: it did not compile, or the sandbox could not start."""

    code = "not_runnable"
    http_status = 422


def run_one_test(
    sandbox: Sandbox,
    question: CodeQuestion,
    answer: CodeAnswer,
    test: ExecutedTest,
    limits: RunLimits,
    *,
    wall_s: float | None = None,
    compile_cache: Path | None = None,
) -> Execution:
    """Run `answer` on `test` under `limits` (`wall_s` replaces the wall limit derived from the CPU limit)."""
    language = get_language(answer.language)
    try:
        program = prepare(answer.source, language, sandbox, compile_cache)
        if not program.ok:
            detail = (program.compile_output or program.message).strip()[:500]
            raise NotRunnable(f"{program.status}: {detail}" if detail else program.status)
        box = ColdBoxes(sandbox).acquire(language, program, limits)
    except (SandboxUnavailable, OSError) as exc:
        raise NotRunnable(f"the sandbox is unavailable: {exc}") from None
    try:
        request = box_request(test, question, limits)
        request["last"] = True
        if wall_s is not None:
            request["wall_s"] = wall_s
        outcome = box.run_test(request, float(request["wall_s"]) + 5.0)
    finally:
        box.close()
    return execution_of(outcome)
