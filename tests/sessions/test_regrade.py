"""`sensei regrade` on SQLite and PostgreSQL: a fixed mcq key re-imported through `sensei bank import`, and a
code question whose test is fixed, judged again in the real sandbox; audit rows, totals and metrics follow."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from codesensei.cli.main import app
from codesensei.platform import Platform
from codesensei.sessions.answering import answer_question
from codesensei.sessions.attempts import start_attempt, submit_attempt
from codesensei.sessions.regrade import regrade_question
from codesensei.sessions.report import attempt_report
from codesensei.sessions.review import audit_history, override_score
from codesensei.store.attempts import AttemptRepository, ScopeMetricRepository
from codesensei.store.db import unit_of_work
from codesensei.store.session_tables import ScoreAuditRow
from sessions.helpers import T0, at, make_assessment
from sessions.test_review import assert_metrics_match_items, import_text

runner = CliRunner()

GEO_V1 = """\
- id: cap-mcq
  type: mcq
  title: Capital of Australia
  text: Which city is the capital of Australia?
  topics: [geography]
  difficulty: easy
  options:
    - {key: A, text: Sydney}
    - {key: B, text: Canberra}
    - {key: C, text: Melbourne}
    - {key: D, text: Perth}
  answer: A
- id: sky-tf
  type: true_false
  title: Sky colour
  text: The sky is green on a clear day.
  topics: [science]
  difficulty: easy
  answer: false
"""
# The author fixes the key, drops an option nobody should have offered and adds a topic: a regrade moves the
# item's metric contribution to the new version's scopes.
GEO_V2 = (
    GEO_V1.replace("  answer: A\n", "  answer: B\n")
    .replace("    - {key: D, text: Perth}\n", "")
    .replace("  topics: [geography]\n", "  topics: [geography, cities]\n")
)

ADD_V1 = """\
- id: add-stdin
  type: code
  title: Add two numbers
  text: Read two integers from one line and print their sum.
  topics: [math]
  difficulty: easy
  points: 3
  languages: [python]
  limits: {time_s: 2, memory_mb: 256}
  tests:
    - {name: small, kind: stdio, input: "1 2\\n", expected: "3\\n", visibility: sample}
    - {name: zeros, kind: stdio, input: "0 0\\n", expected: "0\\n"}
    - {name: pair, kind: stdio, input: "2 2\\n", expected: "5\\n"}
"""
ADD_V2 = ADD_V1.replace('expected: "5\\n"', 'expected: "4\\n"')


def program(expression: str) -> dict[str, str]:
    return {"language": "python", "source": f"a, b = map(int, input().split())\nprint({expression})\n"}


def take(session: Session, assessment: str, user: str, answers: list[object], *, submit: bool = True) -> str:
    s = start_attempt(session, assessment, user, T0)
    for n, answer in enumerate(answers, start=1):
        answer_question(session, s.attempt_id, s.token, answer, now=at(n))
    if submit:
        submit_attempt(session, s.attempt_id, s.token, at(len(answers) + 1))
    return s.attempt_id


def item_state(session: Session, attempt_id: str, position: int = 1) -> tuple[float, bool, int, str]:
    item = AttemptRepository(session).items(attempt_id)[position - 1]
    return item.points_earned, item.correct, item.question_version, item.score_source


def metric_rows(session: Session, user: str) -> dict[str, tuple[int, float]]:
    return {r.scope: (r.count, round(r.score_sum, 6)) for r in ScopeMetricRepository(session).for_user(user)}


def test_a_fixed_mcq_key_is_regraded_after_a_bank_reimport(
    bank: Platform, cli_env: dict[str, str], tmp_path: Path
) -> None:
    users = ("ann", "bob", "cat", "dan", "eve")
    with unit_of_work(bank.sessions) as session:
        import_text(session, GEO_V1, "geo.yaml")
        make_assessment(session, id="geo", questions=["cap-mcq", "sky-tf"], passing_score=100)
        ann = take(session, "geo", "ann", ["B", False])  # right, but marked wrong by the broken key
        bob = take(session, "geo", "bob", ["A", False])  # wrong, but marked right
        cat = take(session, "geo", "cat", ["B", False])
        dan = take(session, "geo", "dan", ["B"], submit=False)  # still answering
        eve = take(session, "geo", "eve", ["D", False])  # an option the fixed version no longer has
        override_score(session, cat, 1, points=0.5, reason="key disputed", reviewer="rita", now=at(10))
    with unit_of_work(bank.sessions) as session:
        assert [item_state(session, a)[0] for a in (ann, bob, cat, dan, eve)] == [0.0, 1.0, 0.5, 0.0, 0.0]
        before = {user: metric_rows(session, user) for user in users}

    v2 = tmp_path / "geo.yaml"
    v2.write_text(GEO_V2)
    imported = runner.invoke(app, ["bank", "import", str(v2)], env=cli_env)
    assert imported.exit_code == 0, imported.output

    env = {**cli_env, "COLUMNS": "220"}
    dry = runner.invoke(app, ["regrade", "cap-mcq", "--dry-run"], env=env)
    assert dry.exit_code == 0, dry.output
    summary = "5 answer(s) examined, 3 would change, 0 unchanged, 1 skipped (reviewed), 1 could not be graded"
    assert summary in dry.stdout
    assert "dry run, nothing written" in dry.stdout
    assert "fail → pass" in dry.stdout
    assert "pass → fail" in dry.stdout
    assert "invalid_answer" in dry.stdout
    with unit_of_work(bank.sessions) as session:
        assert item_state(session, ann) == (0.0, False, 1, "auto")
        assert session.scalars(select(ScoreAuditRow).where(ScoreAuditRow.kind == "regrade")).all() == []
        assert {user: metric_rows(session, user) for user in users} == before

    done = runner.invoke(app, ["regrade", "cap-mcq", "--json"], env=env)
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    assert (report["version"], report["dry_run"], report["examined"], report["changed"]) == (2, False, 5, 3)
    changes = {c["user"]: c for c in report["changes"]}
    assert set(changes) == {"ann", "bob", "dan"}
    assert (changes["ann"]["old_points"], changes["ann"]["new_points"]) == (0.0, 1.0)
    assert (changes["ann"]["old_version"], changes["ann"]["new_version"]) == (1, 2)
    assert (changes["bob"]["old_correct"], changes["bob"]["new_correct"]) == (True, False)
    assert [(n["user"], n["position"]) for n in report["skipped_reviewed"]] == [("cat", 1)]
    assert [n["user"] for n in report["failed"]] == ["eve"]
    assert "invalid_answer" in report["failed"][0]["message"]
    outcomes = {a["user"]: a for a in report["attempts"]}
    assert (outcomes["ann"]["old_passed"], outcomes["ann"]["new_passed"], outcomes["ann"]["flipped"]) == (
        False, True, True)
    assert (outcomes["bob"]["old_passed"], outcomes["bob"]["new_passed"]) == (True, False)
    assert (outcomes["dan"]["status"], outcomes["dan"]["old_passed"], outcomes["dan"]["new_passed"]) == (
        "in_progress", None, None)

    with unit_of_work(bank.sessions) as session:
        assert item_state(session, ann) == (1.0, True, 2, "auto")
        assert item_state(session, bob) == (0.0, False, 2, "auto")
        assert item_state(session, cat) == (0.5, False, 1, "override")
        assert item_state(session, eve) == (0.0, False, 1, "auto")
        for attempt_id, passed, percentage in ((ann, True, 100.0), (bob, False, 50.0)):
            row = AttemptRepository(session).get(attempt_id)
            assert row is not None
            assert (row.passed, row.percentage) == (passed, percentage)
            report_now = attempt_report(session, attempt_id)
            assert (report_now.passed, report_now.percentage, report_now.state) == (passed, percentage, "final")
        [audit] = audit_history(session, ann)
        assert (audit.kind, audit.actor, audit.question_version, audit.old_points, audit.new_points) == (
            "regrade", "regrade", 2, 0.0, 1.0)
        assert audit.details["old_version"] == 1
        assert "version 2" in audit.reason
        for user in users:
            assert_metrics_match_items(session, user)
        # easy#geography moved by the difference only: ann 0 → 100 %, bob 100 → 0 %; counts unchanged.
        assert metric_rows(session, "ann")["easy#geography"] == (1, 100.0)
        assert metric_rows(session, "bob")["easy#geography"] == (1, 0.0)
        assert metric_rows(session, "ann")["easy#cities"] == (1, 100.0)
        assert metric_rows(session, "ann")["all#all"] == (2, 200.0)
        assert metric_rows(session, "eve") == before["eve"]
        # The candidate still answering gets the new score into the totals when submitting.
        dan_row = AttemptRepository(session).get(dan)
        assert dan_row is not None
        assert dan_row.points_earned is None

    with unit_of_work(bank.sessions) as session:
        again = regrade_question(session, "cap-mcq")
        assert (again.examined, len(again.changes), again.unchanged) == (5, 0, 3)
        included = regrade_question(session, "cap-mcq", include_reviewed=True, now=at(20))
        assert [(c.user, c.old_points, c.new_points) for c in included.changes] == [("cat", 0.5, 1.0)]
        assert included.skipped_reviewed == []
    with unit_of_work(bank.sessions) as session:
        assert item_state(session, cat) == (1.0, True, 2, "auto")
        assert [h.kind for h in audit_history(session, cat)] == ["override", "regrade"]
        assert_metrics_match_items(session, "cat")

    missing = runner.invoke(app, ["regrade", "no-such-question"], env=env)
    assert missing.exit_code == 1
    assert "not_found" in missing.stderr


@pytest.mark.sandbox
def test_a_fixed_code_test_is_judged_again_in_the_sandbox(bank: Platform) -> None:
    with unit_of_work(bank.sessions) as session:
        import_text(session, ADD_V1, "add.yaml")
        make_assessment(session, id="adder", questions=["add-stdin"], passing_score=60)
        ann = take(session, "adder", "ann", [program("a + b")])  # right; fails only the broken test
        bob = take(session, "adder", "bob", [program("a * b")])  # passes `zeros`, and `pair` once it is fixed
        carl = take(session, "adder", "carl", [program("a - b")])  # passes `zeros` only, before and after
    with unit_of_work(bank.sessions) as session:
        assert [item_state(session, a)[0] for a in (ann, bob, carl)] == [2.0, 1.0, 1.0]
        import_text(session, ADD_V2, "add.yaml")

    with unit_of_work(bank.sessions) as session:
        dry = regrade_question(session, "add-stdin", dry_run=True)
        assert sorted((c.user, c.old_points, c.new_points) for c in dry.changes) == [
            ("ann", 2.0, 3.0), ("bob", 1.0, 2.0)
        ]
        assert item_state(session, ann) == (2.0, False, 1, "auto")
    with unit_of_work(bank.sessions) as session:
        done = regrade_question(session, "add-stdin", now=at(30))
    assert (done.examined, len(done.changes), done.unchanged, done.failed) == (3, 2, 1, [])
    outcomes = {a.user: a for a in done.attempts}
    assert (outcomes["ann"].old_passed, outcomes["ann"].new_passed) == (True, True)
    assert (outcomes["bob"].old_passed, outcomes["bob"].new_passed, outcomes["bob"].flipped) == (False, True, True)
    with unit_of_work(bank.sessions) as session:
        item = AttemptRepository(session).items(ann)[0]
        assert (item.points_earned, item.correct, item.question_version) == (3.0, True, 2)
        assert item.grade is not None
        assert item.grade["verdict"] == "accepted"
        assert item.exec_time_ms is not None
        assert item.memory_kb
        assert item_state(session, carl) == (1.0, False, 1, "auto")
        bob_row = AttemptRepository(session).get(bob)
        assert bob_row is not None
        assert (bob_row.points_earned, bob_row.passed) == (2.0, True)
        for user in ("ann", "bob", "carl"):
            assert_metrics_match_items(session, user)
