"""The real sandbox: identity, capabilities, isolation, limits and fail-closed behaviour."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from codesensei.runner.api import run_program
from codesensei.runner.cgroups import CGROUP_ROOT, PARENT
from codesensei.runner.sandbox import BwrapSandbox
from codesensei.runner.types import RunLimits

pytestmark = pytest.mark.sandbox

FAST = RunLimits(cpu_time_s=1.0, memory_mb=128)


def test_host_uid_is_not_root_and_capabilities_are_empty() -> None:
    # The program reports its pid in the box; we look it up from outside through the cgroup, so the
    # check reads the host's view of the process, not what the box claims.
    source = textwrap.dedent(
        """
        import time, sys
        print("ready", flush=True)
        time.sleep(3)
        """
    )
    code = (
        "import sys; sys.path.insert(0, 'src');"
        "from codesensei.runner.api import run_program;"
        f"print(run_program({source!r}, 'python').status)"
    )
    env = {**os.environ, "SENSEI_DATA_DIR": os.environ["SENSEI_DATA_DIR"]}
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=Path(__file__).parents[2])
    seen: list[tuple[int, str]] = []
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not seen:
            for group in (CGROUP_ROOT / "pids" / PARENT).glob(f"box-{proc.pid}-*"):
                for pid in (group / "cgroup.procs").read_text().split():
                    status = Path(f"/proc/{pid}/status").read_text()
                    fields = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
                    if fields["Name"].strip() == "python3":
                        uids = [int(x) for x in fields["Uid"].split()]
                        gids = [int(x) for x in fields["Gid"].split()]
                        # Real, effective, saved and filesystem ids, and no supplementary group of the server's.
                        assert min(gids) != 0, fields["Gid"]
                        assert not fields.get("Groups", "").split(), fields["Groups"]
                        seen.append((min(uids), fields["CapEff"].strip()))
            time.sleep(0.05)
    finally:
        proc.wait(timeout=20)
    assert seen, "never saw the sandboxed python3 process from outside"
    for lowest_uid, cap_eff in seen:
        assert lowest_uid != 0
        assert int(cap_eff, 16) == 0


def test_inside_view_no_network_no_data_no_env() -> None:
    source = textwrap.dedent(
        """
        import os, socket
        print(sorted(os.environ))
        print(os.path.exists("/work"), os.path.exists("/root"), os.path.exists("/etc/passwd"))
        try:
            socket.create_connection(("1.1.1.1", 53), timeout=1)
            print("net")
        except OSError:
            print("nonet")
        try:
            socket.socket(socket.AF_NETLINK, socket.SOCK_RAW)
            print("netlink")
        except OSError:
            print("nonetlink")
        print(os.listdir("/proc/self/fd"))
        """
    )
    result = run_program(source, "python", limits=FAST)
    assert result.status == "ok", result
    lines = result.stdout.splitlines()
    assert lines[0] == "['HOME', 'LANG', 'PATH', 'PWD', 'SHLVL', 'TMPDIR']"
    assert lines[1] == "False False False"
    assert lines[2] == "nonet"
    assert lines[3] == "nonetlink"


@pytest.mark.parametrize(
    ("source", "status"),
    [
        ("while True: pass", "time_limit_exceeded"),
        ("import time; time.sleep(30)", "time_limit_exceeded"),
        ("x = bytearray(300 * 1024 * 1024)\nprint(len(x))", "memory_limit_exceeded"),
        ("print('x' * 2_000_000)", "output_limit_exceeded"),
        ("import sys; sys.exit(3)", "runtime_error"),
        ("raise ValueError('boom')", "runtime_error"),
        ("open('big', 'wb').write(b'x' * 20_000_000)", "runtime_error"),
    ],
)
def test_limits(source: str, status: str) -> None:
    result = run_program(source, "python", limits=RunLimits(cpu_time_s=0.5, memory_mb=128, output_bytes=1_000_000))
    assert result.status == status, result


def test_fork_bomb_is_contained_and_every_process_dies() -> None:
    source = "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n"
    result = run_program(source, "python", limits=RunLimits(cpu_time_s=0.5, processes=16))
    assert result.status == "time_limit_exceeded"
    assert not list((CGROUP_ROOT / "pids" / PARENT).glob(f"box-{os.getpid()}-*"))


def test_seccomp_blocks_cross_namespace_calls() -> None:
    source = textwrap.dedent(
        """
        import ctypes, os
        libc = ctypes.CDLL(None, use_errno=True)
        for name, nr in (("keyctl", 250), ("io_uring_setup", 425), ("ptrace", 101), ("unshare", 272)):
            rc = libc.syscall(nr, 0, 0, 0, 0)
            print(name, rc, ctypes.get_errno())
        """
    )
    result = run_program(source, "python", limits=FAST)
    assert result.status == "ok", result
    for line in result.stdout.splitlines():
        _name, rc, err = line.split()
        assert rc == "-1", line
        assert err == "1", line  # EPERM


def test_c_program_runs() -> None:
    source = '#include <stdio.h>\nint main(){int a,b;scanf("%d %d",&a,&b);printf("%d\\n",a+b);}'
    result = run_program(source, "c", "2 40", FAST)
    assert (result.status, result.stdout) == ("ok", "42\n")


@pytest.mark.skipif(os.geteuid() != 0, reason="the server runs as root only on machines like CI's")
def test_unsafe_mode_never_runs_code_as_root() -> None:
    with pytest.warns(RuntimeWarning, match="WITHOUT a sandbox"):
        result = run_program("import os; print(os.getuid(), os.geteuid())", "python", unsafe_no_sandbox=True)
    assert result.status == "ok"
    uid, euid = map(int, result.stdout.split())
    assert (uid != 0, euid != 0) == (True, True)


def test_compile_error_and_compile_bomb() -> None:
    assert run_program("int main(){return x;}", "c").status == "compile_error"
    bomb = '#include "/dev/zero"\nint main(){}'
    assert run_program(bomb, "c").status in ("compile_error", "time_limit_exceeded")


def test_fails_closed_without_bubblewrap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(BwrapSandbox, "check", lambda self: "bubblewrap is not installed at /nope")
    result = run_program("print(1)", "python")
    assert result.status == "internal_error"
    assert "bubblewrap is not installed" in result.message


def test_unsafe_mode_runs_and_warns() -> None:
    with pytest.warns(RuntimeWarning, match="WITHOUT a sandbox"):
        result = run_program("print(6 * 7)", "python", unsafe_no_sandbox=True)
    assert (result.status, result.stdout) == ("ok", "42\n")


def test_nothing_survives_into_a_later_run() -> None:
    first = run_program("open('/box/left', 'w').write('x'); open('/tmp/left', 'w').write('x')", "python")
    assert first.status == "ok"
    second = run_program("import os; print(os.listdir('/box'), os.listdir('/tmp'))", "python")
    assert second.stdout == "[] []\n"
