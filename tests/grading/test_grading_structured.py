"""Known-answer tests for matching, ordering (LCS and Kendall) and fill-in-the-blank."""

from __future__ import annotations

import pytest
from grading_strategies import make

from codesensei.grading import InvalidAnswer, grade
from codesensei.grading.structured import kendall_distance, longest_ordered_run

PAIRS = [
    {"left": "list", "right": "mutable sequence"},
    {"left": "tuple", "right": "immutable sequence"},
    {"left": "dict", "right": "hash map"},
]


def matching(**fields: object) -> object:
    return make(type="matching", pairs=PAIRS, distractors=["linked list"], points=3, **fields)


def test_matching_scores_each_pair() -> None:
    answer = {"list": "mutable sequence", "tuple": "hash map", "dict": "hash map"}
    result = grade(matching(), answer)
    assert result.points_earned == pytest.approx(2.0)
    assert result.feedback == "2 of 3 pairs matched."
    assert [c.points_earned for c in result.criteria] == [1.0, 0.0, 1.0]


def test_matching_distractor_and_missing_pairs_count_as_wrong() -> None:
    result = grade(matching(), {"list": "linked list", "dict": "hash map"})
    assert result.points_earned == pytest.approx(1.0)
    assert [c.feedback for c in result.criteria][:2] == [
        "matched to 'linked list', which is not its pair",
        "left unmatched",
    ]


def test_matching_without_partial_credit() -> None:
    assert grade(matching(partial_credit=False), {"list": "mutable sequence"}).points_earned == 0.0


@pytest.mark.parametrize(
    "answer",
    [["list"], {"set": "hash map"}, {"list": "array"}, {"list": 3}, "list=mutable sequence"],
)
def test_matching_rejects_unknown_items_and_wrong_shapes(answer: object) -> None:
    with pytest.raises(InvalidAnswer):
        grade(matching(), answer)


STEPS = ["parse", "plan", "execute", "fetch", "close"]


def ordering(measure: str = "lcs", **fields: object) -> object:
    return make(type="ordering", items=STEPS, grading={"ordering_measure": measure}, points=5, **fields)


def test_longest_ordered_run_and_kendall_distance() -> None:
    assert longest_ordered_run(["b", "a", "c", "d"], ["a", "b", "c", "d"]) == 3
    assert longest_ordered_run(["d", "c", "b", "a"], ["a", "b", "c", "d"]) == 1
    assert kendall_distance(["b", "a", "c", "d"], ["a", "b", "c", "d"]) == 1
    assert kendall_distance(["d", "c", "b", "a"], ["a", "b", "c", "d"]) == 6


def test_ordering_lcs_credits_the_longest_correctly_ordered_run() -> None:
    answer = ["plan", "parse", "execute", "fetch", "close"]  # one swap: run of 4
    result = grade(ordering(), answer)
    assert result.points_earned == pytest.approx(4.0)
    assert "3 of 5 items in the right position" in result.feedback
    assert grade(ordering(), list(reversed(STEPS))).points_earned == pytest.approx(1.0)


def test_ordering_kendall_credits_pairs_in_order() -> None:
    answer = ["plan", "parse", "execute", "fetch", "close"]  # 1 of 10 pairs inverted
    assert grade(ordering("kendall"), answer).points_earned == pytest.approx(5 * 0.9)
    assert grade(ordering("kendall"), list(reversed(STEPS))).points_earned == 0.0
    assert grade(ordering("kendall"), STEPS).correct


def test_ordering_without_partial_credit() -> None:
    assert grade(ordering(partial_credit=False), ["plan", "parse", "execute", "fetch", "close"]).points_earned == 0


@pytest.mark.parametrize("answer", [STEPS[:4], [*STEPS, "parse"], ["parse", "plan", "execute", "fetch", "x"], "parse"])
def test_ordering_needs_every_item_once(answer: object) -> None:
    with pytest.raises(InvalidAnswer):
        grade(ordering(), answer)


def fill(**fields: object) -> object:
    return make(
        type="fill_blank",
        text="A {{1}} lookup in a hash map takes O({{2}}) time; {{3}} bits in a byte.",
        blanks=[
            {"accepted": ["dict", "dictionary"]},
            {"accepted": ["1"], "match": "exact", "weight": 2},
            {"accepted": "8", "match": "numeric"},
        ],
        points=4,
        **fields,
    )


def test_fill_blank_scores_each_blank_by_weight() -> None:
    assert grade(fill(), ["Dictionary", "1", "8"]).points_earned == 4.0
    result = grade(fill(), ["dict", "n", "8.0"])
    assert result.points_earned == pytest.approx(2.0)
    assert [c.points_possible for c in result.criteria] == [1.0, 2.0, 1.0]
    assert result.feedback.startswith("2 of 3 blanks correct.")


def test_fill_blank_feedback_names_the_blank() -> None:
    result = grade(fill(), ["dict", "1", "eight"])
    assert "blank 3: expected a number" in result.feedback
    assert result.points_earned == pytest.approx(3.0)


def test_fill_blank_accepts_a_mapping_and_leaves_missing_blanks_empty() -> None:
    result = grade(fill(), {"1": "dict", "3": 8})
    assert result.points_earned == pytest.approx(2.0)
    assert "blank 2: left empty" in result.feedback


def test_fill_blank_case_sensitive_and_contains_blanks() -> None:
    question = make(
        type="fill_blank",
        text="Keyword {{1}}; terms {{2}}",
        blanks=[
            {"accepted": "SELECT", "case_sensitive": True},
            {"accepted": ["join", "on"], "match": "contains"},
        ],
        points=2,
    )
    assert grade(question, ["SELECT", "JOIN t ON x"]).correct
    result = grade(question, ["select", "inner join"])
    assert result.points_earned == pytest.approx(0.5)


@pytest.mark.parametrize("answer", [["dict", "1"], "dict", {"4": "x"}, {"one": "x"}, ["dict", None, "8"]])
def test_fill_blank_rejects_wrong_shapes(answer: object) -> None:
    with pytest.raises(InvalidAnswer):
        grade(fill(), answer)
