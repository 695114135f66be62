"""Causal values on ADMGs from identified laws, against do() computed from the true SCM.

Every reference here comes from the structural coefficients of a linear-Gaussian SCM that
*includes its hidden variables* (never from the fitted sampler): under do(X_S = x_S),

    X_S̄ = M (B_S̄S x_S + Γ_S̄ H + ε_S̄),  M = (I − B_S̄S̄)⁻¹,

so E[X_S̄ | do] = M B_S̄S x_S and Cov = M (Γ_S̄ Γ_S̄ᵀ + D_S̄) Mᵀ. For f(x) = wᵀx + xᵀQx,
v(S) = f(m) + tr(Q Σ) exactly, and Shapley values follow from the definition by brute force.
"""

from __future__ import annotations

import itertools
import warnings

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import causalx as cx
from causalx.exceptions import CausalxWarning
from causalx.graph.identification import Identifier, NotIdentifiableError


class LinearSCM:
    """X = B X + Γ H + ε with hidden H ~ N(0, I), ε ~ N(0, diag(noise²)); B[j, i]: i → j."""

    def __init__(self, names, B, Gamma, noise):
        self.names = list(names)
        self.B, self.Gamma, self.noise = np.asarray(B, float), np.asarray(Gamma, float), np.asarray(noise, float)
        self.d = len(names)

    def sample(self, n, rng):
        h = rng.standard_normal((n, self.Gamma.shape[1]))
        e = rng.standard_normal((n, self.d)) * self.noise
        X = np.linalg.solve(np.eye(self.d) - self.B, (h @ self.Gamma.T + e).T).T
        return pd.DataFrame(X, columns=self.names)

    def do(self, mask, x):
        """Mean (d,) and covariance (d, d) of X under do(X_S = x_S), S = mask."""
        S, R = np.flatnonzero(mask), np.flatnonzero(~mask)
        mean = np.array(x, float).copy()
        cov = np.zeros((self.d, self.d))
        if R.size:
            M = np.linalg.inv(np.eye(R.size) - self.B[np.ix_(R, R)])
            mean[R] = M @ (self.B[np.ix_(R, S)] @ np.asarray(x, float)[S])
            G = self.Gamma[R]
            cov[np.ix_(R, R)] = M @ (G @ G.T + np.diag(self.noise[R] ** 2)) @ M.T
        return mean, cov


def value(scm, f, mask, x):
    w, Q = f
    m, c = scm.do(mask, x)
    return w @ m + m @ Q @ m + np.trace(Q @ c)


def shapley_brute(v, d, orderings=None):
    """φ from the definition: average over (allowed) orderings of marginal contributions."""
    orderings = list(itertools.permutations(range(d))) if orderings is None else orderings
    phi = np.zeros(d)
    cache = {}

    def val(S):
        key = tuple(sorted(S))
        if key not in cache:
            mask = np.zeros(d, bool)
            mask[list(key)] = True
            cache[key] = v(mask)
        return cache[key]

    for order in orderings:
        pre = []
        for i in order:
            phi[i] += val(pre + [i]) - val(pre)
            pre.append(i)
    return phi / len(orderings)


def _model(f, names):
    w, Q = f
    return lambda Z: Z @ w + np.einsum("ni,ij,nj->n", Z, Q, Z)


# ---------------------------------------------------------------------------------- graphs
def front_door():
    """H → X1, H → X3 hidden; X1 → X2 → X3 → X4; declared X1 ↔ X3 (the issue's example)."""
    names = ["X1", "X2", "X3", "X4"]
    B = np.zeros((4, 4))
    B[1, 0], B[2, 1], B[3, 2] = 0.9, 0.8, -0.7
    Gamma = np.array([[1.0], [0.0], [0.9], [0.0]])
    scm = LinearSCM(names, B, Gamma, [0.6, 0.5, 0.5, 0.5])
    graph = cx.CausalGraph(names, ["X1 -> X2", "X2 -> X3", "X3 -> X4"], confounded=["X1 <-> X3"])
    return scm, graph


def bow_free_two_confounders():
    """X1 → X2 → X3 → X5, X1 → X4 → X5 with hidden H1 → (X1, X3) and H2 → (X2, X4)."""
    names = ["X1", "X2", "X3", "X4", "X5"]
    B = np.zeros((5, 5))
    B[1, 0], B[2, 1], B[4, 2], B[3, 0], B[4, 3] = 0.8, -0.9, 0.6, 0.7, 0.5
    Gamma = np.zeros((5, 2))
    Gamma[0, 0], Gamma[2, 0], Gamma[1, 1], Gamma[3, 1] = 0.9, 0.8, 0.8, -0.9
    scm = LinearSCM(names, B, Gamma, [0.5, 0.5, 0.5, 0.5, 0.4])
    graph = cx.CausalGraph(names, ["X1 -> X2", "X2 -> X3", "X3 -> X5", "X1 -> X4", "X4 -> X5"],
                           confounded=["X1 <-> X3", "X2 <-> X4"])
    return scm, graph


def merged_path(slope=0.8):
    """X1 → X2 → X3 with X1 ↔ X3: the confounder merges a directed path into one component."""
    names = ["X1", "X2", "X3"]
    B = np.zeros((3, 3))
    B[1, 0], B[2, 1] = slope, 0.5
    Gamma = np.array([[1.0], [0.0], [1.0]])
    return LinearSCM(names, B, Gamma, [0.5, 0.6, 0.5]), cx.CausalGraph(
        names, ["X1 -> X2", "X2 -> X3"], confounded=["X1 <-> X3"])


def _fit(scm, graph, f, n=40_000, seed=0, **kw):
    X = scm.sample(n, np.random.default_rng(seed))
    ex = cx.CausalExplainer(_model(f, scm.names), graph, value="causal", sampler="gaussian", n_samples=4000,
                            random_state=seed, **kw).fit(X)
    return X, ex


def _check(exp, truth, rel=0.02):
    """Within 4 reported standard errors plus a floor for the fitted covariance (n rows): with
    antithetic draws and a linear model the Monte Carlo error is 0, and the floor is all there is."""
    err = np.abs(exp.values - truth)
    floor = rel * np.max(np.abs(truth))
    assert np.all(err <= 4 * exp.stderr + floor), (err.max(), exp.stderr.max(), floor)


# ---------------------------------------------------------------------------------- tests
def test_dropped_edge_example_gives_the_effect_back():
    """f = x2, slope 0.8 on X1 → X2, x = (2, 0, 0), zero means. v(S) = E[X2 | do(x_S)]:
    v(∅) = 0, v({1}) = v({1,3}) = 0.8·2 = 1.6, and v(S) = x2 = 0 whenever 2 ∈ S or S = {3}.
    Shapley weights (1/3 for |S| ∈ {0, 2}, 1/6 for |S| = 1): φ1 = 1.6/3 + 1.6/6 = 0.8,
    φ2 = −1.6/6 − 1.6/3 = −0.8, φ3 = 0. The chain semantics gives φ1 = 0 (the bug)."""
    scm, graph = merged_path(0.8)
    f = (np.array([0.0, 1.0, 0.0]), np.zeros((3, 3)))
    X, ex = _fit(scm, graph, f)
    x = pd.DataFrame([[2.0, 0.0, 0.0]], columns=scm.names)
    exp = ex.explain(x)
    want = np.array([[0.8, -0.8, 0.0]])
    np.testing.assert_allclose(want, [[shapley_brute(lambda m: value(scm, f, m, x.to_numpy()[0]), 3)][0]],
                               atol=1e-12)
    # the fitted means are not exactly 0: allow their sampling error (sd/sqrt(n) ~ 0.01)
    assert np.all(np.abs(exp.values - want) <= 4 * exp.stderr + 0.03)
    assert exp.provenance["causal_semantics"] == "identified"
    with pytest.warns(CausalxWarning, match="causal_semantics='chain'"):
        chain = cx.CausalExplainer(_model(f, scm.names), graph, value="causal", causal_semantics="chain",
                                   n_samples=4000, random_state=0).fit(X).explain(x)
    assert abs(chain.values[0, 0]) < 0.05  # the documented failure of the chain formula


@pytest.mark.parametrize("make", [front_door, bow_free_two_confounders, merged_path])
@pytest.mark.parametrize("kind", ["linear", "quadratic"])
def test_identified_values_match_true_do(make, kind):
    scm, graph = make()
    d = scm.d
    rng = np.random.default_rng(1)
    w = rng.normal(size=d)
    Q = np.zeros((d, d)) if kind == "linear" else np.diag(rng.uniform(0.3, 0.8, size=d))
    f = (w, Q)
    X, ex = _fit(scm, graph, f)
    rows = X.iloc[:4]
    exp = ex.explain(rows)
    truth = np.array([shapley_brute(lambda m, x=x: value(scm, f, m, x), d) for x in rows.to_numpy()])
    _check(exp, truth)
    np.testing.assert_allclose(exp.values.sum(1), exp.output - exp.base_values, atol=1e-8)


def test_front_door_chain_semantics_is_biased_identified_is_not():
    """The issue's measurement: Heskes' chain formula is off on the front-door graph."""
    scm, graph = front_door()
    f = (np.array([0.5, -1.0, 1.0, 0.8]), np.diag([0.5, 0.3, 0.6, 0.4]))
    X, ex = _fit(scm, graph, f)
    rows = X.iloc[:8]
    truth = np.array([shapley_brute(lambda m, x=x: value(scm, f, m, x), 4) for x in rows.to_numpy()])
    exp = ex.explain(rows)
    ident = exp.values
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CausalxWarning)
        chain = cx.CausalExplainer(_model(f, scm.names), graph, value="causal", causal_semantics="chain",
                                   n_samples=4000, random_state=0).fit(X).explain(rows).values
    scale = np.mean(np.abs(truth))
    # measured (40,000 rows, 4,000 draws): identified 3.2 % of mean |φ| with mean stderr 3.5 %;
    # chain 65 %. With 16,000 draws: 1.2 % (stderr 1.7 %) and 65 %: the chain error is bias.
    assert np.mean(np.abs(ident - truth)) <= 2 * np.mean(exp.stderr) + 0.01 * scale
    assert np.mean(np.abs(chain - truth)) / scale > 0.3


@pytest.mark.parametrize("make", [front_door, bow_free_two_confounders])
def test_asymmetric_identified_values_match_true_do(make):
    """Asymmetric: orderings consistent with the DAG's ancestor relation (Frye)."""
    scm, graph = make()
    d = scm.d
    f = (np.linspace(-1, 1, d), np.diag(np.linspace(0.2, 0.6, d)))
    X, ex = _fit(scm, graph, f, asymmetric=True)
    rows = X.iloc[:3]
    exp = ex.explain(rows)
    col = {n: j for j, n in enumerate(scm.names)}
    edges = [(col[a], col[b]) for a, b in graph.edges]
    allowed = [o for o in itertools.permutations(range(d))
               if all(o.index(a) < o.index(b) for a, b in edges)]
    truth = np.array([shapley_brute(lambda m, x=x: value(scm, f, m, x), d, allowed) for x in rows.to_numpy()])
    _check(exp, truth)


def test_direct_indirect_split_on_identified_values():
    scm, graph = front_door()
    f = (np.array([0.5, -1.0, 1.0, 0.8]), np.zeros((4, 4)))
    X, ex = _fit(scm, graph, f)
    exp = ex.explain(X.iloc[:3], decompose=True)
    np.testing.assert_allclose(exp.direct + exp.indirect, exp.values, atol=1e-10)
    # X1 has no direct path into f except its own weight: its direct part is w1 (x1 − E[x1]) only
    # when it comes first... check the defining property instead: a feature the model ignores
    # has no direct part
    f0 = (np.array([0.0, -1.0, 1.0, 0.8]), np.zeros((4, 4)))
    _, ex0 = _fit(scm, graph, f0)
    exp0 = ex0.explain(X.iloc[:3], decompose=True)
    np.testing.assert_allclose(exp0.direct[:, 0], 0.0, atol=1e-10)
    assert np.any(np.abs(exp0.indirect[:, 0]) > 0.05)


def test_bow_is_not_identified_and_chain_runs_with_a_warning():
    rng = np.random.default_rng(0)
    h = rng.standard_normal(2000)
    x = h + rng.standard_normal(2000)
    y = 0.5 * x + h + rng.standard_normal(2000)
    X = pd.DataFrame({"X": x, "Y": y})
    graph = cx.CausalGraph(["X", "Y"], ["X -> Y"], confounded=["X <-> Y"])
    f = lambda Z: Z[:, 1]  # noqa: E731
    with pytest.raises(NotIdentifiableError, match=r"do\(X\)\) is not identifiable.*X <-> Y"):
        cx.CausalExplainer(f, graph, value="causal").fit(X)
    with pytest.warns(CausalxWarning, match="chain"):
        exp = cx.CausalExplainer(f, graph, value="causal", causal_semantics="chain", n_samples=200).fit(X).explain(
            X.iloc[:2])
    assert exp.provenance["causal_semantics"] == "chain"


def test_provenance_counts_adjustments():
    scm, graph = front_door()
    f = (np.ones(4), np.zeros((4, 4)))
    X, ex = _fit(scm, graph, f, n=2000)
    prov = ex.explain(X.iloc[:2]).provenance
    assert prov["causal_semantics"] == "identified"
    assert sum(prov["adjustments"].values()) == 15  # 2**4 coalitions less the full one
    assert prov["adjustments"]["front-door"] > 0 and prov["adjustments"]["back-door"] > 0


def test_dag_without_confounding_equals_chain_path_exactly():
    """Without bidirected edges identified and chain semantics are the same draws (to rounding:
    the chain path takes the intervened columns' part of a Gaussian conditional mean once per
    explicand, the identified path per draw, so sums differ in their last bits)."""
    X, _, scm = cx.datasets.make_lg_chain(500, random_state=0)
    graph = scm.graph()
    graph = graph.replace(confounded=[])
    f = lambda Z: Z @ np.arange(1.0, 6.0) + 0.3 * Z[:, 0] * Z[:, 2]  # noqa: E731
    kw = dict(value="causal", n_samples=300, random_state=0)
    a = cx.CausalExplainer(f, graph, **kw).fit(X).explain(X.iloc[:3])
    b = cx.CausalExplainer(f, graph, causal_semantics="chain", **kw).fit(X).explain(X.iloc[:3])
    np.testing.assert_allclose(a.values, b.values, rtol=1e-12, atol=1e-13)


def test_asymmetric_order_on_the_condensed_example_is_frye():
    """X1 → X2 → X3 → X4 plus X1 ↔ X3: Frye's DAG order admits one ordering (was 12); marginal
    values then equal the single ordering's contributions exactly."""
    names = ["X1", "X2", "X3", "X4"]
    graph = cx.CausalGraph(names, ["X1 -> X2", "X2 -> X3", "X3 -> X4"], confounded=["X1 <-> X3"])
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(64, 4)), columns=names)
    f = lambda Z: Z[:, 0] * Z[:, 1] + Z[:, 2] ** 2 - Z[:, 3] * Z[:, 0]  # noqa: E731
    ex = cx.CausalExplainer(f, graph, value="marginal", asymmetric=True, n_samples=64).fit(X)
    assert ex.order_.n_linear_extensions() == 1
    x = X.iloc[:2]
    exp = ex.explain(x)
    bg = X.to_numpy()

    def v(mask, xr):
        rows = np.where(mask, xr, bg)
        return f(rows).mean()

    truth = np.array([shapley_brute(lambda m, xr=xr: v(m, xr), 4, [(0, 1, 2, 3)]) for xr in x.to_numpy()])
    np.testing.assert_allclose(exp.values, truth, atol=1e-12)


# ---------------------------------------------------------------------------------- identification
def _random_admg(rng, d):
    edges = [(i, j) for i in range(d) for j in range(i + 1, d) if rng.random() < 0.4]
    conf = [(i, j) for i in range(d) for j in range(i + 1, d) if rng.random() < 0.25]
    return edges, conf


def test_identifiability_agrees_with_y0():
    """Which joint laws P(V ∖ S | do(S)) are identified, against y0's ID algorithm."""
    y0 = pytest.importorskip("y0")
    from y0.algorithm.identify import Identification, Unidentifiable, identify
    from y0.dsl import P, Variable
    from y0.graph import NxMixedGraph

    rng = np.random.default_rng(3)
    checked = {"identified": 0, "not": 0}
    for _ in range(40):
        d = int(rng.integers(3, 6))
        edges, conf = _random_admg(rng, d)
        names = [f"V{j}" for j in range(d)]
        g = NxMixedGraph.from_str_edges(nodes=names, directed=[(names[a], names[b]) for a, b in edges],
                                        undirected=[(names[a], names[b]) for a, b in conf])
        ident = Identifier(d, edges, conf, list(range(d)), names=names)
        for bits in itertools.product([False, True], repeat=d):
            mask = np.array(bits)
            if mask.all() or not mask.any():
                continue
            S = [Variable(names[j]) for j in np.flatnonzero(mask)]
            Y = [Variable(names[j]) for j in np.flatnonzero(~mask)]
            try:
                identify(Identification.from_expression(graph=g, query=P[S](*Y)))
                truth = True
            except Unidentifiable:
                truth = False
            except nx.NetworkXError:  # y0 0.2 loses nodes left without directed edges by do()
                continue
            try:
                ident.identify(mask)
                ours = True
            except NotIdentifiableError as exc:
                ours = False
                if truth and "recursive step" in str(exc):  # identified, but not sampled yet
                    continue
            assert ours == truth, (edges, conf, bits)
            checked["identified" if truth else "not"] += 1
    assert checked["identified"] > 50 and checked["not"] > 20
    del y0


# ---------------------------------------------------------------------------------- nonlinear
def _nonlinear_front_door(n, rng, do=None):
    """H → X1, H → X3 hidden; X1 → X2 → X3 → X4 with sines, squares, tanh and Laplace noise."""
    do = do or {}
    h = rng.standard_normal(n)

    def node(name, value):
        return np.full(n, do[name]) if name in do else value

    x1 = node("X1", h + 0.5 * rng.standard_normal(n))
    x2 = node("X2", np.sin(1.5 * x1) + 0.5 * x1 + 0.4 * rng.laplace(size=n))
    x3 = node("X3", 0.6 * x2**2 - 0.5 * x2 + h + 0.4 * rng.standard_normal(n))
    x4 = node("X4", np.tanh(x3) + 0.3 * x3 + 0.3 * rng.laplace(size=n))
    return np.column_stack([x1, x2, x3, x4])


def test_mechanism_sampler_nonlinear_front_door_against_simulated_do():
    """Reference: v(S) = mean of f over 100,000 draws of the true SCM under do(X_S = x_S).

    Measured (10,000 rows, 8,000 draws, HistGradientBoosting(max_iter=100) mechanisms):
    identified 5.8 % of mean |φ| (mean stderr 2.2 %), chain semantics 17.6 %.
    """
    from sklearn.ensemble import HistGradientBoostingRegressor

    names = ["X1", "X2", "X3", "X4"]
    graph = cx.CausalGraph(names, ["X1 -> X2", "X2 -> X3", "X3 -> X4"], confounded=["X1 <-> X3"])

    def f(Z):
        return Z[:, 0] + np.sin(Z[:, 1]) + 0.5 * Z[:, 2] - 0.3 * Z[:, 2] * Z[:, 3]

    X = pd.DataFrame(_nonlinear_front_door(10_000, np.random.default_rng(0)), columns=names)
    rows = X.iloc[:6]

    def v(mask, x):
        do = {names[j]: x[j] for j in np.flatnonzero(mask)}
        return f(_nonlinear_front_door(100_000, np.random.default_rng(1), do)).mean()

    truth = np.array([shapley_brute(lambda m, x=x: v(m, x), 4) for x in rows.to_numpy()])
    from causalx.samplers import MechanismSampler

    sampler = MechanismSampler(regressor=HistGradientBoostingRegressor(max_iter=100), random_state=0)
    exp = cx.CausalExplainer(f, graph, value="causal", sampler=sampler, n_samples=8000,
                             random_state=0).fit(X).explain(rows)
    assert exp.provenance["causal_semantics"] == "identified"
    rel = np.mean(np.abs(exp.values - truth)) / np.mean(np.abs(truth))
    assert rel < 0.08, rel


def test_identified_values_do_not_depend_on_n_jobs():
    scm, graph = front_door()
    f = (np.array([0.5, -1.0, 1.0, 0.8]), np.diag([0.5, 0.3, 0.6, 0.4]))
    X = scm.sample(3000, np.random.default_rng(0))
    kw = dict(value="causal", n_samples=300, random_state=0)
    a = cx.CausalExplainer(_model(f, scm.names), graph, **kw).fit(X).explain(X.iloc[:6])
    b = cx.CausalExplainer(_model(f, scm.names), graph, n_jobs=2, **kw).fit(X).explain(X.iloc[:6])
    np.testing.assert_array_equal(a.values, b.values)


def test_explainers_of_one_graph_share_the_identified_laws():
    """Identifier.shared: one instance per graph digest and column order, so a bootstrap's replicate
    explainers reuse the laws; a different graph or order gets its own, and its laws are the same
    as a fresh identifier's."""
    from causalx.graph.identification import _SHARED, Identifier

    scm, graph = front_door()
    X = scm.sample(500, np.random.default_rng(0))
    f = (np.ones(scm.d), np.zeros((scm.d, scm.d)))
    a = cx.CausalExplainer(_model(f, scm.names), graph, value="causal", n_samples=8).fit(X)
    b = cx.CausalExplainer(_model(f, scm.names), graph, value="causal", n_samples=8, random_state=5).fit(X)
    assert a.identifier_ is b.identifier_ is Identifier.shared(graph)
    names = tuple(reversed(graph.nodes))
    other = Identifier.shared(graph, names)
    assert other is not a.identifier_ and other.names == names
    fresh = Identifier.from_graph(graph, names)
    for m in itertools.product([False, True], repeat=scm.d):
        got, want = other.identify(np.array(m)), fresh.identify(np.array(m))
        assert (got.draws, got.n_scopes, got.adjustment) == (want.draws, want.n_scopes, want.adjustment)
    for k in range(20):  # bounded: the least recently used go first
        Identifier.shared(graph.replace(name=f"g{k}"))
    assert len(_SHARED) == 16 and Identifier.shared(graph) is not a.identifier_
