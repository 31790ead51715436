"""Services behind the web app's screens: the question clock, help policies and revealed hints, the reviewers'
attempt list, archiving, and metrics over a set of attempts — on the server's clock, with a resume token."""

from __future__ import annotations

import pytest

from codesensei.bank.service import set_question_archived
from codesensei.errors import Conflict, NotFound
from codesensei.metrics.cohort import AttemptSelection, selection_metrics
from codesensei.platform import Platform
from codesensei.sessions.aids import revealed_hints
from codesensei.sessions.answering import answer_question, take_hint
from codesensei.sessions.assessments import publish_assessment, set_assessment_archived
from codesensei.sessions.attempts import current_question, start_attempt
from codesensei.sessions.errors import AttemptNotAllowed
from codesensei.sessions.listing import AttemptListFilter, list_attempts
from codesensei.sessions.report import attempt_report
from codesensei.sessions.resume import resume_point
from codesensei.store.db import unit_of_work
from sessions.helpers import CORRECT, T0, at, make_assessment


def test_the_question_clock_and_the_help_policies_follow_the_server_clock(bank: Platform) -> None:
    with unit_of_work(bank.sessions) as session:
        make_assessment(session, questions=["py-mutable-default", "py-is-vs-equals"], question_time_limit_s=120,
                        hints={"allowed": True, "penalty": 1.0}, assistant={"mode": "full"},
                        feedback={"mode": "never"})
        s = start_attempt(session, "quiz", "ann", T0)
        shown = current_question(session, s.attempt_id, s.token, at(0.5))
        assert (shown.question_time_limit_s, shown.question_remaining_s, shown.server_time) == (120, 90.0, at(0.5))
        assert shown.question is not None
        assert (shown.question.topics, shown.question.difficulty) == (("python", "functions"), "medium")
        take_hint(session, s.attempt_id, s.token, at(1))
        point = resume_point(session, s.attempt_id, s.token, at(1)).to_json()
        assert point["hints"] == {"allowed": True, "penalty": 1.0, "used": 1, "left": 1}
        # No feedback means no code review either.
        assert point["assistant"] == {"mode": "full", "available": True,
                                      "kinds": ["explain", "debug", "hint", "chat"]}
        hints = revealed_hints(session, s.attempt_id, s.token, now=at(1))
        assert ([h.number for h in hints.hints], hints.remaining, hints.penalty_per_hint) == ([1], 1, 1.0)
        # Past the question's limit the clock stops at zero; past the attempt's, nothing waits.
        assert current_question(session, s.attempt_id, s.token, at(5)).question_remaining_s == 0.0
        answer_question(session, s.attempt_id, s.token, CORRECT["py-mutable-default"], now=at(5))
        assert revealed_hints(session, s.attempt_id, s.token, 1, at(5)).remaining == 0
        with pytest.raises(NotFound, match="no question at position 7"):
            revealed_hints(session, s.attempt_id, s.token, 7, at(5))


def test_the_attempt_list_submits_overdue_attempts_first_and_filters(bank: Platform) -> None:
    with unit_of_work(bank.sessions) as session:
        make_assessment(session, duration_minutes=10)
        make_assessment(session, id="other", questions=["py-is-vs-equals"])
        late = start_attempt(session, "quiz", "ann", T0)
        answer_question(session, late.attempt_id, late.token, CORRECT["py-mutable-default"], now=at(1))
        running = start_attempt(session, "quiz", "bo", at(5))
        other = start_attempt(session, "other", "ann", at(6))
        page = list_attempts(session, AttemptListFilter(), now=at(8))
        assert [i.attempt_id for i in page.items] == [other.attempt_id, running.attempt_id, late.attempt_id]
        states = {i.attempt_id: (i.status, i.state, i.submit_reason) for i in page.items}
        assert states[late.attempt_id] == ("in_progress", "in_progress", None)  # its deadline is 10 min
        assert states[running.attempt_id] == ("in_progress", "in_progress", None)
        after = list_attempts(session, AttemptListFilter(assessment_id="quiz", state="submitted"), now=at(14))
        # Ann's attempt ran out at minute 10 and was submitted by the listing itself, on time.
        assert [(i.attempt_id, i.submit_reason, i.submitted_at) for i in after.items] == [
            (late.attempt_id, "time_up", after.items[0].submitted_at),
        ]
        assert after.items[0].submitted_at.replace(tzinfo=None) == at(10).replace(tzinfo=None)
        assert (after.total, after.items[0].percentage) == (1, 100.0)
        assert list_attempts(session, AttemptListFilter(user_name="ann"), limit=1, offset=1, now=at(14)).total == 2
        with pytest.raises(NotFound):
            list_attempts(session, AttemptListFilter(assessment_id="missing"), now=at(14))


def test_archiving_and_metrics_over_a_set_of_attempts(bank: Platform) -> None:
    with unit_of_work(bank.sessions) as session:
        make_assessment(session, questions=["py-mutable-default", "py-is-vs-equals"], question_time_limit_s=60)
        done = start_attempt(session, "quiz", "ann", T0)
        answer_question(session, done.attempt_id, done.token, CORRECT["py-mutable-default"], now=at(0.5))
        # Past the question's limit: timed out, no points, but it counts as answered in the metrics.
        answer_question(session, done.attempt_id, done.token, CORRECT["py-is-vs-equals"], now=at(3))

        found = {m.scope: m for m in selection_metrics(session, AttemptSelection(assessment_ids=["quiz"]))}
        assert (found["all#all"].count, found["all#all"].mean_score) == (2, 50.0)
        assert found["all#all"].mean_time_s == pytest.approx((30 + 150) / 2)
        assert (found["medium#functions"].mean_score, found["easy#data-model"].mean_score) == (100.0, 0.0)
        assert selection_metrics(session, AttemptSelection(assessment_ids=["quiz"], submitted_only=True)) == []
        assert selection_metrics(session, AttemptSelection(user_name="bo")) == []

        assert set_assessment_archived(session, "quiz", True, at(4)).status == "archived"
        with pytest.raises(AttemptNotAllowed, match="archived"):
            start_attempt(session, "quiz", "bo", at(5))
        with pytest.raises(Conflict, match="archived"):
            publish_assessment(session, "quiz", at(5))
        assert attempt_report(session, done.attempt_id, now=at(5)).points_earned == 1.0
        assert set_assessment_archived(session, "quiz", False, at(6)).status == "published"

        assert set_question_archived(session, "py-is-vs-equals", True).active is False
        with pytest.raises(AttemptNotAllowed, match="py-is-vs-equals"):
            start_attempt(session, "quiz", "bo", at(7))
        assert set_question_archived(session, "py-is-vs-equals", False).active is True
        assert start_attempt(session, "quiz", "bo", at(8)).question is not None
        with pytest.raises(NotFound):
            set_question_archived(session, "missing", True)
