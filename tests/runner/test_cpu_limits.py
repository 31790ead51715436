"""Time limits are decided on CPU time: a busy machine must not turn an accepted solution into a time-out.

The box is pinned to one core together with a busy process of our own (trusted code, on the host), so the
solution gets about half of that core: it needs more wall-clock time than its CPU limit while its CPU time
stays well inside it (and its wall time well inside the backstop of 3 × CPU + 1 s). A program that spins is
still stopped once its CPU time runs out.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from codesensei.bank.model import CodeAnswer, CodeQuestion
from codesensei.runner.judge import judge

pytestmark = [pytest.mark.sandbox, pytest.mark.slow]

BURN = {
    # About 0.7 s of CPU time, measured by the program itself, then the answer.
    "javascript": "const s = process.cpuUsage();\n"
    "while (true) { const u = process.cpuUsage(s); if (u.user + u.system > 700000) break; }\n"
    "console.log('done');\n",
    "python": "import time\ns = time.process_time()\nwhile time.process_time() - s < 0.7:\n    pass\nprint('done')\n",
}
SPIN = {"javascript": "for (;;) {}\n", "python": "while True:\n    pass\n"}


def question() -> CodeQuestion:
    return CodeQuestion.model_validate(
        {
            "id": "burn",
            "type": "code",
            "title": "Burn",
            "text": "burn",
            "languages": ["python", "javascript"],
            "limits": {"time_s": 1},
            "tests": [{"name": "t", "kind": "stdio", "input": "", "expected": "done", "visibility": "sample"}],
        }
    )


@contextmanager
def busy_core(hogs: int = 1) -> Iterator[None]:
    """Pin this thread to one core (the boxes it starts inherit that) and keep the core busy."""
    saved = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(saved)})
    procs = [subprocess.Popen([sys.executable, "-c", "while True:\n    pass\n"]) for _ in range(hogs)]
    try:
        yield
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()
        os.sched_setaffinity(0, saved)


@pytest.mark.parametrize("language", ["javascript", "python"])
def test_cpu_time_decides_on_a_busy_core(language: str) -> None:
    # Two hogs leave the box about a third of the core: its wall time is then well past the limit (a single
    # hog sometimes left it just under, when the scheduler favoured the box).
    with busy_core(hogs=2):
        accepted = judge(question(), CodeAnswer(language=language, source=BURN[language]))
        spin = judge(question(), CodeAnswer(language=language, source=SPIN[language]))
    test = accepted.tests[0]
    assert accepted.verdict == "accepted", accepted.to_json()
    assert test.time_ms < 1000, accepted.to_json()
    # The point of the test: it took longer than its limit by the clock, on a shared core.
    assert test.wall_ms > 1000, f"the core was not busy enough to test anything: {accepted.to_json()}"
    assert spin.verdict == "time_limit_exceeded", spin.to_json()
    # Stopped for its CPU time (near the limit; /proc and rusage round differently), not its wall clock.
    assert spin.tests[0].time_ms > 800, spin.to_json()
