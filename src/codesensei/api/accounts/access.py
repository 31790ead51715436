"""Who may see and take which assessment.

Staff (authors, reviewers, administrators) see every assessment and may take any published one, to try
it out. A candidate sees a published assessment when it is `access: public`, or when they claimed an
invitation to it that has not closed; anything else is reported as missing, so ids reveal nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from codesensei.api.accounts.roles import is_staff
from codesensei.api.accounts.signin import CurrentUser
from codesensei.errors import NotFound
from codesensei.sessions.assessments import AssessmentInfo, get_assessment, list_assessments
from codesensei.store.accounts import AccountRepository


def _open_to(info: AssessmentInfo, invited: set[str]) -> bool:
    return info.status == "published" and (info.definition.access == "public" or info.definition.id in invited)


def visible_assessments(session: Session, user: CurrentUser, now: datetime) -> list[AssessmentInfo]:
    if is_staff(user.role):
        return list_assessments(session)
    invited = AccountRepository(session).invited_assessment_ids(user.id, now)
    return [i for i in list_assessments(session, published_only=True) if _open_to(i, invited)]


def visible_assessment(session: Session, user: CurrentUser, assessment_id: str, now: datetime) -> AssessmentInfo:
    """The assessment if the user may see it; NotFound otherwise (the same answer as for a missing one)."""
    info = get_assessment(session, assessment_id)
    if is_staff(user.role):
        return info
    invited = AccountRepository(session).invited_assessment_ids(user.id, now, [assessment_id])
    if not _open_to(info, invited):
        raise NotFound(f"assessment '{assessment_id}' does not exist")
    return info
