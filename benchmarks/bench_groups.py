"""Causal Shapley values of 30 descriptors known only at the level of families: per feature vs per group.

Thirty descriptors in four families (composition -> structure -> processing -> measured), the
knowledge a chain over the families (``components``), a gradient-boosting model, the Gaussian
sampler and ``value="causal"``, 5 explained rows. "features": the 30 descriptors are the
players (``method="auto"`` samples permutations until the convergence rule holds); "groups":
the four families are the players (``groups:``; exact over 2^4 coalitions). Both runs in one
process, side by side; the ratio (and the CPU time, less sensitive to a busy machine) is what
to read on a noisy machine.

Run:  OMP_NUM_THREADS=1 python benchmarks/bench_groups.py [--rows 5] [--draws 1000] [--mode both]

Measured (defaults, 2 shared cores under a load of 5-12, so read the CPU time; two runs):
groups: exact, 16 coalitions, 71,005 model rows, explain 2.8 / 0.54 s wall, 0.37 / 0.32 s CPU;
features: permutation, 1180 orderings, 29,962 coalitions (stopped at max_evals=30000, not
converged), 149,801,005 model rows, explain 1995 / 950 s wall, 557 / 542 s CPU.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

FAMILIES = {"composition": 10, "structure": 8, "processing": 7, "measured": 5}


def make_problem(n: int = 2000, seed: int = 0):
    """Data, a fitted model and the family-level graphs (per feature and per group)."""
    import pandas as pd
    from sklearn.ensemble import HistGradientBoostingRegressor

    import causalx as cx

    rng = np.random.default_rng(seed)
    cols, blocks, prev = [], [], None
    for fam, k in FAMILIES.items():
        names = [f"{fam[:4]}_{i}" for i in range(k)]
        latent = rng.normal(size=(n, 1))  # within-family correlation
        block = 0.7 * latent + 0.7 * rng.normal(size=(n, k))
        if prev is not None:  # each family is caused by the previous one
            block = block + prev @ rng.uniform(-0.4, 0.4, size=(prev.shape[1], k))
        cols += names
        blocks.append(block)
        prev = block
    X = pd.DataFrame(np.hstack(blocks), columns=cols)
    Z = X.to_numpy()
    y = Z @ rng.normal(scale=0.5, size=Z.shape[1]) + np.sin(Z[:, 0]) * Z[:, 12] + 0.1 * rng.normal(size=n)
    model = HistGradientBoostingRegressor(max_iter=100, random_state=0).fit(Z, y)
    groups = {fam: [c for c in cols if c.startswith(fam[:4])] for fam in FAMILIES}
    g_features = cx.CausalGraph(cols, components=list(groups.values()), name="families")
    g_groups = cx.CausalGraph(cols, components=[[fam] for fam in FAMILIES], groups=groups, name="families")
    return X, model, g_features, g_groups


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=5)
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--mode", choices=["both", "features", "groups"], default="both")
    args = ap.parse_args()

    import causalx as cx

    X, model, g_features, g_groups = make_problem()
    rows = X.iloc[: args.rows]
    runs = {"groups": g_groups, "features": g_features}
    for label, graph in runs.items():
        if args.mode not in ("both", label):
            continue
        t0 = time.perf_counter()
        ex = cx.CausalExplainer(model, graph, value="causal", n_samples=args.draws, random_state=0).fit(X)
        t_fit = time.perf_counter() - t0
        t0, c0 = time.perf_counter(), time.process_time()
        exp = ex.explain(rows)
        t, cpu = time.perf_counter() - t0, time.process_time() - c0
        gap = float(np.abs(exp.values.sum(1) - (exp.output - exp.base_values)).max())
        p = exp.provenance
        print(f"{label:9s} players={len(exp.feature_names):2d} method={p['method']:11s} fit={t_fit:6.2f}s "
              f"explain={t:7.2f}s (cpu {cpu:7.2f}s) model_evals={p['n_model_evals']:>11,} coalitions={p['n_coalitions']:>6} "
              f"converged={p['converged']} efficiency_gap={gap:.1e}", flush=True)
        if label == "features":  # the family sums of per-feature values, for comparison
            col = {f: j for j, f in enumerate(exp.feature_names)}
            fam = {g: exp.values[:, [col[f] for f in m]].sum(1) for g, m in g_groups.groups.items()}
            print("          per-family sums of feature values, row 0:",
                  {g: round(float(v[0]), 3) for g, v in fam.items()}, flush=True)
        else:
            print("          group values, row 0:", {k: round(float(v), 3) for k, v in zip(exp.feature_names, exp.values[0])}, flush=True)


if __name__ == "__main__":
    main()
