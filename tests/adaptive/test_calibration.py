"""Starting parameters and MML calibration: a published data set, recovery and fit."""

from __future__ import annotations

import numpy as np
import pytest

from codesensei.adaptive.calibration import calibrate, default_irt
from codesensei.adaptive.irt import gpcm_probabilities

# LSAT Section 6 (Bock & Lieberman 1970; `LSAT` in the R package ltm): 1,000 examinees, 5 items, as the 32
# response patterns 00000, 00001, …, 11111 (item 1 the leftmost) with their frequencies.
LSAT6_COUNTS = [3, 6, 2, 11, 1, 1, 3, 4, 1, 8, 0, 16, 0, 3, 2, 15,
                10, 29, 14, 81, 3, 28, 15, 80, 16, 56, 21, 173, 11, 61, 28, 298]
# ltm's 2PL MML estimates for these data: `ltm(LSAT ~ z1)`.
LSAT6_B = [-3.360, -1.370, -0.280, -1.866, -3.124]
LSAT6_A = [0.825, 0.723, 0.890, 0.689, 0.657]
LSAT6_LOGLIK = -2466.653


def _lsat6() -> tuple[np.ndarray, np.ndarray]:
    patterns = np.array([[int(bit) for bit in f"{i:05b}"] for i in range(32)], dtype=float)
    return patterns, np.array(LSAT6_COUNTS, dtype=float)


def test_default_irt() -> None:
    assert default_irt("mcq", "easy", 4).b == -1.0
    assert default_irt("mcq", "easy", 4).c == 0.25
    assert default_irt("mcq", "easy", 4).model == "3pl"
    assert default_irt("true_false", "hard").c == 0.5
    code = default_irt("code", 0.75)
    assert (code.model, code.a, code.b, code.c) == ("2pl", 1.0, 1.0, 0.0)
    assert default_irt("essay", "medium").b == 0.0
    assert default_irt("code", 1.0).b == 2.0
    assert default_irt("code", 0.0).b == -2.0
    with pytest.raises(ValueError, match="options"):
        default_irt("mcq", "easy")
    with pytest.raises(ValueError, match="difficulty"):
        default_irt("code", "impossible")
    with pytest.raises(ValueError, match=r"0\.\.1"):
        default_irt("code", 1.5)


def test_lsat6_matches_published_2pl_estimates() -> None:
    patterns, counts = _lsat6()
    result = calibrate(patterns, "2pl", counts=counts)
    assert result.converged
    assert result.loglik == pytest.approx(LSAT6_LOGLIK, abs=0.01)
    np.testing.assert_allclose([i.params.b for i in result.items], LSAT6_B, atol=0.01)
    np.testing.assert_allclose([i.params.a for i in result.items], LSAT6_A, atol=0.01)
    assert all(0 <= i.rmsd < 0.05 for i in result.items)


def test_pattern_counts_equal_repeated_rows() -> None:
    patterns, counts = _lsat6()
    expanded = np.repeat(patterns, counts.astype(int), axis=0)
    by_counts = calibrate(patterns, "1pl", counts=counts)
    by_rows = calibrate(expanded, "1pl")
    assert by_rows.loglik == pytest.approx(by_counts.loglik, abs=1e-6)
    assert len({round(i.params.a, 6) for i in by_rows.items}) == 1


def _simulate_2pl(n: int, j: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a, b, theta = rng.lognormal(0, 0.3, j), rng.normal(0, 1, j), rng.normal(size=n)
    p = 1 / (1 + np.exp(-a * (theta[:, None] - b)))
    return (rng.random((n, j)) < p).astype(float), a, b


@pytest.mark.slow
def test_2pl_parameter_recovery_1000_by_40() -> None:
    x, a, b = _simulate_2pl(1000, 40, 3)
    result = calibrate(x, "2pl")
    a_hat = np.array([i.params.a for i in result.items])
    b_hat = np.array([i.params.b for i in result.items])
    assert np.corrcoef(b, b_hat)[0, 1] >= 0.95
    assert np.corrcoef(a, a_hat)[0, 1] >= 0.85


def test_missing_responses_and_min_responses() -> None:
    x, _, b = _simulate_2pl(600, 8, 4)
    rng = np.random.default_rng(5)
    x[rng.random(x.shape) < 0.3] = np.nan
    x[:595, 7] = np.nan  # item 8 answered by only 5 examinees
    result = calibrate(x, "2pl", item_ids=[f"i{k}" for k in range(8)], min_responses=50)
    assert result.skipped == ("i7",)
    assert [i.id for i in result.items] == [f"i{k}" for k in range(7)]
    assert np.corrcoef(b[:7], [i.params.b for i in result.items])[0, 1] > 0.9


def test_3pl_with_beta_prior_on_c() -> None:
    rng = np.random.default_rng(6)
    a, b, c = rng.lognormal(0, 0.2, 15), rng.normal(0, 1, 15), np.full(15, 0.2)
    theta = rng.normal(size=1500)
    p = c + (1 - c) / (1 + np.exp(-a * (theta[:, None] - b)))
    x = (rng.random(p.shape) < p).astype(float)
    result = calibrate(x, "3pl", max_iterations=300)
    c_hat = np.array([i.params.c for i in result.items])
    assert np.all((c_hat > 0) & (c_hat < 0.6))
    assert abs(float(np.mean(c_hat)) - 0.2) < 0.08
    assert np.corrcoef(b, [i.params.b for i in result.items])[0, 1] > 0.9
    assert result.loglik > calibrate(x, "2pl").loglik - 40


def test_gpcm_recovery() -> None:
    rng = np.random.default_rng(7)
    j, n = 10, 1000
    a = rng.lognormal(0, 0.25, j)
    steps = np.sort(rng.normal(0, 1, (j, 3)), axis=1)
    theta = rng.normal(size=n)
    probs = gpcm_probabilities(theta[:, None], a[None, :], steps[None, :, :])
    x = np.sum(np.cumsum(probs, axis=-1) < rng.random((n, j))[..., None], axis=-1).astype(float)
    result = calibrate(x, "gpcm")
    assert result.converged
    assert all(i.params.model == "gpcm" and len(i.params.steps or ()) == 3 for i in result.items)
    recovered = np.array([i.params.steps for i in result.items])
    assert np.corrcoef(steps.ravel(), recovered.ravel())[0, 1] > 0.95
    assert np.corrcoef(a, [i.params.a for i in result.items])[0, 1] > 0.8


def test_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="0/1"):
        calibrate(np.array([[0.0, 2.0], [1.0, 0.0]]), "2pl")
    with pytest.raises(ValueError, match="unknown model"):
        calibrate(np.array([[0.0, 1.0], [1.0, 0.0]]), "4pl")
    with pytest.raises(ValueError, match="counts"):
        calibrate(np.array([[0.0, 1.0], [1.0, 0.0]]), "2pl", counts=np.array([1.0]))
