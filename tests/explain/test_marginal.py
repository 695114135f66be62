"""Marginal (interventional) Shapley values against closed forms and shap on the same inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import causalx as cx
from tests.conftest import LinearModel


def _data(n=120, d=5, seed=0):
    rng = np.random.default_rng(seed)
    cov = np.full((d, d), 0.4) + 0.6 * np.eye(d)  # correlated features: marginal ≠ conditional
    X = rng.multivariate_normal(np.arange(d, dtype=float), cov, size=n)
    names = [f"x{i}" for i in range(d)]
    return pd.DataFrame(X, columns=names), names


def _graph(names):
    return cx.CausalGraph(nodes=names, edges=[(names[0], names[1]), (names[1], names[2])])


@pytest.mark.parametrize("method", ["exact", "permutation", "kernel"])
def test_linear_model_closed_form_and_efficiency(method):
    X, names = _data()
    w = np.array([1.5, -2.0, 0.5, 0.0, 3.0])
    model = LinearModel(w, b=0.7)
    exp = cx.CausalExplainer(model, _graph(names), value="marginal", method=method, n_samples=10_000,
                             n_permutations=20, random_state=1).fit(X).explain(X.iloc[:7])
    expected = w * (X.iloc[:7].to_numpy() - X.to_numpy().mean(0))
    if method == "kernel":
        # the unbiased KernelSHAP estimator (Covert & Lee 2021) is noisy even on additive games
        assert np.all(np.abs(exp.values - expected) <= 5 * exp.stderr + 1e-9)
    else:
        # a linear game is additive: every marginal contribution is w_i (x_i - mean_i), so the
        # exact and the permutation estimators both return the closed form
        np.testing.assert_allclose(exp.values, expected, atol=1e-8)
    np.testing.assert_allclose(exp.values.sum(1), exp.output - exp.base_values, atol=1e-8)
    np.testing.assert_allclose(exp.base_values, model.predict(X.to_numpy()).mean(), atol=1e-8)
    if method != "kernel":
        assert exp.values[:, 3] == pytest.approx(np.zeros(7), abs=1e-12)  # null player


def test_equals_shap_exact_explainer_on_gradient_boosting():
    shap = pytest.importorskip("shap")
    from sklearn.ensemble import HistGradientBoostingRegressor

    X, names = _data(n=150, d=5, seed=3)
    y = X["x0"] * X["x1"] + np.sin(X["x2"]) + 0.5 * X["x4"] ** 2
    model = HistGradientBoostingRegressor(max_iter=50, random_state=0).fit(X.to_numpy(), y)
    background = X.iloc[:60]
    explain_rows = X.iloc[60:66]
    exp = cx.CausalExplainer(model, _graph(names), value="marginal", method="exact",
                             n_samples=10_000).fit(background).explain(explain_rows)
    masker = shap.maskers.Independent(background.to_numpy(), max_samples=len(background))
    ref = shap.explainers.ExactExplainer(model.predict, masker)(explain_rows.to_numpy())
    np.testing.assert_allclose(exp.values, ref.values, atol=1e-6)
    np.testing.assert_allclose(exp.base_values, ref.base_values, atol=1e-6)
    np.testing.assert_allclose(exp.values.sum(1), exp.output - exp.base_values, atol=1e-8)
    sx = exp.to_shap()
    assert isinstance(sx, shap.Explanation)
    np.testing.assert_array_equal(sx.values, exp.values)
    np.testing.assert_array_equal(sx.error_std, exp.stderr)
    with pytest.raises(ValueError, match="decompose=True"):
        exp.to_shap(part="direct")
    dec = cx.CausalExplainer(model, _graph(names), value="marginal", method="exact",
                             n_samples=10_000).fit(background).explain(explain_rows, decompose=True)
    d, i = dec.to_shap(part="direct"), dec.to_shap(part="indirect")
    np.testing.assert_allclose(d.values + i.values, exp.values, atol=1e-12)  # marginal: all direct
    np.testing.assert_array_equal(d.error_std, dec.direct_stderr)


def test_asymmetric_marginal_equals_brute_force_over_linear_extensions():
    # independent reference: average of marginal contributions over the orderings with x0 < x1 < x2
    import itertools

    X, names = _data(n=40, d=4, seed=5)
    model = LinearModel([1.0, 2.0, -1.0, 0.5])
    f = lambda Z: np.asarray(Z) @ model.w + np.asarray(Z)[:, 0] * np.asarray(Z)[:, 1]  # noqa: E731
    graph = cx.CausalGraph(nodes=names, edges=[("x0", "x1"), ("x1", "x2")])
    exp = cx.CausalExplainer(f, graph, value="marginal", asymmetric=True, method="exact",
                             n_samples=1000).fit(X).explain(X.iloc[:3])
    bg = X.to_numpy()
    x = X.to_numpy()[:3]

    def v(S):
        rows = np.repeat(bg[None], len(x), 0)
        rows[:, :, list(S)] = x[:, None, list(S)]
        return f(rows.reshape(-1, 4)).reshape(len(x), -1).mean(1)

    orders = [p for p in itertools.permutations(range(4)) if p.index(0) < p.index(1) < p.index(2)]
    ref = np.zeros((3, 4))
    for p in orders:
        for k, i in enumerate(p):
            ref[:, i] += v(p[: k + 1]) - v(p[:k])
    np.testing.assert_allclose(exp.values, ref / len(orders), atol=1e-10)


def test_background_subsample_is_seeded_and_uses_all_rows_when_large():
    X, names = _data()
    model = LinearModel(np.ones(5))
    a = cx.CausalExplainer(model, _graph(names), value="marginal", n_samples=50, random_state=3).fit(X)
    b = cx.CausalExplainer(model, _graph(names), value="marginal", n_samples=50, random_state=3).fit(X)
    c = cx.CausalExplainer(model, _graph(names), value="marginal", n_samples=500).fit(X)
    np.testing.assert_array_equal(a.background_, b.background_)
    assert a.background_.shape == (50, 5)
    np.testing.assert_array_equal(c.background_, X.to_numpy())


def test_same_seed_same_values_and_n_jobs_invariance():
    from sklearn.ensemble import RandomForestRegressor

    X, names = _data(n=80, d=5, seed=9)
    y = X["x0"] - 2 * X["x3"] * X["x4"]
    model = RandomForestRegressor(n_estimators=10, random_state=0).fit(X, y)
    kw = dict(value="marginal", method="permutation", n_samples=40, n_permutations=6, random_state=11)
    e1 = cx.CausalExplainer(model, _graph(names), n_jobs=1, **kw).fit(X).explain(X.iloc[:6])
    e2 = cx.CausalExplainer(model, _graph(names), n_jobs=2, **kw).fit(X).explain(X.iloc[:6])
    e3 = cx.CausalExplainer(model, _graph(names), n_jobs=1, **kw).fit(X).explain(X.iloc[:6])
    np.testing.assert_array_equal(e1.values, e3.values)
    np.testing.assert_array_equal(e1.stderr, e3.stderr)
    np.testing.assert_allclose(e1.values, e2.values, rtol=0, atol=1e-12)
    assert e1.provenance["n_model_evals"] == e2.provenance["n_model_evals"]


def test_classifier_probability_output():
    from sklearn.linear_model import LogisticRegression

    X, names = _data(n=100, d=5, seed=2)
    y = (X["x0"] + X["x1"] > 1.5).astype(int)
    clf = LogisticRegression().fit(X, y)
    exp = cx.CausalExplainer(clf, _graph(names), value="marginal", output=1).fit(X).explain(X.iloc[:4])
    np.testing.assert_allclose(exp.output, clf.predict_proba(X.iloc[:4])[:, 1], atol=1e-12)
    np.testing.assert_allclose(exp.values.sum(1), exp.output - exp.base_values, atol=1e-10)
    with pytest.raises(ValueError, match="output="):
        cx.CausalExplainer(clf, _graph(names), value="marginal").fit(X)
