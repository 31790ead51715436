"""Run a box once to completion: feed stdin, collect capped stdout/stderr, enforce CPU and wall time.

CPU time is read from the run's cgroup (every process of the run counts) while the program runs, so a
fork bomb of busy children is stopped as surely as one busy loop.
"""

from __future__ import annotations

import os
import selectors
import signal
import time
from dataclasses import dataclass

from codesensei.runner.sandbox import BoxSpec, Launched, Sandbox, SandboxUnavailable
from codesensei.runner.types import RunResult, RunStatus

POLL_S = 0.01
TRUNCATION_MARKER = "\n…[truncated]"


@dataclass
class RawRun:
    exit_code: int | None
    signal: int | None
    stdout: bytes
    stderr: bytes
    output_exceeded: bool
    timed_out: bool
    cpu_ms: float
    wall_ms: float
    memory_kb: int
    oom_killed: bool
    setup_failed: bool


def execute(
    sandbox: Sandbox, spec: BoxSpec, stdin: bytes, *, cpu_limit_s: float, wall_limit_s: float, output_bytes: int
) -> RawRun:
    """Launch `spec`, run it to the end (or the limits) and always tear the box down."""
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    in_r, in_w = os.pipe()
    started = time.monotonic()
    try:
        launched = sandbox.launch(spec, stdin=in_r, stdout=out_w, stderr=err_w)
    finally:
        for fd in (out_w, err_w, in_r):
            os.close(fd)
    try:
        raw = _pump(launched, in_w, out_r, err_r, stdin, cpu_limit_s, wall_limit_s, output_bytes, started)
    finally:
        launched.close()
    return raw


def _pump(
    launched: Launched,
    in_w: int,
    out_r: int,
    err_r: int,
    stdin: bytes,
    cpu_limit_s: float,
    wall_limit_s: float,
    output_bytes: int,
    started: float,
) -> RawRun:
    buffers = {out_r: bytearray(), err_r: bytearray()}
    pending = memoryview(stdin)
    selector = selectors.DefaultSelector()
    for fd in (out_r, err_r):
        os.set_blocking(fd, False)
        selector.register(fd, selectors.EVENT_READ)
    if pending:
        os.set_blocking(in_w, False)
        selector.register(in_w, selectors.EVENT_WRITE)
    else:
        os.close(in_w)
    open_fds = {out_r, err_r} | ({in_w} if pending else set())
    output_exceeded = timed_out = False
    deadline = started + wall_limit_s
    cpu_limit_ns = int(cpu_limit_s * 1e9)
    try:
        while out_r in open_fds or err_r in open_fds:
            for key, _ in selector.select(POLL_S):
                fd = int(key.fd)
                if fd == in_w:
                    try:
                        written = os.write(in_w, pending[:65536])
                    except (BrokenPipeError, BlockingIOError):
                        written = len(pending)
                    pending = pending[written:]
                    if not pending:
                        selector.unregister(in_w)
                        os.close(in_w)
                        open_fds.discard(in_w)
                    continue
                chunk = os.read(fd, 65536)
                if not chunk:
                    selector.unregister(fd)
                    os.close(fd)
                    open_fds.discard(fd)
                    continue
                buffers[fd] += chunk
                if len(buffers[out_r]) + len(buffers[err_r]) > output_bytes:
                    output_exceeded = True
            launched.check_ready()
            if output_exceeded:
                break
            if time.monotonic() > deadline:
                timed_out = True
                break
            if launched.cgroup is not None and launched.cgroup.stats().cpu_ns > cpu_limit_ns:
                timed_out = True
                break
        if output_exceeded or timed_out:
            launched.kill()
        returncode = _wait(launched, deadline + 1.0)
        launched.check_ready()
    finally:
        for fd in open_fds:
            os.close(fd)
        selector.close()
    wall_ms = (time.monotonic() - started) * 1000
    if launched.cgroup is not None:
        stats = launched.cgroup.stats()
        cpu_ms, memory_kb, oom = stats.cpu_ns / 1e6, stats.memory_peak_bytes // 1024, stats.oom_kills > 0
    else:
        usage = launched.rusage
        cpu_ms = (usage.ru_utime + usage.ru_stime) * 1000 if usage else 0.0
        memory_kb, oom = (usage.ru_maxrss if usage else 0), False
    exit_code: int | None = returncode if returncode >= 0 else None
    signum: int | None = -returncode if returncode < 0 else None
    if launched.cgroup is not None and 128 < returncode < 160:
        # bubblewrap's init reports a child killed by signal N as exit status 128 + N.
        exit_code, signum = None, returncode - 128
    return RawRun(
        exit_code=exit_code,
        signal=signum,
        stdout=bytes(buffers[out_r]),
        stderr=bytes(buffers[err_r]),
        output_exceeded=output_exceeded,
        timed_out=timed_out or cpu_ms > cpu_limit_s * 1000,
        cpu_ms=cpu_ms,
        wall_ms=wall_ms,
        memory_kb=memory_kb,
        oom_killed=oom,
        setup_failed=not launched.setup_ok,
    )


def _wait(launched: Launched, deadline: float) -> int:
    """Reap with wait4 (keeping rusage for unconfined runs); kill if the box outlives the deadline."""
    proc = launched.proc
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            launched.rusage = usage
            return proc.returncode
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
        time.sleep(0.001)


def text(data: bytes, limit: int) -> tuple[str, bool]:
    """Decode program output for display, cut at `limit` bytes with a visible marker."""
    if len(data) <= limit:
        return data.decode("utf-8", errors="replace"), False
    return data[:limit].decode("utf-8", errors="replace") + TRUNCATION_MARKER, True


def classify(raw: RawRun, *, cpu_limit_s: float, memory_mb: int) -> RunStatus:
    """One run's status from its raw outcome; the order decides which limit a killed program hit."""
    if raw.setup_failed:
        return "internal_error"
    if raw.output_exceeded:
        return "output_limit_exceeded"
    if raw.oom_killed or (raw.memory_kb > memory_mb * 1024 and raw.signal is not None):
        return "memory_limit_exceeded"
    if raw.timed_out or raw.cpu_ms > cpu_limit_s * 1000 or raw.signal == signal.SIGXCPU:
        return "time_limit_exceeded"
    if raw.exit_code != 0:
        return "runtime_error"
    return "ok"


def failed_setup(exc: SandboxUnavailable | OSError) -> RunResult:
    return RunResult(status="internal_error", message=f"sandbox unavailable: {exc}")
