"""shapr's own causal workloads, exactly (issue 17): time, model rows and the floor.

* ``lg_chain``: 5 features, singleton chain components X1 < ... < X5 (shapr's causal ordering,
  no confounding), 20 explained rows, all 32 coalitions, 50,000 draws per coalition.
  shapr: 35.6 s.
* ``nl_mat``: 10 features, components (f0,f3,f6,f7,f9) < (f1,f4,f8) < (f2) < (f5), no
  confounding, 200 explained rows, all 1,024 coalitions, 1,000 draws. shapr: 385-397 s.

Both use a scikit-learn ``LinearRegression`` fitted on a pandas DataFrame (so the model wrapper
hands it DataFrames), the Gaussian sampler and ``value="causal"``, ``method="exact"``.

The floor is the time to draw as many Gaussian rows as the explanation evaluates
(``standard_normal @ L.T + mu``) plus the model's ``predict`` on them as a DataFrame: one call
when the rows fit in ``--floor-block`` rows, otherwise in blocks of that many rows (nl_mat
evaluates ~204M rows, 16 GB at once); the draws in blocks of 1M rows. Explanation and floor are timed side by side in one run,
so the ratio is meaningful on a noisy machine.

Run:  PYTHONPATH=. python benchmarks/bench_shapr_exact.py [--workloads lg_chain,nl_mat] [--rows10 200]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

SHAPR_S = {"lg_chain": 35.6, "nl_mat": 391.0}  # nl_mat: 385-397 s published, midpoint


def case(key: str, rows10: int):
    import pandas as pd
    from sklearn.linear_model import LinearRegression

    import causalx as cx

    rng = np.random.default_rng(17)
    if key == "lg_chain":
        d, names = 5, [f"X{i}" for i in range(1, 6)]
        comps = [[n] for n in names]
        n_rows, draws = 20, 50_000
    else:
        d, names = 10, [f"f{i}" for i in range(10)]
        comps = [["f0", "f3", "f6", "f7", "f9"], ["f1", "f4", "f8"], ["f2"], ["f5"]]
        n_rows, draws = rows10, 1_000
    order = [n for c in comps for n in c]
    # a linear-Gaussian model along the causal ordering
    B = np.tril(rng.uniform(-0.8, 0.8, (d, d)), -1) + np.eye(d)
    Z = rng.normal(size=(2000, d)) @ B.T + rng.normal(size=d)
    X = pd.DataFrame(Z, columns=order)[names]
    y = X.to_numpy() @ rng.normal(size=d) + 1.0 + 0.5 * rng.normal(size=len(X))
    model = LinearRegression().fit(X, y)  # fitted on a DataFrame: feature_names_in_ set
    graph = cx.CausalGraph(names, components=comps)
    return X, model, graph, X.iloc[:n_rows], draws


def floor_time(ex, model, n_eval: int, block: int, draw_block: int = 1_000_000) -> tuple[float, float]:
    """(draw seconds, predict seconds) for ``n_eval`` Gaussian rows.

    Drawing: ``standard_normal @ L.T + mu`` in blocks of ``draw_block`` rows (one 30M-row draw
    spends most of its time in page faults, which is not the floor). Predict: the model's
    ``predict`` on a DataFrame of the rows, one call of up to ``block`` rows.
    """
    import pandas as pd

    mu, cov = ex.sampler_.mean_, ex.sampler_.covariance_
    L = np.linalg.cholesky(cov)
    cols = list(model.feature_names_in_)
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(3)
    t0 = time.perf_counter()
    done = 0
    with threadpool_limits(1, user_api="blas"):  # a skinny product: one BLAS thread is fastest here
        while done < n_eval:
            r = min(draw_block, n_eval - done)
            Zb = rng.standard_normal((r, len(mu))) @ L.T
            Zb += mu
            done += r
    t_draw = time.perf_counter() - t0
    # column-major, the cheapest layout for predict (and the one causalx hands the model)
    big = np.asfortranarray(np.tile(Zb, (int(np.ceil(min(block, n_eval) / Zb.shape[0])), 1))[: min(block, n_eval)])
    frame = pd.DataFrame(big, columns=cols, copy=False)
    t_pred, done = 0.0, 0
    while done < n_eval:
        r = min(block, n_eval - done)
        f = frame if r == len(frame) else frame.iloc[:r]
        t0 = time.perf_counter()
        model.predict(f)
        t_pred += time.perf_counter() - t0
        done += r
    return t_draw, t_pred


def closed_form(ex, model, rows) -> np.ndarray:
    """Exact causal Shapley values of a linear model under the fitted Gaussian, another way.

    With f linear, v(S) = f(E[X | do(x_S)]); along the chain components (none confounded here)
    E[X_drawn | do] = mu_T + S_TG S_GG^-1 (E[X_G] - mu_G) with G the component's parents and present
    members, so the means propagate in closed form. Shapley values by the weighted sum over all
    coalitions.
    """
    from itertools import combinations
    from math import factorial

    mu, cov = ex.sampler_.mean_, ex.sampler_.covariance_
    w, b = np.asarray(model.coef_, dtype=float), float(model.intercept_)
    comps = ex.components_
    xs = rows.to_numpy()
    d = xs.shape[1]
    masks = np.array([[(c >> j) & 1 for j in range(d)] for c in range(2**d)], dtype=bool)
    v = np.empty((len(xs), 2**d))
    for c, m in enumerate(masks):
        E = np.where(m, xs, np.nan)
        for comp in comps:
            present = m[comp.members]
            tgt = comp.members[~present]
            if tgt.size == 0:
                continue
            giv = np.concatenate([comp.parents, comp.members[present]]).astype(int)
            coef = np.linalg.solve(cov[np.ix_(giv, giv)], cov[np.ix_(giv, tgt)]) if giv.size else np.zeros((0, tgt.size))
            E[:, tgt] = mu[tgt] + (E[:, giv] - mu[giv]) @ coef
        v[:, c] = E @ w + b
    phi = np.zeros((len(xs), d))
    idx = (masks * (1 << np.arange(d))).sum(1)
    for i in range(d):
        without = ~masks[:, i]
        s = masks[without].sum(1)
        wt = np.array([factorial(k) * factorial(d - k - 1) / factorial(d) for k in s])
        phi[:, i] = (v[:, idx[without] | (1 << i)] - v[:, idx[without]]) @ wt
    return phi


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workloads", default="lg_chain,nl_mat")
    ap.add_argument("--rows10", type=int, default=200, help="explained rows of nl_mat (shapr: 200)")
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--floor-block", type=int, default=32_000_000, help="rows per predict call of the floor")
    ap.add_argument("--profile", action="store_true", help="cProfile one explanation, print the top items")
    args = ap.parse_args()

    import causalx as cx

    print(f"{'workload':10s} {'explain s':>10s} {'model rows':>12s} {'floor s':>8s} {'/floor':>7s} "
          f"{'shapr s':>8s} {'shapr/causalx':>13s}")
    for key in args.workloads.split(","):
        X, model, graph, rows, draws = case(key, args.rows10)
        ex = cx.CausalExplainer(model, graph, value="causal", method="exact", n_samples=draws,
                                random_state=0).fit(X)
        if args.profile:
            import cProfile
            import pstats

            pr = cProfile.Profile()
            pr.enable()
            ex.explain(rows)
            pr.disable()
            pstats.Stats(pr).sort_stats("tottime").print_stats(12)
            continue
        best = np.inf
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            exp = ex.explain(rows)
            best = min(best, time.perf_counter() - t0)
        n_eval = int(exp.provenance["n_model_evals"])
        t_draw, t_pred = floor_time(ex, model, n_eval, args.floor_block)
        t_floor = t_draw + t_pred
        shapr = SHAPR_S[key] * (len(rows) / (20 if key == "lg_chain" else 200))
        print(f"{key:10s} {best:10.2f} {n_eval:12,d} {t_floor:8.2f} {best / t_floor:7.2f} {shapr:8.1f} "
              f"{shapr / best:13.1f}   (floor = draw {t_draw:.2f} + predict {t_pred:.2f})", flush=True)
        print(f"  checksum {key}: {np.asarray(exp.values).sum():.17g} {np.asarray(exp.stderr).sum():.17g}")
        err = np.abs(np.asarray(exp.values) - closed_form(ex, model, rows)).max()
        print(f"  max |value - closed form| {key}: {err:.2e} (antithetic draws: {exp.provenance['antithetic']}; "
              f"max stderr {np.asarray(exp.stderr).max():.2e})", flush=True)


if __name__ == "__main__":
    main()
