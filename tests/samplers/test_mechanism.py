"""MechanismSampler: interventional draws against the true SCM, confounding, errors."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.linear_model import LinearRegression
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures

from causalx.exceptions import CausalxWarning, DataValidationError
from causalx.samplers import MechanismSampler

NAMES = ["X1", "X2", "X3"]


def poly():
    return make_pipeline(PolynomialFeatures(degree=2), LinearRegression())


def true_do_x2(c, n=400_000, seed=99):
    """Monte Carlo E[X3 | do(X2=c)] (and its SE) from the true SCM of ``nonlinear_scm``."""
    rng = np.random.default_rng(seed)
    x1 = rng.uniform(-1, 1, size=n)
    x3 = x1**2 + c + 0.1 * rng.normal(size=n)
    return x3.mean(), x3.std() / np.sqrt(n)


@pytest.mark.parametrize("c", [-0.5, 0.0, 0.5])
def test_do_x2_matches_true_scm(scm_factory, scm_graph, c):
    """do(X2=c): X1 keeps its marginal, X3 = g3(X1, c) + eps3.

    X2 gets noise sd 0.3 here so that g3 is identified away from the curve X2 = sin(2 X1)
    (an intervention on X2 is off the data manifold by construction).
    """
    data = scm_factory(2000, np.random.default_rng(0), noise=0.1, noise2=0.3)
    sampler = MechanismSampler(regressor=poly(), random_state=0).fit(data, graph=scm_graph, feature_names=NAMES)
    K = 20_000
    draws = sampler.sample(np.array([[c]]), [0, 2], [1], K, random_state=1)[0]
    truth, se_truth = true_do_x2(c)
    sd = draws[:, 1].std()
    n = data.shape[0]
    # MC error of the draws + background sampling error (X1 is resampled from n rows) + truth's MC error
    se = np.sqrt(sd**2 / K + sd**2 / n + se_truth**2)
    # + 0.01 for the estimation error of the fitted mechanism (not a Monte Carlo error)
    assert abs(draws[:, 1].mean() - truth) < 4 * se + 0.01
    # intervening on X2 does not move its cause X1 (conditioning would: E[X1 | X2=0.5] > 0.2)
    assert abs(draws[:, 0].mean()) < 4 * np.sqrt(1 / 3 / n + 1 / 3 / K)


def test_default_regressor_on_manifold_intervention(scm_data, scm_graph):
    """Default HistGradientBoosting: E[X3 | do(X1=a)] = a**2 + sin(2a)."""
    sampler = MechanismSampler(random_state=0, n_splits=3).fit(scm_data, graph=scm_graph, feature_names=NAMES)
    a = np.linspace(-0.8, 0.8, 9)[:, None]
    draws = sampler.sample(a, [1, 2], [0], 5000, random_state=0)
    err_x2 = draws[:, :, 0].mean(1) - np.sin(2 * a[:, 0])
    err_x3 = draws[:, :, 1].mean(1) - (a[:, 0] ** 2 + np.sin(2 * a[:, 0]))
    # a tree ensemble is piecewise constant: small average error, larger at single points
    assert np.abs(err_x2).mean() < 0.03 and np.abs(err_x2).max() < 0.08
    assert np.abs(err_x3).mean() < 0.04 and np.abs(err_x3).max() < 0.1
    np.testing.assert_allclose(draws[:, :, 0].std(1), 0.1, atol=0.03)


def test_given_parents_are_used_per_draw(scm_data, scm_graph):
    """rows[..., given] differ per draw: the mechanism is applied draw by draw."""
    sampler = MechanismSampler(regressor=poly(), random_state=0).fit(scm_data, graph=scm_graph, feature_names=NAMES)
    rng = np.random.default_rng(0)
    rows = rng.uniform(-1, 1, size=(3, 50, 3))
    rows[..., 1] = np.sin(2 * rows[..., 0]) + 0.1 * rng.normal(size=(3, 50))  # on the data manifold
    noise = sampler.draw_noise(50, 0)
    sampler.sample_into(rows, [2], [0, 1], noise)
    x1, x2 = rows[..., 0], rows[..., 1]
    expect = sampler.estimators_[2].predict(np.column_stack([x1.ravel(), x2.ravel()])).reshape(3, 50)
    np.testing.assert_allclose(rows[..., 2], expect + sampler.residuals_[noise, 2][None])
    np.testing.assert_allclose(rows[..., 2], x1**2 + x2 + sampler.residuals_[noise, 2][None], atol=0.03)


def test_out_of_fold_residuals_are_not_underestimated(scm_data, scm_graph):
    """A 1-NN model interpolates the data (in-sample residuals 0); out-of-fold ones do not."""
    sampler = MechanismSampler(regressor=KNeighborsRegressor(n_neighbors=1), random_state=0)
    sampler.fit(scm_data, graph=scm_graph, feature_names=NAMES)
    assert sampler.residuals_.shape == scm_data.shape
    in_sample = scm_data[:, 1] - sampler.estimators_[1].predict(scm_data[:, [0]])
    np.testing.assert_allclose(in_sample, 0, atol=1e-12)
    assert sampler.residuals_[:, 1].std() > 0.1  # true noise sd 0.1; 1-NN OOF ~ 0.1 * sqrt(2)
    # roots: mean plus residual is the data itself
    np.testing.assert_allclose(sampler.intercepts_[0] + sampler.residuals_[:, 0], scm_data[:, 0])
    assert sampler.estimators_[0] is None


def confounded_data(n=2000, seed=3):
    rng = np.random.default_rng(seed)
    u = rng.normal(size=n)  # hidden common cause of A and B
    a = u + 0.7 * rng.normal(size=n)
    b = -u + 0.7 * rng.normal(size=n) + 1.0
    c = 2 * a + b + 0.2 * rng.normal(size=n)
    return np.column_stack([a, b, c])


def test_confounded_residuals_are_drawn_jointly(graph_factory):
    make_graph = graph_factory
    X = confounded_data()
    graph = make_graph(["A", "B", "C"], [("A", "C"), ("B", "C")], confounded=[("A", "B")])
    sampler = MechanismSampler(regressor=LinearRegression(), random_state=0).fit(X, graph=graph, feature_names=["A", "B", "C"])
    draws = sampler.sample(np.zeros((1, 0)), [0, 1, 2], [], 20_000, random_state=0)[0]
    data_corr = np.corrcoef(X[:, 0], X[:, 1])[0, 1]
    assert data_corr < -0.5
    assert abs(np.corrcoef(draws[:, 0], draws[:, 1])[0, 1] - data_corr) < 0.03
    # do(A = a): B keeps its marginal (no shift through the confounder), C = 2a + B + eps
    a = 1.5
    draws = sampler.sample(np.array([[a]]), [1, 2], [0], 20_000, random_state=0)[0]
    se = X[:, 1].std() * np.sqrt(1 / 20_000 + 1 / len(X))
    assert abs(draws[:, 0].mean() - X[:, 1].mean()) < 4 * se
    assert abs(draws[:, 1].mean() - (2 * a + X[:, 1].mean())) < 4 * se + 0.02


def test_confounded_chain_component_is_accepted(graph_factory):
    make_graph = graph_factory
    X = confounded_data()
    graph = make_graph(["A", "B", "C"], components=[["A", "B"], ["C"]], confounded=[("A", "B")])
    sampler = MechanismSampler(regressor=LinearRegression(), random_state=0).fit(X, graph=graph, feature_names=["A", "B", "C"])
    draws = sampler.sample(np.array([[0.5, 1.0]]), [2], [0, 1], 2000, random_state=0)[0, :, 0]
    assert abs(draws.mean() - 2.0) < 0.05


def test_feature_names_are_matched_to_graph_nodes(scm_data, scm_graph):
    """Columns in another order than graph.nodes are mapped by name."""
    perm = [2, 0, 1]
    a = MechanismSampler(regressor=LinearRegression(), random_state=0).fit(scm_data, graph=scm_graph, feature_names=NAMES)
    b = MechanismSampler(regressor=LinearRegression(), random_state=0).fit(
        scm_data[:, perm], graph=scm_graph, feature_names=[NAMES[p] for p in perm]
    )
    assert b.nodes_ == ("X3", "X1", "X2")
    np.testing.assert_array_equal(b.order_, [1, 2, 0])
    da = a.sample(np.array([[0.3]]), [1, 2], [0], 100, random_state=0)
    db = b.sample(np.array([[0.3]]), [2, 0], [1], 100, random_state=0)
    np.testing.assert_allclose(da, db, atol=1e-8)
    # without feature_names the graph's node order is the column order
    c = MechanismSampler(regressor=LinearRegression(), random_state=0).fit(scm_data, graph=scm_graph)
    assert c.nodes_ == tuple(NAMES) and c.feature_names_in_ is None


def test_missing_parent_error(scm_data, scm_graph):
    sampler = MechanismSampler(regressor=LinearRegression(), random_state=0).fit(scm_data, graph=scm_graph, feature_names=NAMES)
    rows = np.zeros((2, 10, 3))
    with pytest.raises(ValueError, match=r"parent\(s\) \['X2'\].*value='causal'.*sampler='gaussian'"):
        sampler.sample_into(rows, [2], [0], sampler.draw_noise(10, 0))
    np.testing.assert_array_equal(rows, 0)


@pytest.mark.parametrize(
    "graph_args, feature_names, exc, match",
    [
        (None, NAMES, ValueError, "needs the causal graph"),
        ((["X1", "X2"], [("X1", "X2")]), None, DataValidationError, "3 columns but the graph has 2 nodes"),
        ((["X1", "X2", "Z"], [("X1", "X2")]), NAMES, DataValidationError, r"\['Z'\] have no column.*\['X3'\] are not nodes"),
        (
            (["X1", "X2", "X3"],),
            NAMES,
            ValueError,
            r"unconfounded chain component \['X1', 'X2'\]",
        ),
    ],
)
def test_fit_errors(scm_data, graph_factory, graph_args, feature_names, exc, match):
    make_graph = graph_factory
    if graph_args is None:
        graph = None
    elif len(graph_args) == 1:
        graph = make_graph(*graph_args, components=[["X1", "X2"], ["X3"]])
    else:
        graph = make_graph(*graph_args)
    with pytest.raises(exc, match=match):
        MechanismSampler(regressor=LinearRegression()).fit(scm_data, graph=graph, feature_names=feature_names)


@pytest.mark.parametrize(
    "params, exc, match",
    [
        ({"n_splits": 1}, ValueError, "n_splits"),
        ({"n_splits": 2.5}, TypeError, "n_splits"),
        ({"regressor": "hgb"}, TypeError, "regressor"),
    ],
)
def test_bad_params(scm_data, scm_graph, params, exc, match):
    with pytest.raises(exc, match=match):
        MechanismSampler(**params).fit(scm_data, graph=scm_graph, feature_names=NAMES)


def test_small_n_and_regressor_random_state(scm_graph, scm_factory):
    X = scm_factory(30, np.random.default_rng(0))
    s = MechanismSampler(n_splits=50, random_state=0).fit(X, graph=scm_graph, feature_names=NAMES)
    # tiny n: only the linear and spline candidates (all spline variants) are tried
    tried = set(s.diagnostics_["nodes"]["X3"]["scores"])
    assert {"linear", "spline", "spline-quantile"} <= tried
    assert all(k == "linear" or k.startswith("spline") for k in tried)
    assert s.diagnostics_["models"]["X3"].split("+")[0] in tried
    from sklearn.tree import DecisionTreeRegressor

    s = MechanismSampler(regressor=DecisionTreeRegressor(max_depth=3), random_state=0)
    s.fit(X, graph=scm_graph, feature_names=NAMES)
    assert isinstance(s.estimators_[1].random_state, int)
    assert s.regressor.random_state is None  # the parameter itself is not modified


class CountingRegressor(RegressorMixin, BaseEstimator):
    """LinearRegression that counts predict calls and the rows they receive."""

    calls: list = []

    def fit(self, X, y):
        self.lr_ = LinearRegression().fit(X, y)
        return self

    def predict(self, X):
        CountingRegressor.calls.append(X.shape[0])
        return self.lr_.predict(X)


def test_one_batched_predict_per_node_speed_sanity(graph_factory):
    make_graph = graph_factory
    """N=100, K=1000, d=10 chain: one predict call per drawn node, on all N*K rows."""
    rng = np.random.default_rng(0)
    d, n = 10, 500
    X = np.empty((n, d))
    X[:, 0] = rng.normal(size=n)
    for j in range(1, d):
        X[:, j] = 0.8 * X[:, j - 1] + rng.normal(size=n)
    names = [f"V{j}" for j in range(d)]
    graph = make_graph(names, [(names[j - 1], names[j]) for j in range(1, d)])
    sampler = MechanismSampler(regressor=CountingRegressor(), random_state=0).fit(X, graph=graph, feature_names=names)
    N, K = 100, 1000
    rows = np.zeros((N, K, d))
    rows[:, :, :5] = X[:N, None, :5]
    CountingRegressor.calls.clear()
    sampler.sample_into(rows, np.arange(5, 10), np.arange(5), sampler.draw_noise(K, 0))
    assert CountingRegressor.calls == [N * K] * 5
    assert np.all(np.isfinite(rows))
    clone(sampler)


def test_confounded_parent_mechanism_warns(graph_factory):
    """X1 -> X2 -> X3 with X1 <-> X3: the noise of X3 is correlated with its parent X2."""
    graph = graph_factory(["X1", "X2", "X3"], [("X1", "X2"), ("X2", "X3")], confounded=[("X1", "X3")])
    rng = np.random.default_rng(0)
    u = rng.normal(size=500)
    x1 = u + rng.normal(size=500)
    x2 = x1 + rng.normal(size=500)
    X = np.column_stack([x1, x2, x2 + u + rng.normal(size=500)])
    sampler = MechanismSampler(regressor=LinearRegression()).fit(X, graph=graph, feature_names=["X1", "X2", "X3"])
    with pytest.warns(CausalxWarning, match=r"'X3' shares an unobserved cause with \['X1'\].*parent\(s\) \['X2'\]"):
        sampler.sample(np.array([[0.0, 1.0]]), target=[2], given=[0, 1], n_draws=10, random_state=0)


def test_identified_factor_conditions_on_tians_set(graph_factory):
    """X1 -> X2 -> X3 with X1 <-> X3: X3's factor is P(X3 | X1, X2) (Tian), fitted by least
    squares here, so its coefficients are the population regression of X3 on (X1, X2)."""
    import warnings

    graph = graph_factory(["X1", "X2", "X3"], [("X1", "X2"), ("X2", "X3")], confounded=[("X1", "X3")])
    rng = np.random.default_rng(0)
    n = 20000
    u = rng.normal(size=n)
    x1 = u + rng.normal(size=n)
    x2 = x1 + rng.normal(size=n)
    X = np.column_stack([x1, x2, x2 + u + rng.normal(size=n)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sampler = MechanismSampler(regressor=LinearRegression()).fit(X, graph=graph,
                                                                   feature_names=["X1", "X2", "X3"])
        assert [g.tolist() for g in sampler.factor_given_] == [[], [0], [0, 1]]
        # E[X3 | x1, x2] = x2 + E[u | x1] = x2 + x1 / 2 (u and the noise of x1 have unit variance)
        np.testing.assert_allclose(sampler.factor_estimators_[2].coef_, [0.5, 1.0], atol=0.03)
        rows = np.zeros((1, 4000, 3))
        rows[0, :, 0], rows[0, :, 1] = 2.0, 1.0
        sampler.sample_factor_into(rows, [2], [0, 1], sampler.draw_noise(4000, 0))
    assert abs(rows[0, :, 2].mean() - 2.0) < 0.05
    with pytest.raises(ValueError, match="no fitted conditional"):
        sampler.sample_factor_into(rows, [2], [1], sampler.draw_noise(4000, 0))


def test_no_warning_for_confounded_roots(graph_factory):
    import warnings

    X = confounded_data()
    graph = graph_factory(["A", "B", "C"], [("A", "C"), ("B", "C")], confounded=[("A", "B")])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        MechanismSampler(regressor=LinearRegression()).fit(X, graph=graph, feature_names=["A", "B", "C"])
