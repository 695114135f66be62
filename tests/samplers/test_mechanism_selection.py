"""MechanismSampler model selection, location-scale noise and discrete nodes, against simulators."""

from __future__ import annotations

import numpy as np
import pytest

from causalx.exceptions import DataValidationError
from causalx.graph import CausalGraph
from causalx.samplers import MechanismSampler
from causalx.samplers._node_models import crps_residuals


def test_crps_matches_its_definition():
    rng = np.random.default_rng(0)
    r = rng.laplace(size=300)
    pool = rng.normal(size=200)
    for p in (None, pool):
        e = r if p is None else p
        brute = np.abs(e[None, :] - r[:, None]).mean(1) - 0.5 * np.abs(e[None, :] - e[:, None]).mean()
        np.testing.assert_allclose(crps_residuals(r, p), brute, atol=1e-12)
    # a point mass at 0 and a residual r: CRPS = |r|
    np.testing.assert_allclose(crps_residuals(np.array([1.5, -2.0]), np.zeros(5)), [1.5, 2.0])


def test_selection_picks_the_fitting_model_and_records_it():
    """Linear child -> 'linear' wins (or ties); sine child -> a nonlinear candidate wins, and the
    interventional mean matches the simulator's E[X2 | do(X1=a)] = sin(2.5 a)."""
    rng = np.random.default_rng(1)
    n = 1500
    x1 = rng.uniform(-1.5, 1.5, n)
    x2 = np.sin(2.5 * x1) + 0.2 * rng.laplace(size=n)
    x3 = 2.0 * x2 - 1.0 + 0.3 * rng.normal(size=n)
    X = np.column_stack([x1, x2, x3])
    g = CausalGraph(["a", "b", "c"], [("a", "b"), ("b", "c")])
    s = MechanismSampler(random_state=0).fit(X, graph=g, feature_names=["a", "b", "c"])
    d = s.diagnostics_["nodes"]
    assert d["b"]["model"].split("+")[0] != "linear"
    assert d["b"]["scores"]["linear"] > 1.5 * d["b"]["score"]
    assert d["c"]["score"] <= 1.01 * d["c"]["scores"]["linear"]
    assert d["b"]["score"] == min(v for k, v in d["b"]["scores"].items())
    assert 0.5 < d["b"]["skill"] < 1 and d["a"]["model"] == "empirical"
    a = np.linspace(-1.2, 1.2, 7)[:, None]
    draws = s.sample(a, [1], [0], 4000, random_state=0)[:, :, 0]
    np.testing.assert_allclose(draws.mean(1), np.sin(2.5 * a[:, 0]), atol=0.06)


def test_location_scale_noise_for_heteroscedastic_data():
    """X2 = X1 * e: the noise sd at do(X1=a) is a (a location-scale model is selected)."""
    rng = np.random.default_rng(2)
    n = 2000
    x1 = rng.uniform(0.2, 2.0, n)
    X = np.column_stack([x1, x1 * rng.normal(size=n)])
    g = CausalGraph(["a", "b"], [("a", "b")])
    s = MechanismSampler(random_state=0).fit(X, graph=g, feature_names=["a", "b"])
    assert s.diagnostics_["models"]["b"].endswith("+scale")
    a = np.array([[0.4], [1.0], [1.8]])
    sd = s.sample(a, [1], [0], 4000, random_state=0)[:, :, 0].std(1)
    np.testing.assert_allclose(sd, a[:, 0], rtol=0.15)
    # a homoscedastic fit would give the pooled sd at every a
    fixed = MechanismSampler(candidates=("spline",), random_state=0)
    assert fixed.fit(X, graph=g, feature_names=["a", "b"]).diagnostics_["models"]["b"].endswith("+scale")


def _softmax_probs(x):
    logits = np.column_stack([np.zeros_like(x), 1.5 * x, -1.0 + 0.5 * x**2])
    p = np.exp(logits - logits.max(1, keepdims=True))
    return p / p.sum(1, keepdims=True)


def test_categorical_child_in_support_with_the_simulators_frequencies():
    """C | A ~ softmax(0, 1.5 a, -1 + a²/2); Y = [0, 2, -1][C] + A + noise (categorical parent)."""
    rng = np.random.default_rng(3)
    n = 2000
    a = rng.normal(size=n)
    p = _softmax_probs(a)
    c = (p.cumsum(1) < rng.uniform(size=(n, 1))).sum(1)
    y = np.array([0.0, 2.0, -1.0])[c] + a + 0.3 * rng.normal(size=n)
    X = np.column_stack([a, c, y])
    g = CausalGraph({"A": None, "C": {"type": "categorical"}, "Y": None}, [("A", "C"), ("C", "Y"), ("A", "Y")])
    s = MechanismSampler(random_state=0).fit(X, graph=g, feature_names=["A", "C", "Y"])
    assert s.diagnostics_["nodes"]["C"]["metric"] == "log_loss"
    assert s.diagnostics_["models"]["C"] in ("logistic", "boosting")
    assert np.all((s.residuals_[:, 1] >= 0) & (s.residuals_[:, 1] <= 1))  # PIT noise
    grid = np.array([[-2.0], [-0.5], [0.0], [1.0], [2.0]])
    K = 6000
    draws = s.sample(grid, [1, 2], [0], K, random_state=0)
    assert set(np.unique(draws[:, :, 0])) <= {0.0, 1.0, 2.0}  # never an unseen value
    freq = np.stack([(draws[:, :, 0] == k).mean(1) for k in range(3)], axis=1)
    truth = _softmax_probs(grid[:, 0])
    # MC sd sqrt(p(1-p)/K) < 0.007; the rest is the classifier's estimation error at n=2000
    np.testing.assert_allclose(freq, truth, atol=0.06)
    # do(C = k) with A at its marginal: E[Y] = [0, 2, -1][k] + E[A]
    for k, level in enumerate([0.0, 2.0, -1.0]):
        yk = s.sample(np.array([[float(k)]]), [0, 2], [1], 4000, random_state=1)[0, :, 1]
        assert abs(yk.mean() - level - a.mean()) < 0.12


def test_binary_and_ordinal_nodes_stay_in_support():
    rng = np.random.default_rng(4)
    n = 800
    x = rng.normal(size=n)
    b = (rng.uniform(size=n) < 1 / (1 + np.exp(-2 * x))).astype(float)
    o = np.clip(np.round(1.5 + x + b + 0.5 * rng.normal(size=n)), 0, 4)
    X = np.column_stack([x, b, o])
    g = CausalGraph({"x": None, "b": {"type": "binary"}, "o": {"type": "ordinal"}}, [("x", "b"), ("b", "o"), ("x", "o")])
    s = MechanismSampler(random_state=0).fit(X, graph=g, feature_names=["x", "b", "o"])
    draws = s.sample(np.array([[-3.0], [0.0], [3.0]]), [1, 2], [0], 3000, random_state=0)
    assert set(np.unique(draws[:, :, 0])) <= {0.0, 1.0}
    assert set(np.unique(draws[:, :, 1])) <= set(np.unique(o))
    pb = draws[:, :, 0].mean(1)
    np.testing.assert_allclose(pb, 1 / (1 + np.exp(-2 * np.array([-3.0, 0.0, 3.0]))), atol=0.08)


def test_discrete_node_with_non_codes_is_refused():
    X = np.column_stack([np.arange(10.0), np.linspace(0, 1, 10)])
    g = CausalGraph({"x": None, "c": {"type": "categorical"}}, [("x", "c")])
    with pytest.raises(DataValidationError, match="integer codes 0..K-1"):
        MechanismSampler().fit(X, graph=g, feature_names=["x", "c"])


def test_unknown_candidate_is_refused():
    X = np.random.default_rng(0).normal(size=(50, 2))
    g = CausalGraph(["x", "y"], [("x", "y")])
    with pytest.raises(ValueError, match="candidates.*'boost'.*boosting"):
        MechanismSampler(candidates=("boost",)).fit(X, graph=g, feature_names=["x", "y"])


def test_discrete_root_draws_are_exact_codes():
    rng = np.random.default_rng(5)
    c = rng.integers(0, 3, 300).astype(float)
    y = np.array([0.0, 1.0, 3.0])[c.astype(int)] + 0.2 * rng.normal(size=300)
    g = CausalGraph({"c": {"type": "categorical"}, "y": None}, [("c", "y")])
    s = MechanismSampler(random_state=0).fit(np.column_stack([c, y]), graph=g, feature_names=["c", "y"])
    draws = s.sample(np.zeros((1, 0)), [0, 1], [], 2000, random_state=0)[0]
    assert set(np.unique(draws[:, 0])) == {0.0, 1.0, 2.0}  # exact codes, no round-off
    for k, level in enumerate([0.0, 1.0, 3.0]):
        assert abs(draws[draws[:, 0] == k, 1].mean() - level) < 0.05


def test_noise_rows_are_drawn_without_replacement_and_stratified():
    """Background rows are used k // n or k // n + 1 times: a root's mean over K = n draws is the
    background mean exactly. Over K = n / 2 draws one row is taken from each consecutive pair of
    the k-d order, so the variance of the mean is sum_pairs ((x_a - x_b) / 2)^2 / K^2 (from the
    definition of the design), below the finite-population value of sampling without strata."""
    from causalx.samplers.mechanism import _kd_order

    rng = np.random.default_rng(6)
    n = 400
    x = rng.exponential(size=n)
    X = np.column_stack([x, x + rng.normal(size=n)])
    g = CausalGraph(["a", "b"], [("a", "b")])
    s = MechanismSampler(candidates=("linear",), random_state=0).fit(X, graph=g, feature_names=["a", "b"])
    for k in (n, 3 * n, 2 * n + 57, 57):
        idx = s.draw_noise(k, random_state=1)
        counts = np.bincount(idx, minlength=n)
        assert idx.shape == (k,) and counts.sum() == k
        assert set(np.unique(counts)) <= {k // n, k // n + 1}
    root = s.sample(np.zeros((1, 0)), [0], [], n, random_state=2)[0, :, 0]
    np.testing.assert_allclose(root.mean(), x.mean(), rtol=1e-12)
    order = _kd_order(s.residuals_[:, s.order_])
    assert np.array_equal(np.sort(order), np.arange(n))
    K, reps = n // 2, 600
    means = np.array([s.sample(np.zeros((1, 0)), [0], [], K, random_state=r)[0, :, 0].mean() for r in range(reps)])
    pairs = x[order].reshape(K, 2)
    exact = np.sum(((pairs[:, 0] - pairs[:, 1]) / 2) ** 2) / K**2
    fpc = x.var() * n / (n - 1) / K * (n - K) / (n - 1)
    # the sd of a variance estimate from 600 replicates is about sqrt(2 / 600) = 6 % of it
    np.testing.assert_allclose(means.var(ddof=1), exact, rtol=0.2)
    assert exact < 0.5 * fpc  # the strata are tight in the root's own column
    np.testing.assert_allclose(means.mean(), x.mean(), atol=4 * np.sqrt(exact / reps))


def test_knot_placement_is_selected_by_held_out_fit():
    """A steep tanh where a skewed parent is dense -> knots at quantiles; a sine over the long
    tail of an exponential parent -> evenly spaced knots (quantile knots leave the tail bare)."""
    g = CausalGraph(["x", "y"], [("x", "y")])
    rng = np.random.default_rng(7)
    n = 1500
    x = rng.lognormal(0.0, 0.8, n)
    X = np.column_stack([x, np.tanh(4.0 * (x - 1.0)) + 0.2 * rng.normal(size=n)])
    s = MechanismSampler(random_state=0).fit(X, graph=g, feature_names=["x", "y"])
    d = s.diagnostics_["nodes"]["y"]
    assert d["model"].startswith("spline-quantile")
    assert d["scores"]["spline"] > 1.1 * d["scores"]["spline-quantile"]
    a = np.quantile(x, [0.1, 0.3, 0.5, 0.7, 0.9])
    m = s.sample(a[:, None], [1], [0], 4000, random_state=0)[:, :, 0].mean(1)
    # measured 0.023-0.032 over three data seeds (the uniform-knot spline is off by up to 0.2)
    np.testing.assert_allclose(m, np.tanh(4.0 * (a - 1.0)), atol=0.07)

    x = rng.exponential(1.0, n)
    X = np.column_stack([x, np.sin(2.0 * x) + 0.2 * rng.normal(size=n)])
    d = MechanismSampler(random_state=0).fit(X, graph=g, feature_names=["x", "y"]).diagnostics_["nodes"]["y"]
    assert not d["model"].startswith("spline-quantile")
    assert d["scores"]["spline-quantile"] > 1.1 * d["score"]


def test_varying_coefficient_interaction():
    """Y = A cos(2 D) + noise is not additive plus a product; the varying-coefficient spline
    (A times a spline of D) is selected and E[Y | do(A=a, D=d)] = a cos(2 d)."""
    rng = np.random.default_rng(8)
    n = 2000
    a, dd = rng.uniform(-2, 2, n), rng.normal(0.0, 1.0, n)
    X = np.column_stack([a, dd, a * np.cos(2.0 * dd) + 0.3 * rng.laplace(size=n)])
    g = CausalGraph(["a", "d", "y"], [("a", "y"), ("d", "y")])
    s = MechanismSampler(random_state=0).fit(X, graph=g, feature_names=["a", "d", "y"])
    node = s.diagnostics_["nodes"]["y"]
    assert node["model"].split("+")[0].endswith("varying")
    best_additive = min(node["scores"][k] for k in ("spline", "spline-quantile"))
    assert best_additive > 1.5 * node["score"]
    grid = np.array([[x, y] for x in (-1.5, 0.0, 1.0) for y in (-1.0, 0.0, 0.8)])
    m = s.sample(grid, [2], [0, 1], 4000, random_state=0)[:, :, 0].mean(1)
    err = np.abs(m - grid[:, 0] * np.cos(2.0 * grid[:, 1]))
    # measured over data seeds 8..11: mean 0.030-0.050, max 0.09-0.15 (the sd of the noise is 0.42)
    assert err.mean() < 0.08 and err.max() < 0.25, err
    # the held-out CRPS is at the true noise's (Laplace(0.3): 0.225), below the best of the rest
    assert node["score"] < 0.24 and node["score"] < min(node["scores"]["knn"], node["scores"]["boosting"])


def test_varying_coefficient_features_span_parent_times_cubic():
    """Cubic B-splines reproduce cubic polynomials, so z_a * B(x_b) with the main effects B(x_b)
    (as in the spline design) spans x_a * p(x_b) for any cubic p: a least-squares fit of
    x0 x1^2 - 2 x1 x0^3 on them is exact."""
    from sklearn.linear_model import LinearRegression
    from sklearn.preprocessing import SplineTransformer

    from causalx.samplers._node_models import _VaryingCoefficients

    rng = np.random.default_rng(9)
    X = np.column_stack([rng.exponential(size=300), rng.normal(size=300)])
    y = X[:, 0] * X[:, 1] ** 2 - 2.0 * X[:, 1] * X[:, 0] ** 3
    for knots in ("uniform", "quantile"):
        F = _VaryingCoefficients(n_knots=6, knots=knots).fit_transform(X)
        assert F.shape == (300, 2 * 8)  # 2 ordered pairs x (6 knots + 2) basis functions
        F = np.hstack([F, SplineTransformer(n_knots=6, knots=knots).fit_transform(X)])
        fit = LinearRegression().fit(F, y)
        np.testing.assert_allclose(fit.predict(F), y, atol=1e-8 * np.abs(y).max())
