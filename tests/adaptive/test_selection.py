"""`select_next`: maximum information, no repeats, eligibility, content balancing, exposure and stopping."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codesensei.adaptive.estimation import Estimator
from codesensei.adaptive.pool import ItemParams, ItemPool
from codesensei.adaptive.selection import (
    AttemptState,
    ExposureControl,
    SelectionRules,
    StoppingRules,
    select_next,
)


def _pool(n: int = 60, seed: int = 0, topics: list[str] | None = None) -> ItemPool:
    rng = np.random.default_rng(seed)
    names = [f"q{i}" for i in range(n)]
    return ItemPool.from_arrays(names, rng.lognormal(0, 0.3, n), rng.normal(0, 1, n), rng.uniform(0, 0.2, n),
                                topics=topics)


def _run(pool: ItemPool, rules: SelectionRules, seed: int, true_theta: float = 0.0) -> list[str]:
    """Give a whole adaptive test to a simulated examinee through `select_next` and return the items."""
    rng = np.random.default_rng(seed)
    state = AttemptState()
    while True:
        decision = select_next(state, pool, rules, rng)
        if decision.next_item is None:
            return list(state.given)
        i = pool.index[decision.next_item]
        p = pool.c[i] + (1 - pool.c[i]) / (1 + np.exp(-pool.a[i] * (true_theta - pool.b[i])))
        score = float(rng.random() < p)
        state = AttemptState((*state.given, decision.next_item), (*state.scores, score), decision.theta)


def test_first_item_is_the_most_informative_at_the_start_theta() -> None:
    pool = ItemPool.from_arrays(["easy", "mid", "hard"], [1.0, 1.0, 1.0], [-2.0, 0.1, 2.0])
    decision = select_next(AttemptState(theta=0.0), pool, SelectionRules(), np.random.default_rng(0))
    assert decision == select_next(AttemptState(), pool, SelectionRules(), np.random.default_rng(1))
    assert decision.next_item == "mid"
    assert decision.stop_reason is None
    assert decision.se == pytest.approx(1.0)
    hard_first = select_next(AttemptState(theta=2.5), pool, SelectionRules(), np.random.default_rng(0))
    assert hard_first.next_item == "hard"


def test_theta_is_reestimated_from_the_responses() -> None:
    pool = _pool()
    state = AttemptState(given=("q1", "q2", "q3"), scores=(1.0, 1.0, 1.0), theta=0.0)
    decision = select_next(state, pool, SelectionRules(), np.random.default_rng(0))
    assert decision.theta > 0.3
    assert 0 < decision.se < 1


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.lists(st.booleans(), min_size=40, max_size=40), st.floats(-2, 2),
       st.sampled_from(["none", "randomesque", "random"]))
def test_never_repeats_and_respects_the_mask(seed: int, mask: list[bool], theta: float, exposure: str) -> None:
    pool = _pool(40, seed)
    eligible = np.array(mask)
    rules = SelectionRules(eligible=eligible, stopping=StoppingRules(max_items=40),
                           exposure=ExposureControl(exposure))  # type: ignore[arg-type]
    given_items = _run(pool, rules, seed, theta)
    assert len(given_items) == len(set(given_items)) == int(eligible.sum())
    assert all(eligible[pool.index[i]] for i in given_items)


def test_stops_when_the_pool_is_exhausted() -> None:
    pool = _pool(3)
    state = AttemptState(given=("q0", "q1", "q2"), scores=(1, 0, 1))
    decision = select_next(state, pool, SelectionRules(), np.random.default_rng(0))
    assert (decision.next_item, decision.stop_reason) == (None, "pool_exhausted")


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(1, 6), min_size=2, max_size=4), st.integers(0, 1000), st.integers(5, 25))
def test_content_balancing_within_one_item(weights: list[int], seed: int, length: int) -> None:
    names = [f"t{k}" for k in range(len(weights))]
    topics = [names[i % len(names)] for i in range(120)] + ["other"] * 20
    pool = _pool(140, seed, topics)
    targets = {name: float(w) for name, w in zip(names, weights, strict=True)}
    rules = SelectionRules(topic_targets=targets, stopping=StoppingRules(max_items=length))
    given_items = _run(pool, rules, seed, true_theta=float(np.random.default_rng(seed).normal()))
    total = sum(weights)
    for t in range(1, len(given_items) + 1):
        shown = [pool.topic_names[pool.topic[pool.index[i]]] for i in given_items[:t]]
        assert "other" not in shown
        for name, w in targets.items():
            assert abs(shown.count(name) - t * w / total) <= 1.0


def test_content_balancing_moves_on_when_a_topic_runs_out() -> None:
    pool = _pool(10, 1, ["a"] * 2 + ["b"] * 8)
    rules = SelectionRules(topic_targets={"a": 0.5, "b": 0.5}, stopping=StoppingRules(max_items=6))
    given_items = _run(pool, rules, 3)
    assert len(given_items) == 6
    assert sum(pool.topic_names[pool.topic[pool.index[i]]] == "a" for i in given_items) == 2


def test_randomesque_draws_among_the_top_k() -> None:
    pool = ItemPool.from_arrays([f"q{i}" for i in range(9)], np.ones(9), np.linspace(-4, 4, 9))
    rules = SelectionRules(exposure=ExposureControl("randomesque", top_k=3))
    rng = np.random.default_rng(0)
    seen = {select_next(AttemptState(), pool, rules, rng).next_item for _ in range(200)}
    assert seen == {"q3", "q4", "q5"}


def test_sympson_hetter_lottery_is_fixed_per_attempt() -> None:
    pool = ItemPool.from_arrays([f"q{i}" for i in range(9)], np.ones(9), np.linspace(-4, 4, 9))
    k = np.full(9, 0.5)
    rules = SelectionRules(exposure=ExposureControl("sympson-hetter", parameters=k))
    firsts = set()
    for key in range(40):
        picks = {select_next(AttemptState(lottery_key=key), pool, rules, np.random.default_rng(s)).next_item
                 for s in range(5)}
        assert len(picks) == 1  # the same attempt always gets the same lottery
        firsts |= picks
    assert "q4" in firsts
    assert len(firsts) > 1
    never = SelectionRules(exposure=ExposureControl("sympson-hetter", parameters=np.where(np.arange(9) == 4, 0, 1)))
    assert select_next(AttemptState(), pool, never, np.random.default_rng(0)).next_item != "q4"


def test_stopping_rules() -> None:
    pool = _pool()
    rng = np.random.default_rng(0)
    state = AttemptState(given=("q1", "q2", "q3"), scores=(1, 0, 1), elapsed_s=100.0)

    def reason(stopping: StoppingRules) -> str | None:
        return select_next(state, pool, SelectionRules(stopping=stopping), rng).stop_reason

    assert reason(StoppingRules(max_items=3)) == "max_items"
    assert reason(StoppingRules(max_items=10)) is None
    assert reason(StoppingRules(se_threshold=0.9)) == "se_threshold"
    assert reason(StoppingRules(se_threshold=0.9, min_items=4)) is None
    assert reason(StoppingRules(se_threshold=0.1)) is None
    assert reason(StoppingRules(time_budget_s=100)) == "time_budget"
    assert reason(StoppingRules(time_budget_s=150, min_items=10)) is None
    assert reason(StoppingRules(time_budget_s=150, expected_seconds_per_item=60, min_items=10)) == "time_budget"


def test_mixed_pool_with_gpcm_items_takes_fractional_scores() -> None:
    params = [ItemParams("2pl", 1.0, 0.0), ItemParams("gpcm", 1.2, 0.0, 0.0, (-1.0, 0.0, 1.0)),
              ItemParams("3pl", 1.0, 0.5, 0.2), ItemParams("1pl", 3.0, -0.5)]
    pool = ItemPool.from_items(["tf", "code", "mcq", "short"], params)
    assert pool.a[3] == 1.0
    assert pool.n_categories.tolist() == [2, 4, 2, 2]
    rules = SelectionRules()
    low = select_next(AttemptState(("code",), (0.0,)), pool, rules, np.random.default_rng(0))
    high = select_next(AttemptState(("code",), (1.0,)), pool, rules, np.random.default_rng(0))
    mid = select_next(AttemptState(("code",), (0.5,)), pool, rules, np.random.default_rng(0))
    assert low.theta < mid.theta < high.theta
    assert low.next_item != "code"


def test_rejects_inconsistent_input() -> None:
    pool = _pool(5)
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="not in the pool"):
        select_next(AttemptState(("nope",), (1.0,)), pool, SelectionRules(), rng)
    with pytest.raises(ValueError, match="exactly one score"):
        select_next(AttemptState(("q1",), ()), pool, SelectionRules(), rng)
    with pytest.raises(ValueError, match="one flag per pool item"):
        select_next(AttemptState(), pool, SelectionRules(eligible=np.ones(3, dtype=bool)), rng)
    with pytest.raises(ValueError, match="exposure parameters"):
        ExposureControl("sympson-hetter")
    with pytest.raises(ValueError, match="GPCM item needs"):
        ItemPool.from_items(["x"], [ItemParams("gpcm", 1.0, 0.0)])
    with pytest.raises(ValueError, match="unique"):
        ItemPool.from_arrays(["x", "x"], [1, 1], [0, 0])


def test_estimator_choice_is_used() -> None:
    pool = _pool()
    state = AttemptState(given=("q1", "q2"), scores=(1.0, 1.0))
    mle = select_next(state, pool, SelectionRules(estimator=Estimator("mle")), np.random.default_rng(0))
    eap = select_next(state, pool, SelectionRules(estimator=Estimator("eap")), np.random.default_rng(0))
    assert mle.theta == pytest.approx(eap.theta)  # all correct: MLE falls back to EAP
    mixed = AttemptState(given=("q1", "q2", "q3"), scores=(1.0, 0.0, 1.0))
    mle = select_next(mixed, pool, SelectionRules(estimator=Estimator("mle")), np.random.default_rng(0))
    eap = select_next(mixed, pool, SelectionRules(estimator=Estimator("eap")), np.random.default_rng(0))
    assert abs(mle.theta) > abs(eap.theta)
