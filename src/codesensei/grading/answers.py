"""Candidate answer shapes per question type, checked before grading so a grader only sees valid data.

Each `*_answer` function takes the raw answer (as decoded from JSON) and returns it in its typed shape,
or raises `InvalidAnswer` naming what was expected.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from codesensei.bank.model import (
    FillBlankQuestion,
    MatchingQuestion,
    McqMultiQuestion,
    McqQuestion,
    OrderingQuestion,
)
from codesensei.grading.result import InvalidAnswer


def _kind(value: object) -> str:
    return type(value).__name__


def text_answer(answer: object, what: str = "the answer text") -> str:
    if not isinstance(answer, str):
        raise InvalidAnswer(f"expected {what} as a string, got {_kind(answer)}")
    return answer


def _option_key(question: McqQuestion | McqMultiQuestion, key: object) -> str:
    keys = [o.key for o in question.options]
    if not isinstance(key, str):
        raise InvalidAnswer(f"expected an option key (one of {', '.join(keys)}), got {_kind(key)}")
    if key in keys:
        return key
    # Clients may send "b" for option "B"; accept it only when it names exactly one option.
    folded = [k for k in keys if k.casefold() == key.strip().casefold()]
    if len(folded) == 1:
        return folded[0]
    raise InvalidAnswer(f"unknown option key {key!r}; expected one of {', '.join(keys)}")


def mcq_answer(question: McqQuestion, answer: object) -> str:
    return _option_key(question, answer)


def mcq_multi_answer(question: McqMultiQuestion, answer: object) -> frozenset[str]:
    if isinstance(answer, str) or not isinstance(answer, Sequence | set | frozenset):
        raise InvalidAnswer(f"expected a list of option keys, got {_kind(answer)}")
    return frozenset(_option_key(question, key) for key in answer)


def true_false_answer(answer: object) -> bool:
    if isinstance(answer, bool):
        return answer
    if isinstance(answer, str) and answer.strip().lower() in ("true", "false"):
        return answer.strip().lower() == "true"
    raise InvalidAnswer(f"expected true or false, got {answer!r}")


def fill_blank_answer(question: FillBlankQuestion, answer: object) -> list[str]:
    """Blank values in blank order; a mapping may leave blanks out (they count as unanswered)."""
    count = len(question.blanks)
    if isinstance(answer, Mapping):
        values = [""] * count
        for key, value in answer.items():
            position = str(key).strip()
            if not position.isdigit() or not 1 <= int(position) <= count:
                raise InvalidAnswer(f"unknown blank {key!r}; expected blank numbers 1..{count}")
            values[int(position) - 1] = _blank_value(int(position), value)
        return values
    if isinstance(answer, str) or not isinstance(answer, Sequence):
        raise InvalidAnswer(f"expected a list of {count} blank values or a mapping of blank number to value")
    if len(answer) != count:
        raise InvalidAnswer(f"expected {count} blank values in blank order, got {len(answer)}")
    return [_blank_value(i, value) for i, value in enumerate(answer, start=1)]


def _blank_value(number: int, value: object) -> str:
    # JSON clients send numeric blanks as numbers; they are compared as text like any other blank.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise InvalidAnswer(f"blank {number}: expected a string, got {_kind(value)}")
    return value


def matching_answer(question: MatchingQuestion, answer: object) -> dict[str, str]:
    """Left item → chosen right item; left items left out count as unmatched."""
    if not isinstance(answer, Mapping):
        raise InvalidAnswer(f"expected a mapping of left item to right item, got {_kind(answer)}")
    lefts = {p.left for p in question.pairs}
    rights = {p.right for p in question.pairs} | set(question.distractors)
    chosen: dict[str, str] = {}
    for left, right in answer.items():
        if left not in lefts:
            raise InvalidAnswer(f"unknown left item {left!r}; expected one of {sorted(lefts)}")
        if not isinstance(right, str) or right not in rights:
            raise InvalidAnswer(f"{left!r}: expected one of the right items {sorted(rights)}, got {right!r}")
        chosen[left] = right
    return chosen


def ordering_answer(question: OrderingQuestion, answer: object) -> list[str]:
    """The candidate's order: every item exactly once."""
    if isinstance(answer, str) or not isinstance(answer, Sequence):
        raise InvalidAnswer(f"expected a list of the {len(question.items)} items, got {_kind(answer)}")
    items = set(question.items)
    for item in answer:
        if not isinstance(item, str) or item not in items:
            raise InvalidAnswer(f"unknown item {item!r}; expected each of the question's items once")
    if len(answer) != len(items) or len(set(answer)) != len(items):
        raise InvalidAnswer(f"expected each of the {len(items)} items once, got {len(answer)} entries")
    return [str(item) for item in answer]
