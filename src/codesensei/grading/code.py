"""The code grader: combines the runner's per-test outcomes with `source` checks evaluated on the text.

Grading never imports the runner: executed tests arrive as anything shaped like `TestOutcome` (the
runner's `TestResult` is), and `source` tests (`contains`, `not_contains`, `regex`) are checked here
on the submitted text without running it. The score is the weighted share of passed tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from codesensei.bank.model import CodeQuestion, SourceTest
from codesensei.grading.result import CriterionScore, GradeResult, criterion, scored
from codesensei.grading.text import compiled_pattern

# The largest program a candidate can submit (`CodeAnswer.source`); longer text is not pattern-matched.
MAX_SOURCE_CHARS = 65_536


class TestOutcome(Protocol):
    """One executed test as the runner reports it."""

    @property
    def name(self) -> str: ...

    @property
    def weight(self) -> float: ...

    @property
    def passed(self) -> bool: ...


@dataclass(frozen=True)
class ExecutedTest:
    """A plain `TestOutcome`, for callers that do not hold the runner's own result objects."""

    name: str
    weight: float
    passed: bool


def check_source(test: SourceTest, source: str) -> bool:
    """Whether the submitted text passes one `source` test; nothing is executed."""
    if test.check == "regex":
        pattern = compiled_pattern(test.expected, test.case_sensitive)
        return len(source) <= MAX_SOURCE_CHARS and pattern.search(source) is not None
    expected, text = test.expected, source
    if not test.case_sensitive:
        expected, text = expected.casefold(), text.casefold()
    found = expected in text
    return found if test.check == "contains" else not found


def grade_code(question: CodeQuestion, source: str, executed: Sequence[TestOutcome]) -> GradeResult:
    """Grade a submission from its executed outcomes plus the question's `source` tests.

    An executed test of the question with no outcome counts as failed ("not run"), so a crashed or
    cut-short judge run can never raise the score.
    """
    reported = {outcome.name for outcome in executed}
    results: list[tuple[str, float, bool, str]] = [
        (o.name, o.weight, o.passed, "passed" if o.passed else "failed") for o in executed
    ]
    results += [(t.name, t.weight, False, "not run") for t in question.executed_tests if t.name not in reported]
    for test in question.source_tests:
        passed = check_source(test, source)
        results.append((test.name, test.weight, passed, "passed" if passed else "failed"))

    # Guards against a runner reporting zero weights; question tests always weigh more than 0.
    total_weight = sum(weight for _, weight, _, _ in results) or 1.0
    passed_weight = sum(weight for _, weight, passed, _ in results if passed)
    criteria: tuple[CriterionScore, ...] = tuple(
        criterion(name, 1.0 if passed else 0.0, question.points * weight / total_weight, feedback)
        for name, weight, passed, feedback in results
    )
    passed_count = sum(1 for _, _, passed, _ in results if passed)
    fraction = passed_weight / total_weight
    if passed_count == len(results):
        fraction = 1.0
    feedback = f"Passed {passed_count} of {len(results)} tests."
    return scored(fraction, question.points, question.partial_credit, feedback, criteria)
