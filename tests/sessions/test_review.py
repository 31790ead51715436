"""Human review on SQLite and PostgreSQL: the queue, rubric and points grading, overrides, the audit trail,
attempt totals and per-scope metrics kept consistent, the `pending_review` report state, and `sensei review`."""

from __future__ import annotations

import json
import math

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import inspect
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from codesensei.bank.files import BankFile, parse_document
from codesensei.bank.service import get_question, import_files
from codesensei.cli.main import app
from codesensei.errors import NotFound, ValidationFailed
from codesensei.metrics.scopes import scopes_for
from codesensei.platform import Platform
from codesensei.sessions.answering import answer_question, take_hint
from codesensei.sessions.attempts import start_attempt, submit_attempt
from codesensei.sessions.errors import ActionNotAllowed
from codesensei.sessions.report import attempt_report
from codesensei.sessions.review import audit_history, grade_item, override_score, review_item, review_queue
from codesensei.store import migrate
from codesensei.store.attempts import AttemptRepository, ScopeMetricRepository
from codesensei.store.db import make_engine, unit_of_work
from sessions.helpers import T0, at, make_assessment

runner = CliRunner()

ESSAY_BANK = """\
- id: cache-essay
  type: essay
  title: Design an LRU cache
  text: Describe how you would build an LRU cache with constant-time operations.
  topics: [design]
  difficulty: hard
  points: 4
  model_answer: A hash map from key to node of a doubly linked list; move to front on use, evict the tail.
  hints: ["Which structure remembers the order of use?"]
  grading:
    method: manual
    rubric:
      - {name: data structures, weight: 1, description: a map and a linked list}
      - {name: complexity, weight: 3, description: argues O(1) get and put}
"""
QUESTIONS = ["cache-essay", "py-mutable-default", "py-is-vs-equals"]
ESSAY = "A dict of keys to nodes in a doubly linked list, moving each used node to the front."


def import_text(session: Session, text: str, name: str = "extra.yaml") -> None:
    import_files(session, [BankFile(name, parse_document(text, source=name))])


def assert_metrics_match_items(session: Session, user: str) -> None:
    """The stored per-scope sums equal sums computed afresh from the user's completed items, as they now stand."""
    expected: dict[str, list[float]] = {}
    repository = AttemptRepository(session)
    for attempt in repository.for_user(user):
        for item in repository.items(attempt.id):
            if item.status not in ("answered", "timed_out"):
                continue
            question = get_question(session, item.question_id, item.question_version)
            executed = item.exec_time_ms is not None
            values = [1, 100.0 * item.points_earned / item.points_possible, item.time_spent_s,
                      1 if executed else 0, item.exec_time_ms or 0.0, float(item.memory_kb or 0)]
            for scope in scopes_for(question.difficulty_level, question.topics):
                sums = expected.setdefault(scope, [0, 0.0, 0.0, 0, 0.0, 0.0])
                for n, value in enumerate(values):
                    sums[n] += value
    stored = {r.scope: r for r in ScopeMetricRepository(session).for_user(user)}
    assert expected, "the user has no completed items"
    for scope, row in stored.items():
        sums = expected.get(scope, [0, 0.0, 0.0, 0, 0.0, 0.0])
        actual = [row.count, row.score_sum, row.time_sum_s, row.exec_count, row.exec_time_sum_ms, row.memory_sum_kb]
        assert actual == pytest.approx(sums, abs=1e-6), scope
    assert set(expected) <= set(stored)


def take_essay_attempt(session: Session, user: str, *, hint: bool = False, submit: bool = True) -> str:
    s = start_attempt(session, "quiz", user, T0)
    if hint:
        take_hint(session, s.attempt_id, s.token, at(0.5))
    ack = answer_question(session, s.attempt_id, s.token, ESSAY, now=at(1))
    assert ack.status == "answered"
    answer_question(session, s.attempt_id, s.token, "B", now=at(2))
    answer_question(session, s.attempt_id, s.token, True, now=at(3))
    if submit:
        submit_attempt(session, s.attempt_id, s.token, at(4))
    return s.attempt_id


@pytest.fixture
def reviewed(bank: Platform) -> Platform:
    with unit_of_work(bank.sessions) as session:
        import_text(session, ESSAY_BANK)
        make_assessment(session, questions=QUESTIONS, passing_score=60, hints={"allowed": True, "penalty": 0.5})
    return bank


def test_review_grades_by_rubric_then_points_and_overrides_with_an_audit_trail(reviewed: Platform) -> None:
    with unit_of_work(reviewed.sessions) as session:
        ann = take_essay_attempt(session, "ann")
        open_attempt = take_essay_attempt(session, "cat", submit=False)
    with unit_of_work(reviewed.sessions) as session:
        report = attempt_report(session, ann)
        assert (report.state, report.pending_review, report.points_earned, report.passed) == (
            "pending_review", 1, 1.0, False)
        assert report.questions[0].needs_review is True
        assert attempt_report(session, open_attempt).state == "in_progress"
        queue = review_queue(session, now=at(10))
        assert [(e.attempt_id, e.position, e.question_id, e.type, e.user) for e in queue] == [
            (ann, 1, "cache-essay", "essay", "ann")
        ]
        assert [e.attempt_id for e in review_queue(session, "quiz", now=at(10))] == [ann]
        shown = review_item(session, ann, 1)
        assert [c["name"] for c in shown.rubric] == ["data structures", "complexity"]
        assert (shown.answer, shown.points_earned, shown.points_possible) == (ESSAY, 0.0, 4.0)
        assert shown.correct_answer.startswith("A hash map")
        assert (shown.needs_review, shown.score_source, shown.grading_method) == (True, "auto", "manual")
        assert_metrics_match_items(session, "ann")

    with unit_of_work(reviewed.sessions) as session:
        change = grade_item(session, ann, 1, reviewer="rita", criteria={"data structures": 1, "Complexity": 0.5},
                            reason="first marking", now=at(20))
    # 4 points × (1 × 1 + 3 × 0.5) / 4 = 2.5; the attempt has 3.5 of 6 = 58.33 %, under the 60 % pass mark.
    assert (change.old_points, change.new_points, change.points_possible) == (0.0, 2.5, 4.0)
    assert (change.attempt_points_earned, change.attempt_passed_before, change.attempt_passed) == (3.5, False, False)
    assert change.attempt_percentage == pytest.approx(58.3333, abs=1e-4)
    assert (change.pending_review, change.state, change.kind, change.actor) == (0, "final", "review", "rita")

    with unit_of_work(reviewed.sessions) as session:
        assert review_queue(session, now=at(21)) == []
        metrics = {r.scope: r for r in ScopeMetricRepository(session).for_user("ann")}
        assert (metrics["hard#design"].count, metrics["hard#design"].score_sum) == (1, pytest.approx(62.5))
        assert (metrics["all#all"].count, metrics["all#all"].score_sum) == (3, pytest.approx(162.5))
        assert_metrics_match_items(session, "ann")
        # A second reviewer may grade the reviewed item again; an automatic score needs an override.
        second = grade_item(session, ann, 1, reviewer="sam", points=4, reason="second marker", now=at(30))
        assert (second.old_points, second.new_points, second.attempt_passed_before, second.attempt_passed) == (
            2.5, 4.0, False, True)
        with pytest.raises(ActionNotAllowed, match="scored automatically"):
            grade_item(session, ann, 3, reviewer="sam", points=1)
        overridden = override_score(session, ann, 3, points=1, reason="the statement was ambiguous",
                                    reviewer="sam", now=at(40))
        assert (overridden.kind, overridden.old_correct, overridden.new_correct) == ("override", False, True)
        with pytest.raises(ActionNotAllowed, match="scored automatically"):
            grade_item(session, ann, 3, reviewer="sam", points=0)

    with unit_of_work(reviewed.sessions) as session:
        history = audit_history(session, ann)
        assert [(h.kind, h.position, h.actor, h.old_points, h.new_points) for h in history] == [
            ("review", 1, "rita", 0.0, 2.5), ("review", 1, "sam", 2.5, 4.0), ("override", 3, "sam", 0.0, 1.0)
        ]
        assert [h.reason for h in history] == ["first marking", "second marker", "the statement was ambiguous"]
        assert history[0].details["criteria"] == {"data structures": 1.0, "Complexity": 0.5}
        assert (history[0].question_version, history[0].details["old_needs_review"]) == (1, True)
        assert history[0].created_at is not None
        report = attempt_report(session, ann)
        assert (report.points_earned, report.percentage, report.passed, report.grade, report.state) == (
            6.0, 100.0, True, "A", "final")
        assert [q.points_earned for q in report.questions] == [4.0, 1.0, 1.0]
        assert report.questions[0].feedback == "Graded by a reviewer."
        row = AttemptRepository(session).get(ann)
        assert row is not None
        assert (row.points_earned, row.percentage, row.passed) == (6.0, 100.0, True)
        items = AttemptRepository(session).items(ann)
        assert [i.score_source for i in items] == ["review", "auto", "override"]
        assert_metrics_match_items(session, "ann")
        assert review_item(session, ann, 1).history[-1].actor == "sam"


def test_rubric_review_applies_the_hint_penalty_and_checks_its_input(reviewed: Platform) -> None:
    with unit_of_work(reviewed.sessions) as session:
        bob = take_essay_attempt(session, "bob", hint=True)
        cat = take_essay_attempt(session, "cat", submit=False)
    with unit_of_work(reviewed.sessions) as session:
        bad: list[tuple[dict[str, object], type[Exception], str]] = [
            ({"criteria": {"data structures": 1, "style": 1, "complexity": 1}}, ValidationFailed, "not in the rubric"),
            ({"criteria": {"data structures": 1}}, ValidationFailed, "no score for 'complexity'"),
            ({"criteria": {"data structures": 1.5, "complexity": 1}}, ValidationFailed, "from 0 to 1"),
            ({"criteria": {"data structures": math.nan, "complexity": 1}}, ValidationFailed, "from 0 to 1"),
            ({"points": 1, "criteria": {"data structures": 1, "complexity": 1}}, ValidationFailed, "either"),
            ({}, ValidationFailed, "either"),
            ({"points": 4.5}, ValidationFailed, "between 0 and 4"),
            ({"points": -1}, ValidationFailed, "between 0 and 4"),
            ({"points": 1, "reviewer": "  "}, ValidationFailed, "reviewer"),
        ]
        for kwargs, error, message in bad:
            arguments = {"reviewer": "rita", **kwargs}
            with pytest.raises(error, match=message):
                grade_item(session, bob, 1, **arguments)  # type: ignore[arg-type]
        with pytest.raises(NotFound, match="no question at position 9"):
            grade_item(session, bob, 9, reviewer="rita", points=1)
        with pytest.raises(NotFound):
            grade_item(session, "nope", 1, reviewer="rita", points=1)
        with pytest.raises(ActionNotAllowed, match="still in progress"):
            grade_item(session, cat, 1, reviewer="rita", points=1)
        with pytest.raises(ValidationFailed, match="reason"):
            override_score(session, bob, 2, points=0, reason="  ", reviewer="rita")
        assert audit_history(session, bob) == []
        with pytest.raises(NotFound):
            audit_history(session, "nope")
        with pytest.raises(NotFound):
            review_queue(session, "nope")

    with unit_of_work(reviewed.sessions) as session:
        change = grade_item(session, bob, 1, reviewer="rita", criteria={"data structures": 1, "complexity": 1})
        # Full marks on the rubric, less the 0.5-point hint penalty, like an automatically graded answer.
        assert (change.new_points, change.new_correct) == (3.5, False)
        assert audit_history(session, bob)[0].details["hint_penalty"] == 0.5
        assert_metrics_match_items(session, "bob")
        assert review_item(session, bob, 1).criteria[1]["points_earned"] == 3.0


def test_an_attempt_whose_time_ran_out_joins_the_queue(reviewed: Platform) -> None:
    with unit_of_work(reviewed.sessions) as session:
        make_assessment(session, id="timed", questions=QUESTIONS, duration_minutes=10)
        s = start_attempt(session, "timed", "dan", T0)
        answer_question(session, s.attempt_id, s.token, ESSAY, now=at(1))
        assert review_queue(session, now=at(5)) == []
    with unit_of_work(reviewed.sessions) as session:
        assert [(e.attempt_id, e.position) for e in review_queue(session, "timed", now=at(30))] == [(s.attempt_id, 1)]
    with unit_of_work(reviewed.sessions) as session:
        report = attempt_report(session, s.attempt_id, now=at(31))
        assert (report.status, report.submit_reason, report.state) == ("submitted", "time_up", "pending_review")


def test_migration_0003_downgrades_and_upgrades_with_data(reviewed: Platform, database_url: str) -> None:
    with unit_of_work(reviewed.sessions) as session:
        ann = take_essay_attempt(session, "ann")
        grade_item(session, ann, 1, reviewer="rita", points=2)
    engine = make_engine(database_url)
    config = Config()
    config.set_main_option("script_location", str(migrate.MIGRATIONS))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0002")
        with engine.connect() as connection:
            inspector = inspect(connection)
            assert not inspector.has_table("score_audit")
            assert "score_source" not in {c["name"] for c in inspector.get_columns("attempt_items")}
            kept = connection.exec_driver_sql("SELECT points_earned FROM attempt_items WHERE position = 1").scalar()
            assert kept == 2.0
        migrate.upgrade(engine)
        assert migrate.current_revision(engine) == migrate.head_revision()
        with engine.connect() as connection:
            sources = connection.exec_driver_sql("SELECT DISTINCT score_source FROM attempt_items").scalars().all()
            assert sources == ["auto"]
    finally:
        engine.dispose()


def test_review_commands(reviewed: Platform, cli_env: dict[str, str]) -> None:
    with unit_of_work(reviewed.sessions) as session:
        ann = take_essay_attempt(session, "ann")
    env = {**cli_env, "COLUMNS": "200"}

    def ok(*args: str) -> str:
        result = runner.invoke(app, list(args), env=env)
        assert result.exit_code == 0, result.output
        return result.stdout

    listed = json.loads(ok("review", "list", "--json"))["items"]
    assert [(i["attempt_id"], i["position"], i["question_id"]) for i in listed] == [(ann, 1, "cache-essay")]
    assert "cache-essay" in ok("review", "list", "--assessment", "quiz")
    shown = json.loads(ok("review", "show", ann, "1", "--json"))
    assert (shown["answer"], shown["needs_review"], shown["points_possible"]) == (ESSAY, True, 4.0)
    assert [c["weight"] for c in shown["rubric"]] == [1.0, 3.0]
    human = ok("review", "show", ann, "1")
    assert "Design an LRU cache" in human
    assert "needs review" in human
    assert "complexity (weight 3): argues O(1) get and put" in human

    graded = json.loads(ok("review", "grade", ann, "1", "--criterion", "data structures=1", "--criterion",
                           "complexity=0.5", "--reviewer", "rita", "--json"))
    assert (graded["new_points"], graded["state"]) == (2.5, "final")
    refused = runner.invoke(app, ["review", "override", ann, "3", "--points", "1", "--reviewer", "sam",
                                  "--reason", ""], env=env)
    assert refused.exit_code == 1
    assert "validation_failed" in refused.stderr
    usage = runner.invoke(app, ["review", "grade", ann, "1", "--criterion", "complexity", "--reviewer", "x"], env=env)
    assert usage.exit_code == 2
    auto = runner.invoke(app, ["review", "grade", ann, "2", "--points", "0", "--reviewer", "x"], env=env)
    assert auto.exit_code == 1
    assert "action_not_allowed" in auto.stderr
    line = ok("review", "override", ann, "3", "--points", "1", "--reviewer", "sam", "--reason", "ambiguous")
    assert "override: question 3" in line
    assert "(now passed)" in line
    history = json.loads(ok("review", "history", ann, "--json"))["changes"]
    assert [(h["kind"], h["actor"], h["new_points"]) for h in history] == [("review", "rita", 2.5),
                                                                           ("override", "sam", 1.0)]
    assert "ambiguous" in ok("review", "history", ann)
    assert "Nothing is waiting for review." in ok("review", "list")
    missing = runner.invoke(app, ["review", "history", "nope"], env=env)
    assert missing.exit_code == 1
    assert "not_found" in missing.stderr
