"""Graders for choice questions: single choice, multiple choice with the ADR's partial credit, true/false.

`mcq_multi` follows the ADR: (correct selected − incorrect selected) / total correct, floored at 0.
"""

from __future__ import annotations

from codesensei.bank.model import McqMultiQuestion, McqQuestion, TrueFalseQuestion
from codesensei.grading.answers import mcq_answer, mcq_multi_answer, true_false_answer
from codesensei.grading.result import GradeResult, scored


def grade_mcq(question: McqQuestion, answer: object) -> GradeResult:
    chosen = mcq_answer(question, answer)
    if chosen == question.answer:
        return scored(1.0, question.points, question.partial_credit, "Correct.")
    feedback = f"Option {chosen} is not the correct answer."
    return scored(0.0, question.points, question.partial_credit, feedback)


def grade_mcq_multi(question: McqMultiQuestion, answer: object) -> GradeResult:
    chosen = mcq_multi_answer(question, answer)
    key = set(question.answer)
    right = len(chosen & key)
    wrong = len(chosen - key)
    fraction = max(0.0, (right - wrong) / len(key))
    feedback = f"You selected {right} of {len(key)} correct options"
    feedback += f" and {wrong} incorrect {'option' if wrong == 1 else 'options'}." if wrong else "."
    return scored(fraction, question.points, question.partial_credit, feedback)


def grade_true_false(question: TrueFalseQuestion, answer: object) -> GradeResult:
    given = true_false_answer(answer)
    if given == question.answer:
        return scored(1.0, question.points, question.partial_credit, "Correct.")
    feedback = "Incorrect: the statement is " + ("true." if question.answer else "false.")
    return scored(0.0, question.points, question.partial_credit, feedback)
