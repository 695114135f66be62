"""Causal Gaussian Shapley values of a 10-feature model against the model-evaluation floor.

The floor is the time to predict, in one call, exactly as many rows as the explanation
evaluated, drawn fresh from the fitted Gaussian (the kind of rows the explanation evaluates). The ratio (explain time / floor time) is measured side by side in one run, so it is
meaningful on a noisy machine; absolute seconds are not.

Run:  python benchmarks/bench_causal_gaussian.py [--rows 20] [--draws 1000] [--model hgb|linear]
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=20)
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--model", choices=["hgb", "linear"], default="hgb")
    ap.add_argument("--asymmetric", action="store_true")
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args()

    from sklearn.ensemble import HistGradientBoostingRegressor
    from sklearn.linear_model import LinearRegression

    import causalx as cx
    from causalx.datasets import make_linear_scm

    d = 10
    names = [f"X{i}" for i in range(d)]
    rng = np.random.default_rng(0)
    edges = {(names[i], names[j]): float(rng.uniform(-1, 1)) for i in range(d) for j in range(i + 1, d)
             if rng.random() < 0.25}
    scm = make_linear_scm(names, edges, confounders=[("X0", "X1", 0.8)])
    X = scm.sample(2000, random_state=1)
    y = X.to_numpy() @ rng.normal(size=d) + np.sin(X["X3"].to_numpy()) * X["X5"].to_numpy()
    model = (HistGradientBoostingRegressor(max_iter=100, random_state=0) if args.model == "hgb"
             else LinearRegression()).fit(X.to_numpy(), y)
    graph = scm.graph()
    ex = cx.CausalExplainer(model, graph, value="causal", method="exact", asymmetric=args.asymmetric,
                            n_samples=args.draws, random_state=0).fit(X)
    rows = X.iloc[: args.rows]

    best_explain, best_floor = np.inf, np.inf
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        exp = ex.explain(rows)
        t_explain = time.perf_counter() - t0
        n_rows = exp.provenance["n_model_evals"]
        # rows like the ones the explanation evaluates: fresh draws from the fitted Gaussian (a
        # floor on repeated data rows would be optimistic: trees predict repeated rows faster)
        Z = np.random.default_rng(3).multivariate_normal(ex.sampler_.mean_, ex.sampler_.covariance_, n_rows)
        t0 = time.perf_counter()
        model.predict(Z)
        t_floor = time.perf_counter() - t0
        best_explain, best_floor = min(best_explain, t_explain), min(best_floor, t_floor)
    print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, python {platform.python_version()}")
    print(f"workload: d={d}, {args.rows} explained rows, {args.draws} draws/coalition, model={args.model}, "
          f"asymmetric={args.asymmetric}, coalitions={exp.provenance['n_coalitions']}")
    print(f"model rows evaluated: {n_rows:,d}")
    print(f"causalx explain: {best_explain:.3f} s   floor (one predict of the same rows): {best_floor:.3f} s   "
          f"ratio: {best_explain / best_floor:.2f}x")
    print(f"efficiency gap: {np.abs(exp.efficiency_gap()).max():.2e}")


if __name__ == "__main__":
    main()
