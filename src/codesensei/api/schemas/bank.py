"""Questions as authors see them: summaries, the full question in the bank format, import reports."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class QuestionSummaryOut(BaseModel):
    id: str
    type: str
    title: str
    difficulty: str
    version: int
    topics: list[str]
    languages: list[str]
    active: bool = Field(description="false: archived (listed only with `include_inactive`)")


class QuestionPage(BaseModel):
    items: list[QuestionSummaryOut]
    total: int
    limit: int
    offset: int


class QuestionStatistics(BaseModel):
    times_shown: int
    times_correct: int
    mean_time_s: float | None


class QuestionDetailOut(BaseModel):
    question: dict[str, Any] = Field(description="the question in the bank file format (`GET /api/questions/schema`)")
    version: int
    versions: list[int]
    active: bool
    statistics: QuestionStatistics


class FileImportOut(BaseModel):
    path: str
    created: list[str]
    updated: list[str]
    unchanged: list[str]


class ImportReportOut(BaseModel):
    created: int
    updated: int
    unchanged: int
    files: list[FileImportOut]


class BankValidationOut(BaseModel):
    valid: bool
    problems: list[str] = Field(default_factory=list, description="one per line, as `sensei bank validate` prints")
    files: int = 0
    questions: int = 0
    by_type: dict[str, int] = Field(default_factory=dict)
    ids: list[str] = Field(default_factory=list, description="the question ids the file holds, in file order")
