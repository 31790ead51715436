"""Grade a non-code question's own key with its own grader: the key must earn full marks.

A key that is not itself an answer (a regular expression, a reviewer's rubric) cannot be graded; such keys
are skipped with the reason, except a manually graded essay without a model answer, which leaves a reviewer
nothing to grade against and fails.
"""

from __future__ import annotations

import re

from codesensei.bank.model import (
    AnyQuestion,
    Blank,
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
from codesensei.grading import GradeResult, InvalidAnswer, InvalidQuestion, grade
from codesensei.verification.results import Outcome, failed, passed, skipped


class _Unprovable(Exception):
    """The key holds no answer that can be graded; the message says why."""


def _literal(pattern: str, case_sensitive: bool) -> str | None:
    """A regex key usable as its own answer: one that matches its own text (`O\\(n\\)` does not, `cat` does)."""
    try:
        compiled = re.compile(pattern, 0 if case_sensitive else re.IGNORECASE)
    except re.error:
        return None
    return pattern if compiled.fullmatch(pattern) else None


def _blank_answer(number: int, blank: Blank) -> str:
    if blank.match == "contains":
        return " ".join(blank.accepted)
    if blank.match == "regex":
        found = next((p for p in blank.accepted if _literal(p, blank.case_sensitive)), None)
        if found is None:
            raise _Unprovable(f"blank {number} is keyed by a pattern, not an answer")
        return found
    return blank.accepted[0]


def key_answers(question: AnyQuestion) -> list[object]:
    """The answers built from the question's key; each must earn full marks. Raises `_Unprovable`."""
    if isinstance(question, McqQuestion | TrueFalseQuestion):
        return [question.answer]
    if isinstance(question, McqMultiQuestion):
        return [list(question.answer)]
    if isinstance(question, MatchingQuestion):
        return [{pair.left: pair.right for pair in question.pairs}]
    if isinstance(question, OrderingQuestion):
        return [list(question.items)]
    if isinstance(question, FillBlankQuestion):
        return [[_blank_answer(n, blank) for n, blank in enumerate(question.blanks, start=1)]]
    if isinstance(question, ShortAnswerQuestion):
        return _short_answers(question)
    if isinstance(question, EssayQuestion):
        return [question.model_answer]
    raise TypeError(f"{question.type} questions are verified by running their solutions")


def _short_answers(question: ShortAnswerQuestion) -> list[object]:
    method = question.grading.method
    if method in ("ai", "manual"):
        raise _Unprovable(f"{method}: graded by a reviewer")
    if not question.answer:
        raise _Unprovable(f"{method}: no accepted answer to grade against the rubric")
    if method == "contains":
        return [" ".join(question.answer)]
    if method == "regex":
        literal = [p for p in question.answer if _literal(p, question.grading.case_sensitive)]
        if not literal:
            raise _Unprovable("regex: the key is a pattern, not an answer")
        return list(literal)
    return list(question.answer)


def check_key(question: AnyQuestion) -> Outcome:
    if isinstance(question, CodeQuestion):
        raise TypeError("code questions are verified by running their solutions")
    if isinstance(question, EssayQuestion) and question.grading.method != "keywords":
        if not question.model_answer.strip():
            return failed(f"{question.grading.method}: needs a model_answer")
        return passed(f"{question.grading.method}: graded by a reviewer against the model answer")
    if isinstance(question, EssayQuestion) and not question.model_answer.strip():
        return failed("keywords: needs a model_answer to prove the rubric")
    try:
        answers = key_answers(question)
        results = [(answer, grade(question, answer)) for answer in answers]
    except _Unprovable as reason:
        return skipped(str(reason))
    except (InvalidAnswer, InvalidQuestion) as exc:
        return failed(f"the key cannot be graded: {exc.message}")
    short = [(answer, result) for answer, result in results if not _full(result)]
    if short:
        answer, result = short[0]
        what = "the model answer" if isinstance(question, EssayQuestion) else f"the key {_shown(answer)}"
        return failed(f"{what} earns {result.points_earned:g} of {result.points_possible:g}: {_why(result)}")
    return passed(f"full marks for {len(results)} key answer{'s' if len(results) > 1 else ''}")


def _full(result: GradeResult) -> bool:
    return not result.needs_review and result.points_earned >= result.points_possible


def _shown(answer: object) -> str:
    text = repr(answer)
    return text if len(text) <= 60 else text[:57] + "..."


def _why(result: GradeResult) -> str:
    """The parts that fell short (a rubric criterion's missing phrases, a blank), else the overall feedback."""
    short = [f"{c.name}: {c.feedback}" for c in result.criteria if c.points_earned < c.points_possible]
    return "; ".join(short) or result.feedback
