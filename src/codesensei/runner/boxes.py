"""A harness box: one long-lived sandbox running `pybox.py` or `nodebox.js`, serving one submission.

The server talks to the harness through two private pipes (length-prefixed JSON frames). Per-test CPU
time and peak memory come from inside (wait4 or the Node.js process), while the cgroup's CPU total and OOM
counter are read outside around each test, so a subverted harness cannot hide a limit it broke.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import struct
import time
from dataclasses import dataclass
from typing import Any

from codesensei.runner.compiler import Program
from codesensei.runner.harness import BOX_PYTHON, harness_file, python_harness
from codesensei.runner.languages import Language
from codesensei.runner.sandbox import BoxSpec, Launched, Sandbox, SandboxUnavailable

STARTUP_TIMEOUT_S = 20.0
HARNESS_STDERR_LIMIT = 64 * 1024


@dataclass
class BoxTestOutcome:
    """What one test did: the harness's report (None if the box died or hung) and the outside counters."""

    report: dict[str, Any] | None
    oom_killed: bool
    cgroup_cpu_ms: float
    box_stderr: str = ""


def harness_argv(language: Language, ctrl_in: int, ctrl_out: int, memory_mb: int) -> tuple[str, ...]:
    if language.harness == "node":
        return (
            "/usr/bin/node",
            f"--max-old-space-size={memory_mb}",
            "--stack-size=8000",
            "{sensei}/nodebox.js",
            str(ctrl_in),
            str(ctrl_out),
        )
    main = next(iter(python_harness()))
    return (BOX_PYTHON, "-I", f"{{sensei}}/{main}", str(ctrl_in), str(ctrl_out))


class HarnessBox:
    """Start with `start()`, then `load()` one program, `run_test()` for each test, and `close()`."""

    def __init__(
        self,
        sandbox: Sandbox,
        language: Language,
        *,
        memory_mb: int,
        processes: int = 64,
        tmpfs_mb: int = 64,
        file_size_bytes: int = 16 * 1024 * 1024,
        program: Program | None = None,
    ) -> None:
        self.language = language
        self.memory_mb = memory_mb
        self.used = False
        self.lock_fd: int | None = None
        box_in, self._to_box = os.pipe()
        self._from_box, box_out = os.pipe()
        self._err_r, err_w = os.pipe()
        os.set_blocking(self._from_box, False)
        os.set_blocking(self._err_r, False)
        self._stderr = bytearray()
        harness = {"nodebox.js": harness_file("nodebox.js")} if language.harness == "node" else python_harness()
        files = {f"sensei/{name}": content for name, content in harness.items()}
        files.update(program.files if program else {})
        spec = BoxSpec(
            argv=harness_argv(language, box_in, box_out, memory_mb),
            binds=language.binds,
            files=files,
            memory_mb=memory_mb + language.memory_baseline_mb,
            processes=processes,
            tmpfs_mb=tmpfs_mb,
            rlimits={"f": file_size_bytes // 512, "n": 256, "c": 0, "s": 256 * 1024},
            pass_fds=(box_in, box_out),
            ready_marker=False,
        )
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            self.launched: Launched = sandbox.launch(spec, stdin=None, stdout=devnull, stderr=err_w)
        except BaseException:
            for fd in (self._to_box, self._from_box, self._err_r):
                os.close(fd)
            raise
        finally:
            for fd in (box_in, box_out, err_w, devnull):
                os.close(fd)
        self._pending = bytearray()
        self._closed = False

    def start(self) -> None:
        """Wait for the harness's ready frame; SandboxUnavailable if the box never came up."""
        ready = self._read_frame(time.monotonic() + STARTUP_TIMEOUT_S)
        self.launched.check_ready()
        if ready is None or not ready.get("ready"):
            stderr = self.stderr()
            self.close()
            raise SandboxUnavailable(f"the {self.language.name} box did not start: {stderr.strip()[:500]}")

    def set_limits(self, *, memory_mb: int, processes: int) -> None:
        if self.launched.cgroup is not None:
            self.launched.cgroup.set_limits(
                memory_bytes=(memory_mb + self.language.memory_baseline_mb) * 1024 * 1024, pids=processes
            )
        self.memory_mb = memory_mb

    def load(self, program: Program, argv: list[str]) -> None:
        """Hand the submission to the harness: Python/JS source, or the argv of a compiled program."""
        self.used = True
        if self.language.harness == "exec":
            frame: dict[str, Any] = {"op": "load", "mode": "exec", "argv": argv}
        else:
            source = program.files[f"prog/{self.language.source_file}"][0].decode("utf-8", "replace")
            frame = {"op": "load", "mode": self.language.harness, "source": source}
        reply = self.request(frame, STARTUP_TIMEOUT_S)
        if reply is None or not reply.get("loaded"):
            raise SandboxUnavailable(f"the {self.language.name} box did not accept the program: {self.stderr()[:500]}")

    def run_test(self, request: dict[str, Any], timeout_s: float) -> BoxTestOutcome:
        cgroup = self.launched.cgroup
        before = cgroup.stats() if cgroup else None
        report = self.request({"op": "test", **request}, timeout_s)
        after = cgroup.stats() if cgroup else None
        if before is None or after is None:
            return BoxTestOutcome(report, False, 0.0, self.stderr())
        return BoxTestOutcome(
            report,
            oom_killed=after.oom_kills > before.oom_kills,
            cgroup_cpu_ms=(after.cpu_ns - before.cpu_ns) / 1e6,
            box_stderr=self.stderr(),
        )

    def request(self, frame: dict[str, Any], timeout_s: float) -> dict[str, Any] | None:
        body = json.dumps(frame).encode()
        try:
            os.write(self._to_box, struct.pack(">I", len(body)) + body)
        except OSError:
            return None
        return self._read_frame(time.monotonic() + timeout_s)

    def _read_frame(self, deadline: float) -> dict[str, Any] | None:
        selector = selectors.DefaultSelector()
        selector.register(self._from_box, selectors.EVENT_READ)
        selector.register(self._err_r, selectors.EVENT_READ)
        try:
            while True:
                if len(self._pending) >= 4:
                    (size,) = struct.unpack_from(">I", self._pending)
                    if len(self._pending) >= 4 + size:
                        body = bytes(self._pending[4 : 4 + size])
                        del self._pending[: 4 + size]
                        return dict(json.loads(body))
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                for key, _ in selector.select(min(remaining, 0.05)):
                    chunk = self._drain(int(key.fd))
                    if key.fd == self._from_box:
                        if chunk is None:
                            return None
                        self._pending += chunk
        finally:
            selector.close()

    def _drain(self, fd: int) -> bytes | None:
        try:
            chunk = os.read(fd, 1 << 20)
        except BlockingIOError:
            return b""
        if fd == self._err_r:
            if len(self._stderr) < HARNESS_STDERR_LIMIT:
                self._stderr += chunk
            return chunk
        return chunk or None

    def stderr(self) -> str:
        with contextlib.suppress(OSError):
            while self._drain(self._err_r):
                pass
        return self._stderr.decode("utf-8", "replace")

    @property
    def alive(self) -> bool:
        return self.launched.proc.poll() is None

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.launched.close()
        for fd in (self._to_box, self._from_box, self._err_r):
            os.close(fd)
        if self.lock_fd is not None:
            os.close(self.lock_fd)
            self.lock_fd = None
