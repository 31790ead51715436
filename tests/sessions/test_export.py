"""`sensei results export` on SQLite and PostgreSQL: records checked field by field against the one report,
paged (never every attempt at once), filters, JSON / JSON Lines / CSV parsed back, per-question rows."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from codesensei.cli.main import app
from codesensei.errors import NotFound, ValidationFailed
from codesensei.platform import Platform
from codesensei.sessions.answering import answer_question, take_hint
from codesensei.sessions.attempts import skip_question, start_attempt, submit_attempt
from codesensei.sessions.export import (
    ATTEMPT_COLUMNS,
    ITEM_COLUMNS,
    ExportFilter,
    export_records,
    iter_reports,
    parse_since,
)
from codesensei.sessions.report import attempt_report
from codesensei.store.db import unit_of_work
from sessions.helpers import T0, at, make_assessment

runner = CliRunner()
QUIZ = ["py-mutable-default", "py-is-vs-equals", "algo-binary-search-complexity"]


def seed(session: Session) -> dict[str, str]:
    """Four attempts, started an hour apart: two at `quiz`, one open and one submitted at `other`."""
    make_assessment(session, questions=QUIZ, passing_score=50, hints={"allowed": True, "penalty": 0.5})
    make_assessment(session, id="other", title="Other", questions=["py-is-vs-equals"])
    ids: dict[str, str] = {}
    s = start_attempt(session, "quiz", "ann", T0)
    take_hint(session, s.attempt_id, s.token, at(0.5))
    answer_question(session, s.attempt_id, s.token, "B", now=at(1))
    answer_question(session, s.attempt_id, s.token, False, now=at(3))
    answer_question(session, s.attempt_id, s.token, "B", now=at(4))
    submit_attempt(session, s.attempt_id, s.token, at(5))
    ids["ann-quiz"] = s.attempt_id
    s = start_attempt(session, "quiz", "bob", at(60))
    answer_question(session, s.attempt_id, s.token, "A", now=at(61))
    answer_question(session, s.attempt_id, s.token, True, now=at(62))
    skip_question(session, s.attempt_id, s.token, now=at(63))
    submit_attempt(session, s.attempt_id, s.token, at(64))
    ids["bob-quiz"] = s.attempt_id
    ids["cat-other"] = start_attempt(session, "other", "cat", at(120)).attempt_id
    s = start_attempt(session, "other", "ann", at(180))
    answer_question(session, s.attempt_id, s.token, False, now=at(181))
    submit_attempt(session, s.attempt_id, s.token, at(182))
    ids["ann-other"] = s.attempt_id
    return ids


@pytest.fixture
def seeded(bank: Platform) -> tuple[Platform, dict[str, str]]:
    with unit_of_work(bank.sessions) as session:
        ids = seed(session)
    return bank, ids


def test_records_match_the_report_field_by_field(seeded: tuple[Platform, dict[str, str]]) -> None:
    platform, ids = seeded
    with unit_of_work(platform.sessions) as session:
        records = list(export_records(session, ExportFilter(), page_size=2, now=at(200)))
        assert [r["attempt_id"] for r in records] == [ids[k] for k in ("ann-quiz", "bob-quiz", "cat-other",
                                                                         "ann-other")]
        for record in records:
            assert tuple(record) == ATTEMPT_COLUMNS
            report = attempt_report(session, record["attempt_id"], now=at(200)).to_json()
            for key in ATTEMPT_COLUMNS:
                if key != "topics":
                    assert record[key] == report[key], key
            assert record["topics"] == {b["name"]: b["percentage"] for b in report["by_topic"]}
    ann = records[0]
    assert ann == {
        "attempt_id": ids["ann-quiz"], "assessment_id": "quiz", "title": "Quiz", "user": "ann", "number": 1,
        "status": "submitted", "state": "final", "started_at": T0.isoformat(), "submitted_at": at(5).isoformat(),
        "submit_reason": "candidate", "points_earned": 2.5, "points_possible": 3.0, "percentage": 83.33,
        "passed": True, "grade": "B", "time_spent_s": 240.0, "hints_used": 1, "pending_review": 0,
        "topics": {"algorithms": 100.0, "complexity": 100.0, "data-model": 100.0, "functions": 50.0,
                   "python": 75.0, "searching": 100.0},
    }
    bob = records[1]
    assert (bob["points_earned"], bob["percentage"], bob["passed"], bob["grade"]) == (0.0, 0.0, False, "F")
    cat = records[2]
    assert (cat["status"], cat["state"], cat["submitted_at"], cat["submit_reason"]) == (
        "in_progress", "in_progress", None, None)
    assert records[3]["number"] == 1
    assert records[3]["percentage"] == 100.0


def test_items_filters_and_paging(seeded: tuple[Platform, dict[str, str]]) -> None:
    platform, ids = seeded
    with unit_of_work(platform.sessions) as session:
        items = list(export_records(session, ExportFilter(assessment_id="quiz"), per_question=True, now=at(200)))
        assert len(items) == 6
        assert all(tuple(i) == ITEM_COLUMNS for i in items)
        assert items[0] == {
            "attempt_id": ids["ann-quiz"], "assessment_id": "quiz", "user": "ann", "number": 1, "position": 1,
            "question_id": "py-mutable-default", "question_version": 1, "type": "mcq",
            "topics": ["python", "functions"], "difficulty": "medium", "status": "answered", "points_earned": 0.5,
            "points_possible": 1.0, "correct": True, "needs_review": False, "time_spent_s": 60.0, "hints_used": 1,
            "exec_time_ms": None, "memory_kb": None,
        }
        assert [(i["user"], i["position"], i["status"], i["points_earned"]) for i in items[3:]] == [
            ("bob", 1, "answered", 0.0), ("bob", 2, "answered", 0.0), ("bob", 3, "skipped", 0.0)
        ]

        def attempts(flt: ExportFilter) -> list[str]:
            return [r["attempt_id"] for r in export_records(session, flt, page_size=1, now=at(200))]

        assert attempts(ExportFilter(user_name="ann")) == [ids["ann-quiz"], ids["ann-other"]]
        assert attempts(ExportFilter(since=at(100))) == [ids["cat-other"], ids["ann-other"]]
        assert attempts(ExportFilter(assessment_id="other", user_name="ann", since=at(100))) == [ids["ann-other"]]
        assert attempts(ExportFilter(since=at(500))) == []
        with pytest.raises(NotFound):
            attempts(ExportFilter(assessment_id="nope"))

        # Streaming: attempt ids are read a page at a time, and only when the previous page is written.
        pages: list[str] = []

        def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
            if statement.lstrip().startswith("SELECT attempts.started_at, attempts.id"):
                pages.append(statement)

        event.listen(session.get_bind(), "before_cursor_execute", record)
        try:
            reports = iter_reports(session, ExportFilter(), page_size=2, now=at(200))
            assert next(reports).attempt_id == ids["ann-quiz"]
            assert len(pages) == 1
            assert [r.attempt_id for r in reports] == [ids["bob-quiz"], ids["cat-other"], ids["ann-other"]]
            assert len(pages) == 3  # two full pages, then an empty one ends the export
            assert all("LIMIT" in page for page in pages)
        finally:
            event.remove(session.get_bind(), "before_cursor_execute", record)


def test_parse_since() -> None:
    assert parse_since("2030-03-01") == T0.replace(hour=0)
    assert parse_since("2030-03-01T09:00:00") == T0
    assert parse_since("2030-03-01T10:00:00+01:00") == T0
    with pytest.raises(ValidationFailed, match="since"):
        parse_since("yesterday")


def invoke(env: dict[str, str], *args: str) -> str:
    result = runner.invoke(app, ["results", "export", *args], env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_export_command_in_every_format(
    seeded: tuple[Platform, dict[str, str]], cli_env: dict[str, str], tmp_path: Path
) -> None:
    platform, ids = seeded
    with unit_of_work(platform.sessions) as session:
        expected = list(export_records(session, ExportFilter()))

    rows = list(csv.reader(io.StringIO(invoke(cli_env, "--format", "csv"))))
    assert rows[0] == list(ATTEMPT_COLUMNS)
    assert len(rows) == 5
    parsed: list[dict[str, Any]] = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert [p["attempt_id"] for p in parsed] == [e["attempt_id"] for e in expected]
    ann = parsed[0]
    assert (ann["user"], ann["number"], ann["status"], ann["state"]) == ("ann", "1", "submitted", "final")
    assert (ann["points_earned"], ann["points_possible"], ann["percentage"]) == ("2.5", "3.0", "83.33")
    assert (ann["passed"], ann["grade"], ann["hints_used"], ann["time_spent_s"]) == ("true", "B", "1", "240.0")
    assert ann["started_at"] == T0.isoformat()
    assert ann["topics"] == ("algorithms=100.0;complexity=100.0;data-model=100.0;functions=50.0;python=75.0;"
                             "searching=100.0")
    cat = parsed[2]
    assert (cat["submitted_at"], cat["submit_reason"], cat["state"]) == ("", "", "in_progress")
    assert parsed[1]["passed"] == "false"

    lines = invoke(cli_env, "--format", "jsonl", "--user", "ann").splitlines()
    assert [json.loads(line) for line in lines] == [expected[0], expected[3]]

    target = tmp_path / "out" / "results.json"
    target.parent.mkdir()
    assert invoke(cli_env, "--format", "json", "--assessment", "quiz", "--output", str(target)) == ""
    assert json.loads(target.read_text()) == expected[:2]
    assert list(target.parent.iterdir()) == [target]

    items = list(csv.DictReader(io.StringIO(invoke(cli_env, "--format", "csv", "--per-question",
                                                   "--since", "2030-03-01T11:30:00"))))
    assert [(i["attempt_id"], i["position"]) for i in items] == [(ids["ann-other"], "1")]
    assert items[0] == {
        "attempt_id": ids["ann-other"], "assessment_id": "other", "user": "ann", "number": "1", "position": "1",
        "question_id": "py-is-vs-equals", "question_version": "1", "type": "true_false",
        "topics": "python;data-model", "difficulty": "easy", "status": "answered", "points_earned": "1.0",
        "points_possible": "1.0", "correct": "true", "needs_review": "false", "time_spent_s": "60.0",
        "hints_used": "0", "exec_time_ms": "", "memory_kb": "",
    }
    assert json.loads(invoke(cli_env, "--format", "json", "--user", "nobody")) == []
    pending = json.loads(invoke(cli_env, "--format", "json", "--per-question", "--user", "cat"))
    assert [(p["attempt_id"], p["status"], p["points_earned"]) for p in pending] == [(ids["cat-other"], "pending", 0.0)]


def test_export_command_errors(seeded: tuple[Platform, dict[str, str]], cli_env: dict[str, str],
                               tmp_path: Path) -> None:
    wrong_format = runner.invoke(app, ["results", "export", "--format", "xml"], env=cli_env)
    assert wrong_format.exit_code == 2
    assert "json, jsonl, csv" in wrong_format.stderr
    bad_date = runner.invoke(app, ["results", "export", "--format", "csv", "--since", "soon"], env=cli_env)
    assert bad_date.exit_code == 1
    assert "validation_failed" in bad_date.stderr
    target = tmp_path / "never.csv"
    unknown = runner.invoke(app, ["results", "export", "--format", "csv", "--assessment", "nope",
                                  "--output", str(target)], env=cli_env)
    assert unknown.exit_code == 1
    assert "not_found" in unknown.stderr
    assert list(tmp_path.glob("never.csv*")) == []
