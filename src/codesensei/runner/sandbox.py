"""The sandbox port: launch one box (bubblewrap + cgroups, or unconfined for development) for a `BoxSpec`.

A box's first process is a shell step that joins the run's cgroups, sets rlimits and execs bubblewrap as
the unprivileged box user (never host root); inside, a second shell step reports that setup succeeded
through a marker pipe before exec-ing the program, so a failed setup is told apart from a failing program
(harness boxes, whose ready frame tells the same, skip it).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import resource
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Protocol

from codesensei.runner import seccomp
from codesensei.runner.cgroups import CgroupUnavailable, RunCgroup

BWRAP = "/usr/bin/bwrap"
# util-linux's setpriv drops the server's root to the box user in the exec chain. Asking subprocess to do
# it (user=/group=) makes it fork() the whole server instead of vfork(): milliseconds per box for a server
# holding a few hundred MB, on the path of every warm box start.
SETPRIV = "/usr/bin/setpriv"
BOX_USER = "sensei-box"
NOBODY_UID = 65534
BOX_ENV = {"PATH": "/usr/bin:/bin", "HOME": "/box", "LANG": "C.UTF-8", "TMPDIR": "/tmp"}  # noqa: S108 - the box's own tmpfs
# Directories made on the box's root filesystem, read-only once `--remount-ro /` has run.
READ_ONLY_DIRS = ("prog", "sensei")
# Joins the cgroups ($1..$3 are cgroup.procs files) then execs the rest of the arguments.
JOIN_STEP = 'for f in "$1" "$2" "$3"; do echo $$ > "$f" || exit 125; done; shift 3; exec "$@"'
# Inside the box: announce that bubblewrap finished its setup, close the marker, then become the program.
# bash, not dash: dash cannot close a descriptor numbered above 9, and the program must not inherit it.
READY_STEP = 'fd=$0; printf 1 >&"$fd" && exec {fd}>&- && exec "$@"'


class SandboxUnavailable(RuntimeError):
    """The sandbox cannot be set up here; runs fail closed with `internal_error` and this message."""


@dataclass(frozen=True)
class BoxSpec:
    """What to run and under which limits; paths in `argv` use `{prog}`, `{sensei}` and `{box}`."""

    argv: tuple[str, ...]
    binds: tuple[str, ...] = ("/usr",)
    # "prog/main" -> (content, mode): files placed read-only in the box (the program, the harness).
    files: Mapping[str, tuple[bytes, int]] = field(default_factory=dict)
    memory_mb: int = 256
    processes: int = 64
    tmpfs_mb: int = 64
    # Shell `ulimit` letters: t (CPU s), f (file size, 512-byte blocks), n (open files), s (stack KiB), c.
    rlimits: Mapping[str, int] = field(default_factory=dict)
    pass_fds: tuple[int, ...] = ()
    # Report bubblewrap's finished setup through a marker pipe (a bash step). A harness box leaves it out:
    # its own ready frame already tells a failed setup apart, and the extra exec costs every box start.
    ready_marker: bool = True


class Launched:
    """A started box: its process, its cgroup (None when unconfined) and the setup marker."""

    def __init__(
        self, proc: subprocess.Popen[bytes], cgroup: RunCgroup | None, ready_fd: int | None, workdir: Path | None
    ) -> None:
        self.proc = proc
        self.cgroup = cgroup
        self.ready_fd = ready_fd
        self.workdir = workdir
        self.setup_ok = ready_fd is None
        self.rusage: resource.struct_rusage | None = None

    def check_ready(self) -> bool:
        """True once the box reported its setup finished; reads one byte from the marker pipe."""
        if not self.setup_ok and self.ready_fd is not None:
            try:
                self.setup_ok = os.read(self.ready_fd, 1) == b"1"
            except BlockingIOError:
                return False
        return self.setup_ok

    def kill(self, *, wait: bool = True) -> None:
        """SIGKILL the box; with `wait`, until its cgroup is empty, else one pass (`close` finishes it)."""
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)
        if self.cgroup is not None:
            self.cgroup.kill_all(timeout_s=2.0 if wait else 0.0)

    def close(self) -> None:
        self.kill()
        if self.proc.poll() is None:
            self.proc.wait()
        if self.cgroup is not None:
            self.cgroup.kill_all()
            self.cgroup.remove()
        if self.ready_fd is not None:
            os.close(self.ready_fd)
            self.ready_fd = None
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)


class Sandbox(Protocol):
    name: str

    def launch(self, spec: BoxSpec, *, stdin: int | IO[bytes] | None, stdout: int, stderr: int) -> Launched:
        """Start the box; raise SandboxUnavailable when it cannot be confined as asked."""
        ...


def box_identity() -> tuple[int, int] | None:
    """The host user boxes run as: `sensei-box` (or nobody) when we are root, else ourselves (None)."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(BOX_USER)
    except KeyError:
        return NOBODY_UID, NOBODY_UID
    return entry.pw_uid, entry.pw_gid


def _ulimit_prefix(rlimits: Mapping[str, int]) -> str:
    return "".join(f"ulimit -{letter} {int(value)} || exit 125; " for letter, value in sorted(rlimits.items()))


def _memfd(name: str, content: bytes) -> int:
    fd = os.memfd_create(name, 0)
    os.write(fd, content)
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


class BwrapSandbox:
    """bubblewrap in new user/PID/mount/IPC/UTS/network/cgroup namespaces, seccomp, cgroups v1."""

    name = "bwrap"

    def __init__(self, bwrap: str = BWRAP) -> None:
        self.bwrap = bwrap

    def check(self) -> str | None:
        if not Path(self.bwrap).exists():
            return f"bubblewrap is not installed at {self.bwrap} (apt-get install bubblewrap)"
        return None

    def launch(self, spec: BoxSpec, *, stdin: int | IO[bytes] | None, stdout: int, stderr: int) -> Launched:
        problem = self.check()
        if problem:
            raise SandboxUnavailable(problem)
        identity = box_identity()
        try:
            cgroup = RunCgroup.create(
                memory_bytes=spec.memory_mb * 1024 * 1024,
                pids=spec.processes,
                member_uid=identity[0] if identity else None,
            )
        except CgroupUnavailable as exc:
            raise SandboxUnavailable(str(exc)) from exc
        fds: list[int] = []
        ready_read = -1
        try:
            argv = [self.bwrap, *self._namespace_args(spec)]
            for dest, (content, mode) in sorted(spec.files.items()):
                fd = _memfd(dest.replace("/", "_"), content)
                fds.append(fd)
                # Under /prog and /sensei a plain file is enough: the root is remounted read-only below. A bind
                # mount per file (--ro-bind-data) costs bubblewrap a scan of the mount table each.
                on_root = dest.partition("/")[0] in READ_ONLY_DIRS
                argv += ["--perms", f"{mode:o}", "--file" if on_root else "--ro-bind-data", str(fd), f"/{dest}"]
            seccomp_fd = seccomp.filter_fd()
            fds.append(seccomp_fd)
            argv += ["--remount-ro", "/", "--chdir", "/box", "--seccomp", str(seccomp_fd), "--"]
            if spec.ready_marker:
                ready_read, ready_write = os.pipe()
                fds.append(ready_write)
                os.set_blocking(ready_read, False)
                argv += ["/usr/bin/bash", "-c", READY_STEP, str(ready_write)]
            argv += [part.format(prog="/prog", sensei="/sensei", box="/box") for part in spec.argv]
            command = ["/bin/sh", "-c", _ulimit_prefix(spec.rlimits) + JOIN_STEP, "sh", *cgroup.procs_files, *argv]
            by_popen = identity if identity and not Path(SETPRIV).exists() else None
            if identity and not by_popen:
                # Real, effective and saved ids all change (setpriv copies effective to saved), groups are
                # cleared, and with every uid non-zero the kernel drops all capabilities.
                uid, gid = identity
                command = [SETPRIV, f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--", *command]
            proc = subprocess.Popen(
                command,
                stdin=stdin if stdin is not None else subprocess.DEVNULL,
                stdout=stdout,
                stderr=stderr,
                pass_fds=(*fds, *spec.pass_fds),
                env={"PATH": "/usr/bin:/bin"},
                cwd="/",
                user=by_popen[0] if by_popen else None,
                group=by_popen[1] if by_popen else None,
                extra_groups=[] if by_popen else None,
                process_group=0,
            )
        except BaseException:
            cgroup.remove()
            if ready_read >= 0:
                os.close(ready_read)
            raise
        finally:
            for fd in fds:
                os.close(fd)
        return Launched(proc, cgroup, ready_read if ready_read >= 0 else None, None)

    def _namespace_args(self, spec: BoxSpec) -> list[str]:
        args = [
            "--unshare-all",
            "--unshare-user",
            "--disable-userns",
            "--die-with-parent",
            "--new-session",
            "--uid",
            "1000",
            "--gid",
            "1000",
            "--hostname",
            "box",
            "--clearenv",
        ]
        for key, value in BOX_ENV.items():
            args += ["--setenv", key, value]
        for path in spec.binds:
            args += ["--ro-bind", path, path]
        args += ["--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64"]
        args += ["--symlink", "usr/sbin", "/sbin", "--proc", "/proc", "--dev", "/dev"]
        size = str(spec.tmpfs_mb * 1024 * 1024)
        args += ["--size", size, "--tmpfs", "/box", "--size", size, "--tmpfs", "/tmp"]  # noqa: S108
        args += [arg for name in READ_ONLY_DIRS for arg in ("--dir", f"/{name}")]
        return args


class UnconfinedSandbox:
    """No isolation, for development with `--unsafe-no-sandbox`: rlimits only, no memory limit.

    Even here candidate code never runs as host root: as root the program runs as the box user (so a
    `kill(-1)` reaches only other boxes, not the machine's services), and its working folder is handed to it.
    """

    name = "none"

    def launch(self, spec: BoxSpec, *, stdin: int | IO[bytes] | None, stdout: int, stderr: int) -> Launched:
        identity = box_identity()
        workdir = Path(tempfile.mkdtemp(prefix="sensei-unsafe-"))
        for sub in ("prog", "sensei", "box"):
            (workdir / sub).mkdir()
        for dest, (content, mode) in spec.files.items():
            target = workdir / dest
            target.write_bytes(content)
            target.chmod(mode)
        if identity:
            for path in (workdir, *workdir.rglob("*")):
                os.chown(path, *identity)
        places = {"prog": str(workdir / "prog"), "sensei": str(workdir / "sensei"), "box": str(workdir / "box")}
        argv = [part.format(**places) for part in spec.argv]
        env = {**BOX_ENV, "HOME": places["box"], "TMPDIR": places["box"]}
        proc = subprocess.Popen(
            ["/bin/sh", "-c", _ulimit_prefix(spec.rlimits) + 'exec "$@"', "sh", *argv],
            stdin=stdin if stdin is not None else subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            pass_fds=spec.pass_fds,
            env=env,
            cwd=places["box"],
            user=identity[0] if identity else None,
            group=identity[1] if identity else None,
            extra_groups=[] if identity else None,
            process_group=0,
        )
        return Launched(proc, None, None, workdir)


def get_sandbox(*, unsafe_no_sandbox: bool = False) -> Sandbox:
    if unsafe_no_sandbox:
        return UnconfinedSandbox()
    return BwrapSandbox()
