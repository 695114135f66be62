"""Graph falsification against data from known SCMs (independent oracle: the data-generating graph)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from causalx.datasets import make_linear_scm
from causalx.diagnostics import adjust_pvalues, falsify_graph, suspected_confounding
from causalx.exceptions import DataValidationError
from causalx.graph import CausalGraph

NODES = ["A", "B", "C", "D", "E"]
EDGES = {("A", "B"): 0.8, ("B", "C"): 0.7, ("A", "D"): 0.5, ("C", "E"): 0.6, ("D", "E"): 0.5}


def _scm():
    # hidden common cause of B and D (loading 0.6: a moderate confounder)
    return make_linear_scm(NODES, EDGES, confounders=[("B", "D", 0.6)])


def test_true_graph_survives_and_confounder_is_found_over_seeds():
    scm = _scm()
    true_ok, wrong_caught, pair_found = 0, 0, 0
    for seed in range(10):
        X = scm.sample(800, random_state=seed)
        true = falsify_graph(scm.graph(declare_confounding=True), X, alpha=0.01, n_permutations=0)
        wrong = falsify_graph(scm.graph(declare_confounding=False), X, alpha=0.01, n_permutations=0)
        found = suspected_confounding(scm.graph(declare_confounding=False), X, alpha=0.01)
        true_ok += not true.falsified
        wrong_caught += wrong.falsified
        pair_found += ("B", "D") in [s.pair for s in found]
    assert true_ok >= 9, true_ok
    assert wrong_caught >= 9, wrong_caught
    assert pair_found >= 9, pair_found


def test_greedy_explanation_reports_the_confounded_pair_first():
    scm = _scm()
    X = scm.sample(2000, random_state=0)
    found = suspected_confounding(scm.graph(declare_confounding=False), X)
    assert found[0].pair == ("B", "D")
    # the induced violation C ⊥ D | A... is explained by B <-> D and not reported again
    assert [s.pair for s in found] == [("B", "D")]
    assert found[0].strength > 0.2 and "B <-> D" in found[0].suggestion
    # strength is the sample partial correlation: check against a regression-residual oracle
    Z = X[list(found[0].given)].to_numpy()
    Z1 = np.column_stack([np.ones(len(X)), Z])
    rb = X["B"] - Z1 @ np.linalg.lstsq(Z1, X["B"], rcond=None)[0]
    rd = X["D"] - Z1 @ np.linalg.lstsq(Z1, X["D"], rcond=None)[0]
    assert found[0].strength == pytest.approx(np.corrcoef(rb, rd)[0, 1], abs=1e-10)


def test_fisher_z_p_value_matches_closed_form():
    scm = _scm()
    X = scm.sample(500, random_state=3)
    res = falsify_graph(scm.graph(), X, method="fisherz", correction="none", n_permutations=0)
    t = res.tests[0]
    from scipy import stats

    z = np.sqrt(500 - len(t.given) - 3) * np.arctanh(abs(t.partial_correlation))
    assert t.p_value == pytest.approx(2 * stats.norm.sf(z), rel=1e-9)
    assert t.p_adjusted == t.p_value


def test_result_objects_and_baseline():
    scm = _scm()
    X = scm.sample(1000, random_state=1)
    res = falsify_graph(scm.graph(declare_confounding=False), X, n_permutations=30, random_state=0)
    df = res.to_frame()
    assert list(df.columns[:7]) == ["x", "y", "given", "statistic", "p_value", "p_adjusted", "rejected"]
    assert len(df) == len(res.tests) == len(scm.graph(declare_confounding=False).implied_independencies())
    d = res.to_dict()
    assert d["falsified"] is True and d["n_rejected"] == res.n_rejected == len(res.rejected)
    b = res.baseline
    assert b.n_permutations == 30 and len(b.violation_fractions) == 30
    assert 0 < b.p_value <= 1 and b.p_value < 0.2  # the graph is far better than random relabellings
    assert "FALSIFIED" in str(res)
    again = falsify_graph(scm.graph(declare_confounding=False), X, n_permutations=30, random_state=0)
    assert again.baseline.violation_fractions == b.violation_fractions


def test_adjust_pvalues_against_statsmodels():
    from statsmodels.stats.multitest import multipletests

    p = np.random.default_rng(0).uniform(0, 0.1, size=12)
    for ours, theirs in (("holm", "holm"), ("bh", "fdr_bh"), ("bonferroni", "bonferroni")):
        np.testing.assert_allclose(adjust_pvalues(p, ours), multipletests(p, method=theirs)[1])


def test_nonlinear_test_detects_what_fisher_z_misses():
    rng = np.random.default_rng(0)
    n = 600
    A = rng.normal(size=n)
    B = A**2 + 0.3 * rng.normal(size=n)  # B depends on A, uncorrelated
    C = rng.normal(size=n)
    X = pd.DataFrame({"A": A, "B": B, "C": C})
    g = CausalGraph(["A", "B", "C"], [])  # claims all independent
    lin = falsify_graph(g, X, method="fisherz", n_permutations=0)
    nonlin = falsify_graph(g, X, method="regression", n_permutations=0)
    assert not any(t.rejected for t in lin.tests if {t.x, t.y} == {"A", "B"})
    assert any(t.rejected for t in nonlin.tests if {t.x, t.y} == {"A", "B"})
    assert not any(t.rejected for t in nonlin.tests if "C" in (t.x, t.y))


def test_kci_option_runs_with_row_cap():
    pytest.importorskip("causallearn")
    scm = make_linear_scm(["A", "B", "C"], {("A", "B"): 1.0, ("B", "C"): 1.0})
    res = falsify_graph(scm.graph(), scm.sample(2000, random_state=0), method="kci", max_n=200, n_permutations=0)
    assert res.tests[0].method == "kci" and not res.falsified


def test_discrete_columns_use_g_test():
    rng = np.random.default_rng(0)
    n = 3000
    A = rng.integers(0, 3, n)
    B = (A + rng.integers(0, 2, n)) % 3
    C = (B + (rng.random(n) < 0.2)) % 3
    X = pd.DataFrame({"A": A, "B": B, "C": C})
    res = falsify_graph(CausalGraph(["A", "B", "C"], ["A -> B", "B -> C"]), X, n_permutations=0)
    assert [t.method for t in res.tests] == ["gsq"] and not res.falsified
    # independent check: G statistic summed over strata of B, via scipy
    from scipy.stats import chi2_contingency

    G = sum(
        chi2_contingency(pd.crosstab(X.C[X.B == b], X.A[X.B == b]), correction=False,
                         lambda_="log-likelihood")[0]
        for b in range(3)
    )
    assert res.tests[0].statistic == pytest.approx(G, rel=1e-9)
    bad = falsify_graph(CausalGraph(["A", "B", "C"], ["B -> C"], confounded=[]), X, method="chi2", n_permutations=0)
    assert bad.falsified


def test_bad_input_messages():
    g = CausalGraph(["A", "B"], [])
    with pytest.raises(DataValidationError, match="lacks the feature column"):
        falsify_graph(g, pd.DataFrame({"A": np.zeros(20), "Bx": np.zeros(20)}))
    with pytest.raises(ValueError, match="correction='hom'.*Did you mean 'holm'"):
        falsify_graph(g, np.zeros((20, 2)), correction="hom")
    with pytest.raises(TypeError, match="CausalGraph"):
        falsify_graph("g.yaml", np.zeros((20, 2)))
