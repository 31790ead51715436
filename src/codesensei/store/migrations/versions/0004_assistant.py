"""The assistant's log: every request, prompt and reply, kept with the attempt for audit.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assistant_messages",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("attempt_id", sa.String(32), sa.ForeignKey("attempts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer, nullable=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("request", sa.Text, nullable=False),
        sa.Column("prompt", sa.JSON, nullable=True),
        sa.Column("reply", sa.Text, nullable=False),
        sa.Column("provider", sa.String(200), nullable=False),
        sa.Column("prompt_tokens", sa.Integer, nullable=False),
        sa.Column("completion_tokens", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_assistant_messages_attempt", "assistant_messages", ["attempt_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_assistant_messages_attempt", table_name="assistant_messages")
    op.drop_table("assistant_messages")
