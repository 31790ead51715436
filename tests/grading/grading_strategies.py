"""Question builders and Hypothesis strategies shared by the grading tests."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import strategies as st
from pydantic import TypeAdapter

from codesensei.bank.model import (
    AnyQuestion,
    Blank,
    EssayQuestion,
    FillBlankQuestion,
    MatchingQuestion,
    McqMultiQuestion,
    McqQuestion,
    OrderingQuestion,
    Question,
    ShortAnswerQuestion,
    TrueFalseQuestion,
)

QUESTION = TypeAdapter(Question)


def make(**fields: Any) -> AnyQuestion:
    """A validated question; id, title and text default to placeholders."""
    data: dict[str, Any] = {"id": "q1", "title": "A question", "text": "Answer this."}
    data.update(fields)
    question: AnyQuestion = QUESTION.validate_python(data)
    return question


# Words that survive normalisation and whole-word matching unchanged.
words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)
phrases = st.lists(words, min_size=1, max_size=3).map(" ".join)
keys = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=3)
any_text = st.text(max_size=60)
points = st.sampled_from([1.0, 2.0, 3.0, 4.0, 0.5, 10.0, 7.25, 0.7])


@st.composite
def mcq_questions(draw: st.DrawFn) -> AnyQuestion:
    option_keys = draw(st.lists(keys, min_size=2, max_size=6, unique=True))
    return make(
        type="mcq",
        options=[{"key": k, "text": f"option {k}"} for k in option_keys],
        answer=draw(st.sampled_from(option_keys)),
        points=draw(points),
        partial_credit=draw(st.booleans()),
    )


@st.composite
def mcq_multi_questions(draw: st.DrawFn) -> AnyQuestion:
    option_keys = draw(st.lists(keys, min_size=2, max_size=6, unique=True))
    answer = draw(st.lists(st.sampled_from(option_keys), min_size=1, unique=True))
    return make(
        type="mcq_multi",
        options=[{"key": k, "text": f"option {k}"} for k in option_keys],
        answer=answer,
        points=draw(points),
        partial_credit=draw(st.booleans()),
    )


@st.composite
def short_answer_questions(draw: st.DrawFn) -> AnyQuestion:
    method = draw(st.sampled_from(["exact", "contains", "regex", "numeric", "keywords"]))
    grading: dict[str, Any] = {"method": method, "case_sensitive": draw(st.booleans())}
    if method == "numeric":
        answer = [str(draw(st.integers(-10_000, 10_000)))]
        grading["abs_tol"] = draw(st.sampled_from([0.0, 0.5]))
        grading["rel_tol"] = draw(st.sampled_from([0.0, 0.01]))
    elif method == "regex":
        answer = [re.escape(draw(phrases))]
    elif method == "keywords":
        answer = []
        grading["rubric"] = draw(rubrics())
    else:
        answer = draw(st.lists(phrases, min_size=1, max_size=3))
    return make(
        type="short_answer",
        answer=answer,
        grading=grading,
        points=draw(points),
        partial_credit=draw(st.booleans()),
    )


@st.composite
def rubrics(draw: st.DrawFn) -> list[dict[str, Any]]:
    count = draw(st.integers(1, 4))
    return [
        {
            "name": f"criterion {i}",
            "weight": draw(st.sampled_from([1.0, 1.0, 2.0, 0.5, 0.3])),
            "key_phrases": draw(st.lists(phrases, min_size=1, max_size=4)),
            "required_fraction": draw(st.sampled_from([1.0, 0.5, 0.75])),
        }
        for i in range(count)
    ]


@st.composite
def fill_blank_questions(draw: st.DrawFn) -> AnyQuestion:
    blanks: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(1, 4))):
        match = draw(st.sampled_from(["exact", "contains", "regex", "numeric"]))
        if match == "numeric":
            accepted = [str(draw(st.integers(-500, 500)))]
        elif match == "regex":
            accepted = [re.escape(draw(phrases))]
        else:
            accepted = draw(st.lists(phrases, min_size=1, max_size=3))
        blanks.append(
            {
                "accepted": accepted,
                "match": match,
                "case_sensitive": draw(st.booleans()),
                "weight": draw(st.sampled_from([1.0, 1.0, 2.0, 0.5, 0.3])),
            }
        )
    text = " ".join(f"part {{{{{i}}}}}" for i in range(1, len(blanks) + 1))
    return make(
        type="fill_blank",
        text=text,
        blanks=blanks,
        points=draw(points),
        partial_credit=draw(st.booleans()),
    )


@st.composite
def matching_questions(draw: st.DrawFn) -> AnyQuestion:
    lefts = draw(st.lists(phrases, min_size=2, max_size=5, unique=True))
    rights = draw(st.lists(phrases, min_size=len(lefts), max_size=len(lefts)))
    distractors = draw(st.lists(phrases.filter(lambda p: p not in rights), max_size=3, unique=True))
    return make(
        type="matching",
        pairs=[{"left": left, "right": right} for left, right in zip(lefts, rights, strict=True)],
        distractors=distractors,
        points=draw(points),
        partial_credit=draw(st.booleans()),
    )


@st.composite
def ordering_questions(draw: st.DrawFn) -> AnyQuestion:
    return make(
        type="ordering",
        items=draw(st.lists(phrases, min_size=2, max_size=7, unique=True)),
        grading={"ordering_measure": draw(st.sampled_from(["lcs", "kendall"]))},
        points=draw(points),
        partial_credit=draw(st.booleans()),
    )


@st.composite
def essay_questions(draw: st.DrawFn) -> AnyQuestion:
    method = draw(st.sampled_from(["keywords", "manual", "ai"]))
    return make(
        type="essay",
        grading={"method": method, "rubric": draw(rubrics())},
        points=draw(points),
        partial_credit=draw(st.booleans()),
    )


@st.composite
def source_code_questions(draw: st.DrawFn) -> AnyQuestion:
    tests = [
        {
            "name": f"check {i}",
            "kind": "source",
            "check": draw(st.sampled_from(["contains", "not_contains", "regex"])),
            "expected": re.escape(draw(words)) if i % 2 else draw(words),
            "case_sensitive": draw(st.booleans()),
            "weight": draw(st.sampled_from([1.0, 2.0])),
        }
        for i in range(draw(st.integers(1, 4)))
    ]
    return make(
        type="code",
        tests=tests,
        points=draw(points),
        partial_credit=draw(st.booleans()),
    )


def _text_key(method: str, accepted: list[str], examples: dict[str, str]) -> str:
    if method == "contains":
        return " ".join(accepted)
    if method == "regex":
        pattern = accepted[0]
        # Strategies write regex keys as escaped literals; the sample bank names an example per pattern.
        return examples.get(pattern, re.sub(r"\\(.)", r"\1", pattern))
    return accepted[0]


def _rubric_key(question: ShortAnswerQuestion | EssayQuestion) -> str:
    return " . ".join(p for c in question.grading.rubric for p in c.key_phrases)


def _blank_key(blank: Blank, examples: dict[str, str]) -> str:
    return _text_key(blank.match, blank.accepted, examples)


def key_answer(question: AnyQuestion, examples: dict[str, str] | None = None) -> object:
    """An answer built from the question's key, in the shape a candidate sends."""
    examples = examples or {}
    if isinstance(question, McqQuestion | TrueFalseQuestion):
        return question.answer
    if isinstance(question, McqMultiQuestion):
        return list(question.answer)
    if isinstance(question, ShortAnswerQuestion):
        if question.grading.method in ("keywords", "ai"):
            return _rubric_key(question)
        return _text_key(question.grading.method, question.answer, examples)
    if isinstance(question, FillBlankQuestion):
        return [_blank_key(blank, examples) for blank in question.blanks]
    if isinstance(question, MatchingQuestion):
        return {pair.left: pair.right for pair in question.pairs}
    if isinstance(question, OrderingQuestion):
        return list(question.items)
    if isinstance(question, EssayQuestion):
        return _rubric_key(question) if question.grading.rubric else question.model_answer
    raise TypeError(f"no key answer for {question.type} questions")
