"""Question bank: questions, versions, labels and full-text search (FTS5 on SQLite, tsvector on PostgreSQL).

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "questions",
        # Narrow, filterable columns first and the long ones last: SQLite then reads a row's filters
        # without touching the overflow pages that hold a long body, which keeps search joins cheap.
        sa.Column("id", sa.String(128), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("difficulty_level", sa.String(10), nullable=False),
        sa.Column("difficulty_value", sa.Float, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("times_shown", sa.Integer, nullable=False, server_default="0"),
        sa.Column("times_correct", sa.Integer, nullable=False, server_default="0"),
        sa.Column("total_time_s", sa.Float, nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("search_labels", sa.Text, nullable=False, server_default=""),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("body", sa.JSON, nullable=False),
    )
    op.create_index("ix_questions_type", "questions", ["type"])
    op.create_index("ix_questions_difficulty_level", "questions", ["difficulty_level"])
    op.create_index("ix_questions_difficulty_value", "questions", ["difficulty_value"])
    op.create_table(
        "question_versions",
        sa.Column("question_id", sa.String(128), sa.ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("body", sa.JSON, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "question_labels",
        sa.Column("question_id", sa.String(128), sa.ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("kind", sa.String(10), primary_key=True),
        sa.Column("value", sa.String(128), primary_key=True),
    )
    op.create_index("ix_question_labels_kind_value", "question_labels", ["kind", "value"])

    if op.get_bind().dialect.name == "sqlite":
        # An FTS5 index keyed by the question's rowid (the repository keeps it in step), with prefix
        # indexes so type-ahead queries on the last word stay as fast as whole-word ones.
        op.execute(
            "CREATE VIRTUAL TABLE question_fts USING fts5("
            "title, text, labels, tokenize = 'porter unicode61 remove_diacritics 2', prefix = '2 3 4 5 6')"
        )
    else:
        # Computed by PostgreSQL on every insert and update, so imports need no second pass.
        op.execute(
            "ALTER TABLE questions ADD COLUMN search_document tsvector GENERATED ALWAYS AS ("
            "setweight(to_tsvector('simple', title), 'A') || "
            "setweight(to_tsvector('simple', search_labels), 'B') || "
            "setweight(to_tsvector('simple', text), 'C')) STORED"
        )
        op.execute("CREATE INDEX ix_questions_search ON questions USING gin (search_document)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE question_fts")
    op.drop_table("question_labels")
    op.drop_table("question_versions")
    op.drop_table("questions")
    op.drop_table("meta")
