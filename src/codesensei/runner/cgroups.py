"""cgroup v1 groups for one box: memory (with OOM accounting), pids and CPU time; created and read outside.

The server only ever touches cgroupfs files, which candidate code cannot see, so no path here is one the
candidate controls. A run joins its group through a tiny shell step before bubblewrap starts (see
`sandbox.py`), so every process of the run, bubblewrap included, is counted.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import time
from dataclasses import dataclass
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
CONTROLLERS = ("memory", "pids", "cpuacct")
PARENT = "codesensei"


class CgroupUnavailable(RuntimeError):
    """The cgroup subtree is missing or not writable: the sandbox fails closed."""


@dataclass(frozen=True)
class CgroupStats:
    cpu_ns: int
    memory_peak_bytes: int
    oom_kills: int


def parent_dir(controller: str, root: Path = CGROUP_ROOT) -> Path:
    return root / controller / PARENT


def ensure_parent(owner_uid: int | None = None, root: Path = CGROUP_ROOT) -> None:
    """Create `codesensei/` under each controller (root only) and hand it to `owner_uid` for delegation."""
    for controller in CONTROLLERS:
        base = root / controller
        if not base.is_dir():
            raise CgroupUnavailable(f"cgroup v1 controller {controller!r} is not mounted at {base}")
        path = parent_dir(controller, root)
        path.mkdir(exist_ok=True)
        if owner_uid is not None:
            for entry in (path, path / "cgroup.procs", path / "tasks"):
                os.chown(entry, owner_uid, -1)


def parent_ready(root: Path = CGROUP_ROOT) -> str | None:
    """None when this process can create run groups, else the reason it cannot."""
    for controller in CONTROLLERS:
        path = parent_dir(controller, root)
        if not path.is_dir():
            return f"{path} does not exist; run `sensei sandbox setup` as root"
        if not os.access(path, os.W_OK):
            return f"{path} is not writable by uid {os.getuid()}; run `sensei sandbox setup` as root"
    return None


class RunCgroup:
    """One group per controller for one box; `procs_files` are joined by the box's first process."""

    def __init__(self, paths: dict[str, Path]) -> None:
        self.paths = paths
        # Counter files stay open: stats() is read around every test, and a re-read from offset 0 of a
        # cgroup file produces its current value.
        self._counters: dict[str, int] = {}
        self._limits: tuple[int, int] | None = None

    @classmethod
    def create(cls, *, memory_bytes: int, pids: int, member_uid: int | None, root: Path = CGROUP_ROOT) -> RunCgroup:
        _check_parent(root)
        name = f"box-{os.getpid()}-{secrets.token_hex(6)}"
        paths: dict[str, Path] = {}
        try:
            for controller in CONTROLLERS:
                path = parent_dir(controller, root) / name
                path.mkdir()
                paths[controller] = path
                if member_uid is not None and member_uid != os.geteuid():
                    # The box's shell step runs as the box user and moves itself in.
                    os.chown(path / "cgroup.procs", member_uid, -1)
            group = cls(paths)
            group.set_limits(memory_bytes=memory_bytes, pids=pids)
        except OSError as exc:
            cls(paths).remove()
            raise CgroupUnavailable(f"cannot create cgroup {name}: {exc}") from exc
        return group

    def set_limits(self, *, memory_bytes: int, pids: int) -> None:
        if self._limits == (memory_bytes, pids):
            return  # a warm box is usually handed to a question with its language's default limits
        memory = self.paths["memory"]
        limit = str(memory_bytes)
        # memsw must stay >= limit, so the order of the two writes depends on the direction.
        current = int(_read(memory / "memory.limit_in_bytes") or "0")
        swap_file = memory / "memory.memsw.limit_in_bytes"
        files = [memory / "memory.limit_in_bytes"]
        if swap_file.exists():
            files = [swap_file, *files] if memory_bytes > current else [*files, swap_file]
        for path in files:
            path.write_text(limit)
        (self.paths["pids"] / "pids.max").write_text(str(pids))
        self._limits = (memory_bytes, pids)

    @property
    def procs_files(self) -> list[str]:
        return [str(self.paths[c] / "cgroup.procs") for c in CONTROLLERS]

    def stats(self) -> CgroupStats:
        oom_kills = 0
        for line in self._counter("memory", "memory.oom_control").splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill":
                oom_kills = int(value)
        return CgroupStats(
            cpu_ns=self.cpu_ns(),
            memory_peak_bytes=int(self._counter("memory", "memory.max_usage_in_bytes") or "0"),
            oom_kills=oom_kills,
        )

    def cpu_ns(self) -> int:
        return int(self._counter("cpuacct", "cpuacct.usage") or "0")

    def _counter(self, controller: str, name: str) -> str:
        fd = self._counters.get(name)
        try:
            if fd is None:
                fd = self._counters[name] = os.open(self.paths[controller] / name, os.O_RDONLY | os.O_CLOEXEC)
            return os.pread(fd, 4096, 0).decode().strip()
        except OSError:
            return ""

    def _close_counters(self) -> None:
        for fd in self._counters.values():
            with contextlib.suppress(OSError):
                os.close(fd)
        self._counters.clear()

    def reset_peak(self) -> None:
        with contextlib.suppress(OSError):
            (self.paths["memory"] / "memory.max_usage_in_bytes").write_text("0")

    def pids(self) -> list[int]:
        text = _read(self.paths["pids"] / "cgroup.procs") or ""
        return [int(p) for p in text.split()]

    def tasks(self) -> list[int]:
        """Every thread in the group (cgroup v1's `tasks`), for settings Linux keeps per thread."""
        text = _read(self.paths["pids"] / "tasks") or ""
        return [int(t) for t in text.split()]

    def kill_all(self, timeout_s: float = 2.0) -> None:
        """SIGKILL every process still in the group until it is empty (forks racing the kill included)."""
        deadline = time.monotonic() + timeout_s
        while True:
            pids = self.pids()
            if not pids:
                return
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            if time.monotonic() > deadline:
                return
            time.sleep(0.002)

    def remove(self) -> None:
        self._close_counters()
        for path in self.paths.values():
            for _ in range(50):
                try:
                    path.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    # Killed processes leave the group a moment after SIGKILL.
                    time.sleep(0.005)


# When each cgroup root's parent groups were last found ready (and swept). Checking them is a dozen system
# calls, once per box start; between checks a vanished parent still fails closed, as the box's mkdir fails.
_PARENT_CHECKED: dict[Path, float] = {}
PARENT_RECHECK_S = 5.0


def _check_parent(root: Path) -> None:
    checked = _PARENT_CHECKED.get(root)
    if checked is not None and time.monotonic() - checked < PARENT_RECHECK_S:
        return
    if os.geteuid() == 0:
        ensure_parent(root=root)
    reason = parent_ready(root)
    if reason:
        raise CgroupUnavailable(reason)
    _sweep_stale(root)
    _PARENT_CHECKED[root] = time.monotonic()


def _sweep_stale(root: Path) -> None:
    """Remove empty groups left by a server process that died before cleaning up (named box-<pid>-…)."""
    for controller in CONTROLLERS:
        with contextlib.suppress(OSError):
            for entry in os.scandir(parent_dir(controller, root)):
                owner = entry.name.split("-")[1] if entry.name.startswith("box-") else ""
                if owner.isdigit() and not Path(f"/proc/{owner}").exists():
                    with contextlib.suppress(OSError):
                        os.rmdir(entry.path)  # fails, harmlessly, while a process is still inside


def _read(path: Path) -> str | None:
    # Plain descriptors, not pathlib's text files: stats() is read around every test.
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        return os.read(fd, 65536).decode().strip()
    except OSError:
        return None
    finally:
        os.close(fd)
