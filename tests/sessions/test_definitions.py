"""Assessment definitions: validation naming the field, storage, listing and publishing."""

from __future__ import annotations

import pytest

from codesensei.errors import Conflict, ValidationFailed
from codesensei.platform import Platform
from codesensei.sessions.assessments import get_assessment, list_assessments, parse_definition, publish_assessment
from codesensei.store.db import unit_of_work
from sessions.helpers import make_assessment


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"id": "a", "title": "A", "mode": "fixed"}, "questions"),
        ({"id": "a", "title": "A", "mode": "random"}, "question_count"),
        ({"id": "a", "title": "A", "questions": ["q"], "feedback": {"mode": "sometimes"}}, "feedback.mode"),
        ({"id": "a", "title": "A", "questions": ["q"], "passing_score": 120}, "passing_score"),
        ({"id": "a", "title": "A", "questions": ["q"], "accommodations": {"ann": {"extra_time_multiplier": 0.5}}},
         "accommodations.ann.extra_time_multiplier"),
        ({"id": "a", "title": "A", "questions": ["q"], "opens_at": "2030-01-02", "closes_at": "2030-01-01"},
         "closes_at"),
        ({"id": "a", "title": "A", "questions": ["q", "q"]}, "questions"),
        ({"id": "a", "title": "A", "questions": ["q"], "colour": "red"}, "colour"),
    ],
)
def test_invalid_definitions_name_the_field(data: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_definition(data)
    assert caught.value.message.startswith(f"{field}:") or f"; {field}:" in caught.value.message


def test_dates_are_utc_and_accommodation_defaults() -> None:
    definition = parse_definition(
        {"id": "a", "title": "A", "questions": ["q"], "opens_at": "2030-01-01T10:00:00", "duration_minutes": 30,
         "accommodations": {"ann": {"extra_time_multiplier": 1.5}}}
    )
    assert definition.opens_at is not None
    assert definition.opens_at.utcoffset() is not None
    assert definition.time_multiplier("ann") == 1.5
    assert definition.time_multiplier("bob") == 1.0


def test_create_list_show_publish(bank: Platform) -> None:
    with unit_of_work(bank.sessions) as session:
        make_assessment(session, publish=False, proctoring="strict", hints={"allowed": True, "penalty": 0.25})
    with unit_of_work(bank.sessions) as session:
        shown = get_assessment(session, "quiz")
        assert shown.status == "draft"
        assert shown.definition.proctoring == "strict"
        assert shown.definition.hints.penalty == 0.25
        publish_assessment(session, "quiz")
    with unit_of_work(bank.sessions) as session:
        assert [a.status for a in list_assessments(session)] == ["published"]
        with pytest.raises(Conflict):
            make_assessment(session, publish=False, title="Changed")


def test_unknown_question_and_small_pool_are_refused(bank: Platform) -> None:
    with unit_of_work(bank.sessions) as session:
        with pytest.raises(ValidationFailed, match=r"questions\.1: question 'nope'"):
            make_assessment(session, questions=["py-mutable-default", "nope"])
        with pytest.raises(ValidationFailed, match="pool: matches 1 active"):
            make_assessment(session, id="r", mode="random", questions=[], question_count=3,
                            pool={"topics": ["graphs"]})
