"""Taking an assessment: the question as the candidate sees it, answers, hints, time, progress, history.

`QuestionView` has the type-specific parts of every question type as optional fields; nothing in it can
hold a key, a hidden test, a reference solution or an explanation.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, JsonValue

from codesensei.api.schemas.common import UtcDateTime


class OptionOut(BaseModel):
    key: str
    text: str


class SampleTestOut(BaseModel):
    name: str
    input: str | None = Field(default=None, description="stdin of a `stdio` test")
    args: list[Any] | None = Field(default=None, description="arguments of a `call` test")
    expected: Any = None


class CodeLimitsOut(BaseModel):
    time_s: float
    memory_mb: int


class QuestionView(BaseModel):
    question_id: str
    version: int
    type: str
    title: str
    text: str = Field(description="Markdown")
    points: float
    topics: list[str]
    difficulty: Literal["easy", "medium", "hard"]
    hints_available: int
    options: list[OptionOut] | None = Field(default=None, description="mcq, mcq_multi (in the attempt's order)")
    select: Literal["one", "many"] | None = None
    items: list[str] | None = Field(default=None, description="ordering: the items, shuffled")
    lefts: list[str] | None = Field(default=None, description="matching: the left-hand items")
    rights: list[str] | None = Field(default=None, description="matching: the right-hand choices, shuffled")
    blanks: int | None = Field(default=None, description="fill_blank: how many blanks")
    min_words: int | None = None
    max_words: int | None = None
    languages: list[str] | None = Field(default=None, description="code: the languages an answer may use")
    starter: dict[str, str] | None = None
    entry_point: str | None = None
    limits: CodeLimitsOut | None = None
    sample_tests: list[SampleTestOut] | None = None


class AttemptStarted(BaseModel):
    attempt_id: str
    assessment_id: str
    number: int
    deadline_at: UtcDateTime | None
    question: QuestionView | None


class CurrentQuestionOut(BaseModel):
    attempt_id: str
    status: str
    position: int | None
    total: int
    remaining_s: float | None
    question: QuestionView | None
    stop_reason: str | None
    question_time_limit_s: float | None = Field(description="each question's own limit, if the assessment sets one")
    question_remaining_s: float | None = Field(
        description="seconds left on this question by the server's clock (null: no per-question limit)"
    )
    server_time: UtcDateTime = Field(description="the server's clock when this was computed, to sync a countdown")


class AnswerRequest(BaseModel):
    answer: JsonValue = Field(
        description="the answer in its type's JSON shape: a key, a list of keys, true/false, text, a list of "
        "blank texts, a left→right mapping, the ordered items, or {language, source} for code"
    )
    position: int | None = Field(default=None, ge=1, description="answer this (skipped) position instead")


class AnswerFeedback(BaseModel):
    points_earned: float
    points_possible: float
    correct: bool
    message: str
    needs_review: bool
    correct_answer: Any = Field(default=None, description="only when the feedback policy shows correct answers")
    explanation: str | None = Field(default=None, description="only when the feedback policy shows explanations")


class AnswerAck(BaseModel):
    recorded: bool
    attempt_id: str
    position: int
    question_id: str
    status: str
    time_spent_s: float
    next_position: int | None
    finished: bool
    feedback: AnswerFeedback | None = Field(description="only when the feedback policy is `immediate`")


class SkipRequest(BaseModel):
    to: int | None = Field(default=None, ge=1, description="go to this position instead of the next open one")


class HintOut(BaseModel):
    position: int
    number: int
    text: str
    penalty: float
    remaining: int


class ReviewEntryOut(BaseModel):
    position: int
    question_id: str
    status: str
    hints_used: int
    time_spent_s: float


class ReviewOut(BaseModel):
    attempt_id: str
    status: str
    questions: list[ReviewEntryOut]


class TimeOut(BaseModel):
    attempt_id: str
    status: str
    started_at: UtcDateTime
    deadline_at: UtcDateTime | None
    remaining_s: float | None
    question_remaining_s: float | None


class ProgressOut(BaseModel):
    attempt_id: str
    status: str
    total: int
    answered: int
    skipped: int
    unanswered: int
    current_position: int | None


class HintStateOut(BaseModel):
    allowed: bool = Field(description="whether the assessment gives hints at all")
    penalty: float = Field(description="points taken off a question per hint used")
    used: int = Field(description="hints taken on the waiting question")
    left: int = Field(description="hints still available on the waiting question")


AssistantMode = Literal["off", "hints", "full"]
AssistantKind = Literal["explain", "debug", "hint", "review", "chat"]


class AssistantStateOut(BaseModel):
    mode: AssistantMode
    available: bool = Field(description="whether the assistant answers questions about the waiting question now")
    kinds: list[AssistantKind] = Field(description="the request kinds the policy allows")


class ResumeOut(BaseModel):
    attempt_id: str
    assessment_id: str
    title: str
    user: str
    mode: str
    status: str
    submit_reason: str | None
    can_skip: bool
    position: int | None
    total: int
    remaining_s: float | None
    deadline_at: UtcDateTime | None
    question_remaining_s: float | None
    progress: ProgressOut
    question: QuestionView | None
    stop_reason: str | None
    question_time_limit_s: float | None
    server_time: UtcDateTime
    hints: HintStateOut
    assistant: AssistantStateOut


class AttemptSummaryOut(BaseModel):
    attempt_id: str
    assessment_id: str
    number: int
    status: str
    started_at: UtcDateTime
    submitted_at: UtcDateTime | None
    percentage: float | None
    passed: bool | None


class AttemptList(BaseModel):
    attempts: list[AttemptSummaryOut]


class RevealedHintOut(BaseModel):
    number: int
    text: str


class RevealedHintsOut(BaseModel):
    attempt_id: str
    position: int
    question_id: str
    penalty_per_hint: float
    hints: list[RevealedHintOut] = Field(description="the hints already taken, in the order they were revealed")
    remaining: int = Field(description="how many more may be taken now (0 unless this is the waiting question)")


class OwnExchangeOut(BaseModel):
    """One assistant exchange as the candidate saw it (the audit view adds the prompts sent to the model)."""

    position: int | None
    kind: str
    request: str
    reply: str
    created_at: UtcDateTime


class OwnAssistantLog(BaseModel):
    attempt_id: str
    exchanges: list[OwnExchangeOut]
