"""Inside a box: a warm Python that forks one fresh child per test and reports over a private control pipe.

The parent never runs candidate code. Each child re-seeds `random`, gets its own stdin/stdout/stderr pipes
and rlimits, then runs the candidate's Python (or execs a compiled program). Call and script results come
back on a per-test pipe moved to a random fd, framed with a per-test nonce; CPU time and peak memory come
from wait4(). Standard library only: this runs under the system python3, not the server's environment.
"""

from __future__ import annotations

import bisect  # noqa: F401
import builtins
import collections  # noqa: F401
import contextlib
import ctypes
import fcntl
import functools  # noqa: F401
import gc
import heapq  # noqa: F401
import itertools  # noqa: F401
import json
import linecache
import math  # noqa: F401
import os
import random
import re  # noqa: F401
import resource
import selectors
import signal
import string  # noqa: F401
import sys
import time
import traceback
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from codesensei.runner.harness.pyvalues import (
        ListNode,
        TreeNode,
        canonical,
        plain,
        read_frame,
        to_list_node,
        to_tree_node,
        write_frame,
    )
else:  # in the box, pyvalues.py sits next to this file (and -I keeps that folder off sys.path)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from pyvalues import ListNode, TreeNode, canonical, plain, read_frame, to_list_node, to_tree_node, write_frame

    del sys.path[0]

# bisect, collections, functools, heapq, itertools, math, re and string are imported only to warm them:
# candidates import them most, and each forked test then starts with them loaded.
PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36
EXEC_ENV = {"PATH": "/usr/bin:/bin", "HOME": "/box", "LANG": "C.UTF-8", "TMPDIR": "/tmp"}  # noqa: S108 - the box's own tmpfs
# Captured before any candidate code exists: script tests run with these, untouched.
ORIGINAL_BUILTINS: dict[str, Any] = dict(builtins.__dict__)
# The harness's own except clauses must not resolve names the candidate can rebind in `builtins`.
_AssertionError = AssertionError
_TypeError = TypeError
_ValueError = ValueError
_isinstance = isinstance
_id = id


# ---- the child: one test --------------------------------------------------------------------------


def _child(pipes: dict[str, int], ctrl: tuple[int, int], nonce: bytes) -> None:
    """Forked ahead of its test: set up what does not depend on the test, then wait for it on `go`."""
    os.setpgid(0, 0)
    for target, name in ((0, "stdin"), (1, "stdout"), (2, "stderr")):
        os.dup2(pipes[name], target)
    result_fd = fcntl.fcntl(pipes["result"], fcntl.F_DUPFD_CLOEXEC, random.randrange(100, 250))
    go = pipes["go"]
    for fd in (set(pipes.values()) - {go}) | set(ctrl):
        with contextlib.suppress(OSError):
            os.close(fd)
    with contextlib.suppress(OSError), open("/proc/self/oom_score_adj", "w") as handle:
        handle.write("1000")  # the OOM killer takes the test, never the warm parent
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # The parent's objects stay out of this child's collections: a full collection would otherwise visit
    # (and so copy, page by page) the whole inherited heap. The candidate's own objects are collected.
    gc.freeze()
    random.seed()
    chunks = []
    while chunk := os.read(go, 1 << 20):
        chunks.append(chunk)
    os.close(go)
    if not chunks:
        os._exit(70)  # the parent discarded this child without a test
    message = json.loads(b"".join(chunks))
    state, req = message["state"], message["req"]
    cpu = max(1, int(req["cpu_s"] + 0.999))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (req["file_size"], req["file_size"]))
    resource.setrlimit(resource.RLIMIT_NOFILE, (req["open_files"], req["open_files"]))
    if state["mode"] == "exec":
        os.execve(state["argv"][0], state["argv"], EXEC_ENV)  # noqa: S606 - the compiled program
    code = 0
    try:
        code = _python_test(state["source"], req, result_fd, nonce)
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        if stop.code is not None and not isinstance(stop.code, int):
            sys.stderr.write(f"{stop.code}\n")
    except BaseException:  # noqa: BLE001 - any failure of candidate code is its runtime error
        _print_candidate_traceback()
        code = 1
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


def _print_candidate_traceback() -> None:
    kind, value, tb = sys.exc_info()
    # Drop the harness's own frames so the candidate sees a traceback of their code.
    while tb is not None and tb.tb_frame.f_code.co_filename not in ("solution.py", "<test>"):
        tb = tb.tb_next
    traceback.print_exception(kind, value, tb)


def _load(source: str, name: str) -> dict[str, Any]:
    linecache.cache["solution.py"] = (len(source), None, source.splitlines(True), "solution.py")
    namespace: dict[str, Any] = {
        "__name__": name,
        "__builtins__": builtins,
        "__file__": "solution.py",
        "ListNode": ListNode,
        "TreeNode": TreeNode,
    }
    exec(compile(source, "solution.py", "exec"), namespace)  # noqa: S102 - candidate code, in the box
    return namespace


def _entry(namespace: dict[str, Any], entry: str) -> Any:
    if entry in namespace:
        return namespace[entry]
    solution = namespace.get("Solution")
    if isinstance(solution, type) and hasattr(solution, entry):
        return getattr(solution(), entry)
    raise NameError(f"the program does not define {entry!r}")


def _python_test(source: str, req: dict[str, Any], result_fd: int, nonce: bytes) -> int:
    kind = req["kind"]
    if kind == "stdio":
        _load(source, "__main__")
        return 0
    namespace = _load(source, "solution")
    if kind == "call":
        types_ = list(req.get("arg_types") or [])
        args = []
        for index, arg in enumerate(req["args"]):
            declared = types_[index] if index < len(types_) else "any"
            args.append(
                to_list_node(arg) if declared == "ListNode" else to_tree_node(arg) if declared == "TreeNode" else arg
            )
        value = _entry(namespace, req["entry"])(*args)
        try:
            payload: dict[str, Any] = {"value": canonical(value, req.get("return_type") or "any")}
        except (_TypeError, _ValueError) as problem:
            payload = {"invalid": str(problem)}
    else:
        payload = _script(namespace, req)
    sys.stdout.flush()
    os.write(result_fd, nonce + json.dumps(payload).encode())
    return 0


def _guard(value: Any) -> Any:
    if not _isinstance(value, (types.FunctionType, types.MethodType)):
        return value

    def guarded(*args: Any, **kwargs: Any) -> Any:
        return plain(value(*args, **kwargs))

    guarded.__name__ = getattr(value, "__name__", "candidate")
    return guarded


def _script(namespace: dict[str, Any], req: dict[str, Any]) -> dict[str, Any]:
    scope: dict[str, Any] = {"__builtins__": dict(ORIGINAL_BUILTINS), "__name__": "__check__"}
    for name, value in list(namespace.items()):
        if not name.startswith("__"):
            scope[name] = _guard(value)
    code = req["code"]
    linecache.cache["<test>"] = (len(code), None, code.splitlines(True), "<test>")
    try:
        exec(compile(code, "<test>", "exec"), scope)  # noqa: S102 - the question's own test code
        entry = req.get("entry")
        if callable(scope.get("check")) and entry:
            scope["check"](_guard(_entry(namespace, entry)))
    except _AssertionError as failure:
        frames = [f for f in traceback.extract_tb(failure.__traceback__) if f.filename == "<test>"]
        where = f"line {frames[-1].lineno}: {frames[-1].line}" if frames else ""
        return {"ok": False, "message": f"assertion failed {where}{(': ' + str(failure)) if str(failure) else ''}"}
    except (_TypeError, _ValueError) as failure:
        if "not plain built-in data" in str(failure):
            return {"ok": False, "message": str(failure)}
        raise
    return {"ok": True}


# ---- the parent: the warm server ------------------------------------------------------------------


def _cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _sweep(keep: set[int]) -> None:
    """Kill every process of the box that a test left behind, then reap them (we are the subreaper)."""
    for _ in range(100):
        others = [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) not in keep]
        if not others:
            break
        for pid in others:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        time.sleep(0.001)


class Forked:
    """A child forked ahead of its test (before any candidate code of the submission could run beside it):
    the fork's cost overlaps the server's round trip instead of adding to the test's."""

    def __init__(self, ctrl: tuple[int, int]) -> None:
        self.fds = {name: os.pipe() for name in ("stdin", "stdout", "stderr", "result", "go")}
        self.nonce = os.urandom(16).hex().encode()
        child_ends = {name: pair[0 if name in ("stdin", "go") else 1] for name, pair in self.fds.items()}
        sys.stdout.flush()
        # Freeze what the last test left in this parent as well, so no collection here writes to pages the
        # child shares (a box serves one submission, so the few cycles frozen this way are not a leak).
        gc.freeze()
        self.pid = os.fork()
        if self.pid == 0:
            try:
                for name, (read_end, write_end) in self.fds.items():
                    os.close(write_end if name in ("stdin", "go") else read_end)
                _child(child_ends, ctrl, self.nonce)
            finally:
                # Whatever happened, a child never returns into the server loop.
                os._exit(70)
        for fd in child_ends.values():
            os.close(fd)

    def start(self, state: dict[str, Any], req: dict[str, Any]) -> bool:
        """Hand the child its test; False if it is gone."""
        program = {key: state[key] for key in ("mode", "source", "argv")}
        view = memoryview(json.dumps({"state": program, "req": req}).encode())
        try:
            while view:
                view = view[os.write(self.fds["go"][1], view) :]
        except OSError:
            return False
        finally:
            os.close(self.fds["go"][1])
        return True

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)
        for name, (read_end, write_end) in self.fds.items():
            with contextlib.suppress(OSError):
                os.close(write_end if name in ("stdin", "go") else read_end)


def run_test(state: dict[str, Any], req: dict[str, Any], forked: Forked | None) -> dict[str, Any]:
    ctrl = (state["ctrl_in"], state["ctrl_out"])
    started = time.monotonic()
    child = forked or Forked(ctrl)
    if not child.start(state, req):
        child.discard()
        started = time.monotonic()
        child = Forked(ctrl)
        child.start(state, req)
    fds = {name: pair for name, pair in child.fds.items() if name != "go"}
    outcome = _collect(child.pid, req, fds, started)
    result = outcome.pop("result_bytes")
    outcome["result"] = None
    if outcome["status"] == "exited" and outcome["exit_code"] == 0 and result.startswith(child.nonce):
        outcome["result"] = json.loads(result[len(child.nonce) :])
    _sweep({os.getpid(), 1})
    return outcome


def _collect(pid: int, req: dict[str, Any], fds: dict[str, tuple[int, int]], started: float) -> dict[str, Any]:
    stdin = memoryview(req.get("stdin", "").encode())
    reads = {fds["stdout"][0]: bytearray(), fds["stderr"][0]: bytearray(), fds["result"][0]: bytearray()}
    selector = selectors.DefaultSelector()
    for fd in reads:
        os.set_blocking(fd, False)
        selector.register(fd, selectors.EVENT_READ)
    stdin_fd = fds["stdin"][1]
    if stdin:
        os.set_blocking(stdin_fd, False)
        selector.register(stdin_fd, selectors.EVENT_WRITE)
    else:
        os.close(stdin_fd)
    status, limit = "exited", req["output_bytes"]
    open_fds = set(reads) | ({stdin_fd} if stdin else set())
    while reads.keys() & open_fds:
        for key, _ in selector.select(0.005):
            fd = int(key.fd)
            if fd == stdin_fd:
                try:
                    stdin = stdin[os.write(fd, stdin[:65536]) :]
                except (BrokenPipeError, BlockingIOError):
                    stdin = stdin[:0]
                if not stdin:
                    selector.unregister(fd)
                    os.close(fd)
                    open_fds.discard(fd)
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                selector.unregister(fd)
                os.close(fd)
                open_fds.discard(fd)
            reads[fd] += chunk
        if len(reads[fds["stdout"][0]]) + len(reads[fds["stderr"][0]]) > limit:
            status = "output_limit"
        elif time.monotonic() - started > req["wall_s"] or _cpu_seconds(pid) > req["cpu_s"]:
            status = "timeout"
        if status != "exited":
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)
            break
    selector.close()
    for fd in open_fds:
        os.close(fd)
    _, wait_status, usage = os.wait4(pid, 0)
    wall_ms = (time.monotonic() - started) * 1000
    code = os.waitstatus_to_exitcode(wait_status)
    return {
        "status": status if status != "exited" else ("exited" if code >= 0 else "signaled"),
        "exit_code": code if code >= 0 else None,
        "signal": -code if code < 0 else None,
        "cpu_ms": (usage.ru_utime + usage.ru_stime) * 1000,
        "wall_ms": wall_ms,
        "memory_kb": usage.ru_maxrss,
        "stdout": bytes(reads[fds["stdout"][0]][:limit]).decode("utf-8", "replace"),
        "stderr": bytes(reads[fds["stderr"][0]][:limit]).decode("utf-8", "replace"),
        "truncated": status == "output_limit",
        "result_bytes": bytes(reads[fds["result"][0]]),
    }


def serve(ctrl_in: int, ctrl_out: int) -> int:
    libc = ctypes.CDLL(None, use_errno=True)
    # Tests run as the same user: stop them from opening our control pipes through /proc/<pid>/fd.
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    # Move everything warmed so far out of the collector's reach: forked tests then do not copy those
    # pages just to update GC bookkeeping. No collection first: imports leave a handful of cycles, and a
    # full collection costs more CPU at every box start than they are worth.
    gc.freeze()
    state: dict[str, Any] = {"ctrl_in": ctrl_in, "ctrl_out": ctrl_out, "mode": "python", "source": "", "argv": []}
    # The first test's child is forked while the box waits for its submission; each later one right after
    # the previous test's reply, when every process that test left behind has been swept.
    forked: Forked | None = Forked((ctrl_in, ctrl_out))
    write_frame(ctrl_out, {"ready": True, "pid": os.getpid()})
    while True:
        req = read_frame(ctrl_in)
        if req is None or req.get("op") == "quit":
            return 0
        if req["op"] == "load":
            state.update(mode=req["mode"], source=req.get("source", ""), argv=req.get("argv", []))
            write_frame(ctrl_out, {"loaded": True})
        elif req["op"] == "test":
            outcome = run_test(state, req, forked)
            write_frame(ctrl_out, outcome)
            forked = Forked((ctrl_in, ctrl_out))


if __name__ == "__main__":
    sys.exit(serve(int(sys.argv[1]), int(sys.argv[2])))
