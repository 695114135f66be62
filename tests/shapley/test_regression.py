"""method="regression": paired regression KernelSHAP with exact border sizes and jackknife errors.

Every check compares with brute-force values from the definition (shapley_testutils), computed
with itertools over all coalitions / consistent orderings.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from shapley_testutils import (TableGame, brute_orderings, brute_symmetric, check_layered_estimate,
                               consistent_permutations,
                               coverage_of_stderr, layered_closed_form, structured_table)

from causalx.exceptions import ConvergenceWarning
from causalx.shapley import PartialOrder, estimate_shapley, resolve_method
from causalx.shapley._regression import _border_sizes


def _run(table, order, max_evals, seed, tol=1e-9):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimate_shapley(TableGame(table), order, method="regression", max_evals=max_evals, tol=tol,
                                random_state=seed)


def test_full_budget_is_exact_and_efficiency_always_holds():
    d = 8
    table = structured_table(np.random.default_rng(0), d)
    exact = brute_symmetric(table.mean(axis=2), d)
    full = _run(table, PartialOrder.symmetric(d), 2**d, 0)
    np.testing.assert_allclose(full.values, exact, atol=1e-10)
    assert np.all(full.stderr == 0) and full.converged
    for budget in (20, 60, 150):
        res = _run(table, PartialOrder.symmetric(d), budget, 1)
        assert res.n_coalitions <= budget
        np.testing.assert_allclose(res.values.sum(axis=1), res.full_values - res.base_values, atol=1e-10)
        np.testing.assert_allclose(res.full_values - res.base_values, table[:, -1, 0] - table[:, 0, 0])


def test_converges_to_brute_force_and_bias_is_small():
    d = 10
    table = structured_table(np.random.default_rng(1), d, n=1)
    exact = brute_symmetric(table.mean(axis=2), d)
    rmse, bias = {}, {}
    for budget in (80, 320):
        est = np.stack([_run(table, PartialOrder.symmetric(d), budget, s).values[0] for s in range(60)])
        rmse[budget] = float(np.sqrt(np.mean((est - exact[0]) ** 2)))
        bias[budget] = float(np.max(np.abs(est.mean(axis=0) - exact[0])))
        sd = est.std(axis=0, ddof=1).max()
        # ratio estimator: the bias is O(1/m), well below the spread of one estimate
        assert bias[budget] <= 0.25 * rmse[budget] + 4 * sd / np.sqrt(len(est))
    assert rmse[320] <= 0.6 * rmse[80]  # ~ 1/sqrt(m) (4x the coalitions: 0.5x), plus the border sizes


def test_stderr_calibrated_and_never_zero_with_nonzero_error():
    """Coverage of ±1.96 se over R seeds × d players; tolerance from R alone (conservative:
    entries of one seed are correlated) plus 0.02 for the O(1/m) bias."""
    d, n_seeds = 9, 150
    table = structured_table(np.random.default_rng(2), d, n=1)
    coverage, zero_bad = coverage_of_stderr(lambda tb, seed: _run(tb, PartialOrder.symmetric(d), 90, seed), table, d, n_seeds)
    tol = 3 * np.sqrt(0.95 * 0.05 / n_seeds) + 0.02
    assert abs(coverage - 0.95) <= tol, coverage
    assert zero_bad == 0


def test_monte_carlo_error_of_the_game_enters_the_stderr():
    d = 6
    table = structured_table(np.random.default_rng(3), d, n=2, n_rep=8)
    res = _run(table, PartialOrder.symmetric(d), 2**d, 0)  # everything enumerated: no sampling error
    reps = np.stack([brute_symmetric(table[:, :, b], d) for b in range(8)], axis=1)  # (n, B, d)
    np.testing.assert_allclose(res.values, reps.mean(axis=1), atol=1e-10)
    np.testing.assert_allclose(res.stderr, reps.std(axis=1, ddof=1) / np.sqrt(8), atol=1e-10)


@pytest.mark.parametrize("layers", [[[0, 1, 2], [3, 4, 5, 6, 7, 8, 9, 10]], [[0], [1, 2, 3, 4, 5, 6, 7, 8, 9], [10]],
                                    [[0, 1], [2, 3, 4, 5, 6], [7]]])
def test_layered_asymmetric_values_match_brute_force(layers):
    d = sum(len(lay) for lay in layers)
    table = structured_table(np.random.default_rng(4), d, n=1, noise=0.1)
    order = PartialOrder.from_layers(layers)
    exact = layered_closed_form(table.mean(axis=2), layers)
    # the same values from the orderings themselves (every consistent ordering, by brute force)
    pairs = [(a, b) for k, lay in enumerate(layers) for a in lay for later in layers[k + 1 :] for b in later]
    if order.n_linear_extensions() <= 1000:
        np.testing.assert_allclose(brute_orderings(table.mean(axis=2), d, consistent_permutations(d, pairs)), exact,
                                   atol=1e-10)
    full = _run(table, order, 2**d, 0)
    np.testing.assert_allclose(full.values, exact, atol=1e-9)
    res = _run(table, order, 300 if d > 8 else 60, 1)
    check_layered_estimate(res, table, layers, exact)


def test_auto_and_errors():
    big = PartialOrder.symmetric(14)
    assert resolve_method(big) == "adjusted"  # auto: the regression-adjusted estimator (test_adjusted.py)
    assert resolve_method(big, decompose=True) == "permutation"
    assert resolve_method(PartialOrder.from_layers([list(range(13)), [13]])) == "adjusted"
    general = PartialOrder.from_precedences(14, [(0, 1), (2, 3), (0, 3)])
    assert general.layers is None and resolve_method(general) == "permutation"
    game = TableGame(structured_table(np.random.default_rng(5), 6, n=1))
    with pytest.raises(ValueError, match="not layered. Use method='permutation'"):
        estimate_shapley(game, PartialOrder.from_precedences(6, [(0, 1), (2, 3), (0, 3)]), method="regression")
    game.transitions = lambda masks, players: np.zeros((1, len(players), 1))
    with pytest.raises(ValueError, match="not 'regression'"):
        estimate_shapley(game, PartialOrder.symmetric(6), method="regression", decompose=True)
    with pytest.raises(ValueError, match="max_evals=5 is too low for the regression method"):
        estimate_shapley(game, PartialOrder.symmetric(6), method="regression", max_evals=5)
    # a number of orderings names the permutation estimator under auto
    d = 13
    beta = np.arange(1.0, d + 1)
    res = estimate_shapley(lambda m: (m @ beta)[None, :, None], PartialOrder.symmetric(d), n_permutations=4,
                           random_state=0)
    assert res.method == "permutation" and res.n_orderings == 4


def test_adaptive_rule_stops_on_tol_and_additive_game_is_exact():
    d = 16
    beta = np.linspace(-1, 2, d)
    calls = []

    def game(masks):
        calls.append(len(masks))
        return (masks @ beta)[None, :, None]

    res = estimate_shapley(game, PartialOrder.symmetric(d), method="regression", random_state=0)
    assert res.method == "regression" and res.converged
    np.testing.assert_allclose(res.values[0], beta, atol=1e-9)
    assert res.n_coalitions < 200  # an additive game: the first round suffices
    assert sum(calls) == res.n_coalitions  # each distinct coalition evaluated once


def test_border_rule():
    # sizes 1 and d-1 first, then 2 and d-2, ... while the kernel's share affords them
    assert _border_sizes(10, 10_000) == list(range(1, 10))
    assert _border_sizes(32, 100) == []
    assert _border_sizes(32, 400) == [1, 31]
    s = _border_sizes(12, 2000)
    assert s == sorted(s) and all(12 - k in s for k in s)


def test_few_draws_stay_finite_and_efficient():
    """At the minimum budget some players may never be separated (a singular system): the
    minimum-norm solution stays finite and efficient, and the stderr is never 0 there."""
    d = 40
    rng = np.random.default_rng(7)
    beta, gam = rng.normal(size=d), rng.normal(size=(d, d)) * 0.3

    def game(masks):
        z = masks.astype(float)
        return (z @ beta + np.einsum("mi,ij,mj->m", z, np.triu(gam, 1), z) + 2 * z[:, 0] * z[:, 1] * z[:, 2])[None, :, None]

    with pytest.raises(ValueError, match="max_evals=81 is too low"):
        estimate_shapley(game, PartialOrder.symmetric(d), method="regression", max_evals=81)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        res = estimate_shapley(game, PartialOrder.symmetric(d), method="regression", max_evals=82, random_state=0)
    assert res.n_coalitions <= 82 and np.all(np.isfinite(res.values))
    full = np.ones((1, d), dtype=bool)
    np.testing.assert_allclose(res.values.sum(), game(full)[0, 0, 0] - game(~full)[0, 0, 0], atol=1e-9)
    assert np.all(res.stderr > 0)


# ------------------------------------------------------------------------ balanced paired draws
def _offdiag(z, w):
    """Off-diagonal entries of the weighted information ``Σ w x xᵀ`` of ``x = 2 z − 1``: their mean
    is fixed by the sizes; the balancing lowers their spread."""
    x = np.where(z, 1.0, -1.0)
    c = (x * w[:, None]).T @ x
    return c[~np.eye(z.shape[1], dtype=bool)]


def test_balanced_draws_keep_sizes_and_lower_the_off_diagonal_information():
    from causalx.shapley._regression import _balanced

    rng = np.random.default_rng(0)
    n, m = 32, 46
    sizes = rng.integers(2, n - 1, size=m)
    new = np.argsort(np.argsort(rng.random((m, n)), axis=1), axis=1) < sizes[:, None]
    weight = lambda k: 1.0 / (k * (n - k))  # any positive weight of the size
    out = _balanced(np.zeros((0, n), dtype=bool), new.copy(), weight, np.random.default_rng(1))
    np.testing.assert_array_equal(out.sum(axis=1), sizes)
    w = weight(sizes)
    before, after = _offdiag(new, w), _offdiag(out, w)
    assert after.mean() == pytest.approx(before.mean(), rel=1e-12)  # fixed by the sizes
    assert after.var() < 0.2 * before.var(), (before.var(), after.var())  # measured: 0.09
    # with earlier draws held fixed (not returned), the joint design is balanced too
    old, extra = new[:20], new[20:]
    joint = np.concatenate([old, _balanced(old, extra.copy(), weight, np.random.default_rng(2))])
    assert _offdiag(joint, w).var() < 0.5 * before.var()


def test_balanced_draws_are_marginally_uniform_subsets_of_their_size():
    """Each draw of the balanced design is still a uniform subset of its size (the importance
    weights assume it): over 3,000 designs the frequency of every 2-subset of 5 players, for the
    first draw, is 1/10 within 4 binomial standard errors."""
    from causalx.shapley._regression import _balanced

    n, m, reps = 5, 6, 3000
    counts = {}
    rng = np.random.default_rng(3)
    for _ in range(reps):
        sizes = np.array([2, 3, 2, 2, 3, 2])
        new = np.argsort(np.argsort(rng.random((m, n)), axis=1), axis=1) < sizes[:, None]
        out = _balanced(np.zeros((0, n), dtype=bool), new, lambda k: np.ones(len(k)), rng)
        key = tuple(np.flatnonzero(out[0]))
        counts[key] = counts.get(key, 0) + 1
    assert len(counts) == 10
    p = 0.1
    se = np.sqrt(p * (1 - p) / reps)
    for key, c in counts.items():
        assert abs(c / reps - p) < 4 * se, (key, c / reps)
