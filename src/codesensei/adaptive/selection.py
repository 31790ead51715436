"""The selection function: from an attempt's state, the pool and the assessment's rules to the next decision.

How the assessments module calls it::

    pool = ItemPool.from_items(ids, irt_params, topics)          # once per bank version
    rules = SelectionRules(
        topic_targets={"arrays": 0.5, "graphs": 0.5},            # proportions; {} = no content balancing
        exposure=ExposureControl("randomesque", top_k=5),        # or "none", "random", "sympson-hetter"
        stopping=StoppingRules(max_items=20, min_items=5, se_threshold=0.3, time_budget_s=3600),
        estimator=Estimator("eap"),                              # or "map", "mle"
        eligible=mask,                                           # the caller's filters, one bool per item
    )
    state = AttemptState(given=("q1", "q7"), scores=(1.0, 0.4), theta=0.0, elapsed_s=300.0)
    decision = select_next(state, pool, rules, rng)               # rng: a seeded numpy Generator
    # Decision(next_item="q42" or None, stop_reason=None or "max_items" | "se_threshold" | "time_budget"
    #          | "pool_exhausted", theta=..., se=...)

`scores` are grades in 0..1; a GPCM item's score is mapped to its category by `irt.score_to_category`.
θ is re-estimated from all responses on every call (cheap: a few items × one grid), so the state's `theta`
only matters before the first response, as the start value. Selection maximises Fisher information at θ
over the eligible, never-given items of the most-behind-target topic, then applies exposure control.
`choose_items` and `topic_allowed` work on matrices (examinees × items) and are shared with the simulator.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from codesensei.adaptive.estimation import Estimator, estimate
from codesensei.adaptive.irt import BoolArray, FloatArray, IntArray, score_to_category
from codesensei.adaptive.pool import ItemPool

ExposureMethod = Literal["none", "randomesque", "sympson-hetter", "random"]
EXPOSURE_METHODS: tuple[str, ...] = ("none", "randomesque", "sympson-hetter", "random")
StopReason = Literal["max_items", "se_threshold", "time_budget", "pool_exhausted"]


@dataclass(frozen=True)
class ExposureControl:
    """`randomesque` draws among the `top_k` most informative; `sympson-hetter` runs a lottery down the
    `candidates` best items, accepting item i with probability `parameters[i]` (see `simulation`)."""

    method: ExposureMethod = "none"
    top_k: int = 5
    parameters: FloatArray | None = field(default=None, repr=False)
    candidates: int = 50

    def __post_init__(self) -> None:
        if self.method not in EXPOSURE_METHODS:
            raise ValueError(f"unknown exposure control {self.method!r}; choose one of {EXPOSURE_METHODS}")
        if self.top_k < 1 or self.candidates < 1:
            raise ValueError("top_k and candidates must be >= 1")
        if self.method == "sympson-hetter" and self.parameters is None:
            raise ValueError("sympson-hetter needs exposure parameters (simulation.sympson_hetter_parameters)")


@dataclass(frozen=True)
class StoppingRules:
    """Stop at `max_items`; or, after `min_items`, once SE ≤ `se_threshold`; or when time runs out.

    Time runs out when `elapsed_s` reaches `time_budget_s`, or, if `expected_seconds_per_item` is known,
    when one more item would not fit in the remaining budget. Time and `max_items` override `min_items`.
    """

    max_items: int = 30
    min_items: int = 0
    se_threshold: float | None = None
    time_budget_s: float | None = None
    expected_seconds_per_item: float | None = None

    def __post_init__(self) -> None:
        if self.max_items < 1 or self.min_items < 0 or self.min_items > self.max_items:
            raise ValueError("need 0 <= min_items <= max_items and max_items >= 1")


@dataclass(frozen=True)
class SelectionRules:
    """An assessment's adaptive rules; `eligible` is the caller's pool filter, one flag per pool item."""

    topic_targets: Mapping[str, float] = field(default_factory=dict)
    exposure: ExposureControl = field(default_factory=ExposureControl)
    stopping: StoppingRules = field(default_factory=StoppingRules)
    estimator: Estimator = field(default_factory=Estimator)
    eligible: BoolArray | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if any(p < 0 for p in self.topic_targets.values()):
            raise ValueError("topic target proportions must be >= 0")
        if self.topic_targets and sum(self.topic_targets.values()) <= 0:
            raise ValueError("topic target proportions must not all be 0")


@dataclass(frozen=True)
class AttemptState:
    """Items given so far (ids, in order) with their scores in 0..1, the current θ, and time used."""

    given: Sequence[str] = ()
    scores: Sequence[float] = ()
    theta: float = 0.0
    elapsed_s: float = 0.0
    # A random integer drawn once when the attempt starts and stored with it; Sympson–Hetter lotteries are
    # drawn from it so a rejected item stays rejected for the attempt. None: a fresh lottery on every call.
    lottery_key: int | None = None


@dataclass(frozen=True)
class Decision:
    next_item: str | None
    stop_reason: str | None
    theta: float
    se: float


def topic_targets_vector(pool: ItemPool, targets: Mapping[str, float]) -> FloatArray | None:
    """Target proportions over `pool.topic_names` (normalised to sum to 1), or None without balancing."""
    if not targets:
        return None
    vector = np.array([float(targets.get(name, 0.0)) for name in pool.topic_names])
    total = float(np.sum(vector))
    if total <= 0:
        raise ValueError("none of the target topics has items in the pool")
    return np.asarray(vector / total, dtype=np.float64)


def topic_allowed(
    pool: ItemPool, allowed: BoolArray, counts: FloatArray, targets: FloatArray
) -> BoolArray:
    """Restrict each row of `allowed` (examinees × items) to its most-behind-target topic.

    A topic's deficit after t items is target · (t + 1) − count; the largest deficit among topics that still
    have an allowed item wins. Items of untargeted topics are never allowed when balancing is on.
    """
    if allowed.shape[0] == 1:
        topics = pool.topic[allowed[0] & (pool.topic >= 0)]
        per_topic: FloatArray = np.bincount(topics, minlength=len(pool.topic_names))[None, :].astype(np.float64)
    else:
        per_topic = allowed.astype(np.float64) @ pool.topic_onehot
    available = (per_topic > 0) & (targets > 0)
    given = np.sum(counts, axis=1, keepdims=True)
    deficit = np.where(available, targets * (given + 1.0) - counts, -np.inf)
    best = np.argmax(deficit, axis=1)
    ok = np.isfinite(np.max(deficit, axis=1))
    return np.asarray(allowed & (pool.topic[None, :] == best[:, None]) & ok[:, None])


def lottery_draws(keys: IntArray, items: IntArray) -> FloatArray:
    """Uniform draws in [0, 1) fixed by (attempt key, item): splitmix64 of the pair, vectorised.

    Sympson–Hetter rejects an item for the rest of an attempt once its lottery fails; drawing from the
    attempt's key instead of from the generator gives exactly that without storing the rejected items.
    """
    with np.errstate(over="ignore"):
        z = keys.astype(np.uint64)[:, None] + (items.astype(np.uint64) + np.uint64(1)) * np.uint64(
            0x9E3779B97F4A7C15
        )
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z ^= z >> np.uint64(31)
    return np.asarray((z >> np.uint64(11)).astype(np.float64) * 2.0**-53, dtype=np.float64)


def choose_items(
    score: FloatArray,
    exposure: ExposureControl,
    rng: np.random.Generator,
    lottery_keys: IntArray | None = None,
    reached: BoolArray | None = None,
) -> IntArray:
    """Pick one column per row of `score` (information, −inf = not allowed); −1 where nothing is allowed.

    Sympson–Hetter draws its lottery from `lottery_keys` (one per row) when given, else from `rng`;
    `reached` (rows × items), when given, is set for every item the lottery reached, which is what the
    exposure-parameter simulation counts.
    """
    n_rows, n_items = score.shape
    finite = np.isfinite(score)
    any_allowed = np.any(finite, axis=1)
    method = exposure.method
    if method == "random":
        score = np.where(finite, rng.random(score.shape), -np.inf)
        method = "none"
    if method == "none" or n_items == 1:
        chosen = np.argmax(score, axis=1)
    elif method == "randomesque":
        k = min(exposure.top_k, n_items)
        top = np.argpartition(-score, k - 1, axis=1)[:, :k]
        draws = np.where(np.take_along_axis(finite, top, axis=1), rng.random((n_rows, k)), -1.0)
        chosen = np.take_along_axis(top, np.argmax(draws, axis=1)[:, None], axis=1)[:, 0]
    else:
        k = min(exposure.candidates, n_items)
        top = np.argpartition(-score, k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(score, top, axis=1), axis=1, kind="stable")
        ranked = np.take_along_axis(top, order, axis=1)
        params = np.asarray(exposure.parameters, dtype=np.float64)
        ok = np.take_along_axis(finite, ranked, axis=1)
        draws = rng.random((n_rows, k)) if lottery_keys is None else lottery_draws(lottery_keys, ranked)
        accept = ok & (draws < params[ranked])
        # If the lottery rejects every candidate, the one with the largest K is given: falling back to the most
        # informative item instead would leak exposure to exactly the items the lottery is meant to protect.
        fallback = np.argmax(np.where(ok, params[ranked], -1.0), axis=1)
        any_accepted = np.any(accept, axis=1)
        position = np.where(any_accepted, np.argmax(accept, axis=1), fallback)
        if reached is not None:
            last = np.where(any_accepted, position, k)
            hit = ok & (np.arange(k)[None, :] <= last[:, None]) & any_allowed[:, None]
            rows = np.broadcast_to(np.arange(n_rows)[:, None], hit.shape)
            reached[rows[hit], ranked[hit]] = True
        chosen = ranked[np.arange(n_rows), position]
    return np.asarray(np.where(any_allowed, chosen, -1), dtype=np.int64)


def stop_reason(
    stopping: StoppingRules, n_given: int, se: float, elapsed_s: float
) -> StopReason | None:
    """The first stopping rule that fires for an attempt, or None to continue."""
    if n_given >= stopping.max_items:
        return "max_items"
    if stopping.time_budget_s is not None:
        needed = stopping.expected_seconds_per_item or 0.0
        if elapsed_s >= stopping.time_budget_s or elapsed_s + needed > stopping.time_budget_s:
            return "time_budget"
    if stopping.se_threshold is not None and n_given >= stopping.min_items and se <= stopping.se_threshold:
        return "se_threshold"
    return None


def select_next(
    state: AttemptState, pool: ItemPool, rules: SelectionRules, rng: np.random.Generator
) -> Decision:
    """Estimate θ from the responses so far, apply the stopping rules, and choose the next item."""
    if len(state.given) != len(state.scores):
        raise ValueError("every given item needs exactly one score")
    try:
        given = np.fromiter((pool.index[i] for i in state.given), dtype=np.int64, count=len(state.given))
    except KeyError as exc:
        raise ValueError(f"item {exc.args[0]!r} was given but is not in the pool") from exc
    est = rules.estimator
    if given.size:
        categories = score_to_category(np.asarray(state.scores, dtype=np.float64), pool.n_categories[given])
        loglik = np.sum(pool.log_likelihood_grid(given, categories, est.grid), axis=0)
        theta_arr, se_arr = estimate(loglik, est)
        theta, se = float(theta_arr), float(se_arr)
    else:
        theta = float(np.clip(state.theta, est.theta_min, est.theta_max))
        se = est.prior_sd
    reason = stop_reason(rules.stopping, int(np.unique(given).size), se, state.elapsed_s)
    if reason is not None:
        return Decision(None, reason, theta, se)

    allowed = pool.eligible_mask(rules.eligible).copy()
    allowed[given] = False
    allowed_rows = allowed[None, :]
    targets = topic_targets_vector(pool, rules.topic_targets)
    if targets is not None:
        counts = np.bincount(pool.topic[given][pool.topic[given] >= 0], minlength=len(pool.topic_names))
        allowed_rows = topic_allowed(pool, allowed_rows, counts[None, :].astype(np.float64), targets)
    info = pool.information(theta)
    score = np.where(allowed_rows, info[None, :], -np.inf)
    keys = None if state.lottery_key is None else np.array([state.lottery_key % 2**63], dtype=np.int64)
    chosen = int(choose_items(score, rules.exposure, rng, keys)[0])
    if chosen < 0:
        return Decision(None, "pool_exhausted", theta, se)
    return Decision(pool.ids[chosen], None, theta, se)
