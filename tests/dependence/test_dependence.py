"""PDP/ICE (plain and interventional), ALE and permutation importance against closed forms."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import causalx as cx
from causalx.datasets import make_linear_scm
from causalx.dependence import accumulated_local_effects, ice, partial_dependence, permutation_importance


def test_pdp_matches_brute_force_loop():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    f = lambda Z: np.sin(Z[:, 0]) * Z[:, 1] + Z[:, 2] ** 2  # noqa: E731
    grid = np.linspace(-1, 1, 7)
    res = ice(f, X, 1, grid=grid)
    expect = np.empty((60, 7))
    for k, v in enumerate(grid):  # independent, unbatched oracle
        Z = X.copy()
        Z[:, 1] = v
        expect[:, k] = f(Z)
    np.testing.assert_allclose(res.individual, expect)
    np.testing.assert_allclose(res.average, expect.mean(0))
    with cx.config_context(max_batch_bytes=65536):  # many chunks: same numbers
        np.testing.assert_allclose(ice(f, X, 1, grid=grid).individual, expect)


def test_interventional_pdp_differs_exactly_where_descendants_exist():
    scm = make_linear_scm(["R", "M", "S"], {("R", "M"): 1.5}, noise_std=[1.0, 0.5, 1.0])
    X = scm.sample(300, random_state=0)
    g = scm.graph()
    w = np.array([0.0, 2.0, 1.0])
    f = lambda Z: Z @ w  # uses M (child of R) and S (a sink without parents)  # noqa: E731
    grid = np.array([-1.0, 0.0, 1.0])
    for feat in ("S", "M"):  # sinks: interventional == plain, exactly
        a = partial_dependence(f, X, feat, grid=grid, graph=g)
        b = partial_dependence(f, X, feat, grid=grid, graph=g, kind="interventional")
        np.testing.assert_array_equal(a.average, b.average)
        assert b.descendants == ()
    a = partial_dependence(f, X, "R", grid=grid, graph=g)
    b = partial_dependence(f, X, "R", grid=grid, graph=g, kind="interventional", n_draws=200, individual=True)
    assert b.descendants == ("M",)
    np.testing.assert_allclose(np.ptp(a.average), 0.0, atol=1e-12)  # model ignores R directly
    # oracle: E[f | do(R=v)] = w·E[X | do(R=v)] from the SCM's closed form
    oracle = np.array([scm.interventional_mean([0], np.array([v])) @ w for v in grid])
    np.testing.assert_allclose(np.diff(b.average), np.diff(oracle), atol=0.15)
    assert b.individual.shape == (300, 3)


def test_ale_equals_closed_form_for_additive_model():
    rng = np.random.default_rng(1)
    X = np.column_stack([rng.uniform(-2, 2, 700), rng.normal(size=700)])
    X[:, 1] += 0.8 * X[:, 0]  # correlated features: ALE stays exact for additive models
    g0 = np.sin
    f = lambda Z: g0(Z[:, 0]) + Z[:, 1] ** 3  # noqa: E731
    res = accumulated_local_effects(f, pd.DataFrame(X, columns=["a", "b"]), "a", n_bins=10)
    z = np.quantile(X[:, 0], np.linspace(0, 1, 11))
    np.testing.assert_allclose(res.edges, z)
    # closed form: g(z_k) − g(z_0), centred by the count-weighted mean of bin midpoints
    bins = np.clip(np.searchsorted(z, X[:, 0], side="left"), 1, 10) - 1
    counts = np.bincount(bins, minlength=10)
    unc = g0(z) - g0(z[0])
    closed = unc - np.sum(counts * (unc[:-1] + unc[1:]) / 2) / len(X)
    np.testing.assert_allclose(res.effect, closed, atol=1e-12)
    assert res.counts.sum() == 700
    np.testing.assert_allclose(res(z[3]), closed[3])


def test_permutation_importance_linear_oracle():
    rng = np.random.default_rng(0)
    n = 4000
    X = rng.normal(size=(n, 3)) * np.array([1.0, 2.0, 0.5])
    w = np.array([1.0, 0.5, 0.0])
    y = X @ w
    res = permutation_importance(lambda Z: Z @ w, X, y, n_repeats=5, scoring="neg_mean_squared_error",
                                 feature_names=["a", "b", "c"], random_state=0)
    # E[MSE increase] = 2 w_j² Var(x_j)
    np.testing.assert_allclose(res.importances_mean, 2 * w**2 * np.array([1.0, 4.0, 0.25]), rtol=0.08)
    assert res.importances.shape == (3, 5) and res.importances_mean[2] == 0.0
    again = permutation_importance(lambda Z: Z @ w, X, y, n_repeats=5, scoring="neg_mean_squared_error", random_state=0)
    np.testing.assert_array_equal(again.importances, res.importances)
    assert res.to_frame()["feature"].tolist()[0] in ("a", "b")


def test_errors():
    X = np.zeros((5, 2))
    with pytest.raises(ValueError, match="kind='interventional' needs the causal graph"):
        partial_dependence(lambda Z: Z[:, 0], X, 0, kind="interventional")
    with pytest.raises(ValueError, match="kind='causal'"):
        partial_dependence(lambda Z: Z[:, 0], X, 0, kind="causal")
    with pytest.raises(KeyError, match="not one of"):
        partial_dependence(lambda Z: Z[:, 0], pd.DataFrame(X, columns=["a", "b"]), "c")
    with pytest.raises(ValueError, match="constant"):
        accumulated_local_effects(lambda Z: Z[:, 0], X, 0)
