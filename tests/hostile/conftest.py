"""Fixtures of the hostile-program suite: planted secrets, host listeners, and views of the host from outside.

Everything here inspects the host directly (/proc, /tmp, /dev/shm, sockets) so a verdict never depends on
what the sandboxed program claims about itself.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import sqlite3
import stat
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from codesensei.runner.types import RunLimits, RunResult

SESSION_SECRET_VAR = "SENSEI_PLANTED_SESSION_SECRET"
HOST_SCAN_ROOTS = (Path("/tmp"), Path("/dev/shm"), Path("/var/tmp"))

PROBE_SOURCE = r"""
import json, os

def walk(root, depth=3, cap=400):
    found = []
    def visit(path, level):
        if len(found) >= cap:
            return
        try:
            names = sorted(os.listdir(path))
        except OSError as error:
            found.append(f"{path}: <{type(error).__name__}>")
            return
        for name in names:
            full = os.path.join(path, name)
            found.append(full)
            if level < depth and os.path.isdir(full) and not os.path.islink(full):
                visit(full, level + 1)
    visit(root, 1)
    return found

report = {"uid": os.getuid(), "cwd": os.getcwd()}
try:
    report["uid_map"] = open("/proc/self/uid_map").read()
except OSError:
    report["uid_map"] = ""
for root in ["/tmp", "/dev/shm", "/var/tmp", ".", os.path.expanduser("~")]:
    report[root] = walk(root)
print(json.dumps(report))
"""


def pytest_configure(config: pytest.Config) -> None:
    # Set before xdist starts its workers, so the secret is in their initial environment block too, which
    # is what /proc/<pid>/environ shows to anyone who can read it.
    os.environ.setdefault(SESSION_SECRET_VAR, "sess-" + secrets.token_hex(16))


@dataclass
class Planted:
    """Secrets planted outside the box before a case runs; none may ever show up in its output."""

    secret: str
    session_secret: str
    data_dir: Path
    shadow_line: str

    @property
    def forbidden(self) -> list[str]:
        found = [self.secret, self.session_secret, "PYTEST_CURRENT_TEST"]
        return [*found, self.shadow_line] if self.shadow_line else found

    def snapshot(self) -> dict[str, tuple[int, int, str]]:
        """Mode, owner and content of every planted file, to prove nothing in the data dir was touched."""
        view: dict[str, tuple[int, int, str]] = {}
        # Only the planted files: the runner keeps its compile cache under the data dir too.
        for path in (self.data_dir, self.data_dir / "secret.txt", self.data_dir / "sensei.db"):
            info = path.lstat()
            content = path.read_bytes().hex() if stat.S_ISREG(info.st_mode) else ""
            view[str(path)] = (info.st_mode, info.st_uid, content)
        return view


@pytest.fixture(scope="session")
def shadow_line() -> str:
    """The first line of the host's /etc/shadow: the test process runs as root and may read it."""
    try:
        return Path("/etc/shadow").read_text().splitlines()[0]
    except (OSError, IndexError):
        return ""


@pytest.fixture
def planted(monkeypatch: pytest.MonkeyPatch, shadow_line: str) -> Iterator[Planted]:
    secret = "planted-" + secrets.token_hex(16)
    monkeypatch.setenv("SENSEI_PLANTED_SECRET", secret)
    # World-readable on purpose: the box must hide the data dir by its mounts, not merely by Unix
    # permissions, because a real deployment's data dir is often readable by other local users.
    data_dir = Path(os.path.realpath("/var/tmp")) / f"sensei-hostile-{secrets.token_hex(6)}"
    data_dir.mkdir(mode=0o755)
    data_dir.chmod(0o755)
    (data_dir / "secret.txt").write_text(secret + "\n")
    database = sqlite3.connect(data_dir / "sensei.db")
    with database:
        database.execute("CREATE TABLE secrets (value TEXT)")
        database.execute("INSERT INTO secrets VALUES (?)", (secret,))
    for path in data_dir.iterdir():
        path.chmod(0o644)
    monkeypatch.setenv("SENSEI_DATA_DIR", str(data_dir))
    # Held open during the run, as a server holds its database: a box must not inherit these descriptors.
    with (data_dir / "secret.txt").open():
        yield Planted(
            secret=secret,
            session_secret=os.environ[SESSION_SECRET_VAR],
            data_dir=data_dir,
            shadow_line=shadow_line,
        )
    database.close()
    shutil.rmtree(data_dir, ignore_errors=True)


@dataclass
class Listeners:
    """A TCP and a UDP socket on the host's loopback; anything reaching them came out of a box."""

    tcp_port: int
    udp_port: int
    events: list[str] = field(default_factory=list)


@pytest.fixture
def listeners() -> Iterator[Listeners]:
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(16)
    tcp.settimeout(0.2)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    udp.settimeout(0.2)
    found = Listeners(tcp_port=tcp.getsockname()[1], udp_port=udp.getsockname()[1])
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, peer = tcp.accept()
                found.events.append(f"tcp connection from {peer}")
                connection.close()
            except OSError:
                pass
            try:
                data, peer = udp.recvfrom(4096)
                found.events.append(f"udp datagram from {peer}: {data[:60]!r}")
            except OSError:
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield found
    stop.set()
    thread.join(timeout=5)
    tcp.close()
    udp.close()


# ---- views of the host ----------------------------------------------------------------------------


@dataclass(frozen=True)
class HostProcess:
    pid: int
    ppid: int
    uid: int
    start_ticks: int
    comm: str
    cmdline: str
    environ: str


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(65536)
    except OSError:
        return b""


def host_processes() -> dict[int, HostProcess]:
    found: dict[int, HostProcess] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        base = f"/proc/{entry}"
        status = _read(f"{base}/status").decode(errors="replace")
        stat_text = _read(f"{base}/stat").decode(errors="replace")
        if not status or ")" not in stat_text:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        after_comm = stat_text.rsplit(")", 1)[1].split()
        found[int(entry)] = HostProcess(
            pid=int(entry),
            ppid=int(fields.get("PPid", "0").strip() or 0),
            uid=int(fields.get("Uid", "0").split()[1]),
            start_ticks=int(after_comm[19]),
            comm=_read(f"{base}/comm").decode(errors="replace").strip(),
            cmdline=_read(f"{base}/cmdline").replace(b"\0", b" ").decode(errors="replace"),
            environ=_read(f"{base}/environ").replace(b"\0", b" ").decode(errors="replace"),
        )
    return found


def now_ticks() -> int:
    """The current time in the clock ticks since boot that /proc/<pid>/stat uses for start times."""
    uptime = float(Path("/proc/uptime").read_text().split()[0])
    return int(uptime * os.sysconf("SC_CLK_TCK"))


def _inside_a_box(process: HostProcess, table: dict[int, HostProcess]) -> bool:
    seen: set[int] = set()
    current: HostProcess | None = process
    while current is not None and current.pid not in seen and current.pid > 1:
        if current.comm == "bwrap":
            return True
        seen.add(current.pid)
        current = table.get(current.ppid)
    return False


def leaked_processes(marker: str, sandbox_uids: set[int], since_ticks: int) -> list[HostProcess]:
    """Processes carrying the case's marker, or run by the sandbox user outside any box since the case began."""
    table = host_processes()
    own = os.getpid()
    leaks = []
    for process in table.values():
        if process.pid == own:
            continue
        marked = marker in process.comm or marker in process.cmdline or marker in process.environ
        escaped = (
            process.uid in sandbox_uids and process.start_ticks >= since_ticks and not _inside_a_box(process, table)
        )
        if marked or escaped:
            leaks.append(process)
    return leaks


def wait_for_no_leaks(marker: str, sandbox_uids: set[int], since_ticks: int, grace_s: float = 2.0) -> list[HostProcess]:
    """Leaked processes still alive after a short grace, allowed because a box's teardown may be asynchronous.

    Only processes seen in the first scan and still there at the end count, so a box that the other test
    worker is launching at that moment (its first process is not yet bubblewrap) is not mistaken for a leak.
    """
    deadline = time.monotonic() + grace_s
    leaks = leaked_processes(marker, sandbox_uids, since_ticks)
    while leaks and time.monotonic() < deadline:
        time.sleep(0.1)
        current = {process.pid: process for process in leaked_processes(marker, sandbox_uids, since_ticks)}
        leaks = [current[process.pid] for process in leaks if process.pid in current]
    return leaks


def marker_files(marker: str, roots: tuple[Path, ...]) -> list[str]:
    """Host files whose name holds the marker, under the given roots (a few levels deep)."""
    found: list[str] = []
    for root in roots:
        for directory, names, files in os.walk(root):
            if directory.count(os.sep) - str(root).count(os.sep) >= 4:
                names.clear()
            found.extend(os.path.join(directory, n) for n in [*names, *files] if marker in n)
    return found


# ---- the probe --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProbeView:
    """What a fresh run sees of its box: entries under /tmp, /dev/shm, /var/tmp, the working dir and home."""

    raw: str
    entries: frozenset[str]


def run_probe(limits: RunLimits | None = None) -> ProbeView:
    from codesensei.runner.api import run_program

    result: RunResult = run_program(PROBE_SOURCE, "python", "", limits or RunLimits(cpu_time_s=2, memory_mb=128))
    assert result.status == "ok", f"the probe itself failed: {result.status} {result.stderr[-2000:]}"
    report = json.loads(result.stdout)
    entries = {str(value) for values in report.values() if isinstance(values, list) for value in values}
    return ProbeView(raw=result.stdout, entries=frozenset(entries))


IDENTIFY_SOURCE = """
import ctypes, time
ctypes.CDLL(None).prctl(15, b"{marker}", 0, 0, 0)
time.sleep(1.5)
"""


def observe_box_uids() -> set[int]:
    """The host uid a box runs as, seen from outside while a named program sleeps in one.

    Reading it from inside is unreliable: nested user namespaces (bwrap --disable-userns) hide it.
    """
    from codesensei.runner.api import run_program

    marker = "hid" + secrets.token_hex(5)
    outcome: list[RunResult] = []
    runner = threading.Thread(
        target=lambda: outcome.append(
            run_program(IDENTIFY_SOURCE.format(marker=marker), "python", "", RunLimits(cpu_time_s=1))
        )
    )
    runner.start()
    uids: set[int] = set()
    while runner.is_alive():
        uids |= {p.uid for p in host_processes().values() if p.comm == marker}
        time.sleep(0.05)
    runner.join()
    assert outcome, "the identifying run raised"
    assert outcome[0].status == "ok", f"the identifying run failed: {outcome[0]}"
    assert uids, "never saw the identifying run's process on the host"
    return uids


class Host:
    """The host-side checks, handed to the test as a fixture so it needs no import from this conftest."""

    scan_roots = HOST_SCAN_ROOTS
    now_ticks = staticmethod(now_ticks)
    wait_for_no_leaks = staticmethod(wait_for_no_leaks)
    marker_files = staticmethod(marker_files)
    run_probe = staticmethod(run_probe)

    def __init__(self, box_uids: set[int]) -> None:
        self.box_uids = box_uids


@pytest.fixture(scope="session")
def host() -> Host:
    return Host(observe_box_uids())


@pytest.fixture(scope="session")
def baseline_probe() -> ProbeView:
    """What a clean box looks like, before any hostile case has run in this worker."""
    return run_probe()
