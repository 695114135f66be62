"""The default CI test for continuous data (GCM) against simulated (non)linear SCMs.

The oracle is the data-generating process: in each simulator we know whether x ⊥ y | z holds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from causalx._options import CI_METHODS, CI_TESTS
from causalx.diagnostics import falsify_graph
from causalx.diagnostics._citests import ci_test, gcm_residuals
from causalx.graph import CausalGraph

FORK = CausalGraph(["Z", "X", "Y"], ["Z -> X", "Z -> Y"])  # implies X ⊥ Y | Z


def _two_children(n, seed, effect=0.0):
    """Z ~ N(0,1); X = Z² + e1; Y = exp(Z/2) + effect·X + e2 (X ⊥ Y | Z iff effect == 0)."""
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=n)
    X = Z**2 + rng.normal(size=n)
    Y = np.exp(Z / 2) + effect * X + rng.normal(size=n)
    return pd.DataFrame({"Z": Z, "X": X, "Y": Y})


def test_gcm_is_registered_and_the_default_option_names():
    assert "gcm" in CI_TESTS and "gcm" in CI_METHODS and "fisherz" in CI_METHODS


def test_default_holds_level_on_two_nonlinear_children():
    X = _two_children(1000, seed=0)
    res = falsify_graph(FORK, X, alpha=0.01, n_permutations=0)
    (t,) = res.tests
    assert t.method == "gcm" and not t.rejected and not res.falsified
    # Fisher z misreads the nonlinear conditional independence as a violation (why gcm is the default)
    lin = falsify_graph(FORK, X, alpha=0.01, method="fisherz", n_permutations=0)
    assert lin.falsified and lin.tests[0].p_value < 1e-3


def test_default_rejects_a_real_nonlinear_dependence():
    res = falsify_graph(FORK, _two_children(1000, seed=0, effect=0.5), alpha=0.01, n_permutations=0)
    assert res.falsified and res.tests[0].method == "gcm" and res.tests[0].p_value < 1e-6


def test_gcm_level_over_seeds_heteroscedastic_and_two_parents():
    # X ⊥ Y | Z1, Z2 with nonlinear means and noise scale growing with |Z1|
    rej = 0
    for seed in range(40):
        rng = np.random.default_rng(seed)
        Z = rng.normal(size=(500, 2))
        sd = 0.5 + np.abs(Z[:, 0])
        D = np.column_stack([np.sin(Z[:, 0]) + Z[:, 1] ** 2 + sd * rng.normal(size=500),
                             np.exp(Z.sum(1) / 2) + sd * rng.laplace(size=500), Z])
        rej += ci_test(D, 0, 1, [2, 3], method="gcm")[1] <= 0.05
    assert rej <= 6, rej  # 40 tests at level 0.05: P(Binomial(40, 0.05) > 6) < 0.01


def test_gcm_without_conditioning_set_is_the_closed_form():
    rng = np.random.default_rng(3)
    a = rng.normal(size=400)
    b = 0.2 * a + rng.standard_t(5, size=400)
    r = (a - a.mean()) * (b - b.mean())
    T = np.sqrt(400) * r.mean() / r.std()
    stat, p, pc = ci_test(np.column_stack([a, b]), 0, 1, [], method="gcm")
    assert stat == pytest.approx(abs(T), rel=1e-10)
    assert p == pytest.approx(2 * stats.norm.sf(abs(T)), rel=1e-10)
    assert pc == pytest.approx(np.corrcoef(a, b)[0, 1], rel=1e-10)


def test_gcm_residuals_fit_smooth_means_and_discrete_columns():
    rng = np.random.default_rng(1)
    n = 2000
    z = rng.normal(size=n)
    g = rng.integers(0, 3, n).astype(float)  # a three-level column: level indicators, no splines
    noise = 0.1 * rng.normal(size=n)
    target = np.exp(z / 2) + 2.0 * (g == 2) + noise
    R = gcm_residuals(target[:, None], np.column_stack([z, g]))
    assert R.shape == (n, 1)
    assert np.std(R) < 0.12  # only the noise is left (sd 0.1)
    # a binary conditioning variable and a constant column do not break the test
    D = np.column_stack([rng.normal(size=n), rng.normal(size=n), g, np.ones(n)])
    assert ci_test(D, 0, 1, [2, 3], method="gcm")[1] > 0.01


def test_result_reports_the_test_used():
    res = falsify_graph(FORK, _two_children(300, seed=1), n_permutations=0)
    d = res.to_dict()
    assert d["method"] == "auto" and d["methods_used"] == ["gcm"]
    assert d["implied_independencies"][0]["method"] == "gcm"
    assert "(auto: gcm test" in str(res)
    fz = falsify_graph(FORK, _two_children(300, seed=1), method="fisherz", n_permutations=0)
    assert fz.methods_used == ("fisherz",) and "(fisherz test" in str(fz)


# ------------------------------------------------------------------------------ mixed and discrete data
def _category_effect(n, seed, effect):
    """Z ~ N(0,1); S a 3-level category drawn from Z; Y = Z + effect·g(S) + e with g = (+1, -2, +1):
    a non-monotone effect whose linear trend in the codes is ~zero. S ⊥ Y | Z iff effect == 0."""
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=n)
    S = np.clip(np.round(Z / 2 + rng.normal(size=n)), -1, 1) + 1  # codes 0, 1, 2
    Y = Z + effect * np.array([1.0, -2.0, 1.0])[S.astype(int)] + rng.normal(size=n)
    return np.column_stack([S, Y, Z])


def test_multivariate_gcm_reduces_to_the_scalar_gcm_for_two_levels():
    # one indicator is an affine function of a binary code: the Wald statistic is the square of the
    # scalar GCM's t statistic (both with the population variance of the residual products)
    rng = np.random.default_rng(0)
    Z = rng.normal(size=500)
    B = (Z + rng.normal(size=500) > 0).astype(float)
    Y = Z + 0.2 * B + rng.normal(size=500)
    D = np.column_stack([B, Y, Z])
    t, p, _ = ci_test(D, 0, 1, [2], method="gcm")
    w, pw, _ = ci_test(D, 0, 1, [2], method="gcm", categorical=[0])
    assert w == pytest.approx(t**2, rel=1e-9) and pw == pytest.approx(p, rel=1e-7)


def test_categorical_gcm_sees_a_non_monotone_category_effect():
    D = _category_effect(1500, 0, effect=0.5)
    assert ci_test(D, 0, 1, [2], method="gcm")[1] > 0.01  # the codes read as numbers miss it
    stat, p, _ = ci_test(D, 0, 1, [2], method="gcm", categorical=[0])
    assert p < 1e-6


def test_categorical_gcm_holds_its_level():
    # under the null the Wald statistic is chi-square with 2 degrees of freedom: rejections at 5 %
    # over 200 data sets are Binomial(200, 0.05) (99.9 % range 2-21)
    p = np.array([ci_test(_category_effect(400, s, 0.0), 0, 1, [2], method="gcm", categorical=[0])[1]
                  for s in range(200)])
    assert 2 <= np.sum(p < 0.05) <= 21
    assert stats.kstest(p, "uniform").pvalue > 0.001


def test_categorical_conditioning_column_enters_as_indicators():
    # Y depends on the category non-monotonically; X too: X ⊥ Y | S holds, and only indicators of S
    # (not a spline of its codes) remove the dependence when S has many levels
    rng = np.random.default_rng(1)
    S = rng.integers(0, 30, size=3000).astype(float)
    g = rng.normal(size=30) * 2
    X = g[S.astype(int)] + rng.normal(size=3000)
    Y = g[S.astype(int)] + rng.normal(size=3000)
    D = np.column_stack([X, Y, S])
    assert ci_test(D, 0, 1, [2], method="gcm", categorical=[2])[1] > 0.01
    assert ci_test(D, 0, 1, [2], method="gcm")[1] < 1e-6  # 30 levels > knots + 2 = 14: the codes get a spline


def test_auto_picks_tests_from_inferred_node_types():
    rng = np.random.default_rng(0)
    n = 800
    Z = rng.normal(size=n)
    S = np.array(["a", "b", "c"])[(np.clip(np.round(Z / 2 + rng.normal(size=n)), -1, 1) + 1).astype(int)]
    Y = Z + 0.5 * (pd.Series(S).map({"a": 1.0, "b": -2.0, "c": 1.0}).to_numpy()) + rng.normal(size=n)
    frame = pd.DataFrame({"Z": Z, "S": S, "Y": Y})
    g = CausalGraph(["Z", "S", "Y"], ["Z -> S", "Z -> Y"])  # implies S ⊥ Y | Z, false here
    (t,) = falsify_graph(g, frame, n_permutations=0).tests
    assert t.method == "gcm" and t.rejected  # the text column is categorical: GCM with indicators
    # all-discrete sets get the stratified G-test
    B = (Z > 0).astype(int)
    A = np.where(rng.random(n) < 0.8, B, 1 - B)
    C = np.where(rng.random(n) < 0.8, B, 1 - B)
    frame = pd.DataFrame({"A": A.astype(bool), "B": np.array(["lo", "hi"])[B], "C": C})
    g = CausalGraph(["A", "B", "C"], ["B -> A", "B -> C"])
    (t,) = falsify_graph(g, frame, n_permutations=0).tests
    assert t.method == "gsq" and not t.rejected
    # the G statistic from its definition, summed over the strata of B
    G = 0.0
    for b in (0, 1):
        tab = pd.crosstab(A[B == b], C[B == b]).to_numpy().astype(float)
        exp = tab.sum(1, keepdims=True) * tab.sum(0, keepdims=True) / tab.sum()
        G += 2 * np.sum(tab * np.log(tab / exp))
    assert t.statistic == pytest.approx(G, rel=1e-10)


def test_pc_test_follows_the_node_types():
    from causalx.diagnostics.discovery import MIXED_TEST, pick_discovery_test, suggest_edges

    rng = np.random.default_rng(0)
    cont = rng.normal(size=(200, 2))
    disc = rng.integers(0, 3, size=(200, 2)).astype(float)
    assert pick_discovery_test(cont, ["continuous", None])[0] == "fisherz"
    assert pick_discovery_test(disc, ["categorical", None])[0] == "gsq"
    name, opts = pick_discovery_test(np.column_stack([cont, disc]), [None, None, "categorical", None])
    assert name == MIXED_TEST and opts["categorical"] == [2] and opts["discrete"].tolist() == [False, False, True, True]
    # a category with a non-monotone effect: PC with Fisher z on the codes misses the adjacency,
    # the test picked from the types keeps it
    D = _category_effect(1500, 0, effect=1.0)
    frame = pd.DataFrame({"S": np.array(["a", "b", "c"])[D[:, 0].astype(int)], "Y": D[:, 1], "Z": D[:, 2]})
    g = CausalGraph(["S", "Y", "Z"], ["Z -> S", "Z -> Y"])
    auto = {(s.a, s.b) for s in suggest_edges(g, frame)}
    assert ("S", "Y") in auto
    codes = frame.assign(S=D[:, 0])
    assert ("S", "Y") not in {(s.a, s.b) for s in suggest_edges(g, codes, indep_test="fisherz")}


# ---------------------------------------------------------------- the cached GCM basis
def _mixed_table(n=3000, seed=5):
    rng = np.random.default_rng(seed)
    D = rng.normal(size=(n, 8))
    D[:, 1] += np.sin(D[:, 0])
    D[:, 5] = rng.integers(0, 4, n)  # unordered categories (codes)
    D[:, 6] = rng.integers(0, 3, n)  # a few-level number
    D[:, 7] = np.round(D[:, 7])  # a rounded continuous column
    D[:, 3] = 0.0  # a constant column
    return D


@pytest.mark.parametrize("given", [[], [2], [2, 3, 4], [2, 5, 6, 7], [7, 6, 5, 4, 3, 2]])
def test_gcm_basis_residuals_equal_the_direct_ones(given):
    from causalx.diagnostics._citests import GCMBasis, gcm_residuals

    D = _mixed_table()
    cat = {5}
    basis = GCMBasis(D, cat)
    zcat = np.array([g in cat for g in given], dtype=bool)
    for targets in ([0, 1], [1]):
        direct = gcm_residuals(D[:, targets], D[:, given], categorical=zcat)
        cached = basis.residuals(D[:, targets], given)
        np.testing.assert_allclose(cached, direct, rtol=0, atol=1e-10)


def test_gcm_basis_gives_the_same_tests_and_refuses_another_array():
    from causalx.diagnostics._citests import GCMBasis

    D = _mixed_table(seed=6)
    basis = GCMBasis(D, {5})
    for x, y, given in [(0, 1, [2]), (0, 5, [2, 4, 6]), (2, 4, [0, 1, 5, 7]), (5, 6, [0])]:
        a = ci_test(D, x, y, given, method="gcm", categorical=[5])
        b = ci_test(D, x, y, given, method="gcm", categorical=[5], basis=basis)
        np.testing.assert_allclose(b, a, rtol=1e-9, atol=1e-12)
    with pytest.raises(ValueError, match="basis was built for data of shape"):
        ci_test(D[:100], 0, 1, [2], method="gcm", categorical=[5], basis=basis)
    with pytest.raises(ValueError, match="categorical columns"):
        ci_test(D, 0, 1, [2], method="gcm", basis=basis)
