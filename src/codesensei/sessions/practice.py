"""Practice: an assessment made on the fly for some topics, with immediate feedback and no limits on attempts.

A practice session is an ordinary attempt at an ordinary (published) assessment, so it runs through the same
start, answer, hint and report use cases as any other. Its definition is derived from the request alone and
stored under a stable id (`practice.<topics>[.<type>][.<levels>][.adaptive][.<minutes>m].<count>`), so asking
for the same practice again reuses it instead of piling up definitions; the `practice.` prefix is how listings
recognise and hide them.

Practice shows every answer's key and explanation at once, so it draws only on active questions their author
opened to practice (`practice: true`); a hiring question is never reachable through it, whatever is asked.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from codesensei.bank.model import QUESTION_TYPES
from codesensei.errors import Conflict, ValidationFailed
from codesensei.sessions.assessments import create_assessment, definition_of, pool_filter, publish_assessment
from codesensei.sessions.attempts import StartedAttempt, finish, is_open, load, start_attempt
from codesensei.sessions.clock import now_utc
from codesensei.sessions.definition import AssessmentDefinition, FeedbackPolicy, HintPolicy, Pool
from codesensei.store.assessments import AssessmentRepository
from codesensei.store.attempts import AttemptRepository
from codesensei.store.questions import QuestionFilter, QuestionRepository

PRACTICE_PREFIX = "practice."
DEFAULT_COUNT = 5
MAX_COUNT = 100
MAX_TOPICS = 20
MAX_DURATION_MINUTES = 24 * 60
DIFFICULTY_LEVELS = ("easy", "medium", "hard")
# Why an open practice attempt was closed: the candidate started a new practice session instead of resuming.
ABANDONED = "abandoned"

PRACTICE_FIELDS = {
    "mode", "pool", "question_count", "max_attempts", "cooldown_minutes", "feedback", "hints", "duration_minutes",
}
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def is_practice(assessment_id: str) -> bool:
    return assessment_id.startswith(PRACTICE_PREFIX)


@dataclass(frozen=True)
class PracticeRequest:
    """What to practise: `topic` and any `extra_topics` (a question with any of them qualifies), optionally
    only some difficulty levels or one question type, and a time limit for the whole session."""

    topic: str
    adaptive: bool = False
    question_type: str | None = None
    count: int = DEFAULT_COUNT
    extra_topics: tuple[str, ...] = ()
    difficulty_levels: tuple[str, ...] = ()
    duration_minutes: float | None = None

    @property
    def topics(self) -> list[str]:
        """The topics in a canonical order, so the same set always makes the same practice."""
        return sorted({t for t in (self.topic, *self.extra_topics) if t.strip()})

    @property
    def levels(self) -> list[str]:
        # Easiest first; an unknown level (refused by `practice_pool`) sorts last rather than failing here.
        rank = {level: n for n, level in enumerate(DIFFICULTY_LEVELS)}
        return sorted(set(self.difficulty_levels), key=lambda level: (rank.get(level, len(rank)), level))


def _slug(topic: str) -> str:
    """The topic as an id part; a topic that needed changing gets a short hash so two topics never collide."""
    slug = _UNSAFE.sub("-", topic).strip("-_")[:60]
    if slug == topic and slug:
        return slug
    digest = hashlib.sha256(topic.encode()).hexdigest()[:8]
    return f"{slug}-{digest}" if slug else digest


def _topics_part(topics: list[str]) -> str:
    """One topic keeps its readable id part; several get theirs joined plus a hash of the exact set, so two
    different sets never share an id."""
    if len(topics) == 1:
        return _slug(topics[0])
    joined = "_".join(_slug(t) for t in sorted(topics))[:48]
    digest = hashlib.sha256("\n".join(sorted(topics)).encode()).hexdigest()[:8]
    return f"{joined}-{digest}"


def practice_pool(request: PracticeRequest) -> Pool:
    if request.question_type is not None and request.question_type not in QUESTION_TYPES:
        raise ValidationFailed(f"type: {request.question_type!r} is not one of {', '.join(QUESTION_TYPES)}")
    unknown = sorted(set(request.difficulty_levels) - set(DIFFICULTY_LEVELS))
    if unknown:
        raise ValidationFailed(f"difficulty: {', '.join(unknown)} is not one of {', '.join(DIFFICULTY_LEVELS)}")
    # Validating through the model turns the checked names into the literals the pool holds.
    types = [request.question_type] if request.question_type else []
    return Pool.model_validate(
        {"topics": request.topics, "types": types, "difficulty_levels": request.levels, "practice_only": True}
    )


def practice_definition(request: PracticeRequest, count: int) -> AssessmentDefinition:
    """The definition of a practice session over `request.topics` asking at most `count` questions.

    The id names everything that makes the session what it is, so the same request always finds the same
    definition; a request with one topic and no levels or time limit keeps the id it always had.
    """
    parts = [_topics_part(request.topics), *([request.question_type] if request.question_type else [])]
    if request.levels:
        parts.append("-".join(request.levels))
    if request.adaptive:
        parts.append("adaptive")
    if request.duration_minutes is not None:
        parts.append(f"{request.duration_minutes:g}m")
    kind = f" ({request.question_type})" if request.question_type else ""
    levels = f" [{', '.join(request.levels)}]" if request.levels else ""
    return AssessmentDefinition(
        id=PRACTICE_PREFIX + ".".join([*parts, str(count)]),
        title=f"Practice: {', '.join(request.topics)}{kind}{levels}" + (", adaptive" if request.adaptive else ""),
        instructions="Practice: every answer shows its result, the correct answer and the explanation at once.",
        mode="adaptive" if request.adaptive else "random",
        pool=practice_pool(request),
        question_count=count,
        duration_minutes=request.duration_minutes,
        shuffle_options=True,
        max_attempts=None,
        cooldown_minutes=0.0,
        feedback=FeedbackPolicy(mode="immediate", show_correct_answers=True, show_explanations=True),
        hints=HintPolicy(allowed=True, penalty=0.0),
    )


def ensure_practice(session: Session, request: PracticeRequest, now: datetime | None = None) -> AssessmentDefinition:
    """The published practice assessment for `request`, created on first use and reused afterwards."""
    topics = request.topics
    if not topics:
        raise ValidationFailed("topic: a practice session needs a topic")
    if len(topics) > MAX_TOPICS:
        raise ValidationFailed(f"topics: practise at most {MAX_TOPICS} topics at once")
    if not 1 <= request.count <= MAX_COUNT:
        raise ValidationFailed(f"count: ask for 1..{MAX_COUNT} questions")
    if request.duration_minutes is not None and not 0 < request.duration_minutes <= MAX_DURATION_MINUTES:
        raise ValidationFailed(f"duration_minutes: a practice session lasts 0..{MAX_DURATION_MINUTES} minutes")
    pool = practice_pool(request)
    available = QuestionRepository(session).count(pool_filter(pool))
    if available == 0:
        kind = f" {request.question_type}" if request.question_type else ""
        levels = f" {'/'.join(request.levels)}" if request.levels else ""
        which = f"the topic '{topics[0]}'" if len(topics) == 1 else "any of the topics " + ", ".join(
            f"'{t}'" for t in topics
        )
        raise ValidationFailed(f"topic: no active{levels}{kind} question has {which} among those open to practice")
    # A small topic still makes a practice session: ask what there is rather than refuse.
    definition = practice_definition(request, min(request.count, available))
    row = AssessmentRepository(session).get(definition.id)
    if row is None:
        create_assessment(session, definition)
        publish_assessment(session, definition.id, now or now_utc())
        return definition
    stored = definition_of(row)
    if _predates_practice_only(stored, definition):
        # Stored before practice kept to questions open to it: its pool would reach every question. Its
        # definition derives from the request alone, so it takes the current one (the attempts keep theirs).
        AssessmentRepository(session).save(
            definition.id, definition.title, definition.mode, definition.model_dump(mode="json")
        )
        stored = definition
    # Only what makes it this practice is compared, so a field added to definitions later changes nothing here.
    if stored.model_dump(include=PRACTICE_FIELDS) != definition.model_dump(include=PRACTICE_FIELDS):
        raise Conflict(f"assessment '{definition.id}' exists but is not this practice session; rename it")
    if row.status != "published":
        publish_assessment(session, definition.id, now or now_utc())
    return stored


def _predates_practice_only(stored: AssessmentDefinition, current: AssessmentDefinition) -> bool:
    """Whether `stored` is `current` as made before practice pools were limited to practice-open questions."""
    if stored.pool.practice_only:
        return False
    upgraded = stored.model_copy(update={"pool": stored.pool.model_copy(update={"practice_only": True})})
    return upgraded.model_dump(include=PRACTICE_FIELDS) == current.model_dump(include=PRACTICE_FIELDS)


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


@dataclass(frozen=True)
class TopicCount:
    """How many active, practice-open questions a topic has at each difficulty level (for choosing what to
    practise)."""

    topic: str
    by_difficulty: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_difficulty.values())

    def to_json(self) -> dict[str, Any]:
        return {"topic": self.topic, "total": self.total, "by_difficulty": dict(self.by_difficulty)}


def practice_topics(session: Session, question_type: str | None = None) -> list[TopicCount]:
    """Every topic of the active, practice-open questions (optionally of one type) with its questions per
    difficulty: the same questions `practice_pool` draws from."""
    if question_type is not None and question_type not in QUESTION_TYPES:
        raise ValidationFailed(f"type: {question_type!r} is not one of {', '.join(QUESTION_TYPES)}")
    flt = QuestionFilter(types=[question_type] if question_type else (), practice_only=True)
    counts: dict[str, dict[str, int]] = {}
    for topic, level, count in QuestionRepository(session).topic_counts(flt):
        counts.setdefault(topic, dict.fromkeys(DIFFICULTY_LEVELS, 0))[level] = count
    return [TopicCount(topic, by_level) for topic, by_level in counts.items()]
