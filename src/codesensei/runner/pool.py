"""The warm pool: pre-started Python and Node.js harness boxes, one per slot, each used by one submission.

A slot is a file lock under the runtime directory held for a box's whole life, so several `sensei`
processes on one machine never run more boxes per language than there are slots. A box is discarded after
its submission and a fresh one is started in the background for the freed slot.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import queue
import threading
import time
from pathlib import Path

from codesensei.runner.boxes import BoxTestOutcome, HarnessBox
from codesensei.runner.compiler import Program
from codesensei.runner.judge import ColdBoxes, TestBox
from codesensei.runner.languages import Language, get_language
from codesensei.runner.sandbox import Sandbox, SandboxUnavailable
from codesensei.runner.types import RunLimits

WARM_HARNESSES = ("python", "node")
SLOT_WAIT_S = 60.0


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

    def close(self) -> None:
        # Kill now; reaping and removing the cgroup happen off the submission's critical path.
        self.box.launched.kill(wait=False)
        self.pool.discard(self.box)


class WarmPool:
    def __init__(
        self,
        sandbox: Sandbox,
        runtime_dir: Path,
        *,
        slots: int = 0,
        languages: tuple[str, ...] = ("python", "javascript"),
    ) -> None:
        self.sandbox = sandbox
        self.slots = slots or os.cpu_count() or 1
        self.slot_dir = runtime_dir / "slots"
        self.slot_dir.mkdir(parents=True, exist_ok=True)
        self.languages = [get_language(name) for name in languages]
        self.cold = ColdBoxes(sandbox)
        self._ready: dict[str, list[HarnessBox]] = {lang.name: [] for lang in self.languages}
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._closed = False
        # One long-lived thread starts every box: bubblewrap's --die-with-parent follows the *thread*
        # that spawned it, so boxes started by short-lived threads would die with them.
        self._requests: queue.Queue[Language | None] = queue.Queue()
        self._warmer = threading.Thread(target=self._warm_loop, name="sensei-warm-pool", daemon=True)
        self._warmer.start()
        self._dead: queue.Queue[HarnessBox | None] = queue.Queue()
        threading.Thread(target=self._reap_loop, name="sensei-reaper", daemon=True).start()

    def discard(self, box: HarnessBox) -> None:
        self._dead.put(box)

    def _reap_loop(self) -> None:
        while True:
            box = self._dead.get()
            if box is None:
                return
            box.close()
            self.refill(box.language)

    def _warm_loop(self) -> None:
        while True:
            language = self._requests.get()
            if language is None:
                return
            self._start_one(language)

    def warm_up(self, timeout_s: float = 30.0) -> None:
        """Ask for a box in every slot and wait until they are ready, e.g. at server start."""
        for language in self.languages:
            for _ in range(self.slots):
                self._requests.put(language)
        deadline = time.monotonic() + timeout_s
        with self._arrived:
            while time.monotonic() < deadline and not all(len(r) >= self.slots for r in self._ready.values()):
                self._arrived.wait(0.05)
                if self._requests.empty() and self._idle_slots_taken():
                    break

    def _idle_slots_taken(self) -> bool:
        return all(len(r) >= 1 for r in self._ready.values())

    def refill(self, language: Language) -> None:
        if not self._closed and language.name in self._ready:
            self._requests.put(language)

    def acquire(self, language: Language, program: Program, limits: RunLimits) -> TestBox:
        if language.harness not in WARM_HARNESSES or language.name not in self._ready:
            return self.cold.acquire(language, program, limits)
        box = self._take(language)
        deadline = time.monotonic() + SLOT_WAIT_S
        while box is None:
            if time.monotonic() > deadline:
                raise SandboxUnavailable(f"no {language.name} slot became free in {SLOT_WAIT_S:g} s")
            self.refill(language)
            with self._arrived:
                self._arrived.wait(0.05)
            box = self._take(language)
        self.refill(language)
        box.set_limits(memory_mb=limits.memory_mb, processes=limits.processes)
        try:
            box.load(program, language.run_argv("/prog", limits.memory_mb))
        except SandboxUnavailable:
            box.close()
            raise
        return PooledBox(box, self)

    def _take(self, language: Language) -> HarnessBox | None:
        with self._lock:
            ready = self._ready[language.name]
            while ready:
                box = ready.pop(0)
                if box.alive and not box.used:
                    return box
                box.close()
        return None

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

    def _start_one(self, language: Language) -> bool:
        fd = self._lock_slot(language)
        if fd is None:
            return False
        try:
            box = HarnessBox(self.sandbox, language, memory_mb=language.limits.memory_mb)
        except (SandboxUnavailable, OSError):
            os.close(fd)
            return False
        box.lock_fd = fd
        try:
            box.start()
        except SandboxUnavailable:
            return False
        with self._arrived:
            if self._closed:
                box.close()
                return False
            self._ready[language.name].append(box)
            self._arrived.notify_all()
        return True

    def close(self) -> None:
        self._requests.put(None)
        self._dead.put(None)
        with self._lock:
            self._closed = True
            boxes = [box for ready in self._ready.values() for box in ready]
            for ready in self._ready.values():
                ready.clear()
        for box in boxes:
            with contextlib.suppress(OSError):
                box.close()
