"""The one entry point for grading an answer: `grade` picks the grader for the question's type."""

from __future__ import annotations

from collections.abc import Mapping

from codesensei.bank.model import (
    AnyQuestion,
    CodeAnswer,
    CodeQuestion,
    EssayQuestion,
    FillBlankQuestion,
    MatchingQuestion,
    McqMultiQuestion,
    McqQuestion,
    OrderingQuestion,
    ShortAnswerQuestion,
    TrueFalseQuestion,
)
from codesensei.grading.choice import grade_mcq, grade_mcq_multi, grade_true_false
from codesensei.grading.code import grade_code
from codesensei.grading.result import GradeResult, InvalidAnswer
from codesensei.grading.rubric import RubricScorer, grade_essay, grade_short_answer
from codesensei.grading.structured import grade_fill_blank, grade_matching, grade_ordering


def grade(question: AnyQuestion, answer: object, scorer: RubricScorer | None = None) -> GradeResult:
    """Grade `answer` to `question`; `scorer` replaces the keyword rubric scorer for text answers.

    Code questions whose tests are all `source` checks are graded here from the submitted text; code
    questions with executed tests need the runner's outcomes and go through `grade_code`.
    """
    if isinstance(question, McqQuestion):
        return grade_mcq(question, answer)
    if isinstance(question, McqMultiQuestion):
        return grade_mcq_multi(question, answer)
    if isinstance(question, TrueFalseQuestion):
        return grade_true_false(question, answer)
    if isinstance(question, ShortAnswerQuestion):
        return grade_short_answer(question, answer, scorer)
    if isinstance(question, FillBlankQuestion):
        return grade_fill_blank(question, answer)
    if isinstance(question, MatchingQuestion):
        return grade_matching(question, answer)
    if isinstance(question, OrderingQuestion):
        return grade_ordering(question, answer)
    if isinstance(question, EssayQuestion):
        return grade_essay(question, answer, scorer)
    return _grade_source_only(question, answer)


def _grade_source_only(question: CodeQuestion, answer: object) -> GradeResult:
    if question.executed_tests:
        raise InvalidAnswer(
            f"question {question.id!r} has executed tests: judge the program and grade it with grade_code"
        )
    if isinstance(answer, CodeAnswer):
        return grade_code(question, answer.source, [])
    if isinstance(answer, Mapping) and isinstance(answer.get("source"), str):
        return grade_code(question, answer["source"], [])
    if isinstance(answer, str):
        return grade_code(question, answer, [])
    raise InvalidAnswer(f"expected the program text or {{language, source}}, got {type(answer).__name__}")
