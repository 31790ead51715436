"""Assessments: the brief form everyone may see, and the full definition for staff."""

from __future__ import annotations

from typing import cast

from pydantic import BaseModel, Field

from codesensei.api.schemas.attempts import AssistantKind, AssistantMode
from codesensei.api.schemas.common import UtcDateTime
from codesensei.sessions.aids import assistant_kinds
from codesensei.sessions.assessments import AssessmentInfo
from codesensei.sessions.definition import Access, AssessmentDefinition, FeedbackMode, Mode


class AssistantPolicyOut(BaseModel):
    mode: AssistantMode
    available: bool = Field(description="whether attempts at this assessment may ask the assistant")
    kinds: list[AssistantKind] = Field(description="the request kinds the policy allows")


class AssessmentBrief(BaseModel):
    """What a candidate may know before starting: no question ids, pools or other candidates' accommodations."""

    id: str
    title: str
    instructions: str
    mode: Mode
    status: str
    access: Access
    questions: int
    duration_minutes: float | None
    question_time_limit_s: float | None
    max_attempts: int | None
    opens_at: UtcDateTime | None
    closes_at: UtcDateTime | None
    feedback: FeedbackMode
    hints_allowed: bool
    hint_penalty: float = Field(description="points taken off a question per hint used")
    assistant: AssistantPolicyOut
    published_at: UtcDateTime | None

    @classmethod
    def of(cls, info: AssessmentInfo) -> AssessmentBrief:
        d = info.definition
        return cls(
            id=d.id, title=d.title, instructions=d.instructions, mode=d.mode, status=info.status, access=d.access,
            questions=d.size, duration_minutes=d.duration_minutes, question_time_limit_s=d.question_time_limit_s,
            max_attempts=d.max_attempts, opens_at=d.opens_at, closes_at=d.closes_at, feedback=d.feedback.mode,
            hints_allowed=d.hints.allowed, hint_penalty=d.hints.penalty,
            assistant=AssistantPolicyOut(
                mode=d.assistant.mode, available=d.assistant.mode != "off",
                kinds=cast(list[AssistantKind], list(assistant_kinds(d))),
            ),
            published_at=info.published_at,
        )


class AssessmentList(BaseModel):
    assessments: list[AssessmentBrief]


class AssessmentOut(BaseModel):
    id: str
    title: str
    mode: Mode
    status: str
    published_at: UtcDateTime | None
    definition: AssessmentDefinition

    @classmethod
    def of(cls, info: AssessmentInfo) -> AssessmentOut:
        d = info.definition
        return cls(id=d.id, title=d.title, mode=d.mode, status=info.status, published_at=info.published_at,
                   definition=d)
