"""`POST /api/questions/verify`: a question (a draft or a stored one) in, the checks of `sensei bank verify` out."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, model_validator

from codesensei.bank.model import Question
from codesensei.runner.types import TestResult
from codesensei.verification.results import CheckStatus
from codesensei.verification.verify import QuestionCheck

CheckOutcome = Literal["passed", "failed", "skipped"]
_OUTCOMES: dict[CheckStatus, CheckOutcome] = {"pass": "passed", "fail": "failed", "skip": "skipped"}


class VerifyRequest(BaseModel):
    """Exactly one of `question` (an unsaved draft, in the bank file's model) and `question_id` (a stored one)."""

    question: Question | None = Field(default=None, description="a question as a bank file holds it")
    question_id: str | None = Field(default=None, min_length=1, max_length=200, description="a question in the bank")

    @model_validator(mode="after")
    def _exactly_one(self) -> VerifyRequest:
        if (self.question is None) == (self.question_id is None):
            raise ValueError("give either `question` (a draft) or `question_id` (a stored question), not both")
        return self


class VerifyTestOut(BaseModel):
    """One test as the judge ran it. Author-only: hidden tests are named and timed here, never for candidates."""

    name: str
    visibility: Literal["sample", "hidden"]
    verdict: str
    passed: bool
    weight: float
    time_ms: float = Field(description="CPU time")
    wall_ms: float
    memory_kb: int = Field(description="peak memory")
    message: str

    @classmethod
    def of(cls, test: TestResult) -> VerifyTestOut:
        return cls(
            name=test.name, visibility=test.visibility, verdict=test.verdict, passed=test.passed, weight=test.weight,
            time_ms=round(test.time_ms, 3), wall_ms=round(test.wall_ms, 3), memory_kb=test.memory_kb,
            message=test.message,
        )


class VerifyCheckOut(BaseModel):
    check: str = Field(description="`key`, `solutions`, `generate`, or a solution: `accepted python`, `wrong java #2`")
    outcome: CheckOutcome
    detail: str
    seconds: float
    tests: list[VerifyTestOut] = Field(description="per-test verdicts of the solution's judging; empty otherwise")

    @classmethod
    def of(cls, check: QuestionCheck) -> VerifyCheckOut:
        result = check.result
        return cls(
            check=result.check, outcome=_OUTCOMES[result.status], detail=result.detail,
            seconds=round(result.seconds, 3), tests=[VerifyTestOut.of(t) for t in check.tests],
        )


class VerifyReportOut(BaseModel):
    question_id: str
    ok: bool = Field(description="no check failed")
    passed: int
    failed: int
    skipped: int
    seconds: float
    checks: list[VerifyCheckOut]

    @classmethod
    def of(cls, question_id: str, checks: list[QuestionCheck], seconds: float) -> VerifyReportOut:
        out = [VerifyCheckOut.of(c) for c in checks]
        counts = {outcome: sum(1 for c in out if c.outcome == outcome) for outcome in ("passed", "failed", "skipped")}
        return cls(
            question_id=question_id, ok=counts["failed"] == 0, passed=counts["passed"], failed=counts["failed"],
            skipped=counts["skipped"], seconds=round(seconds, 3), checks=out,
        )
