"""ORM tables of assessments, attempts, attempt items, per-scope metrics and the score audit (storage shape only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from codesensei.store.tables import Base, utcnow


class AssessmentRow(Base):
    """One assessment definition; `definition` is the validated model as JSON, `status` draft or published."""

    __tablename__ = "assessments"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    mode: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AttemptRow(Base):
    """One candidate's attempt at an assessment, with its seed, clock, session-token hash and final score."""

    __tablename__ = "attempts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    assessment_id: Mapped[str] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    user_name: Mapped[str] = mapped_column(String(200))
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="in_progress")
    seed: Mapped[int] = mapped_column(BigInteger)
    lottery_key: Mapped[int] = mapped_column(BigInteger)
    token_hash: Mapped[str] = mapped_column(String(64))
    token_expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    deadline_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    submit_reason: Mapped[str | None] = mapped_column(String(20), nullable=True)
    current_position: Mapped[int | None] = mapped_column(Integer, nullable=True)
    theta: Mapped[float | None] = mapped_column(Float, nullable=True)
    stop_reason: Mapped[str | None] = mapped_column(String(30), nullable=True)
    points_earned: Mapped[float | None] = mapped_column(Float, nullable=True)
    points_possible: Mapped[float | None] = mapped_column(Float, nullable=True)
    percentage: Mapped[float | None] = mapped_column(Float, nullable=True)
    passed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)

    __table_args__ = (
        Index("ix_attempts_assessment_user", "assessment_id", "user_name"),
        # Results exports page through attempts in start order (keyset pagination on started_at, id).
        Index("ix_attempts_started_at", "started_at", "id"),
    )


class AttemptItemRow(Base):
    """One question of an attempt, at the version the attempt used, with its answer, grade and time."""

    __tablename__ = "attempt_items"

    attempt_id: Mapped[str] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[str] = mapped_column(String(128))
    question_version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    answer: Mapped[Any] = mapped_column(JSON, nullable=True)
    points_earned: Mapped[float] = mapped_column(Float, default=0.0)
    points_possible: Mapped[float] = mapped_column(Float)
    correct: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    grade: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    hints_used: Mapped[int] = mapped_column(Integer, default=0)
    time_spent_s: Mapped[float] = mapped_column(Float, default=0.0)
    shown_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    exec_time_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    memory_kb: Mapped[int | None] = mapped_column(Integer, nullable=True)
    feedback: Mapped[str] = mapped_column(Text, default="")
    # Who set the current score: `auto` (a grader, at answer time or by a regrade), `review` (a reviewer
    # graded an item that needed review) or `override` (a reviewer replaced an automatic score). A regrade
    # leaves human scores alone unless asked to include them.
    score_source: Mapped[str] = mapped_column(String(20), default="auto", server_default="auto")

    __table_args__ = (
        # Regrading finds every item that used a question; the review queue finds items needing review.
        Index("ix_attempt_items_question", "question_id"),
        Index("ix_attempt_items_needs_review", "needs_review", "attempt_id"),
    )


class ScopeMetricRow(Base):
    """Running sums per (user, scope) — `medium#arrays`, `all#arrays`, `medium#all`, `all#all` — for averages."""

    __tablename__ = "scope_metrics"

    user_name: Mapped[str] = mapped_column(String(200), primary_key=True)
    scope: Mapped[str] = mapped_column(String(200), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    score_sum: Mapped[float] = mapped_column(Float, default=0.0)
    time_sum_s: Mapped[float] = mapped_column(Float, default=0.0)
    exec_count: Mapped[int] = mapped_column(Integer, default=0)
    exec_time_sum_ms: Mapped[float] = mapped_column(Float, default=0.0)
    memory_sum_kb: Mapped[float] = mapped_column(Float, default=0.0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ScoreAuditRow(Base):
    """One change to an attempt item's score — a review, an override or a regrade — written once, never updated.

    `question_version` is the version the new score was graded against; `details` holds what the change
    needs to be understood later (criterion scores of a rubric review, the previous version of a regrade).
    """

    __tablename__ = "score_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    attempt_id: Mapped[str] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[str] = mapped_column(String(128))
    question_version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text, default="")
    old_points: Mapped[float] = mapped_column(Float)
    new_points: Mapped[float] = mapped_column(Float)
    old_correct: Mapped[bool] = mapped_column(Boolean)
    new_correct: Mapped[bool] = mapped_column(Boolean)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (Index("ix_score_audit_attempt", "attempt_id", "position"),)
