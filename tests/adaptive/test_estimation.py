"""EAP, MAP and MLE: known answers, numerical integration on a tiny case, fallbacks and range."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, optimize

from codesensei.adaptive.estimation import Estimator, estimate
from codesensei.adaptive.irt import probability
from codesensei.adaptive.pool import ItemPool


def _loglik(pool: ItemPool, categories: list[int], est: Estimator) -> np.ndarray:
    items = np.arange(len(categories))
    return pool.log_likelihood_grid(items, np.array(categories), est.grid).sum(axis=0)


def test_eap_matches_numerical_integration() -> None:
    a, b, c = 1.5, 0.3, 0.2
    pool = ItemPool.from_arrays(["q1", "q2"], [a, 0.8], [b, -1.0], [c, 0.0])
    est = Estimator("eap")
    theta, se = estimate(_loglik(pool, [1, 0], est), est)

    def posterior(t: float) -> float:
        return math.exp(-t * t / 2) * float(probability(t, a, b, c)) * (1 - float(probability(t, 0.8, -1.0)))

    z = integrate.quad(posterior, -4, 4)[0]
    mean = integrate.quad(lambda t: t * posterior(t), -4, 4)[0] / z
    var = integrate.quad(lambda t: (t - mean) ** 2 * posterior(t), -4, 4)[0] / z
    assert float(theta) == pytest.approx(mean, abs=1e-4)
    assert float(se) == pytest.approx(math.sqrt(var), abs=1e-4)


def test_eap_without_responses_is_the_prior() -> None:
    est = Estimator("eap", prior_mean=0.5, prior_sd=0.8)
    theta, se = estimate(np.zeros(est.n_points), est)
    assert float(theta) == pytest.approx(0.5, abs=1e-3)
    assert float(se) == pytest.approx(0.8, abs=1e-3)


@pytest.mark.parametrize(("right", "total"), [(3, 10), (7, 10), (5, 10), (12, 20)])
def test_mle_rasch_closed_form(right: int, total: int) -> None:
    # n Rasch items with b = 0: the MLE is log(r / (n − r)) and its SE 1/√(n p (1 − p)).
    pool = ItemPool.from_arrays([f"q{i}" for i in range(total)], np.ones(total), np.zeros(total))
    est = Estimator("mle")
    theta, se = estimate(_loglik(pool, [1] * right + [0] * (total - right), est), est)
    expected = math.log(right / (total - right))
    p = right / total
    assert float(theta) == pytest.approx(expected, abs=1e-3)
    assert float(se) == pytest.approx(1 / math.sqrt(total * p * (1 - p)), rel=2e-3)


def test_map_matches_a_numerical_optimiser() -> None:
    a = np.array([1.2, 0.7, 1.9, 1.1])
    b = np.array([-0.5, 0.2, 0.9, 1.4])
    c = np.array([0.2, 0.0, 0.25, 0.1])
    u = np.array([1, 1, 0, 1])
    pool = ItemPool.from_arrays(["a", "b", "c", "d"], a, b, c)
    est = Estimator("map")
    theta, _ = estimate(_loglik(pool, u.tolist(), est), est)

    def neg_log_post(t: float) -> float:
        p = probability(t, a, b, c)
        return float(-np.sum(u * np.log(p) + (1 - u) * np.log1p(-p)) + t * t / 2)

    best = optimize.minimize_scalar(neg_log_post, bounds=(-4, 4), method="bounded", options={"xatol": 1e-8})
    assert float(theta) == pytest.approx(best.x, abs=1e-3)


@pytest.mark.parametrize("pattern", [[1, 1, 1, 1], [0, 0, 0, 0]])
def test_mle_falls_back_to_eap_on_all_correct_or_all_wrong(pattern: list[int]) -> None:
    pool = ItemPool.from_arrays(["a", "b", "c", "d"], [1.0, 1.2, 0.9, 1.5], [-1.0, 0.0, 0.5, 1.0])
    mle = Estimator("mle")
    theta, se = estimate(_loglik(pool, pattern, mle), mle)
    eap_theta, eap_se = estimate(_loglik(pool, pattern, mle), Estimator("eap"))
    assert float(theta) == pytest.approx(float(eap_theta))
    assert float(se) == pytest.approx(float(eap_se))
    assert -4 < float(theta) < 4


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0.2, 3), st.floats(-4, 4), st.floats(0, 0.4), st.booleans()), min_size=1,
             max_size=40),
    st.sampled_from(["eap", "map", "mle"]),
    st.floats(-3, 3),
)
def test_estimates_stay_in_range_with_positive_se(
    items: list[tuple[float, float, float, bool]], method: str, lower: float
) -> None:
    a, b, c, u = (np.array(v) for v in zip(*items, strict=True))
    pool = ItemPool.from_arrays([str(i) for i in range(len(items))], a, b, c)
    est = Estimator(method, theta_min=lower, theta_max=lower + 2.5)  # type: ignore[arg-type]
    theta, se = estimate(_loglik(pool, u.astype(int).tolist(), est), est)
    assert lower <= float(theta) <= lower + 2.5
    assert float(se) > 0
    assert math.isfinite(float(se))


def test_estimates_rows_independently() -> None:
    pool = ItemPool.from_arrays(["a", "b"], [1.0, 1.0], [0.0, 1.0])
    est = Estimator("eap")
    rows = np.stack([_loglik(pool, [1, 0], est), _loglik(pool, [0, 0], est)])
    theta, _ = estimate(rows, est)
    assert float(theta[0]) == pytest.approx(float(estimate(rows[0], est)[0]))
    assert theta[0] > theta[1]


def test_estimator_rejects_bad_configuration() -> None:
    with pytest.raises(ValueError, match="unknown estimator"):
        Estimator("wle")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="theta_min"):
        Estimator(theta_min=1, theta_max=1)
