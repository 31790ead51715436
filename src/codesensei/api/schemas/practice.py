"""Practice: what a candidate asks to practise, the session it starts, and the topics to choose from."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from codesensei.api.schemas.attempts import AttemptStarted
from codesensei.bank.model import DifficultyLabel, QuestionType

# Topics are labels of the bank: printable text (no control characters, which no database stores alike).
Topic = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$")
]


class PracticeStart(BaseModel):
    topics: list[Topic] = Field(min_length=1, max_length=20, description="a question with any of them qualifies")
    difficulty_levels: list[DifficultyLabel] = Field(default_factory=list, description="none: every level")
    question_type: QuestionType | None = Field(default=None, description="only questions of this type")
    count: int = Field(default=5, ge=1, le=100, description="how many questions at most (fewer if fewer match)")
    duration_minutes: float | None = Field(default=None, gt=0, le=24 * 60, description="none: no time limit")
    adaptive: bool = Field(default=False, description="let the adaptive engine pick each question")


class PracticeStarted(AttemptStarted):
    """The practice attempt; every attempt endpoint (`/api/attempts/{attempt_id}/…`) serves it."""

    title: str
    instructions: str
    questions: int = Field(description="how many questions the session asks at most")
    duration_minutes: float | None


class TopicCountOut(BaseModel):
    topic: str
    total: int
    by_difficulty: dict[DifficultyLabel, int] = Field(description="active questions per difficulty level")


class PracticeTopics(BaseModel):
    topics: list[TopicCountOut]
