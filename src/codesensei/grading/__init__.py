"""Graders: one pure function per question type, partial credit, rubrics and output checkers."""

from codesensei.grading.code import ExecutedTest, TestOutcome, check_source, grade_code
from codesensei.grading.dispatch import grade
from codesensei.grading.result import CriterionScore, GradeResult, InvalidAnswer, InvalidQuestion
from codesensei.grading.rubric import KeywordRubricScorer, RubricScorer

__all__ = [
    "CriterionScore",
    "ExecutedTest",
    "GradeResult",
    "InvalidAnswer",
    "InvalidQuestion",
    "KeywordRubricScorer",
    "RubricScorer",
    "TestOutcome",
    "check_source",
    "grade",
    "grade_code",
]
