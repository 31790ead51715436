"""What a candidate sees of a question: never the key, hidden tests, solutions or explanations.

Options, ordering items and matching right-hand items are shuffled by a seed derived from the attempt's
seed and the question id, so the same attempt always shows (and reviews) the same order.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from codesensei.bank.model import (
    AnyQuestion,
    CallTest,
    CodeQuestion,
    EssayQuestion,
    FillBlankQuestion,
    MatchingQuestion,
    McqMultiQuestion,
    McqQuestion,
    OrderingQuestion,
    StdioTest,
)


@dataclass(frozen=True)
class CandidateView:
    """A question as shown to a candidate; `body` holds the type-specific parts (options, items, starter…)."""

    question_id: str
    version: int
    type: str
    title: str
    text: str
    points: float
    body: dict[str, Any] = field(default_factory=dict)
    hints_available: int = 0
    topics: tuple[str, ...] = ()
    difficulty: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "question_id": self.question_id,
            "version": self.version,
            "type": self.type,
            "title": self.title,
            "text": self.text,
            "points": self.points,
            "topics": list(self.topics),
            "difficulty": self.difficulty,
            **self.body,
            "hints_available": self.hints_available,
        }


def item_rng(seed: int, question_id: str) -> random.Random:
    """The per-question generator of an attempt: the same (seed, question) always shuffles the same way."""
    return random.Random(f"{seed}:{question_id}")


def _shuffled(items: list[Any], rng: random.Random, *, avoid_identity: bool = False) -> list[Any]:
    result = list(items)
    rng.shuffle(result)
    if avoid_identity and len(result) > 1 and result == items:
        result = result[1:] + result[:1]
    return result


def _code_body(question: CodeQuestion) -> dict[str, Any]:
    samples: list[dict[str, Any]] = []
    for test in question.tests:
        if test.visibility != "sample":
            continue
        if isinstance(test, StdioTest):
            samples.append({"name": test.name, "input": test.input, "expected": test.expected})
        elif isinstance(test, CallTest):
            samples.append({"name": test.name, "args": test.args, "expected": test.expected})
    return {
        "languages": list(question.languages),
        "starter": dict(question.starter),
        "entry_point": question.entry_point,
        "limits": {"time_s": question.limits.time_s, "memory_mb": question.limits.memory_mb},
        "sample_tests": samples,
    }


def candidate_view(
    question: AnyQuestion, version: int, seed: int, *, shuffle_options: bool, hints_allowed: bool
) -> CandidateView:
    """Build the candidate's view of `question` for the attempt whose seed is `seed`."""
    rng = item_rng(seed, question.id)
    body: dict[str, Any] = {}
    if isinstance(question, McqQuestion | McqMultiQuestion):
        options = [{"key": o.key, "text": o.text} for o in question.options]
        body["options"] = _shuffled(options, rng) if shuffle_options else options
        body["select"] = "one" if isinstance(question, McqQuestion) else "many"
    elif isinstance(question, OrderingQuestion):
        body["items"] = _shuffled(question.items, rng, avoid_identity=True)
    elif isinstance(question, MatchingQuestion):
        body["lefts"] = [p.left for p in question.pairs]
        body["rights"] = _shuffled([p.right for p in question.pairs] + list(question.distractors), rng)
    elif isinstance(question, FillBlankQuestion):
        body["blanks"] = len(question.blanks)
    elif isinstance(question, EssayQuestion):
        body["min_words"] = question.min_words
        body["max_words"] = question.max_words
    elif isinstance(question, CodeQuestion):
        body.update(_code_body(question))
    return CandidateView(
        question_id=question.id,
        version=version,
        type=question.type,
        title=question.title,
        text=question.text,
        points=question.points,
        body=body,
        hints_available=len(question.hints) if hints_allowed else 0,
        topics=tuple(question.topics),
        difficulty=question.difficulty_level,
    )


def correct_answer(question: AnyQuestion) -> Any:
    """The key, for feedback policies that show correct answers (never part of a `CandidateView`)."""
    if isinstance(question, McqQuestion | McqMultiQuestion):
        return question.answer
    if isinstance(question, MatchingQuestion):
        return {p.left: p.right for p in question.pairs}
    if isinstance(question, OrderingQuestion):
        return list(question.items)
    if isinstance(question, FillBlankQuestion):
        return [b.accepted[0] for b in question.blanks]
    if isinstance(question, EssayQuestion):
        return question.model_answer or None
    if isinstance(question, CodeQuestion):
        return None
    return question.answer
