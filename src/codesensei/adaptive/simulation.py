"""Simulated adaptive tests, vectorised across examinees, and Sympson–Hetter exposure parameters by simulation.

Every examinee advances one item per step: information is one examinees × items matrix, the likelihood an
examinees × grid matrix updated in place, so the Python loop runs over test positions only. Selection
uses the same `choose_items`/`topic_allowed` as `select_next`, so simulated and live tests behave alike.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from codesensei.adaptive.estimation import estimate
from codesensei.adaptive.irt import BoolArray, FloatArray, IntArray
from codesensei.adaptive.pool import ItemPool
from codesensei.adaptive.selection import (
    ExposureControl,
    SelectionRules,
    choose_items,
    topic_allowed,
    topic_targets_vector,
)

# Rows of the examinees × items information matrix handled at once; bounds memory on large banks.
_CELLS_PER_CHUNK = 4_000_000


@dataclass(frozen=True)
class SimulationResult:
    """Accuracy at each reported length, test length, exposure and overlap; per-examinee detail alongside."""

    report_at: tuple[int, ...]
    rmse: tuple[float, ...]
    bias: tuple[float, ...]
    mean_se: float
    mean_length: float
    max_exposure: float
    mean_exposure: float
    overlap_rate: float
    wall_time_s: float
    theta: FloatArray = field(repr=False)
    se: FloatArray = field(repr=False)
    lengths: IntArray = field(repr=False)
    exposure: FloatArray = field(repr=False)
    history: FloatArray = field(repr=False)

    def to_json(self) -> dict[str, object]:
        return {
            "report_at": list(self.report_at),
            "rmse": dict(zip(map(str, self.report_at), self.rmse, strict=True)),
            "bias": dict(zip(map(str, self.report_at), self.bias, strict=True)),
            "mean_se": self.mean_se,
            "mean_length": self.mean_length,
            "max_exposure": self.max_exposure,
            "mean_exposure": self.mean_exposure,
            "overlap_rate": self.overlap_rate,
            "wall_time_s": self.wall_time_s,
        }


def simulate(
    pool: ItemPool,
    thetas: FloatArray,
    rules: SelectionRules,
    rng: np.random.Generator,
    report_at: Sequence[int] = (5, 10, 20, 30),
    start_theta: float = 0.0,
    reached: BoolArray | None = None,
) -> SimulationResult:
    """Give every examinee (true θ in `thetas`) an adaptive test under `rules`; responses drawn from the model.

    The time budget applies when `expected_seconds_per_item` is set (simulated time = items × that).
    Each examinee gets a Sympson–Hetter lottery key; `reached` (examinees × items), when given, records which
    items the lottery reached for whom (used by `sympson_hetter_parameters`).
    """
    started = time.perf_counter()
    thetas = np.asarray(thetas, dtype=np.float64)
    n_exam, n_items = thetas.shape[0], len(pool)
    est, stop = rules.estimator, rules.stopping
    grid = est.grid
    eligible = pool.eligible_mask(rules.eligible)
    targets = topic_targets_vector(pool, rules.topic_targets)

    loglik = np.zeros((n_exam, grid.shape[0]))
    theta_hat = np.full(n_exam, float(np.clip(start_theta, est.theta_min, est.theta_max)))
    se = np.full(n_exam, est.prior_sd)
    given = np.zeros((n_exam, n_items), dtype=np.bool_)
    counts = np.zeros((n_exam, len(pool.topic_names)))
    lengths = np.zeros(n_exam, dtype=np.int64)
    active = np.ones(n_exam, dtype=np.bool_)
    history = np.empty((stop.max_items + 1, n_exam))
    history[0] = theta_hat
    keys = np.asarray(rng.integers(0, 2**63 - 1, size=n_exam, dtype=np.int64), dtype=np.int64)

    for step in range(stop.max_items):
        active &= ~_stops(rules, lengths, se)
        rows = np.flatnonzero(active)
        chunk = max(1, _CELLS_PER_CHUNK // max(n_items, 1))
        for start in range(0, rows.size, chunk):
            part = rows[start : start + chunk]
            allowed = eligible[None, :] & ~given[part]
            if targets is not None:
                allowed = topic_allowed(pool, allowed, counts[part], targets)
            score = np.where(allowed, pool.information_matrix(theta_hat[part]), -np.inf)
            hit = None if reached is None else np.zeros((part.size, n_items), dtype=np.bool_)
            chosen = choose_items(score, rules.exposure, rng, keys[part], hit)
            if reached is not None and hit is not None:
                reached[part] |= hit
            exhausted = chosen < 0
            active[part[exhausted]] = False
            part, chosen = part[~exhausted], chosen[~exhausted]
            categories = pool.sample_categories(chosen, thetas[part], rng)
            loglik[part] += pool.log_likelihood_grid(chosen, categories, grid)
            given[part, chosen] = True
            topic = pool.topic[chosen]
            counts[part[topic >= 0], topic[topic >= 0]] += 1.0
            lengths[part] += 1
            theta_hat[part], se[part] = estimate(loglik[part], est)
        history[step + 1] = theta_hat

    exposed = np.sum(given, axis=0, dtype=np.float64)
    mean_length = float(np.mean(lengths))
    pairs = n_exam * (n_exam - 1)
    overlap = float(np.sum(exposed * (exposed - 1.0)) / pairs / mean_length) if pairs and mean_length else 0.0
    lengths_at = [min(k, stop.max_items) for k in report_at]
    errors = [history[k] - thetas for k in lengths_at]
    return SimulationResult(
        report_at=tuple(report_at),
        rmse=tuple(float(np.sqrt(np.mean(e * e))) for e in errors),
        bias=tuple(float(np.mean(e)) for e in errors),
        mean_se=float(np.mean(se)),
        mean_length=mean_length,
        max_exposure=float(np.max(exposed) / n_exam) if n_items else 0.0,
        mean_exposure=float(np.mean(exposed) / n_exam) if n_items else 0.0,
        overlap_rate=overlap,
        wall_time_s=time.perf_counter() - started,
        theta=theta_hat,
        se=se,
        lengths=lengths,
        exposure=exposed / n_exam,
        history=history,
    )


def _stops(rules: SelectionRules, lengths: IntArray, se: FloatArray) -> BoolArray:
    stop = rules.stopping
    done = lengths >= stop.max_items
    if stop.se_threshold is not None:
        done |= (lengths >= stop.min_items) & (se <= stop.se_threshold)
    if stop.time_budget_s is not None:
        per_item = stop.expected_seconds_per_item or 0.0
        elapsed = lengths * per_item
        done |= (elapsed >= stop.time_budget_s) | (elapsed + per_item > stop.time_budget_s)
    return np.asarray(done)


def sympson_hetter_parameters(
    pool: ItemPool,
    rules: SelectionRules,
    thetas: FloatArray,
    rng: np.random.Generator,
    r_max: float = 0.25,
    iterations: int = 10,
    candidates: int = 50,
) -> FloatArray:
    """Sympson–Hetter exposure parameters K (one per item) so no item's exposure rate exceeds ~`r_max`.

    The classic iteration: simulate the examinees with the current K, measure each item's selection rate
    P(S) (how often the lottery reached it), set K = r_max / P(S) where P(S) > r_max and K = 1 elsewhere.
    """
    if not 0 < r_max <= 1:
        raise ValueError("r_max must be in (0, 1]")
    thetas = np.asarray(thetas, dtype=np.float64)
    k = np.ones(len(pool))
    for _ in range(iterations):
        reached = np.zeros((thetas.shape[0], len(pool)), dtype=np.bool_)
        exposure = ExposureControl("sympson-hetter", parameters=k, candidates=candidates)
        simulate(pool, thetas, replace(rules, exposure=exposure), rng, report_at=(), reached=reached)
        selected = np.mean(reached, axis=0)
        k = np.where(selected > r_max, r_max / np.maximum(selected, 1e-12), 1.0)
    return np.asarray(k, dtype=np.float64)


def generate_pool(n_items: int, model: str, rng: np.random.Generator) -> ItemPool:
    """A synthetic bank: b ~ N(0, 1), a ~ lognormal(0, 0.25) (1 for 1PL), c ~ U(0, 0.25) for 3PL (else 0)."""
    if model not in ("1pl", "2pl", "3pl"):
        raise ValueError(f"can only generate 1pl, 2pl or 3pl banks, not {model!r}")
    if n_items < 1:
        raise ValueError("a generated bank needs at least one item")
    b = rng.normal(0.0, 1.0, n_items)
    a = np.ones(n_items) if model == "1pl" else rng.lognormal(0.0, 0.25, n_items)
    c = rng.uniform(0.0, 0.25, n_items) if model == "3pl" else np.zeros(n_items)
    ids = [f"item{i + 1}" for i in range(n_items)]
    return ItemPool.from_arrays(ids, a, b, c)
