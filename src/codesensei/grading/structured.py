"""Graders for structured answers: matching (per pair), ordering and fill-in-the-blank (per blank).

Ordering credit is measured against the key order in one of two ways (`grading.ordering_measure`):
- `lcs` (default): L / n, where L is the length of the longest subsequence of the candidate's order
  that appears in the same relative order in the key (for permutations, the longest increasing run
  of key positions) and n is the number of items. A correct order scores 1; any order scores ≥ 1/n.
- `kendall`: 1 − d / (n(n − 1)/2), where d is the Kendall tau distance (the number of item pairs
  the candidate put in the opposite order). A correct order scores 1, the reversed order 0.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from itertools import combinations

from codesensei.bank.model import FillBlankQuestion, MatchingQuestion, OrderingQuestion
from codesensei.grading.answers import fill_blank_answer, matching_answer, ordering_answer
from codesensei.grading.result import CriterionScore, GradeResult, criterion, scored
from codesensei.grading.text import match_text


def grade_matching(question: MatchingQuestion, answer: object) -> GradeResult:
    chosen = matching_answer(question, answer)
    share = question.points / len(question.pairs)
    parts: list[CriterionScore] = []
    for pair in question.pairs:
        given = chosen.get(pair.left)
        if given is None:
            parts.append(criterion(pair.left, 0.0, share, "left unmatched"))
        elif given == pair.right:
            parts.append(criterion(pair.left, 1.0, share, "matched"))
        else:
            parts.append(criterion(pair.left, 0.0, share, f"matched to {given!r}, which is not its pair"))
    matched = sum(1 for part in parts if part.feedback == "matched")
    total = len(question.pairs)
    feedback = f"{matched} of {total} pairs matched."
    return scored(matched / total, question.points, question.partial_credit, feedback, tuple(parts))


def longest_ordered_run(order: Sequence[str], key: Sequence[str]) -> int:
    """Length of the longest subsequence of `order` that keeps the relative order of `key`."""
    position = {item: i for i, item in enumerate(key)}
    tails: list[int] = []  # tails[k]: smallest key position ending an increasing run of length k + 1
    for item in order:
        p = position[item]
        slot = bisect_left(tails, p)
        if slot == len(tails):
            tails.append(p)
        else:
            tails[slot] = p
    return len(tails)


def kendall_distance(order: Sequence[str], key: Sequence[str]) -> int:
    """Number of item pairs whose relative order in `order` differs from `key`."""
    position = {item: i for i, item in enumerate(key)}
    ranks = [position[item] for item in order]
    return sum(1 for a, b in combinations(ranks, 2) if a > b)


def ordering_fraction(order: Sequence[str], key: Sequence[str], measure: str) -> float:
    n = len(key)
    if measure == "kendall":
        return 1.0 - kendall_distance(order, key) / (n * (n - 1) / 2)
    return longest_ordered_run(order, key) / n


def grade_ordering(question: OrderingQuestion, answer: object) -> GradeResult:
    order = ordering_answer(question, answer)
    key = question.items
    measure = question.grading.ordering_measure
    fraction = ordering_fraction(order, key, measure)
    in_place = sum(1 for given, expected in zip(order, key, strict=True) if given == expected)
    if measure == "kendall":
        pairs = len(key) * (len(key) - 1) // 2
        detail = f"{pairs - kendall_distance(order, key)} of {pairs} item pairs in the right relative order"
    else:
        run = longest_ordered_run(order, key)
        detail = f"longest run in the right relative order: {run} of {len(key)} items"
    feedback = f"{in_place} of {len(key)} items in the right position; {detail}."
    return scored(fraction, question.points, question.partial_credit, feedback)


def grade_fill_blank(question: FillBlankQuestion, answer: object) -> GradeResult:
    values = fill_blank_answer(question, answer)
    total_weight = sum(blank.weight for blank in question.blanks)
    parts: list[CriterionScore] = []
    earned = 0.0
    for number, (blank, value) in enumerate(zip(question.blanks, values, strict=True), start=1):
        share = blank.weight / total_weight
        if not value.strip():
            fraction, feedback = 0.0, "left empty"
        else:
            match = match_text(
                blank.match, blank.accepted, value, case_sensitive=blank.case_sensitive, abs_tol=blank.abs_tol
            )
            fraction, feedback = match.fraction, match.feedback
        earned += fraction * share
        name = f"blank {number}"
        parts.append(criterion(name, fraction, share * question.points, f"{name}: {feedback}"))
    full = sum(1 for part in parts if part.points_earned >= part.points_possible)
    feedback = f"{full} of {len(parts)} blanks correct."
    wrong = [part.feedback for part in parts if part.points_earned < part.points_possible]
    if wrong:
        feedback += " " + "; ".join(wrong) + "."
    return scored(earned, question.points, question.partial_credit, feedback, tuple(parts))
