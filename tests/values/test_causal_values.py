"""Conditional, causal and asymmetric Shapley values against closed forms of linear-Gaussian SCMs.

The oracles are computed here, independently of the library: Gaussian conditional means from
the fitted mean and covariance, the chain-component recursion of Heskes et al. (2020) Thm 1
in expectation, and the Shapley formula by brute force over subsets or orderings. For a
linear model f = b + wᵀx the value function is exactly v(S) = f(E[X | ·]).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

import causalx as cx
from causalx.datasets import make_linear_scm
from tests.conftest import LinearModel


# ------------------------------------------------------------------------------ oracles
def _cond_mean(mu, cov, T, C, values):
    """E[X_T | X_C = values] for a Gaussian; values (n, |C|)."""
    T, C = list(T), list(C)
    if not C:
        return np.broadcast_to(mu[T], (values.shape[0], len(T)))
    A = cov[np.ix_(T, C)] @ np.linalg.inv(cov[np.ix_(C, C)])
    return mu[T] + (values - mu[C]) @ A.T


def _expected_x(mu, cov, S, x, value, comps=None):
    """E[X | x_S] (conditional) or E[X | do(x_S)] (causal, chain components) for rows x (n, d)."""
    d = len(mu)
    m = x.astype(float).copy()
    S = set(S)
    Sb = [j for j in range(d) if j not in S]
    if value == "conditional":
        if Sb:
            m[:, Sb] = _cond_mean(mu, cov, Sb, sorted(S), x[:, sorted(S)])
        return m
    for members, parents, confounded in comps:
        T = [j for j in members if j not in S]
        if not T:
            continue
        C = sorted(set(parents) | (set() if confounded else {j for j in members if j in S}))
        m[:, T] = _cond_mean(mu, cov, T, C, m[:, C])
    return m


def _shapley(v, d, orders=None):
    """Brute force: symmetric subset formula, or average over the given orderings."""
    n = v(frozenset()).shape[0]
    phi = np.zeros((n, d))
    if orders is None:
        for i in range(d):
            rest = [j for j in range(d) if j != i]
            for k in range(d):
                for S in itertools.combinations(rest, k):
                    w = math.factorial(k) * math.factorial(d - k - 1) / math.factorial(d)
                    phi[:, i] += w * (v(frozenset(S) | {i}) - v(frozenset(S)))
        return phi
    for p in orders:
        for k, i in enumerate(p):
            phi[:, i] += v(frozenset(p[: k + 1])) - v(frozenset(p[:k]))
    return phi / len(orders)


def _oracle(explainer, x, w, b, value, asymmetric):
    mu = explainer.sampler_.mean_
    cov = explainer.sampler_.covariance_
    d = len(mu)
    g = explainer.graph_
    idx = {n: i for i, n in enumerate(g.nodes)}
    comps = [([idx[v] for v in c.nodes], [idx[p] for p in c.parents], c.confounded) for c in g.components()]
    cache = {}

    def v(S):
        if S not in cache:
            cache[S] = _expected_x(mu, cov, S, x, value, comps) @ w + b
        return cache[S]

    orders = None
    if asymmetric:
        pos = {j: k for k, (members, _, _) in enumerate(comps) for j in members}
        before = [(p, j) for members, parents, _ in comps for j in members for p in parents]
        orders = [o for o in itertools.permutations(range(d)) if all(o.index(a) < o.index(b) for a, b in before)]
        assert pos  # components exist
    return _shapley(v, d, orders)


def _check_within_se(exp, ref, *, k=4.5, frac=0.97):
    err = np.abs(exp.values - ref)
    se = exp.stderr
    assert np.all(se > 0) or np.allclose(err, 0, atol=1e-9)
    ok = err <= k * se + 1e-9
    assert ok.mean() >= frac, f"only {ok.mean():.1%} within {k} SE; max err {err.max():.3g}"
    assert np.all(err <= 7 * se + 1e-9), f"max |err|/se = {(err / np.maximum(se, 1e-300)).max():.2f}"


# ------------------------------------------------------------------------------ fixtures
SCMS = {
    # a chain with a skip edge
    "chain": make_linear_scm(["A", "B", "C", "D"], {("A", "B"): 0.9, ("B", "C"): -0.8, ("A", "C"): 0.5,
                                                    ("C", "D"): 1.1}, intercept=[1, 0, -1, 0.5]),
    # a collider plus a fork
    "collider": make_linear_scm(["A", "B", "C", "D"], {("A", "C"): 1.0, ("B", "C"): -1.0, ("C", "D"): 0.7,
                                                       ("A", "D"): 0.4}, noise_std=[1.0, 0.7, 0.5, 0.6]),
    # a confounded pair whose members really are correlated through a hidden cause
    "confounded": make_linear_scm(["A", "B", "C", "D"], {("A", "C"): 0.8, ("B", "C"): 0.6, ("C", "D"): -0.9},
                                  confounders=[("A", "B", 1.2)], noise_std=[0.5, 0.5, 0.6, 0.4]),
}
W = np.array([1.0, -2.0, 1.5, 0.8])
B0 = 0.3


@pytest.mark.parametrize("scm_name", sorted(SCMS))
@pytest.mark.parametrize(
    "value, asymmetric",
    [("conditional", False), ("conditional", True), ("causal", False), ("causal", True)],
)
def test_gaussian_values_match_closed_form(scm_name, value, asymmetric):
    scm = SCMS[scm_name]
    X = scm.sample(3000, random_state=1)
    graph = scm.graph()
    model = LinearModel(W, B0)
    ex = cx.CausalExplainer(model, graph, value=value, asymmetric=asymmetric, method="exact",
                            n_samples=400, random_state=2).fit(X)
    x = X.to_numpy()[:8]
    exp = ex.explain(x)
    ref = _oracle(ex, x, W, B0, value, asymmetric)
    _check_within_se(exp, ref)
    np.testing.assert_allclose(exp.values.sum(1), exp.output - exp.base_values, atol=1e-8)


def test_causal_values_match_true_scm_interventions():
    """The fitted-Gaussian causal values approach the data-generating SCM's E[f | do(x_S)]."""
    scm = SCMS["confounded"]
    X = scm.sample(20000, random_state=4)
    model = LinearModel(W, B0)
    ex = cx.CausalExplainer(model, scm.graph(), value="causal", method="exact", n_samples=400,
                            random_state=5).fit(X)
    x = X.to_numpy()[:5]
    exp = ex.explain(x)

    def v(S):
        S = sorted(S)
        if not S:
            return np.full(len(x), scm.mean @ W + B0)
        return scm.interventional_mean(S, x[:, S]) @ W + B0

    ref = _shapley(lambda S: v(S) if len(S) else v(S), 4)
    # Monte Carlo error plus the estimation error of the fitted mean/covariance (n = 20000)
    np.testing.assert_allclose(exp.values, ref, atol=0.08 + 5 * exp.stderr.max())


def test_one_confounded_component_is_marginal():
    scm = SCMS["confounded"]
    X = scm.sample(3000, random_state=6)
    nodes = list(scm.nodes)
    graph = cx.CausalGraph(nodes=nodes, components=[nodes], confounded=[("A", "B")])
    assert len(graph.components()) == 1 and graph.components()[0].confounded
    model = LinearModel(W, B0)
    ex = cx.CausalExplainer(model, graph, value="causal", method="exact", n_samples=2000, random_state=1).fit(X)
    x = X.to_numpy()[:6]
    exp = ex.explain(x)
    ref = W * (x - ex.sampler_.mean_)  # marginal SHAP of a linear model
    _check_within_se(exp, ref)


def test_one_unconfounded_component_is_conditional():
    from sklearn.ensemble import RandomForestRegressor

    scm = SCMS["chain"]
    X = scm.sample(1500, random_state=8)
    nodes = list(scm.nodes)
    y = X["A"] * X["B"] - np.abs(X["C"]) + X["D"]
    model = RandomForestRegressor(n_estimators=15, max_depth=6, random_state=0).fit(X, y)
    chain = cx.CausalGraph(nodes=nodes, components=[nodes])
    kw = dict(method="exact", n_samples=300, random_state=3)
    causal = cx.CausalExplainer(model, chain, value="causal", **kw).fit(X).explain(X.iloc[:5])
    cond = cx.CausalExplainer(model, scm.graph(), value="conditional", **kw).fit(X).explain(X.iloc[:5])
    # identical distributions and identical common random numbers: identical numbers
    np.testing.assert_allclose(causal.values, cond.values, atol=1e-10)


def test_layered_asymmetric_causal_equals_frye_asv():
    """Layered order without confounding: asymmetric causal = asymmetric conditional (Frye's ASV)."""
    scm = SCMS["chain"]
    X = scm.sample(3000, random_state=9)
    nodes = list(scm.nodes)
    layered = cx.CausalGraph(nodes=nodes, components=[["A"], ["B", "C"], ["D"]])
    model = LinearModel(W, B0)
    kw = dict(asymmetric=True, method="exact", n_samples=600, random_state=4)
    causal = cx.CausalExplainer(model, layered, value="causal", **kw).fit(X)
    e_causal = causal.explain(X.iloc[:6])
    e_cond = cx.CausalExplainer(model, layered, value="conditional", **kw).fit(X).explain(X.iloc[:6])
    ref = _oracle(causal, X.to_numpy()[:6], W, B0, "conditional", True)  # Frye's ASV, closed form
    _check_within_se(e_causal, ref)
    _check_within_se(e_cond, ref)


@pytest.mark.parametrize("asymmetric", [False, True])
def test_heskes_two_feature_chain(asymmetric):
    """Heskes et al. 2020: X1 → X2, f = β2 x2: φ1 = β2 α (x1 − μ1)/2 (symmetric), α β2 (x1 − μ1) (asymmetric)."""
    rng = np.random.default_rng(0)
    x1 = rng.normal(1.0, 1.0, 4000)
    x2 = 0.7 * x1 + rng.normal(0, 0.5, 4000)
    X = pd.DataFrame({"X1": x1, "X2": x2})
    beta2 = 2.0
    model = LinearModel([0.0, beta2])
    graph = cx.CausalGraph(nodes=["X1", "X2"], edges=[("X1", "X2")])
    ex = cx.CausalExplainer(model, graph, value="causal", asymmetric=asymmetric, method="exact",
                            n_samples=4000, random_state=0).fit(X)
    exp = ex.explain(X.iloc[:10])
    mu, cov = ex.sampler_.mean_, ex.sampler_.covariance_
    alpha = cov[0, 1] / cov[0, 0]
    d1 = X["X1"].to_numpy()[:10] - mu[0]
    phi1 = beta2 * alpha * d1 * (1.0 if asymmetric else 0.5)
    _check_within_se(exp[:, "X1"], phi1[:, None])
    np.testing.assert_allclose(exp.values.sum(1), exp.output - exp.base_values, atol=1e-8)


@pytest.mark.parametrize("asymmetric", [False, True])
def test_direct_indirect_split_linear_chain(asymmetric):
    """X1 → X2, f = β1 x1 + β2 x2: X1's direct part is β1 (x1 − μ1); its indirect part goes through X2."""
    rng = np.random.default_rng(1)
    x1 = rng.normal(0.0, 1.0, 4000)
    x2 = 0.6 * x1 + rng.normal(0, 0.8, 4000)
    X = pd.DataFrame({"X1": x1, "X2": x2})
    b1, b2 = 1.5, -2.0
    graph = cx.CausalGraph(nodes=["X1", "X2"], edges=[("X1", "X2")])
    ex = cx.CausalExplainer(LinearModel([b1, b2]), graph, value="causal", asymmetric=asymmetric,
                            method="exact", n_samples=3000, random_state=2).fit(X)
    exp = ex.explain(X.iloc[:8], decompose=True)
    np.testing.assert_allclose(exp.direct + exp.indirect, exp.values, atol=1e-12)
    mu, cov = ex.sampler_.mean_, ex.sampler_.covariance_
    alpha = cov[0, 1] / cov[0, 0]
    d1 = X["X1"].to_numpy()[:8] - mu[0]
    share = 1.0 if asymmetric else 0.5
    np.testing.assert_allclose(exp.direct[:, 0], b1 * d1, atol=5 * exp.direct_stderr[:, 0].max() + 1e-9)
    np.testing.assert_allclose(exp.indirect[:, 0], share * b2 * alpha * d1,
                               atol=5 * exp.indirect_stderr[:, 0].max() + 1e-9)
    # X2 has no descendants: all of its value is direct
    np.testing.assert_allclose(exp.indirect[:, 1], 0.0, atol=5 * exp.indirect_stderr[:, 1].max() + 1e-9)


def test_decompose_permutation_and_marginal():
    X, y, scm = cx.datasets.make_lg_chain(800, random_state=3)
    model = LinearModel([0.3, -0.8, 1.0, 0.2, 0.5])
    graph = scm.graph()
    exp = cx.CausalExplainer(model, graph, value="causal", method="permutation", n_permutations=8,
                             n_samples=200, random_state=1).fit(X).explain(X.iloc[:4], decompose=True)
    np.testing.assert_allclose(exp.direct + exp.indirect, exp.values, atol=1e-12)
    np.testing.assert_allclose(exp.values.sum(1), exp.output - exp.base_values, atol=1e-8)
    m = cx.CausalExplainer(model, graph, value="marginal").fit(X).explain(X.iloc[:4], decompose=True)
    np.testing.assert_array_equal(m.indirect, 0.0)
    with pytest.raises(ValueError, match="needs value='causal'"):
        cx.CausalExplainer(model, graph, value="conditional").fit(X).explain(X.iloc[:2], decompose=True)


def test_mechanism_sampler_matches_true_nonlinear_scm():
    """Causal values with the mechanism sampler vs the true SCM sampled directly."""
    rng = np.random.default_rng(0)
    n = 3000

    def scm_sample(n, rng, do=None):
        do = do or {}
        a = do.get("A", rng.uniform(-2, 2, n))
        b = do.get("B", np.sin(1.5 * a) + 0.7 * rng.standard_normal(n))
        c = do.get("C", 0.5 * a**2 + b + 0.2 * rng.standard_normal(n))
        return np.column_stack(np.broadcast_arrays(a, b, c)).astype(float)

    X = pd.DataFrame(scm_sample(n, rng), columns=["A", "B", "C"])
    graph = cx.CausalGraph(nodes=["A", "B", "C"], edges=[("A", "B"), ("A", "C"), ("B", "C")])
    f = lambda Z: np.tanh(np.asarray(Z)[:, 2]) + 0.5 * np.asarray(Z)[:, 1] * np.asarray(Z)[:, 0]  # noqa: E731
    ex = cx.CausalExplainer(f, graph, value="causal", sampler="mechanism", method="exact", n_samples=1000,
                            random_state=1).fit(X)
    x = X.to_numpy()[:4]
    exp = ex.explain(x)
    names = ["A", "B", "C"]
    big = np.random.default_rng(42)

    def v(S):
        out = []
        for row in x:
            do = {names[j]: row[j] for j in S}
            out.append(f(scm_sample(40000, big, do)).mean())
        return np.array(out)

    ref = _shapley(v, 3)
    # model-fit error of the per-node regressors dominates the Monte Carlo error here
    np.testing.assert_allclose(exp.values, ref, atol=0.06 + 4 * exp.stderr.max())
    np.testing.assert_allclose(exp.values.sum(1), exp.output - exp.base_values, atol=1e-8)
