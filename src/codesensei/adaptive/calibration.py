"""Item calibration: starting parameters from difficulty labels, and marginal maximum likelihood (θ ~ N(0, 1)).

MML maximises the marginal log-likelihood over a fixed quadrature directly with L-BFGS-B; its gradient is
the Bock–Aitkin expected complete-data gradient (Fisher's identity), so each evaluation is one E-step and
the optimiser converges in far fewer passes than plain EM. Missing responses (NaN) drop out of the E-step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from codesensei.adaptive.calibration_models import ItemModel, make_model
from codesensei.adaptive.irt import FloatArray
from codesensei.adaptive.pool import ItemParams

DIFFICULTY_LABEL_B = {"easy": -1.0, "medium": 0.0, "hard": 1.0}


def default_irt(question_type: str, difficulty: str | float, n_options: int | None = None) -> ItemParams:
    """Starting 3PL parameters for an uncalibrated question.

    b: easy → −1, medium → 0, hard → +1; a value d in 0..1 maps to b = 4·(d − 0.5) clipped to [−2, 2].
    c: 1 / number of options for `mcq`, 0.5 for `true_false`, 0 otherwise (guessing a free answer or a
    program is negligible). a = 1. The model is 3PL when c > 0, else 2PL.
    """
    if isinstance(difficulty, str):
        if difficulty not in DIFFICULTY_LABEL_B:
            raise ValueError(f"unknown difficulty {difficulty!r}; use easy, medium, hard or a number in 0..1")
        b = DIFFICULTY_LABEL_B[difficulty]
    else:
        if not 0.0 <= float(difficulty) <= 1.0:
            raise ValueError("a numeric difficulty must be in 0..1")
        b = float(np.clip(4.0 * (float(difficulty) - 0.5), -2.0, 2.0))
    c = 0.0
    if question_type == "mcq":
        if n_options is None or n_options < 2:
            raise ValueError("an mcq question needs its number of options (>= 2)")
        c = 1.0 / n_options
    elif question_type == "true_false":
        c = 0.5
    return ItemParams(model="3pl" if c > 0 else "2pl", a=1.0, b=b, c=c, steps=None)


@dataclass(frozen=True)
class CalibratedItem:
    id: str
    params: ItemParams
    rmsd: float
    n_responses: float

    def to_json(self) -> dict[str, object]:
        p = self.params
        steps = list(p.steps) if p.steps is not None else None
        return {"id": self.id, "a": p.a, "b": p.b, "c": p.c, "steps": steps, "rmsd": self.rmsd,
                "n_responses": self.n_responses}


@dataclass(frozen=True)
class CalibrationResult:
    """Estimates and fit: the marginal log-likelihood and, per item, the RMSD between the posterior-expected
    observed proportions and the model's, over the quadrature nodes (weighted by the examinees there)."""

    model: str
    loglik: float
    items: tuple[CalibratedItem, ...]
    skipped: tuple[str, ...]
    converged: bool
    iterations: int

    def to_json(self) -> dict[str, object]:
        return {"model": self.model, "loglik": self.loglik, "items": [i.to_json() for i in self.items],
                "skipped": list(self.skipped), "converged": self.converged, "iterations": self.iterations}


def calibrate(
    responses: FloatArray,
    model: str = "2pl",
    counts: FloatArray | None = None,
    item_ids: Sequence[str] | None = None,
    min_responses: float = 1.0,
    c_prior: tuple[float, float] = (5.0, 17.0),
    n_quadrature: int = 61,
    max_iterations: int = 1000,
) -> CalibrationResult:
    """Calibrate items by MML from a response matrix (rows = examinees or patterns, NaN = not administered).

    `counts` gives each row's frequency (pattern counts). Dichotomous models read 0/1; GPCM reads categories
    0..m (an item's m is its highest observed category). 1PL estimates one common discrimination; 3PL puts a
    Beta(`c_prior`) prior on c (the default has mean 0.23); nothing else has a prior. Items with fewer than
    `min_responses` responses are left out and listed in `skipped`.
    """
    x = np.array(responses, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError("responses must be a matrix: one row per examinee, one column per item")
    n_rows, n_cols = x.shape
    ids = list(item_ids) if item_ids is not None else [f"item{j + 1}" for j in range(n_cols)]
    if len(ids) != n_cols:
        raise ValueError("item_ids must name every column")
    w = np.ones(n_rows) if counts is None else np.asarray(counts, dtype=np.float64)
    if w.shape != (n_rows,) or np.any(w < 0) or not np.all(np.isfinite(w)):
        raise ValueError("counts must be one non-negative number per row")
    observed = ~np.isnan(x)
    values = x[observed]
    if np.any(values < 0) or np.any(values != np.round(values)):
        raise ValueError("responses must be whole-number categories (0/1 for dichotomous models) or empty")
    if model != "gpcm" and np.any(values > 1):
        raise ValueError(f"model {model} needs 0/1 responses; use gpcm for scores in categories")
    n_responses = w @ observed
    keep = np.flatnonzero(n_responses >= max(min_responses, 1e-12))
    skipped = tuple(ids[j] for j in range(n_cols) if j not in set(keep.tolist()))
    if keep.size == 0:
        raise ValueError("no item has enough responses to calibrate")
    x, observed = x[:, keep], observed[:, keep]
    top = np.where(observed, np.nan_to_num(x), 0).max(axis=0).astype(np.int64)
    if model == "gpcm" and np.any(top < 1):
        raise ValueError("every GPCM item needs responses in at least two categories")
    n_cat = np.maximum(top, 1) + 1
    indicators = np.stack([(observed & (x == k)).astype(np.float64) for k in range(int(n_cat.max()))])
    nodes = np.linspace(-6.0, 6.0, n_quadrature)
    log_weights = -0.5 * nodes**2
    log_weights -= np.log(np.sum(np.exp(log_weights)))
    item_model = make_model(model, n_cat, c_prior)
    start = item_model.start(indicators, w)
    total = float(np.sum(w))

    def objective(params: FloatArray) -> tuple[float, FloatArray]:
        loglik, expected = _e_step(item_model, params, indicators, w, nodes, log_weights)
        value = loglik + item_model.log_prior(params)
        grad = item_model.gradient(params, expected, nodes) + item_model.log_prior_gradient(params)
        return -value / total, -grad / total

    result = minimize(objective, start, jac=True, method="L-BFGS-B", bounds=item_model.bounds(),
                      options={"maxiter": max_iterations, "ftol": 1e-13, "gtol": 1e-8})
    params = np.asarray(result.x, dtype=np.float64)
    loglik, expected = _e_step(item_model, params, indicators, w, nodes, log_weights)
    rmsd = _rmsd(item_model, params, expected, nodes)
    items = tuple(
        CalibratedItem(ids[j], p, float(rmsd[i]), float(n_responses[j]))
        for i, (j, p) in enumerate(zip(keep, item_model.item_params(params), strict=True))
    )
    return CalibrationResult(model, float(loglik), items, skipped, bool(result.success), int(result.nit))


def _e_step(
    item_model: ItemModel,
    params: FloatArray,
    indicators: FloatArray,
    w: FloatArray,
    nodes: FloatArray,
    log_weights: FloatArray,
) -> tuple[float, FloatArray]:
    """Marginal log-likelihood and expected counts r[k, j, q] of category k of item j at node q."""
    logp = item_model.log_probabilities(params, nodes)
    finite = np.where(np.isfinite(logp), logp, 0.0)
    joint = np.einsum("knj,kjq->nq", indicators, finite) + log_weights
    top = np.max(joint, axis=1, keepdims=True)
    per_row = top[:, 0] + np.log(np.sum(np.exp(joint - top), axis=1))
    posterior = np.exp(joint - per_row[:, None]) * w[:, None]
    expected = np.einsum("knj,nq->kjq", indicators, posterior)
    return float(w @ per_row), np.asarray(expected, dtype=np.float64)


def _rmsd(item_model: ItemModel, params: FloatArray, expected: FloatArray, nodes: FloatArray) -> FloatArray:
    """RMSD item fit: √(Σ_q π_q Σ_k (observed_k,q − P_k(q))²), π_q the item's posterior share at node q."""
    probs = np.exp(item_model.log_probabilities(params, nodes))
    at_node = np.sum(expected, axis=0)
    share = at_node / np.maximum(np.sum(at_node, axis=1, keepdims=True), 1e-300)
    observed = expected / np.maximum(at_node, 1e-300)[None, :, :]
    squared = np.sum((observed - probs) ** 2, axis=0)
    if expected.shape[0] == 2:
        # For 0/1 items both categories carry the same difference; count it once.
        squared = squared / 2.0
    return np.asarray(np.sqrt(np.sum(share * squared, axis=1)), dtype=np.float64)
