"""The starter bank's authoring rules (docs/starter-bank.md), checked on the question model alone.

Each function returns the rules a question breaks, one line each; an empty list means it follows them all.
"""

from __future__ import annotations

import re

from codesensei.bank.model import AnyQuestion, CodeQuestion, ExpectedOutputTest, StdioTest
from codesensei.bank.starter import TOPICS

POINTS = {"easy": 5.0, "medium": 10.0, "hard": 15.0}
MIN_HIDDEN = 10
MIN_HIDDEN_DEBUGGING = 6
SAMPLES = (1, 3)
HINTS = 3
REQUIRED_LANGUAGES = ("python", "javascript")


def _count(question: CodeQuestion, expect: str, language: str | None = None) -> int:
    return sum(1 for s in question.solutions if s.expect == expect and (language is None or s.language == language))


def problem_rules(question: CodeQuestion, *, debugging: bool) -> list[str]:
    """A programming problem's rules; debugging items need fewer hidden tests and no performance test."""
    broken: list[str] = []
    if not debugging:
        topic = question.topics[0] if question.topics else ""
        if topic not in TOPICS:
            broken.append(f"the first topic must be one of the starter topics, not {topic or 'nothing'!r}")
        elif not question.id.startswith(f"{topic}."):
            broken.append(f"the id must start with its first topic: '{topic}.<slug>'")
    if not isinstance(question.difficulty, str):
        broken.append("difficulty must be easy, medium or hard")
    elif question.points != POINTS[question.difficulty]:
        broken.append(f"{question.difficulty} problems are worth {POINTS[question.difficulty]:g} points")
    if not re.search(r"constraints", question.text, re.IGNORECASE):
        broken.append("the statement needs a Constraints list")
    if not re.search(r"example", question.text, re.IGNORECASE):
        broken.append("the statement needs an Example")
    if not question.explanation.strip():
        broken.append("an explanation of the intended algorithm is required")
    missing = [name for name in REQUIRED_LANGUAGES if name not in question.languages]
    if missing:
        broken.append(f"languages must include {', '.join(missing)}")
    without_starter = [name for name in question.languages if not question.starter.get(name, "").strip()]
    if without_starter:
        broken.append(f"a starter is needed for {', '.join(without_starter)}")
    generated = [t for t in question.tests if isinstance(t, ExpectedOutputTest) and t.generated]
    samples = [t for t in question.tests if t.visibility == "sample"]
    hidden = [t for t in question.tests if t.visibility == "hidden" and t not in generated]
    low, high = SAMPLES
    if not low <= len(samples) <= high:
        broken.append(f"{len(samples)} sample tests; {low} to {high} are required")
    least = MIN_HIDDEN_DEBUGGING if debugging else MIN_HIDDEN
    if len(hidden) < least:
        broken.append(f"{len(hidden)} hidden tests; at least {least} are required (besides a performance test)")
    if any(isinstance(t, StdioTest) for t in question.tests) and not debugging:
        absent = [name for name in ("cpp", "java") if name not in question.languages]
        if absent:
            broken.append(f"a stdio problem also lists {', '.join(absent)}")
    if len(question.hints) != HINTS:
        broken.append(f"{len(question.hints)} hints; exactly {HINTS} are required (nudge, approach, near-solution)")
    for language in REQUIRED_LANGUAGES:
        if not _count(question, "accepted", language):
            broken.append(f"an accepted {language} solution is required")
    if not _count(question, "wrong"):
        broken.append("at least one wrong solution is required")
    if not debugging:
        if not _count(question, "slow"):
            broken.append("at least one slow solution is required")
        if not generated:
            broken.append("a generated performance test is required")
    return broken


def quiz_rules(question: AnyQuestion) -> list[str]:
    """A non-code starter question needs topics and an explanation (its key is checked by grading it)."""
    broken: list[str] = []
    if not question.topics:
        broken.append("topics are required")
    if not question.explanation.strip():
        broken.append("an explanation is required")
    return broken
