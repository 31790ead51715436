"""Answering and hints: grade, record (with time spent and question version), update metrics, move on.

The answer is written in the caller's transaction; the boundary commits it before acknowledging, so an
acknowledged answer is durable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from codesensei.bank.service import get_question
from codesensei.metrics.scopes import record_completion
from codesensei.sessions.attempts import Credential, advance, authorize, leave, move_to, require_open
from codesensei.sessions.clock import now_utc
from codesensei.sessions.errors import ActionNotAllowed
from codesensei.sessions.judging import Judge, grade_answer
from codesensei.sessions.view import correct_answer
from codesensei.store.questions import QuestionRepository

# Network and judging delays should not cost a candidate a question with a time limit.
QUESTION_GRACE_S = 2.0


@dataclass(frozen=True)
class AnswerAck:
    """The acknowledgement of a recorded answer; `feedback` only when the policy is `immediate`."""

    attempt_id: str
    position: int
    question_id: str
    status: str
    time_spent_s: float
    next_position: int | None
    finished: bool
    feedback: dict[str, Any] | None

    def to_json(self) -> dict[str, Any]:
        return {"recorded": True, **self.__dict__}


@dataclass(frozen=True)
class Hint:
    position: int
    number: int
    text: str
    penalty: float
    remaining: int

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def answer_question(
    session: Session,
    attempt_id: str,
    token: Credential,
    answer: object,
    *,
    position: int | None = None,
    now: datetime | None = None,
    judge: Judge | None = None,
) -> AnswerAck:
    """Grade and record the answer to the current question (or to `position`, coming back to a skipped one)."""
    now = now or now_utc()
    loaded = authorize(session, attempt_id, token, now, for_update=True)
    require_open(loaded, now)
    definition = loaded.definition
    if position is not None and position != loaded.row.current_position:
        if not definition.can_skip:
            raise ActionNotAllowed(f"{definition.mode} assessments are answered in order")
        move_to(loaded, position, now)
    item = loaded.current
    if item is None:
        raise ActionNotAllowed("no question is waiting for an answer; submit the attempt")
    question = get_question(session, item.question_id, item.question_version)
    graded = grade_answer(question, answer, judge)
    result = graded.result

    leave(item, now)
    limit = definition.question_time_limit_s
    timed_out = limit is not None and item.time_spent_s > limit + QUESTION_GRACE_S
    penalty = item.hints_used * definition.hints.penalty
    item.status = "timed_out" if timed_out else "answered"
    item.answer = answer
    item.points_earned = 0.0 if timed_out else max(0.0, result.points_earned - penalty)
    item.correct = result.correct and not timed_out
    item.needs_review = result.needs_review and not timed_out
    item.grade = {**result.to_json(), "fraction": result.fraction, "verdict": graded.verdict}
    item.feedback = "answered after the question's time limit" if timed_out else result.feedback
    item.answered_at = now
    item.exec_time_ms = graded.exec_time_ms
    item.memory_kb = graded.memory_kb

    QuestionRepository(session).record_use(question.id, correct=item.correct, time_s=item.time_spent_s)
    record_completion(
        session, loaded.row.user_name, difficulty_level=question.difficulty_level, topics=question.topics,
        score_percent=100.0 * item.points_earned / item.points_possible if item.points_possible else 0.0,
        time_s=item.time_spent_s, exec_time_ms=graded.exec_time_ms, memory_kb=graded.memory_kb, when=now,
    )
    advance(session, loaded, item, now)
    session.flush()

    feedback: dict[str, Any] | None = None
    if definition.feedback.mode == "immediate":
        feedback = {
            "points_earned": item.points_earned,
            "points_possible": item.points_possible,
            "correct": item.correct,
            "message": item.feedback,
            "needs_review": item.needs_review,
        }
        if definition.feedback.show_correct_answers:
            feedback["correct_answer"] = correct_answer(question)
        if definition.feedback.show_explanations:
            feedback["explanation"] = question.explanation
    return AnswerAck(
        attempt_id=attempt_id, position=item.position, question_id=item.question_id, status=item.status,
        time_spent_s=round(item.time_spent_s, 3), next_position=loaded.row.current_position,
        finished=loaded.row.current_position is None, feedback=feedback,
    )


def take_hint(session: Session, attempt_id: str, token: Credential, now: datetime | None = None) -> Hint:
    """The next hint of the current question's ladder; each one costs the policy's penalty."""
    now = now or now_utc()
    loaded = authorize(session, attempt_id, token, now, for_update=True)
    require_open(loaded, now)
    policy = loaded.definition.hints
    if not policy.allowed:
        raise ActionNotAllowed("this assessment does not allow hints")
    item = loaded.current
    if item is None:
        raise ActionNotAllowed("no question is waiting for an answer")
    question = get_question(session, item.question_id, item.question_version)
    if item.hints_used >= len(question.hints):
        raise ActionNotAllowed(f"question {item.position} has no more hints")
    text = question.hints[item.hints_used]
    item.hints_used += 1
    session.flush()
    return Hint(item.position, item.hints_used, text, policy.penalty, len(question.hints) - item.hints_used)
