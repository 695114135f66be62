"""The per-mask sampler diagnostic: CRPS estimators, and the held-out fit against closed forms."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate
from scipy.stats import norm

import causalx as cx
from causalx.samplers import GaussianSampler
from causalx.samplers._diagnostic import conditional_fit, crps_draws, crps_empirical


def crps_normal(mu, sd, y):
    """Closed-form CRPS of N(mu, sd^2) at y (Gneiting and Raftery 2007, Eq. 21)."""
    z = (y - mu) / sd
    return sd * (z * (2 * norm.cdf(z) - 1) + 2 * norm.pdf(z) - 1 / np.sqrt(np.pi))


def gaussian_data(n=2000, d=6, seed=0):
    rng = np.random.default_rng(seed)
    B = np.tril(rng.uniform(-0.8, 0.8, size=(d, d)), -1) + np.eye(d)
    return rng.normal(size=(n, d)) @ B.T, B @ B.T


# ---------------------------------------------------------------------------------- estimators
def test_crps_of_draws_matches_the_normal_closed_form():
    rng = np.random.default_rng(1)
    y = np.array([-2.0, 0.0, 0.5, 3.0])
    draws = 1.5 + 2.0 * rng.standard_normal((4, 200_000))
    np.testing.assert_allclose(crps_draws(draws, y), crps_normal(1.5, 2.0, y), rtol=5e-3)


def test_crps_of_draws_is_unbiased_for_few_draws():
    # the fair estimator: its mean over many 8-draw sets is the CRPS, not a biased-up value
    rng = np.random.default_rng(2)
    y = np.full(100_000, 0.7)
    est = crps_draws(rng.standard_normal((100_000, 8)), y).mean()
    assert abs(est - crps_normal(0.0, 1.0, 0.7)) < 0.005  # sd of the mean ~ 0.0015


def test_crps_of_empirical_matches_the_integral_definition():
    rng = np.random.default_rng(3)
    values = rng.gamma(2.0, size=37)
    s = np.sort(values)
    for y in [-1.0, 0.3, float(np.median(values)), 2.5, 20.0]:
        F = lambda x: np.searchsorted(s, x, side="right") / s.size  # noqa: E731
        lo, hi = min(s[0], y) - 1, max(s[-1], y) + 1
        pts = np.sort(np.concatenate([s, [y]]))
        ref = integrate.quad(lambda x: (F(x) - (x >= y)) ** 2, lo, hi, points=pts, limit=500)[0]
        assert crps_empirical(values, np.array([y]))[0] == pytest.approx(ref, abs=1e-6)


# ---------------------------------------------------------------------------------- held-out fit
@pytest.fixture(scope="module")
def fitted():
    X, cov = gaussian_data()
    names = [f"x{j}" for j in range(X.shape[1])]
    g = cx.CausalGraph(names, edges=[("x0", "x1"), ("x1", "x2"), ("x0", "x2")])
    return X, cov, names, GaussianSampler().fit(X, feature_names=names, graph=g)


def test_gaussian_sampler_per_mask_crps_matches_the_true_conditional(fitted):
    X, cov, names, s = fitted
    d = s.diagnostics_
    assert d["sampler"] == "gaussian" and d["kind"] == "conditional fit" and d["n_test"] == 400
    # the held-out rows: the seeded 20 % the sampler documents
    test = X[np.sort(np.random.default_rng(0).permutation(X.shape[0])[: X.shape[0] // 5])]
    kinds = {(m["target"], m["kind"]) for m in d["masks"]}
    assert ("x2", "parents") in kinds and ("x0", "parents") not in kinds  # a root has no parents mask
    assert len(d["masks"]) == 6 + 2
    for m in d["masks"]:
        j = names.index(m["target"])
        G = [names.index(g) for g in m["given"]]
        A = cov[np.ix_([j], G)] @ np.linalg.inv(cov[np.ix_(G, G)])
        sd = np.sqrt(cov[j, j] - (A @ cov[np.ix_(G, [j])])[0, 0])
        true = crps_normal(test[:, G] @ A[0], sd, test[:, j])
        # MC error of 64 draws per row and the covariance estimated from 1,600 rows: measured
        # |relative difference| <= 2.2 % over the masks; 4 %
        assert m["score"] == pytest.approx(true.mean(), rel=0.04), m
        # the baseline: the training marginal, close to the true marginal's CRPS
        assert m["baseline"] == pytest.approx(crps_normal(0.0, np.sqrt(cov[j, j]), test[:, j]).mean(), rel=0.04)
        assert m["skill"] == pytest.approx(1 - m["score"] / m["baseline"])
    assert d["mean_skill"] == pytest.approx(np.mean([m["skill"] for m in d["masks"]]))


def test_a_wrong_sampler_scores_worse_than_the_marginal(fitted):
    X, cov, names, s = fitted
    train, test = X[:1600], X[1600:]
    wrong = GaussianSampler().fit(train, feature_names=names)
    flip = np.ones(len(names))
    flip[2] = -1.0  # x2's dependence on every other feature with the wrong sign (still a covariance)
    wrong.covariance_ = wrong.covariance_ * np.outer(flip, flip)
    wrong._cache.clear()
    right = GaussianSampler().fit(train, feature_names=names)
    bad = {m["target"]: m for m in conditional_fit(wrong, test, train, name="wrong", holdout="rows 1600:")["masks"]}
    good = {m["target"]: m for m in conditional_fit(right, test, train, name="right", holdout="rows 1600:")["masks"]}
    assert bad["x2"]["skill"] < 0 < good["x2"]["skill"]
    assert bad["x2"]["baseline"] == good["x2"]["baseline"]


def test_too_few_rows_give_no_diagnostic():
    X = np.random.default_rng(0).normal(size=(8, 3))
    assert GaussianSampler().fit(X).diagnostics_ is None


def test_explanation_records_the_diagnostic_and_the_report_shows_it(fitted):
    from causalx.report._write import _sampler_lines

    X, cov, names, s = fitted
    g = cx.CausalGraph(names, components=[names])
    w = np.arange(1.0, 7.0)
    exp = cx.CausalExplainer(lambda Z: np.asarray(Z) @ w, g, value="conditional", sampler="gaussian",
                             n_samples=64, random_state=0).fit(X[:500]).explain(X[:2])
    diag = exp.provenance["sampler_diagnostic"]
    assert diag["sampler"] == "gaussian" and len(diag["masks"]) == 6  # one component: no parents masks
    assert diag["off_manifold_share"] == exp.provenance["manifold"]["off_manifold_share"]
    text = "\n".join(_sampler_lines({"conditional": {"sampler_diagnostic": diag}}))
    m = diag["masks"][0]
    assert "| feature | given | score | marginal | skill |" in text
    assert f"| x0 | all others | {m['score']:.4g} (CRPS) | {m['baseline']:.4g} | {m['skill']:.4g} |" in text
    assert f"{100 * diag['off_manifold_share']:.1f} % of the evaluated rows off the data manifold" in text
