"""Runs every hostile program in `cases/*.yaml` in the real sandbox and checks the host from outside afterwards.

Each case declares its language, source, limits and acceptable statuses (DMOJ-style data-driven tests);
this runner adds the checks every case shares: planted secrets never appear in any output, no process of
the case survives, no file named with the case's marker is left on the host, the planted data dir is
untouched, nothing reached the host's loopback listeners, and a fresh probe run sees a clean box.
"""

from __future__ import annotations

import secrets
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from codesensei.runner.types import RunLimits, RunResult

if TYPE_CHECKING:
    from conftest import Host, Listeners, Planted, ProbeView

CASES_DIR = Path(__file__).parent / "cases"
STATUSES = {
    "ok",
    "runtime_error",
    "time_limit_exceeded",
    "memory_limit_exceeded",
    "output_limit_exceeded",
    "compile_error",
    "internal_error",
}
LANGUAGES = {"python", "javascript", "c", "cpp", "java", "rust"}
CASE_KEYS = {
    "description",
    "language",
    "source",
    "stdin",
    "limits",
    "expect_status",
    "forbid_in_output",
    "require_in_stdout",
    "next_run",
}
DEFAULT_LIMITS = {"cpu_time_s": 1.0, "memory_mb": 128}


@dataclass(frozen=True)
class Run:
    """One program of a case: the case itself or its follow-up `next_run`."""

    language: str
    source: str
    stdin: str
    limits: RunLimits
    expect_status: tuple[str, ...]
    forbid_in_output: tuple[str, ...]
    require_in_stdout: tuple[str, ...]


@dataclass(frozen=True)
class Case:
    name: str
    description: str
    first: Run
    second: Run | None = None


def _as_tuple(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    assert isinstance(value, list), value
    return tuple(str(item) for item in value)


def _parse_run(data: dict[str, Any], where: str, inherited_limits: dict[str, Any] | None = None) -> Run:
    unknown = set(data) - CASE_KEYS
    assert not unknown, f"{where}: unknown keys {sorted(unknown)}"
    language = data.get("language", "")
    assert language in LANGUAGES, f"{where}: language {language!r}"
    expect = _as_tuple(data.get("expect_status"))
    assert expect, f"{where}: expect_status is required"
    assert set(expect) <= STATUSES, f"{where}: unknown statuses {sorted(set(expect) - STATUSES)}"
    assert "internal_error" not in expect, f"{where}: a hostile program must never be an internal error"
    limits = {**DEFAULT_LIMITS, **(inherited_limits or {}), **data.get("limits", {})}
    return Run(
        language=language,
        source=str(data["source"]),
        stdin=str(data.get("stdin", "")),
        limits=RunLimits(**limits),
        expect_status=expect,
        forbid_in_output=_as_tuple(data.get("forbid_in_output")),
        require_in_stdout=_as_tuple(data.get("require_in_stdout")),
    )


def load_case(path: Path) -> Case:
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict), path
    first = _parse_run(data, path.name)
    second = None
    if "next_run" in data:
        second = _parse_run(data["next_run"], f"{path.name}: next_run", data.get("limits"))
    return Case(name=path.stem, description=str(data.get("description", "")), first=first, second=second)


CASES = sorted(CASES_DIR.glob("*.yaml"))


def test_the_suite_covers_every_language_with_enough_cases() -> None:
    counts = Counter(load_case(path).first.language for path in CASES)
    assert sum(counts.values()) >= 40
    assert {language for language in LANGUAGES if counts[language] >= 3} == LANGUAGES, counts


def _substitute(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    assert "{{" not in text or "}}" not in text.split("{{", 1)[1], f"unknown placeholder in {text[:200]!r}"
    return text


def _describe(result: RunResult) -> str:
    return (
        f"status={result.status} exit_code={result.exit_code} signal={result.signal} "
        f"time_ms={result.time_ms} wall_ms={result.wall_ms} memory_kb={result.memory_kb} "
        f"message={result.message[:300]!r}\nstdout={result.stdout[:600]!r}\nstderr={result.stderr[-600:]!r}\n"
        f"compile_output={result.compile_output[-600:]!r}"
    )


def _execute(run: Run, values: dict[str, str], planted: Planted, label: str) -> RunResult:
    from codesensei.runner.api import run_program

    source = _substitute(run.source, values)
    stdin = _substitute(run.stdin, values)
    started = time.monotonic()
    result = run_program(source, run.language, stdin, run.limits)
    elapsed = time.monotonic() - started
    described = _describe(result)
    assert result.status in run.expect_status, f"{label}: expected {run.expect_status}, got {described}"
    # The run itself must end near its wall limit, however hostile the program; compiling gets extra time.
    assert elapsed < run.limits.wall_time_s + 40, f"{label}: took {elapsed:.1f}s\n{described}"
    # The server keeps at most the output limit of each stream (plus a short truncation marker).
    for name, text in (("stdout", result.stdout), ("stderr", result.stderr)):
        size = len(text.encode(errors="replace"))
        assert size <= run.limits.output_bytes + 64, f"{label}: kept {size} bytes of {name}\n{described}"
    channels = {
        "stdout": result.stdout,
        "stderr": result.stderr,
        "compile_output": result.compile_output,
        "message": result.message,
    }
    forbidden = [*planted.forbidden, *(_substitute(s, values) for s in run.forbid_in_output)]
    for name, text in channels.items():
        for secret in forbidden:
            assert secret not in text, f"{label}: {secret!r} leaked into {name}\n{described}"
    for required in run.require_in_stdout:
        wanted = _substitute(required, values)
        assert wanted in result.stdout, f"{label}: {wanted!r} missing from stdout\n{described}"
    return result


@pytest.mark.sandbox
def test_boxes_run_as_an_unprivileged_host_user(host: Host) -> None:
    assert host.box_uids, "no box process was observed"
    assert 0 not in host.box_uids, f"box processes run as host root: {host.box_uids}"


@pytest.mark.sandbox
@pytest.mark.parametrize("path", CASES, ids=[path.stem for path in CASES])
def test_hostile_program(
    path: Path, planted: Planted, listeners: Listeners, host: Host, baseline_probe: ProbeView
) -> None:
    case = load_case(path)
    # Short enough for a process name (15 characters), unique per run so parallel workers never collide.
    marker = "hx" + secrets.token_hex(5)
    values = {
        "MARKER": marker,
        "DATA_DIR": str(planted.data_dir),
        "TCP_PORT": str(listeners.tcp_port),
        "UDP_PORT": str(listeners.udp_port),
    }
    data_before = planted.snapshot()
    since = host.now_ticks()

    _execute(case.first, values, planted, case.name)
    if case.second is not None:
        _execute(case.second, values, planted, f"{case.name} (next run)")

    leaks = host.wait_for_no_leaks(marker, host.box_uids, since)
    assert not leaks, f"{case.name}: processes outlived the run: " + "; ".join(
        f"pid={p.pid} uid={p.uid} comm={p.comm!r} cmdline={p.cmdline[:120]!r}" for p in leaks
    )
    left = host.marker_files(marker, (*host.scan_roots, planted.data_dir))
    assert not left, f"{case.name}: files left on the host: {left}"
    assert planted.snapshot() == data_before, f"{case.name}: the planted data dir changed"
    assert not listeners.events, f"{case.name}: reached the host's loopback: {listeners.events}"

    probe = host.run_probe()
    assert marker not in probe.raw, f"{case.name}: the next run sees the case's files: {probe.raw[:2000]}"
    new_entries = sorted(probe.entries - baseline_probe.entries)
    assert not new_entries, f"{case.name}: the next run's box is not clean: {new_entries[:20]}"
