"""Scoring and results: points, percentage, grade, breakdowns, remediation, feedback policy and scope metrics."""

from __future__ import annotations

import pytest

from codesensei.metrics.scopes import scopes_for, user_metrics
from codesensei.platform import Platform
from codesensei.sessions.answering import answer_question, take_hint
from codesensei.sessions.attempts import start_attempt, submit_attempt
from codesensei.sessions.errors import ActionNotAllowed
from codesensei.sessions.report import attempt_report, candidate_results, history, letter_grade
from codesensei.store.db import unit_of_work
from sessions.helpers import CORRECT, T0, WRONG, at, make_assessment

QUESTIONS = ["py-mutable-default", "py-is-vs-equals", "algo-binary-search-complexity", "algo-stable-sorts"]


def test_scopes_follow_the_paper() -> None:
    assert scopes_for("easy", ["arrays", "graphs"]) == [
        "easy#arrays", "all#arrays", "easy#graphs", "all#graphs", "easy#all", "all#all",
    ]
    assert scopes_for("hard", []) == ["hard#all", "all#all"]
    assert [letter_grade(p) for p in (95, 85, 75, 65, 59.9)] == ["A", "B", "C", "D", "F"]


def test_report_scores_breaks_down_and_suggests_remediation(bank: Platform) -> None:
    with unit_of_work(bank.sessions) as session:
        make_assessment(session, questions=QUESTIONS, passing_score=70, hints={"allowed": True, "penalty": 0.5})
        s = start_attempt(session, "quiz", "ann", T0)
        take_hint(session, s.attempt_id, s.token, at(0.5))
        answer_question(session, s.attempt_id, s.token, CORRECT["py-mutable-default"], now=at(1))
        answer_question(session, s.attempt_id, s.token, CORRECT["py-is-vs-equals"], now=at(3))
        answer_question(session, s.attempt_id, s.token, WRONG["algo-binary-search-complexity"], now=at(4))
        with pytest.raises(ActionNotAllowed, match="once the attempt is submitted"):
            candidate_results(session, s.attempt_id, s.token, at(4))
        submit_attempt(session, s.attempt_id, s.token, at(5))
    with unit_of_work(bank.sessions) as session:
        report = attempt_report(session, s.attempt_id)
    assert (report.points_earned, report.points_possible, report.percentage) == (1.5, 4.0, 37.5)
    assert (report.passed, report.grade, report.hints_used, report.hint_penalty) == (False, "F", 1, 0.5)
    assert [q.time_spent_s for q in report.questions] == [60.0, 120.0, 60.0, 60.0]
    assert [q.status for q in report.questions] == ["answered", "answered", "answered", "pending"]
    topics = {b.name: (b.questions, b.points_earned, b.percentage) for b in report.by_topic}
    assert topics["python"] == (2, 1.5, 75.0)
    assert topics["algorithms"] == (2, 0.0, 0.0)
    difficulty = {b.name: b.points_possible for b in report.by_difficulty}
    assert difficulty == {"easy": 2.0, "medium": 2.0}
    # `functions` is at 50 % after the hint penalty; `python` (75 %) and `data-model` (100 %) are not weak.
    assert set(report.remediation) == {"algorithms", "searching", "complexity", "sorting", "functions"}
    for ids in report.remediation.values():
        assert not set(ids) & set(QUESTIONS)
    assert report.remediation["functions"] == []
    assert "algo-growth-ordering" in report.remediation["complexity"]
    assert report.questions[0].correct_answer == "B"


@pytest.mark.parametrize(
    ("policy", "questions_shown", "key_shown"),
    [
        ({"mode": "never"}, False, False),
        ({"mode": "after_submission"}, True, False),
        ({"mode": "after_submission", "show_correct_answers": True, "show_explanations": True}, True, True),
    ],
)
def test_candidate_results_follow_the_feedback_policy(
    bank: Platform, policy: dict[str, object], questions_shown: bool, key_shown: bool
) -> None:
    with unit_of_work(bank.sessions) as session:
        make_assessment(session, questions=QUESTIONS[:2], feedback=policy)
        s = start_attempt(session, "quiz", "ann", T0)
        ack = answer_question(session, s.attempt_id, s.token, "B", now=at(1))
        assert ack.feedback is None
        submit_attempt(session, s.attempt_id, s.token, at(2))
        report = candidate_results(session, s.attempt_id, s.token, at(3)).to_json()
    assert report["percentage"] == 50.0
    assert report["passed"] is False
    assert bool(report["questions"]) is questions_shown
    if questions_shown:
        assert (report["questions"][0]["correct_answer"] == "B") is key_shown
        assert bool(report["questions"][0]["explanation"]) is key_shown


def test_scope_metrics_are_running_averages_per_user(bank: Platform) -> None:
    with unit_of_work(bank.sessions) as session:
        make_assessment(session, questions=["py-is-vs-equals", "py-immutable-builtins", "py-mutable-default"])
        s = start_attempt(session, "quiz", "ann", T0)
        answer_question(session, s.attempt_id, s.token, CORRECT["py-is-vs-equals"], now=at(1))
        answer_question(session, s.attempt_id, s.token, WRONG["py-immutable-builtins"], now=at(4))
        answer_question(session, s.attempt_id, s.token, CORRECT["py-mutable-default"], now=at(5))
        other = start_attempt(session, "quiz", "bob", T0)
        answer_question(session, other.attempt_id, other.token, CORRECT["py-is-vs-equals"], now=at(2))
    with unit_of_work(bank.sessions) as session:
        metrics = {m.scope: m for m in user_metrics(session, "ann")}
        assert metrics["easy#data-model"].count == 2
        assert metrics["easy#data-model"].mean_score == 50.0
        assert metrics["easy#data-model"].mean_time_s == 120.0
        assert metrics["all#python"].count == 3
        assert metrics["medium#all"].mean_score == 100.0
        assert metrics["all#all"].count == 3
        assert metrics["all#all"].mean_exec_time_ms is None
        assert "medium#functions" in metrics
        assert "hard#all" not in metrics
        assert [m.count for m in user_metrics(session, "bob", ["all#all"])] == [1]
        assert [h.attempt_id for h in history(session, "ann")] == [s.attempt_id]
