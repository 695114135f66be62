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
