"""A harness box: one long-lived sandbox running `pybox.py` or `nodebox.js`, serving one submission.

The server talks to the harness through two private pipes (length-prefixed JSON frames). Per-test CPU
time and peak memory come from inside (wait4 or the Node.js process), while the cgroup's CPU total and OOM
counter are read outside around each test, so a subverted harness cannot hide a limit it broke.

Time limits are decided on CPU time. The Python harness stops a test itself when its CPU time runs out;
the Node.js harness runs candidate code on its own thread and cannot watch the clock meanwhile, so the
server watches the box's cgroup and interrupts the test with SIGINT (sent through a pidfd, so it can only
ever reach the harness process) once its CPU time is spent. The harness's wall-clock limit is only the
backstop of a program that sleeps or blocks.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import struct
import time
from dataclasses import dataclass
from typing import Any

from codesensei.runner.cgroups import CgroupStats
from codesensei.runner.compiler import Program
from codesensei.runner.harness import BOX_PYTHON, harness_file, python_harness
from codesensei.runner.languages import Language
from codesensei.runner.sandbox import BoxSpec, Launched, Sandbox, SandboxUnavailable

STARTUP_TIMEOUT_S = 20.0
HARNESS_STDERR_LIMIT = 64 * 1024
# How often the server looks at a running Node.js test's CPU time, and how often it repeats the interrupt
# until the harness answers (a SIGINT that lands between two of the harness's vm calls is not seen).
CPU_WATCH_S = 0.01
INTERRUPT_REPEAT_S = 0.05


@dataclass
class BoxTestOutcome:
    """What one test did: the harness's report (None if the box died or hung) and the outside counters."""

    report: dict[str, Any] | None
    oom_killed: bool
    cgroup_cpu_ms: float
    box_stderr: str = ""
    # The server interrupted the test because its CPU time (or wall-clock backstop) ran out.
    interrupted: bool = False


def harness_argv(
    language: Language, ctrl_in: int, ctrl_out: int, memory_mb: int, contexts_ahead: int = 1
) -> tuple[str, ...]:
    if language.harness == "node":
        return (
            "/usr/bin/node",
            f"--max-old-space-size={memory_mb}",
            "--stack-size=8000",
            "{sensei}/nodebox.js",
            str(ctrl_in),
            str(ctrl_out),
            str(contexts_ahead),
        )
    main = next(iter(python_harness()))
    # -S: no `site`, whose .pth hooks run at every start; the harness puts site-packages on sys.path itself.
    return (BOX_PYTHON, "-I", "-S", f"{{sensei}}/{main}", str(ctrl_in), str(ctrl_out))


@dataclass
class _Running:
    """A test sent to the box whose reply has not been read yet."""

    before: CgroupStats | None
    watch: _Watch | None
    deadline: float
    sent: bool


@dataclass
class _Watch:
    """A running test's limits as the server enforces them for the Node.js harness."""

    cpu_ns: int  # the cgroup's CPU counter at which the test is out of time
    wall_at: float  # monotonic time of the wall-clock backstop
    interrupted: bool = False


class HarnessBox:
    """Start with `start()` (or `poll_ready()`), then `load()` one program, `run_test()` for each test, `close()`."""

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
        contexts_ahead: int = 1,
    ) -> None:
        """`contexts_ahead`: how many test contexts the Node.js harness makes before it reports ready."""
        self.language = language
        self.memory_mb = memory_mb
        self.used = False
        self.lock_fd: int | None = None
        self.started_at = time.monotonic()
        box_in, self._to_box = os.pipe()
        self._from_box, box_out = os.pipe()
        self._err_r, err_w = os.pipe()
        os.set_blocking(self._from_box, False)
        os.set_blocking(self._err_r, False)
        self._stderr = bytearray()
        self._pending = bytearray()
        self._closed = False
        self._ready = False
        self._pidfd: int | None = None
        self._stats: CgroupStats | None = None
        self._running: _Running | None = None
        self._loading: float | None = None  # the deadline of a load() whose reply is still to be read
        self._poller = select.poll()
        self._poller.register(self._from_box, select.POLLIN)
        self._poller.register(self._err_r, select.POLLIN)
        harness = {"nodebox.js": harness_file("nodebox.js")} if language.harness == "node" else python_harness()
        files = {f"sensei/{name}": content for name, content in harness.items()}
        files.update(program.files if program else {})
        spec = BoxSpec(
            argv=harness_argv(language, box_in, box_out, memory_mb, contexts_ahead),
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

    @property
    def ready_fd(self) -> int:
        """Readable when the harness has written something (its ready frame, at first)."""
        return self._from_box

    def start(self) -> None:
        """Wait for the harness's ready frame; SandboxUnavailable if the box never came up."""
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not self.poll_ready():
            if time.monotonic() > deadline:
                self._fail_start("no ready frame")
            self._wait(deadline)

    def poll_ready(self) -> bool:
        """Take in what the harness wrote without waiting: True once it is ready, SandboxUnavailable if it
        died (or said anything but ready)."""
        if self._ready:
            return True
        alive = self._drain_control()
        frame = self._take_frame()
        if frame is None:
            if not alive:
                self._fail_start("the harness exited")
            return False
        if not frame.get("ready"):
            self._fail_start("the harness did not report ready")
        self.launched.check_ready()
        self._ready = True
        if self.language.harness == "node":
            self._pidfd = self._harness_pidfd(int(frame.get("pid", 0)))
        return True

    def _fail_start(self, why: str) -> None:
        stderr = self.stderr()
        self.close()
        raise SandboxUnavailable(f"the {self.language.name} box did not start ({why}): {stderr.strip()[:500]}")

    def _harness_pidfd(self, box_pid: int) -> int | None:
        """A pidfd for the harness process, found from outside: the member of the box's cgroup whose pid in
        the box's namespace is the one its ready frame gave (read before any candidate code existed)."""
        cgroup = self.launched.cgroup
        if cgroup is None or box_pid <= 0:
            return None
        for pid in cgroup.pids():
            try:
                with open(f"/proc/{pid}/status", "rb") as handle:
                    status = handle.read()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith(b"NSpid:"):
                    ids = line.split()[1:]
                    if len(ids) > 1 and int(ids[-1]) == box_pid:
                        with contextlib.suppress(OSError):
                            return os.pidfd_open(pid)
        return None

    def set_limits(self, *, memory_mb: int, processes: int) -> None:
        if self.launched.cgroup is not None:
            self.launched.cgroup.set_limits(
                memory_bytes=(memory_mb + self.language.memory_baseline_mb) * 1024 * 1024, pids=processes
            )
        self.memory_mb = memory_mb

    def load(self, program: Program, argv: list[str]) -> None:
        """Hand the submission to the harness: Python/JS source, or the argv of a compiled program.

        Its reply is read just before the next one (the first test's, usually): the first test is on its
        way while the harness loads the program, and a program the box did not accept raises
        SandboxUnavailable there.
        """
        self.used = True
        if self.language.harness == "exec":
            frame: dict[str, Any] = {"op": "load", "mode": "exec", "argv": argv}
        else:
            source = program.files[f"prog/{self.language.source_file}"][0].decode("utf-8", "replace")
            frame = {"op": "load", "mode": self.language.harness, "source": source}
        if not self._send(frame):
            raise SandboxUnavailable(f"the {self.language.name} box did not accept the program: {self.stderr()[:500]}")
        self._loading = time.monotonic() + STARTUP_TIMEOUT_S

    def _loaded(self) -> None:
        """Read the reply to `load()`, if it is still due."""
        if self._loading is None:
            return
        deadline, self._loading = self._loading, None
        reply = self._receive(deadline, None)
        if reply is None or not reply.get("loaded"):
            raise SandboxUnavailable(f"the {self.language.name} box did not accept the program: {self.stderr()[:500]}")

    def run_test(self, request: dict[str, Any], timeout_s: float) -> BoxTestOutcome:
        self.send_test(request, timeout_s)
        return self.receive_test()

    def send_test(self, request: dict[str, Any], timeout_s: float) -> None:
        """Start one test; `receive_test()` waits for it. In between, the server may do its own work (check the
        previous test's output) while the box runs this one."""
        cgroup = self.launched.cgroup
        # The counters after one test are the counters before the next: one read of the cgroup per test,
        # made when a reply arrives and before the next test is sent.
        before = self._stats or (cgroup.stats() if cgroup else None)
        watch: _Watch | None = None
        if self._pidfd is not None and before is not None:
            # Budgets with a little room for the harness's own share of the cgroup's CPU time; the verdict
            # is the harness's own measurement of the test's CPU time.
            cpu_s = float(request["cpu_s"])
            watch = _Watch(
                cpu_ns=before.cpu_ns + int((cpu_s * 1.02 + 0.02) * 1e9),
                wall_at=time.monotonic() + float(request["wall_s"]),
            )
            request = {**request, "interrupt": True}
        sent = self._send({"op": "test", **request})
        self._running = _Running(before, watch, time.monotonic() + timeout_s, sent)

    def receive_test(self) -> BoxTestOutcome:
        running, self._running = self._running, None
        if running is None:
            raise RuntimeError("receive_test() without send_test()")
        self._loaded()
        report = self._receive(running.deadline, running.watch) if running.sent else None
        cgroup = self.launched.cgroup
        after = self._stats = cgroup.stats() if cgroup else None
        before = running.before
        interrupted = running.watch is not None and running.watch.interrupted
        if before is None or after is None:
            return BoxTestOutcome(report, False, 0.0, self.stderr(), interrupted)
        return BoxTestOutcome(
            report,
            oom_killed=after.oom_kills > before.oom_kills,
            cgroup_cpu_ms=(after.cpu_ns - before.cpu_ns) / 1e6,
            box_stderr=self.stderr(),
            interrupted=interrupted,
        )

    def request(self, frame: dict[str, Any], timeout_s: float) -> dict[str, Any] | None:
        """Send one frame and wait for the reply."""
        if not self._send(frame):
            return None
        self._loaded()
        return self._receive(time.monotonic() + timeout_s, None)

    def _send(self, frame: dict[str, Any]) -> bool:
        body = json.dumps(frame).encode()
        try:
            os.write(self._to_box, struct.pack(">I", len(body)) + body)
        except OSError:
            return False
        return True

    def _receive(self, deadline: float, watch: _Watch | None) -> dict[str, Any] | None:
        """The harness's next frame; with a watch, interrupt the harness once the box's cgroup has used the
        test's CPU time or its wall-clock backstop has passed (the reply then reports a timeout)."""
        next_interrupt = 0.0
        while True:
            alive = self._drain_control()
            reply = self._take_frame()
            if reply is not None or not alive:
                return reply
            now = time.monotonic()
            if now > deadline:
                return None
            if watch is None:
                self._wait(deadline)
            elif not self._wait(min(deadline, now + CPU_WATCH_S)) and now >= next_interrupt:
                cgroup = self.launched.cgroup
                if now > watch.wall_at or (cgroup is not None and cgroup.cpu_ns() > watch.cpu_ns):
                    watch.interrupted = True
                    self._interrupt()
                    next_interrupt = now + INTERRUPT_REPEAT_S

    def _interrupt(self) -> None:
        if self._pidfd is not None:
            with contextlib.suppress(OSError):
                signal.pidfd_send_signal(self._pidfd, signal.SIGINT)

    def _wait(self, until: float) -> bool:
        """Block until the harness writes something (True) or `until` passes (False); stderr is drained."""
        timeout_ms = max(0, int((until - time.monotonic()) * 1000) + 1)
        events = self._poller.poll(timeout_ms)
        for fd, _ in events:
            if fd == self._err_r:
                self._drain_stderr()
        return any(fd == self._from_box for fd, _ in events)

    def _take_frame(self) -> dict[str, Any] | None:
        if len(self._pending) >= 4:
            (size,) = struct.unpack_from(">I", self._pending)
            if len(self._pending) >= 4 + size:
                body = bytes(self._pending[4 : 4 + size])
                del self._pending[: 4 + size]
                return dict(json.loads(body))
        return None

    def _drain_control(self) -> bool:
        """Read what the harness has written so far; False once its end of the pipe is closed."""
        while True:
            try:
                chunk = os.read(self._from_box, 1 << 20)
            except BlockingIOError:
                return True
            if not chunk:
                return False
            self._pending += chunk

    def _drain_stderr(self) -> None:
        with contextlib.suppress(OSError):
            while chunk := os.read(self._err_r, 1 << 16):
                if len(self._stderr) < HARNESS_STDERR_LIMIT:
                    self._stderr += chunk

    def stderr(self) -> str:
        self._drain_stderr()
        return self._stderr.decode("utf-8", "replace")

    @property
    def alive(self) -> bool:
        return self.launched.proc.poll() is None

    def release_slot(self) -> None:
        if self.lock_fd is not None:
            os.close(self.lock_fd)
            self.lock_fd = None

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.launched.close()
        for fd in (self._to_box, self._from_box, self._err_r, self._pidfd):
            if fd is not None:
                os.close(fd)
        self.release_slot()
