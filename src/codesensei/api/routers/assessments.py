"""Assessments: authors create and publish them; everyone lists what they may take, and starts attempts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query

from codesensei.api.accounts.access import visible_assessment, visible_assessments
from codesensei.api.deps import Author, SessionDep, SignedIn, Staff
from codesensei.api.schemas.assessments import AssessmentBrief, AssessmentList, AssessmentOut
from codesensei.api.schemas.attempts import AttemptStarted
from codesensei.api.schemas.common import ERROR_RESPONSES
from codesensei.sessions.assessments import (
    ARCHIVED,
    create_assessment,
    get_assessment,
    publish_assessment,
    set_assessment_archived,
)
from codesensei.sessions.attempts import start_attempt
from codesensei.sessions.clock import now_utc
from codesensei.sessions.definition import AssessmentDefinition
from codesensei.sessions.practice import is_practice

router = APIRouter(prefix="/api/assessments", tags=["assessments"], responses=ERROR_RESPONSES)


# Questions of the sample bank every install has: the example works as written (and lets API fuzzers reach a 201).
DEFINITION_EXAMPLE = {
    "id": "python-basics", "title": "Python basics", "questions": ["py-is-vs-equals", "py-mutable-default"],
    "duration_minutes": 30, "access": "public",
}


@router.post("", status_code=201)
def create(
    definition: Annotated[AssessmentDefinition, Body(examples=[DEFINITION_EXAMPLE])], _: Author, session: SessionDep
) -> AssessmentOut:
    """Create a draft from a definition, or replace a draft with the same id (a published one cannot change)."""
    return AssessmentOut.of(create_assessment(session, definition))


@router.get("")
def list_(
    user: SignedIn,
    session: SessionDep,
    include_archived: Annotated[bool, Query(description="staff: archived assessments too")] = False,
    include_practice: Annotated[bool, Query(description="staff: the practice sessions' assessments too")] = False,
) -> AssessmentList:
    """Staff: every assessment. Candidates: published ones that are public or that they were invited to."""
    shown = [
        AssessmentBrief.of(i) for i in visible_assessments(session, user, now_utc())
        if (include_archived or i.status != ARCHIVED) and (include_practice or not is_practice(i.definition.id))
    ]
    return AssessmentList(assessments=shown)


@router.get("/{assessment_id}")
def brief(assessment_id: str, user: SignedIn, session: SessionDep) -> AssessmentBrief:
    """What a candidate may know before starting (no question ids, pools or accommodations)."""
    return AssessmentBrief.of(visible_assessment(session, user, assessment_id, now_utc()))


@router.get("/{assessment_id}/definition")
def definition(assessment_id: str, _: Staff, session: SessionDep) -> AssessmentOut:
    """The full definition, as its author wrote it."""
    return AssessmentOut.of(get_assessment(session, assessment_id))


@router.post("/{assessment_id}/publish")
def publish(assessment_id: str, _: Author, session: SessionDep) -> AssessmentOut:
    """Publish a draft (its questions are checked again); publishing twice changes nothing."""
    return AssessmentOut.of(publish_assessment(session, assessment_id))


@router.post("/{assessment_id}/archive")
def archive(assessment_id: str, _: Author, session: SessionDep) -> AssessmentOut:
    """Archive: it leaves listings and starts no new attempts; existing attempts and their reports still work."""
    return AssessmentOut.of(set_assessment_archived(session, assessment_id, True, now_utc()))


@router.post("/{assessment_id}/unarchive")
def unarchive(assessment_id: str, _: Author, session: SessionDep) -> AssessmentOut:
    """Bring an archived assessment back as it was: published again, or a draft if it never was published."""
    return AssessmentOut.of(set_assessment_archived(session, assessment_id, False, now_utc()))


@router.post("/{assessment_id}/attempts", status_code=201)
def start(assessment_id: str, user: SignedIn, session: SessionDep) -> AttemptStarted:
    """Start an attempt, if the assessment is open to this account and its attempt rules allow another one."""
    now = now_utc()
    visible_assessment(session, user, assessment_id, now)
    started = start_attempt(session, assessment_id, user.email, now)
    # The resume token stays internal: over the API, an attempt is authorised by its owner's sign-in.
    return AttemptStarted.model_validate(
        {**started.to_json(), "assessment_id": assessment_id}
    )
