"""`sensei simulate` and `sensei calibrate` through Typer's test runner on an app of our own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from codesensei.cli.adaptive import register

runner = CliRunner()


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def test_simulate_generated_bank_json(app: typer.Typer) -> None:
    result = runner.invoke(app, ["simulate", "--generate", "100", "--model", "3pl", "--examinees", "200",
                                 "--max-items", "10", "--report-at", "5,10", "--seed", "3", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["report_at"] == [5, 10]
    assert data["rmse"]["10"] < data["rmse"]["5"]
    assert data["mean_length"] == 10
    for key in ("bias", "mean_se", "max_exposure", "mean_exposure", "overlap_rate", "wall_time_s"):
        assert key in data


@pytest.mark.parametrize("selector", ["randomesque", "sympson-hetter", "random"])
def test_simulate_files_and_selectors(app: typer.Typer, tmp_path: Path, selector: str) -> None:
    items = tmp_path / "items.csv"
    items.write_text("id,a,b,c\n" + "".join(f"q{i},1.{i % 9},{(i - 20) / 10},0.1\n" for i in range(40)))
    thetas = tmp_path / "thetas.csv"
    thetas.write_text("theta\n" + "".join(f"{(i - 25) / 10}\n" for i in range(50)))
    result = runner.invoke(app, ["simulate", "--item-params", str(items), "--thetas", str(thetas),
                                 "--max-items", "8", "--selector", selector, "--estimator", "map",
                                 "--report-at", "4,8", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["selector"] == selector


def test_simulate_table(app: typer.Typer) -> None:
    result = runner.invoke(app, ["simulate", "--generate", "50", "--examinees", "20", "--max-items", "5",
                                 "--report-at", "5"])
    assert result.exit_code == 0, result.output
    assert "RMSE" in result.stdout
    assert "overlap" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--examinees", "5"], "exactly one of --item-params"),
        (["--generate", "5"], "exactly one of --thetas"),
        (["--generate", "5", "--examinees", "5", "--selector", "best"], "--selector"),
        (["--generate", "5", "--examinees", "5", "--estimator", "wle"], "--estimator"),
        (["--generate", "5", "--examinees", "5", "--report-at", "a,b"], "--report-at"),
    ],
)
def test_simulate_usage_errors(app: typer.Typer, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["simulate", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_simulate_bad_item_file(app: typer.Typer, tmp_path: Path) -> None:
    items = tmp_path / "items.csv"
    items.write_text("a,b\n1,x\n")
    result = runner.invoke(app, ["simulate", "--item-params", str(items), "--examinees", "3"])
    assert result.exit_code == 1
    assert "line 2, column b" in result.output


def test_calibrate_csv_with_counts(app: typer.Typer, tmp_path: Path) -> None:
    counts = [3, 6, 2, 11, 1, 1, 3, 4, 1, 8, 0, 16, 0, 3, 2, 15,
              10, 29, 14, 81, 3, 28, 15, 80, 16, 56, 21, 173, 11, 61, 28, 298]
    lines = ["i1,i2,i3,i4,i5,count"] + [",".join(f"{i:05b}") + f",{n}" for i, n in enumerate(counts)]
    path = tmp_path / "lsat.csv"
    path.write_text("\n".join(lines) + "\n")
    result = runner.invoke(app, ["calibrate", "--responses", str(path), "--model", "2pl", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["model"] == "2pl"
    assert data["loglik"] == pytest.approx(-2466.653, abs=0.01)
    assert [i["id"] for i in data["items"]] == ["i1", "i2", "i3", "i4", "i5"]
    assert {"id", "a", "b", "c", "steps"} <= set(data["items"][0])
    assert data["items"][2]["b"] == pytest.approx(-0.280, abs=0.01)


def test_calibrate_table_and_missing_cells(app: typer.Typer, tmp_path: Path) -> None:
    rows = ["q1,q2,q3"] + [f"{i % 2},{(i // 2) % 2},{'' if i % 3 == 0 else (i // 3) % 2}" for i in range(60)]
    path = tmp_path / "r.csv"
    path.write_text("\n".join(rows) + "\n")
    result = runner.invoke(app, ["calibrate", "--responses", str(path)])
    assert result.exit_code == 0, result.output
    assert "log-likelihood" in result.stdout


def test_calibrate_errors(app: typer.Typer, tmp_path: Path) -> None:
    missing = runner.invoke(app, ["calibrate", "--responses", str(tmp_path / "none.csv")])
    assert missing.exit_code == 1
    assert "cannot read" in missing.output
    bad = tmp_path / "bad.csv"
    bad.write_text("q1,q2\n0,2\n1,0\n")
    result = runner.invoke(app, ["calibrate", "--responses", str(bad), "--json"])
    assert result.exit_code == 1
    assert "0/1" in result.output
    result = runner.invoke(app, ["calibrate", "--responses", str(bad), "--model", "4pl"])
    assert result.exit_code == 2
