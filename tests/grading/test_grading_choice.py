"""Known-answer tests for single choice, multiple choice (the ADR's formula) and true/false."""

from __future__ import annotations

import pytest
from grading_strategies import make

from codesensei.errors import SenseiError
from codesensei.grading import InvalidAnswer, grade

OPTIONS = [{"key": k, "text": f"option {k}"} for k in "ABCDE"]


def test_mcq_correct_option_earns_the_points() -> None:
    result = grade(make(type="mcq", options=OPTIONS, answer="B", points=2), "B")
    assert (result.points_earned, result.points_possible, result.correct) == (2.0, 2.0, True)


def test_mcq_wrong_option_earns_nothing_and_names_it() -> None:
    result = grade(make(type="mcq", options=OPTIONS, answer="B"), "C")
    assert result.points_earned == 0.0
    assert not result.correct
    assert "C" in result.feedback


def test_mcq_accepts_a_key_in_another_case() -> None:
    assert grade(make(type="mcq", options=OPTIONS, answer="B"), " b").correct


@pytest.mark.parametrize("answer", ["Z", 3, None, ["B"]])
def test_mcq_rejects_unknown_keys_and_wrong_types(answer: object) -> None:
    with pytest.raises(InvalidAnswer) as raised:
        grade(make(type="mcq", options=OPTIONS, answer="B"), answer)
    assert raised.value.code == "invalid_answer"
    assert isinstance(raised.value, SenseiError)
    assert "A, B, C, D, E" in raised.value.message or "option key" in raised.value.message


@pytest.mark.parametrize(
    ("selected", "expected_points"),
    [
        (["A", "B", "C"], 3.0),  # all correct
        (["A", "B"], 2.0),  # 2 of 3 correct, none wrong
        (["A", "B", "D"], 1.0),  # (2 − 1) / 3 of 3 points
        (["A", "D", "E"], 0.0),  # (1 − 2) / 3 is floored at 0
        (["D"], 0.0),
        ([], 0.0),
        (["A", "B", "C", "D"], 2.0),  # (3 − 1) / 3
    ],
)
def test_mcq_multi_follows_the_adr_formula(selected: list[str], expected_points: float) -> None:
    question = make(type="mcq_multi", options=OPTIONS, answer=["A", "B", "C"], points=3)
    result = grade(question, selected)
    assert result.points_earned == pytest.approx(expected_points)
    assert result.correct == (set(selected) == {"A", "B", "C"})


def test_mcq_multi_feedback_counts_right_and_wrong_selections() -> None:
    question = make(type="mcq_multi", options=OPTIONS, answer=["A", "B", "C"])
    assert grade(question, ["A", "B", "D"]).feedback == "You selected 2 of 3 correct options and 1 incorrect option."


def test_mcq_multi_without_partial_credit_is_all_or_nothing() -> None:
    question = make(type="mcq_multi", options=OPTIONS, answer=["A", "B"], partial_credit=False)
    assert grade(question, ["A"]).points_earned == 0.0
    assert grade(question, ["B", "A"]).points_earned == 1.0


def test_mcq_multi_ignores_repeated_keys() -> None:
    question = make(type="mcq_multi", options=OPTIONS, answer=["A", "B"])
    assert grade(question, ["A", "A", "B"]).correct


@pytest.mark.parametrize("answer", ["A", "A,B", {"A": True}, ["A", "Q"]])
def test_mcq_multi_rejects_anything_but_a_list_of_known_keys(answer: object) -> None:
    with pytest.raises(InvalidAnswer):
        grade(make(type="mcq_multi", options=OPTIONS, answer=["A"]), answer)


@pytest.mark.parametrize(
    ("answer", "correct"), [(True, True), (False, False), ("true", True), (" FALSE ", False), ("True", True)]
)
def test_true_false_accepts_booleans_and_their_words(answer: object, correct: bool) -> None:
    assert grade(make(type="true_false", answer=True), answer).correct is correct


@pytest.mark.parametrize("answer", ["yes", 1, 0, None, "t"])
def test_true_false_rejects_other_values(answer: object) -> None:
    with pytest.raises(InvalidAnswer, match="true or false"):
        grade(make(type="true_false", answer=False), answer)


def test_grade_result_serialises_to_json() -> None:
    result = grade(make(type="true_false", answer=False, points=2), "false")
    assert result.to_json() == {
        "points_earned": 2.0,
        "points_possible": 2.0,
        "correct": True,
        "feedback": "Correct.",
        "criteria": [],
        "needs_review": False,
    }
