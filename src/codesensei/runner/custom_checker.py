"""Custom checkers: the question's own program, run in the sandbox with `input`, `expected` and `output`.

The files are placed in the checker's working directory (/box); exit status 0 accepts the answer and the
checker's first line of output becomes the message.
"""

from __future__ import annotations

from dataclasses import replace

from codesensei.bank.model import Checker
from codesensei.grading.checkers import CheckOutcome
from codesensei.runner.api import cache_dir, program_spec
from codesensei.runner.compiler import prepare
from codesensei.runner.execute import classify, execute
from codesensei.runner.languages import get_language
from codesensei.runner.sandbox import Sandbox, SandboxUnavailable
from codesensei.runner.types import RunLimits

CHECKER_LIMITS = RunLimits(cpu_time_s=5.0, memory_mb=512, output_bytes=64 * 1024)


def run_custom_checker(checker: Checker, input_text: str, expected: str, output: str, sandbox: Sandbox) -> CheckOutcome:
    if checker.program is None:
        return CheckOutcome(False, "the custom checker has no program")
    language = get_language(checker.program.language)
    try:
        program = prepare(checker.program.code, language, sandbox, cache_dir())
        if not program.ok:
            return CheckOutcome(False, f"the custom checker does not compile: {program.compile_output[:500]}")
        spec = program_spec(program, CHECKER_LIMITS)
        files = {
            **spec.files,
            "box/input": (input_text.encode(), 0o444),
            "box/expected": (expected.encode(), 0o444),
            "box/output": (output.encode(), 0o444),
        }
        raw = execute(
            sandbox,
            replace(spec, files=files),
            b"",
            cpu_limit_s=CHECKER_LIMITS.cpu_time_s,
            wall_limit_s=CHECKER_LIMITS.wall_time_s,
            output_bytes=CHECKER_LIMITS.output_bytes,
        )
    except (SandboxUnavailable, OSError) as exc:
        return CheckOutcome(False, f"the custom checker could not run: {exc}")
    status = classify(raw, cpu_limit_s=CHECKER_LIMITS.cpu_time_s, memory_mb=CHECKER_LIMITS.memory_mb)
    said = (raw.stdout or raw.stderr).decode("utf-8", "replace").strip().splitlines()
    message = said[0][:500] if said else ""
    if status == "ok":
        return CheckOutcome(True, message)
    if status == "runtime_error":
        return CheckOutcome(False, message or "rejected by the custom checker")
    return CheckOutcome(False, f"the custom checker failed: {status}")
