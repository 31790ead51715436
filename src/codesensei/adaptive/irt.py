"""Item response functions and Fisher information for the 1PL/2PL/3PL and generalized partial credit models.

Pure functions over NumPy arrays that broadcast: `theta` and the item parameters may be scalars, vectors
or matrices, so one call evaluates a whole bank, a whole quadrature grid, or examinees × items at once.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
ArrayLike = npt.ArrayLike

# Probabilities are kept this far from 0 and 1 so logarithms and information stay finite.
EPS = 1e-12


def logistic(z: ArrayLike) -> FloatArray:
    """The standard logistic function, written so that large |z| neither overflows nor warns."""
    z = np.asarray(z, dtype=np.float64)
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * z)), dtype=np.float64)


def probability(theta: ArrayLike, a: ArrayLike, b: ArrayLike, c: ArrayLike = 0.0) -> FloatArray:
    """P(correct | θ) = c + (1 − c) / (1 + exp(−a(θ − b))); 1PL is a = 1, c = 0 and 2PL is c = 0."""
    c = np.asarray(c, dtype=np.float64)
    return np.asarray(c + (1.0 - c) * logistic(np.asarray(a) * (np.asarray(theta) - np.asarray(b))))


def information(theta: ArrayLike, a: ArrayLike, b: ArrayLike, c: ArrayLike = 0.0) -> FloatArray:
    """Fisher information of a 3PL item: a² (1 − c) L² (1 − L) / (c + (1 − c) L), L the 2PL logistic.

    This is the textbook a² (P − c)² (1 − P) / ((1 − c)² P) with P − c = (1 − c) L substituted, which avoids
    dividing two small numbers far below the item's difficulty.
    """
    a = np.asarray(a, dtype=np.float64)
    c = np.asarray(c, dtype=np.float64)
    logit = logistic(a * (np.asarray(theta) - np.asarray(b)))
    p = np.maximum(c + (1.0 - c) * logit, EPS)
    return np.asarray(a * a * (1.0 - c) * logit * logit * (1.0 - logit) / p)


def gpcm_log_probabilities(theta: ArrayLike, a: ArrayLike, steps: ArrayLike) -> FloatArray:
    """Log category probabilities of the generalized partial credit model, categories on the last axis.

    P(k | θ) ∝ exp(Σ_{v ≤ k} a(θ − b_v)) for k = 0..m with the empty sum for k = 0. `steps` holds the step
    difficulties b_1..b_m on its last axis; items with fewer steps pad with +inf, which gives their missing
    categories probability exactly 0, so items with different numbers of categories share one array.
    `theta` and `a` broadcast against `steps[..., 0]`.
    """
    steps = np.asarray(steps, dtype=np.float64)
    theta_ = np.asarray(theta, dtype=np.float64)[..., None]
    a_ = np.asarray(a, dtype=np.float64)[..., None]
    with np.errstate(invalid="ignore"):
        terms = a_ * (theta_ - steps)
    terms = np.where(np.isinf(steps), -np.inf, terms)
    cumulative = np.cumsum(terms, axis=-1)
    zeros = np.zeros((*cumulative.shape[:-1], 1))
    z = np.concatenate([zeros, cumulative], axis=-1)
    top = np.max(z, axis=-1, keepdims=True)
    log_norm = top + np.log(np.sum(np.exp(z - top), axis=-1, keepdims=True))
    return np.asarray(z - log_norm, dtype=np.float64)


def gpcm_probabilities(theta: ArrayLike, a: ArrayLike, steps: ArrayLike) -> FloatArray:
    """Category probabilities of the GPCM (see `gpcm_log_probabilities`); they sum to 1 on the last axis."""
    return np.exp(gpcm_log_probabilities(theta, a, steps))


def gpcm_information(theta: ArrayLike, a: ArrayLike, steps: ArrayLike) -> FloatArray:
    """Fisher information of a GPCM item: a² Var(K | θ), K the category score."""
    probs = gpcm_probabilities(theta, a, steps)
    k = np.arange(probs.shape[-1], dtype=np.float64)
    mean = probs @ k
    var = np.maximum(probs @ (k * k) - mean * mean, 0.0)
    a = np.asarray(a, dtype=np.float64)
    return np.asarray(a * a * var, dtype=np.float64)


def score_to_category(score: ArrayLike, n_categories: ArrayLike) -> IntArray:
    """Map a score in 0..1 (share of tests passed, rubric level / top level) to a category 0..m.

    Category = floor(score · m + 0.5) with m = n_categories − 1, so the m + 1 categories split 0..1 into
    equal bands centred on k/m: a rubric level k of m maps back to k exactly, a dichotomous item (m = 1)
    counts 0.5 and above as correct, and a code question with 4 categories scores 0 for < 1/6 of its tests.
    """
    m = np.asarray(n_categories, dtype=np.int64) - 1
    s = np.clip(np.asarray(score, dtype=np.float64), 0.0, 1.0)
    return np.asarray(np.clip(np.floor(s * m + 0.5), 0, m), dtype=np.int64)
