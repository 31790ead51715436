"""Practice for any signed-in user: the topics to choose from, and starting a session over them.

A practice session is an ordinary attempt (see `sessions.practice`), so the attempt endpoints serve it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query

from codesensei.api.deps import SessionDep, SignedIn
from codesensei.api.schemas.common import ERROR_RESPONSES
from codesensei.api.schemas.practice import PracticeStart, PracticeStarted, PracticeTopics, TopicCountOut
from codesensei.bank.model import QuestionType
from codesensei.sessions.clock import now_utc
from codesensei.sessions.practice import PracticeRequest, practice_topics, start_practice

router = APIRouter(prefix="/api/practice", tags=["practice"], responses=ERROR_RESPONSES)

# Topics of the sample bank every install has, so the example starts a session as written.
PRACTICE_EXAMPLE = {"topics": ["python", "sql"], "difficulty_levels": ["easy", "medium"], "count": 3}


@router.get("/topics")
def topics(
    _: SignedIn,
    session: SessionDep,
    type: Annotated[QuestionType | None, Query(description="count only questions of this type")] = None,
) -> PracticeTopics:
    """Every topic of the questions open to practice (active, marked `practice: true` by their author) with its
    number of questions per difficulty level."""
    found = practice_topics(session, type)
    return PracticeTopics(topics=[TopicCountOut.model_validate(t.to_json()) for t in found])


@router.post("", status_code=201)
def start(
    body: Annotated[PracticeStart, Body(examples=[PRACTICE_EXAMPLE])], user: SignedIn, session: SessionDep
) -> PracticeStarted:
    """Start a practice session: immediate feedback with answers and explanations, free hints, no attempt limit.

    It draws only on active questions their author opened to practice, never on an assessment's other questions.

    An unfinished earlier session of the same practice is closed first (asking again means starting afresh).
    """
    request = PracticeRequest(
        topic=body.topics[0], extra_topics=tuple(body.topics[1:]), difficulty_levels=tuple(body.difficulty_levels),
        question_type=body.question_type, count=body.count, duration_minutes=body.duration_minutes,
        adaptive=body.adaptive,
    )
    practice = start_practice(session, request, user.email, now_utc())
    definition = practice.definition
    return PracticeStarted.model_validate({
        **practice.started.to_json(), "assessment_id": definition.id, "title": definition.title,
        "instructions": definition.instructions, "questions": definition.size,
        "duration_minutes": definition.duration_minutes,
    })
