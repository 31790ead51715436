"""Practice draws only on questions their author opened to it: no request reaches a hiring question's key.

The hiring bank here is a copy of the sample bank (every type and level, the same topics, plus a topic of its
own) left closed to practice, next to the practice-open sample bank.
"""

from __future__ import annotations

import itertools

import pytest

from codesensei.bank.files import BankFile, load_questions
from codesensei.bank.model import QUESTION_TYPES, AnyQuestion
from codesensei.bank.service import import_files
from codesensei.errors import ValidationFailed
from codesensei.platform import SAMPLE_BANK, Platform
from codesensei.sessions.assessments import create_assessment, get_assessment, pool_filter, publish_assessment
from codesensei.sessions.practice import (
    DIFFICULTY_LEVELS,
    MAX_COUNT,
    MAX_TOPICS,
    PracticeRequest,
    ensure_practice,
    practice_definition,
    practice_topics,
    start_practice,
)
from codesensei.store.attempts import AttemptRepository
from codesensei.store.db import unit_of_work
from codesensei.store.questions import QuestionRepository
from sessions.helpers import T0, at

SAMPLE = load_questions(SAMPLE_BANK)
HIRING_TOPIC = "hiring-only"
HIRING = [
    q.model_copy(update={"id": f"hiring.{q.id}", "practice": False, "topics": [*q.topics, HIRING_TOPIC]})
    for q in SAMPLE
]
OPEN_IDS = {q.id for q in SAMPLE}
SAMPLE_TOPICS = sorted({t for q in SAMPLE for t in q.topics})


@pytest.fixture
def hiring(bank: Platform) -> Platform:
    with unit_of_work(bank.sessions) as session:
        import_files(session, [BankFile("hiring.yaml", HIRING)])
    return bank


def _matches(question: AnyQuestion, request: PracticeRequest) -> bool:
    return (
        bool(set(question.topics) & set(request.topics))
        and request.question_type in (None, question.type)
        and (not request.levels or question.difficulty_level in request.levels)
    )


def test_the_sample_bank_is_open_and_the_hiring_copy_closed() -> None:
    assert all(q.practice for q in SAMPLE)
    assert {q.type for q in HIRING} == set(QUESTION_TYPES)
    assert {q.difficulty_level for q in HIRING} == set(DIFFICULTY_LEVELS)


def test_no_topic_type_or_difficulty_combination_reaches_a_closed_question(hiring: Platform) -> None:
    many = [*SAMPLE_TOPICS[: MAX_TOPICS - 1], HIRING_TOPIC]  # as many as one session may name
    topic_sets = [[t] for t in [*SAMPLE_TOPICS, HIRING_TOPIC]] + [many]
    level_sets: list[tuple[str, ...]] = [(), *((level,) for level in DIFFICULTY_LEVELS), DIFFICULTY_LEVELS]
    combinations = [
        PracticeRequest(topics[0], extra_topics=tuple(topics[1:]), question_type=kind, difficulty_levels=levels,
                        count=MAX_COUNT, adaptive=adaptive)
        for topics, kind, levels, adaptive in itertools.product(
            topic_sets, [None, *QUESTION_TYPES], level_sets, [False, True]
        )
        # Adaptive sessions draw from the same pool; a few are enough to show they keep to it too.
        if not adaptive or (kind is None and not levels)
    ]
    # Every request that would reach a hiring question if practice drew on the whole bank.
    tempting = [r for r in combinations if any(_matches(q, r) for q in HIRING)]
    assert len(tempting) > 100
    started = refused_count = 0
    for number, request in enumerate(tempting):
        expected = {q.id for q in SAMPLE if _matches(q, request)}
        with unit_of_work(hiring.sessions) as session:
            if not expected:
                with pytest.raises(ValidationFailed, match="among those open to practice"):
                    start_practice(session, request, "ann@example.com", at(number))
                refused_count += 1
                continue
            practice = start_practice(session, request, "ann@example.com", at(number))
            pool = set(QuestionRepository(session).ids(pool_filter(practice.definition.pool)))
            asked = {i.question_id for i in AttemptRepository(session).items(practice.started.attempt_id)}
        started += 1
        assert pool == expected, request
        assert asked, request
        assert asked <= expected, request
        if not request.adaptive:  # a random session of MAX_COUNT asks every question it may
            assert asked == expected, request
    assert started > len(SAMPLE_TOPICS) * 4
    assert refused_count > 0  # the hiring-only topic, at least


def test_topic_counts_leave_closed_questions_out(hiring: Platform) -> None:
    with unit_of_work(hiring.sessions) as session:
        counted = {t.topic: t for t in practice_topics(session)}
        codes = {t.topic for t in practice_topics(session, "code")}
    assert set(counted) == set(SAMPLE_TOPICS)
    for topic in SAMPLE_TOPICS:
        assert counted[topic].total == sum(1 for q in SAMPLE if topic in q.topics)
    assert codes == {t for q in SAMPLE if q.type == "code" for t in q.topics}


def test_a_practice_stored_before_practice_only_pools_is_brought_up_to_date(hiring: Platform) -> None:
    request = PracticeRequest("python", count=3)
    current = practice_definition(request, 3)
    old = current.model_copy(update={"pool": current.pool.model_copy(update={"practice_only": False})})
    with unit_of_work(hiring.sessions) as session:
        create_assessment(session, old)
        publish_assessment(session, old.id, T0)
    with unit_of_work(hiring.sessions) as session:
        reused = ensure_practice(session, request, at(1))
        stored = get_assessment(session, current.id)
    assert reused.id == current.id
    assert stored.status == "published"
    assert stored.definition.pool.practice_only is True
    for minute in range(2, 8):
        with unit_of_work(hiring.sessions) as session:
            practice = start_practice(session, request, "bo@example.com", at(minute))
            asked = {i.question_id for i in AttemptRepository(session).items(practice.started.attempt_id)}
        assert asked <= OPEN_IDS
