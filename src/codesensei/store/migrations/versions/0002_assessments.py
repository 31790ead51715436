"""Assessments, attempts, attempt items and per-scope metrics.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assessments",
        sa.Column("id", sa.String(128), primary_key=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("mode", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("definition", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "attempts",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "assessment_id", sa.String(128), sa.ForeignKey("assessments.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("user_name", sa.String(200), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("seed", sa.BigInteger, nullable=False),
        sa.Column("lottery_key", sa.BigInteger, nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("token_expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submit_reason", sa.String(20), nullable=True),
        sa.Column("current_position", sa.Integer, nullable=True),
        sa.Column("theta", sa.Float, nullable=True),
        sa.Column("stop_reason", sa.String(30), nullable=True),
        sa.Column("points_earned", sa.Float, nullable=True),
        sa.Column("points_possible", sa.Float, nullable=True),
        sa.Column("percentage", sa.Float, nullable=True),
        sa.Column("passed", sa.Boolean, nullable=True),
    )
    op.create_index("ix_attempts_assessment_user", "attempts", ["assessment_id", "user_name"])
    op.create_table(
        "attempt_items",
        sa.Column("attempt_id", sa.String(32), sa.ForeignKey("attempts.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("question_id", sa.String(128), nullable=False),
        sa.Column("question_version", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("answer", sa.JSON, nullable=True),
        sa.Column("points_earned", sa.Float, nullable=False),
        sa.Column("points_possible", sa.Float, nullable=False),
        sa.Column("correct", sa.Boolean, nullable=False),
        sa.Column("needs_review", sa.Boolean, nullable=False),
        sa.Column("grade", sa.JSON, nullable=True),
        sa.Column("hints_used", sa.Integer, nullable=False),
        sa.Column("time_spent_s", sa.Float, nullable=False),
        sa.Column("shown_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("exec_time_ms", sa.Float, nullable=True),
        sa.Column("memory_kb", sa.Integer, nullable=True),
        sa.Column("feedback", sa.Text, nullable=False),
    )
    op.create_table(
        "scope_metrics",
        sa.Column("user_name", sa.String(200), primary_key=True),
        sa.Column("scope", sa.String(200), primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("score_sum", sa.Float, nullable=False),
        sa.Column("time_sum_s", sa.Float, nullable=False),
        sa.Column("exec_count", sa.Integer, nullable=False),
        sa.Column("exec_time_sum_ms", sa.Float, nullable=False),
        sa.Column("memory_sum_kb", sa.Float, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("scope_metrics")
    op.drop_table("attempt_items")
    op.drop_index("ix_attempts_assessment_user", table_name="attempts")
    op.drop_table("attempts")
    op.drop_table("assessments")
