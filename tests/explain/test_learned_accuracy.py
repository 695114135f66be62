"""Causal values with the default mechanism sampler against the true SCM under do() (fast version
of benchmarks/bench_learned_samplers.py)."""

from __future__ import annotations

import itertools

import numpy as np

import causalx as cx

NAMES = ["A", "B", "C", "D"]
EDGES = [("A", "C"), ("B", "C"), ("C", "D"), ("B", "D")]


def noise(shape, rng):
    return [rng.exponential(1.0, shape) - 1.0, rng.laplace(0.0, 0.7, shape), rng.laplace(0.0, 0.3, shape),
            0.4 * (rng.exponential(1.0, shape) - 1.0)]


def run(u, do):
    """The structural equations, with do(X_j = do[j]) for the nodes in ``do``."""
    a = do.get(0, u[0]) + 0 * u[0]
    b = do.get(1, u[1]) + 0 * u[1]
    c = do.get(2, np.sin(1.5 * a) + 0.6 * a * b + u[2]) + 0 * u[2]
    d = do.get(3, 0.8 * np.tanh(1.5 * c) + 0.5 * b**2 + u[3]) + 0 * u[3]
    return np.stack([a, b, c, d], axis=-1)


def f(X):
    X = np.asarray(X, dtype=float)
    return 0.5 * X[..., 0] + np.sin(2.0 * X[..., 2]) + np.tanh(X[..., 1]) * X[..., 3]


def _consistent(p):
    """Whether the ordering ``p`` of the features puts every cause before its effects."""
    return all(p.index(NAMES.index(a)) < p.index(NAMES.index(b)) for a, b in EDGES)


def true_shapley(Xe, M=20_000):
    """Exact Shapley values of v(S) = E[f(X) | do(X_S = x_S)] by Monte Carlo from the SCM:
    symmetric (all 24 orderings) and asymmetric (the 2 orderings consistent with the DAG)."""
    u = noise((Xe.shape[0], M), np.random.default_rng(12345))
    v = {S: f(run(u, {j: Xe[:, j][:, None] for j in range(4) if S[j]})).mean(1)
         for S in itertools.product([0, 1], repeat=4)}
    out = {}
    for asym in (False, True):
        orders = [p for p in itertools.permutations(range(4)) if _consistent(p) or not asym]
        phi = np.zeros(Xe.shape)
        for p in orders:
            S = [0] * 4
            for j in p:
                before = v[tuple(S)]
                S[j] = 1
                phi[:, j] += v[tuple(S)] - before
        out[asym] = phi / len(orders)
    return out


def test_default_mechanism_sampler_is_close_to_the_true_causal_values():
    rng = np.random.default_rng(1000)
    X = run(noise((2000,), rng), {})
    Xe = run(noise((8,), np.random.default_rng(777)), {})
    graph = cx.CausalGraph(nodes=NAMES, edges=EDGES)
    truth = true_shapley(Xe)
    # measured on these 8 rows with random_state=0 (issue 15): symmetric 0.030, asymmetric 0.040;
    # over data seeds 1000..1005 x random_state 0, 1: 0.024-0.056 and 0.039-0.080. Before the
    # spline variants (quantile knots, varying coefficients) and the stratified noise rows:
    # 0.081 and 0.109 here (0.033-0.091 and 0.045-0.111 over the data seeds)
    for asym, tol in ((False, 0.075), (True, 0.10)):
        exp = cx.CausalExplainer(f, graph, sampler="mechanism", asymmetric=asym, n_samples=1000,
                                 check_manifold=False, random_state=0).fit(X).explain(Xe)
        err = np.abs(np.asarray(exp.values) - truth[asym]).mean() / np.abs(truth[asym]).mean()
        assert err < tol, (asym, err)
    diag = exp.provenance["sampler_diagnostic"]
    assert set(diag["models"]) == set(NAMES) and diag["models"]["A"] == "empirical"
    assert all(diag["nodes"][k]["skill"] > 0.3 for k in ("C", "D"))
