"""ORM table of the assistant's log: every request, the prompt sent to a model, and the reply, per attempt."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from codesensei.store.tables import Base, utcnow


class AssistantMessageRow(Base):
    """One exchange with the assistant; `prompt` is exactly what went to the model (None when offline)."""

    __tablename__ = "assistant_messages"
    __table_args__ = (Index("ix_assistant_messages_attempt", "attempt_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    attempt_id: Mapped[str] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    position: Mapped[int | None] = mapped_column(Integer, nullable=True)
    kind: Mapped[str] = mapped_column(String(20))
    request: Mapped[str] = mapped_column(Text, default="")
    prompt: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    reply: Mapped[str] = mapped_column(Text)
    provider: Mapped[str] = mapped_column(String(200))
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
