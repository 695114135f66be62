"""Learned samplers against the true SCM: causal-value error, refit coverage, time.

The workload (issue 15): a 4-node nonlinear, non-Gaussian SCM (sines, a product, Laplace and
exponential noise), 2000 background rows, ``value="causal"``, the mechanism sampler. The
reference is the *true* causal value: ``v(S) = E[f(X) | do(X_S = x_S)]`` by large Monte Carlo
from the structural equations, exact Shapley values over the 16 coalitions (symmetric) and over
the 2 orderings consistent with the DAG (asymmetric), with the same known model ``f``.

    error = mean |phi_hat - phi_true| / mean |phi_true|   (per run, over explicands x features)

Coverage: the share of entries with ``|phi_hat - phi_true| <= 1.96 stderr`` over 30 seeds
(a fresh background draw each), with ``uncertainty="refit"``.

Run::

    PYTHONPATH=. OMP_NUM_THREADS=1 python benchmarks/bench_learned_samplers.py --part error
    PYTHONPATH=. OMP_NUM_THREADS=1 python benchmarks/bench_learned_samplers.py --part coverage --seeds 30
    PYTHONPATH=/work/main OMP_NUM_THREADS=1 python benchmarks/bench_learned_samplers.py --part error  # before

``--part error`` also runs the DoWhy gcm ``auto`` assignment as an anchor when dowhy is
installed (``--dowhy``). ``--part bias`` measures the learning error alone (20 000 draws per
coalition, per coalition and feature; ``--true-mechanisms``: the floor of the data with the true
mechanisms). ``--scm five`` runs a second, different SCM (5 nodes, heteroscedastic, Student-t,
Gumbel and uniform noise, a product A cos(D)) to check that a change does not fit only the first;
``--mc-seed-offset`` re-runs with other explainer seeds (variant).
"""

from __future__ import annotations

import argparse
import itertools
import json
import time

import numpy as np

NAMES = ["A", "B", "C", "D"]
EDGES = [("A", "C"), ("B", "C"), ("C", "D"), ("B", "D")]
PARENTS = {"A": [], "B": [], "C": ["A", "B"], "D": ["C", "B"]}


def structural(name, vals, u):
    """The structural equation of ``name`` given its parents' values and its noise ``u``."""
    if name == "A":
        return u
    if name == "B":
        return u
    if name == "C":
        return np.sin(1.5 * vals["A"]) + 0.6 * vals["A"] * vals["B"] + u
    return 0.8 * np.tanh(1.5 * vals["C"]) + 0.5 * vals["B"] ** 2 + u


def draw_noise(shape, rng):
    return {
        "A": rng.exponential(1.0, shape) - 1.0,  # skewed root
        "B": rng.laplace(0.0, 0.7, shape),  # heavy-tailed root
        "C": rng.laplace(0.0, 0.3, shape),
        "D": 0.4 * (rng.exponential(1.0, shape) - 1.0),
    }


def simulate(n, rng, do=None):
    """``n`` rows of the SCM; ``do`` maps node -> array broadcastable to the draws."""
    u = draw_noise((n,), rng) if do is None else None
    return _run(u, do or {})


def _run(u, do):
    vals = {}
    for name in NAMES:
        vals[name] = np.broadcast_to(do[name], u[name].shape) if name in do else structural(name, vals, u[name])
    return np.stack([vals[k] for k in NAMES], axis=-1)


def model(X):
    """The known model f explained (the same in the reference and the estimate)."""
    X = np.asarray(X, dtype=float)
    return 0.5 * X[..., 0] + np.sin(2.0 * X[..., 2]) + np.tanh(X[..., 1]) * X[..., 3]


# ---- a second, different SCM (``--scm five``): checks that a change does not only fit the first
# 5 nodes, a heteroscedastic node, a heavy-tailed and a uniform root, Gumbel noise, a product child
NAMES5 = ["A", "B", "C", "D", "E"]
EDGES5 = [("A", "C"), ("A", "E"), ("B", "D"), ("C", "D"), ("C", "E"), ("D", "E")]


def structural5(name, vals, u):
    if name in ("A", "B"):
        return u
    if name == "C":  # heteroscedastic: the noise sd grows with |A|
        return 0.7 * vals["A"] ** 2 - 1.0 + (0.3 + 0.25 * np.abs(vals["A"])) * u
    if name == "D":
        return np.tanh(2.0 * vals["B"]) + 0.5 * vals["C"] + u
    return np.cos(vals["D"]) * vals["A"] + 0.4 * vals["C"] + u


def draw_noise5(shape, rng):
    return {
        "A": rng.uniform(-2.0, 2.0, shape),
        "B": 0.5 * rng.standard_t(4, shape),
        "C": rng.normal(0.0, 1.0, shape),
        "D": 0.3 * (rng.gumbel(0.0, 1.0, shape) - np.euler_gamma),
        "E": rng.laplace(0.0, 0.3, shape),
    }


def model5(X):
    X = np.asarray(X, dtype=float)
    return np.tanh(X[..., 0] + X[..., 4]) + 0.5 * X[..., 2] * X[..., 1] + X[..., 3]


def use_scm(name):
    """Switch the module's SCM (``four``: the issue-15 workload, the default; ``five``: the check)."""
    global NAMES, EDGES, structural, draw_noise, model
    if name == "five":
        NAMES, EDGES, structural, draw_noise, model = NAMES5, EDGES5, structural5, draw_noise5, model5
    elif name != "four":
        raise ValueError(f"unknown scm {name!r}; use 'four' or 'five'")


def graph():
    import causalx as cx

    return cx.CausalGraph(nodes=NAMES, edges=EDGES)


def true_values(Xe, *, asymmetric, M=40_000, seed=12345):
    """Exact Shapley values of the true interventional game (one MC batch of M draws, shared)."""
    rng = np.random.default_rng(seed)
    n, d = Xe.shape
    u = draw_noise((n, M), rng)
    v = {}
    for S in itertools.product([0, 1], repeat=d):
        do = {NAMES[j]: Xe[:, j][:, None] for j in range(d) if S[j]}
        v[S] = model(_run(u, do)).mean(1)
    return _shapley(v, n, d, asymmetric)  # asymmetric: the orderings consistent with the DAG


def _consistent(p):
    pos = {NAMES[j]: i for i, j in enumerate(p)}
    return all(pos[a] < pos[b] for a, b in EDGES)


def explicands(n=20, seed=777):
    return simulate(n, np.random.default_rng(seed))


def estimate(X, Xe, *, asymmetric, sampler="mechanism", n_samples=1000, seed=0, **kw):
    import causalx as cx

    t0 = time.perf_counter()
    ex = cx.CausalExplainer(model, graph(), value="causal", sampler=sampler, asymmetric=asymmetric,
                            n_samples=n_samples, random_state=seed, check_manifold=False, **kw).fit(X)
    t1 = time.perf_counter()
    exp = ex.explain(Xe)
    t2 = time.perf_counter()
    return np.asarray(exp.values), np.asarray(exp.stderr), t1 - t0, t2 - t1, exp.provenance


def dowhy_values(X, Xe, *, asymmetric, seed=0, M=2000):
    """Anchor: DoWhy gcm with auto-assigned mechanisms, our exact Shapley over its do() samples."""
    import networkx as nx
    import pandas as pd
    from dowhy import gcm

    t0 = time.perf_counter()
    scm = gcm.InvertibleStructuralCausalModel(nx.DiGraph(EDGES))
    df = pd.DataFrame(X, columns=NAMES)
    gcm.auto.assign_causal_mechanisms(scm, df, quality=gcm.auto.AssignmentQuality.GOOD)
    gcm.fit(scm, df)
    t1 = time.perf_counter()
    n, d = Xe.shape
    v = {}
    for S in itertools.product([0, 1], repeat=d):
        out = np.zeros(n)
        for i in range(n):
            ivs = {NAMES[j]: (lambda x, c=Xe[i, j]: c) for j in range(d) if S[j]}
            if ivs:
                gcm.config.disable_progress_bars()
                s = gcm.interventional_samples(scm, ivs, num_samples_to_draw=M)
            else:
                s = df.sample(M, replace=True, random_state=seed)
            out[i] = model(s[NAMES].to_numpy()).mean()
        v[S] = out
    orders = [p for p in itertools.permutations(range(d)) if (_consistent(p) or not asymmetric)]
    phi = np.zeros((n, d))
    for p in orders:
        S = [0] * d
        for j in p:
            b = v[tuple(S)]
            S[j] = 1
            phi[:, j] += v[tuple(S)] - b
    return phi / len(orders), t1 - t0, time.perf_counter() - t1


def rel_error(phi, truth):
    return float(np.abs(phi - truth).mean() / np.abs(truth).mean())


def part_error(args):
    Xe = explicands(args.rows)
    out = []
    truth = {a: true_values(Xe, asymmetric=a) for a in (False, True)}
    for seed in range(args.error_seeds):
        X = simulate(args.n, np.random.default_rng(1000 + seed))
        for a in (False, True):
            kw = {} if args.uncertainty is None else {"uncertainty": args.uncertainty}
            phi, se, tf, te, prov = estimate(X, Xe, asymmetric=a, seed=seed + args.mc_seed_offset,
                                             n_samples=args.error_n_samples,
                                             sampler=args.sampler, **kw)
            err = rel_error(phi, truth[a])
            cover = float(np.mean(np.abs(phi - truth[a]) <= 1.96 * se))
            row = dict(seed=seed, asymmetric=a, error=err, covered=cover, fit_s=tf, explain_s=te,
                       choice=prov.get("sampler_diagnostic", {}).get("models") if isinstance(prov.get("sampler_diagnostic"), dict) else None)
            out.append(row)
            print(json.dumps(row), flush=True)
            if args.dowhy and seed == 0:
                phd, tfd, ted = dowhy_values(X, Xe, asymmetric=a)
                row = dict(seed=seed, asymmetric=a, sampler="dowhy-gcm-auto", error=rel_error(phd, truth[a]),
                           fit_s=tfd, explain_s=ted)
                out.append(row)
                print(json.dumps(row), flush=True)
    return out


def part_coverage(args):
    Xe = explicands(args.rows)
    truth = {a: true_values(Xe, asymmetric=a) for a in (False, True)}
    out = []
    for seed in range(args.seeds):
        X = simulate(args.n, np.random.default_rng(5000 + seed))
        a = bool(seed % 2)
        phi, se, tf, te, prov = estimate(X, Xe, asymmetric=a, seed=seed, n_samples=args.n_samples,
                                         sampler=args.sampler, uncertainty="refit")
        cov = np.abs(phi - truth[a]) <= 1.96 * se
        row = dict(seed=seed, asymmetric=a, error=rel_error(phi, truth[a]), covered=float(cov.mean()),
                   fit_s=tf, explain_s=te)
        out.append(row)
        print(json.dumps(row), flush=True)
    return out


class _Known:
    """A fitted-regressor stand-in that predicts a known function (the true mechanism)."""

    def __init__(self, fn):
        self.fn = fn

    def predict(self, Z):
        return self.fn(np.asarray(Z, dtype=float))


def true_mechanisms(scm):
    """Column -> (location, scale or None) of the true mechanisms, parents in graph order."""
    if scm == "four":  # C | A, B and D | B, C
        return {2: (lambda Z: np.sin(1.5 * Z[:, 0]) + 0.6 * Z[:, 0] * Z[:, 1], None),
                3: (lambda Z: 0.8 * np.tanh(1.5 * Z[:, 1]) + 0.5 * Z[:, 0] ** 2, None)}
    return {2: (lambda Z: 0.7 * Z[:, 0] ** 2 - 1.0, lambda Z: 0.3 + 0.25 * np.abs(Z[:, 0])),  # C | A
            3: (lambda Z: np.tanh(2.0 * Z[:, 0]) + 0.5 * Z[:, 1], None),  # D | B, C
            4: (lambda Z: np.cos(Z[:, 2]) * Z[:, 0] + 0.4 * Z[:, 1], None)}  # E | A, C, D


def part_bias(args):
    """Learning error without the Monte Carlo part: v(S) from K draws per coalition of the
    fitted sampler (default 20 000 = 10 x the rows, which the stratified noise rows cover
    exactly), per coalition and per feature; ``--true-mechanisms`` swaps the learned
    mechanisms for the true ones (with their empirical residuals): the floor of 2000 rows."""
    from causalx.samplers import MechanismSampler

    Xe = explicands(args.rows)
    n, d = Xe.shape
    u = draw_noise((n, 40_000), np.random.default_rng(12345))
    cube = list(itertools.product([0, 1], repeat=d))
    vt = {S: model(_run(u, {NAMES[j]: Xe[:, j][:, None] for j in range(d) if S[j]})).mean(1)
          for S in cube}
    out = []
    for seed in range(args.error_seeds):
        X = simulate(args.n, np.random.default_rng(1000 + seed))
        s = MechanismSampler(random_state=seed).fit(X, graph=graph(), feature_names=NAMES)
        if args.true_mechanisms:
            for j, (loc, sc) in true_mechanisms(args.scm).items():
                m, pa = s.node_models_[j], s.parents_[j]
                m.location, m.scale, m._scale_floor = _Known(loc), None if sc is None else _Known(sc), 0.0
                r = X[:, j] - loc(X[:, pa])
                s.residuals_[:, j] = r if sc is None else r / sc(X[:, pa])
        v = {}
        for S in cube:
            given = np.array([j for j in range(d) if S[j]], dtype=np.int64)
            target = np.array([j for j in range(d) if not S[j]], dtype=np.int64)
            if target.size == 0:
                v[S] = model(Xe)
                continue
            rows = np.repeat(Xe[:, None, :], args.bias_draws, axis=1)
            rows[:, :, target] = s.sample(Xe[:, given], target, given, args.bias_draws, random_state=0)
            v[S] = model(rows).mean(1)
        scale = np.abs(_shapley(vt, n, d, False)).mean()
        row = dict(seed=seed, true_mechanisms=bool(args.true_mechanisms),
                   models={k: m["model"] for k, m in s.diagnostics_["nodes"].items()},
                   v_error={"".join(NAMES[j] for j in range(d) if S[j]) or "{}":
                            round(float(np.abs(v[S] - vt[S]).mean() / scale), 4) for S in cube})
        for a in (False, True):
            pt, ph = _shapley(vt, n, d, a), _shapley(v, n, d, a)
            row["asym_error" if a else "sym_error"] = rel_error(ph, pt)
            per = np.abs(ph - pt).mean(0) / np.abs(pt).mean()
            row["asym_per_feature" if a else "sym_per_feature"] = [round(float(x), 4) for x in per]
        out.append(row)
        print(json.dumps(row), flush=True)
    print("SUMMARY bias", json.dumps({k: float(np.mean([r[k] for r in out])) for k in ("sym_error", "asym_error")}))
    return []


def _shapley(v, n, d, asymmetric):
    orders = [p for p in itertools.permutations(range(d)) if _consistent(p) or not asymmetric]
    phi = np.zeros((n, d))
    for p in orders:
        S = [0] * d
        for j in p:
            before = v[tuple(S)]
            S[j] = 1
            phi[:, j] += v[tuple(S)] - before
    return phi / len(orders)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--part", choices=["error", "coverage", "bias"], default="error")
    p.add_argument("--n", type=int, default=2000)
    p.add_argument("--rows", type=int, default=20)
    p.add_argument("--error-seeds", type=int, default=3)
    p.add_argument("--seeds", type=int, default=30)
    p.add_argument("--n-samples", type=int, default=500)
    p.add_argument("--error-n-samples", type=int, default=1000)
    p.add_argument("--uncertainty", default=None)
    p.add_argument("--sampler", default="mechanism")
    p.add_argument("--dowhy", action="store_true")
    p.add_argument("--scm", choices=["four", "five"], default="four")
    p.add_argument("--bias-draws", type=int, default=20_000, help="draws per coalition of --part bias")
    p.add_argument("--true-mechanisms", action="store_true", help="--part bias with the true mechanisms")
    p.add_argument("--mc-seed-offset", type=int, default=0, help="added to the explainer's random_state (variant)")
    args = p.parse_args()
    use_scm(args.scm)
    rows = {"error": part_error, "coverage": part_coverage, "bias": part_bias}[args.part](args)
    keys = sorted({(r.get("sampler", "causalx"), r["asymmetric"]) for r in rows})
    for k in keys:
        sel = [r for r in rows if (r.get("sampler", "causalx"), r["asymmetric"]) == k]
        summ = {m: float(np.mean([r[m] for r in sel if m in r])) for m in ("error", "covered", "fit_s", "explain_s")
                if any(m in r for r in sel)}
        print("SUMMARY", k, json.dumps(summ), "n=", len(sel))


if __name__ == "__main__":
    main()
