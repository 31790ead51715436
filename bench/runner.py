"""Runner benchmark: judging 10-test stdio and call problems in Python and JavaScript.

Compares (a) this runner with its warm pool, (b) a naive baseline of one `bwrap … interpreter solution`
process per test and (c) the bare interpreter start per test without any sandbox; prints a table with
p50/p95 latency per submission, submissions per second with both cores busy, the runner's CPU time per
submission (which, unlike the rate, does not depend on what else the machine runs), and the ratios.

Latency is measured one submission at a time, each once the pool has replaced the box the previous one
used (a candidate pressing submit on a server that is not saturated), and again back to back, where each
submission shares the machine with the start of the box that replaces its predecessor's. Throughput runs
`--workers` submissions at once (default: cores + 1, as each submission waits on its box between tests)
and prints how busy that kept the cores.

    .venv/bin/python bench/runner.py [--submissions 40]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from codesensei.bank.model import CodeAnswer, CodeQuestion
from codesensei.runner.api import default_limits, program_spec
from codesensei.runner.compiler import Program
from codesensei.runner.dispatch import LocalDispatcher
from codesensei.runner.execute import execute
from codesensei.runner.jobs import JudgeJob
from codesensei.runner.judge import report_from_events
from codesensei.runner.languages import get_language
from codesensei.runner.pool import WarmPool
from codesensei.runner.sandbox import BOX_ENV, BwrapSandbox

TESTS = 10
SOURCES = {
    ("python", "stdio"): "a, b = map(int, input().split())\nprint(a + b)\n",
    ("python", "call"): "def add(a, b):\n    return a + b\n",
    ("javascript", "stdio"): "const [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(' ').map(Number);\n"
    "console.log(a + b);\n",
    ("javascript", "call"): "function add(a, b) { return a + b; }\n",
}
DRIVERS = {
    "python": "\nimport json, sys\nprint(json.dumps(add(*json.loads(sys.stdin.read()))))\n",
    "javascript": "\nconsole.log(JSON.stringify(add(...JSON.parse(require('fs').readFileSync(0, 'utf8')))));\n",
}
INTERPRETERS = {"python": ["/usr/bin/python3"], "javascript": ["/usr/bin/node"]}
# The naive baseline runs what a student would: `python3 solution.py`, `node solution.js`.
NAIVE_INTERPRETERS = {"python": ("/usr/bin/python3",), "javascript": ("/usr/bin/node",)}


def question(kind: str) -> CodeQuestion:
    tests: list[dict[str, Any]]
    if kind == "stdio":
        tests = [
            {"name": f"t{i}", "kind": "stdio", "input": f"{i} {i}\n", "expected": str(2 * i)} for i in range(TESTS)
        ]
        return CodeQuestion.model_validate(
            {
                "id": "sum",
                "type": "code",
                "title": "Sum",
                "text": "sum",
                "languages": ["python", "javascript"],
                "tests": tests,
            }
        )
    tests = [{"name": f"t{i}", "kind": "call", "args": [i, i], "expected": 2 * i} for i in range(TESTS)]
    return CodeQuestion.model_validate(
        {
            "id": "add",
            "type": "code",
            "title": "Add",
            "text": "add",
            "entry_point": "add",
            "languages": ["python", "javascript"],
            "tests": tests,
        }
    )


@dataclasses.dataclass
class CpuMeter:
    """CPU time per submission of the runner: this process (judging, starting and reaping boxes, all threads)
    plus every used box as its cgroup counted it. Left out: the `setpriv` and `sh` steps that run before a
    box's first process joins its cgroup (about 2 ms per box here)."""

    pool: WarmPool
    submissions: int = 0
    server_s: float = 0.0
    box_ns: int = 0
    _started: tuple[float, int, int] = (0.0, 0, 0)

    def start(self) -> None:
        self._started = (_self_cpu_s(), self.pool.spent_boxes, self.pool.spent_cpu_ns)

    def stop(self, submissions: int) -> None:
        server_s, boxes, box_ns = self._started
        self.server_s += _self_cpu_s() - server_s
        # Each submission used one box; the reaper reads its cgroup when it tears it down, just after.
        deadline = time.monotonic() + 10.0
        while self.pool.spent_boxes - boxes < submissions and time.monotonic() < deadline:
            time.sleep(0.01)
        self.box_ns += self.pool.spent_cpu_ns - box_ns
        self.submissions += self.pool.spent_boxes - boxes

    @property
    def server_ms(self) -> float:
        return self.server_s * 1000 / max(1, self.submissions)

    @property
    def box_ms(self) -> float:
        return self.box_ns / 1e6 / max(1, self.submissions)


def _self_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclasses.dataclass(frozen=True)
class Timing:
    p50_ms: float  # one at a time, each started with the pool refilled
    p95_ms: float
    back_to_back_p50_ms: float  # one at a time, each started as soon as the previous ended
    rate: float  # submissions per second with `workers` running at once


def _percentiles(latencies: list[float]) -> tuple[float, float]:
    ordered = sorted(latencies)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def _timed(one: Callable[[], None]) -> float:
    started = time.perf_counter()
    one()
    return (time.perf_counter() - started) * 1000


def measure(
    one: Callable[[], None],
    submissions: int,
    workers: int,
    *,
    settle: Callable[[], None] = lambda: None,
    cpu: CpuMeter | None = None,
) -> Timing:
    """Latencies (settled, then back to back) and throughput with `workers` threads busy (its CPU time, too)."""
    one()  # warm caches
    settled = []
    for _ in range(submissions):
        settle()
        settled.append(_timed(one))
    back_to_back = [_timed(one) for _ in range(submissions)]
    counter = iter(range(submissions * 2))
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                if next(counter, None) is None:
                    return
            one()

    settle()
    if cpu is not None:
        cpu.start()
    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rate = submissions * 2 / (time.perf_counter() - started)
    if cpu is not None:
        cpu.stop(submissions * 2)
    p50, p95 = _percentiles(settled)
    return Timing(p50, p95, statistics.median(back_to_back), rate)


def naive(language: str, kind: str) -> Callable[[], None]:
    """One fresh box per test, exactly as `sensei run` starts one: the same bubblewrap flags, seccomp filter,
    rlimits and a new cgroup per run, with a plain `python3 solution.py` (or the language's `node …`)."""
    lang = get_language(language)
    source = SOURCES[(language, kind)] + (DRIVERS[language] if kind == "call" else "")
    limits = default_limits(lang)
    spec = program_spec(Program(lang, {f"prog/{lang.source_file}": (source.encode(), 0o444)}), limits)
    spec = dataclasses.replace(spec, argv=(*NAIVE_INTERPRETERS[language], f"{{prog}}/{lang.source_file}"))
    sandbox = BwrapSandbox()
    feeds = [f"{i} {i}\n" if kind == "stdio" else json.dumps([i, i]) for i in range(TESTS)]

    def one() -> None:
        for i, feed in enumerate(feeds):
            raw = execute(
                sandbox,
                spec,
                feed.encode(),
                cpu_limit_s=limits.cpu_time_s,
                wall_limit_s=limits.wall_time_s,
                output_bytes=limits.output_bytes,
            )
            if raw.exit_code != 0 or raw.stdout.strip() != str(2 * i).encode():
                raise RuntimeError(f"naive {language}/{kind}: {raw}")

    return one


def bare(language: str) -> Callable[[], None]:
    argv = [
        *INTERPRETERS[language],
        "-c" if language == "python" else "-e",
        "0" if language == "javascript" else "pass",
    ]
    # The environment a box gets: this shell's may carry start-up hooks (NODE_EXTRA_CA_CERTS makes every
    # Node.js start parse a CA bundle) that measure the host, not the interpreter.
    env = dict(BOX_ENV)

    def one() -> None:
        for _ in range(TESTS):
            subprocess.run(argv, capture_output=True, check=True, env=env)

    return one


def warm(dispatcher: LocalDispatcher, language: str, kind: str) -> Callable[[], None]:
    job = JudgeJob(question(kind), CodeAnswer(language=language, source=SOURCES[(language, kind)]))

    def one() -> None:
        report = report_from_events(dispatcher.submit(job))
        if report.verdict != "accepted":
            raise RuntimeError(f"{language}/{kind}: {report.verdict} {report.message}")

    return one


def main() -> int:
    cores = os.cpu_count() or 1
    parser = argparse.ArgumentParser()
    parser.add_argument("--submissions", type=int, default=40)
    parser.add_argument("--workers", type=int, default=cores + 1, help="submissions at once in the throughput run")
    parser.add_argument("--slots", type=int, default=0, help="warm boxes per language (default: 2 per worker)")
    parser.add_argument("--languages", default="python,javascript", help="comma-separated, e.g. python")
    parser.add_argument("--no-baselines", action="store_true", help="time only the runner (naive/bare show 0)")
    args = parser.parse_args()
    slots = args.slots or 2 * args.workers
    load_before = os.getloadavg()
    workdir = Path(tempfile.mkdtemp(prefix="sensei-bench-"))
    os.environ.setdefault("SENSEI_DATA_DIR", str(workdir / "data"))
    sandbox = BwrapSandbox()
    pool = WarmPool(sandbox, workdir / "runtime", slots=slots)
    pool.warm_up()
    dispatcher = LocalDispatcher(boxes=pool)
    skipped = Timing(0.0, 0.0, 0.0, 0.0)
    rows = []
    try:
        for language in args.languages.split(","):
            for kind in ("stdio", "call"):
                cpu = CpuMeter(pool)
                a = measure(
                    warm(dispatcher, language, kind), args.submissions, args.workers, settle=pool.warm_up, cpu=cpu
                )
                few = max(5, args.submissions // 4)
                b = skipped if args.no_baselines else measure(naive(language, kind), few, args.workers)
                c = skipped if args.no_baselines else measure(bare(language), few, args.workers)
                rows.append((language, kind, a, b, c, cpu))
    finally:
        pool.close()
    header = (
        f"{'language':<11}{'problem':<8}{'runner p50/p95 ms':>19}{'back to back':>14}{'sub/s':>7}{'CPU ms/sub':>12}"
        f"{'busy':>6}{'cap sub/s':>11}{'naive p50/p95 ms':>19}{'sub/s':>7}{'bare p50':>10}{'naive/runner':>14}"
        f"{'bare/runner':>13}"
    )
    print(f"\n{TESTS} tests per submission, {cores} cores, throughput with {args.workers} workers, slots={slots}")
    print(header)
    print("-" * len(header))
    for language, kind, a, b, c, cpu in rows:
        spent = cpu.server_ms + cpu.box_ms
        busy = spent * a.rate / 1000 / cores
        print(
            f"{language:<11}{kind:<8}{a.p50_ms:>9.1f}/{a.p95_ms:<9.1f}{a.back_to_back_p50_ms:>14.1f}{a.rate:>7.1f}"
            f"{spent:>12.1f}{busy:>6.0%}{cores * 1000 / spent:>11.1f}{b.p50_ms:>9.1f}/{b.p95_ms:<9.1f}{b.rate:>7.1f}"
            f"{c.p50_ms:>10.1f}{b.p50_ms / a.p50_ms:>13.1f}x{c.p50_ms / a.p50_ms:>12.1f}x"
        )
    print(
        "\nrunner p50/p95: one submission at a time, each once the pool has replaced the previous one's box;"
        "\nback to back: each as soon as the previous ended, beside the start of its replacement box. naive and"
        "\nbare have no box to replace: their submissions are timed back to back. busy: the share of the cores"
        "\nthe runner's CPU time filled during the throughput run."
    )
    print(
        "\nCPU ms/sub: the runner's CPU time per submission during the throughput run (server process, all its"
        "\nthreads, plus each used box's cgroup: start, tests, teardown); cap sub/s = cores x 1000 / CPU ms/sub,"
        "\nthe rate the machine could sustain with nothing else running. Per row, server + box ms:"
    )
    for language, kind, _, _, _, cpu in rows:
        print(f"  {language}/{kind}: {cpu.server_ms:.1f} + {cpu.box_ms:.1f} over {cpu.submissions} submissions")
    started, ended = load_before, os.getloadavg()
    print(f"\nload average (1/5/15 min) before: {started[0]:.2f} {started[1]:.2f} {started[2]:.2f}, ", end="")
    print(f"after: {ended[0]:.2f} {ended[1]:.2f} {ended[2]:.2f}")
    print(f"command: {shlex.join([sys.executable, *sys.argv])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
