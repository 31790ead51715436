"""What help an attempt offers, and the hints a candidate already revealed (to show them again after a reload).

Both read the assessment's hint and assistant policies; neither reveals anything the candidate has not
been shown or may not ask for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from codesensei.bank.service import get_question
from codesensei.errors import NotFound
from codesensei.sessions.attempts import Credential, Loaded, authorize, expire_if_due, is_open
from codesensei.sessions.clock import now_utc
from codesensei.sessions.definition import AssessmentDefinition

# What the assistant answers in each mode; a code review is feedback, so it also needs a feedback policy.
ASSISTANT_KINDS: dict[str, tuple[str, ...]] = {
    "off": (),
    "hints": ("hint",),
    "full": ("explain", "debug", "hint", "review", "chat"),
}


def assistant_kinds(definition: AssessmentDefinition) -> tuple[str, ...]:
    kinds = ASSISTANT_KINDS[definition.assistant.mode]
    if definition.feedback.mode == "never":
        kinds = tuple(k for k in kinds if k != "review")
    return kinds


@dataclass(frozen=True)
class Aids:
    """The help an attempt offers right now: hints on the current question and the assistant."""

    hints_allowed: bool
    hint_penalty: float
    hints_used: int
    hints_left: int
    assistant_mode: str
    assistant_available: bool
    assistant_kinds: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "hints": {
                "allowed": self.hints_allowed, "penalty": self.hint_penalty, "used": self.hints_used,
                "left": self.hints_left,
            },
            "assistant": {
                "mode": self.assistant_mode, "available": self.assistant_available, "kinds": list(self.assistant_kinds),
            },
        }


def aids_of(session: Session, loaded: Loaded, now: datetime) -> Aids:
    """The attempt's help at `now`: hints left on the waiting question, and whether the assistant answers."""
    definition = loaded.definition
    open_ = is_open(loaded.row, now)
    current = loaded.current if open_ else None
    used = current.hints_used if current is not None else 0
    left = 0
    if definition.hints.allowed and current is not None:
        left = max(0, len(get_question(session, current.question_id, current.question_version).hints) - used)
    return Aids(
        hints_allowed=definition.hints.allowed, hint_penalty=definition.hints.penalty, hints_used=used,
        hints_left=left, assistant_mode=definition.assistant.mode,
        assistant_available=open_ and current is not None and definition.assistant.mode != "off",
        assistant_kinds=assistant_kinds(definition),
    )


@dataclass(frozen=True)
class RevealedHint:
    number: int
    text: str


@dataclass(frozen=True)
class RevealedHints:
    attempt_id: str
    position: int
    question_id: str
    penalty_per_hint: float
    hints: list[RevealedHint]
    remaining: int

    def to_json(self) -> dict[str, Any]:
        return {
            "attempt_id": self.attempt_id,
            "position": self.position,
            "question_id": self.question_id,
            "penalty_per_hint": self.penalty_per_hint,
            "hints": [h.__dict__ for h in self.hints],
            "remaining": self.remaining,
        }


def revealed_hints(
    session: Session, attempt_id: str, token: Credential, position: int | None = None, now: datetime | None = None
) -> RevealedHints:
    """The hints already taken on a question (default: the waiting one), in the order they were revealed.

    Only the rungs the candidate paid for come back; the rest of the ladder stays hidden.
    """
    now = now or now_utc()
    loaded = authorize(session, attempt_id, token, now)
    expire_if_due(loaded, now)
    if position is None:
        item = loaded.current if is_open(loaded.row, now) else None
        if item is None:
            raise NotFound(f"attempt '{attempt_id}' has no waiting question; name a position")
    else:
        found = loaded.item_at(position)
        if found is None:
            raise NotFound(f"attempt '{attempt_id}' has no question at position {position}")
        item = found
    question = get_question(session, item.question_id, item.question_version)
    shown = question.hints[: item.hints_used]
    policy = loaded.definition.hints
    # Hints are taken on the waiting question only: elsewhere no more can be revealed.
    waiting = is_open(loaded.row, now) and item is loaded.current
    remaining = len(question.hints) - len(shown) if policy.allowed and waiting else 0
    return RevealedHints(
        attempt_id=attempt_id, position=item.position, question_id=item.question_id,
        penalty_per_hint=policy.penalty, hints=[RevealedHint(n, text) for n, text in enumerate(shown, start=1)],
        remaining=remaining,
    )
