"""Known answers for the item response functions, information and the score → category mapping."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from codesensei.adaptive.irt import (
    gpcm_information,
    gpcm_probabilities,
    information,
    probability,
    score_to_category,
)

finite = st.floats(-6, 6, allow_nan=False)


def test_probability_known_values() -> None:
    assert probability(0.0, 1.0, 0.0) == 0.5
    assert math.isclose(float(probability(1.0, 1.0, 0.0)), 1 / (1 + math.exp(-1)))
    # 3PL at θ = b is halfway between c and 1.
    assert math.isclose(float(probability(0.7, 1.7, 0.7, 0.2)), 0.6)
    assert math.isclose(float(probability(-1.0, 2.0, 0.5, 0.25)), 0.25 + 0.75 / (1 + math.exp(3.0)))


def test_information_known_values() -> None:
    # 2PL at θ = b: a² / 4.
    assert math.isclose(float(information(0.3, 1.6, 0.3)), 1.6**2 / 4)
    # 3PL against the textbook form a²(P − c)²(1 − P) / ((1 − c)² P).
    a, b, c, t = 1.3, -0.4, 0.2, 0.5
    p = c + (1 - c) / (1 + math.exp(-a * (t - b)))
    textbook = a * a * (p - c) ** 2 * (1 - p) / ((1 - c) ** 2 * p)
    assert math.isclose(float(information(t, a, b, c)), textbook, rel_tol=1e-12)


@given(finite, st.floats(0.1, 4), finite, st.floats(0, 0.5))
def test_information_is_fisher_information(theta: float, a: float, b: float, c: float) -> None:
    h = 1e-5
    p = float(probability(theta, a, b, c))
    dp = (float(probability(theta + h, a, b, c)) - float(probability(theta - h, a, b, c))) / (2 * h)
    info = float(information(theta, a, b, c))
    assert info >= 0
    assert math.isclose(info, dp * dp / (p * (1 - p)), rel_tol=1e-4, abs_tol=1e-9)


def test_gpcm_category_probabilities_by_hand() -> None:
    # a = 1, steps (0, 1), θ = 0: numerators exp(0), exp(0), exp(0 − 1).
    probs = gpcm_probabilities(0.0, 1.0, [0.0, 1.0])
    expected = np.array([1.0, 1.0, math.exp(-1)]) / (2 + math.exp(-1))
    np.testing.assert_allclose(probs, expected, rtol=1e-12)
    # a = 2, steps (−1, 0.5), θ = 0.5: numerators 1, exp(3), exp(3 + 0).
    probs = gpcm_probabilities(0.5, 2.0, [-1.0, 0.5])
    numer = np.array([1.0, math.exp(3.0), math.exp(3.0)])
    np.testing.assert_allclose(probs, numer / numer.sum(), rtol=1e-12)


def test_gpcm_padding_and_two_categories() -> None:
    padded = gpcm_probabilities(0.2, 1.3, [0.4, np.inf])
    np.testing.assert_allclose(padded[:2], gpcm_probabilities(0.2, 1.3, [0.4]), rtol=1e-12)
    assert padded[2] == 0.0
    # One step is the 2PL model.
    assert math.isclose(float(gpcm_probabilities(0.2, 1.3, [0.4])[1]), float(probability(0.2, 1.3, 0.4)))
    assert math.isclose(float(gpcm_information(0.2, 1.3, [0.4])), float(information(0.2, 1.3, 0.4)))


@given(finite, st.floats(0.1, 4), st.lists(finite, min_size=1, max_size=5))
def test_gpcm_information_is_a_squared_variance(theta: float, a: float, steps: list[float]) -> None:
    probs = gpcm_probabilities(theta, a, steps)
    assert math.isclose(float(probs.sum()), 1.0, rel_tol=1e-9)
    k = np.arange(len(probs))
    var = float(probs @ k**2 - (probs @ k) ** 2)
    info = float(gpcm_information(theta, a, steps))
    assert info >= 0
    assert math.isclose(info, a * a * max(var, 0.0), rel_tol=1e-6, abs_tol=1e-12)


def test_score_to_category() -> None:
    assert score_to_category([0.0, 0.49, 0.5, 1.0], 2).tolist() == [0, 0, 1, 1]
    # Rubric level k of m maps back to k.
    assert score_to_category([k / 4 for k in range(5)], 5).tolist() == [0, 1, 2, 3, 4]
    # A code question with 4 categories: bands centred on 0, 1/3, 2/3, 1.
    assert score_to_category([0.1, 0.2, 0.6, 0.9, 1.5, -1.0], 4).tolist() == [0, 1, 2, 3, 3, 0]
