"""Exact tree path vs black-box exact marginal values for XGBoost, LightGBM and CatBoost.

Per library (regressor, ~100 trees of depth 6, 8 features): 10 explained rows against 200
background rows, ``value="marginal"``, ``method="exact"``; the time of ``algorithm="tree"`` vs
``algorithm="blackbox"`` (best of 3, side by side in one run), their ratio, and the largest
deviation between the two sets of values (relative to max |phi|). Libraries that are not
installed are skipped.

    python benchmarks/bench_tree_boosting.py [--repeats 3] [--n-jobs 1]
"""

from __future__ import annotations

import argparse
import importlib.util
import time
import warnings

import numpy as np
import pandas as pd

import causalx as cx
from _common import timed

D, N_TREES, DEPTH = 8, 100, 6
NAMES = [f"x{i}" for i in range(D)]


def _data(n=2000, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, D))
    y = X[:, 0] * X[:, 1] + np.sin(2 * X[:, 2]) + 0.5 * X[:, 3] ** 2 + X[:, 4] * X[:, 5] - X[:, 6] + 0.1 * X[:, 7]
    return pd.DataFrame(X, columns=NAMES), y + 0.1 * rng.normal(size=n)


def _models():
    if importlib.util.find_spec("xgboost"):
        import xgboost as xgb

        yield "xgboost", xgb.XGBRegressor(n_estimators=N_TREES, max_depth=DEPTH, n_jobs=1, random_state=0)
    if importlib.util.find_spec("lightgbm"):
        import lightgbm as lgb

        yield "lightgbm", lgb.LGBMRegressor(n_estimators=N_TREES, max_depth=DEPTH, num_leaves=2**DEPTH, n_jobs=1,
                                            random_state=0, verbose=-1)
    if importlib.util.find_spec("catboost"):
        import catboost as cb

        yield "catboost", cb.CatBoostRegressor(iterations=N_TREES, depth=DEPTH, thread_count=1, random_seed=0,
                                               verbose=0, allow_writing_files=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--n-explained", type=int, default=10)
    parser.add_argument("--n-background", type=int, default=200)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    X, y = _data()
    graph = cx.CausalGraph(nodes=NAMES, edges=[])
    bg, rows = X.iloc[: args.n_background], X.iloc[-args.n_explained:]
    common = dict(value="marginal", method="exact", n_samples=len(bg), n_jobs=args.n_jobs, random_state=0,
                  check_manifold=False)
    print(f"{args.n_explained} explained rows, {len(bg)} background rows, {N_TREES} trees of depth {DEPTH}, "
          f"{D} features, best of {args.repeats}")
    print(f"{'library':10s} {'tree (s)':>10s} {'black box (s)':>14s} {'speed-up':>9s} {'max |dev|':>10s} "
          f"{'rel. dev':>9s}")
    for name, model in _models():
        model.fit(X, y)
        tree_ex = cx.CausalExplainer(model, graph, algorithm="tree", **common).fit(bg)
        box_ex = cx.CausalExplainer(model, graph, algorithm="blackbox", **common).fit(bg)
        tree_ex.explain(rows.iloc[:1])  # compile the numba kernel outside the timing
        t_tree, e_tree = timed(lambda: tree_ex.explain(rows), args.repeats)
        t_box, e_box = timed(lambda: box_ex.explain(rows), args.repeats)
        dev = float(np.abs(e_tree.values - e_box.values).max())
        rel = dev / float(np.abs(e_box.values).max())
        print(f"{name:10s} {t_tree:10.3f} {t_box:14.3f} {t_box / t_tree:8.0f}x {dev:10.2e} {rel:9.1e}")


if __name__ == "__main__":
    main()
