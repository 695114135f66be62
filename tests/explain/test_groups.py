"""Group Shapley values: the explainer against brute force over the groups and closed forms.

Players: A = {a1, a2}, B = {b1, b2}, c, d. Marginal values are compared exactly with the
definition (all background rows, every subset of groups); conditional and causal values of a
linear model on a linear-Gaussian SCM with the closed-form v(S) of the fitted Gaussian (within
Monte Carlo error); every explanation must be efficient.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

import causalx as cx
from causalx.datasets import make_linear_scm
from causalx.exceptions import CyclicGraphError

NODES = ["a1", "a2", "b1", "b2", "c", "d"]
GROUPS = {"A": ["a1", "a2"], "B": ["b1", "b2"]}
EDGES = {("a1", "a2"): 0.8, ("a1", "b1"): 0.7, ("a2", "b2"): -0.6, ("b1", "c"): 0.9, ("b2", "c"): 0.5,
         ("d", "c"): -0.7}
COLS = {"A": [0, 1], "B": [2, 3], "c": [4], "d": [5]}
PLAYERS = ("A", "B", "c", "d")
W = np.array([1.0, -0.5, 0.8, 1.2, -1.0, 0.6])


@pytest.fixture(scope="module")
def data():
    scm = make_linear_scm(NODES, EDGES, noise_std=[1.0, 0.6, 0.6, 0.6, 0.5, 1.0])
    X = scm.sample(3000, random_state=0)
    graph = cx.CausalGraph(NODES, [f"{a} -> {b}" for a, b in EDGES], groups=GROUPS)
    return X, graph


def linear(Z):
    return np.asarray(Z) @ W + 0.3


def nonlinear(Z):
    Z = np.asarray(Z)
    return Z[:, 0] * Z[:, 3] + np.sin(Z[:, 4]) * Z[:, 5] + Z[:, 1] ** 2 - Z[:, 2]


# ---------------------------------------------------------------------------------- oracles
def shapley_from_definition(v, players=PLAYERS, order=None):
    """Symmetric Shapley values over ``players`` from ``v(frozenset) -> (n,)``; with ``order`` (a
    list of precedence pairs) the average over the consistent orderings (asymmetric)."""
    p = len(players)
    if order is None:
        out = []
        for i in players:
            rest = [q for q in players if q != i]
            phi = 0.0
            for k in range(p):
                for S in itertools.combinations(rest, k):
                    w = math.factorial(k) * math.factorial(p - k - 1) / math.factorial(p)
                    phi = phi + w * (v(frozenset(S) | {i}) - v(frozenset(S)))
            out.append(phi)
        return np.stack(out, axis=1)
    perms = [pi for pi in itertools.permutations(players)
             if all(pi.index(a) < pi.index(b) for a, b in order)]
    phi = {i: 0.0 for i in players}
    for pi in perms:
        for k, i in enumerate(pi):
            phi[i] = phi[i] + (v(frozenset(pi[: k + 1])) - v(frozenset(pi[:k]))) / len(perms)
    return np.stack([phi[i] for i in players], axis=1)


def columns(S):
    return sorted(c for g in S for c in COLS[g])


def conditional_means(x, S, mu, cov):
    """E[X | X_S = x_S] of the Gaussian (mu, cov), rows of x: (n, d)."""
    s = columns(S)
    r = [j for j in range(len(mu)) if j not in s]
    m = np.tile(mu, (x.shape[0], 1))
    m[:, s] = x[:, s]
    if s and r:
        m[:, r] = mu[r] + (x[:, s] - mu[s]) @ np.linalg.solve(cov[np.ix_(s, s)], cov[np.ix_(s, r)])
    return m


def interventional_means(x, S, mu, cov, parents, topo):
    """E[X | do(X_S = x_S)] of the truncated factorisation whose factors are the fitted Gaussian's
    P(X_v | X_pa(v)) (linear in the parents, so the means propagate); ``topo``: columns in a
    topological order."""
    s = set(columns(S))
    m = np.zeros_like(x, dtype=float)
    for v in topo:
        if v in s:
            m[:, v] = x[:, v]
            continue
        pa = parents[v]
        m[:, v] = mu[v]
        if pa:
            beta = np.linalg.solve(cov[np.ix_(pa, pa)], cov[pa, v])
            m[:, v] = mu[v] + (m[:, pa] - mu[pa]) @ beta
    return m


def parents_of(graph):
    idx = {n: j for j, n in enumerate(NODES)}
    return [[idx[p] for p in graph.parents(n)] for n in NODES]


def check_efficiency(exp):
    np.testing.assert_allclose(exp.values.sum(1), exp.output - exp.base_values, atol=1e-9)


def within_mc(est, stderr, truth, slack=0.01):
    z = np.abs(est - truth) - (4 * stderr + slack)
    assert (z <= 0).all(), f"max excess {z.max():.4f}: est {est}, truth {truth}"


# ---------------------------------------------------------------------------------- marginal: exact
def test_marginal_group_values_equal_brute_force(data):
    X, graph = data
    bg, rows = X.iloc[:80], X.iloc[100:104].to_numpy()
    ex = cx.CausalExplainer(nonlinear, graph, value="marginal", method="exact", n_samples=1000).fit(bg)
    exp = ex.explain(rows)
    assert exp.feature_names == PLAYERS
    assert exp.provenance["groups"] == {"A": ["a1", "a2"], "B": ["b1", "b2"]}
    assert exp.provenance["n_coalitions"] == 2**4
    B = bg.to_numpy()

    def v(S):
        s = columns(S)
        hybrid = np.repeat(B[None], rows.shape[0], axis=0)
        hybrid[:, :, s] = rows[:, None, s]
        return nonlinear(hybrid.reshape(-1, 6)).reshape(rows.shape[0], -1).mean(1)

    np.testing.assert_allclose(exp.values, shapley_from_definition(v), atol=1e-10)
    check_efficiency(exp)
    # the singleton players carry their data, the groups NaN
    assert np.isnan(exp.data[:, :2]).all()
    np.testing.assert_array_equal(exp.data[:, 2:], rows[:, 4:])
    assert ex.algorithm_ == "blackbox"


@pytest.mark.filterwarnings("ignore:The kernel estimator stopped")
def test_marginal_asymmetric_and_sampling_estimators(data):
    X, graph = data
    bg, rows = X.iloc[:60], X.iloc[100:103].to_numpy()
    B = bg.to_numpy()

    def v(S):
        s = columns(S)
        hybrid = np.repeat(B[None], rows.shape[0], axis=0)
        hybrid[:, :, s] = rows[:, None, s]
        return nonlinear(hybrid.reshape(-1, 6)).reshape(rows.shape[0], -1).mean(1)

    # asymmetric: the group order is the condensation A -> B -> c <- d of the feature graph
    ex = cx.CausalExplainer(nonlinear, graph, value="marginal", asymmetric=True, method="exact",
                            n_samples=1000).fit(bg)
    exp = ex.explain(rows)
    truth = shapley_from_definition(v, order=[("A", "B"), ("B", "c"), ("A", "c"), ("d", "c")])
    np.testing.assert_allclose(exp.values, truth, atol=1e-10)
    check_efficiency(exp)
    assert ex.order_.n_linear_extensions() == 3  # A B d c, A d B c, d A B c

    exact = shapley_from_definition(v)
    for method in ("permutation", "kernel"):
        ex = cx.CausalExplainer(nonlinear, graph, value="marginal", method=method, n_samples=1000,
                                tol=0.002, random_state=1).fit(bg)
        exp = ex.explain(rows)
        assert exp.provenance["method"] == method
        check_efficiency(exp)
        within_mc(exp.values, exp.stderr, exact, slack=1e-6)


# ---------------------------------------------------------------------------------- causal / conditional
def test_conditional_group_values_match_the_gaussian_closed_form(data):
    X, graph = data
    rows = X.iloc[:4].to_numpy()
    ex = cx.CausalExplainer(linear, graph, value="conditional", n_samples=2000).fit(X)
    exp = ex.explain(rows)
    mu, cov = ex.sampler_.mean_, ex.sampler_.covariance_
    truth = shapley_from_definition(lambda S: conditional_means(rows, S, mu, cov) @ W + 0.3)
    within_mc(exp.values, exp.stderr, truth)
    check_efficiency(exp)


def test_causal_group_values_and_their_split_match_the_closed_form(data):
    X, graph = data
    rows = X.iloc[:4].to_numpy()
    ex = cx.CausalExplainer(linear, graph, value="causal", n_samples=2000).fit(X)
    exp = ex.explain(rows, decompose=True)
    assert ex.causal_semantics_ == "identified"
    mu, cov, pa = ex.sampler_.mean_, ex.sampler_.covariance_, parents_of(graph)
    topo = [NODES.index(n) for n in graph.topological_order()]
    assert topo != list(range(6))  # d -> c: node order is not causal order
    m = lambda S: interventional_means(rows, S, mu, cov, pa, topo)  # noqa: E731
    truth = shapley_from_definition(lambda S: m(S) @ W + 0.3)
    within_mc(exp.values, exp.stderr, truth)
    check_efficiency(exp)
    np.testing.assert_allclose(exp.direct + exp.indirect, exp.values, atol=1e-9)
    # direct part: Σ_S w(S) [u(S, i) − v(S)] with u − v(S) = w_G · (x_G − E[X_G | do(x_S)])
    p = len(PLAYERS)
    direct = np.zeros_like(truth)
    for k, i in enumerate(PLAYERS):
        rest = [q for q in PLAYERS if q != i]
        for size in range(p):
            for S in itertools.combinations(rest, size):
                w = math.factorial(size) * math.factorial(p - size - 1) / math.factorial(p)
                c = COLS[i]
                direct[:, k] += w * ((rows[:, c] - m(frozenset(S))[:, c]) @ W[c])
    within_mc(exp.direct, exp.direct_stderr, direct)
    # c is a sink of the group graph: it has no effect through another player
    np.testing.assert_allclose(exp.indirect[:, 2], 0.0, atol=1e-9)

    # asymmetric causal values: the same closed form averaged over the consistent orderings
    ex = cx.CausalExplainer(linear, graph, value="causal", asymmetric=True, n_samples=2000).fit(X)
    exp = ex.explain(rows)
    truth = shapley_from_definition(lambda S: m(S) @ W + 0.3,
                                    order=[("A", "B"), ("B", "c"), ("A", "c"), ("d", "c")])
    within_mc(exp.values, exp.stderr, truth)
    check_efficiency(exp)


def test_chain_semantics_with_components_over_groups(data):
    X, _ = data
    graph = cx.CausalGraph(NODES, components=[["A", "d"], ["B"], ["c"]], groups=GROUPS)
    rows = X.iloc[:3].to_numpy()
    ex = cx.CausalExplainer(linear, graph, value="causal", n_samples=2000).fit(X)
    exp = ex.explain(rows)
    assert ex.causal_semantics_ == "chain"
    mu, cov = ex.sampler_.mean_, ex.sampler_.covariance_
    comps = [[0, 1, 5], [2, 3], [4]]

    def v(S):  # Heskes et al.: per component, the absent members given its parents and present members
        s = set(columns(S))
        m = np.zeros_like(rows, dtype=float)
        earlier: list[int] = []
        for comp in comps:
            present = [j for j in comp if j in s]
            absent = [j for j in comp if j not in s]
            m[:, present] = rows[:, present]
            given = sorted(earlier + present)
            m[:, absent] = mu[absent]
            if absent and given:
                beta = np.linalg.solve(cov[np.ix_(given, given)], cov[np.ix_(given, absent)])
                m[:, absent] = mu[absent] + (m[:, given] - mu[given]) @ beta
            earlier += comp
        return m @ W + 0.3

    within_mc(exp.values, exp.stderr, shapley_from_definition(v))
    check_efficiency(exp)
    # asymmetric over the components: A and d first (free), then B, then c
    ex = cx.CausalExplainer(linear, graph, value="causal", asymmetric=True, n_samples=2000).fit(X)
    assert ex.order_.layers == ((0, 3), (1,), (2,))
    exp = ex.explain(rows)
    order = [("A", "B"), ("d", "B"), ("A", "c"), ("d", "c"), ("B", "c")]
    within_mc(exp.values, exp.stderr, shapley_from_definition(v, order=order))


# ---------------------------------------------------------------------------------- refusals
def test_tree_path_is_refused_for_groups(data):
    from sklearn.tree import DecisionTreeRegressor

    X, graph = data
    tree = DecisionTreeRegressor(max_depth=3, random_state=0).fit(X.to_numpy(), nonlinear(X.to_numpy()))
    with pytest.raises(ValueError, match=r"algorithm='tree' is not available: the graph declares groups"):
        cx.CausalExplainer(tree, graph, value="marginal", algorithm="tree").fit(X.iloc[:50])
    ex = cx.CausalExplainer(tree, graph, value="marginal").fit(X.iloc[:50])
    assert ex.algorithm_ == "blackbox"
    assert ex.explain(X.iloc[:2]).feature_names == PLAYERS


def test_cyclic_group_order_is_refused_for_asymmetric_values(data):
    X, _ = data
    graph = cx.CausalGraph(NODES, ["a1 -> b1", "b2 -> a2"], groups=GROUPS)
    with pytest.raises(CyclicGraphError, match=r"between groups has a cycle"):
        cx.CausalExplainer(linear, graph, value="marginal", asymmetric=True).fit(X.iloc[:50])
    # symmetric values do not need the group order
    exp = cx.CausalExplainer(linear, graph, value="marginal").fit(X.iloc[:50]).explain(X.iloc[:2])
    check_efficiency(exp)


def test_dataframe_rows_and_yaml_graph(tmp_path, data):
    X, graph = data
    path = tmp_path / "g.yaml"
    cx.dump_graph(graph, path)
    exp = cx.CausalExplainer(linear, path, value="marginal", n_samples=50).fit(X).explain(pd.DataFrame(X.iloc[:2]))
    assert exp.feature_names == PLAYERS and exp.values.shape == (2, 4)
    check_efficiency(exp)


# ---------------------------------------------------------------------------------- Owen values
def owen_from_definition(v, groups, d):
    """Owen values from orderings with contiguous groups (all of them), ``v(frozenset of columns)``."""
    phi = 0.0
    count = 0
    for gperm in itertools.permutations(range(len(groups))):
        for inner in itertools.product(*[itertools.permutations(groups[g]) for g in gperm]):
            pi = [j for block in inner for j in block]
            contrib = np.zeros((v(frozenset()).shape[0], d))
            for k, j in enumerate(pi):
                contrib[:, j] = v(frozenset(pi[: k + 1])) - v(frozenset(pi[:k]))
            phi = phi + contrib
            count += 1
    return phi / count


def test_owen_values_from_the_definition_and_their_group_sums(data):
    X, graph = data
    bg, rows = X.iloc[:40], X.iloc[100:103].to_numpy()
    B = bg.to_numpy()

    def v(cols):
        s = sorted(cols)
        hybrid = np.repeat(B[None], rows.shape[0], axis=0)
        hybrid[:, :, s] = rows[:, None, s]
        return nonlinear(hybrid.reshape(-1, 6)).reshape(rows.shape[0], -1).mean(1)

    ex = cx.CausalExplainer(nonlinear, graph, value="marginal", n_samples=1000).fit(bg)
    owen = cx.explain.owen_values(ex, rows)
    assert owen.feature_names == tuple(NODES) and owen.provenance["owen"] is True
    truth = owen_from_definition(v, [COLS[p] for p in PLAYERS], 6)
    np.testing.assert_allclose(owen.values, truth, atol=1e-10)
    check_efficiency(owen)
    # a group's Owen values sum to its Shapley value between the groups
    groups = ex.explain(rows)
    for k, p in enumerate(PLAYERS):
        np.testing.assert_allclose(owen.values[:, COLS[p]].sum(1), groups.values[:, k], atol=1e-10)
    # sampled orderings with contiguous groups: close to the exact values
    sampled = cx.explain.owen_values(ex, rows, method="permutation", n_permutations=400)
    assert sampled.provenance["method"] == "permutation"
    check_efficiency(sampled)
    within_mc(sampled.values, sampled.stderr, truth, slack=1e-6)
    with pytest.raises(ValueError, match="owen_values needs a graph with groups"):
        cx.explain.owen_values(cx.CausalExplainer(nonlinear, cx.CausalGraph(NODES), value="marginal").fit(bg), rows)
