"""Causal group values on the Magpie study: 129 descriptors in 11 families, 50 rows; time and model rows.

The study's own data, graph and LightGBM model (``case_studies/magpie``: 132 Magpie descriptors of
2,413 band-gap formulas, 3 constant ones left out), ``value="causal"``, the Gaussian sampler, 50
explained rows, ``n_samples`` draws per coalition. Model rows are counted by wrapping the model's
``predict``. Variants, run side by side in one process (ratios are what to read on a busy machine):

* ``groups-asym``: the 11 families are the players, asymmetric (the chain over the families leaves
  28 downsets: exact). This is what ``case_studies/magpie/config.yaml`` computes.
* ``groups-sym``: the 11 families, symmetric causal values (2^11 = 2,048 coalitions; sampled
  permutations, ``method="permutation"``, until the convergence rule holds).
* ``features-asym``: the 129 descriptors are the players, asymmetric with the same chain of
  components (``--feature-permutations`` antithetic permutations, a fixed budget: the convergence
  rule over 129 players would need far more). Its values summed per family are compared with the
  group values; the two are different quantities (a family's group value is not the sum of its
  members' values), so the comparison shows how far apart they are, not an error.

Run:  OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/bench_magpie_groups.py [--rows 50] [--draws 100]
      [--variants groups-asym,groups-sym,features-asym] [--feature-permutations 4]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
STUDY = ROOT / "case_studies" / "magpie"


class CountingModel:
    """``predict`` of a fitted LightGBM model, counting the rows it is asked for."""

    def __init__(self, model):
        self.booster = model.booster_
        self.rows = 0
        self.calls = 0

    def predict(self, X):
        X = np.asarray(X, dtype=float)
        self.rows += X.shape[0]
        self.calls += 1
        return self.booster.predict(X, num_threads=1)


def load():
    """The study's data frame, its graph with groups, the same graph per feature, the model."""
    import joblib
    import pandas as pd

    import causalx as cx
    from causalx.graph import load_graph

    g_groups = load_graph(STUDY / "graph.yaml")
    comps = g_groups.to_dict()["components"]  # the chain over the families, as feature lists
    g_features = cx.CausalGraph(list(g_groups.nodes), components=comps, target="band_gap",
                                name="magpie_features")
    X = pd.read_csv(STUDY / "data.csv")[list(g_groups.nodes)]
    model = joblib.load(STUDY / "model.joblib")
    return X, model, g_groups, g_features


def run(label, graph, X, model, rows, *, asymmetric, draws, method="auto", n_permutations=None):
    import causalx as cx

    counted = CountingModel(model)
    t0 = time.perf_counter()
    ex = cx.CausalExplainer(counted, graph, value="causal", asymmetric=asymmetric, method=method,
                            n_samples=draws, n_permutations=n_permutations, check_manifold=False,
                            random_state=0).fit(X)
    fit_rows = counted.rows
    t_fit = time.perf_counter() - t0
    t0 = time.perf_counter()
    exp = ex.explain(rows)
    t = time.perf_counter() - t0
    f = model.booster_.predict(rows.to_numpy(float), num_threads=1)
    gap = float(np.abs(exp.values.sum(1) - (f - exp.base_values)).max())  # efficiency against f(x) itself
    p = exp.provenance
    print(f"{label:14s} players={len(exp.feature_names):3d} method={p['method']:11s} fit={t_fit:6.2f}s "
          f"explain={t:7.2f}s model_rows={counted.rows - fit_rows:>11,} calls={counted.calls:>5} "
          f"coalitions={p.get('n_coalitions')} converged={p.get('converged')} "
          f"mean_stderr={float(np.mean(exp.stderr)):.4f} |sum - (f(x) - base)|max={gap:.1e}", flush=True)
    return exp, t, counted.rows - fit_rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=50)
    ap.add_argument("--draws", type=int, default=100)
    ap.add_argument("--variants", default="groups-asym,groups-sym,features-asym")
    ap.add_argument("--feature-permutations", type=int, default=4)
    args = ap.parse_args()
    variants = args.variants.split(",")
    bad = [v for v in variants if v not in ("groups-asym", "groups-sym", "features-asym")]
    if bad:
        sys.exit(f"unknown variant(s) {bad}")

    X, model, g_groups, g_features = load()
    rng = np.random.default_rng(0)
    rows = X.iloc[np.sort(rng.choice(len(X), size=args.rows, replace=False))].reset_index(drop=True)
    print(f"{len(X)} formulas, {X.shape[1]} features, {len(g_groups.groups)} groups, {args.rows} explained rows, "
          f"n_samples={args.draws}, LightGBM {model.n_estimators} trees")
    out = {}
    if "groups-asym" in variants:
        out["groups-asym"] = run("groups-asym", g_groups, X, model, rows, asymmetric=True, draws=args.draws)
    if "groups-sym" in variants:
        out["groups-sym"] = run("groups-sym", g_groups, X, model, rows, asymmetric=False, draws=args.draws,
                                method="permutation")
    if "features-asym" in variants:
        out["features-asym"] = run("features-asym", g_features, X, model, rows, asymmetric=True, draws=args.draws,
                                   method="permutation", n_permutations=args.feature_permutations)
    if "groups-asym" in out and "features-asym" in out:
        eg, tg, mg = out["groups-asym"]
        ef, tf, mf = out["features-asym"]
        print(f"features-asym / groups-asym: time x{tf / tg:.1f}, model rows x{mf / mg:.1f}")
        print("mean |value| per family: group value vs sum of its members' per-feature values")
        for j, fam in enumerate(eg.feature_names):
            members = list(g_groups.groups[fam])
            idx = [ef.feature_names.index(m) for m in members]
            s = ef.values[:, idx].sum(1)
            print(f"  {fam:18s} group {np.abs(eg.values[:, j]).mean():.3f}   feature sum {np.abs(s).mean():.3f}   "
                  f"corr over rows {np.corrcoef(eg.values[:, j], s)[0, 1]:+.2f}")
    if "groups-asym" in out and "groups-sym" in out:
        ea, ta, ma = out["groups-asym"]
        es, ts, ms = out["groups-sym"]
        print(f"groups-sym / groups-asym: time x{ts / ta:.1f}, model rows x{ms / ma:.1f}")


if __name__ == "__main__":
    main()
