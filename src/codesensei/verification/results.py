"""What verification reports: one result per check, and the run's totals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

CheckStatus = Literal["pass", "fail", "skip"]


@dataclass(frozen=True)
class Outcome:
    """A check's verdict before it is labelled with its question and timing."""

    status: CheckStatus
    detail: str = ""


def passed(detail: str = "") -> Outcome:
    return Outcome("pass", detail)


def failed(detail: str) -> Outcome:
    return Outcome("fail", detail)


def skipped(detail: str) -> Outcome:
    return Outcome("skip", detail)


@dataclass(frozen=True)
class CheckResult:
    question: str
    check: str
    status: CheckStatus
    detail: str = ""
    seconds: float = 0.0
    source: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "check": self.check,
            "status": self.status,
            "detail": self.detail,
            "seconds": round(self.seconds, 3),
            "source": self.source,
        }


@dataclass(frozen=True)
class VerifyReport:
    checks: list[CheckResult]
    questions: int
    seconds: float

    def count(self, status: CheckStatus) -> int:
        return sum(1 for check in self.checks if check.status == status)

    @property
    def ok(self) -> bool:
        return self.count("fail") == 0

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "questions": self.questions,
            "checks": len(self.checks),
            "passed": self.count("pass"),
            "failed": self.count("fail"),
            "skipped": self.count("skip"),
            "seconds": round(self.seconds, 3),
            "results": [check.to_json() for check in self.checks],
        }
