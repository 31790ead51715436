"""The item pool: a bank's IRT parameters as contiguous arrays, built once and evaluated for many θ at a time.

Dichotomous items (1PL/2PL/3PL) and GPCM items share one pool; GPCM step difficulties live in a padded
matrix (+inf beyond an item's last step), so information and likelihoods never loop over items in Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal, Protocol

import numpy as np

from codesensei.adaptive.irt import (
    EPS,
    BoolArray,
    FloatArray,
    IntArray,
    gpcm_information,
    gpcm_log_probabilities,
    logistic,
)

ModelName = Literal["1pl", "2pl", "3pl", "gpcm"]
MODELS: tuple[str, ...] = ("1pl", "2pl", "3pl", "gpcm")


class ItemParamsLike(Protocol):
    """Anything shaped like `bank.model.IrtParams` (the bank's Pydantic model satisfies it)."""

    @property
    def model(self) -> str: ...
    @property
    def a(self) -> float: ...
    @property
    def b(self) -> float: ...
    @property
    def c(self) -> float: ...
    @property
    def steps(self) -> Sequence[float] | None: ...


@dataclass(frozen=True)
class ItemParams:
    """One item's parameters, field for field like the bank's `IrtParams`; `steps` are absolute GPCM steps."""

    model: str = "2pl"
    a: float = 1.0
    b: float = 0.0
    c: float = 0.0
    steps: tuple[float, ...] | None = None


@dataclass(frozen=True, eq=False)
class ItemPool:
    """Parameter arrays of a bank, in a fixed item order; `topic[i]` indexes `topic_names` (−1: no topic)."""

    ids: tuple[str, ...]
    a: FloatArray
    b: FloatArray
    c: FloatArray
    steps: FloatArray
    n_categories: IntArray
    topic: IntArray
    topic_names: tuple[str, ...]
    index: dict[str, int] = field(repr=False)
    gpcm_items: IntArray = field(repr=False)
    _ab: FloatArray = field(repr=False)

    @classmethod
    def from_arrays(
        cls,
        ids: Sequence[str],
        a: Sequence[float] | FloatArray,
        b: Sequence[float] | FloatArray,
        c: Sequence[float] | FloatArray | None = None,
        steps: Sequence[Sequence[float] | None] | None = None,
        topics: Sequence[str | None] | None = None,
    ) -> ItemPool:
        """Build a pool; an item with `steps` (a non-empty list) is a GPCM item, the others dichotomous."""
        n = len(ids)
        a_ = np.array(a, dtype=np.float64)
        b_ = np.array(b, dtype=np.float64)
        c_ = np.zeros(n) if c is None else np.ascontiguousarray(c, dtype=np.float64)
        if not (a_.shape == b_.shape == c_.shape == (n,)):
            raise ValueError(f"a, b and c must each hold one value per item ({n})")
        if not (np.all(np.isfinite(a_)) and np.all(a_ > 0)):
            raise ValueError("every discrimination a must be finite and > 0")
        if not np.all(np.isfinite(b_)):
            raise ValueError("every difficulty b must be finite")
        if not np.all((c_ >= 0) & (c_ < 1)):
            raise ValueError("every guessing parameter c must be in [0, 1)")
        index = {item_id: i for i, item_id in enumerate(ids)}
        if len(index) != n:
            raise ValueError("item ids must be unique")
        step_lists = [list(s) if s else [] for s in steps] if steps is not None else [[] for _ in range(n)]
        if len(step_lists) != n:
            raise ValueError(f"steps must hold one entry per item ({n})")
        width = max((len(s) for s in step_lists), default=0)
        step_matrix = np.full((n, width), np.inf)
        for i, s in enumerate(step_lists):
            step_matrix[i, : len(s)] = s
        n_categories = np.array([len(s) + 1 if s else 2 for s in step_lists], dtype=np.int64)
        gpcm_items = np.flatnonzero([bool(s) for s in step_lists]).astype(np.int64)
        if np.any(c_[gpcm_items] != 0):
            raise ValueError("GPCM items have no guessing parameter (c must be 0)")
        if np.any(np.isnan(step_matrix)) or any(not np.all(np.isfinite(s)) for s in step_lists if s):
            raise ValueError("GPCM step difficulties must be finite numbers")
        # A GPCM item's location is the mean of its steps; a one-step item is then exactly a 2PL item.
        for i in gpcm_items.tolist():
            b_[i] = float(np.mean(step_lists[i]))
        names: list[str] = []
        topic = np.full(n, -1, dtype=np.int64)
        if topics is not None:
            if len(topics) != n:
                raise ValueError(f"topics must hold one entry per item ({n})")
            names = sorted({t for t in topics if t})
            lookup = {t: k for k, t in enumerate(names)}
            topic = np.array([lookup[t] if t else -1 for t in topics], dtype=np.int64)
        return cls(
            ids=tuple(ids), a=a_, b=b_, c=c_, steps=step_matrix, n_categories=n_categories, topic=topic,
            topic_names=tuple(names), index=index, gpcm_items=gpcm_items, _ab=a_ * b_,
        )

    @classmethod
    def from_items(
        cls,
        ids: Sequence[str],
        params: Sequence[ItemParamsLike],
        topics: Sequence[str | None] | None = None,
    ) -> ItemPool:
        """Build a pool from per-item parameter objects (e.g. the bank's `IrtParams`).

        1PL items use a = 1 and c = 0, 2PL items c = 0; a GPCM item needs `steps` (b is then informative only).
        """
        a: list[float] = []
        c: list[float] = []
        steps: list[Sequence[float] | None] = []
        for item_id, p in zip(ids, params, strict=True):
            if p.model not in MODELS:
                raise ValueError(f"item {item_id}: unknown IRT model {p.model!r}")
            if p.model == "gpcm" and not p.steps:
                raise ValueError(f"item {item_id}: a GPCM item needs its step difficulties")
            a.append(1.0 if p.model == "1pl" else p.a)
            c.append(p.c if p.model == "3pl" else 0.0)
            steps.append(p.steps if p.model == "gpcm" else None)
        return cls.from_arrays(ids, a, [p.b for p in params], c, steps, topics)

    def __len__(self) -> int:
        return len(self.ids)

    @cached_property
    def topic_onehot(self) -> FloatArray:
        """Items × topics indicator matrix, so per-topic counts over many examinees are one matrix product."""
        onehot = np.zeros((len(self), len(self.topic_names)), dtype=np.float64)
        has_topic = self.topic >= 0
        onehot[np.flatnonzero(has_topic), self.topic[has_topic]] = 1.0
        return onehot

    @property
    def has_gpcm(self) -> bool:
        return self.gpcm_items.size > 0

    def information(self, theta: float) -> FloatArray:
        """Fisher information of every item at one θ, shape (n_items,)."""
        return np.asarray(self.information_matrix(np.array([theta]))[0], dtype=np.float64)

    def information_matrix(self, thetas: FloatArray) -> FloatArray:
        """Fisher information of every item at each θ, shape (len(thetas), n_items)."""
        t = np.asarray(thetas, dtype=np.float64)[:, None]
        logit = logistic(self.a * t - self._ab)
        info = self.a * self.a * (1.0 - self.c) * logit * logit * (1.0 - logit)
        info /= np.maximum(self.c + (1.0 - self.c) * logit, EPS)
        if self.has_gpcm:
            g = self.gpcm_items
            info[:, g] = gpcm_information(t, self.a[g], self.steps[g])
        return np.asarray(info, dtype=np.float64)

    def log_likelihood_grid(self, items: IntArray, categories: IntArray, grid: FloatArray) -> FloatArray:
        """log P(observed category | θ) of each (item, category) pair at each grid point, shape (n, len(grid))."""
        items = np.asarray(items, dtype=np.int64)
        categories = np.asarray(categories, dtype=np.int64)
        a = self.a[items][:, None]
        p = self.c[items][:, None] + (1.0 - self.c[items][:, None]) * logistic(a * (grid - self.b[items][:, None]))
        p = np.clip(p, EPS, 1.0 - EPS)
        out = np.where(categories[:, None] >= 1, np.log(p), np.log1p(-p))
        if self.has_gpcm:
            poly = np.flatnonzero(self.n_categories[items] > 2)
            if poly.size:
                sel = items[poly]
                logp = gpcm_log_probabilities(grid[None, :], self.a[sel][:, None], self.steps[sel][:, None, :])
                out[poly] = np.take_along_axis(logp, categories[poly][:, None, None], axis=-1)[..., 0]
            # A GPCM item with exactly two categories is a 2PL item; the dichotomous branch already covers it.
        return np.asarray(out, dtype=np.float64)

    def sample_categories(self, items: IntArray, thetas: FloatArray, rng: np.random.Generator) -> IntArray:
        """Draw one response category per (item, θ) pair from the model, e.g. for simulated examinees."""
        items = np.asarray(items, dtype=np.int64)
        thetas = np.asarray(thetas, dtype=np.float64)
        u = np.asarray(rng.random(items.shape[0]), dtype=np.float64)
        p = self.c[items] + (1.0 - self.c[items]) * logistic(self.a[items] * (thetas - self.b[items]))
        out = (u < p).astype(np.int64)
        if self.has_gpcm:
            poly = np.flatnonzero(self.n_categories[items] > 2)
            if poly.size:
                sel = items[poly]
                probs = np.exp(gpcm_log_probabilities(thetas[poly], self.a[sel], self.steps[sel]))
                out[poly] = np.sum(np.cumsum(probs, axis=-1) < u[poly][:, None], axis=-1)
        return np.asarray(np.minimum(out, self.n_categories[items] - 1), dtype=np.int64)

    def eligible_mask(self, eligible: BoolArray | None) -> BoolArray:
        """The caller's eligibility mask checked against this pool, or all items when there is none."""
        if eligible is None:
            return np.ones(len(self), dtype=np.bool_)
        mask = np.asarray(eligible, dtype=np.bool_)
        if mask.shape != (len(self),):
            raise ValueError(f"the eligibility mask must hold one flag per pool item ({len(self)})")
        return mask
