"""Benchmark the adaptive engine against catsim: accuracy and wall time of a CAT simulation, and select_next.

Same 500-item 3PL bank, same 1,000 examinees θ ~ N(0, 1), fixed length 30, start θ = 0. catsim uses its
maximum-information selector and numerical-search (MLE with Dodd's heuristic) estimator; this engine uses
maximum information and EAP. Then the median time of one `select_next` on 10,000 and 100,000 items with 20
items given. Needs the bench extra: `pip install .[bench]`.

    python bench/adaptive.py [--examinees 1000] [--items 500] [--length 30] [--seed 0] [--skip-catsim]
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time

import numpy as np

from codesensei.adaptive.pool import ItemPool
from codesensei.adaptive.selection import AttemptState, SelectionRules, StoppingRules, select_next
from codesensei.adaptive.simulation import generate_pool, simulate

REPORT_AT = (5, 10, 20, 30)


def run_catsim(pool: ItemPool, thetas: np.ndarray, length: int, seed: int) -> tuple[list[float], float]:
    from catsim.estimation import NumericalSearchEstimator
    from catsim.initialization import FixedPointInitializer
    from catsim.selection import MaxInfoSelector
    from catsim.simulation import Simulator
    from catsim.stopping import MinErrorStopper

    items = np.column_stack([pool.a, pool.b, pool.c, np.ones(len(pool))])
    sim = Simulator(items, thetas, seed=seed)
    started = time.perf_counter()
    # An unreachable error threshold makes MinErrorStopper a fixed-length stopper at max_items.
    sim.simulate(FixedPointInitializer(0.0), MaxInfoSelector(), NumericalSearchEstimator(),
                 MinErrorStopper(1e-9, max_items=length))
    wall = time.perf_counter() - started
    estimates = np.array(sim.estimations)  # examinees × (length + 1): the start value, then one per item
    # catsim's MLE returns ±inf-like extremes (Dodd's steps) early on; clip to the same range as ours.
    estimates = np.clip(estimates, -4.0, 4.0)
    rmse = [float(np.sqrt(np.mean((estimates[:, k] - thetas) ** 2))) for k in REPORT_AT if k <= length]
    return rmse, wall


def run_engine(pool: ItemPool, thetas: np.ndarray, length: int, seed: int) -> tuple[list[float], float]:
    rules = SelectionRules(stopping=StoppingRules(max_items=length))
    result = simulate(pool, thetas, rules, np.random.default_rng(seed), report_at=[k for k in REPORT_AT
                                                                                   if k <= length])
    return list(result.rmse), result.wall_time_s


def time_select_next(n_items: int, seed: int, repeats: int = 200) -> float:
    rng = np.random.default_rng(seed)
    pool = generate_pool(n_items, "3pl", rng)
    given = tuple(pool.ids[:20])
    state = AttemptState(given=given, scores=tuple(float(s) for s in rng.integers(0, 2, 20)))
    rules = SelectionRules()
    select_next(state, pool, rules, rng)  # warm caches (grid, lazily built arrays)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        select_next(state, pool, rules, rng)
        times.append(time.perf_counter() - started)
    return float(np.median(times)) * 1000.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examinees", type=int, default=1000)
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--length", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-catsim", action="store_true", help="only time this engine")
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    pool = generate_pool(args.items, "3pl", rng)
    thetas = rng.normal(size=args.examinees)
    lengths = [k for k in REPORT_AT if k <= args.length]

    ours_rmse, ours_wall = run_engine(pool, thetas, args.length, args.seed)
    rows = [("codesensei (max-info, EAP)", ours_rmse, ours_wall)]
    if not args.skip_catsim:
        cat_rmse, cat_wall = run_catsim(pool, thetas, args.length, args.seed)
        rows.insert(0, ("catsim (MaxInfo, NumericalSearch)", cat_rmse, cat_wall))
    sel_10k = time_select_next(10_000, args.seed)
    sel_100k = time_select_next(100_000, args.seed)

    print(f"CAT simulation: {args.items}-item 3PL bank, {args.examinees} examinees θ ~ N(0, 1), "
          f"fixed length {args.length}, start θ = 0")
    header = f"{'engine':36} " + " ".join(f"{'RMSE@' + str(k):>9}" for k in lengths) + f" {'wall s':>9}"
    print(header)
    print("-" * len(header))
    for name, rmse, wall in rows:
        print(f"{name:36} " + " ".join(f"{r:9.4f}" for r in rmse) + f" {wall:9.3f}")
    verdicts = []
    if not args.skip_catsim:
        cat_rmse, cat_wall = rows[0][1], rows[0][2]
        speedup = cat_wall / ours_wall
        no_worse = all(o <= c for o, c in zip(ours_rmse, cat_rmse, strict=True))
        print(f"speed-up: {speedup:.1f}x")
        verdicts += [("RMSE no worse than catsim at every length", no_worse), ("simulation >= 20x faster",
                                                                               speedup >= 20)]
    print()
    print(f"{'select_next, 20 items given':36} {'median ms':>9} {'target':>9}")
    print(f"{'10,000 items':36} {sel_10k:9.3f} {'<= 0.5':>9}")
    print(f"{'100,000 items':36} {sel_100k:9.3f} {'<= 3':>9}")
    verdicts += [("select_next 10k <= 0.5 ms", sel_10k <= 0.5), ("select_next 100k <= 3 ms", sel_100k <= 3.0)]
    print()
    for label, ok in verdicts:
        print(f"{'PASS' if ok else 'FAIL'}  {label}")
    print()
    print("command: " + " ".join(shlex.quote(a) for a in [sys.executable, *sys.argv]))
    return 0 if all(ok for _, ok in verdicts) else 1


if __name__ == "__main__":
    raise SystemExit(main())
