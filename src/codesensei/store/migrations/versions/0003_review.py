"""Human review and regrading: the score audit trail, who set each item's score, and lookup indexes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "score_audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("attempt_id", sa.String(32), sa.ForeignKey("attempts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("question_id", sa.String(128), nullable=False),
        sa.Column("question_version", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("old_points", sa.Float, nullable=False),
        sa.Column("new_points", sa.Float, nullable=False),
        sa.Column("old_correct", sa.Boolean, nullable=False),
        sa.Column("new_correct", sa.Boolean, nullable=False),
        sa.Column("details", sa.JSON, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_score_audit_attempt", "score_audit", ["attempt_id", "position"])
    # Existing items were all scored by the graders, so `auto` is their true source.
    op.add_column(
        "attempt_items", sa.Column("score_source", sa.String(20), nullable=False, server_default="auto")
    )
    op.create_index("ix_attempt_items_question", "attempt_items", ["question_id"])
    op.create_index("ix_attempt_items_needs_review", "attempt_items", ["needs_review", "attempt_id"])
    op.create_index("ix_attempts_started_at", "attempts", ["started_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_attempts_started_at", table_name="attempts")
    op.drop_index("ix_attempt_items_needs_review", table_name="attempt_items")
    op.drop_index("ix_attempt_items_question", table_name="attempt_items")
    # SQLite rebuilds the table to drop a column; batch mode does that on SQLite and is a plain ALTER elsewhere.
    with op.batch_alter_table("attempt_items") as batch:
        batch.drop_column("score_source")
    op.drop_index("ix_score_audit_attempt", table_name="score_audit")
    op.drop_table("score_audit")
