"""Where a candidate left off: the waiting question, time remaining and progress, in one read.

Resuming needs nothing but the attempt id and its resume token: every answer was committed when it was
acknowledged, so the stored attempt is the whole state (a killed terminal loses only unsent typing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from codesensei.sessions.aids import Aids, aids_of
from codesensei.sessions.attempts import Credential, CurrentQuestion, current_question, load
from codesensei.sessions.clock import now_utc
from codesensei.sessions.status import Progress, TimeStatus, progress, time_status


@dataclass(frozen=True)
class ResumePoint:
    attempt_id: str
    assessment_id: str
    title: str
    user: str
    mode: str
    status: str
    submit_reason: str | None
    can_skip: bool
    current: CurrentQuestion
    progress: Progress
    time: TimeStatus
    aids: Aids

    def to_json(self) -> dict[str, Any]:
        return {
            "attempt_id": self.attempt_id,
            "assessment_id": self.assessment_id,
            "title": self.title,
            "user": self.user,
            "mode": self.mode,
            "status": self.status,
            "submit_reason": self.submit_reason,
            "can_skip": self.can_skip,
            "position": self.current.position,
            "total": self.current.total,
            "remaining_s": self.time.remaining_s,
            "deadline_at": self.time.to_json()["deadline_at"],
            "question_remaining_s": self.time.question_remaining_s,
            "progress": self.progress.to_json(),
            "question": self.current.question.to_json() if self.current.question else None,
            "stop_reason": self.current.stop_reason,
            "question_time_limit_s": self.current.question_time_limit_s,
            "server_time": self.current.server_time.isoformat() if self.current.server_time else None,
            **self.aids.to_json(),
        }


def resume_point(session: Session, attempt_id: str, token: Credential, now: datetime | None = None) -> ResumePoint:
    """The state to resume from, all at the same instant of the server's clock (an overdue attempt is submitted)."""
    now = now or now_utc()
    shown = current_question(session, attempt_id, token, now)
    done = progress(session, attempt_id, token, now)
    clock = time_status(session, attempt_id, token, now)
    loaded = load(session, attempt_id)
    return ResumePoint(
        attempt_id=attempt_id, assessment_id=loaded.row.assessment_id, title=loaded.definition.title,
        user=loaded.row.user_name, mode=loaded.definition.mode, status=loaded.row.status,
        submit_reason=loaded.row.submit_reason, can_skip=loaded.definition.can_skip,
        current=shown, progress=done, time=clock, aids=aids_of(session, loaded, now),
    )
