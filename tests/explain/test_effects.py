"""Signed interventional effects against do() computed from the true SCM (hidden variables included)."""

from __future__ import annotations

import numpy as np
import pytest

import causalx as cx
from tests.values.test_identified import bow_free_two_confounders, front_door


def _quad(w, Q):
    return lambda Z: Z @ w + np.einsum("ni,ij,nj->n", Z, Q, Z)


def _expect(w, Q, mean, cov):
    return w @ mean + mean @ Q @ mean + np.trace(Q @ cov)


@pytest.mark.parametrize("make", [front_door, bow_free_two_confounders])
def test_effects_match_true_do_contrasts(make):
    scm, graph = make()
    d = scm.d
    rng = np.random.default_rng(2)
    w, Q = rng.normal(size=d), np.diag(rng.uniform(0.1, 0.5, size=d))
    X = scm.sample(40_000, np.random.default_rng(0))
    ex = cx.CausalExplainer(_quad(w, Q), graph, value="causal", n_samples=100, random_state=0).fit(X)
    res = ex.effects(n_draws=20_000)
    ref = X.to_numpy()
    for i, e in enumerate(res):
        low, high = np.quantile(ref[:, i], [0.25, 0.75])
        assert (e.low, e.high) == pytest.approx((low, high))
        mask = np.zeros(d, bool)
        mask[i] = True
        m_lo, c_lo = scm.do(mask, np.full(d, low))
        m_hi, c_hi = scm.do(mask, np.full(d, high))
        total = _expect(w, Q, m_hi, c_hi) - _expect(w, Q, m_lo, c_lo)
        m_sw = m_lo.copy()
        m_sw[i] = high  # descendants keep their law under do(low); x_i itself switched
        direct = _expect(w, Q, m_sw, c_lo) - _expect(w, Q, m_lo, c_lo)
        tol = 0.03 * max(1.0, abs(total))  # the fitted Gaussian (40,000 rows) on top of the Monte Carlo error
        assert abs(e.total - total) <= 4 * e.total_stderr + tol, (e.feature, e.total, total)
        assert abs(e.direct - direct) <= 4 * e.direct_stderr + tol, (e.feature, e.direct, direct)
        assert e.direct + e.indirect == pytest.approx(e.total)
        assert e.per_unit == pytest.approx(e.total / (high - low))


def test_effect_signs_differ_from_row_means_of_shapley_values():
    """A mediator chain with cancellation: x1 raises x2, the model falls with x2 and rises with x1.
    The total effect of x1 is w1 + w2·b = 1.0 − 2.0·0.8 = −0.6 per unit; its direct part +1.0."""
    import pandas as pd

    rng = np.random.default_rng(0)
    n = 20_000
    x1 = rng.normal(size=n)
    x2 = 0.8 * x1 + 0.6 * rng.normal(size=n)
    X = pd.DataFrame({"x1": x1, "x2": x2})
    graph = cx.CausalGraph(["x1", "x2"], ["x1 -> x2"])
    f = lambda Z: 1.0 * Z[:, 0] - 2.0 * Z[:, 1]  # noqa: E731
    ex = cx.CausalExplainer(f, graph, value="causal", random_state=0).fit(X)
    e = ex.effects()["x1"]
    span = e.high - e.low
    assert e.total / span == pytest.approx(-0.6, abs=0.02)
    assert e.direct / span == pytest.approx(1.0, abs=1e-9)  # linear model: the direct contrast is exact
    assert e.indirect / span == pytest.approx(-1.6, abs=0.02)
    assert e.marginal / span == pytest.approx(1.0, abs=1e-9)  # plain SHAP reads the model's own slope
    assert e.total_stderr < 0.01


def test_effects_need_causal_values():
    import pandas as pd

    X = pd.DataFrame(np.random.default_rng(0).normal(size=(50, 2)), columns=["a", "b"])
    g = cx.CausalGraph(["a", "b"], ["a -> b"])
    ex = cx.CausalExplainer(lambda Z: Z[:, 0], g, value="marginal").fit(X)
    with pytest.raises(ValueError, match="value='causal'"):
        ex.effects()
    ex = cx.CausalExplainer(lambda Z: Z[:, 0], g, value="causal").fit(X)
    with pytest.raises(ValueError, match="quantiles"):
        ex.effects(quantiles=(0.8, 0.2))
    res = ex.effects(n_draws=200)
    assert [e["feature"] for e in res.to_list()] == ["a", "b"]
    assert set(res.to_list()[0]) >= {"feature", "low", "high", "total", "total_stderr", "direct", "indirect",
                                     "direct_stderr", "indirect_stderr", "unit"}


def test_bootstrap_effects_add_the_sampler_fit_error():
    """x1 -> x2 with x2 = b x1 + e, f = x2, n = 400: the total effect of x1 is b̂·span, whose
    sampling error is span·σ_e / (σ_x √n) = 1.349 · 0.5 / 20 ≈ 0.034 (least squares); the Monte
    Carlo error alone (common random numbers, a fitted slope) is far smaller."""
    import pandas as pd

    from causalx.explain import bootstrap_effects

    rng = np.random.default_rng(0)
    n = 400
    x1 = rng.normal(size=n)
    X = pd.DataFrame({"x1": x1, "x2": 0.8 * x1 + 0.5 * rng.normal(size=n)})
    graph = cx.CausalGraph(["x1", "x2"], ["x1 -> x2"])
    ex = cx.CausalExplainer(lambda Z: Z[:, 1], graph, value="causal", random_state=0).fit(X)
    mc = ex.effects()["x1"]
    boot = bootstrap_effects(ex, X, n_boot=60, random_state=1)
    e = boot["x1"]
    span = e.high - e.low
    want = span * 0.5 / (X["x1"].std() * np.sqrt(n))
    assert mc.total_stderr < 0.3 * want
    assert 0.7 * want < e.total_stderr < 1.4 * want  # 60 replicates: the sd estimate is within ~±20 %
    assert e.total == mc.total and boot.provenance["n_boot"] == 60


def test_the_marginal_reading_averages_over_at_most_n_draws_data_rows():
    """With more data rows than draws, plain SHAP's reading uses a seeded subsample of n_draws rows:
    for a linear model its value is still the exact coefficient x span (no dependence on the rows)."""
    import numpy as np
    import pandas as pd
    from sklearn.linear_model import LinearRegression

    import causalx as cx

    rng = np.random.default_rng(0)
    a = rng.normal(size=6000)
    b = 0.5 * a + rng.normal(size=6000)
    X = pd.DataFrame({"a": a, "b": b})
    model = LinearRegression().fit(X, 2 * a - b)
    ex = cx.CausalExplainer(model, cx.CausalGraph(["a", "b"], edges=[("a", "b")])).fit(X)
    calls = []
    orig = ex.model_.__call__

    class Counting:
        def __getattr__(self, k):
            return getattr(orig.__self__, k)

        def __call__(self, Z):
            calls.append(len(Z))
            return orig(Z)

    ex.model_ = Counting()
    res = ex.effects(n_draws=500)
    assert max(calls) <= 3 * 500  # the two settings and the direct contrast, never 2 x 6000 rows
    for e in res.effects:
        coef = dict(zip(["a", "b"], model.coef_))[e.feature]
        np.testing.assert_allclose(e.marginal, coef * (e.high - e.low), rtol=1e-10)


def test_group_effect_shifts_all_members_jointly_closed_form():
    """Linear-Gaussian SCM a -> (b1, b2) -> c with the group B = {b1, b2} and a linear model.

    do(B = q_B): c = g1 b1 + g2 b2 + noise, a is unaffected, so with Δj = q75(bj) − q25(bj)
    total = w_b1 Δ1 + w_b2 Δ2 + w_c (g1 Δ1 + g2 Δ2), direct = marginal = w_b1 Δ1 + w_b2 Δ2;
    for the ungrouped a: total = Δa (w_a + w_b1 β1 + w_b2 β2 + w_c (g1 β1 + g2 β2)).
    """
    import pandas as pd

    rng = np.random.default_rng(0)
    n = 20_000
    b1c, b2c, g1, g2 = 0.9, -0.5, 0.7, 1.2
    a = rng.normal(size=n)
    b1 = b1c * a + 0.5 * rng.normal(size=n)
    b2 = b2c * a + 0.8 * rng.normal(size=n)
    c = g1 * b1 + g2 * b2 + 0.3 * rng.normal(size=n)
    X = pd.DataFrame({"a": a, "b1": b1, "b2": b2, "c": c})
    w = np.array([0.5, 1.0, -2.0, 0.8])
    graph = cx.CausalGraph(["a", "b1", "b2", "c"], ["a -> b1", "a -> b2", "b1 -> c", "b2 -> c"],
                           groups={"B": ["b1", "b2"]})
    ex = cx.CausalExplainer(lambda Z: Z @ w, graph, value="causal", random_state=0).fit(X)
    res = ex.effects(n_draws=8000)
    assert [e.feature for e in res] == ["a", "B", "c"]
    q = X.quantile([0.25, 0.75]).to_numpy()
    dq = q[1] - q[0]
    e = res["B"]
    assert e.is_group and e.members == ("b1", "b2")
    assert e.member_low == pytest.approx(tuple(q[0, 1:3])) and e.member_high == pytest.approx(tuple(q[1, 1:3]))
    assert np.isnan(e.low) and np.isnan(e.per_unit)
    direct = w[1] * dq[1] + w[2] * dq[2]
    total = direct + w[3] * (g1 * dq[1] + g2 * dq[2])
    assert e.direct == pytest.approx(direct, abs=1e-9)  # linear model: exact
    assert e.marginal == pytest.approx(direct, abs=1e-9)
    assert abs(e.total - total) <= 4 * e.total_stderr + 0.02 * abs(total), (e.total, total)
    ea = res["a"]
    slope = w[0] + w[1] * b1c + w[2] * b2c + w[3] * (g1 * b1c + g2 * b2c)
    assert not ea.is_group and ea.high - ea.low == pytest.approx(dq[0])
    assert abs(ea.total - slope * dq[0]) <= 4 * ea.total_stderr + 0.03 * abs(slope * dq[0])
    d = e.to_dict()
    assert d["members"] == ["b1", "b2"] and d["low"] is None
    # replicates reuse the settings: same draws, same numbers
    again = cx.explain.interventional_effects(ex, n_draws=8000, settings=[x.setting for x in res])
    assert [x.total for x in again] == pytest.approx([x.total for x in res])
