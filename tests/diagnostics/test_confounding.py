"""Confounding diagnostics: attribution disagreement, collinearity, tree-importance bias, DoWhy sensitivity."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import causalx as cx
from causalx.datasets import make_linear_scm
from causalx.diagnostics import (
    attribution_disagreement,
    confounding_sensitivity,
    correlation_clusters,
    importance_bias,
    variance_inflation,
)


def test_attribution_disagreement_names_downstream_path():
    scm = make_linear_scm(["A", "B", "C"], {("A", "B"): 1.0}, noise_std=[1.0, 0.3, 1.0])
    X = scm.sample(400, random_state=0)
    g = scm.graph()
    f = lambda Z: Z[:, 1] + Z[:, 2]  # the model uses B and C, not A  # noqa: E731
    exps = {
        v: cx.CausalExplainer(f, g, value=v, n_samples=200, random_state=0).fit(X).explain(X.iloc[:40])
        for v in ("marginal", "causal")
    }
    out = attribution_disagreement(exps, g)
    by = {a.feature: a for a in out}
    assert "A" in by and "C" not in by
    a = by["A"]
    assert a.mean_abs[0] == pytest.approx(0.0, abs=1e-12)  # marginal: A unused
    assert a.relative_gap == pytest.approx(1.0)
    assert "A -> B" in [str(p) for p in a.paths if p.kind == "downstream"]
    assert a.to_dict()["mean_abs"]["causal"] > 0.3
    with pytest.raises(ValueError, match="mapping of 2 or 3"):
        attribution_disagreement({"m": exps["marginal"]}, g)


def test_confounding_paths_listed():
    g = cx.CausalGraph(["X1", "X2", "X4"], ["X1 -> X2"], confounded=["X1 <-> X4"])
    from causalx.diagnostics.disagreement import _paths_for

    paths = {str(p) for p in _paths_for(g, "X2", ["X1", "X4"], 5)}
    assert {"X1 -> X2", "X2 <- X1 <-> X4"} <= paths


def test_correlation_clusters_and_vif_against_statsmodels():
    rng = np.random.default_rng(0)
    n = 800
    a = rng.normal(size=n)
    X = pd.DataFrame({"a": a, "b": a + 0.3 * rng.normal(size=n), "c": rng.normal(size=n),
                      "d": np.exp(a) + 0.05 * rng.normal(size=n)})
    for method in ("pearson", "spearman", "mutual_info"):
        cl = correlation_clusters(X, method=method, threshold=0.6)
        assert ("c",) not in cl.clusters and any({"a", "b"} <= set(c) for c in cl.clusters), method
    # Spearman sees the monotone a -> exp(a) as perfect; check the matrix against scipy
    from scipy.stats import spearmanr

    cl = correlation_clusters(X, method="spearman")
    np.testing.assert_allclose(cl.association, np.abs(spearmanr(X).statistic), atol=1e-12)
    from statsmodels.stats.outliers_influence import variance_inflation_factor

    Xc = np.column_stack([np.ones(n), X.to_numpy()])
    ref = [variance_inflation_factor(Xc, j) for j in range(1, 5)]
    np.testing.assert_allclose(variance_inflation(X).vif, ref, rtol=1e-8)


def test_importance_bias_flags_high_cardinality_noise():
    from sklearn.ensemble import RandomForestRegressor

    rng = np.random.default_rng(0)
    n = 600
    X = pd.DataFrame({"signal": rng.integers(0, 2, n).astype(float), "noise_id": rng.permutation(n).astype(float)})
    y = X["signal"] + 0.8 * rng.normal(size=n)
    model = RandomForestRegressor(n_estimators=40, random_state=0).fit(X[:400], y[:400])
    res = importance_bias(model, X[400:], y[400:], random_state=0)
    assert res.flagged == ("noise_id",)
    assert res.impurity[1] > 0.3 and res.n_unique[1] == 200
    assert res.to_frame()["flagged"].tolist() == [False, True]
    with pytest.raises(TypeError, match="feature_importances_"):
        importance_bias(lambda Z: Z[:, 0], X, y)


def test_dowhy_sensitivity_small_grid():
    pytest.importorskip("dowhy")
    scm = make_linear_scm(["A", "B", "C"], {("A", "B"): 0.8, ("B", "C"): 0.5})
    X = scm.sample(400, random_state=0)
    model = lambda Z: 2 * Z[:, 1] + Z[:, 2]  # noqa: E731
    state = np.random.get_state()[1].copy()
    res = confounding_sensitivity(model, scm.graph(), X, "B", strengths=(0.0, 0.2))
    assert np.array_equal(np.random.get_state()[1], state)  # global numpy state restored
    assert res.estimate == pytest.approx(2.5, abs=0.02)  # total effect 2 + 1 * 0.5 (oracle)
    assert res.new_effects.shape == (2, 2) and res.new_effects[0, 0] == pytest.approx(res.estimate, abs=1e-6)
    again = confounding_sensitivity(model, scm.graph(), X, "B", strengths=(0.0, 0.2))
    np.testing.assert_array_equal(again.new_effects, res.new_effects)
    with pytest.raises(KeyError, match="feature='b' is not a node"):
        confounding_sensitivity(model, scm.graph(), X, "b")
