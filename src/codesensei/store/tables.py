"""ORM tables. They are the storage shape only: domains exchange Pydantic models, never these rows."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class MetaRow(Base):
    """Facts about the installation itself, such as whether the sample bank was imported."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class QuestionRow(Base):
    """The current version of a question, with denormalised columns for listing and filtering.

    Its search index lives outside the ORM (migration 0006) and is written only by `store.questions`: on SQLite
    the FTS5 table `question_fts`, keyed by this table's rowid; on PostgreSQL the narrow `question_search`.
    """

    __tablename__ = "questions"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    type: Mapped[str] = mapped_column(String(20), index=True)
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    difficulty_level: Mapped[str] = mapped_column(String(10), index=True)
    difficulty_value: Mapped[float] = mapped_column(Float, index=True)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    search_labels: Mapped[str] = mapped_column(Text, default="")
    content_hash: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    times_shown: Mapped[int] = mapped_column(Integer, default=0)
    times_correct: Mapped[int] = mapped_column(Integer, default=0)
    total_time_s: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class QuestionVersionRow(Base):
    """Every version ever imported: an attempt's report shows the version the attempt used."""

    __tablename__ = "question_versions"

    question_id: Mapped[str] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class QuestionLabelRow(Base):
    """Topics, skills, tags and languages, one row each, so filters are indexed lookups on any database."""

    __tablename__ = "question_labels"

    question_id: Mapped[str] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    value: Mapped[str] = mapped_column(String(128), primary_key=True)

    __table_args__ = (Index("ix_question_labels_kind_value", "kind", "value"),)
