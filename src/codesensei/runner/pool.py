"""The warm pool: pre-started Python and Node.js harness boxes, one per slot, each used by one submission.

A slot is a file lock under the runtime directory held for a box's whole life, so several `sensei`
processes on one machine never run more boxes per language than there are slots. A box is discarded after
its submission and a fresh one is started in the background for the freed slot.

One long-lived thread starts every box (bubblewrap's --die-with-parent follows the thread that spawned it).
It keeps every slot filled, launching up to `max_starting` boxes at once and waiting on all their ready
frames together rather than on one box at a time. Boxes start at a lower CPU priority (a nice value
their processes inherit), so refilling the pool yields to the submissions being judged; a box gets normal
priority back when it is handed out, or as soon as a submission has to wait for one. A used box is torn
down by a second thread, which frees its slot as soon as its processes are gone.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import queue
import select
import threading
import time
from pathlib import Path

from codesensei.runner.boxes import STARTUP_TIMEOUT_S, BoxTestOutcome, HarnessBox
from codesensei.runner.compiler import Program
from codesensei.runner.judge import ColdBoxes, TestBox
from codesensei.runner.languages import Language, get_language
from codesensei.runner.sandbox import Sandbox, SandboxUnavailable
from codesensei.runner.types import RunLimits

log = logging.getLogger("codesensei.runner.pool")

WARM_HARNESSES = ("python", "node")
SLOT_WAIT_S = 60.0
# The nice value boxes start with; only a root server can give them normal priority back, so only it
# lowers their priority in the first place.
STARTING_NICE = 10
# A language whose every slot is held by other processes is tried again after this long.
SLOT_RETRY_S = 0.5
# Test contexts a pooled Node.js box makes while it waits for a submission (about 180 KB each), so that the
# tests of most questions never wait for one (the starter bank's have 8 to 18, most 13 to 16); later tests
# get theirs made after the previous reply, as before. An unused one costs ~1.5 ms of CPU time.
POOL_CONTEXTS_AHEAD = 12


class PooledBox:
    """A warm box on loan to one submission; closing it frees the slot and warms a replacement."""

    def __init__(self, box: HarnessBox, pool: WarmPool) -> None:
        self.box = box
        self.pool = pool

    @property
    def alive(self) -> bool:
        return self.box.alive

    def run_test(self, request: dict[str, object], timeout_s: float) -> BoxTestOutcome:
        return self.box.run_test(dict(request), timeout_s)

    def send_test(self, request: dict[str, object], timeout_s: float) -> None:
        self.box.send_test(dict(request), timeout_s)

    def receive_test(self) -> BoxTestOutcome:
        return self.box.receive_test()

    def close(self) -> None:
        # Killing, reaping and removing the cgroup all happen on the reaper thread, which wakes at once: a
        # box is idle between tests, and one that died or hung mid-test has already been given up on.
        self.pool.discard(self.box)


class WarmPool:
    def __init__(
        self,
        sandbox: Sandbox,
        runtime_dir: Path,
        *,
        slots: int = 0,
        languages: tuple[str, ...] = ("python", "javascript"),
        max_starting: int = 0,
    ) -> None:
        self.sandbox = sandbox
        # Two per core by default: a submission waits on its box between tests, so keeping both cores busy
        # takes more submissions at once than there are cores, and each needs a box ready when it comes.
        self.slots = slots or 2 * (os.cpu_count() or 1)
        # A box start is a chain of processes, each waiting on the one before, so one start leaves a core
        # partly idle; one per core keeps the cores busy while the nice value keeps judging ahead of them.
        self.max_starting = max_starting or os.cpu_count() or 1
        self.slot_dir = runtime_dir / "slots"
        self.slot_dir.mkdir(parents=True, exist_ok=True)
        self.languages = [get_language(name) for name in languages]
        self.cold = ColdBoxes(sandbox)
        self.nice = STARTING_NICE if os.geteuid() == 0 else 0
        self._ready: dict[str, list[HarnessBox]] = {lang.name: [] for lang in self.languages}
        self._starting: list[HarnessBox] = []
        # Slots this pool holds per language: ready, starting, on loan or being torn down.
        self._held: dict[str, int] = {lang.name: 0 for lang in self.languages}
        self._blocked_until: dict[str, float] = {lang.name: 0.0 for lang in self.languages}
        self._waiting: dict[str, int] = {lang.name: 0 for lang in self.languages}
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._closed = False
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        # What the boxes used so far cost, as their cgroups counted it (start, tests and teardown): read when
        # a box is torn down, for capacity figures such as the benchmark's CPU time per submission.
        self.spent_boxes = 0
        self.spent_cpu_ns = 0
        self._dead: queue.Queue[HarnessBox | None] = queue.Queue()
        self._reaper = threading.Thread(target=self._reap_loop, name="sensei-reaper", daemon=True)
        self._reaper.start()
        self._warmer = threading.Thread(target=self._warm_loop, name="sensei-warm-pool", daemon=True)
        self._warmer.start()

    # ---- handing boxes out ------------------------------------------------------------------------

    def acquire(self, language: Language, program: Program, limits: RunLimits) -> TestBox:
        if language.harness not in WARM_HARNESSES or language.name not in self._ready:
            return self.cold.acquire(language, program, limits)
        deadline = time.monotonic() + SLOT_WAIT_S
        with self._arrived:
            box = self._take(language)
            if box is None:
                # Someone is waiting: the boxes on their way stop yielding to other work.
                self._waiting[language.name] += 1
                try:
                    while box is None:
                        for starting in self._starting:
                            if starting.language.name == language.name:
                                self._set_priority(starting, 0)
                        remaining = deadline - time.monotonic()
                        if remaining <= 0:
                            raise SandboxUnavailable(f"no {language.name} box became ready in {SLOT_WAIT_S:g} s")
                        self._wake()
                        self._arrived.wait(min(remaining, 0.25))
                        box = self._take(language)
                finally:
                    self._waiting[language.name] -= 1
        self._set_priority(box, 0)
        box.set_limits(memory_mb=limits.memory_mb, processes=limits.processes)
        try:
            box.load(program, language.run_argv("/prog", limits.memory_mb))
        except SandboxUnavailable:
            self.discard(box)
            raise
        return PooledBox(box, self)

    def _take(self, language: Language) -> HarnessBox | None:
        """A ready, never used box (called with the lock held); dead ones go to the reaper."""
        ready = self._ready[language.name]
        while ready:
            box = ready.pop(0)
            if box.alive and not box.used:
                return box
            self._dead.put(box)
        return None

    def _set_priority(self, box: HarnessBox, nice: int) -> None:
        """Renice every thread of the box (Linux keeps a nice value per thread); a test forked later inherits."""
        cgroup = box.launched.cgroup
        if not self.nice or cgroup is None:
            return
        for tid in {box.launched.proc.pid, *cgroup.tasks()}:
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, tid, nice)

    def warm_up(self, timeout_s: float = 30.0) -> None:
        """Wait until every slot holds a ready box (or the slots are held elsewhere), e.g. at server start."""
        deadline = time.monotonic() + timeout_s
        with self._arrived:
            while time.monotonic() < deadline and not self._warm():
                self._arrived.wait(0.05)

    def _warm(self) -> bool:
        now = time.monotonic()
        if self._starting:
            return False
        return all(len(self._ready[lang]) >= self.slots or self._blocked_until[lang] > now for lang in self._ready)

    # ---- tearing boxes down -----------------------------------------------------------------------

    def discard(self, box: HarnessBox) -> None:
        self._dead.put(box)

    def _reap_loop(self) -> None:
        while True:
            box = self._dead.get()
            if box is None:
                return
            try:
                with contextlib.suppress(OSError):
                    box.launched.kill(wait=True)
                cgroup = box.launched.cgroup
                if box.used and cgroup is not None:
                    cpu_ns = cgroup.cpu_ns()
                    with self._lock:
                        self.spent_boxes += 1
                        self.spent_cpu_ns += cpu_ns
            finally:
                self._release(box)
                with contextlib.suppress(OSError):
                    box.close()

    def _release(self, box: HarnessBox) -> None:
        """The box's processes are gone: its slot goes back to the warmer at once."""
        if box.lock_fd is None:
            return
        box.release_slot()
        with self._lock:
            self._held[box.language.name] -= 1
            self._blocked_until[box.language.name] = 0.0
        self._wake()

    # ---- starting boxes ---------------------------------------------------------------------------

    def _wake(self) -> None:
        with contextlib.suppress(BlockingIOError, OSError):
            os.write(self._wake_w, b"x")

    def _warm_loop(self) -> None:
        try:
            while not self._closed:
                try:
                    for language in self._to_launch():
                        self._launch(language)
                    self._wait_for_boxes()
                except Exception:
                    # This thread must outlive every box it started (they die with it), so it keeps going.
                    log.exception("the warm pool could not start a box")
                    time.sleep(SLOT_RETRY_S)
        finally:
            with self._lock:
                starting, self._starting = self._starting, []
            for box in starting:
                box.close()

    def _to_launch(self) -> list[Language]:
        """Languages to start a box for now, most waited-for first, within the cap on boxes starting."""
        now = time.monotonic()
        with self._lock:
            room = self.max_starting - len(self._starting)
            held = dict(self._held)
            chosen: list[Language] = []
            while room > 0:
                free = [
                    lang
                    for lang in self.languages
                    if held[lang.name] < self.slots and self._blocked_until[lang.name] <= now
                ]
                if not free:
                    break
                pick = min(free, key=lambda lang: (-self._waiting[lang.name], held[lang.name]))
                chosen.append(pick)
                held[pick.name] += 1
                room -= 1
            return chosen

    def _launch(self, language: Language) -> None:
        fd = self._lock_slot(language)
        if fd is None:
            with self._lock:
                self._blocked_until[language.name] = time.monotonic() + SLOT_RETRY_S
            return
        try:
            box = HarnessBox(
                self.sandbox, language, memory_mb=language.limits.memory_mb, contexts_ahead=POOL_CONTEXTS_AHEAD
            )
        except (SandboxUnavailable, OSError):
            os.close(fd)
            with self._lock:
                self._blocked_until[language.name] = time.monotonic() + SLOT_RETRY_S
            return
        box.lock_fd = fd
        if self.nice:
            # The box's first process, right after exec: everything it starts inherits the value. (Not this
            # thread's own nice value: subprocess holds the GIL across vfork, and a starved low-priority
            # thread holding the GIL would stall the threads judging.)
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, box.launched.proc.pid, self.nice)
        with self._lock:
            self._held[language.name] += 1
            self._starting.append(box)
            if self._waiting[language.name]:
                self._set_priority(box, 0)

    def _wait_for_boxes(self) -> None:
        with self._lock:
            starting = list(self._starting)
        poller = select.poll()
        poller.register(self._wake_r, select.POLLIN)
        for box in starting:
            poller.register(box.ready_fd, select.POLLIN)
        poller.poll(SLOT_RETRY_S * 1000)
        with contextlib.suppress(BlockingIOError, OSError):
            while os.read(self._wake_r, 4096):
                pass
        now = time.monotonic()
        for box in starting:
            try:
                ready = box.poll_ready()
                if not ready and now - box.started_at > STARTUP_TIMEOUT_S:
                    box.close()
                    raise SandboxUnavailable("the box did not start in time")
            except SandboxUnavailable:
                # poll_ready closed it; a box that cannot start leaves its slot free and is retried later.
                with self._lock:
                    self._starting.remove(box)
                    self._held[box.language.name] -= 1
                    self._blocked_until[box.language.name] = now + SLOT_RETRY_S
                continue
            if ready:
                with self._arrived:
                    self._starting.remove(box)
                    if self._closed:
                        self._dead.put(box)
                        continue
                    self._ready[box.language.name].append(box)
                    self._arrived.notify_all()

    def _lock_slot(self, language: Language) -> int | None:
        for slot in range(self.slots):
            path = self.slot_dir / f"{language.name}-{slot}.lock"
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            return fd
        return None

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            boxes = [box for ready in self._ready.values() for box in ready]
            for ready in self._ready.values():
                ready.clear()
        self._wake()
        self._warmer.join(timeout=STARTUP_TIMEOUT_S)
        for box in boxes:
            with contextlib.suppress(OSError):
                box.close()
        self._dead.put(None)
        self._reaper.join(timeout=STARTUP_TIMEOUT_S)
        for fd in (self._wake_r, self._wake_w):
            os.close(fd)
