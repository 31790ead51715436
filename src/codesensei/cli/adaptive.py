"""`sensei simulate` and `sensei calibrate`: adaptive-test simulation and MML item calibration from CSV files.

NumPy/SciPy and the adaptive engine are imported inside the command bodies so `sensei --help` stays fast.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from codesensei.cli.output import console, fail, print_json

if TYPE_CHECKING:
    from codesensei.adaptive.pool import ItemPool
    from codesensei.adaptive.simulation import SimulationResult

SELECTORS = {"max-info": "none", "randomesque": "randomesque", "sympson-hetter": "sympson-hetter",
             "random": "random"}


def register(app: typer.Typer) -> None:
    """Add the top-level `simulate` and `calibrate` commands to `app`."""
    app.command("simulate")(simulate)
    app.command("calibrate")(calibrate)


def _read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
            header = [h.strip() for h in (reader.fieldnames or [])]
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror or exc}")
    except (csv.Error, UnicodeDecodeError) as exc:
        fail(f"{path} is not a readable CSV file: {exc}")
    if not header:
        fail(f"{path} has no header row")
    return header, [{(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in rows]


def _number(text: str, path: Path, line: int, column: str) -> float:
    try:
        value = float(text)
    except ValueError:
        fail(f"{path}, line {line}, column {column}: {text!r} is not a number")
    if not math.isfinite(value):
        fail(f"{path}, line {line}, column {column}: {text!r} is not a finite number")
    return value


def _read_item_params(path: Path) -> ItemPool:
    from codesensei.adaptive.pool import ItemPool

    header, rows = _read_rows(path)
    if not {"a", "b"} <= set(header):
        fail(f"{path} needs columns a and b (c and id are optional)")
    if not rows:
        fail(f"{path} holds no items")
    ids, a, b, c = [], [], [], []
    for n, row in enumerate(rows, start=2):
        ids.append(row.get("id") or f"item{n - 1}")
        a.append(_number(row["a"], path, n, "a"))
        b.append(_number(row["b"], path, n, "b"))
        c.append(_number(row["c"], path, n, "c") if row.get("c") else 0.0)
    try:
        return ItemPool.from_arrays(ids, a, b, c)
    except ValueError as exc:
        fail(f"{path}: {exc}")


def _read_thetas(path: Path) -> list[float]:
    header, rows = _read_rows(path)
    if "theta" not in header:
        fail(f"{path} needs a column named theta")
    if not rows:
        fail(f"{path} holds no examinees")
    return [_number(row["theta"], path, n, "theta") for n, row in enumerate(rows, start=2)]


def _report_lengths(text: str) -> list[int]:
    try:
        lengths = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        fail(f"--report-at must be whole numbers separated by commas, not {text!r}", 2)
    if not lengths or min(lengths) < 1:
        fail("--report-at needs at least one length >= 1", 2)
    return lengths


def simulate(
    item_params: Annotated[Path | None, typer.Option(help="CSV of items: columns a,b,c (c, id optional).")] = None,
    generate: Annotated[int | None, typer.Option(help="Generate a bank of N items instead.")] = None,
    model: Annotated[str, typer.Option(help="Model of a generated bank: 1pl, 2pl or 3pl.")] = "3pl",
    thetas: Annotated[Path | None, typer.Option(help="CSV of true abilities: one column named theta.")] = None,
    examinees: Annotated[int | None, typer.Option(help="Draw N examinees with θ ~ N(0, 1) instead.")] = None,
    max_items: Annotated[int, typer.Option(help="Test length (maximum).")] = 30,
    min_items: Annotated[int, typer.Option(help="Minimum test length with --se-threshold.")] = 0,
    se_threshold: Annotated[float | None, typer.Option(help="Stop once the standard error is this low.")] = None,
    selector: Annotated[str, typer.Option(help="max-info, randomesque, sympson-hetter or random.")] = "max-info",
    top_k: Annotated[int, typer.Option(help="Randomesque: draw among the k most informative items.")] = 5,
    r_max: Annotated[float, typer.Option(help="Sympson–Hetter: target maximum exposure rate.")] = 0.25,
    estimator: Annotated[str, typer.Option(help="eap, map or mle.")] = "eap",
    start_theta: Annotated[float, typer.Option(help="θ before the first response.")] = 0.0,
    report_at: Annotated[str, typer.Option(help="Report accuracy after these numbers of items.")] = "5,10,20,30",
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Simulate adaptive tests and report accuracy (RMSE, bias), length, exposure and overlap."""
    if (item_params is None) == (generate is None):
        fail("give exactly one of --item-params FILE.csv or --generate N", 2)
    if (thetas is None) == (examinees is None):
        fail("give exactly one of --thetas FILE.csv or --examinees N", 2)
    if selector not in SELECTORS:
        fail(f"--selector must be one of {', '.join(SELECTORS)}, not {selector!r}", 2)
    lengths = _report_lengths(report_at)

    import numpy as np

    from codesensei.adaptive.estimation import ESTIMATORS, Estimator
    from codesensei.adaptive.selection import ExposureControl, SelectionRules, StoppingRules
    from codesensei.adaptive.simulation import generate_pool, simulate, sympson_hetter_parameters

    if estimator not in ESTIMATORS:
        fail(f"--estimator must be one of {', '.join(ESTIMATORS)}, not {estimator!r}", 2)
    if examinees is not None and examinees < 1:
        fail("--examinees must be >= 1", 2)
    rng = np.random.default_rng(seed)
    try:
        pool = _read_item_params(item_params) if item_params is not None else generate_pool(generate or 0, model, rng)
        true_thetas = np.array(_read_thetas(thetas)) if thetas is not None else rng.normal(size=examinees or 0)
        stopping = StoppingRules(max_items=max_items, min_items=min_items, se_threshold=se_threshold)
        # Sympson–Hetter parameters come from simulations that start without exposure control.
        method = "none" if selector == "sympson-hetter" else SELECTORS[selector]
        rules = SelectionRules(exposure=ExposureControl(method, top_k=top_k),  # type: ignore[arg-type]
                               stopping=stopping, estimator=Estimator(estimator))  # type: ignore[arg-type]
        if selector == "sympson-hetter":
            k = sympson_hetter_parameters(pool, rules, true_thetas, rng, r_max=r_max)
            rules = SelectionRules(exposure=ExposureControl("sympson-hetter", parameters=k),
                                   stopping=stopping, estimator=rules.estimator)
        result = simulate(pool, true_thetas, rules, rng, report_at=lengths, start_theta=start_theta)
    except ValueError as exc:
        fail(str(exc), 2)
    _print_simulation(result, len(pool), int(true_thetas.shape[0]), selector, estimator, json_output)


def _print_simulation(
    result: SimulationResult, n_items: int, n_examinees: int, selector: str, estimator: str, as_json: bool
) -> None:
    data: dict[str, Any] = {"items": n_items, "examinees": n_examinees, "selector": selector,
                            "estimator": estimator, **result.to_json()}
    if as_json:
        print_json(data)
        return
    from rich.table import Table

    table = Table(title=f"Simulated CAT: {n_examinees} examinees, {n_items} items, {selector}, {estimator}")
    table.add_column("items given", justify="right")
    table.add_column("RMSE", justify="right")
    table.add_column("bias", justify="right")
    for k, rmse, bias in zip(result.report_at, result.rmse, result.bias, strict=True):
        table.add_row(str(k), f"{rmse:.3f}", f"{bias:+.3f}")
    console.print(table)
    console.print(
        f"mean SE {result.mean_se:.3f} · mean length {result.mean_length:.1f} · exposure max "
        f"{result.max_exposure:.3f} mean {result.mean_exposure:.3f} · overlap {result.overlap_rate:.3f} · "
        f"wall time {result.wall_time_s:.3f} s"
    )


def _calibrate_stored(model: str, min_responses: int, json_output: bool) -> None:
    from codesensei.adaptive.calibration import calibrate as run_calibration
    from codesensei.platform import platform_session
    from codesensei.sessions.calibration import apply_calibration, stored_responses

    with platform_session() as session:
        matrix = stored_responses(session, model)
        try:
            result = run_calibration(matrix.values, model, item_ids=matrix.item_ids, min_responses=min_responses)
        except ValueError as exc:
            fail(f"stored attempts: {exc}")
        updated = apply_calibration(session, result, model)
    if json_output:
        print_json({**result.to_json(), "updated": updated})
        return
    console.print(
        f"{model.upper()} calibration from {matrix.values.shape[0]} attempts: log-likelihood {result.loglik:.3f}; "
        f"{len(updated)} question(s) got new parameters; skipped: {', '.join(result.skipped) or 'none'}"
    )


def calibrate(
    responses: Annotated[Path | None, typer.Option(help="CSV: one column per item (0/1 or empty), "
                                                       "optional count column.")] = None,
    model: Annotated[str, typer.Option(help="1pl, 2pl, 3pl or gpcm.")] = "2pl",
    min_responses: Annotated[int, typer.Option(help="Skip items with fewer responses.")] = 1,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Calibrate item parameters by marginal maximum likelihood, from a CSV or from stored attempts."""
    if model not in ("1pl", "2pl", "3pl", "gpcm"):
        fail(f"--model must be one of 1pl, 2pl, 3pl, gpcm, not {model!r}", 2)
    if responses is None:
        _calibrate_stored(model, min_responses, json_output)
        return
    header, rows = _read_rows(responses)
    items = [h for h in header if h != "count"]
    if not items or not rows:
        fail(f"{responses} needs at least one item column and one row")
    matrix = [[_number(row[h], responses, n, h) if row.get(h) else math.nan for h in items]
              for n, row in enumerate(rows, start=2)]
    counts = [_number(row["count"], responses, n, "count") for n, row in enumerate(rows, start=2)] \
        if "count" in header else None

    import numpy as np

    from codesensei.adaptive.calibration import calibrate as run_calibration

    try:
        result = run_calibration(np.array(matrix), model, counts=None if counts is None else np.array(counts),
                                 item_ids=items, min_responses=min_responses)
    except ValueError as exc:
        fail(f"{responses}: {exc}")
    if json_output:
        print_json(result.to_json())
        return
    from rich.table import Table

    table = Table(title=f"{model.upper()} calibration · log-likelihood {result.loglik:.3f}"
                  + ("" if result.converged else " · NOT converged"))
    for name in ("item", "a", "b", "c", "steps", "RMSD", "responses"):
        table.add_column(name, justify="left" if name in ("item", "steps") else "right")
    for item in result.items:
        p = item.params
        steps = ", ".join(f"{s:.3f}" for s in p.steps) if p.steps else ""
        table.add_row(item.id, f"{p.a:.3f}", f"{p.b:.3f}", f"{p.c:.3f}", steps, f"{item.rmsd:.3f}",
                      f"{item.n_responses:g}")
    console.print(table)
    if result.skipped:
        console.print(f"skipped (fewer than {min_responses} responses): {', '.join(result.skipped)}")
