"""Known-answer tests for keyword rubrics, essays awaiting review and pluggable rubric scorers."""

from __future__ import annotations

import pytest
from grading_strategies import make

from codesensei.bank.model import EssayQuestion, ShortAnswerQuestion
from codesensei.grading import CriterionScore, InvalidAnswer, InvalidQuestion, KeywordRubricScorer, grade
from codesensei.grading.rubric import phrase_found

RUBRIC = [
    {"name": "names the structure", "weight": 1, "key_phrases": ["hash table"]},
    {
        "name": "explains the cost",
        "weight": 3,
        "key_phrases": ["O(1)", "average case", "collisions", "resize"],
        "required_fraction": 0.5,
    },
]


def essay(method: str = "keywords", **fields: object) -> object:
    return make(type="essay", grading={"method": method, "rubric": RUBRIC}, points=8, **fields)


def test_phrases_match_whole_words_case_insensitively() -> None:
    assert phrase_found("hash table", "A Hash\n  Table works")
    assert not phrase_found("hash table", "hash tables")
    assert not phrase_found("heap", "a heapsort")
    assert phrase_found("O(1)", "lookups are O(1).")
    assert not phrase_found("O(1)", "lookups are O(10)")


def test_keyword_score_is_found_over_required_share_capped_at_one() -> None:
    text = "A hash table gives O(1) lookups."
    result = grade(essay(), text)
    # criterion 1: 1/1 of 2 points; criterion 2: min(1, 1 / (0.5 × 4)) = 0.5 of 6 points
    assert [c.points_earned for c in result.criteria] == [2.0, 3.0]
    assert [c.points_possible for c in result.criteria] == [2.0, 6.0]
    assert result.points_earned == pytest.approx(5.0)
    assert "consider: average case, collisions, resize" in result.criteria[1].feedback
    full = grade(essay(), "hash table, O(1) in the average case")
    assert full.points_earned == 8.0
    assert full.correct


def test_keyword_grading_without_partial_credit() -> None:
    assert grade(essay(partial_credit=False), "A hash table gives O(1) lookups.").points_earned == 0.0


def test_short_answer_keyword_rubric() -> None:
    question = make(
        type="short_answer",
        grading={
            "method": "keywords",
            "rubric": [{"name": "idea", "key_phrases": ["base case", "recursion"]}],
        },
    )
    assert grade(question, "Recursion needs a base case.").correct
    assert grade(question, "It calls itself").points_earned == 0.0


def test_essay_word_limits_are_reported() -> None:
    result = grade(essay(min_words=20), "hash table O(1) average case")
    assert result.points_earned == 8.0
    assert "at least 20 were asked for" in result.feedback


@pytest.mark.parametrize("method", ["manual", "ai"])
def test_manual_and_ai_essays_await_review(method: str) -> None:
    result = grade(essay(method), "hash table O(1) average case")
    assert result.needs_review
    assert (result.points_earned, result.points_possible, result.correct) == (0.0, 8.0, False)


def test_an_essay_answer_must_be_text() -> None:
    with pytest.raises(InvalidAnswer, match="essay text"):
        grade(essay(), ["hash table"])


def test_a_criterion_without_phrases_cannot_be_keyword_graded() -> None:
    question = make(type="essay", grading={"method": "keywords", "rubric": [{"name": "clarity"}]})
    with pytest.raises(InvalidQuestion, match="clarity"):
        grade(question, "anything")


class HalfMarks:
    """A stand-in for an AI scorer: half of every criterion."""

    def score(self, question: ShortAnswerQuestion | EssayQuestion, text: str) -> list[CriterionScore]:
        total = sum(c.weight for c in question.grading.rubric)
        shares = [question.points * c.weight / total for c in question.grading.rubric]
        return [CriterionScore(c.name, s / 2, s, "half") for c, s in zip(question.grading.rubric, shares, strict=True)]


def test_another_rubric_scorer_plugs_into_the_same_interface() -> None:
    result = grade(essay(), "anything", scorer=HalfMarks())
    assert result.points_earned == pytest.approx(4.0)
    assert [c.feedback for c in result.criteria] == ["half", "half"]
    question = essay()
    assert isinstance(question, EssayQuestion)
    assert len(KeywordRubricScorer().score(question, "hash table")) == 2


def test_equal_thirds_add_up_to_exactly_full_marks() -> None:
    rubric = [{"name": f"part {i}", "key_phrases": [word]} for i, word in enumerate(["alpha", "beta", "gamma"])]
    question = make(type="essay", grading={"method": "keywords", "rubric": rubric}, points=4)
    result = grade(question, "alpha beta gamma")
    assert result.points_earned == 4.0
    assert result.feedback == "3 of 3 rubric criteria fully met."
    assert grade(question, "alpha beta").points_earned == pytest.approx(8 / 3)
