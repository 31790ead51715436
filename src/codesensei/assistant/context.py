"""What the assistant may know about a candidate's situation, built only from what the candidate may see.

The context is assembled from the candidate's view of the question (no key, hidden tests or
solutions), the candidate's own code, the candidate-visible part of the last run (hidden tests keep
only their name and verdict) and the attempt's state. Whatever reaches a model is rendered from this
object alone, so a secret cannot leak into a prompt: it is never in here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from codesensei.runner.types import JudgeReport
from codesensei.sessions.view import CandidateView

RequestKind = Literal["explain", "debug", "hint", "review", "chat"]
REQUEST_KINDS: tuple[str, ...] = ("explain", "debug", "hint", "review", "chat")


@dataclass(frozen=True)
class VisibleTest:
    """One test of the last run, as the candidate saw it; input and output only for sample tests."""

    name: str
    visibility: Literal["sample", "hidden"]
    verdict: str
    message: str = ""
    input: str | None = None
    expected: str | None = None
    actual: str | None = None
    stderr: str | None = None

    @property
    def passed(self) -> bool:
        return self.verdict == "accepted"


@dataclass(frozen=True)
class VisibleRun:
    verdict: str
    passed: int
    total: int
    tests: tuple[VisibleTest, ...]
    compile_output: str = ""


def _sample_input(view: CandidateView, name: str) -> str | None:
    for sample in view.body.get("sample_tests", []):
        if sample.get("name") == name:
            if "input" in sample:
                return str(sample["input"])
            return json.dumps(sample.get("args", []))
    return None


def visible_run(report: JudgeReport, view: CandidateView) -> VisibleRun:
    """The candidate-visible part of a judge report: hidden tests are reduced to name and verdict."""
    tests = []
    for test in report.tests:
        if test.visibility == "sample":
            tests.append(
                VisibleTest(
                    name=test.name,
                    visibility="sample",
                    verdict=test.verdict,
                    message=test.message,
                    input=_sample_input(view, test.name),
                    expected=test.expected,
                    actual=test.stdout,
                    stderr=test.stderr,
                )
            )
        else:
            # The judge's message for a hidden test says at most where the output first differs.
            tests.append(VisibleTest(name=test.name, visibility="hidden", verdict=test.verdict, message=test.message))
    return VisibleRun(report.verdict, report.passed, report.total, tuple(tests), report.compile_output)


@dataclass(frozen=True)
class AssistantContext:
    question: CandidateView
    code: str = ""
    language: str | None = None
    last_run: VisibleRun | None = None
    hints_shown: tuple[str, ...] = ()
    remaining_s: float | None = None
    submitted: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AssistantRequest:
    kind: RequestKind
    message: str = ""
    # The next rung of the hint ladder, handed over by the service only when the policy allows a hint.
    next_hint: str | None = None
