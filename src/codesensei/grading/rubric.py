"""Graders for free text (short answers and essays): key matching, keyword rubrics, and deferral to review.

A `RubricScorer` turns a text into one `CriterionScore` per rubric criterion. The keyword scorer here
credits a criterion with min(1, found / (required_fraction × phrases)) of its weight's share of the
points, matching phrases case-insensitively on word boundaries; an AI scorer can plug into the same role.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from typing import Protocol

from codesensei.bank.model import EssayQuestion, ShortAnswerQuestion, TextMatch
from codesensei.grading.answers import text_answer
from codesensei.grading.result import (
    CriterionScore,
    GradeResult,
    InvalidQuestion,
    awaiting_review,
    criterion,
    scored,
)
from codesensei.grading.text import match_text

TextQuestion = ShortAnswerQuestion | EssayQuestion
_TEXT_METHODS: dict[str, TextMatch] = {m: m for m in ("exact", "contains", "regex", "numeric")}


class RubricScorer(Protocol):
    """Scores a text against `question.grading.rubric`, one entry per criterion, in rubric order."""

    def score(self, question: TextQuestion, text: str) -> list[CriterionScore]: ...


@lru_cache(maxsize=1024)
def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """A phrase as a whole-word, case-insensitive pattern in which any run of whitespace matches any other.

    Lookarounds on `\\w` rather than `\\b` keep phrases that start or end with punctuation, such as
    `O(n)`, matchable.
    """
    words = phrase.split()
    if not words:
        raise InvalidQuestion("rubric key phrases must not be empty")
    body = r"\s+".join(re.escape(word) for word in words)
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)


def phrase_found(phrase: str, text: str) -> bool:
    return phrase_pattern(phrase).search(text) is not None


class KeywordRubricScorer:
    """Credits each criterion by the share of its key phrases found in the text."""

    def score(self, question: TextQuestion, text: str) -> list[CriterionScore]:
        rubric = question.grading.rubric
        total_weight = sum(c.weight for c in rubric)
        scores: list[CriterionScore] = []
        for item in rubric:
            if not item.key_phrases:
                raise InvalidQuestion(f"criterion {item.name!r} has no key phrases for keyword grading")
            found = [p for p in item.key_phrases if phrase_found(p, text)]
            needed = item.required_fraction * len(item.key_phrases)
            share = question.points * item.weight / total_weight
            fraction = min(1.0, len(found) / needed)
            feedback = f"{len(found)} of {len(item.key_phrases)} key phrases found"
            missing = [p for p in item.key_phrases if p not in found]
            if fraction < 1.0 and missing:
                feedback += f"; consider: {', '.join(missing)}"
            scores.append(criterion(item.name, fraction, share, feedback))
        return scores


def grade_with_rubric(question: TextQuestion, text: str, scorer: RubricScorer) -> GradeResult:
    criteria = tuple(scorer.score(question, text))
    earned = sum(c.points_earned for c in criteria)
    possible = sum(c.points_possible for c in criteria)
    full = sum(1 for c in criteria if c.points_earned >= c.points_possible)
    feedback = f"{full} of {len(criteria)} rubric criteria fully met."
    # Dividing by the criteria's own total keeps a full score exact however the shares were rounded.
    fraction = earned / possible if possible > 0 else 0.0
    return scored(fraction, question.points, question.partial_credit, feedback, criteria)


def _review_feedback(method: str) -> str:
    return "Awaiting AI grading." if method == "ai" else "Awaiting grading by a reviewer."


def grade_short_answer(
    question: ShortAnswerQuestion, answer: object, scorer: RubricScorer | None = None
) -> GradeResult:
    text = text_answer(answer)
    method = question.grading.method
    if method == "keywords":
        return grade_with_rubric(question, text, scorer or KeywordRubricScorer())
    text_method = _TEXT_METHODS.get(method)
    if text_method is None:
        return awaiting_review(question.points, _review_feedback(method))
    grading = question.grading
    match = match_text(
        text_method,
        question.answer,
        text,
        case_sensitive=grading.case_sensitive,
        abs_tol=grading.abs_tol,
        rel_tol=grading.rel_tol,
    )
    feedback = match.feedback[0].upper() + match.feedback[1:] + "."
    return scored(match.fraction, question.points, question.partial_credit, feedback)


def word_count(text: str) -> int:
    return len(text.split())


def grade_essay(question: EssayQuestion, answer: object, scorer: RubricScorer | None = None) -> GradeResult:
    text = text_answer(answer, "the essay text")
    method = question.grading.method
    if method != "keywords":
        # Only keyword rubrics are scored here; every other method needs a person or the AI grader.
        return awaiting_review(question.points, _review_feedback(method))
    result = grade_with_rubric(question, text, scorer or KeywordRubricScorer())
    words = word_count(text)
    notes = []
    if words < question.min_words:
        notes.append(f"The essay has {words} words; at least {question.min_words} were asked for.")
    if question.max_words is not None and words > question.max_words:
        notes.append(f"The essay has {words} words; at most {question.max_words} were asked for.")
    if not notes:
        return result
    return replace(result, feedback=" ".join([result.feedback, *notes]))
