"""One contract suite, ``check_sampler``, run over every sampler."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.linear_model import LinearRegression

from causalx.exceptions import CausalxError, DataValidationError, NotFittedError
from causalx.samplers import BaseSampler, GaussianSampler, MechanismSampler

NAMES = ("X1", "X2", "X3")
# (target, given) pairs valid for every sampler on X1 -> X2 -> X3, X1 -> X3
CASES = [([2], [0, 1]), ([1, 2], [0]), ([0, 1, 2], []), ([0, 2], [1])]


def check_sampler(sampler: BaseSampler, X: np.ndarray, graph) -> None:
    """Contract every sampler must satisfy (shapes, purity, determinism, errors)."""
    n, d = X.shape
    X_orig = X.copy()
    params = sampler.get_params()

    # unfitted use
    unfitted = clone(sampler)
    for call in (lambda: unfitted.draw_noise(5, 0), lambda: unfitted.sample_into(np.zeros((1, 5, d)), [0], [], None)):
        with pytest.raises(NotFittedError, match="not fitted yet"):
            call()

    # fit returns self, sets attributes, does not touch X or the parameters
    fitted = clone(sampler)
    assert fitted.fit(X, graph=graph, feature_names=list(NAMES)) is fitted
    np.testing.assert_array_equal(X, X_orig)
    assert fitted.n_features_in_ == d
    assert fitted.feature_names_in_ == NAMES
    assert repr(fitted.get_params()) == repr(params)
    clone(fitted)  # clone of a fitted sampler works and is unfitted
    assert not hasattr(clone(fitted), "n_features_in_")

    rng = np.random.default_rng(123)
    N, K = 4, 50
    noise = fitted.draw_noise(K, 0)
    noise_copy = np.copy(noise)
    for target, given in CASES:
        target_arr, given_arr = np.array(target), np.array(given)
        rows = rng.normal(size=(N, K, d))
        before = rows.copy()
        fitted.sample_into(rows, target_arr, given_arr, noise)
        others = np.setdiff1d(np.arange(d), target)
        np.testing.assert_array_equal(rows[..., others], before[..., others])
        assert np.all(np.isfinite(rows[..., target]))
        assert not np.any(rows[..., target] == before[..., target])
        np.testing.assert_array_equal(target_arr, target)
        np.testing.assert_array_equal(given_arr, given)
        np.testing.assert_array_equal(np.asarray(noise), noise_copy)

        # same noise -> identical output; different noise -> different output
        again = before.copy()
        fitted.sample_into(again, target, given, noise)
        np.testing.assert_array_equal(again, rows)
        other = before.copy()
        fitted.sample_into(other, target, given, fitted.draw_noise(K, 1))
        assert not np.allclose(other[..., target], rows[..., target])

        # given_fixed: True (the conditional filler's promise that x_given repeats over the
        # draws) or a mask over the features (the causal filler: x_S fixed, earlier draws not;
        # each prefix of the given columns marked) gives the draws of the general path, to
        # rounding (a sampler may compute the marked part once per explicand)
        prefixes = [np.isin(np.arange(d), given[:k]) for k in range(len(given) + 1)]
        for promise in [True, *prefixes]:
            marked = np.isin(np.arange(d), given) if promise is True else promise
            part = before.copy()
            part[:, :, marked] = before[:, :1, marked]
            general = part.copy()
            fitted.sample_into(part, target, given, noise, given_fixed=promise)
            fitted.sample_into(general, target, given, noise)
            np.testing.assert_allclose(part, general, rtol=1e-12, atol=1e-12)

        # sample(): shape and agreement with sample_into
        x_given = before[:, 0, given]
        out = fitted.sample(x_given, target, given, K, random_state=0)
        assert out.shape == (N, K, len(target))
        rows2 = np.full((N, K, d), np.nan)
        rows2[:, :, given] = x_given[:, None, :]
        fitted.sample_into(rows2, target, given, fitted.draw_noise(K, 0))
        np.testing.assert_array_equal(out, rows2[..., target])

    with pytest.raises(ValueError, match="given_fixed must be a bool or a boolean mask"):
        fitted.sample_into(rows, [1], [0], noise, given_fixed=np.array([1, 0]))

    # empty target is a no-op, boolean masks are accepted
    rows = rng.normal(size=(N, K, d))
    before = rows.copy()
    fitted.sample_into(rows, [], np.arange(d), noise)
    np.testing.assert_array_equal(rows, before)
    a, b = rows.copy(), rows.copy()
    fitted.sample_into(a, np.array([False, True, True]), np.array([True, False, False]), noise)
    fitted.sample_into(b, [1, 2], [0], noise)
    np.testing.assert_array_equal(a, b)

    # refitting with the same data and parameters gives the same draws
    refit = clone(sampler).fit(X, graph=graph, feature_names=list(NAMES))
    r1, r2 = before.copy(), before.copy()
    fitted.sample_into(r1, [1, 2], [0], noise)
    refit.sample_into(r2, [1, 2], [0], refit.draw_noise(K, 0))
    np.testing.assert_allclose(r1, r2)

    # bad input
    bad_fit = [
        (np.where(np.arange(X.size).reshape(X.shape) == 7, np.nan, X), "NaN"),
        (X[:, 0], "2-D"),
        (X[:1], "at least 2 rows"),
        ([["a", "b", "c"], ["d", "e", "f"]], "numeric"),
    ]
    for X_bad, msg in bad_fit:
        with pytest.raises(DataValidationError, match=msg):
            clone(sampler).fit(X_bad, graph=graph, feature_names=list(NAMES))
    with pytest.raises(DataValidationError, match="unique"):
        clone(sampler).fit(X, graph=graph, feature_names=["X1", "X1", "X3"])

    bad_calls = [
        (lambda: fitted.sample_into(np.zeros((N, K, d + 1)), [0], [], noise), DataValidationError, "fitted on 3"),
        (lambda: fitted.sample_into(np.zeros((N * K, d)), [0], [], noise), DataValidationError, "3-D"),
        (lambda: fitted.sample_into(np.zeros((N, K, d), dtype=int), [0], [], noise), DataValidationError, "floating"),
        (lambda: fitted.sample_into(np.zeros((N, K + 1, d)), [0], [], noise), ValueError, "n_draws=50"),
        (lambda: fitted.sample_into(np.zeros((N, K, d)), [0, 1], [1], noise), ValueError, "disjoint"),
        (lambda: fitted.sample_into(np.zeros((N, K, d)), [0, 0], [], noise), ValueError, "repeated"),
        (lambda: fitted.sample_into(np.zeros((N, K, d)), [3], [], noise), ValueError, "outside"),
        (lambda: fitted.sample_into(np.zeros((N, K, d)), [0.0], [], noise), TypeError, "integer"),
        (lambda: fitted.sample_into(np.zeros((N, K, d)), [0], [], "noise"), ValueError, "draw_noise"),
        (lambda: fitted.draw_noise(0, 0), ValueError, "n_draws"),
        (lambda: fitted.sample(np.zeros((N, 2)), [2], [0], K, 0), DataValidationError, "shape"),
        (lambda: fitted.sample(np.full((N, 1), np.nan), [1, 2], [0], K, 0), DataValidationError, "NaN"),
    ]
    for call, exc, msg in bad_calls:
        with pytest.raises(exc, match=msg):
            call()
    assert issubclass(DataValidationError, CausalxError)


SAMPLERS = [
    pytest.param(GaussianSampler(), id="gaussian"),
    pytest.param(GaussianSampler(shrinkage="ledoit_wolf"), id="gaussian-lw"),
    pytest.param(MechanismSampler(regressor=LinearRegression(), random_state=0), id="mechanism-linear"),
    pytest.param(
        MechanismSampler(regressor=HistGradientBoostingRegressor(max_iter=30), random_state=0, n_splits=3),
        id="mechanism-hgb",
    ),
]


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_check_sampler(sampler, scm_graph):
    X = np.random.default_rng(5).normal(size=(300, 3)).cumsum(axis=1)
    check_sampler(sampler, X, scm_graph)


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_dataframe_columns_become_feature_names(sampler, scm_graph):
    pd = pytest.importorskip("pandas")
    X = np.random.default_rng(5).normal(size=(60, 3)).cumsum(axis=1)
    fitted = clone(sampler).fit(pd.DataFrame(X, columns=list(NAMES)), graph=scm_graph)
    assert fitted.feature_names_in_ == NAMES


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_float32_rows_are_filled(sampler, scm_graph):
    X = np.random.default_rng(5).normal(size=(60, 3)).cumsum(axis=1)
    fitted = clone(sampler).fit(X, graph=scm_graph, feature_names=list(NAMES))
    rows = np.zeros((2, 10, 3), dtype=np.float32)
    fitted.sample_into(rows, [1, 2], [0], fitted.draw_noise(10, 0))
    assert rows.dtype == np.float32 and np.all(rows[..., 1:] != 0)


def test_supports_conditional_flags():
    assert GaussianSampler.supports_conditional is True
    assert MechanismSampler.supports_conditional is False
