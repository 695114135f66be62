"""uncertainty="refit": the sampler's learning error in stderr, checked against repeated data sets."""

from __future__ import annotations

import numpy as np
import pytest

import causalx as cx
from causalx.samplers import MechanismSampler

NAMES = ["x1", "x2"]
GRAPH = cx.CausalGraph(nodes=NAMES, edges=[("x1", "x2")])
XE = np.array([[-1.5, -2.0], [0.5, 1.0], [2.0, 3.5]])


def f(Z):
    return np.asarray(Z)[:, 1]


def simulate(n, seed):
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=n)
    return np.column_stack([x1, 2.0 * x1 + rng.normal(size=n)])


def explainer(**kw):
    kw = {"n_samples": 400, **kw}
    return cx.CausalExplainer(f, GRAPH, sampler=MechanismSampler(candidates=("linear",), random_state=0),
                              check_manifold=False, **kw)


def true_phi():
    """x1 -> x2 = 2 x1 + e, f = x2: v(∅) = 0, v(1) = 2 x1, v(2) = v(12) = x2 (closed form)."""
    v1, v12 = 2 * XE[:, 0], XE[:, 1]
    phi1 = 0.5 * (v1 + (v12 - v12))  # orderings (1,2): v1 - 0; (2,1): v12 - v2 = 0
    return np.column_stack([phi1, v12 - phi1])


def test_refit_stderr_tracks_the_spread_over_fresh_data_sets():
    n = 150
    phis = [np.asarray(explainer(n_samples=1000).fit(simulate(n, 100 + r)).explain(XE).values) for r in range(16)]
    sd_between = np.std(phis, axis=0, ddof=1)  # learning error of the fit, measured by fresh data
    exps = [explainer(uncertainty="refit", n_refits=8).fit(simulate(n, s)).explain(XE) for s in range(6)]
    for e in exps:
        u = e.provenance["uncertainty"]
        mc, learn = np.asarray(u["mc_stderr"]), np.asarray(u["learning_stderr"])
        np.testing.assert_allclose(np.asarray(e.stderr) ** 2, mc**2 + learn**2, rtol=1e-9)
        assert u["n_refits"] == 8 and u["kind"] == "refit"
        assert np.all(np.asarray(e.stderr) >= mc - 1e-12)
    learn = np.mean([np.asarray(e.provenance["uncertainty"]["learning_stderr"]) for e in exps], axis=0)
    # same order as the spread over data sets (8 refits, 6 data sets: a loose band)
    ratio = learn.mean() / sd_between.mean()
    assert 0.6 < ratio < 2.0, (learn, sd_between)
    # and the intervals cover the closed-form truth
    cover = np.mean([np.abs(np.asarray(e.values) - true_phi()) <= 1.96 * np.asarray(e.stderr) for e in exps])
    assert cover >= 0.75  # measured 0.89 (4 of 36 entries outside); 10 data sets: 0.92


def test_refit_is_reproducible_and_sampler_diagnostic_is_recorded():
    X = simulate(120, 7)
    a = explainer(uncertainty="refit", n_refits=3).fit(X).explain(XE[:2])
    b = explainer(uncertainty="refit", n_refits=3).fit(X).explain(XE[:2])
    np.testing.assert_array_equal(a.stderr, b.stderr)
    plain = explainer().fit(X).explain(XE[:2])
    np.testing.assert_array_equal(a.values, plain.values)  # the point estimate is unchanged
    diag = plain.provenance["sampler_diagnostic"]
    assert diag["models"] == {"x1": "empirical", "x2": "linear"} and "uncertainty" not in plain.provenance
    assert 0.5 < diag["nodes"]["x2"]["skill"] < 1  # R² = 0.8 here


def test_refit_decompose_widens_the_parts():
    X = simulate(120, 8)
    e = explainer(uncertainty="refit", n_refits=3).fit(X).explain(XE[:2], decompose=True)
    p = explainer().fit(X).explain(XE[:2], decompose=True)
    assert np.all(np.asarray(e.direct_stderr) >= np.asarray(p.direct_stderr) - 1e-12)
    assert np.all(np.asarray(e.indirect_stderr) >= np.asarray(p.indirect_stderr) - 1e-12)


@pytest.mark.parametrize("params, match", [
    (dict(uncertainty="bootstrap"), r"uncertainty.*'mc'.*'refit'"),
    (dict(n_refits=1), r"n_refits"),
])
def test_bad_refit_params(params, match):
    with pytest.raises(ValueError, match=match):
        explainer(**params).fit(simulate(50, 0))
