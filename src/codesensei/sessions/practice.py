"""Practice: an assessment made on the fly for one topic, with immediate feedback and no limits on attempts.

A practice session is an ordinary attempt at an ordinary (published) assessment, so it runs through the same
start, answer, hint and report use cases as any other. Its definition is derived from the request alone and
stored under a stable id (`practice.<topic>[.<type>][.adaptive].<count>`), so asking for the same practice
again reuses it instead of piling up definitions; the `practice.` prefix is how listings recognise and hide them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from codesensei.bank.model import QUESTION_TYPES
from codesensei.errors import Conflict, ValidationFailed
from codesensei.sessions.assessments import create_assessment, definition_of, pool_filter, publish_assessment
from codesensei.sessions.attempts import StartedAttempt, finish, is_open, load, start_attempt
from codesensei.sessions.clock import now_utc
from codesensei.sessions.definition import AssessmentDefinition, FeedbackPolicy, HintPolicy, Pool
from codesensei.store.assessments import AssessmentRepository
from codesensei.store.attempts import AttemptRepository
from codesensei.store.questions import QuestionRepository

PRACTICE_PREFIX = "practice."
DEFAULT_COUNT = 5
MAX_COUNT = 100
# Why an open practice attempt was closed: the candidate started a new practice session instead of resuming.
ABANDONED = "abandoned"

PRACTICE_FIELDS = {"mode", "pool", "question_count", "max_attempts", "cooldown_minutes", "feedback", "hints"}
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def is_practice(assessment_id: str) -> bool:
    return assessment_id.startswith(PRACTICE_PREFIX)


@dataclass(frozen=True)
class PracticeRequest:
    topic: str
    adaptive: bool = False
    question_type: str | None = None
    count: int = DEFAULT_COUNT


def _slug(topic: str) -> str:
    """The topic as an id part; a topic that needed changing gets a short hash so two topics never collide."""
    slug = _UNSAFE.sub("-", topic).strip("-_")[:60]
    if slug == topic and slug:
        return slug
    digest = hashlib.sha256(topic.encode()).hexdigest()[:8]
    return f"{slug}-{digest}" if slug else digest


def practice_pool(request: PracticeRequest) -> Pool:
    if request.question_type is not None and request.question_type not in QUESTION_TYPES:
        raise ValidationFailed(f"type: {request.question_type!r} is not one of {', '.join(QUESTION_TYPES)}")
    # Validating through the model turns the checked name into the question-type literal the pool holds.
    types = [request.question_type] if request.question_type else []
    return Pool.model_validate({"topics": [request.topic], "types": types})


def practice_definition(request: PracticeRequest, count: int) -> AssessmentDefinition:
    """The definition of a practice session over `request.topic` asking at most `count` questions."""
    parts = [_slug(request.topic), *([request.question_type] if request.question_type else [])]
    if request.adaptive:
        parts.append("adaptive")
    kind = f" ({request.question_type})" if request.question_type else ""
    return AssessmentDefinition(
        id=PRACTICE_PREFIX + ".".join([*parts, str(count)]),
        title=f"Practice: {request.topic}{kind}" + (", adaptive" if request.adaptive else ""),
        instructions="Practice: every answer shows its result, the correct answer and the explanation at once.",
        mode="adaptive" if request.adaptive else "random",
        pool=practice_pool(request),
        question_count=count,
        shuffle_options=True,
        max_attempts=None,
        cooldown_minutes=0.0,
        feedback=FeedbackPolicy(mode="immediate", show_correct_answers=True, show_explanations=True),
        hints=HintPolicy(allowed=True, penalty=0.0),
    )


def ensure_practice(session: Session, request: PracticeRequest, now: datetime | None = None) -> AssessmentDefinition:
    """The published practice assessment for `request`, created on first use and reused afterwards."""
    if not request.topic.strip():
        raise ValidationFailed("topic: a practice session needs a topic")
    if not 1 <= request.count <= MAX_COUNT:
        raise ValidationFailed(f"count: ask for 1..{MAX_COUNT} questions")
    pool = practice_pool(request)
    available = QuestionRepository(session).count(pool_filter(pool))
    if available == 0:
        kind = f" {request.question_type}" if request.question_type else ""
        raise ValidationFailed(f"topic: no active{kind} question has the topic '{request.topic}'")
    # A small topic still makes a practice session: ask what there is rather than refuse.
    definition = practice_definition(request, min(request.count, available))
    row = AssessmentRepository(session).get(definition.id)
    if row is None:
        create_assessment(session, definition)
        publish_assessment(session, definition.id, now or now_utc())
        return definition
    stored = definition_of(row)
    # Only what makes it this practice is compared, so a field added to definitions later changes nothing here.
    if stored.model_dump(include=PRACTICE_FIELDS) != definition.model_dump(include=PRACTICE_FIELDS):
        raise Conflict(f"assessment '{definition.id}' exists but is not this practice session; rename it")
    if row.status != "published":
        publish_assessment(session, definition.id, now or now_utc())
    return stored


@dataclass(frozen=True)
class PracticeAttempt:
    definition: AssessmentDefinition
    started: StartedAttempt


def start_practice(
    session: Session, request: PracticeRequest, user_name: str, now: datetime | None = None
) -> PracticeAttempt:
    """Start a practice attempt. An unfinished earlier one at the same practice is closed first: it has no
    deadline to close it, and asking for practice again means starting afresh (`sensei take --resume` resumes)."""
    now = now or now_utc()
    definition = ensure_practice(session, request, now)
    for row in AttemptRepository(session).for_user(user_name, definition.id):
        if is_open(row, now):
            finish(load(session, row.id, for_update=True), now, ABANDONED)
    session.flush()
    return PracticeAttempt(definition, start_attempt(session, definition.id, user_name, now))
