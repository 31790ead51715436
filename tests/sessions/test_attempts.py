"""Attempts on SQLite and PostgreSQL: start rules, candidate views, answers, skipping, the clock and tokens."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from codesensei.errors import SenseiError
from codesensei.platform import Platform
from codesensei.sessions.answering import answer_question, take_hint
from codesensei.sessions.attempts import (
    current_question,
    expire_attempt,
    expire_due,
    skip_question,
    start_attempt,
    submit_attempt,
)
from codesensei.sessions.errors import (
    ActionNotAllowed,
    AttemptClosed,
    AttemptNotAllowed,
    InvalidSessionToken,
    SessionExpired,
)
from codesensei.sessions.status import progress, review, time_status
from codesensei.store.attempts import AttemptRepository
from codesensei.store.db import unit_of_work
from sessions.helpers import CORRECT, T0, WRONG, at, make_assessment

NON_CODE = [
    "py-mutable-default", "py-immutable-builtins", "py-is-vs-equals", "py-list-comprehension-output",
    "py-context-manager-blanks", "py-builtin-complexity-matching", "py-import-resolution-order", "py-gil-essay",
]


def test_start_checks_publication_dates_attempts_and_cooldown(bank: Platform) -> None:
    with unit_of_work(bank.sessions) as session:
        make_assessment(session, id="draft", publish=False)
        make_assessment(session, id="later", opens_at=at(60).isoformat(), closes_at=at(120).isoformat())
        make_assessment(session, id="two", max_attempts=2, cooldown_minutes=30)
    with unit_of_work(bank.sessions) as session:
        with pytest.raises(AttemptNotAllowed, match="not published"):
            start_attempt(session, "draft", "ann", T0)
        with pytest.raises(AttemptNotAllowed, match="opens at"):
            start_attempt(session, "later", "ann", T0)
        with pytest.raises(AttemptNotAllowed, match="closed at"):
            start_attempt(session, "later", "ann", at(120))
        first = start_attempt(session, "two", "ann", T0)
        with pytest.raises(AttemptNotAllowed, match="still in progress"):
            start_attempt(session, "two", "ann", at(1))
        submit_attempt(session, first.attempt_id, first.token, at(2))
        with pytest.raises(AttemptNotAllowed, match="cooldown"):
            start_attempt(session, "two", "ann", at(20))
        second = start_attempt(session, "two", "ann", at(33))
        assert second.number == 2
        submit_attempt(session, second.attempt_id, second.token, at(34))
        with pytest.raises(AttemptNotAllowed, match="all 2 attempt"):
            start_attempt(session, "two", "ann", at(100))
        assert start_attempt(session, "two", "bob", at(100)).number == 1


def test_candidate_view_never_shows_keys_and_shuffles_reproducibly(bank: Platform) -> None:
    with unit_of_work(bank.sessions) as session:
        make_assessment(session, questions=[*NON_CODE, "py-word-frequency"], shuffle_options=True,
                        shuffle_questions=True, hints={"allowed": True})
        started = start_attempt(session, "quiz", "ann", T0)
    views = []
    with unit_of_work(bank.sessions) as session:
        for minute in range(9):
            shown = current_question(session, started.attempt_id, started.token, at(minute))
            assert shown.question is not None
            views.append(shown.question.to_json())
            skip_question(session, started.attempt_id, started.token, now=at(minute))
    assert sorted(v["question_id"] for v in views) == sorted([*NON_CODE, "py-word-frequency"])
    text = json.dumps(views)
    for secret in ('"answer"', "explanation", "solutions", "model_answer", "Counter(", "freq-tie", "go 3",
                   "rubric", "accepted", '"pairs"'):
        assert secret not in text, secret
    by_id = {v["question_id"]: v for v in views}
    code = by_id["py-word-frequency"]
    assert code["sample_tests"] == [{"name": "freq-sample", "input": "the cat and the hat\n", "expected": "the 2\n"}]
    assert "import sys" in code["starter"]["python"]
    ordering = by_id["py-import-resolution-order"]["items"]
    assert ordering != bank_items("py-import-resolution-order", bank)
    assert by_id["py-mutable-default"]["hints_available"] == 2
    # The same attempt shows the same order again; coming back to a question shows it unchanged.
    with unit_of_work(bank.sessions) as session:
        again = current_question(session, started.attempt_id, started.token, at(10))
        assert again.question is not None
        assert again.question.to_json() == by_id[again.question.question_id]
    # Another attempt (another seed) orders options differently at least once over a few attempts.
    orders = set()
    for n in range(6):
        with unit_of_work(bank.sessions) as session:
            other = start_attempt(session, "quiz", f"user{n}", T0)
            items = AttemptRepository(session).items(other.attempt_id)
            orders.add(tuple(i.question_id for i in items))
    assert len(orders) > 1


def bank_items(question_id: str, platform: Platform) -> list[str]:
    from codesensei.bank.model import OrderingQuestion
    from codesensei.bank.service import get_question

    with unit_of_work(platform.sessions) as session:
        question = get_question(session, question_id)
    assert isinstance(question, OrderingQuestion)
    return question.items


def test_answer_is_durable_graded_and_records_time_and_version(bank: Platform) -> None:
    with unit_of_work(bank.sessions) as session:
        make_assessment(session, questions=["py-mutable-default", "py-is-vs-equals"], feedback={
            "mode": "immediate", "show_correct_answers": True, "show_explanations": True})
        started = start_attempt(session, "quiz", "ann", T0)
    with unit_of_work(bank.sessions) as session:
        ack = answer_question(session, started.attempt_id, started.token, "B", now=at(1.5))
    assert ack.feedback is not None
    assert ack.feedback["correct"] is True
    assert ack.feedback["correct_answer"] == "B"
    assert "Default values" in ack.feedback["explanation"]
    assert ack.time_spent_s == 90.0
    assert ack.next_position == 2
    with unit_of_work(bank.sessions) as session:
        item = AttemptRepository(session).items(started.attempt_id)[0]
        assert (item.status, item.answer, item.points_earned, item.question_version) == ("answered", "B", 1.0, 1)
        assert item.time_spent_s == 90.0
        with pytest.raises(ActionNotAllowed, match="already answered"):
            answer_question(session, started.attempt_id, started.token, "A", position=1, now=at(2))


def test_invalid_answer_is_refused_and_nothing_is_recorded(bank: Platform) -> None:
    with unit_of_work(bank.sessions) as session:
        make_assessment(session)
        started = start_attempt(session, "quiz", "ann", T0)
    with pytest.raises(SenseiError, match="unknown option key"), unit_of_work(bank.sessions) as session:
        answer_question(session, started.attempt_id, started.token, "Z", now=at(1))
    with unit_of_work(bank.sessions) as session:
        assert AttemptRepository(session).items(started.attempt_id)[0].status == "pending"


def test_skip_and_come_back(bank: Platform) -> None:
    with unit_of_work(bank.sessions) as session:
        make_assessment(session, questions=["py-mutable-default", "py-is-vs-equals", "py-immutable-builtins"])
        s = start_attempt(session, "quiz", "ann", T0)
        moved = skip_question(session, s.attempt_id, s.token, now=at(1))
        assert moved.position == 2
        answer_question(session, s.attempt_id, s.token, False, now=at(2))
        shown = current_question(session, s.attempt_id, s.token, at(2))
        assert shown.position == 3
        answer_question(session, s.attempt_id, s.token, "B", position=1, now=at(3))
        shown = current_question(session, s.attempt_id, s.token, at(3))
        assert shown.position == 3
        assert progress(session, s.attempt_id, s.token, at(3)).to_json() == {
            "attempt_id": s.attempt_id, "status": "in_progress", "total": 3, "answered": 2, "skipped": 0,
            "unanswered": 1, "current_position": 3,
        }
        entries = review(session, s.attempt_id, s.token, at(3)).entries
        assert [(e.position, e.status) for e in entries] == [(1, "answered"), (2, "answered"), (3, "pending")]
        # Time on question 1: a minute before skipping, then zero when answered on coming back.
        assert entries[0].time_spent_s == 60.0


def test_answer_after_submission_is_refused_with_attempt_closed(bank: Platform) -> None:
    with unit_of_work(bank.sessions) as session:
        make_assessment(session)
        s = start_attempt(session, "quiz", "ann", T0)
        submit_attempt(session, s.attempt_id, s.token, at(1))
    with unit_of_work(bank.sessions) as session:
        with pytest.raises(AttemptClosed, match="already submitted") as caught:
            answer_question(session, s.attempt_id, s.token, "B", now=at(2))
        assert caught.value.code == "attempt_closed"
        with pytest.raises(AttemptClosed):
            submit_attempt(session, s.attempt_id, s.token, at(2))


def test_time_runs_out_on_the_server_clock_with_accommodation_and_closing_date(bank: Platform) -> None:
    with unit_of_work(bank.sessions) as session:
        make_assessment(session, questions=["py-mutable-default", "py-is-vs-equals"], duration_minutes=10,
                        closes_at=at(120).isoformat(), accommodations={"ann": {"extra_time_multiplier": 1.5}})
        ann = start_attempt(session, "quiz", "ann", T0)
        bob = start_attempt(session, "quiz", "bob", T0)
        late = start_attempt(session, "quiz", "cat", at(115))
    assert ann.deadline_at == at(15)
    assert bob.deadline_at == at(10)
    assert late.deadline_at == at(120)
    with unit_of_work(bank.sessions) as session:
        assert time_status(session, bob.attempt_id, bob.token, at(4)).remaining_s == 360.0
        answer_question(session, bob.attempt_id, bob.token, "B", now=at(5))
        answer_question(session, ann.attempt_id, ann.token, "B", now=at(12))
    with unit_of_work(bank.sessions) as session:
        with pytest.raises(AttemptClosed, match="ran out of time"):
            answer_question(session, bob.attempt_id, bob.token, False, now=at(11))
        session.rollback()
    # The refused call's transaction rolled back; the boundary's own expiry step persists the auto-submit.
    with unit_of_work(bank.sessions) as session:
        assert expire_attempt(session, bob.attempt_id, at(11)) is True
    with unit_of_work(bank.sessions) as session:
        row = AttemptRepository(session).get(bob.attempt_id)
        assert row is not None
        assert (row.status, row.submit_reason, row.points_earned, row.points_possible) == ("submitted", "time_up", 1, 2)
        assert row.submitted_at is not None
        assert row.percentage == 50.0
        assert set(expire_due(session, at(200))) == {ann.attempt_id, late.attempt_id}


def test_expire_due_submits_every_attempt_past_its_deadline(bank: Platform) -> None:
    with unit_of_work(bank.sessions) as session:
        make_assessment(session, duration_minutes=10)
        a = start_attempt(session, "quiz", "ann", T0)
        b = start_attempt(session, "quiz", "bob", at(5))
    with unit_of_work(bank.sessions) as session:
        assert expire_due(session, at(12)) == [a.attempt_id]
    with unit_of_work(bank.sessions) as session:
        assert current_question(session, b.attempt_id, b.token, at(12)).position == 1
        assert current_question(session, a.attempt_id, a.token, at(12)).status == "submitted"


def test_session_token_is_checked_and_expires(bank: Platform) -> None:
    with unit_of_work(bank.sessions) as session:
        make_assessment(session, token_ttl_hours=2)
        s = start_attempt(session, "quiz", "ann", T0)
        row = AttemptRepository(session).get(s.attempt_id)
        assert row is not None
        assert s.token not in row.token_hash
        assert len(row.token_hash) == 64
        with pytest.raises(InvalidSessionToken):
            current_question(session, s.attempt_id, s.token + "x", at(1))
        assert current_question(session, s.attempt_id, s.token, at(119)).position == 1
        with pytest.raises(SessionExpired):
            current_question(session, s.attempt_id, s.token, at(121))


def test_question_time_limit_and_hint_penalty(bank: Platform) -> None:
    with unit_of_work(bank.sessions) as session:
        make_assessment(session, questions=["py-mutable-default", "py-immutable-builtins"], question_time_limit_s=60,
                        hints={"allowed": True, "penalty": 0.25})
        s = start_attempt(session, "quiz", "ann", T0)
        hint = take_hint(session, s.attempt_id, s.token, at(0.1))
        assert hint.number == 1
        assert "evaluated" in hint.text
        assert hint.remaining == 1
        ack = answer_question(session, s.attempt_id, s.token, "B", now=at(0.5))
        assert ack.status == "answered"
        assert time_status(session, s.attempt_id, s.token, at(0.75)).question_remaining_s == 45.0
        late = answer_question(session, s.attempt_id, s.token, ["A", "C", "D"], now=at(2.5))
        assert late.status == "timed_out"
        items = AttemptRepository(session).items(s.attempt_id)
        assert [(i.points_earned, i.hints_used) for i in items] == [(0.75, 1), (0.0, 0)]
    with unit_of_work(bank.sessions) as session:
        make_assessment(session, id="nohints")
        s2 = start_attempt(session, "nohints", "ann", T0)
        with pytest.raises(ActionNotAllowed, match="does not allow hints"):
            take_hint(session, s2.attempt_id, s2.token, at(1))


def test_adaptive_attempt_uses_the_engine_and_stops(bank: Platform) -> None:
    with unit_of_work(bank.sessions) as session:
        make_assessment(session, mode="adaptive", questions=[], question_count=4,
                        pool={"types": ["mcq", "mcq_multi", "true_false"]})
        s = start_attempt(session, "quiz", "ann", T0)
        row = AttemptRepository(session).get(s.attempt_id)
        assert row is not None
        assert row.lottery_key > 0
        assert row.seed > 0
        with pytest.raises(ActionNotAllowed, match="do not allow skipping"):
            skip_question(session, s.attempt_id, s.token, now=at(1))
        asked = []
        for minute in range(1, 10):
            shown = current_question(session, s.attempt_id, s.token, at(minute))
            if shown.question is None:
                break
            asked.append(shown.question.question_id)
            answer_question(session, s.attempt_id, s.token, WRONG[shown.question.question_id], now=at(minute))
        assert len(asked) == 4
        assert len(set(asked)) == 4
        assert all(q in WRONG for q in asked)
        finished = current_question(session, s.attempt_id, s.token, at(11))
        assert finished.stop_reason == "max_items"
        assert finished.question is None
        assert row.theta is not None
        assert row.theta < 0


def test_code_answer_is_judged_with_all_tests(bank: Platform) -> None:
    from codesensei.bank.model import CodeAnswer, CodeQuestion
    from codesensei.runner.types import JudgeReport, TestResult

    calls: list[tuple[str, str]] = []

    def fake_judge(question: CodeQuestion, answer: CodeAnswer) -> JudgeReport:
        calls.append((question.id, answer.language))
        tests = [TestResult(t.name, t.visibility, "accepted" if t.name != "freq-tie" else "wrong_answer",
                            weight=t.weight, time_ms=12.0, memory_kb=900) for t in question.executed_tests]
        return JudgeReport("wrong_answer", 3, 4, 0.8, tests, time_ms=48.0, memory_kb=900)

    with unit_of_work(bank.sessions) as session:
        make_assessment(session, questions=["py-word-frequency", "sql-parameterised-query"])
        s = start_attempt(session, "quiz", "ann", T0)
        answer_question(session, s.attempt_id, s.token, {"language": "python", "source": "print()"}, now=at(1),
                        judge=fake_judge)
        answer_question(session, s.attempt_id, s.token, CORRECT["sql-parameterised-query"], now=at(2),
                        judge=fake_judge)
        items = AttemptRepository(session).items(s.attempt_id)
    assert calls == [("py-word-frequency", "python")]
    assert items[0].points_earned == pytest.approx(3 * 2.5 / 3.5)
    assert (items[0].exec_time_ms, items[0].memory_kb) == (48.0, 900)
    assert items[1].points_earned == 3.0
    assert items[1].exec_time_ms is None


@pytest.mark.sandbox
def test_code_answer_runs_in_the_real_sandbox(bank: Platform) -> None:
    source = (
        "import sys\nfrom collections import Counter\n"
        "c = Counter(sys.stdin.readline().lower().split())\n"
        "w, n = min(c.items(), key=lambda i: (-i[1], i[0]))\nprint(w, n)\n"
    )
    with unit_of_work(bank.sessions) as session:
        make_assessment(session, questions=["py-word-frequency"])
        s = start_attempt(session, "quiz", "ann", T0)
        ack = answer_question(session, s.attempt_id, s.token, {"language": "python", "source": source}, now=at(1))
        item = AttemptRepository(session).items(s.attempt_id)[0]
    assert ack.status == "answered"
    assert item.points_earned == 3.0
    assert item.grade is not None
    assert item.grade["verdict"] == "accepted"
    assert item.exec_time_ms is not None
    assert item.memory_kb


def test_start_time_for_a_late_starter_is_capped(bank: Platform) -> None:
    with unit_of_work(bank.sessions) as session:
        make_assessment(session, duration_minutes=60, closes_at=(T0 + timedelta(minutes=30)).isoformat())
        s = start_attempt(session, "quiz", "ann", T0)
    assert s.deadline_at == at(30)
