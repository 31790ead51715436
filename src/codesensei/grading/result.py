"""What a grader returns (`GradeResult`, `CriterionScore`) and the typed errors grading raises.

Every grader turns its own measure into a fraction of the question's points through `scored`, so
clamping, rounding and the `partial_credit: false` rule live in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from codesensei.errors import SenseiError

# Rounding keeps sums of per-criterion shares from drifting a few ulps away from the maximum.
_DECIMALS = 9


class InvalidAnswer(SenseiError):
    """The answer has the wrong shape for its question type; the message names what was expected."""

    code = "invalid_answer"
    http_status = 422


class InvalidQuestion(SenseiError):
    """The question cannot be graded safely as written (for example a regular expression that is too long)."""

    code = "invalid_question"
    http_status = 422


@dataclass(frozen=True)
class CriterionScore:
    """One part of a grade: a rubric criterion, a blank, a pair or a test."""

    name: str
    points_earned: float
    points_possible: float
    feedback: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "points_earned": self.points_earned,
            "points_possible": self.points_possible,
            "feedback": self.feedback,
        }


@dataclass(frozen=True)
class GradeResult:
    """The grade of one answer; `needs_review` marks answers a human or the AI grader still has to score."""

    points_earned: float
    points_possible: float
    correct: bool
    feedback: str
    criteria: tuple[CriterionScore, ...] = ()
    needs_review: bool = False

    @property
    def fraction(self) -> float:
        return self.points_earned / self.points_possible if self.points_possible else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "points_earned": self.points_earned,
            "points_possible": self.points_possible,
            "correct": self.correct,
            "feedback": self.feedback,
            "criteria": [c.to_json() for c in self.criteria],
            "needs_review": self.needs_review,
        }


def points_for(fraction: float, points: float) -> float:
    """`fraction` of `points`, clamped to [0, points] and rounded so a full share is exactly `points`."""
    if fraction >= 1.0:
        return points
    earned = round(max(0.0, min(1.0, fraction)) * points, _DECIMALS)
    return max(0.0, min(points, earned))


def scored(
    fraction: float,
    points: float,
    partial_credit: bool,
    feedback: str,
    criteria: tuple[CriterionScore, ...] = (),
) -> GradeResult:
    """Build a grade from a fraction in [0, 1]; without partial credit anything short of full marks is 0."""
    earned = points_for(fraction, points)
    correct = earned >= points
    if not partial_credit and not correct:
        earned = 0.0
    return GradeResult(
        points_earned=earned,
        points_possible=points,
        correct=correct,
        feedback=feedback,
        criteria=criteria,
    )


def awaiting_review(points: float, feedback: str, criteria: tuple[CriterionScore, ...] = ()) -> GradeResult:
    """A provisional zero for answers graded later by a person or the AI grader."""
    return GradeResult(
        points_earned=0.0,
        points_possible=points,
        correct=False,
        feedback=feedback,
        criteria=criteria,
        needs_review=True,
    )


def criterion(name: str, fraction: float, share_points: float, feedback: str) -> CriterionScore:
    """A criterion worth `share_points`, of which `fraction` was earned."""
    return CriterionScore(name, points_for(fraction, share_points), share_points, feedback)
