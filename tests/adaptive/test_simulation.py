"""The vectorised simulator and Sympson–Hetter exposure parameters."""

from __future__ import annotations

import numpy as np
import pytest

from codesensei.adaptive.estimation import Estimator
from codesensei.adaptive.pool import ItemPool
from codesensei.adaptive.selection import ExposureControl, SelectionRules, StoppingRules
from codesensei.adaptive.simulation import generate_pool, simulate, sympson_hetter_parameters


@pytest.fixture(scope="module")
def pool() -> ItemPool:
    return generate_pool(200, "3pl", np.random.default_rng(7))


@pytest.fixture(scope="module")
def thetas() -> np.ndarray:
    return np.random.default_rng(8).normal(size=300)


@pytest.mark.parametrize("method", ["eap", "map", "mle"])
def test_accuracy_improves_with_length(pool: ItemPool, thetas: np.ndarray, method: str) -> None:
    rules = SelectionRules(stopping=StoppingRules(max_items=20), estimator=Estimator(method))  # type: ignore[arg-type]
    result = simulate(pool, thetas, rules, np.random.default_rng(1), report_at=(5, 10, 20))
    assert result.rmse[0] > result.rmse[1] > result.rmse[2]
    assert result.rmse[2] < 0.45
    assert abs(result.bias[2]) < 0.1
    assert result.mean_length == 20
    assert result.lengths.tolist() == [20] * 300
    assert np.all((result.theta >= -4) & (result.theta <= 4))
    assert result.mean_exposure == pytest.approx(20 / 200)


def test_max_info_beats_random_selection(pool: ItemPool, thetas: np.ndarray) -> None:
    stop = StoppingRules(max_items=15)
    best = simulate(pool, thetas, SelectionRules(stopping=stop), np.random.default_rng(2), report_at=(15,))
    rand = simulate(pool, thetas, SelectionRules(stopping=stop, exposure=ExposureControl("random")),
                    np.random.default_rng(2), report_at=(15,))
    assert best.rmse[0] < rand.rmse[0]
    assert best.overlap_rate > rand.overlap_rate
    assert best.max_exposure > rand.max_exposure


def test_se_threshold_shortens_tests(pool: ItemPool, thetas: np.ndarray) -> None:
    rules = SelectionRules(stopping=StoppingRules(max_items=40, min_items=3, se_threshold=0.4))
    result = simulate(pool, thetas, rules, np.random.default_rng(3), report_at=(40,))
    assert result.lengths.min() >= 3
    assert result.mean_length < 40
    assert np.all((result.se <= 0.4) | (result.lengths == 40))


def test_sympson_hetter_caps_exposure(pool: ItemPool, thetas: np.ndarray) -> None:
    rules = SelectionRules(stopping=StoppingRules(max_items=15))
    free = simulate(pool, thetas, rules, np.random.default_rng(4), report_at=(15,))
    k = sympson_hetter_parameters(pool, rules, thetas, np.random.default_rng(5), r_max=0.3, iterations=8)
    assert np.all((k > 0) & (k <= 1))
    assert np.any(k < 1)
    capped = simulate(pool, thetas, SelectionRules(stopping=rules.stopping,
                                                   exposure=ExposureControl("sympson-hetter", parameters=k)),
                      np.random.default_rng(4), report_at=(15,))
    assert free.max_exposure > 0.9
    assert capped.max_exposure < 0.4
    assert capped.rmse[0] < 0.5


def test_content_balancing_in_simulation() -> None:
    rng = np.random.default_rng(9)
    n = 150
    pool = ItemPool.from_arrays([f"q{i}" for i in range(n)], rng.lognormal(0, 0.3, n), rng.normal(size=n),
                                topics=[("a", "b", "c")[i % 3] for i in range(n)])
    rules = SelectionRules(topic_targets={"a": 0.5, "b": 0.3, "c": 0.2}, stopping=StoppingRules(max_items=10))
    result = simulate(pool, rng.normal(size=50), rules, rng, report_at=(10,))
    assert result.mean_length == 10
    assert result.exposure[pool.topic == 0].sum() == pytest.approx(5.0)
    assert result.exposure[pool.topic == 1].sum() == pytest.approx(3.0)


def test_simulation_is_reproducible(pool: ItemPool, thetas: np.ndarray) -> None:
    rules = SelectionRules(stopping=StoppingRules(max_items=5), exposure=ExposureControl("randomesque"))
    one = simulate(pool, thetas, rules, np.random.default_rng(11), report_at=(5,))
    two = simulate(pool, thetas, rules, np.random.default_rng(11), report_at=(5,))
    assert one.rmse == two.rmse
    assert one.overlap_rate == two.overlap_rate


def test_simulates_gpcm_items() -> None:
    steps = [(-1.0, 0.0, 1.0), (-0.5, 0.5), (0.0, 1.5, 2.0)] * 10
    pool = ItemPool.from_arrays([f"q{i}" for i in range(30)], np.ones(30), np.zeros(30), steps=steps)
    thetas = np.random.default_rng(0).normal(size=200)
    result = simulate(pool, thetas, SelectionRules(stopping=StoppingRules(max_items=10)),
                      np.random.default_rng(1), report_at=(1, 10))
    assert result.rmse[1] < result.rmse[0] < 1.0


def test_generate_pool_models() -> None:
    rng = np.random.default_rng(0)
    assert np.all(generate_pool(10, "1pl", rng).a == 1)
    assert np.all(generate_pool(10, "2pl", rng).c == 0)
    with pytest.raises(ValueError, match="generate"):
        generate_pool(10, "gpcm", rng)
