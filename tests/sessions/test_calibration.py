"""`sensei calibrate` from stored attempts: responses in, new question versions with fitted parameters out."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import numpy as np
from typer.testing import CliRunner

from codesensei.bank.files import BankFile, parse_document
from codesensei.bank.service import describe_question, import_files
from codesensei.cli.main import app
from codesensei.platform import Platform
from codesensei.store.db import unit_of_work
from codesensei.store.session_tables import AssessmentRow, AttemptItemRow, AttemptRow

runner = CliRunner()
TRUE_B = [-1.5, -0.5, 0.0, 0.7, 1.6]


def _store_simulated_attempts(platform: Platform, examinees: int = 600) -> None:
    rng = np.random.default_rng(3)
    bank = "\n".join(
        f"- {{id: item-{i}, type: true_false, title: Item {i}, text: Statement {i}., answer: true}}"
        for i in range(len(TRUE_B))
    )
    now = datetime(2026, 11, 1, tzinfo=UTC)
    with unit_of_work(platform.sessions) as session:
        import_files(session, [BankFile("items.yaml", parse_document(bank, source="items.yaml"))])
        session.add(AssessmentRow(id="calib", title="Calibration", mode="fixed", status="published",
                                  definition={}, created_at=now, updated_at=now))
        session.flush()
        thetas = rng.normal(size=examinees)
        for n, theta in enumerate(thetas):
            attempt_id = f"a{n:05d}"
            session.add(AttemptRow(id=attempt_id, assessment_id="calib", user_name=f"u{n}", number=1,
                                   status="submitted", seed=n, lottery_key=n, token_hash="x" * 64,
                                   token_expires_at=now, started_at=now, submitted_at=now))
            session.flush()
            for position, b in enumerate(TRUE_B):
                correct = bool(rng.random() < 1 / (1 + np.exp(-1.2 * (theta - b))))
                session.add(AttemptItemRow(attempt_id=attempt_id, position=position, question_id=f"item-{position}",
                                           question_version=1, status="answered", points_earned=float(correct),
                                           points_possible=1.0, correct=correct))
        session.flush()


def test_calibrate_from_stored_attempts_versions_the_questions(platform: Platform, cli_env: dict[str, str]) -> None:
    _store_simulated_attempts(platform)
    result = runner.invoke(app, ["calibrate", "--model", "2pl", "--json"], env=cli_env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert sorted(report["updated"]) == [f"item-{i}" for i in range(len(TRUE_B))]
    recovered = [item["b"] for item in sorted(report["items"], key=lambda item: item["id"])]
    assert np.corrcoef(recovered, TRUE_B)[0, 1] > 0.95
    with unit_of_work(platform.sessions) as session:
        detail = describe_question(session, "item-4")
        assert detail.versions == [1, 2]
        assert detail.question.irt is not None
        assert detail.question.irt.model == "2pl"
        assert detail.question.irt.b > 0.8


def test_calibrate_with_nothing_stored_is_a_clear_error(cli_env: dict[str, str]) -> None:
    result = runner.invoke(app, ["calibrate", "--model", "2pl"], env=cli_env)
    assert result.exit_code == 1
    assert "no submitted attempts" in result.stderr
