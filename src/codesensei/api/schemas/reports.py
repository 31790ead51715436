"""Results and reports, the review queue and score changes, metrics, and the assistant."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from codesensei.api.schemas.common import UtcDateTime
from codesensei.assistant.context import RequestKind
from codesensei.sessions.report import ReportState


class QuestionResultOut(BaseModel):
    position: int
    question_id: str
    version: int
    title: str
    type: str
    difficulty: str
    topics: list[str]
    status: str
    points_earned: float
    points_possible: float
    correct: bool
    needs_review: bool
    hints_used: int
    hint_penalty: float
    time_spent_s: float
    exec_time_ms: float | None
    memory_kb: int | None
    feedback: str
    answer: Any
    correct_answer: Any = Field(description="staff, or candidates when the feedback policy shows correct answers")
    explanation: str | None = Field(description="staff, or candidates when the feedback policy shows explanations")


class BreakdownOut(BaseModel):
    name: str
    questions: int
    points_earned: float
    points_possible: float
    percentage: float


class AttemptReportOut(BaseModel):
    attempt_id: str
    assessment_id: str
    title: str
    user: str
    number: int
    status: str
    submit_reason: str | None
    started_at: UtcDateTime
    submitted_at: UtcDateTime | None
    points_earned: float
    points_possible: float
    percentage: float
    passing_score: float
    passed: bool
    grade: str
    hints_used: int
    hint_penalty: float
    time_spent_s: float
    pending_review: int
    state: ReportState
    theta: float | None
    questions: list[QuestionResultOut]
    by_topic: list[BreakdownOut]
    by_difficulty: list[BreakdownOut]
    remediation: dict[str, list[str]] = Field(description="for weak topics, bank questions to practise")


class QueueEntryOut(BaseModel):
    attempt_id: str
    assessment_id: str
    user: str
    number: int
    submitted_at: UtcDateTime | None
    position: int
    question_id: str
    question_version: int
    type: str
    title: str
    points_earned: float
    points_possible: float
    feedback: str


class ReviewQueue(BaseModel):
    entries: list[QueueEntryOut]


class AuditEntryOut(BaseModel):
    id: int
    attempt_id: str
    position: int
    question_id: str
    question_version: int
    kind: str
    actor: str
    reason: str
    old_points: float
    new_points: float
    old_correct: bool
    new_correct: bool
    details: dict[str, Any]
    created_at: UtcDateTime


class AuditHistory(BaseModel):
    entries: list[AuditEntryOut]


class ReviewItemOut(BaseModel):
    attempt_id: str
    assessment_id: str
    user: str
    attempt_status: str
    position: int
    question_id: str
    question_version: int
    type: str
    title: str
    text: str
    grading_method: str
    rubric: list[dict[str, Any]]
    correct_answer: Any
    answer: Any
    status: str
    points_earned: float
    points_possible: float
    correct: bool
    needs_review: bool
    score_source: str
    feedback: str
    criteria: list[dict[str, Any]]
    hints_used: int
    hint_penalty: float
    history: list[AuditEntryOut]


class GradeRequest(BaseModel):
    points: float | None = Field(default=None, ge=0, description="the item's final points, or…")
    criteria: dict[str, float] | None = Field(default=None, description="…a score from 0 to 1 per rubric criterion")
    reason: str = Field(default="", max_length=2000)


class OverrideRequest(BaseModel):
    points: float = Field(ge=0)
    reason: str = Field(min_length=1, max_length=2000)


class ScoreChangeOut(BaseModel):
    audit_id: int
    attempt_id: str
    position: int
    question_id: str
    kind: str
    actor: str
    old_points: float
    new_points: float
    points_possible: float
    old_correct: bool
    new_correct: bool
    attempt_points_earned: float
    attempt_points_possible: float
    attempt_percentage: float
    attempt_passed_before: bool
    attempt_passed: bool
    pending_review: int
    state: ReportState


class MetricOut(BaseModel):
    scope: str = Field(description="`difficulty#topic`, with `all` for either: `medium#arrays`, `all#all`")
    count: int
    mean_score: float
    mean_time_s: float
    executions: int
    mean_exec_time_ms: float | None
    mean_memory_kb: float | None


class MetricsOut(BaseModel):
    user: str
    scopes: list[MetricOut]


class AssistantAsk(BaseModel):
    kind: RequestKind
    message: str = Field(default="", max_length=4000)
    code: str | None = Field(default=None, max_length=65536, description="the program being worked on")
    language: str | None = Field(default=None, max_length=40)
    position: int | None = Field(default=None, ge=1, description="for `review`: a submitted question's position")


class AssistantReplyOut(BaseModel):
    attempt_id: str
    position: int
    kind: str
    text: str
    provider: str
    tokens_used: int
    tokens_limit: int
    hint_number: int | None
    hint_penalty: float


class LoggedExchangeOut(BaseModel):
    position: int | None
    kind: str
    request: str
    reply: str
    provider: str
    prompt: list[dict[str, Any]] | None
    tokens: int
    created_at: UtcDateTime


class AssistantLog(BaseModel):
    exchanges: list[LoggedExchangeOut]


class ListedAttemptOut(BaseModel):
    attempt_id: str
    assessment_id: str
    title: str = Field(description="the assessment's title")
    user: str
    number: int
    status: Literal["in_progress", "submitted"]
    state: ReportState
    submit_reason: str | None
    started_at: UtcDateTime
    deadline_at: UtcDateTime | None
    submitted_at: UtcDateTime | None
    percentage: float | None
    passed: bool | None
    pending_review: int = Field(description="answers still waiting for a reviewer")


class AttemptPageOut(BaseModel):
    items: list[ListedAttemptOut]
    total: int = Field(description="how many attempts match the filters")
    limit: int
    offset: int
