"""The assessment definition: what an author writes in YAML and what attempts are run against.

Validated with Pydantic, so an error always names the field path (`feedback.mode`, `questions`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from codesensei.bank.model import DifficultyLabel, QuestionType

Mode = Literal["fixed", "random", "adaptive"]
FeedbackMode = Literal["immediate", "after_submission", "never"]
Proctoring = Literal["none", "basic", "strict"]
# Who may take it over the API: invited candidates only, or every signed-in user (practice, open quizzes).
Access = Literal["invited", "public"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Pool(Strict):
    """Which bank questions a `random` or `adaptive` assessment draws from (all filters must match)."""

    topics: list[str] = Field(default_factory=list)
    skills: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    types: list[QuestionType] = Field(default_factory=list)
    difficulty_levels: list[DifficultyLabel] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    practice_only: bool = Field(
        default=False, description="only questions their author opened to practice (practice sessions set this)"
    )


class FeedbackPolicy(Strict):
    mode: FeedbackMode = "after_submission"
    show_correct_answers: bool = False
    show_explanations: bool = False


class HintPolicy(Strict):
    allowed: bool = False
    penalty: float = Field(default=0.0, ge=0, description="points taken off a question per hint used")


class AssistantPolicy(Strict):
    """What the assistant may do during an attempt; hints it gives cost `hints.penalty` like any hint."""

    mode: Literal["off", "hints", "full"] = "off"
    token_budget: int | None = Field(default=None, ge=0, description="model tokens per attempt; default from settings")


class Accommodation(Strict):
    extra_time_multiplier: float = Field(default=1.0, ge=1.0, le=10.0)


class AdaptiveRules(Strict):
    """Stopping and balancing for `adaptive` mode; `question_count` is the maximum number of items."""

    min_items: int = Field(default=0, ge=0)
    se_threshold: float | None = Field(default=None, gt=0)
    estimator: Literal["eap", "map", "mle"] = "eap"
    exposure: Literal["none", "randomesque", "random"] = "randomesque"
    top_k: int = Field(default=3, ge=1)
    topic_targets: dict[str, float] = Field(default_factory=dict)


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class AssessmentDefinition(Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
    title: str = Field(min_length=1, max_length=300)
    instructions: str = ""
    mode: Mode = "fixed"
    questions: list[str] = Field(default_factory=list, description="question ids, for `fixed` mode")
    pool: Pool = Field(default_factory=Pool)
    question_count: int | None = Field(default=None, ge=1, le=500)
    duration_minutes: float | None = Field(default=None, gt=0, le=7 * 24 * 60)
    question_time_limit_s: float | None = Field(default=None, gt=0)
    shuffle_questions: bool = False
    shuffle_options: bool = False
    max_attempts: int | None = Field(default=1, ge=1)
    cooldown_minutes: float = Field(default=0.0, ge=0)
    passing_score: float = Field(default=60.0, ge=0, le=100)
    feedback: FeedbackPolicy = Field(default_factory=FeedbackPolicy)
    hints: HintPolicy = Field(default_factory=HintPolicy)
    assistant: AssistantPolicy = Field(default_factory=AssistantPolicy)
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    proctoring: Proctoring = "none"
    access: Access = "invited"
    accommodations: dict[str, Accommodation] = Field(default_factory=dict)
    adaptive: AdaptiveRules = Field(default_factory=AdaptiveRules)
    token_ttl_hours: float = Field(default=24.0, gt=0, description="how long a resume token stays valid")

    @field_validator("opens_at", "closes_at")
    @classmethod
    def _as_utc(cls, value: datetime | None) -> datetime | None:
        return _utc(value)

    @model_validator(mode="after")
    def _consistent(self) -> AssessmentDefinition:
        if self.mode == "fixed":
            if not self.questions:
                raise ValueError("questions: a fixed assessment lists at least one question id")
            duplicates = sorted({q for q in self.questions if self.questions.count(q) > 1})
            if duplicates:
                raise ValueError(f"questions: listed more than once: {', '.join(duplicates)}")
            if self.question_count not in (None, len(self.questions)):
                raise ValueError("question_count: a fixed assessment asks every listed question")
        elif self.question_count is None:
            raise ValueError(f"question_count: required in {self.mode} mode")
        elif self.questions:
            raise ValueError(f"questions: only fixed assessments list questions; {self.mode} draws from `pool`")
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValueError("closes_at: must be after opens_at")
        if self.adaptive.min_items and self.question_count and self.adaptive.min_items > self.question_count:
            raise ValueError("adaptive.min_items: cannot exceed question_count")
        return self

    @property
    def size(self) -> int:
        """How many questions an attempt asks at most."""
        return len(self.questions) if self.mode == "fixed" else int(self.question_count or 0)

    @property
    def can_skip(self) -> bool:
        return self.mode != "adaptive"

    def time_multiplier(self, user_name: str) -> float:
        accommodation = self.accommodations.get(user_name)
        return accommodation.extra_time_multiplier if accommodation else 1.0
