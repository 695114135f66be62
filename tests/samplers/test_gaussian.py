"""GaussianSampler: conditional moments against closed forms computed here with inv()."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.covariance import empirical_covariance, ledoit_wolf, shrunk_covariance

from causalx.samplers import GaussianSampler


def closed_form(mu, cov, T, G, x_G):
    """Textbook conditional N(mu_T + S_TG S_GG^-1 (x_G - mu_G), S_TT - S_TG S_GG^-1 S_GT)."""
    if len(G) == 0:
        return mu[T], cov[np.ix_(T, T)]
    inv = np.linalg.inv(cov[np.ix_(G, G)])
    A = cov[np.ix_(T, G)] @ inv
    return mu[T] + A @ (x_G - mu[G]), cov[np.ix_(T, T)] - A @ cov[np.ix_(G, T)]


def check_moments(draws, mean, cov, n_se=4.0):
    """Sample mean within n_se standard errors; sample covariance within n_se of its SE."""
    K = draws.shape[0]
    se_mean = np.sqrt(np.diag(cov) / K)
    np.testing.assert_array_less(np.abs(draws.mean(0) - mean), n_se * se_mean)
    emp = np.cov(draws, rowvar=False).reshape(cov.shape)
    var = np.diag(cov)
    se_cov = np.sqrt((np.outer(var, var) + cov**2) / K)
    np.testing.assert_array_less(np.abs(emp - cov), n_se * se_cov + 1e-12)


@pytest.mark.parametrize(
    "T, G",
    [([2, 3], [0, 1]), ([0], [1, 2, 3]), ([3, 1], [2]), ([0, 1, 2, 3], []), ([1], [3, 0])],
)
def test_conditional_moments_match_closed_form(gaussian_data, T, G):
    sampler = GaussianSampler().fit(gaussian_data)
    mu, cov = sampler.mean_, sampler.covariance_
    x_G = np.array([[0.5, -1.0, 2.0][: len(G)], [2.0, 0.0, 3.0][: len(G)]])
    K = 100_000
    draws = sampler.sample(x_G, T, G, K, random_state=42)
    assert draws.shape == (2, K, len(T))
    for i in range(2):
        mean, c = closed_form(mu, cov, np.array(T), np.array(G, dtype=int), x_G[i])
        check_moments(draws[i], mean, c)


def test_fitted_moments(gaussian_data):
    sampler = GaussianSampler().fit(gaussian_data)
    np.testing.assert_allclose(sampler.mean_, gaussian_data.mean(0))
    np.testing.assert_allclose(sampler.covariance_, np.cov(gaussian_data, rowvar=False, ddof=0))
    assert sampler.shrinkage_ == 0.0


def test_empty_given_is_marginal(gaussian_data):
    sampler = GaussianSampler().fit(gaussian_data)
    cond = sampler.conditional([0, 1, 2, 3], [])
    np.testing.assert_allclose(cond.intercept, sampler.mean_)
    np.testing.assert_allclose(cond.scale @ cond.scale.T, sampler.covariance_, atol=1e-9)
    assert cond.coef.shape == (4, 0)


def test_cache_is_hit_and_reset_on_fit(gaussian_data):
    sampler = GaussianSampler().fit(gaussian_data)
    c1 = sampler.conditional([2, 3], [0, 1])
    assert sampler.conditional(np.array([2, 3]), np.array([0, 1])) is c1
    assert sampler.conditional([3, 2], [0, 1]) is not c1  # order matters
    rows = np.zeros((2, 5, 4))
    sampler.sample_into(rows, np.array([2, 3]), np.array([0, 1]), sampler.draw_noise(5, 0))
    assert sampler.conditional([2, 3], [0, 1]) is c1
    assert len(sampler._cache) == 2
    with pytest.raises(ValueError, match="read-only"):
        c1.coef[0, 0] = 1.0
    sampler.fit(gaussian_data[:100])
    assert sampler.conditional([2, 3], [0, 1]) is not c1


def test_affine_map_matches_textbook(gaussian_data):
    sampler = GaussianSampler().fit(gaussian_data)
    mu, cov = sampler.mean_, sampler.covariance_
    T, G = np.array([1, 3]), np.array([0, 2])
    cond = sampler.conditional(T, G)
    x = np.array([0.3, -0.7])
    mean, c = closed_form(mu, cov, T, G, x)
    np.testing.assert_allclose(cond.intercept + cond.coef @ x, mean)
    np.testing.assert_allclose(cond.scale @ cond.scale.T, c, atol=1e-9)
    np.testing.assert_allclose(cond.scale, np.tril(cond.scale))  # Cholesky when PD


def test_common_random_numbers_are_feature_indexed(gaussian_data):
    """The draw of feature j uses noise column j, whatever the other targets are."""
    sampler = GaussianSampler().fit(gaussian_data)
    noise = sampler.draw_noise(200, 0)
    base = np.tile(gaussian_data[:3, None, :], (1, 200, 1))
    a, b = base.copy(), base.copy()
    sampler.sample_into(a, [2], [0, 1], noise)
    sampler.sample_into(b, [2, 3], [0, 1], noise)
    np.testing.assert_allclose(a[..., 2], b[..., 2])


def test_draws_vary_with_given_values_per_draw(gaussian_data):
    """rows[..., given] may differ per draw (causal chain sampling)."""
    sampler = GaussianSampler().fit(gaussian_data)
    K = 7
    rows = np.random.default_rng(0).normal(size=(3, K, 4))
    noise = sampler.draw_noise(K, 0)
    sampler.sample_into(rows, [2, 3], [0, 1], noise)
    cond = sampler.conditional([2, 3], [0, 1])
    for i in range(3):
        for k in range(K):
            expect = cond.intercept + cond.coef @ rows[i, k, [0, 1]] + cond.scale @ noise[k, [2, 3]]
            np.testing.assert_allclose(rows[i, k, [2, 3]], expect)


def test_singular_covariance_does_not_crash():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 2))
    X = np.column_stack([x[:, 0], x[:, 0], x[:, 1] + x[:, 0]])  # duplicated column
    sampler = GaussianSampler().fit(X)
    # conditioning on both copies (singular Sigma_GG)
    draws = sampler.sample(np.array([[1.0, 1.0]]), [2], [0, 1], 20_000, random_state=0)
    assert np.all(np.isfinite(draws))
    mean, _ = closed_form(sampler.mean_, sampler.covariance_, np.array([2]), np.array([0]), np.array([1.0]))
    assert abs(draws.mean() - mean[0]) < 0.05
    # drawing a copy given the other: zero conditional variance (not PD) -> the given value
    draws = sampler.sample(np.array([[0.7]]), [1, 2], [0], 1000, random_state=0)
    assert np.all(np.isfinite(draws))
    np.testing.assert_allclose(draws[..., 0], 0.7, atol=1e-3)
    # marginal of a rank-deficient covariance
    draws = sampler.sample(np.zeros((1, 0)), [0, 1, 2], [], 1000, random_state=0)
    np.testing.assert_allclose(draws[..., 0], draws[..., 1], atol=1e-3)


def test_shrinkage_options(gaussian_data):
    emp = empirical_covariance(gaussian_data)
    s = GaussianSampler(shrinkage=0.5).fit(gaussian_data)
    np.testing.assert_allclose(s.covariance_, shrunk_covariance(emp, shrinkage=0.5))
    assert s.shrinkage_ == 0.5
    lw = GaussianSampler(shrinkage="ledoit_wolf").fit(gaussian_data)
    cov_lw, amount = ledoit_wolf(gaussian_data)
    np.testing.assert_allclose(lw.covariance_, cov_lw)
    assert lw.shrinkage_ == pytest.approx(amount) and 0 <= amount <= 1
    full = GaussianSampler(shrinkage=1.0).fit(gaussian_data)
    off = full.covariance_ - np.diag(np.diag(full.covariance_))
    np.testing.assert_allclose(off, 0, atol=1e-12)


@pytest.mark.parametrize(
    "params, exc, match",
    [
        ({"shrinkage": 1.5}, ValueError, r"shrinkage=1.5 is out of range"),
        ({"shrinkage": -0.1}, ValueError, "out of range"),
        ({"shrinkage": "oas"}, ValueError, "ledoit_wolf"),
        ({"shrinkage": None}, TypeError, "ledoit_wolf"),
        ({"jitter": -1.0}, ValueError, "jitter"),
    ],
)
def test_bad_params(gaussian_data, params, exc, match):
    with pytest.raises(exc, match=match):
        GaussianSampler(**params).fit(gaussian_data)


def test_single_feature():
    X = np.random.default_rng(0).normal(3.0, 2.0, size=(400, 1))
    sampler = GaussianSampler().fit(X)
    assert sampler.covariance_.shape == (1, 1)
    draws = sampler.sample(np.zeros((2, 0)), [0], [], 5000, random_state=0)
    assert draws.shape == (2, 5000, 1)
    assert abs(draws.mean() - X.mean()) < 0.1


def test_vectorised_fill_equals_per_explicand_loop():
    """N=100, K=1000, d=10: one vectorised fill equals filling each explicand on its own.

    (No timing is asserted: it depends on the machine; speed belongs in benchmarks/.)
    """
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1000, 10)) @ rng.normal(size=(10, 10))
    sampler = GaussianSampler().fit(X)
    N, K = 100, 1000
    T, G = np.arange(5, 10), np.arange(5)
    rows = np.tile(X[:N, None, :], (1, K, 1))
    noise = sampler.draw_noise(K, 0)
    sampler.sample_into(rows, T, G, noise)
    for i in (0, 57):
        single = np.tile(X[i, None, None, :], (1, K, 1))
        sampler.sample_into(single, T, G, noise)
        np.testing.assert_allclose(rows[i], single[0])
