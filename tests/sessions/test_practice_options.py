"""Practice over several topics, chosen difficulty levels and a time limit; the topics to choose from."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from codesensei.bank.files import load_questions
from codesensei.bank.service import get_question
from codesensei.errors import ValidationFailed
from codesensei.platform import SAMPLE_BANK, Platform
from codesensei.sessions.attempts import load
from codesensei.sessions.practice import (
    PracticeRequest,
    ensure_practice,
    practice_definition,
    practice_topics,
    start_practice,
)
from codesensei.store.db import unit_of_work
from codesensei.store.questions import QuestionRepository
from sessions.helpers import T0


def test_several_topics_levels_and_a_time_limit_make_their_own_practice(bank: Platform) -> None:
    request = PracticeRequest("sql", extra_topics=("testing", "sql"), difficulty_levels=("medium", "easy"),
                              duration_minutes=20, count=4)
    with unit_of_work(bank.sessions) as session:
        made = ensure_practice(session, request, T0)
        # The same request in another order is the same practice.
        again = ensure_practice(session, PracticeRequest("testing", extra_topics=("sql",),
                                                         difficulty_levels=("easy", "medium"), duration_minutes=20,
                                                         count=4), T0)
        started = start_practice(session, request, "ann", T0)
        loaded = load(session, started.started.attempt_id)
        asked = [get_question(session, i.question_id, i.question_version) for i in loaded.items]
    assert made.id == again.id
    assert made.id.startswith("practice.sql_testing-")
    assert made.id.endswith(".easy-medium.20m.4")
    assert made.title == "Practice: sql, testing [easy, medium]"
    assert (made.pool.topics, made.pool.difficulty_levels) == (["sql", "testing"], ["easy", "medium"])
    assert made.duration_minutes == 20
    assert started.started.deadline_at == T0 + timedelta(minutes=20)
    assert len(asked) == 4
    for question in asked:
        assert {"sql", "testing"} & set(question.topics), question.id
        assert question.difficulty_level in ("easy", "medium"), question.id

    # What was there before keeps its id; every option that changes the session changes the id.
    assert practice_definition(PracticeRequest("sql"), 5).id == "practice.sql.5"
    ids = {
        practice_definition(PracticeRequest("sql", difficulty_levels=("easy",)), 5).id,
        practice_definition(PracticeRequest("sql", duration_minutes=7.5), 5).id,
        practice_definition(PracticeRequest("sql", extra_topics=("python",)), 5).id,
        practice_definition(PracticeRequest("sql_python"), 5).id,
        practice_definition(PracticeRequest("sql", adaptive=True, difficulty_levels=("hard",)), 5).id,
    }
    assert len(ids) == 5
    assert "practice.sql.7.5m.5" in ids


def test_practice_options_are_checked(bank: Platform) -> None:
    with unit_of_work(bank.sessions) as session:
        with pytest.raises(ValidationFailed, match="no active hard question has the topic 'sql'"):
            ensure_practice(session, PracticeRequest("sql", difficulty_levels=("hard",)), T0)
        with pytest.raises(ValidationFailed, match="no active question has any of the topics 'cobol', 'fortran'"):
            ensure_practice(session, PracticeRequest("cobol", extra_topics=("fortran",)), T0)
        with pytest.raises(ValidationFailed, match="difficulty: extreme is not one of"):
            ensure_practice(session, PracticeRequest("sql", difficulty_levels=("extreme",)), T0)
        with pytest.raises(ValidationFailed, match="duration_minutes"):
            ensure_practice(session, PracticeRequest("sql", duration_minutes=0), T0)
        with pytest.raises(ValidationFailed, match="topics: practise at most"):
            ensure_practice(session, PracticeRequest("sql", extra_topics=tuple(f"t{n}" for n in range(30))), T0)


def test_topics_count_active_questions_per_difficulty(bank: Platform) -> None:
    expected: dict[str, Counter[str]] = {}
    for question in load_questions(SAMPLE_BANK):
        for topic in question.topics:
            expected.setdefault(topic, Counter())[question.difficulty_level] += 1
    with unit_of_work(bank.sessions) as session:
        found = {t.topic: t for t in practice_topics(session)}
        assert set(found) == set(expected)
        for topic, counts in expected.items():
            assert found[topic].by_difficulty == {level: counts[level] for level in ("easy", "medium", "hard")}
            assert found[topic].total == sum(counts.values())
        essays = {t.topic: t.total for t in practice_topics(session, "essay")}
        assert essays == Counter(t for q in load_questions(SAMPLE_BANK) if q.type == "essay" for t in q.topics)
        # An archived (inactive) question no longer counts.
        QuestionRepository(session).set_active("sql-left-join-rows", False)
        after = {t.topic: t for t in practice_topics(session)}
        assert after["sql"].by_difficulty["medium"] == found["sql"].by_difficulty["medium"] - 1
        assert "joins" not in after
        with pytest.raises(ValidationFailed, match="type: 'poem'"):
            practice_topics(session, "poem")
