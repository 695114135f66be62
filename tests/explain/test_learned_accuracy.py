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


def true_shapley(Xe, M=20_000):
    """Exact symmetric Shapley values of v(S) = E[f(X) | do(X_S = x_S)] by Monte Carlo from the SCM."""
    u = noise((Xe.shape[0], M), np.random.default_rng(12345))
    v = {S: f(run(u, {j: Xe[:, j][:, None] for j in range(4) if S[j]})).mean(1)
         for S in itertools.product([0, 1], repeat=4)}
    phi = np.zeros(Xe.shape)
    for p in itertools.permutations(range(4)):
        S = [0] * 4
        for j in p:
            before = v[tuple(S)]
            S[j] = 1
            phi[:, j] += v[tuple(S)] - before
    return phi / 24


def test_default_mechanism_sampler_is_close_to_the_true_causal_values():
    rng = np.random.default_rng(1000)
    X = run(noise((2000,), rng), {})
    Xe = run(noise((8,), np.random.default_rng(777)), {})
    graph = cx.CausalGraph(nodes=NAMES, edges=EDGES)
    exp = cx.CausalExplainer(f, graph, sampler="mechanism", n_samples=1000, check_manifold=False).fit(X).explain(Xe)
    truth = true_shapley(Xe)
    err = np.abs(np.asarray(exp.values) - truth).mean() / np.abs(truth).mean()
    # measured on these 8 rows: 0.081 (data seed 1000; 0.058 and 0.066 with seeds 1001, 1002); the
    # fixed HistGradientBoosting sampler of causalx 0.1 gives 0.139 here
    assert err < 0.11, err
    diag = exp.provenance["sampler_diagnostic"]
    assert set(diag["models"]) == set(NAMES) and diag["models"]["A"] == "empirical"
    assert all(diag["nodes"][k]["skill"] > 0.3 for k in ("C", "D"))
