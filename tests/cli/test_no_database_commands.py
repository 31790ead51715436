"""Commands that need no database never create or open one, and the CLI starts without heavy imports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from codesensei.cli.main import app
from codesensei.settings import Settings

runner = CliRunner()


def test_validate_and_schema_leave_no_database(tmp_path: Path, adr_example: Path) -> None:
    env = {"SENSEI_DATA_DIR": str(tmp_path / "data"), "SENSEI_DATABASE_URL": ""}
    result = runner.invoke(app, ["bank", "validate", str(adr_example), "--json"], env=env)
    assert result.exit_code == 0, result.stdout
    assert json.loads(result.stdout) == {"valid": True, "files": 1, "questions": 2, "by_type": {"mcq": 1, "code": 1}}
    schema = json.loads(runner.invoke(app, ["bank", "schema"], env=env).stdout)
    assert schema["title"] == "Code Sensei question bank"
    assert "CodeQuestion" in schema["$defs"]
    assert not (tmp_path / "data").exists()


def test_validate_reports_problems_with_exit_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("- {id: q, type: mcq, title: t, text: x, options: [{key: A, text: a}], answer: A}\n")
    result = runner.invoke(app, ["bank", "validate", str(bad), "--json"])
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    assert problems == [f"{bad}: question 'q': options: List should have at least 2 items after validation, not 1"]


def test_help_imports_no_heavy_module() -> None:
    probe = (
        "import sys; from codesensei.cli.main import app; "
        "heavy = [m for m in ('sqlalchemy', 'numpy', 'scipy', 'alembic', 'pydantic') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_production_mode_refuses_the_placeholder_secret() -> None:
    import pytest

    from codesensei.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="SENSEI_SECRET_KEY"):
        Settings(mode="production")
    assert Settings(mode="production", secret_key="x" * 40).mode == "production"
