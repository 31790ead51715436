"""Metrics over sets of attempts: per assessment and across assessments, by topic × difficulty."""

from __future__ import annotations

from pydantic import BaseModel, Field

from codesensei.api.schemas.reports import MetricOut
from codesensei.metrics.scopes import ScopeMetrics


class ScopeMetricOut(MetricOut):
    difficulty: str = Field(description="`easy`, `medium`, `hard`, or `all`")
    topic: str = Field(description="a topic, or `all`")

    @classmethod
    def of(cls, metrics: ScopeMetrics) -> ScopeMetricOut:
        difficulty, _, topic = metrics.scope.partition("#")
        return cls.model_validate({**metrics.to_json(), "difficulty": difficulty, "topic": topic})


class AssessmentMetricsOut(BaseModel):
    assessment_id: str
    title: str
    user: str | None = Field(description="whose attempts count; null: every candidate's")
    scopes: list[ScopeMetricOut] = Field(description="answered questions of the assessment's attempts, by scope")


class CrossMetricsOut(BaseModel):
    assessment_ids: list[str] = Field(description="the assessments asked for; empty: every assessment")
    include_practice: bool
    user: str | None = Field(description="whose attempts count; null: every candidate's")
    scopes: list[ScopeMetricOut]
