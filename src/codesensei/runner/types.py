"""The runner's contract: limits, the result of one run, per-test results, the judge report and its events.

These are plain dataclasses with `to_json()` so the CLI, the API and the WebSocket stream share one shape
(see `shared/design.md`, "The runner contract").
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar, Literal

RunStatus = Literal[
    "ok",
    "runtime_error",
    "time_limit_exceeded",
    "memory_limit_exceeded",
    "output_limit_exceeded",
    "compile_error",
    "internal_error",
]
Verdict = Literal[
    "accepted",
    "wrong_answer",
    "time_limit_exceeded",
    "memory_limit_exceeded",
    "runtime_error",
    "output_limit_exceeded",
    "compile_error",
    "internal_error",
]


def wall_limit_for(cpu_time_s: float) -> float:
    """Time limits are decided on CPU time; the wall limit only catches sleepers and blocked programs."""
    return 3.0 * cpu_time_s + 1.0


@dataclass(frozen=True)
class RunLimits:
    cpu_time_s: float = 2.0
    memory_mb: int = 256
    processes: int = 64
    output_bytes: int = 1024 * 1024
    file_size_bytes: int = 16 * 1024 * 1024
    open_files: int = 64
    tmpfs_mb: int = 64

    @property
    def wall_time_s(self) -> float:
        return wall_limit_for(self.cpu_time_s)


@dataclass
class RunResult:
    status: RunStatus
    exit_code: int | None = None
    signal: int | None = None
    stdout: str = ""
    stderr: str = ""
    compile_output: str = ""
    time_ms: float = 0.0
    wall_ms: float = 0.0
    memory_kb: int = 0
    truncated: bool = False
    message: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class TestResult:
    __test__: ClassVar[bool] = False  # a result, not a pytest test class
    name: str
    visibility: Literal["sample", "hidden"]
    verdict: Verdict
    weight: float = 1.0
    time_ms: float = 0.0
    wall_ms: float = 0.0
    memory_kb: int = 0
    message: str = ""
    # Filled only for `sample` tests: hidden tests never expose what they fed or expected.
    stdout: str | None = None
    stderr: str | None = None
    expected: str | None = None
    diff: str | None = None

    @property
    def passed(self) -> bool:
        return self.verdict == "accepted"

    def to_json(self) -> dict[str, Any]:
        # Every field is a plain value: a shallow copy is what `asdict` (a deep copy, a millisecond per
        # submission) would make, for each test event and again for the report.
        data = dict(self.__dict__)
        if self.visibility != "sample":
            for key in ("stdout", "stderr", "expected", "diff"):
                data.pop(key)
        return data


@dataclass
class JudgeReport:
    verdict: Verdict
    passed: int
    total: int
    score: float
    tests: list[TestResult] = field(default_factory=list)
    time_ms: float = 0.0
    memory_kb: int = 0
    compile_output: str = ""
    message: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "passed": self.passed,
            "total": self.total,
            "score": self.score,
            "tests": [t.to_json() for t in self.tests],
            "time_ms": self.time_ms,
            "memory_kb": self.memory_kb,
            "compile_output": self.compile_output,
            "message": self.message,
        }
