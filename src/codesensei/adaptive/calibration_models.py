"""Per-model pieces of MML calibration: parameter layout, bounds, category log-probabilities and gradients.

Each model maps a flat parameter vector to log P(category k | node q) for every item, shape (K, J, Q), and
turns the E-step's expected counts r[k, j, q] into the gradient of Σ r · log P with respect to its vector.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from codesensei.adaptive.irt import EPS, FloatArray, IntArray, gpcm_log_probabilities, logistic
from codesensei.adaptive.pool import ItemParams

A_BOUNDS = (0.05, 10.0)
B_BOUNDS = (-6.0, 6.0)
C_BOUNDS = (1e-4, 0.6)


class ItemModel(Protocol):
    def start(self, indicators: FloatArray, w: FloatArray) -> FloatArray: ...
    def bounds(self) -> list[tuple[float, float]]: ...
    def log_probabilities(self, params: FloatArray, nodes: FloatArray) -> FloatArray: ...
    def gradient(self, params: FloatArray, expected: FloatArray, nodes: FloatArray) -> FloatArray: ...
    def log_prior(self, params: FloatArray) -> float: ...
    def log_prior_gradient(self, params: FloatArray) -> FloatArray: ...
    def item_params(self, params: FloatArray) -> list[ItemParams]: ...


def make_model(model: str, n_categories: IntArray, c_prior: tuple[float, float]) -> ItemModel:
    if model in ("1pl", "2pl", "3pl"):
        return Dichotomous(model, int(n_categories.shape[0]), c_prior)
    if model == "gpcm":
        return Gpcm(n_categories)
    raise ValueError(f"unknown model {model!r}; choose 1pl, 2pl, 3pl or gpcm")


def _proportions(indicators: FloatArray, w: FloatArray) -> FloatArray:
    """Weighted share of each category per item, shape (K, J), smoothed so no share is exactly 0."""
    counts = np.einsum("knj,n->kj", indicators, w) + 0.5
    return np.asarray(counts / np.sum(counts, axis=0, keepdims=True), dtype=np.float64)


class Dichotomous:
    """1PL (one common a), 2PL and 3PL; the vector is [a or a_1..a_J, b_1..b_J, c_1..c_J (3PL only)]."""

    def __init__(self, model: str, n_items: int, c_prior: tuple[float, float]) -> None:
        self.model = model
        self.n = n_items
        self.c_prior = c_prior
        if model == "3pl" and min(c_prior) < 1:
            raise ValueError("the Beta prior on c needs both shape parameters >= 1")

    def _unpack(self, params: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        n = self.n
        if self.model == "1pl":
            return np.full(n, params[0]), params[1 : n + 1], np.zeros(n)
        a, b = params[:n], params[n : 2 * n]
        c = params[2 * n : 3 * n] if self.model == "3pl" else np.zeros(n)
        return a, b, c

    def start(self, indicators: FloatArray, w: FloatArray) -> FloatArray:
        p = _proportions(indicators, w)[1]
        alpha, beta = self.c_prior
        c0 = alpha / (alpha + beta) if self.model == "3pl" else 0.0
        p_free = np.clip((p - c0) / (1.0 - c0), 0.02, 0.98)
        # With a = 1 and θ ~ N(0, 1) the marginal proportion is about logistic(−b / 1.3).
        b0 = np.clip(-1.3 * np.log(p_free / (1.0 - p_free)), -4.0, 4.0)
        a0 = np.ones(1 if self.model == "1pl" else self.n)
        parts = [a0, b0] + ([np.full(self.n, c0)] if self.model == "3pl" else [])
        return np.concatenate(parts)

    def bounds(self) -> list[tuple[float, float]]:
        n_a = 1 if self.model == "1pl" else self.n
        out = [A_BOUNDS] * n_a + [B_BOUNDS] * self.n
        return out + ([C_BOUNDS] * self.n if self.model == "3pl" else [])

    def _curves(self, params: FloatArray, nodes: FloatArray) -> tuple[FloatArray, FloatArray]:
        a, b, c = self._unpack(params)
        logit = logistic(a[:, None] * (nodes[None, :] - b[:, None]))
        p = np.clip(c[:, None] + (1.0 - c[:, None]) * logit, EPS, 1.0 - EPS)
        return logit, p

    def log_probabilities(self, params: FloatArray, nodes: FloatArray) -> FloatArray:
        _, p = self._curves(params, nodes)
        return np.stack([np.log1p(-p), np.log(p)])

    def gradient(self, params: FloatArray, expected: FloatArray, nodes: FloatArray) -> FloatArray:
        a, b, c = self._unpack(params)
        logit, p = self._curves(params, nodes)
        g = expected[1] / p - expected[0] / (1.0 - p)
        slope = (1.0 - c)[:, None] * logit * (1.0 - logit)
        grad_a = np.sum(g * slope * (nodes[None, :] - b[:, None]), axis=1)
        grad_b = -np.sum(g * slope, axis=1) * a
        parts = [np.array([np.sum(grad_a)]) if self.model == "1pl" else grad_a, grad_b]
        if self.model == "3pl":
            parts.append(np.sum(g * (1.0 - logit), axis=1))
        return np.concatenate(parts)

    def log_prior(self, params: FloatArray) -> float:
        if self.model != "3pl":
            return 0.0
        c = self._unpack(params)[2]
        alpha, beta = self.c_prior
        return float(np.sum((alpha - 1.0) * np.log(c) + (beta - 1.0) * np.log1p(-c)))

    def log_prior_gradient(self, params: FloatArray) -> FloatArray:
        grad = np.zeros_like(params)
        if self.model == "3pl":
            c = self._unpack(params)[2]
            alpha, beta = self.c_prior
            grad[2 * self.n :] = (alpha - 1.0) / c - (beta - 1.0) / (1.0 - c)
        return grad

    def item_params(self, params: FloatArray) -> list[ItemParams]:
        a, b, c = self._unpack(params)
        return [ItemParams(self.model, float(a[j]), float(b[j]), float(c[j]), None) for j in range(self.n)]


class Gpcm:
    """Generalized partial credit; the vector is [a_1..a_J, then each item's step difficulties in order]."""

    def __init__(self, n_categories: IntArray) -> None:
        self.n_cat = np.asarray(n_categories, dtype=np.int64)
        self.n = int(self.n_cat.shape[0])
        self.width = int(self.n_cat.max()) - 1
        self.valid = np.arange(self.width)[None, :] < (self.n_cat - 1)[:, None]

    def _unpack(self, params: FloatArray) -> tuple[FloatArray, FloatArray]:
        steps = np.full((self.n, self.width), np.inf)
        steps[self.valid] = params[self.n :]
        return params[: self.n], steps

    def start(self, indicators: FloatArray, w: FloatArray) -> FloatArray:
        share = _proportions(indicators, w)
        # Under a Rasch partial-credit model with θ near 0, step v is about log(n_{v−1} / n_v).
        ratio = np.log(share[:-1] / share[1:]).T
        return np.concatenate([np.ones(self.n), np.clip(ratio[self.valid], -4.0, 4.0)])

    def bounds(self) -> list[tuple[float, float]]:
        return [A_BOUNDS] * self.n + [B_BOUNDS] * int(np.sum(self.valid))

    def log_probabilities(self, params: FloatArray, nodes: FloatArray) -> FloatArray:
        a, steps = self._unpack(params)
        logp = gpcm_log_probabilities(nodes[None, :], a[:, None], steps[:, None, :])
        return np.asarray(np.moveaxis(logp, -1, 0), dtype=np.float64)

    def gradient(self, params: FloatArray, expected: FloatArray, nodes: FloatArray) -> FloatArray:
        a, steps = self._unpack(params)
        probs = np.exp(self.log_probabilities(params, nodes))
        diffs = np.where(self.valid[:, None, :], nodes[None, :, None] - np.where(self.valid, steps, 0)[:, None, :], 0)
        z = np.moveaxis(np.concatenate([np.zeros((self.n, nodes.shape[0], 1)), np.cumsum(diffs, axis=-1)], -1), -1, 0)
        total = np.sum(expected, axis=0)
        grad_a = np.sum(np.sum(expected * z, axis=0) - total * np.sum(probs * z, axis=0), axis=1)
        tail_r = np.cumsum(expected[::-1], axis=0)[::-1][1:]
        tail_p = np.cumsum(probs[::-1], axis=0)[::-1][1:]
        grad_steps = -a[None, :] * np.sum(tail_r - total[None] * tail_p, axis=2)
        return np.concatenate([grad_a, grad_steps.T[self.valid]])

    def log_prior(self, params: FloatArray) -> float:
        return 0.0

    def log_prior_gradient(self, params: FloatArray) -> FloatArray:
        return np.zeros_like(params)

    def item_params(self, params: FloatArray) -> list[ItemParams]:
        a, steps = self._unpack(params)
        out = []
        for j in range(self.n):
            s = tuple(float(v) for v in steps[j][self.valid[j]])
            out.append(ItemParams("gpcm", float(a[j]), float(np.mean(s)), 0.0, s))
        return out
