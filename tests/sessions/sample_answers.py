"""Full-marks answers to every question of the sample bank, as a scripted candidate gives them.

Keys, pairs and orders come from the bank files themselves; answers the bank only holds as patterns (regex
keys) and the essays are written out here. `json_answer` is what `sensei quiz answer --answer` takes.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from codesensei.bank.files import load_questions
from codesensei.bank.model import (
    AnyQuestion,
    CodeQuestion,
    EssayQuestion,
    FillBlankQuestion,
    MatchingQuestion,
    OrderingQuestion,
    ShortAnswerQuestion,
)
from codesensei.platform import SAMPLE_BANK

# Keys that are regular expressions in the bank, given as a candidate would type them.
LITERAL = {
    "sql-remove-duplicates": "SELECT DISTINCT",
    "algo-master-theorem-blanks": ["2", "log n", "10"],
}
ESSAYS = {
    "py-gil-essay": (
        "CPython has a global interpreter lock, the GIL, so only one thread runs Python bytecode at a time.\n"
        "Threads therefore speed up I/O-bound work, because the lock is released while a thread waits for the\n"
        "network or the disk, but they do not speed up CPU-bound work. For CPU-bound work I would use\n"
        "multiprocessing or a process pool, or a native extension that can release the GIL while it computes.\n"
    ),
    "algo-hash-table-essay": (
        "A hash table applies a hash function to the key to find its bucket directly, so an average lookup\n"
        "inspects O(1) entries instead of scanning the whole table. When many keys land in the same bucket the\n"
        "collisions pile up and a lookup degrades to O(n) in the worst case. Implementations keep the load\n"
        "factor bounded: when the table fills up they resize and rehash every key into a larger array, and they\n"
        "resolve collisions with chaining or open addressing so that buckets stay short on average.\n"
    ),
    "test-property-based-essay": (
        "Property-based testing checks that a property holds for many generated inputs, usually random inputs\n"
        "produced by a library, and shrinking reduces a failing case to a minimal example. For a sorting\n"
        "function the output must be sorted, must be a permutation of the input with the same elements, and\n"
        "sorting is idempotent. I choose it when code has a clear invariant and a large input space with edge\n"
        "cases that example-based tests with a few hand-picked inputs would miss, since it tries many inputs.\n"
    ),
}


@cache
def sample_questions() -> dict[str, AnyQuestion]:
    return {q.id: q for q in load_questions(SAMPLE_BANK)}


def program(question_id: str) -> str:
    """The bank's accepted Python solution of a code question."""
    question = sample_questions()[question_id]
    assert isinstance(question, CodeQuestion)
    return next(s.code for s in question.solutions if s.language == "python" and s.expect == "accepted")


def json_answer(question_id: str) -> Any:
    """The full-marks answer in the JSON shape the sessions take."""
    question = sample_questions()[question_id]
    if question_id in LITERAL:
        return LITERAL[question_id]
    if isinstance(question, EssayQuestion):
        return ESSAYS[question_id]
    if isinstance(question, ShortAnswerQuestion):
        return question.answer[0]
    if isinstance(question, FillBlankQuestion):
        return [b.accepted[0] for b in question.blanks]
    if isinstance(question, MatchingQuestion):
        return {p.left: p.right for p in question.pairs}
    if isinstance(question, OrderingQuestion):
        return list(question.items)
    if isinstance(question, CodeQuestion):
        return {"language": "python", "source": program(question_id)}
    return question.answer


def ids_of_type(question_type: str) -> list[str]:
    return [q.id for q in sample_questions().values() if q.type == question_type]
