"""`sensei bank` and `sensei db` end to end through the real command line and database."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from codesensei.cli.main import app

runner = CliRunner()


def sensei(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_import_list_show_search_export(cli_env: dict[str, str], adr_example: Path, tmp_path: Path) -> None:
    code, out, _ = sensei(cli_env, "bank", "import", str(adr_example), "--json")
    assert code == 0, out
    assert json.loads(out)["created"] == 2
    code, out, _ = sensei(cli_env, "bank", "import", str(adr_example), "--json")
    assert json.loads(out)["unchanged"] == 2

    code, out, _ = sensei(cli_env, "bank", "list", "--type", "code", "--json")
    listing = json.loads(out)
    assert listing["total"] == 1
    code_id = listing["questions"][0]["id"]

    code, out, _ = sensei(cli_env, "bank", "show", code_id, "--json")
    shown = json.loads(out)
    assert shown["version"] == 1
    assert [t["kind"] for t in shown["question"]["tests"]] == ["source"] * 3

    code, out, _ = sensei(cli_env, "bank", "search", "competitive market", "--json")
    assert [q["id"] for q in json.loads(out)["questions"]] == [code_id]

    exported = tmp_path / "out.json"
    code, out, _ = sensei(cli_env, "bank", "export", "--format", "json", "-o", str(exported))
    assert code == 0
    assert len(json.loads(exported.read_text())["questions"]) == 2
    code, out, _ = sensei(cli_env, "bank", "import", str(exported), "--json")
    assert json.loads(out)["unchanged"] == 2

    code, out, _ = sensei(cli_env, "bank", "list")
    assert "2 of 2 question(s)" in out


def test_bad_file_imports_nothing_and_names_the_problem(cli_env: dict[str, str], tmp_path: Path) -> None:
    bank = tmp_path / "graphs.yaml"
    bank.write_text(
        "questions:\n"
        "  - {id: ok, type: true_false, title: t, text: x, answer: true}\n"
        "  - {id: bfs-shortest, type: code, title: t, text: x, tests: [{name: a, kind: stdio}]}\n"
    )
    code, out, err = sensei(cli_env, "bank", "import", str(bank))
    assert code == 1
    assert "question 'bfs-shortest': tests[0].expected: required" in out
    assert "nothing imported" in err
    assert "Traceback" not in out + err
    code, out, _ = sensei(cli_env, "bank", "list", "--json")
    assert json.loads(out)["total"] == 0


def test_unknown_question_is_one_clear_line(cli_env: dict[str, str]) -> None:
    process = subprocess.run(
        [sys.executable, "-m", "codesensei.cli.main", "bank", "show", "nope"],
        env={**cli_env, "PATH": "/usr/bin:/bin"}, capture_output=True, text=True, check=False,
    )
    assert process.returncode == 1
    assert process.stderr.strip() == "error: question 'nope' is not in the bank"


def test_bad_filter_values_are_refused(cli_env: dict[str, str]) -> None:
    code, _, err = sensei(cli_env, "bank", "list", "--type", "riddle")
    assert code == 2
    assert "unknown question type riddle" in err


def test_backup_and_restore(cli_env: dict[str, str], adr_example: Path, tmp_path: Path) -> None:
    if not cli_env["SENSEI_DATABASE_URL"].startswith("sqlite"):
        code, _, err = sensei(cli_env, "db", "backup", str(tmp_path / "b.db"))
        assert code == 1
        assert "pg_dump" in err
        return
    sensei(cli_env, "bank", "import", str(adr_example))
    backup = tmp_path / "backup.db"
    code, out, _ = sensei(cli_env, "db", "backup", str(backup), "--json")
    assert code == 0, out
    bank = tmp_path / "more.yaml"
    bank.write_text("- {id: extra, type: true_false, title: t, text: x, answer: true}\n")
    sensei(cli_env, "bank", "import", str(bank))
    assert json.loads(sensei(cli_env, "bank", "list", "--json")[1])["total"] == 3
    code, out, _ = sensei(cli_env, "db", "restore", str(backup), "--json")
    assert code == 0, out
    assert json.loads(out)["revision"]
    assert json.loads(sensei(cli_env, "bank", "list", "--json")[1])["total"] == 2
    not_a_db = tmp_path / "junk.db"
    not_a_db.write_text("hello")
    code, _, err = sensei(cli_env, "db", "restore", str(not_a_db))
    assert code == 1
    assert "not a Code Sensei database" in err


def test_first_start_imports_the_sample_bank(cli_env: dict[str, str]) -> None:
    env = {**cli_env, "SENSEI_LOAD_SAMPLE_BANK": "true"}
    listing = json.loads(sensei(env, "bank", "list", "--json", "--limit", "1000")[1])
    types = {q["type"] for q in listing["questions"]}
    assert types == {"mcq", "mcq_multi", "true_false", "short_answer", "fill_blank", "matching", "ordering",
                     "essay", "code"}
    # Only once: deleting nothing and starting again does not duplicate or re-import.
    again = json.loads(sensei(env, "bank", "list", "--json", "--limit", "1000")[1])
    assert again["total"] == listing["total"]
