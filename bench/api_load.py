"""API load benchmark: N simulated candidates taking an assessment at once against one `sensei serve`.

Starts `sensei serve` in a child process on a fresh data directory (SQLite unless `--database-url`) and
creates the candidate accounts. Then for each step N: the N candidates arrive spread evenly (seeded jitter)
over `--ramp` seconds, as a class trickles in; each signs in, starts an attempt and loops: read the question,
think a seeded 5-15 s (times `--think-scale`), answer; when no question is left it submits and starts the
next attempt, so all N stay active. Once the last one has signed in, the *measured window* of `--duration`
seconds begins. A share of the candidates (`--coders`) start on a code question instead: they open the
attempt's WebSocket and run their code against the sample tests at most once every `--run-every` seconds,
thinking between runs, then submit it there (both execute code in the sandbox) and go on like the others.

Reported per step: requests and errors per endpoint with p50/p95/p99 latency, for the ramp (sign-ins, starts)
and the measured window; the number of candidates active through the window; the CPU used by the server
and by this load generator (a separate process, one asyncio loop). A step *held* when it had no errors and
every endpoint that does not execute code kept p99 under `--slo-ms` in both phases; the largest N that held
is printed. The load average is printed with each step, because the machine may be shared.

    .venv/bin/python bench/api_load.py [--steps 500,1000,2000] [--ramp 120] [--duration 120] [--workers 1]
        [--database-url postgresql+psycopg://...] [--coders 0.02] [--run-every 60] [--seed 7]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import connect

sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))
from codesensei.bank.model import CodeQuestion, EssayQuestion
from sessions.sample_answers import json_answer, program, sample_questions

PASSWORD = "correct horse battery staple"
PASSWORD_LINE = re.compile(r"one-time password:\s*\n\s*(\S+)\s*\n")
# Endpoints whose requests run code in the sandbox: not held to the latency target.
EXECUTING = frozenset({"WS run (sample tests)", "WS submit (all tests)"})


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    causes: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    def record(self, endpoint: str, seconds: float, ok: bool, cause: str = "") -> None:
        self.latencies[endpoint].append(seconds)
        if not ok:
            self.errors[endpoint] += 1
            self.causes[endpoint][cause] += 1

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


@dataclass
class Phases:
    """Requests that started during the ramp, during the measured window, and after it (not reported)."""

    ramp: Stats = field(default_factory=Stats)
    window: Stats = field(default_factory=Stats)
    window_start: float = float("inf")
    window_end: float = float("inf")
    active: int = 0
    active_at_window_start: int = 0
    least_active_in_window: int | None = None

    def at(self, started: float) -> Stats | None:
        if started < self.window_start:
            return self.ramp
        return self.window if started < self.window_end else None

    def change_active(self, delta: int) -> None:
        self.active += delta
        now = time.monotonic()
        if self.window_start <= now < self.window_end:
            least = self.least_active_in_window
            self.least_active_in_window = self.active if least is None else min(least, self.active)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(data: Path, database_url: str | None, workers: int, redis_url: str | None
          ) -> tuple[subprocess.Popen[bytes], str, str]:
    port = free_port()
    env = {
        **os.environ, "SENSEI_DATA_DIR": str(data), "SENSEI_LOAD_SAMPLE_BANK": "true",
        "SENSEI_STARTER_BANK_DIR": str(data / "no-starter-bank"), "SENSEI_SECRET_KEY": "b" * 40,
        "SENSEI_ACCESS_TOKEN_TTL_S": "7200",
        # The benchmark signs everyone in from one address, and coders run code as often as --run-every says.
        "SENSEI_RATE_LOGIN_PER_MINUTE": "0", "SENSEI_RATE_SUBMIT_PER_MINUTE": "0", "SENSEI_RATE_RUN_PER_MINUTE": "0",
    }
    if database_url:
        env["SENSEI_DATABASE_URL"] = database_url
    if redis_url:
        env["SENSEI_REDIS_URL"] = redis_url
    out = (data / "serve.out").open("w")
    err = (data / "serve.err").open("w")
    command = [sys.executable, "-m", "codesensei.cli.main", "serve", "--port", str(port), "--workers", str(workers),
               "--log-level", "warning", "--no-access-log"]
    process = subprocess.Popen(command, env=env, stdout=out, stderr=err, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while True:
        if process.poll() is not None:
            raise SystemExit((data / "serve.err").read_text())
        try:
            if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit("sensei serve did not start")
        time.sleep(0.2)
    found = PASSWORD_LINE.search((data / "serve.out").read_text())
    if not found:
        raise SystemExit("no administrator password printed: use a fresh data directory")
    return process, url, found.group(1)


def _print_server_errors(path: Path, lines: int = 40) -> None:
    """The end of the server's error log, so a failed step says why."""
    tail = path.read_text(errors="replace").splitlines()[-lines:] if path.exists() else []
    if tail:
        print(f"  last {len(tail)} lines of the server's stderr:")
        for line in tail:
            print(f"    {line}")


def server_cpu_s(pid: int) -> float:
    """CPU seconds of the server process and its worker processes (user + system)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid, *(int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split())]
    for each in pids:
        with contextlib.suppress(FileNotFoundError):
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def own_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def plain_questions() -> list[str]:
    return sorted(q.id for q in sample_questions().values() if not isinstance(q, CodeQuestion | EssayQuestion))


def code_question() -> str:
    return sorted(q.id for q in sample_questions().values() if isinstance(q, CodeQuestion))[0]


def setup(url: str, admin_password: str, users: int, steps: list[int]) -> list[str]:
    """Candidate accounts, and per step one assessment of plain questions and one that opens with code."""
    with httpx.Client(base_url=url, timeout=120) as http:
        token = http.post("/api/auth/login", json={"email": "admin@localhost", "password": admin_password})
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        for n in steps:
            for name, questions in ((f"step-{n}", plain_questions()),
                                    (f"step-{n}-code", [code_question(), *plain_questions()])):
                http.post("/api/assessments", headers=headers, json={
                    "id": name, "title": name, "questions": questions, "access": "public", "duration_minutes": 600,
                    "max_attempts": None, "feedback": {"mode": "immediate"},
                }).raise_for_status()
                http.post(f"/api/assessments/{name}/publish", headers=headers).raise_for_status()
        emails = [f"load-{uuid.uuid4().hex[:10]}@example.com" for _ in range(users)]
        for email in emails:
            http.post("/api/users", headers=headers, json={
                "email": email, "name": "Load", "role": "candidate", "password": PASSWORD,
            }).raise_for_status()
    return emails


class Candidate:
    def __init__(self, url: str, email: str, assessment: str, phases: Phases, rng: random.Random, args: Any,
                 coder: bool) -> None:
        self.url, self.email, self.assessment, self.phases, self.rng = url, email, assessment, phases, rng
        self.args, self.coder = args, coder
        self.http = httpx.AsyncClient(base_url=url, timeout=120)
        self.headers: dict[str, str] = {}
        self.token = ""

    async def think(self) -> None:
        await asyncio.sleep(self.rng.uniform(5.0, 15.0) * self.args.think_scale)

    async def call(self, endpoint: str, method: str, path: str, ok: int = 200, **kwargs: Any) -> Any:
        started = time.monotonic()
        try:
            response = await self.http.request(method, path, headers=self.headers, **kwargs)
        except httpx.HTTPError as exc:
            self.note(endpoint, started, False, type(exc).__name__)
            return None
        self.note(endpoint, started, response.status_code == ok, str(response.status_code))
        return response.json() if response.status_code == ok else None

    def note(self, endpoint: str, started: float, ok: bool, cause: str) -> None:
        stats = self.phases.at(started)
        if stats is not None:
            stats.record(endpoint, time.monotonic() - started, ok, cause)

    async def run(self, arrive_at: float, until: float) -> None:
        await asyncio.sleep(max(0.0, arrive_at - time.monotonic()))
        try:
            tokens = await self.call("POST /api/auth/login", "POST", "/api/auth/login",
                                     json={"email": self.email, "password": PASSWORD})
            if tokens is None:
                return
            self.token = tokens["access_token"]
            self.headers = {"Authorization": f"Bearer {self.token}"}
            self.phases.change_active(+1)
            try:
                assessment = f"{self.assessment}-code" if self.coder else self.assessment
                while time.monotonic() < until:
                    if not await self.sitting(assessment, until):
                        return
                    assessment = self.assessment
            finally:
                self.phases.change_active(-1)
        finally:
            await self.http.aclose()

    async def sitting(self, assessment: str, until: float) -> bool:
        """One attempt: start, answer until no question is left (or time is up), submit. False on an error."""
        started = await self.call("POST /api/assessments/{id}/attempts", "POST",
                                  f"/api/assessments/{assessment}/attempts", ok=201)
        if started is None:
            return False
        attempt = started["attempt_id"]
        while time.monotonic() < until:
            read = await self.call("GET /api/attempts/{id}/question", "GET", f"/api/attempts/{attempt}/question")
            if read is None:
                return False
            if read["question"] is None:
                break
            question_id = read["question"]["question_id"]
            if read["question"]["type"] == "code":
                if not await self.code(attempt, question_id, until):
                    return False
                continue
            await self.think()
            if await self.call("POST /api/attempts/{id}/answer", "POST", f"/api/attempts/{attempt}/answer",
                               json={"answer": json_answer(question_id)}) is None:
                return False
        if time.monotonic() >= until:
            return True
        return await self.call("POST /api/attempts/{id}/submit", "POST", f"/api/attempts/{attempt}/submit") is not None

    async def code(self, attempt: str, question_id: str, until: float) -> bool:
        """Work on a code question over the WebSocket: runs at most once per --run-every, then the submit."""
        ws_url = self.url.replace("http://", "ws://") + f"/ws/attempts/{attempt}"
        source = program(question_id)
        async with connect(ws_url, open_timeout=60, max_size=None) as ws:
            await ws.send(json.dumps({"type": "auth", "token": self.token}))
            ready = json.loads(await ws.recv())
            if ready.get("type") != "ready":
                self.note("WS auth", time.monotonic(), False, str(ready))
                return False
            for _ in range(self.args.runs):
                last_run = time.monotonic()
                if not await self.job(ws, "WS run (sample tests)", {"type": "run", "language": "python",
                                                                   "source": source}):
                    return False
                await self.think()
                # At most one run per --run-every seconds: the rest of the minute goes on thinking.
                await asyncio.sleep(max(0.0, last_run + self.args.run_every - time.monotonic()))
                if time.monotonic() >= until:
                    return True
            return await self.job(ws, "WS submit (all tests)", {"type": "submit", "language": "python",
                                                               "source": source})

    async def job(self, ws: Any, endpoint: str, message: dict[str, Any]) -> bool:
        started = time.monotonic()
        await ws.send(json.dumps(message))
        while True:
            event = json.loads(await ws.recv())
            if event["type"] == "done":
                self.note(endpoint, started, True, "")
                return True
            if event["type"] == "error":
                self.note(endpoint, started, False, event.get("code", "error"))
                return False


async def step(url: str, emails: list[str], n: int, args: Any) -> tuple[Phases, dict[str, float]]:
    phases = Phases()
    rng = random.Random(args.seed * 1_000_003 + n)
    start = time.monotonic() + 1.0
    arrivals = sorted(start + args.ramp * (i + rng.random()) / n for i in range(n))
    # The window opens once every candidate has had time to sign in and start after the last arrival.
    phases.window_start = arrivals[-1] + args.settle
    phases.window_end = phases.window_start + args.duration
    coders = set(rng.sample(range(n), round(n * args.coders)))
    candidates = [
        Candidate(url, email, f"step-{n}", phases, random.Random(args.seed * 100_003 + i), args, i in coders)
        for i, email in enumerate(emails[:n])
    ]

    async def open_window() -> dict[str, float]:
        await asyncio.sleep(max(0.0, phases.window_start - time.monotonic()))
        phases.active_at_window_start = phases.least_active_in_window = phases.active
        cpu = {"server": server_cpu_s(args.server_pid), "generator": own_cpu_s(), "wall": time.monotonic()}
        await asyncio.sleep(max(0.0, phases.window_end - time.monotonic()))
        return {
            "server": server_cpu_s(args.server_pid) - cpu["server"],
            "generator": own_cpu_s() - cpu["generator"],
            "wall": time.monotonic() - cpu["wall"],
        }

    window = asyncio.create_task(open_window())
    await asyncio.gather(*(c.run(at, phases.window_end) for c, at in zip(candidates, arrivals, strict=True)))
    return phases, await window


def report(label: str, stats: Stats, seconds: float) -> bool:
    """Print one phase's table; True if no errors and every non-executing endpoint kept p99 under the SLO."""
    print(f"  {label}: {stats.requests} requests in {seconds:.0f} s = {stats.requests / max(seconds, 1e-9):.1f} req/s,"
          f" {stats.error_count} errors")
    print(f"    {'endpoint':40} {'n':>7} {'err':>4} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    held = stats.error_count == 0
    for endpoint, values in sorted(stats.latencies.items()):
        p50, p95, p99 = (percentile(values, q) * 1000 for q in (50, 95, 99))
        executes = endpoint in EXECUTING
        if not executes and p99 > ARGS.slo_ms:
            held = False
        mark = " (executes code)" if executes else ""
        print(f"    {endpoint:40} {len(values):>7} {stats.errors[endpoint]:>4} {p50:>8.1f} {p95:>8.1f} {p99:>8.1f}{mark}")
        if stats.causes[endpoint]:
            print(f"      errors: {dict(stats.causes[endpoint])}")
    return held


ARGS: Any = None


def main() -> None:
    global ARGS  # noqa: PLW0603 - the parsed command line, read by report()
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--steps", default="500,1000,2000", help="numbers of concurrent candidates, comma-separated")
    parser.add_argument("--ramp", type=float, default=120.0, help="seconds over which a step's candidates arrive")
    parser.add_argument("--settle", type=float, default=10.0, help="seconds after the last arrival before measuring")
    parser.add_argument("--duration", type=float, default=120.0, help="seconds of the measured window")
    parser.add_argument("--think-scale", type=float, default=1.0, help="multiplies the 5-15 s think times")
    parser.add_argument("--slo-ms", type=float, default=250.0, help="p99 every non-executing endpoint must stay under")
    parser.add_argument("--coders", type=float, default=0.02, help="share of candidates that start on a code question")
    parser.add_argument("--run-every", type=float, default=60.0, help="a coder runs code at most once per this many s")
    parser.add_argument("--runs", type=int, default=3, help="runs a coder makes before submitting the code")
    parser.add_argument("--workers", type=int, default=1, help="`sensei serve --workers`")
    parser.add_argument("--redis-url", default=None, help="SENSEI_REDIS_URL for the server (for --workers > 1)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default: SQLite in a temp dir)")
    ARGS = args = parser.parse_args()
    steps = [int(n) for n in args.steps.split(",")]
    print("command:", " ".join([Path(sys.executable).name, *sys.argv]))
    print(f"database: {args.database_url or 'SQLite (WAL)'}; server: sensei serve --workers {args.workers}; "
          f"arrivals ramp over {args.ramp:.0f} s, then a {args.duration:.0f} s measured window")
    with contextlib.suppress(ImportError):
        import uvloop  # the client's own loop is cheaper on uvloop, leaving more CPU to the server

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    # Each candidate holds a connection, and the server one per candidate: make room for both ends.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))

    with tempfile.TemporaryDirectory(prefix="sensei-load-") as tmp:
        process, url, admin_password = serve(Path(tmp), args.database_url, args.workers, args.redis_url)
        args.server_pid = process.pid
        try:
            emails = setup(url, admin_password, max(steps), steps)
            held: int | None = None
            for n in steps:
                phases, cpu = asyncio.run(step(url, emails, n, args))
                load1, load5, _ = os.getloadavg()
                print(f"\nN={n} (load average {load1:.2f} / {load5:.2f}; candidates active through the window: "
                      f"{phases.least_active_in_window} of {n})")
                ramp_ok = report("ramp (arrivals, sign-ins, first answers)", phases.ramp, args.ramp + args.settle)
                window_ok = report("measured window", phases.window, cpu["wall"])
                print(f"  CPU in the window: server {cpu['server'] / cpu['wall']:.2f} cores, "
                      f"load generator {cpu['generator'] / cpu['wall']:.2f} cores (of {os.cpu_count()})")
                everyone = (phases.least_active_in_window or 0) >= n
                ok = ramp_ok and window_ok and everyone
                print(f"  held: {'yes' if ok else 'no'} (p99 SLO {args.slo_ms:.0f} ms on endpoints that do not "
                      f"execute code, no errors, all {n} active)")
                if ok:
                    held = n
                elif phases.ramp.error_count or phases.window.error_count:
                    _print_server_errors(Path(tmp) / "serve.err")
            print(f"\nlargest N that held: {held if held is not None else 'none'}")
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=60)


if __name__ == "__main__":
    main()
