"""Per-scope metrics: a candidate reads their own; reviewers and administrators read anyone's.

A candidate's own metrics count only submitted attempts at assessments that give feedback (the rule lives in
`metrics.visibility`), so the metrics never tell more than the candidate's results would.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy.orm import Session

from codesensei.api.accounts.access import visible_assessment
from codesensei.api.accounts.signin import CurrentUser
from codesensei.api.deps import SessionDep, SignedIn
from codesensei.api.schemas.common import ERROR_RESPONSES
from codesensei.api.schemas.metrics import AssessmentMetricsOut, CrossMetricsOut, ScopeMetricOut
from codesensei.api.schemas.reports import MetricsOut
from codesensei.errors import Forbidden
from codesensei.metrics.cohort import AttemptSelection, selection_metrics
from codesensei.metrics.scopes import user_metrics
from codesensei.metrics.visibility import shows_results, visible_selection
from codesensei.sessions.assessments import get_assessment
from codesensei.sessions.clock import now_utc
from codesensei.sessions.errors import ActionNotAllowed
from codesensei.sessions.report import history

router = APIRouter(prefix="/api/metrics", tags=["metrics"], responses=ERROR_RESPONSES)


WhoseAttempts = Annotated[
    str | None, Query(alias="user", max_length=200, description="whose attempts count (reviewers; default: all)")
]


def is_reviewer(user: CurrentUser) -> bool:
    return user.role in ("reviewer", "admin")


def _whose(user: CurrentUser, name: str | None) -> str | None:
    """Whose attempts count: reviewers and administrators choose (None: everyone's); others read their own."""
    if is_reviewer(user):
        return name
    if name is not None and name != user.email:
        raise Forbidden("only reviewers and administrators read another user's metrics")
    return user.email


def _selection(
    session: Session, user: CurrentUser, whose: str | None, assessment_ids: list[str], include_practice: bool
) -> AttemptSelection:
    return visible_selection(
        session, sees_every_answer=is_reviewer(user), user_name=whose, assessment_ids=assessment_ids,
        include_practice=include_practice,
    )


@router.get("/assessments/{assessment_id}")
def assessment_metrics(
    assessment_id: Annotated[str, Path(max_length=128)],
    user: SignedIn,
    session: SessionDep,
    name: WhoseAttempts = None,
) -> AssessmentMetricsOut:
    """Score, time spent, execution time and memory per `difficulty#topic` over one assessment's attempts.

    Reviewers see every candidate's (or one's, with `user`); anyone else sees their own submitted attempts.
    """
    whose = _whose(user, name)
    info = get_assessment(session, assessment_id)
    if not is_reviewer(user):
        if not history(session, user.email, assessment_id, now_utc()):
            info = visible_assessment(session, user, assessment_id, now_utc())
        if not shows_results(info.definition):
            raise ActionNotAllowed(f"assessment '{assessment_id}' gives no feedback, so no metrics either")
    found = selection_metrics(session, _selection(session, user, whose, [assessment_id], include_practice=True))
    return AssessmentMetricsOut(
        assessment_id=assessment_id, title=info.definition.title, user=whose,
        scopes=[ScopeMetricOut.of(m) for m in found],
    )


@router.get("/assessments")
def cross_metrics(
    user: SignedIn,
    session: SessionDep,
    assessment_id: Annotated[list[str], Query(description="repeat for several; none: every assessment")] = [],  # noqa: B006
    name: WhoseAttempts = None,
    include_practice: bool = False,
) -> CrossMetricsOut:
    """Time spent, execution time, memory and score by topic × difficulty across assessments (figure 13).

    Reviewers see every candidate's (or one's, with `user`); anyone else sees their own submitted attempts.
    """
    whose = _whose(user, name)
    found = selection_metrics(session, _selection(session, user, whose, assessment_id, include_practice))
    return CrossMetricsOut(
        assessment_ids=assessment_id, include_practice=include_practice, user=whose,
        scopes=[ScopeMetricOut.of(m) for m in found],
    )


@router.get("")
def metrics(
    user: SignedIn,
    session: SessionDep,
    name: Annotated[str | None, Query(alias="user", description="whose metrics (default: the caller's)")] = None,
    scope: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI copies defaults per request
) -> MetricsOut:
    """Averages of score, time, execution time and memory per `difficulty#topic` scope, practice included.

    Reviewers and administrators read anyone's running averages, every answer counted as it is graded. Anyone
    else reads their own, over their submitted attempts at assessments that give feedback.
    """
    whose = user.email if name is None else name
    if whose != user.email and not is_reviewer(user):
        raise Forbidden("only reviewers and administrators read another user's metrics")
    if is_reviewer(user):
        found = user_metrics(session, whose, scope)
    else:
        wanted = set(scope)
        found = [
            m for m in selection_metrics(session, _selection(session, user, whose, [], include_practice=True))
            if not wanted or m.scope in wanted
        ]
    return MetricsOut.model_validate({"user": whose, "scopes": [m.to_json() for m in found]})
