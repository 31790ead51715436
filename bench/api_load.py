"""API load benchmark: simulated candidates taking an assessment against `sensei serve`.

Starts `sensei serve` in a child process on a fresh data directory (SQLite unless `--database-url`), creates
candidate accounts, then for each step N runs N candidates at once for `--duration` seconds. A candidate
signs in once, starts an attempt of the step's assessment and loops: read the question, think for a seeded
5–15 s (times `--think-scale`), answer. Reported per step and endpoint: requests, errors, p50/p95/p99
latency, and throughput. A step *held* if under 1% of its requests failed and the answer p95 stayed under
`--slo-ms`; the largest N that held is printed. The baseline is the same flow by one candidate with no think
time, measured first in the same run on the same server, so each step's p50 is shown against it.

Non-code questions only: this measures the API and the database, not the sandbox (see bench/runner.py).

    .venv/bin/python bench/api_load.py [--steps 10,50,100] [--duration 60] [--think-scale 1.0] [--seed 7]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
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

sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))
from codesensei.bank.model import CodeQuestion, EssayQuestion
from sessions.sample_answers import json_answer, sample_questions

PASSWORD = "correct horse battery staple"
PASSWORD_LINE = re.compile(r"one-time password:\s*\n\s*(\S+)\s*\n")


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # Why requests failed: HTTP status or the transport error's name, per endpoint.
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


def serve(data: Path, database_url: str | None) -> tuple[subprocess.Popen[bytes], str, str]:
    port = free_port()
    env = {
        **os.environ, "SENSEI_DATA_DIR": str(data), "SENSEI_LOAD_SAMPLE_BANK": "true",
        "SENSEI_STARTER_BANK_DIR": str(data / "no-starter-bank"), "SENSEI_SECRET_KEY": "b" * 40,
        "SENSEI_ACCESS_TOKEN_TTL_S": "7200",
        # The benchmark signs everyone in from one address and answers as fast as it likes.
        "SENSEI_RATE_LOGIN_PER_MINUTE": "0", "SENSEI_RATE_SUBMIT_PER_MINUTE": "0",
    }
    if database_url:
        env["SENSEI_DATABASE_URL"] = database_url
    out = (data / "serve.out").open("w")
    err = (data / "serve.err").open("w")
    process = subprocess.Popen([sys.executable, "-m", "codesensei.cli.main", "serve", "--port", str(port)],
                               env=env, stdout=out, stderr=err)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
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


def questions() -> list[str]:
    return sorted(q.id for q in sample_questions().values() if not isinstance(q, CodeQuestion | EssayQuestion))


def setup(url: str, admin_password: str, users: int, steps: list[int]) -> list[str]:
    """Candidate accounts and one published assessment per step (and one for the baseline)."""
    with httpx.Client(base_url=url, timeout=60) as http:
        token = http.post("/api/auth/login", json={"email": "admin@localhost", "password": admin_password})
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        for name in ["baseline", *(f"step-{n}" for n in steps)]:
            http.post("/api/assessments", headers=headers, json={
                "id": name, "title": name, "questions": questions(), "access": "public", "duration_minutes": 600,
            }).raise_for_status()
            http.post(f"/api/assessments/{name}/publish", headers=headers).raise_for_status()
        emails = [f"load-{uuid.uuid4().hex[:10]}@example.com" for _ in range(users)]
        for email in emails:
            http.post("/api/users", headers=headers, json={
                "email": email, "name": "Load", "role": "candidate", "password": PASSWORD,
            }).raise_for_status()
    return emails


async def timed(http: httpx.AsyncClient, stats: Stats, endpoint: str, method: str, path: str,
                **kwargs: Any) -> httpx.Response | None:
    started = time.perf_counter()
    try:
        response = await http.request(method, path, **kwargs)
    except httpx.HTTPError as exc:
        stats.record(endpoint, time.perf_counter() - started, ok=False, cause=type(exc).__name__)
        return None
    stats.record(endpoint, time.perf_counter() - started, ok=response.status_code < 400,
                 cause=str(response.status_code))
    return response


async def candidate(url: str, email: str, assessment: str, stats: Stats, rng: random.Random, until: float,
                    think_scale: float) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        signed_in = await timed(http, stats, "POST /api/auth/login", "POST", "/api/auth/login",
                                json={"email": email, "password": PASSWORD})
        if signed_in is None or signed_in.status_code != 200:
            return
        headers = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
        started = await timed(http, stats, "POST /api/assessments/{id}/attempts", "POST",
                              f"/api/assessments/{assessment}/attempts", headers=headers)
        if started is None or started.status_code != 201:
            return
        attempt = started.json()["attempt_id"]
        while time.monotonic() < until:
            read = await timed(http, stats, "GET /api/attempts/{id}/question", "GET",
                               f"/api/attempts/{attempt}/question", headers=headers)
            if read is None or read.status_code != 200 or read.json()["question"] is None:
                return
            await asyncio.sleep(rng.uniform(5.0, 15.0) * think_scale)
            question_id = read.json()["question"]["question_id"]
            await timed(http, stats, "POST /api/attempts/{id}/answer", "POST", f"/api/attempts/{attempt}/answer",
                        headers=headers, json={"answer": json_answer(question_id)})


async def step(url: str, emails: list[str], assessment: str, seconds: float, seed: int,
               think_scale: float) -> tuple[Stats, float]:
    stats = Stats()
    until = time.monotonic() + seconds
    started = time.perf_counter()
    await asyncio.gather(*(
        candidate(url, email, assessment, stats, random.Random(seed * 100_003 + i), until, think_scale)
        for i, email in enumerate(emails)
    ))
    return stats, time.perf_counter() - started


def report(label: str, stats: Stats, elapsed: float, baseline: Stats | None) -> None:
    print(f"\n{label}: {stats.requests} requests in {elapsed:.1f} s = {stats.requests / elapsed:.1f} req/s, "
          f"{stats.error_count} errors")
    print(f"  {'endpoint':42} {'n':>6} {'err':>4} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'p50 vs base':>12}")
    for endpoint, values in sorted(stats.latencies.items()):
        p50, p95, p99 = (percentile(values, q) * 1000 for q in (50, 95, 99))
        base = baseline.latencies.get(endpoint) if baseline else None
        versus = f"{p50 / (percentile(base, 50) * 1000):.2f}x" if base else "-"
        print(f"  {endpoint:42} {len(values):>6} {stats.errors[endpoint]:>4} {p50:>8.1f} {p95:>8.1f} {p99:>8.1f}"
              f" {versus:>12}")
        if stats.causes[endpoint]:
            print(f"    errors: {dict(stats.causes[endpoint])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", default="10,50,100", help="numbers of concurrent candidates, comma-separated")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per step")
    parser.add_argument("--think-scale", type=float, default=1.0, help="multiplies the 5-15 s think times")
    parser.add_argument("--slo-ms", type=float, default=1000.0, help="answer p95 a step must stay under")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default: SQLite in a temp dir)")
    args = parser.parse_args()
    steps = [int(n) for n in args.steps.split(",")]
    print("command:", " ".join([Path(sys.executable).name, *sys.argv]))

    with tempfile.TemporaryDirectory(prefix="sensei-load-") as tmp:
        process, url, admin_password = serve(Path(tmp), args.database_url)
        try:
            emails = setup(url, admin_password, max(steps) + 1, steps)
            baseline, elapsed = asyncio.run(step(url, emails[:1], "baseline", args.duration / 4, args.seed, 0.0))
            report("baseline (1 candidate, no think time)", baseline, elapsed, None)
            held: int | None = None
            for n in steps:
                stats, elapsed = asyncio.run(
                    step(url, emails[1:n + 1], f"step-{n}", args.duration, args.seed, args.think_scale)
                )
                report(f"N={n}", stats, elapsed, baseline)
                answers = stats.latencies.get("POST /api/attempts/{id}/answer", [])
                p95 = percentile(answers, 95) * 1000 if answers else float("inf")
                ok = stats.error_count <= 0.01 * max(1, stats.requests) and p95 < args.slo_ms
                print(f"  held: {'yes' if ok else 'no'} (errors {stats.error_count}/{stats.requests}, "
                      f"answer p95 {p95:.0f} ms, SLO {args.slo_ms:.0f} ms)")
                if ok:
                    held = n
            print(f"\nlargest N that held: {held if held is not None else 'none'}")
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
