"""Known-answer tests for short answers compared by exact, contains, regex and numeric matching."""

from __future__ import annotations

import pytest
from grading_strategies import make

from codesensei.grading import InvalidAnswer, InvalidQuestion, grade
from codesensei.grading.text import MAX_REGEX_ANSWER_CHARS, parse_number


def short(answer: object, **grading: object) -> object:
    return make(type="short_answer", answer=answer, grading=grading, points=4)


@pytest.mark.parametrize("given", ["Binary Search", "  binary   search ", "BINARY\tSEARCH\n"])
def test_exact_ignores_case_and_whitespace(given: str) -> None:
    assert grade(short("binary search"), given).correct


def test_exact_honours_case_sensitive() -> None:
    question = short("SELECT", method="exact", case_sensitive=True)
    assert grade(question, " SELECT ").correct
    assert not grade(question, "select").correct


def test_exact_accepts_any_of_several_answers() -> None:
    question = short(["O(log n)", "logarithmic"])
    assert grade(question, "Logarithmic").points_earned == 4.0
    assert grade(question, "linear").points_earned == 0.0


def test_contains_earns_the_share_of_key_terms_found() -> None:
    question = short(["stack", "LIFO", "push"], method="contains")
    result = grade(question, "A stack is lifo: the last item pushed is popped first")
    assert result.points_earned == pytest.approx(4.0)
    partial = grade(question, "A Stack is last in, first out")
    assert partial.points_earned == pytest.approx(4.0 / 3)
    assert partial.feedback == "1 of 3 key terms found."


def test_regex_must_match_the_whole_answer() -> None:
    question = short(r"O\(n\s*log\s*n\)", method="regex")
    assert grade(question, " O(n log n) ").correct
    assert grade(question, "o(nlogn)").correct
    assert not grade(question, "O(n log n) or O(n)").correct


def test_regex_case_sensitive_when_asked() -> None:
    question = short("[A-Z]+", method="regex", case_sensitive=True)
    assert grade(question, "ABC").correct
    assert not grade(question, "abc").correct


def test_regex_longer_than_500_characters_is_refused() -> None:
    with pytest.raises(InvalidQuestion) as raised:
        grade(short("a" * 501, method="regex"), "a")
    assert raised.value.code == "invalid_question"


def test_regex_answer_over_the_limit_scores_zero_without_matching() -> None:
    question = short("a*", method="regex")
    result = grade(question, "a" * (MAX_REGEX_ANSWER_CHARS + 1))
    assert result.points_earned == 0.0
    assert "not matched" in result.feedback
    assert grade(question, "a" * MAX_REGEX_ANSWER_CHARS).correct


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("42", 42.0),
        (" 42 ", 42.0),
        ("1e3", 1000.0),
        ("1,000", 1000.0),
        ("-12,345.5", -12345.5),
        ("0.25", 0.25),
    ],
)
def test_parse_number_reads_common_notations(text: str, value: float) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["", "forty", "nan", "inf", "1,5", "1_000", "12,34", "1.2.3"])
def test_parse_number_rejects_non_numbers(text: str) -> None:
    assert parse_number(text) is None


def test_numeric_with_absolute_tolerance() -> None:
    question = short("3.14159", method="numeric", abs_tol=0.01)
    assert grade(question, "3.14").correct
    assert not grade(question, "3.1").correct


def test_numeric_with_relative_tolerance() -> None:
    question = short("1000", method="numeric", rel_tol=0.05)
    assert grade(question, "1,040").correct
    assert grade(question, "1e3").correct
    assert not grade(question, "1100").correct


def test_numeric_feedback_says_a_number_was_expected() -> None:
    result = grade(short("8", method="numeric"), "eight")
    assert result.points_earned == 0.0
    assert result.feedback == "Expected a number."


def test_numeric_best_of_several_accepted_answers() -> None:
    assert grade(short(["0.5", "50"], method="numeric"), "50").correct


def test_short_answer_must_be_text() -> None:
    with pytest.raises(InvalidAnswer, match="string"):
        grade(short("x"), 42)


def test_short_answer_graded_manually_awaits_review() -> None:
    result = grade(make(type="short_answer", grading={"method": "manual"}, points=2), "my answer")
    assert (result.points_earned, result.needs_review, result.correct) == (0.0, True, False)
