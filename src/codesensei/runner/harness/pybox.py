"""Inside a box: a warm Python that forks one fresh child per test and reports over a private control pipe.

The parent never runs candidate code. Each child re-seeds `random`, gets its own stdin/stdout/stderr pipes
and rlimits, then runs the candidate's Python (or execs a compiled program). Call and script results come
back on a per-test pipe moved to a random fd, framed with a per-test nonce; CPU time and peak memory come
from wait4(). Standard library only: this runs under the system python3, not the server's environment.

Starting this interpreter is most of what a box costs, so the parent imports only what it uses itself:
`posix` rather than `os`, `_json` rather than `json` (which imports `re`), no `typing`, `ctypes`,
`selectors` or `traceback`. It runs with `-S` (site's .pth hooks run arbitrary code at every start) and puts
the site-packages directories on `sys.path` itself. When a submission arrives, the parent imports the
standard-library modules its source names (from a list of side-effect-free ones) before forking any test,
so each test starts with them loaded instead of importing them again.
"""

from __future__ import annotations

import builtins
import gc
import marshal
import posix
import resource
import select
import sys
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from codesensei.runner.harness.pyvalues import (
        ListNode,
        TreeNode,
        canonical,
        dumps,
        plain,
        read_frame,
        to_list_node,
        to_tree_node,
        write_frame,
    )
else:  # in the box, pyvalues sits next to this file (and -I keeps that folder off sys.path)
    sys.path.insert(0, __file__.rpartition("/")[0])
    from pyvalues import (
        ListNode,
        TreeNode,
        canonical,
        dumps,
        plain,
        read_frame,
        to_list_node,
        to_tree_node,
        write_frame,
    )

    del sys.path[0]

PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36
SIGKILL = 9
CLOCK_TICKS = posix.sysconf("SC_CLK_TCK")
EXEC_ENV = {"PATH": "/usr/bin:/bin", "HOME": "/box", "LANG": "C.UTF-8", "TMPDIR": "/tmp"}  # noqa: S108 - the box's own tmpfs
# Modules a submission's imports may pull into the parent before its tests are forked: standard library,
# no threads, no state beyond their own (random is re-seeded in every child).
WARMABLE = frozenset(
    {
        "abc", "array", "bisect", "cmath", "collections", "copy", "dataclasses", "datetime", "decimal", "enum",
        "fractions", "functools", "heapq", "io", "itertools", "json", "math", "numbers", "operator", "os",
        "random", "re", "statistics", "string", "textwrap", "typing", "unicodedata",
    }
)  # fmt: skip
# Captured before any candidate code exists: script tests run with these, untouched.
ORIGINAL_BUILTINS: dict[str, Any] = dict(builtins.__dict__)
# The harness's own except clauses must not resolve names the candidate can rebind in `builtins`.
_AssertionError = AssertionError
_TypeError = TypeError
_ValueError = ValueError
_isinstance = isinstance
_FunctionType = type(plain)
# The submission this box serves; children forked after `load` inherit it, its compiled code included.
PROGRAM: dict[str, Any] = {"mode": "python", "source": "", "argv": [], "code": None}


# ---- the child: one test --------------------------------------------------------------------------


def _child(plan: tuple[tuple[int, int, int], int, int, int, tuple[int, ...]], nonce: bytes) -> None:
    """Forked ahead of its test: set up what does not depend on the test, then wait for it on `go`.

    The parent worked out which descriptors go where (`Forked.plan`): everything here runs on the test's
    critical path, and every Python object touched after fork() costs a copied page.
    """
    stdio, go, result, result_at, close = plan
    posix.setpgid(0, 0)
    posix.dup2(stdio[0], 0)
    posix.dup2(stdio[1], 1)
    posix.dup2(stdio[2], 2)
    for fd in close:
        try:  # noqa: SIM105 - plainer than a context manager, on every test's path
            posix.close(fd)
        except OSError:
            pass
    posix.dup2(result, result_at, inheritable=False)
    posix.close(result)
    try:
        adjust = posix.open("/proc/self/oom_score_adj", posix.O_WRONLY)
        posix.write(adjust, b"1000")  # the OOM killer takes the test, never the warm parent
        posix.close(adjust)
    except OSError:
        pass
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # (The parent froze its objects just before forking: they stay out of this child's collections, which
    # would otherwise visit, and so copy page by page, the whole inherited heap.)
    if "random" in sys.modules:
        sys.modules["random"].seed()
    chunks = []
    while chunk := posix.read(go, 65536):  # not a megabyte: a buffer that size is mapped, then shrunk
        chunks.append(chunk)
    posix.close(go)
    if not chunks:
        posix._exit(70)  # the parent discarded this child without a test
    req = marshal.loads(b"".join(chunks))  # noqa: S302 - written by the parent, before any test ran
    program = PROGRAM
    cpu = max(1, int(req["cpu_s"] + 0.999))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (req["file_size"], req["file_size"]))
    resource.setrlimit(resource.RLIMIT_NOFILE, (req["open_files"], req["open_files"]))
    if program["mode"] == "exec":
        posix.execve(program["argv"][0], program["argv"], EXEC_ENV)
    code = 0
    try:
        code = _python_test(program, req, result_at, nonce)
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        if stop.code is not None and not isinstance(stop.code, int):
            sys.stderr.write(f"{stop.code}\n")
    except BaseException:  # noqa: BLE001 - any failure of candidate code is its runtime error
        _print_candidate_traceback(program["source"])
        code = 1
    for stream in (sys.stdout, sys.stderr):
        with Quiet(BaseException):  # a stream the candidate broke; the exit code stands
            stream.flush()
    posix._exit(code)


class Quiet:
    """`contextlib.suppress`, without importing contextlib (and with it collections and functools)."""

    def __init__(self, *kinds: type[BaseException]) -> None:
        self.kinds = kinds

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, value: object, tb: object) -> bool:
        return kind is not None and issubclass(kind, self.kinds)


_MethodType = type(Quiet(OSError).__enter__)


def _close_quietly(fd: int) -> None:
    with Quiet(OSError):
        posix.close(fd)


def _print_candidate_traceback(source: str) -> None:
    kind, value, tb = sys.exc_info()
    try:
        # Imported only now: most tests never fail, and these modules cost more than a test to import.
        import linecache
        import traceback

        linecache.cache["solution.py"] = (len(source), None, source.splitlines(True), "solution.py")
        # Drop the harness's own frames so the candidate sees a traceback of their code.
        while tb is not None and tb.tb_frame.f_code.co_filename not in ("solution.py", "<test>"):
            tb = tb.tb_next
        traceback.print_exception(kind, value, tb)
    except BaseException:  # noqa: BLE001 - e.g. no memory left to import; the type still names the failure
        name = getattr(kind, "__name__", "Exception")
        posix.write(2, f"{name}: the program failed (no traceback available)\n".encode())


def _compile(source: str) -> Any:
    # Inherits this file's `from __future__ import annotations`, as the harness always has: annotations are
    # not evaluated, so LeetCode-style `List[int]` hints without an import do not fail a solution.
    return compile(source, "solution.py", "exec")


def _load(program: dict[str, Any], name: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {
        "__name__": name,
        "__builtins__": builtins,
        "__file__": "solution.py",
        "ListNode": ListNode,
        "TreeNode": TreeNode,
    }
    code = program.get("code") or _compile(program["source"])
    exec(code, namespace)  # noqa: S102 - candidate code, in the box
    return namespace


def _entry(namespace: dict[str, Any], entry: str) -> Any:
    if entry in namespace:
        return namespace[entry]
    solution = namespace.get("Solution")
    if isinstance(solution, type) and hasattr(solution, entry):
        return getattr(solution(), entry)
    raise NameError(f"the program does not define {entry!r}")


def _python_test(program: dict[str, Any], req: dict[str, Any], result_fd: int, nonce: bytes) -> int:
    kind = req["kind"]
    if kind == "stdio":
        _load(program, "__main__")
        return 0
    namespace = _load(program, "solution")
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
    posix.write(result_fd, nonce + dumps(payload).encode())
    return 0


def _guard(value: Any) -> Any:
    if not _isinstance(value, (_FunctionType, _MethodType)):
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
    try:
        exec(compile(code, "<test>", "exec"), scope)  # noqa: S102 - the question's own test code
        entry = req.get("entry")
        if callable(scope.get("check")) and entry:
            scope["check"](_guard(_entry(namespace, entry)))
    except _AssertionError as failure:
        import linecache
        import traceback

        linecache.cache["<test>"] = (len(code), None, code.splitlines(True), "<test>")
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
        fd = posix.open(f"/proc/{pid}/stat", posix.O_RDONLY)
    except OSError:
        return 0.0
    try:
        fields = posix.read(fd, 4096).rsplit(b")", 1)[1].split()
    finally:
        posix.close(fd)
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _sweep(keep: set[int]) -> None:
    """Kill every process of the box that a test left behind, then reap them (we are the subreaper)."""
    try:
        posix.waitpid(-1, posix.WNOHANG)  # reaps one that has ended; the loop below finds any others
    except ChildProcessError:
        # No child at all, so nothing to sweep: every process a test starts is our descendant, and one whose
        # parent died has been handed to us (the subreaper), so a surviving process would be our child.
        return
    for _ in range(100):
        others = [int(p) for p in posix.listdir("/proc") if p.isdigit() and int(p) not in keep]
        if not others:
            break
        for pid in others:
            with Quiet(OSError):
                posix.kill(pid, SIGKILL)
        with Quiet(ChildProcessError):
            while posix.waitpid(-1, posix.WNOHANG)[0]:
                pass
        time.sleep(0.001)


class Forked:
    """A child forked ahead of its test (before any candidate code of the submission could run beside it):
    the fork's cost overlaps the server's round trip instead of adding to the test's."""

    def __init__(self, ctrl: tuple[int, int]) -> None:
        self.fds = {name: posix.pipe() for name in ("stdin", "stdout", "stderr", "result", "go")}
        random_bytes = posix.urandom(17)
        self.nonce = random_bytes[:16].hex().encode()
        child_ends = {name: pair[0 if name in ("stdin", "go") else 1] for name, pair in self.fds.items()}
        parent_ends = tuple(pair[1 if name in ("stdin", "go") else 0] for name, pair in self.fds.items())
        stdio = (child_ends["stdin"], child_ends["stdout"], child_ends["stderr"])
        # The result pipe goes to a random descriptor; the child's only others then are 0-2 and `go`.
        result_at = 100 + random_bytes[16] % 150
        while result_at in (child_ends["go"], child_ends["result"]):
            result_at += 1
        # Closed by the child once 0-2 are in place: the parent's ends, the control pipe, and its own
        # copies of what now sits on 0-2.
        plan = (stdio, child_ends["go"], child_ends["result"], result_at, (*parent_ends, *ctrl, *stdio))
        sys.stdout.flush()
        # Freeze what the last test left in this parent as well, so no collection here writes to pages the
        # child shares (a box serves one submission, so the few cycles frozen this way are not a leak).
        gc.freeze()
        self.pid = posix.fork()
        if self.pid == 0:
            try:
                _child(plan, self.nonce)
            finally:
                # Whatever happened, a child never returns into the server loop.
                posix._exit(70)
        for fd in child_ends.values():
            posix.close(fd)

    def start(self, req: dict[str, Any]) -> bool:
        """Hand the child its test; False if it is gone."""
        view = memoryview(marshal.dumps(req))
        try:
            while view:
                view = view[posix.write(self.fds["go"][1], view) :]
        except OSError:
            return False
        finally:
            posix.close(self.fds["go"][1])
        return True

    def discard(self) -> None:
        with Quiet(OSError):
            posix.kill(self.pid, SIGKILL)
        with Quiet(ChildProcessError):
            posix.waitpid(self.pid, 0)
        for name, (read_end, write_end) in self.fds.items():
            _close_quietly(write_end if name in ("stdin", "go") else read_end)


def run_test(ctrl: tuple[int, int], req: dict[str, Any], forked: Forked | None) -> dict[str, Any]:
    started = time.monotonic()
    child = forked or Forked(ctrl)
    if not child.start(req):
        child.discard()
        started = time.monotonic()
        child = Forked(ctrl)
        child.start(req)
    outcome = _collect(child.pid, req, child.fds, started)
    result = outcome.pop("result_bytes")
    outcome["result_json"] = None
    if outcome["status"] == "exited" and outcome["exit_code"] == 0 and result.startswith(child.nonce):
        # Passed on as text: the server parses it, so nothing the test wrote is interpreted in here.
        outcome["result_json"] = result[len(child.nonce) :].decode("utf-8", "replace")
    return outcome


def _collect(pid: int, req: dict[str, Any], fds: dict[str, tuple[int, int]], started: float) -> dict[str, Any]:
    stdin = memoryview(req.get("stdin", "").encode())
    out_fd, err_fd, result_fd = fds["stdout"][0], fds["stderr"][0], fds["result"][0]
    reads = {out_fd: bytearray(), err_fd: bytearray(), result_fd: bytearray()}
    poller = select.poll()
    for fd in reads:
        poller.register(fd, select.POLLIN)
    open_fds = set(reads)
    stdin_fd = fds["stdin"][1]
    if stdin:
        # Most inputs fit in the pipe: written at once, with no turn of the loop below spent on them.
        posix.set_blocking(stdin_fd, False)
        try:
            stdin = stdin[posix.write(stdin_fd, stdin[:65536]) :]
        except BlockingIOError:
            pass
        except BrokenPipeError:
            stdin = stdin[:0]
    if stdin:
        poller.register(stdin_fd, select.POLLOUT)
        open_fds.add(stdin_fd)
    else:
        posix.close(stdin_fd)
    status, limit, wall_s, cpu_s = "exited", req["output_bytes"], req["wall_s"], req["cpu_s"]
    cpu_checked = started
    while reads.keys() & open_fds:
        for fd, _ in poller.poll(5):
            if fd == stdin_fd:
                try:
                    stdin = stdin[posix.write(fd, stdin[:65536]) :]
                except (BrokenPipeError, BlockingIOError):
                    stdin = stdin[:0]
                if not stdin:
                    poller.unregister(fd)
                    posix.close(fd)
                    open_fds.discard(fd)
                continue
            chunk = posix.read(fd, 65536)
            if not chunk:
                poller.unregister(fd)
                posix.close(fd)
                open_fds.discard(fd)
            reads[fd] += chunk
        now = time.monotonic()
        if len(reads[out_fd]) + len(reads[err_fd]) > limit:
            status = "output_limit"
        elif now - started > wall_s:
            status = "timeout"
        elif now - cpu_checked > 0.005:
            # /proc is read every few milliseconds, not on every chunk of a chatty test.
            cpu_checked = now
            if _cpu_seconds(pid) > cpu_s:
                status = "timeout"
        if status != "exited":
            with Quiet(OSError):
                posix.killpg(pid, SIGKILL)
            break
    for fd in open_fds:
        posix.close(fd)
    _, wait_status, usage = posix.wait4(pid, 0)
    wall_ms = (time.monotonic() - started) * 1000
    code = posix.waitstatus_to_exitcode(wait_status)
    return {
        "status": status if status != "exited" else ("exited" if code >= 0 else "signaled"),
        "exit_code": code if code >= 0 else None,
        "signal": -code if code < 0 else None,
        "cpu_ms": (usage.ru_utime + usage.ru_stime) * 1000,
        "wall_ms": wall_ms,
        "memory_kb": usage.ru_maxrss,
        "stdout": bytes(reads[out_fd][:limit]).decode("utf-8", "replace"),
        "stderr": bytes(reads[err_fd][:limit]).decode("utf-8", "replace"),
        "truncated": status == "output_limit",
        "result_bytes": bytes(reads[result_fd]),
    }


def compile_cleanly(source: str) -> Any:
    """The candidate's code compiled once for all tests, or None if compiling it says anything at all.

    Compiling runs none of it. A program that does not compile, or draws a warning (a SyntaxWarning belongs
    in each test's own stderr), is compiled again by every test, which then reports it as before.
    """
    import _warnings

    filters: list[Any] = _warnings.filters
    filters.insert(0, ("error", None, Warning, None, 0))
    _warnings._filters_mutated()  # type: ignore[attr-defined]
    try:
        return _compile(source)
    except BaseException:  # noqa: BLE001 - whatever it is, the tests meet it again themselves
        return None
    finally:
        filters.pop(0)
        _warnings._filters_mutated()  # type: ignore[attr-defined]


def imported_modules(source: str) -> set[str]:
    """The modules a source's plain `import x` / `from x import y` statements name (a cheap scan, no parse)."""
    found: set[str] = set()
    for line in source.split("\n"):
        for statement in line.split(";"):
            words = statement.split(None, 1)
            if len(words) < 2:
                continue
            if words[0] == "import":
                found.update(part.split()[0] for part in words[1].split(",") if part.split())
            elif words[0] == "from":
                found.add(words[1].split()[0])
    return found


def warm(source: str) -> None:
    """Import the warmable modules `source` names into this (parent) process."""
    for name in sorted(imported_modules(source)):
        if name.partition(".")[0] in WARMABLE and name not in sys.modules:
            try:
                __import__(name)
            except Exception:  # noqa: BLE001, S112 - a module that will not import fails in the test instead
                continue


def site_packages() -> list[str]:
    """The directories `site` adds to `sys.path` for a system Python (Debian's and the upstream layout)."""
    version = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    found: list[str] = []
    for path in (
        f"/usr/local/lib/{version}/dist-packages",
        "/usr/lib/python3/dist-packages",
        f"/usr/lib/{version}/dist-packages",
        f"{sys.prefix}/{sys.platlibdir}/{version}/site-packages",
        f"{sys.prefix}/lib/{version}/site-packages",
    ):
        try:
            is_dir = posix.stat(path).st_mode & 0o170000 == 0o040000
        except OSError:
            continue
        if is_dir and path not in found and path not in sys.path:
            found.append(path)
    return found


def _prctl(option: int, value: int) -> int:
    """prctl(2) through `_ctypes`, the C half of `ctypes`, whose Python half costs a millisecond to import."""
    import _ctypes

    class CFunction(_ctypes.CFuncPtr):
        _flags_ = _ctypes.FUNCFLAG_CDECL  # returns a C int, takes Python ints as C ints

    prctl = CFunction(_ctypes.dlsym(_ctypes.dlopen("libc.so.6"), "prctl"))
    return int(prctl(option, value, 0, 0, 0))


def serve(ctrl_in: int, ctrl_out: int) -> int:
    ctrl = (ctrl_in, ctrl_out)
    # Tests run as the same user: stop them from opening our control pipes through /proc/<pid>/fd.
    if _prctl(PR_SET_DUMPABLE, 0) != 0 or _prctl(PR_SET_CHILD_SUBREAPER, 1) != 0:
        posix.write(2, b"prctl failed: the harness will not serve without it\n")
        return 71
    sys.path.extend(site_packages())
    # Move everything loaded so far out of the collector's reach: forked tests then do not copy those
    # pages just to update GC bookkeeping. No collection first: imports leave a handful of cycles, and a
    # full collection costs more CPU at every box start than they are worth.
    gc.freeze()
    # The first test's child is forked once the submission is here (compiled, its imports loaded), while
    # the server sends the first test; each later one right after the previous test's reply, when every
    # process that test left behind has been swept. (A child forked earlier, while the box waits in the
    # pool, would share every page the submission's loading then writes: slower to load, slower to exit.)
    forked: Forked | None = None
    write_frame(ctrl_out, {"ready": True, "pid": posix.getpid()})
    while True:
        req = read_frame(ctrl_in)
        if req is None or req.get("op") == "quit":
            return 0
        if req["op"] == "load":
            PROGRAM.update(mode=req["mode"], source=req.get("source", ""), argv=req.get("argv", []), code=None)
            if PROGRAM["mode"] == "python":
                PROGRAM["code"] = compile_cleanly(PROGRAM["source"])
                warm(PROGRAM["source"])
            write_frame(ctrl_out, {"loaded": True})
            forked = Forked(ctrl)
        elif req["op"] == "test":
            outcome = run_test(ctrl, req, forked)
            write_frame(ctrl_out, outcome)
            # Whatever the test left running is killed after the reply (the server checks the result
            # meanwhile) and before the next test's child exists. No child ahead of a test the server said
            # will not come: the box is discarded after it.
            _sweep({posix.getpid(), 1})
            forked = None if req.get("last") else Forked(ctrl)


if __name__ == "__main__":
    sys.exit(serve(int(sys.argv[1]), int(sys.argv[2])))
