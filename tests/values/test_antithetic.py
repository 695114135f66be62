"""Antithetic draws: mirrored pairs, unbiased values, pair-aligned replicates, calibrated errors.

The truth of each check is computed another way: the conditional mean of the fitted Gaussian
(closed form), the spread of the values over independent seeds (for the standard errors), and
the same explanation with independent draws (for the variance reduction).
"""

from __future__ import annotations

import itertools
from math import factorial

import numpy as np
import pandas as pd
import pytest

import causalx as cx
from causalx.explain import interventional_effects
from causalx.samplers import GaussianSampler, MechanismSampler
from causalx.values import CausalFiller, Game

NAMES = ["a", "b", "c"]
GRAPH = cx.CausalGraph(NAMES, ["a -> b", "b -> c", "a -> c"])


def _data(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n)
    b = 0.8 * a + 0.6 * rng.normal(size=n)
    c = 0.5 * a - 0.7 * b + 0.5 * rng.normal(size=n)
    return pd.DataFrame({"a": a, "b": b, "c": c})


def _monotone(Z):  # increasing in every column: antithetic pairs are negatively correlated
    return np.tanh(Z[:, 0]) + Z[:, 1] + 0.5 * np.arctan(2 * Z[:, 2]) + 0.3 * Z[:, 1] * np.abs(Z[:, 2])


def _even(Z):  # even about 0 in the drawn columns: a pair's two draws give the same value
    return Z[:, 1] ** 2 + np.cos(Z[:, 2])


def test_pairs_mirror_about_the_conditional_mean():
    X = _data()
    smp = GaussianSampler().fit(X)
    noise = smp.draw_noise(7, 0, antithetic=True)
    np.testing.assert_array_equal(noise[1::2], -noise[0::2][:3])
    rows = np.zeros((2, 7, 3))
    rows[:, :, 0] = [[1.5], [-0.4]]
    smp.sample_into(rows, np.array([1, 2]), np.array([0]), noise)
    mu, S = smp.mean_, smp.covariance_
    for i, a in enumerate([1.5, -0.4]):  # closed form: E[X_bc | a] = mu_bc + S_bc,a (a - mu_a) / S_aa
        cond = mu[1:] + S[1:, 0] * (a - mu[0]) / S[0, 0]
        np.testing.assert_allclose(0.5 * (rows[i, 0:6:2, 1:] + rows[i, 1:6:2, 1:]), np.tile(cond, (3, 1)), atol=1e-12)
    # the unpaired last draw is an ordinary draw, and independent noise is unchanged by the option
    assert not np.allclose(rows[0, 6, 1:], cond)
    np.testing.assert_array_equal(smp.draw_noise(7, 0), np.random.default_rng(0).standard_normal((7, 3)))


def test_samplers_without_pairs_refuse_antithetic_true():
    X = _data(400)
    mech = MechanismSampler().fit(X, graph=GRAPH)
    assert not MechanismSampler.supports_antithetic
    with pytest.raises(ValueError, match="cannot draw antithetic pairs"):
        mech.draw_noise(10, 0, antithetic=True)
    with pytest.raises(ValueError, match=r"antithetic=True needs a sampler.*antithetic='auto' or False"):
        cx.CausalExplainer(_monotone, GRAPH, sampler="mechanism", antithetic=True).fit(X)
    # "auto" falls back to independent draws, and says so
    ex = cx.CausalExplainer(_monotone, GRAPH, sampler="mechanism", n_samples=8).fit(X)
    assert ex.explain(X[:1]).provenance["antithetic"] is False
    with pytest.raises(ValueError, match=r"antithetic='yes' is not supported. Accepted values are 'auto', True, False"):
        cx.CausalExplainer(_monotone, GRAPH, antithetic="yes").fit(X)
    assert cx.CausalExplainer(_monotone, GRAPH, antithetic=np.bool_(False)).fit(X).antithetic_ is False


def test_replicate_groups_hold_whole_pairs():
    X = _data(400)
    smp = GaussianSampler().fit(X)
    for k, b in [(150, 16), (7, 3), (9, 16), (2, 16)]:
        filler = CausalFiller(smp, smp.draw_noise(k, 0, antithetic=True), k,
                              cx.graph.chain_components(GRAPH, NAMES), antithetic=True)
        game = Game(lambda Z: Z.sum(1), X.to_numpy()[:2], filler, n_replicates=b)
        groups = game._groups
        assert game.n_replicates == min(b, (k + 1) // 2)
        np.testing.assert_array_equal(groups[0:k - 1:2], groups[1:k:2])  # both draws of a pair together
        assert np.all(np.diff(groups) >= 0) and groups[-1] == game.n_replicates - 1


def _brute_conditional(f_lin, smp, x):
    """Shapley values of v(S) = f(x_S, E[X_~S | x_S]) for a linear f (closed form of each v)."""
    d = x.size
    mu, S = smp.mean_, smp.covariance_

    def v(mask):
        z = mu.copy()
        p, a = np.flatnonzero(mask), np.flatnonzero(~mask)
        z[p] = x[p]
        if p.size and a.size:
            z[a] = mu[a] + S[np.ix_(a, p)] @ np.linalg.solve(S[np.ix_(p, p)], x[p] - mu[p])
        return f_lin(z[None])[0]

    phi = np.zeros(d)
    for i in range(d):
        for r in range(d):
            for rest in itertools.combinations([j for j in range(d) if j != i], r):
                m = np.zeros(d, bool)
                m[list(rest)] = True
                w = factorial(r) * factorial(d - r - 1) / factorial(d)
                m2 = m.copy()
                m2[i] = True
                phi[i] += w * (v(m2) - v(m))
    return phi


def test_linear_model_conditional_values_are_exact_with_pairs():
    """For a linear model a pair's mean is the conditional mean's prediction: no Monte Carlo error."""
    X = _data()
    w = np.array([0.7, -1.2, 0.4])

    def f_lin(Z):
        return Z @ w + 0.3

    ex = cx.CausalExplainer(f_lin, GRAPH, value="conditional", n_samples=10, random_state=3).fit(X)
    exp = ex.explain(X[:4])
    assert exp.provenance["antithetic"] is True
    truth = np.array([_brute_conditional(f_lin, ex.sampler_, x) for x in X.to_numpy()[:4]])
    np.testing.assert_allclose(exp.values, truth, atol=1e-10)
    assert np.max(exp.stderr) < 1e-12
    iid = cx.CausalExplainer(f_lin, GRAPH, value="conditional", n_samples=10, antithetic=False,
                             random_state=3).fit(X).explain(X[:4])
    assert np.max(np.abs(iid.values - truth)) > 1e-3 and np.min(iid.stderr) > 1e-4


def _spread(model, value, antithetic, n_seeds=60, n_samples=24):
    X = _data()
    rows = X[:3]
    vals, ses = [], []
    for seed in range(n_seeds):
        exp = cx.CausalExplainer(model, GRAPH, value=value, n_samples=n_samples, n_replicates=8,
                                 antithetic=antithetic, random_state=seed).fit(X).explain(rows)
        vals.append(exp.values)
        ses.append(exp.stderr)
    # the sampler's fit uses the seed only through nothing random: the seeds change the draws alone
    return np.std(vals, axis=0, ddof=1), np.sqrt(np.mean(np.square(ses), axis=0))


@pytest.mark.parametrize("value", ["causal", "conditional"])
@pytest.mark.parametrize("model", [_monotone, _even], ids=["monotone", "even"])
def test_standard_errors_match_the_spread_over_seeds(model, value):
    """The reported stderr against the spread of 60 independent explanations, both kinds of draws;
    and pairs beat independent draws on a monotone model, but not on an even one."""
    sd_a, se_a = _spread(model, value, "auto")
    sd_i, se_i = _spread(model, value, False)
    for sd, se in ((sd_a, se_a), (sd_i, se_i)):
        ratio = np.mean(sd) / np.mean(se)
        assert 0.75 < ratio < 1.3, ratio
    gain = np.mean(sd_i ** 2) / np.mean(sd_a ** 2)
    if model is _monotone:
        assert gain > 3, gain
    else:
        assert gain < 1.5, gain


def test_effects_standard_errors_use_pairs():
    X = _data()
    tot, se = [], []
    for seed in range(40):
        ex = cx.CausalExplainer(_monotone, GRAPH, value="causal", n_samples=8, random_state=seed).fit(X)
        res = interventional_effects(ex, n_draws=64)
        tot.append([e.total for e in res] + [e.direct for e in res])
        se.append([e.total_stderr for e in res] + [e.direct_stderr for e in res])
    ratio = np.mean(np.std(tot, axis=0, ddof=1)) / np.mean(np.sqrt(np.mean(np.square(se), axis=0)))
    assert 0.75 < ratio < 1.3, ratio
