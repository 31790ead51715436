"""AI grading of the review queue: essays and short answers whose questions ask for `grading.method: ai`.

A grade the model's evidence supports becomes the item's score (audit kind `ai`, actor the model);
a failed or suspicious grade stays in the queue for a person, with the model's justification kept
beside it so the reviewer sees what the model thought and why it was not trusted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from codesensei.assistant.ai_grading import grade_with_model
from codesensei.assistant.llm import ChatModel
from codesensei.bank.model import EssayQuestion, ShortAnswerQuestion
from codesensei.bank.service import get_question
from codesensei.sessions.attempts import load
from codesensei.sessions.clock import now_utc
from codesensei.sessions.rescoring import NewScore, apply_score, item_at
from codesensei.sessions.review import review_queue


@dataclass(frozen=True)
class AiReviewOutcome:
    attempt_id: str
    position: int
    question_id: str
    points_earned: float
    points_possible: float
    graded: bool
    note: str

    def to_json(self) -> dict[str, Any]:
        return self.__dict__.copy()


def ai_grade_queue(
    session: Session, model: ChatModel, *, assessment_id: str | None = None, now: datetime | None = None
) -> list[AiReviewOutcome]:
    """Grade every queued answer whose question asks for AI grading and that the model has not graded yet."""
    now = now or now_utc()
    outcomes = []
    for entry in review_queue(session, assessment_id, now):
        question = get_question(session, entry.question_id, entry.question_version)
        if not isinstance(question, ShortAnswerQuestion | EssayQuestion) or question.grading.method != "ai":
            continue
        loaded = load(session, entry.attempt_id, for_update=True)
        item = item_at(loaded, entry.position)
        if (item.grade or {}).get("ai_model") is not None or item.score_source != "auto":
            continue  # the model already had its say; a person decides now
        text = item.answer if isinstance(item.answer, str) else ""
        grade = grade_with_model(question, text, model)
        result = grade.result
        penalty = item.hints_used * loaded.definition.hints.penalty if item.status == "answered" else 0.0
        earned = 0.0 if result.needs_review else max(0.0, result.points_earned - penalty)
        correct = not result.needs_review and earned >= item.points_possible
        new = NewScore(
            points_earned=earned, points_possible=item.points_possible, correct=correct,
            needs_review=result.needs_review,
            grade={**result.to_json(), "points_earned": earned, "correct": correct, "ai_model": grade.model,
                   "ai_suggested_points": result.points_earned, "ai_rejected": list(grade.rejected),
                   "source": "ai"},
            feedback=result.feedback, question_version=item.question_version,
            source="auto" if result.needs_review else "ai",
            exec_time_ms=item.exec_time_ms, memory_kb=item.memory_kb,
        )
        reason = "AI rubric grading" if not result.needs_review else "AI grading not trusted; left for review"
        apply_score(session, loaded, item, new, kind="ai", actor=f"ai:{grade.model}", reason=reason, now=now,
                    details={"attempts": grade.attempts, "rejected": list(grade.rejected), "reply": grade.raw_reply})
        outcomes.append(AiReviewOutcome(entry.attempt_id, entry.position, entry.question_id, earned,
                                        item.points_possible, not result.needs_review, result.feedback))
    return outcomes
