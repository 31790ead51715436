"""`run_program`: compile and run one program once with given stdin, the semantics of `sensei run`."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

from codesensei.runner.compiler import Program, prepare
from codesensei.runner.execute import classify, execute, text
from codesensei.runner.languages import Language, get_language
from codesensei.runner.sandbox import BoxSpec, Sandbox, SandboxUnavailable, get_sandbox
from codesensei.runner.types import RunLimits, RunResult

UNSAFE_WARNING = "running candidate code WITHOUT a sandbox (--unsafe-no-sandbox): for development only"


def cache_dir() -> Path:
    from codesensei.settings import load_settings

    return load_settings().data_dir / "runner" / "cache"


def default_limits(language: Language) -> RunLimits:
    return RunLimits(cpu_time_s=language.limits.time_s, memory_mb=language.limits.memory_mb)


def rlimits_for(limits: RunLimits, *, cpu: bool = True) -> dict[str, int]:
    values = {"f": limits.file_size_bytes // 512, "n": limits.open_files, "c": 0, "s": 256 * 1024}
    if cpu:
        # A per-process backstop; the cgroup's CPU total is what decides time_limit_exceeded.
        values["t"] = math.ceil(limits.cpu_time_s) + 1
    return values


def program_spec(program: Program, limits: RunLimits) -> BoxSpec:
    language = program.language
    return BoxSpec(
        argv=tuple(language.run_argv("{prog}", limits.memory_mb)),
        binds=language.binds,
        files=program.files,
        memory_mb=limits.memory_mb + language.memory_baseline_mb,
        processes=limits.processes,
        tmpfs_mb=limits.tmpfs_mb,
        rlimits=rlimits_for(limits),
    )


def run_program(
    source: str,
    language: str,
    stdin: str = "",
    limits: RunLimits | None = None,
    *,
    unsafe_no_sandbox: bool = False,
) -> RunResult:
    """Compile (cached) and run `source` once; never raises for the program's or the sandbox's failures."""
    lang = get_language(language)
    limits = limits or default_limits(lang)
    if unsafe_no_sandbox:
        warnings.warn(UNSAFE_WARNING, RuntimeWarning, stacklevel=2)
    sandbox = get_sandbox(unsafe_no_sandbox=unsafe_no_sandbox)
    return run_with(sandbox, source, lang, stdin, limits, cache_dir())


def run_with(
    sandbox: Sandbox, source: str, language: Language, stdin: str, limits: RunLimits, cache: Path | None
) -> RunResult:
    try:
        program = prepare(source, language, sandbox, cache)
        if not program.ok:
            return RunResult(status=program.status, compile_output=program.compile_output, message=program.message)
        raw = execute(
            sandbox,
            program_spec(program, limits),
            stdin.encode(),
            cpu_limit_s=limits.cpu_time_s,
            wall_limit_s=limits.wall_time_s,
            output_bytes=limits.output_bytes,
        )
    except (SandboxUnavailable, OSError) as exc:
        return RunResult(status="internal_error", message=f"sandbox unavailable: {exc}")
    stdout, cut_out = text(raw.stdout, limits.output_bytes)
    stderr, cut_err = text(raw.stderr, limits.output_bytes)
    status = classify(raw, cpu_limit_s=limits.cpu_time_s, memory_mb=limits.memory_mb)
    message = ""
    if status == "internal_error":
        message = "the sandbox could not be set up: " + stderr.strip()
        stdout, stderr = "", ""
    return RunResult(
        status=status,
        exit_code=raw.exit_code,
        signal=raw.signal,
        stdout=stdout,
        stderr=stderr,
        compile_output=program.compile_output,
        time_ms=round(raw.cpu_ms, 3),
        wall_ms=round(raw.wall_ms, 3),
        memory_kb=raw.memory_kb,
        truncated=cut_out or cut_err or raw.output_exceeded,
        message=message,
    )
