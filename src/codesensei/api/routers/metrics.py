"""Per-scope metrics: a candidate reads their own; reviewers and administrators read anyone's."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from codesensei.api.accounts.roles import is_staff
from codesensei.api.deps import SessionDep, SignedIn
from codesensei.api.schemas.common import ERROR_RESPONSES
from codesensei.api.schemas.reports import MetricsOut
from codesensei.errors import Forbidden
from codesensei.metrics.scopes import user_metrics

router = APIRouter(prefix="/api/metrics", tags=["metrics"], responses=ERROR_RESPONSES)


@router.get("")
def metrics(
    user: SignedIn,
    session: SessionDep,
    name: Annotated[str | None, Query(alias="user", description="whose metrics (default: the caller's)")] = None,
    scope: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI copies defaults per request
) -> MetricsOut:
    """Running averages of score, time, execution time and memory per `difficulty#topic` scope."""
    whose = user.email if name is None else name
    if whose != user.email and not (is_staff(user.role) and user.role != "author"):
        raise Forbidden("only reviewers and administrators read another user's metrics")
    found = user_metrics(session, whose, scope)
    return MetricsOut.model_validate({"user": whose, "scopes": [m.to_json() for m in found]})
