"""Ground-truth claims of the case-study simulators (issue 8).

Solar cell: plain SHAP ranks the no-effect humidity above annealing and gives annealing the
wrong sign; asymmetric causal Shapley values over the declared graph fix both; the hidden
chamber contamination is flagged by the diagnostics and they go quiet without it.
Dielectric crystal: ion mass has zero causal effect; plain SHAP credits it, causal values move
the credit to the period.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.ensemble import RandomForestRegressor

import causalx as cx
from causalx.datasets import make_dielectric_crystal, make_solar_cell
from causalx.diagnostics import falsify_graph, suspected_confounding

N_EXPLAIN = 16


def _effect_per_sd(exp, X, feature):
    """Global attribution: slope of phi_i on the standardised feature, with its standard error."""
    j = exp.feature_names.index(feature)
    x = (exp.data[:, j] - X[feature].mean()) / X[feature].std()
    phi = exp.values[:, j]
    slope, icpt = np.polyfit(x, phi, 1)
    resid = phi - (slope * x + icpt)
    sxx = np.sum((x - x.mean()) ** 2)
    se_reg = np.sqrt(np.sum(resid**2) / (len(x) - 2) / sxx)
    se_mc = np.sqrt(np.mean(exp.stderr[:, j] ** 2) / sxx)
    return float(slope), float(np.hypot(se_reg, se_mc))


def _importance(exp, feature):
    return float(np.abs(exp.values[:, exp.feature_names.index(feature)]).mean())


def _explain(model, graph, X, **kw):
    return cx.CausalExplainer(model, graph, n_samples=200, random_state=0, **kw).fit(X).explain(X.iloc[:N_EXPLAIN])


@pytest.fixture(scope="module")
def solar():
    X, y, truth = make_solar_cell(1500, random_state=0)
    model = RandomForestRegressor(120, max_features=0.33, min_samples_leaf=5, n_jobs=2, random_state=0).fit(X, y)
    plain = _explain(model, truth.declared_graph, X, value="marginal")
    causal = _explain(model, truth.declared_graph, X, value="causal", asymmetric=True)
    return X, y, truth, plain, causal


@pytest.fixture(scope="module")
def crystal():
    X, y, truth = make_dielectric_crystal(1500, random_state=0)
    model = RandomForestRegressor(120, max_features=0.33, min_samples_leaf=3, n_jobs=2, random_state=0).fit(X, y)
    plain = _explain(model, truth.graph, X, value="marginal")
    causal = _explain(model, truth.graph, X, value="causal", asymmetric=True)
    return X, y, truth, plain, causal


# ------------------------------------------------------------------------------ solar cell
def test_solar_truth():
    X, y, truth = make_solar_cell(300, random_state=1)
    assert list(X.columns) == list(truth.graph.nodes)
    assert truth.total_effects["humidity"] == 0.0
    assert truth.total_effects["anneal_time"] > 0 > truth.direct_effects["anneal_time"]
    assert "contamination" not in X.columns and truth.hidden_confounder == "contamination"
    assert ("growth_temp", "log_lifetime") in truth.graph.confounded
    assert not truth.declared_graph.confounded
    _, _, quiet = make_solar_cell(300, confounded=False, random_state=1)
    assert quiet.hidden_confounder is None and not quiet.graph.confounded
    X2, _ = truth.simulate(200, do={"humidity": 90.0}, random_state=0)
    assert np.allclose(X2["humidity"], 90.0)


def test_solar_plain_shap_misleads(solar):
    X, _, truth, plain, _ = solar
    assert _importance(plain, "humidity") > _importance(plain, "anneal_time")
    slope, se = _effect_per_sd(plain, X, "anneal_time")
    assert slope + 2 * se < 0 < truth.total_effects["anneal_time"]  # wrong sign


def test_solar_causal_values_fix_humidity_and_anneal(solar):
    X, _, truth, plain, causal = solar
    slope_h, se_h = _effect_per_sd(causal, X, "humidity")
    assert abs(slope_h) <= 2 * se_h + 0.01  # within its uncertainty of zero
    assert _importance(causal, "humidity") < 0.2 * _importance(plain, "humidity")
    slope_a, se_a = _effect_per_sd(causal, X, "anneal_time")
    assert slope_a - 2 * se_a > 0  # the sign of the true total effect
    assert _importance(causal, "anneal_time") > 5 * _importance(causal, "humidity")
    assert np.allclose(causal.values.sum(1), causal.output - causal.base_values)


@pytest.mark.parametrize("seed", [0, 1])
def test_solar_diagnostics_flag_hidden_confounder(seed):
    X, _, truth = make_solar_cell(1500, random_state=seed)
    found = suspected_confounding(truth.declared_graph, X)
    hit = {frozenset(p) for p in truth.confounded_pairs}
    assert found and any(frozenset(s.pair) in hit for s in found)
    assert falsify_graph(truth.declared_graph, X, n_permutations=0).falsified
    X0, _, quiet = make_solar_cell(1500, confounded=False, random_state=seed)
    assert suspected_confounding(quiet.declared_graph, X0) == ()
    assert not falsify_graph(quiet.declared_graph, X0, n_permutations=0).falsified


# ------------------------------------------------------------------------------ dielectric crystal
def test_crystal_truth():
    X, y, truth = make_dielectric_crystal(500, random_state=2)
    assert truth.total_effects["ion_mass"] == 0.0 and truth.total_effects["period"] > 0
    assert X["ion_mass"].corr(X["polarizability"]) > 0.5
    # exact zero effect: intervening on the mass leaves eps_0 unchanged, row by row
    X1, y1 = truth.simulate(300, random_state=3)
    _, y2 = truth.simulate(300, do={"ion_mass": X1["ion_mass"] * 3.0}, random_state=3)
    assert np.array_equal(y1, y2)
    eps_inf = truth.hidden["eps_electronic"].to_numpy()
    assert np.all((eps_inf > 1.0) & (eps_inf < y + 0.5))


def test_crystal_mass_causal_attribution_is_zero(crystal):
    X, _, truth, plain, causal = crystal
    slope_p, se_p = _effect_per_sd(plain, X, "ion_mass")
    assert slope_p - 3 * se_p > 0  # plain SHAP credits the mass
    assert _importance(plain, "ion_mass") > _importance(plain, "period")
    slope_c, se_c = _effect_per_sd(causal, X, "ion_mass")
    assert abs(slope_c) <= 2 * se_c + 0.02
    assert _importance(causal, "ion_mass") < 0.3 * _importance(plain, "ion_mass")
    # the credit moves to the period (the true cause it was standing in for)
    assert _importance(causal, "period") > 2 * _importance(plain, "period")
