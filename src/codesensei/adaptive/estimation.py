"""Ability estimation (EAP, MAP, MLE) from log-likelihoods tabulated on a θ grid, with a standard error each.

Every estimator works on an array of shape (..., n_points): one row per examinee, so a simulation estimates
all examinees in one call and `select_next` uses a single row. A grid makes each estimate global (a 3PL
likelihood can have several local maxima) and keeps it inside [theta_min, theta_max] by construction.
MLE is undefined for all-correct or all-wrong patterns (the likelihood keeps rising towards a bound), and
MAP/MLE need a curved peak; in those cases they fall back to EAP, which is always defined.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np

from codesensei.adaptive.irt import BoolArray, FloatArray

EstimatorName = Literal["eap", "map", "mle"]
ESTIMATORS: tuple[str, ...] = ("eap", "map", "mle")


@dataclass(frozen=True)
class Estimator:
    """Which estimator, on what θ range and grid, with which normal prior (EAP and MAP only)."""

    method: EstimatorName = "eap"
    theta_min: float = -4.0
    theta_max: float = 4.0
    # 161 points over [-4, 4] is a step of 0.05: EAP quadrature error is negligible and the parabolic
    # refinement of MAP/MLE lands within ~1e-4 of the true optimum.
    n_points: int = 161
    prior_mean: float = 0.0
    prior_sd: float = 1.0

    def __post_init__(self) -> None:
        if self.method not in ESTIMATORS:
            raise ValueError(f"unknown estimator {self.method!r}; choose one of {', '.join(ESTIMATORS)}")
        if not self.theta_min < self.theta_max:
            raise ValueError("theta_min must be below theta_max")
        if self.n_points < 5:
            raise ValueError("the θ grid needs at least 5 points")
        if self.prior_sd <= 0:
            raise ValueError("prior_sd must be > 0")

    @property
    def grid(self) -> FloatArray:
        return quadrature_grid(self.theta_min, self.theta_max, self.n_points)

    @property
    def log_prior(self) -> FloatArray:
        return normal_log_density(self.grid, self.prior_mean, self.prior_sd)


@lru_cache(maxsize=32)
def quadrature_grid(theta_min: float, theta_max: float, n_points: int) -> FloatArray:
    """Equally spaced θ points; cached and read-only because every estimate reuses the same grid."""
    grid = np.linspace(theta_min, theta_max, n_points)
    grid.setflags(write=False)
    return grid


def normal_log_density(x: FloatArray, mean: float, sd: float) -> FloatArray:
    """Log density of N(mean, sd²) up to a constant (the constant cancels in every estimator)."""
    return np.asarray(-0.5 * ((x - mean) / sd) ** 2, dtype=np.float64)


def eap(loglik: FloatArray, grid: FloatArray, log_prior: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Posterior mean and posterior standard deviation by quadrature over `grid`."""
    log_post = loglik + log_prior
    log_post = log_post - np.max(log_post, axis=-1, keepdims=True)
    weights = np.exp(log_post)
    weights /= np.sum(weights, axis=-1, keepdims=True)
    mean = weights @ grid
    var = weights @ (grid * grid) - mean * mean
    # The posterior is never narrower than one grid step; this keeps SE > 0 after thousands of items.
    step = grid[1] - grid[0]
    se = np.sqrt(np.maximum(var, step * step / 12.0))
    return np.asarray(mean, dtype=np.float64), np.asarray(se, dtype=np.float64)


def _mode(objective: FloatArray, grid: FloatArray) -> tuple[FloatArray, FloatArray, BoolArray]:
    """Grid argmax refined by a parabola through it and its neighbours; flags peaks that are not interior."""
    n = grid.shape[0]
    step = grid[1] - grid[0]
    j = np.argmax(objective, axis=-1)
    jj = np.clip(j, 1, n - 2)
    f_left = np.take_along_axis(objective, (jj - 1)[..., None], axis=-1)[..., 0]
    f_mid = np.take_along_axis(objective, jj[..., None], axis=-1)[..., 0]
    f_right = np.take_along_axis(objective, (jj + 1)[..., None], axis=-1)[..., 0]
    second = f_left - 2.0 * f_mid + f_right
    curved = second < 0
    safe = np.where(curved, second, -1.0)
    offset = np.clip(0.5 * (f_left - f_right) / safe, -1.0, 1.0) * step
    theta = grid[jj] + np.where(curved, offset, 0.0)
    curvature = np.where(curved, -second / (step * step), 0.0)
    se = 1.0 / np.sqrt(np.where(curved, curvature, 1.0))
    failed = (j == 0) | (j == n - 1) | ~curved
    return np.asarray(theta, dtype=np.float64), np.asarray(se, dtype=np.float64), np.asarray(failed)



def map_estimate(loglik: FloatArray, grid: FloatArray, log_prior: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Posterior mode; SE from the curvature of the log posterior there. Falls back to EAP off-peak."""
    theta, se, failed = _mode(loglik + log_prior, grid)
    return _fallback(theta, se, failed, loglik, grid, log_prior)


def mle(loglik: FloatArray, grid: FloatArray, log_prior: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Maximum likelihood; SE = 1/√(observed information). All-correct/all-wrong patterns fall back to EAP."""
    theta, se, failed = _mode(loglik, grid)
    return _fallback(theta, se, failed, loglik, grid, log_prior)


def _fallback(
    theta: FloatArray,
    se: FloatArray,
    failed: BoolArray,
    loglik: FloatArray,
    grid: FloatArray,
    log_prior: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    if np.any(failed):
        theta_eap, se_eap = eap(loglik, grid, log_prior)
        theta = np.where(failed, theta_eap, theta)
        se = np.where(failed, se_eap, se)
    lo, hi = grid[0], grid[-1]
    return np.asarray(np.clip(theta, lo, hi), dtype=np.float64), np.asarray(se, dtype=np.float64)


def estimate(loglik: FloatArray, estimator: Estimator) -> tuple[FloatArray, FloatArray]:
    """θ estimates and standard errors for each row of `loglik` (shape (..., estimator.n_points))."""
    grid, log_prior = estimator.grid, estimator.log_prior
    if estimator.method == "eap":
        return eap(loglik, grid, log_prior)
    if estimator.method == "map":
        return map_estimate(loglik, grid, log_prior)
    return mle(loglik, grid, log_prior)
