"""method="adjusted": regression-adjusted Monte Carlo (kernel surrogate + paired KernelSHAP residual).

Every check compares with values computed another way: brute force from the definition over all
coalitions / consistent orderings (shapley_testutils), or the closed form of a sparse polynomial
game (each Möbius coefficient split equally over its members; for layered orders, over its
members in the latest layer present).
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from shapley_testutils import (TableGame, brute_orderings, brute_symmetric, check_layered_estimate,
                               consistent_permutations,
                               coverage_of_stderr, layered_closed_form, structured_table)

from causalx.exceptions import ConvergenceWarning
from causalx.shapley import PartialOrder, estimate_shapley, resolve_method
from causalx.shapley._adjusted import _Surrogate


def poly_game(rng, d, n_terms, max_order, layers=None):
    """A sparse Möbius polynomial v(S) = Σ_T c_T 1[T ⊆ S] and its closed-form values.

    Symmetric: c_T split equally over T. Layered: split equally over the members of T in the
    latest layer T meets (the earlier layers are always present when that layer's players join).
    """
    terms = [tuple(rng.choice(d, size=int(rng.integers(1, max_order + 1)), replace=False)) for _ in range(n_terms)]
    coef = rng.normal(size=n_terms)
    layer_of = np.zeros(d, int)
    for k, lay in enumerate(layers or [list(range(d))]):
        layer_of[lay] = k
    phi = np.zeros(d)
    for t, c in zip(terms, coef, strict=True):
        last = [i for i in t if layer_of[i] == max(layer_of[list(t)])]
        phi[last] += c / len(last)

    def game(masks):
        z = masks.astype(float)
        return sum(c * np.prod(z[:, list(t)], axis=1) for t, c in zip(terms, coef, strict=True))[None, :, None]

    return game, phi


def _run(game, order, max_evals, seed, tol=1e-9, method="adjusted"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimate_shapley(game, order, method=method, max_evals=max_evals, tol=tol, random_state=seed)


@pytest.mark.parametrize("importance", [None, np.array([3.0, 0.1, 1.0, 0.0, 2.0, 0.5, 0.2])])
def test_surrogate_shapley_values_match_brute_force_on_the_fitted_function(importance, monkeypatch):
    """φ(g) in closed form = the Shapley values of g computed from its values on all 2^d coalitions
    (plain kernel, and the heredity-weighted kernels the importance allows)."""
    d = 7
    rng = np.random.default_rng(0)
    zf = np.concatenate([rng.random((40, d)) < 0.5, np.ones((1, d), bool)]).astype(float)
    y = rng.normal(size=(len(zf), 2))
    sur = _Surrogate(zf, y, importance)
    if importance is not None:  # force a weighted candidate: its closed form is what is checked
        from causalx.shapley import _adjusted as adj

        for order, power in [(o, p) for o in (3, 4) for p in adj.HEREDITY_GRID if p > 0]:
            monkeypatch.setattr(adj, "_candidates", lambda n, o=order, p=power: [(o, 0.3, p)])
            forced = _Surrogate(zf, y, importance)
            assert (forced.order, forced.power) == (order, power) and not np.allclose(forced.theta, 1.0)
            a = forced.alpha(y)
            g = (forced.cross(np.array(list(itertools.product([0, 1], repeat=d)))[:, ::-1].astype(float)) @ a).T
            np.testing.assert_allclose(forced.phi(a).T, brute_symmetric(g, d), atol=1e-10)
        monkeypatch.undo()
    alpha = sur.alpha(y)
    every = np.array(list(itertools.product([0, 1], repeat=d)))[:, ::-1].astype(float)  # row c has code c
    g_table = (sur.cross(every) @ alpha).T  # (2, 2**d)
    np.testing.assert_allclose(g_table[:, 0], 0.0, atol=1e-12)  # no constant: g(∅) = 0
    np.testing.assert_allclose(sur.phi(alpha).T, brute_symmetric(g_table, d), atol=1e-10)


@pytest.mark.parametrize("precompute", [False, True])
def test_jackknife_replicates_equal_refits_from_scratch(precompute, monkeypatch):
    """The closed-form delete-one-group replicates (surrogate downdated through H, residual normal
    matrix downdated) equal a kernel ridge refit and a weighted regression rebuilt from scratch on
    the remaining coalitions, with the same hyperparameters; both ways of forming K_x H[:, F]."""
    import causalx.shapley._adjusted as adj
    from causalx.shapley._regression import _kkt_solve

    rng = np.random.default_rng(5)
    n, n_ex, n_pairs, nx = 8, 8, 30, 3
    ex = np.eye(n, dtype=bool)  # an enumerated size (singletons)
    draws = rng.random((n_pairs, n)) < 0.5
    z = np.concatenate([ex, draws, ~draws]).astype(float)
    wp = rng.uniform(0.5, 2.0, n_pairs)
    w = np.concatenate([np.full(n_ex, 0.3), 0.5 * wp, 0.5 * wp])
    ybar = rng.normal(size=(len(z), nx))
    dbar = rng.normal(size=nx)
    fit = np.sort(rng.choice(len(z), 40, replace=False))  # a fit subset, as above M_FIT
    zf = np.concatenate([z[fit], np.ones((1, n))])
    sur = _Surrogate(zf, np.concatenate([ybar[fit], dbar[None, :]]))
    kx, k_full = sur.cross(z), sur.cross(np.ones((1, n)))[0]
    monkeypatch.setattr(adj, "JK_GROUPS", 7)
    if precompute:  # 20 copies of the rows: G · nx > |fit set|, so K_x H is formed once
        assert 7 * 20 * nx > len(zf)
        loo = adj._jackknife(sur, z, w, n_ex, n_pairs, fit, kx, k_full, np.tile(ybar, 20), np.tile(dbar, 20))[:, :nx]
    else:  # G · nx <= |fit set|: K_x (H[:, F] c) per group
        assert 7 * nx <= len(zf)
        loo = adj._jackknife(sur, z, w, n_ex, n_pairs, fit, kx, k_full, ybar, dbar)
    assert loo.shape == (7, nx, n)

    def kern(a, b):
        return sum(lk * c for lk, c in zip(sur.lam, adj._esym(a, b, sur.theta, sur.order)))

    group = np.arange(n_pairs) % 7
    for g in range(7):
        sel = np.flatnonzero(group == g)
        keep = np.ones(len(z), bool)
        keep[n_ex + sel] = keep[n_ex + n_pairs + sel] = False
        kf = np.r_[fit[keep[fit]]]
        zk = np.concatenate([z[kf], np.ones((1, n))])
        yk = np.concatenate([ybar[kf], dbar[None, :]])
        alpha = np.linalg.solve(kern(zk, zk) + sur.nu * np.eye(len(zk)), yk)
        # Shapley values of the refitted function from its coefficients (the surrogate's closed form)
        coef = sur.coef[np.r_[np.flatnonzero(keep[fit]), len(fit)]]
        phi_g = coef.T @ alpha
        w_g = w.copy()
        w_g[n_ex:] *= n_pairs / (n_pairs - len(sel))
        w_g[~keep] = 0.0
        resid = ybar - kern(z, zk) @ alpha
        a = (z * w_g[:, None]).T @ z
        ref = phi_g + _kkt_solve(a, (z * w_g[:, None]).T @ resid, dbar - kern(np.ones((1, n)), zk)[0] @ alpha)
        np.testing.assert_allclose(loo[g], ref.T, atol=1e-8)


def test_full_budget_is_exact_and_efficiency_always_holds():
    d = 8
    table = structured_table(np.random.default_rng(0), d)
    exact = brute_symmetric(table.mean(axis=2), d)
    full = _run(TableGame(table), PartialOrder.symmetric(d), 2**d, 0)
    np.testing.assert_allclose(full.values, exact, atol=1e-10)
    assert np.all(full.stderr == 0) and full.converged and full.method == "adjusted"
    for budget in (20, 60, 150):
        res = _run(TableGame(table), PartialOrder.symmetric(d), budget, 1)
        assert res.n_coalitions <= budget
        np.testing.assert_allclose(res.values.sum(axis=1), res.full_values - res.base_values, atol=1e-10)
        z = np.abs(res.values - exact) / res.stderr
        assert np.all(res.stderr > 0) and np.all(z < 6)


def test_games_of_order_two_are_exact():
    """Paired KernelSHAP is exact for order ≤ 2; the order-2 surrogate wins the evidence there."""
    d = 14
    game, phi = poly_game(np.random.default_rng(1), d, 40, 2)
    res = _run(game, PartialOrder.symmetric(d), 300, 0, tol=0.01)
    np.testing.assert_allclose(res.values[0], phi, atol=1e-10)
    assert res.converged and res.n_coalitions < 100


def test_sparse_order_four_polynomial_beats_the_regression_estimator():
    """On a sparse order-≤4 game the surrogate family contains v: the adjusted estimate is closer
    to the closed form than plain paired KernelSHAP at the same budget (RMSE over seeds)."""
    d = 12
    game, phi = poly_game(np.random.default_rng(2), d, 40, 4)
    err = {m: [] for m in ("adjusted", "regression")}
    for s in range(6):
        for m in err:
            err[m].append(_run(game, PartialOrder.symmetric(d), 300, s, method=m).values[0] - phi)
    rmse = {m: float(np.sqrt(np.mean(np.square(e)))) for m, e in err.items()}
    assert rmse["adjusted"] < 0.8 * rmse["regression"], rmse


def test_stderr_calibrated_and_never_zero_with_nonzero_error():
    """Coverage of ±1.96 se over R seeds × d players; tolerance from R alone (conservative:
    entries of one seed are correlated) plus 0.03 for the O(1/m) bias and the evidence choice."""
    d, n_seeds = 9, 60
    table = structured_table(np.random.default_rng(2), d, n=1)
    coverage, zero_bad = coverage_of_stderr(lambda tb, seed: _run(TableGame(tb), PartialOrder.symmetric(d), 90, seed), table, d, n_seeds)
    tol = 3 * np.sqrt(0.95 * 0.05 / n_seeds) + 0.03
    assert abs(coverage - 0.95) <= tol, coverage
    assert zero_bad == 0


def test_monte_carlo_error_of_the_game_enters_the_stderr():
    """Replicates of the game: the estimate is their mean's estimate (linear for a fixed surrogate
    fit), and the stderr includes their spread."""
    d = 10
    table = structured_table(np.random.default_rng(3), d, n=1, n_rep=8)
    res = _run(TableGame(table), PartialOrder.symmetric(d), 120, 0)
    one = _run(TableGame(table.mean(axis=2, keepdims=True)), PartialOrder.symmetric(d), 120, 0)
    np.testing.assert_allclose(res.values, one.values, atol=1e-8)
    assert np.all(res.stderr >= one.stderr - 1e-12) and np.any(res.stderr > one.stderr)


@pytest.mark.parametrize("layers", [[[0, 1, 2], [3, 4, 5, 6, 7, 8, 9, 10]], [[0], [1, 2, 3, 4, 5, 6, 7, 8, 9], [10]],
                                    [[0, 1], [2, 3, 4, 5, 6], [7]]])
def test_layered_asymmetric_values_match_brute_force(layers):
    d = sum(len(lay) for lay in layers)
    table = structured_table(np.random.default_rng(4), d, n=1, noise=0.1)
    order = PartialOrder.from_layers(layers)
    exact = layered_closed_form(table.mean(axis=2), layers)
    pairs = [(a, b) for k, lay in enumerate(layers) for a in lay for later in layers[k + 1 :] for b in later]
    if order.n_linear_extensions() <= 1000:  # the same values from every consistent ordering
        np.testing.assert_allclose(brute_orderings(table.mean(axis=2), d, consistent_permutations(d, pairs)), exact,
                                   atol=1e-10)
    full = _run(TableGame(table), order, 2**d, 0)
    np.testing.assert_allclose(full.values, exact, atol=1e-9)
    res = _run(TableGame(table), order, 300 if d > 8 else 60, 1)
    check_layered_estimate(res, table, layers, exact)


def test_layered_sparse_polynomial_closed_form():
    """Layered values of a sparse order-≤3 game, 16 players in two sampled layers: closed form."""
    layers = [list(range(0, 7)), list(range(7, 16))]
    d = 16
    game, phi = poly_game(np.random.default_rng(5), d, 30, 3, layers=layers)
    res = _run(game, PartialOrder.from_layers(layers), 400, 0)
    err = np.abs(res.values[0] - phi)
    assert np.all(err <= 5 * res.stderr[0] + 1e-9), (err, res.stderr[0])
    assert err.max() < 0.1 * np.abs(phi).max()


def test_auto_and_errors():
    big = PartialOrder.symmetric(14)
    assert resolve_method(big) == "adjusted"
    assert resolve_method(PartialOrder.from_layers([list(range(13)), [13]])) == "adjusted"
    game = TableGame(structured_table(np.random.default_rng(5), 6, n=1))
    with pytest.raises(ValueError, match="method='adjusted' needs a symmetric or layered order"):
        estimate_shapley(game, PartialOrder.from_precedences(6, [(0, 1), (2, 3), (0, 3)]), method="adjusted")
    game.transitions = lambda masks, players: np.zeros((1, len(players), 1))
    with pytest.raises(ValueError, match="not 'adjusted'"):
        estimate_shapley(game, PartialOrder.symmetric(6), method="adjusted", decompose=True)
    with pytest.raises(ValueError, match="max_evals=5 is too low for the adjusted method"):
        estimate_shapley(game, PartialOrder.symmetric(6), method="adjusted", max_evals=5)


def test_few_draws_stay_finite_and_efficient():
    d = 40
    rng = np.random.default_rng(7)
    beta, gam = rng.normal(size=d), rng.normal(size=(d, d)) * 0.3

    def game(masks):
        z = masks.astype(float)
        return (z @ beta + np.einsum("mi,ij,mj->m", z, np.triu(gam, 1), z) + 2 * z[:, 0] * z[:, 1] * z[:, 2])[None, :, None]

    res = _run(game, PartialOrder.symmetric(d), 82, 0)
    assert res.n_coalitions <= 82 and np.all(np.isfinite(res.values))
    full = np.ones((1, d), dtype=bool)
    np.testing.assert_allclose(res.values.sum(), game(full)[0, 0, 0] - game(~full)[0, 0, 0], atol=1e-9)
    assert np.all(res.stderr > 0)


def test_many_coalitions_use_a_subset_for_the_surrogate(monkeypatch):
    """Above M_FIT samples the surrogate is fitted on a subset; the residual correction still uses
    every sample, so the estimate stays close to brute force and efficient."""
    import causalx.shapley._adjusted as adj

    monkeypatch.setattr(adj, "M_FIT", 64)
    d = 10
    table = structured_table(np.random.default_rng(8), d, n=1, noise=0.1)
    exact = brute_symmetric(table.mean(axis=2), d)
    res = _run(TableGame(table), PartialOrder.symmetric(d), 400, 0)
    np.testing.assert_allclose(res.values.sum(axis=1), table[:, -1, 0] - table[:, 0, 0], atol=1e-10)
    assert np.all(np.abs(res.values - exact) < 5 * res.stderr + 1e-9)


@pytest.mark.slow
def test_stderr_calibration_on_a_sparse_order_four_game_slow():
    """Coverage of ±1.96 se over 100 seeds × 20 players on a sparse order-≤4 game (closed form),
    at two budgets; and the estimator beats paired KernelSHAP there (RMSE)."""
    d, n_seeds = 20, 100
    game, phi = poly_game(np.random.default_rng(11), d, 60, 4)
    for budget in (200, 500):
        inside, zero_bad, err_a, err_r = [], 0, [], []
        for s in range(n_seeds):
            res = _run(game, PartialOrder.symmetric(d), budget, 1000 + s)
            err = np.abs(res.values[0] - phi)
            inside.append(np.mean(err <= 1.96 * res.stderr[0]))
            zero_bad += int(np.sum((res.stderr[0] == 0) & (err > 1e-9)))
            err_a.append(err)
            err_r.append(np.abs(_run(game, PartialOrder.symmetric(d), budget, 1000 + s, method="regression").values[0] - phi))
        coverage = float(np.mean(inside))
        assert abs(coverage - 0.95) <= 3 * np.sqrt(0.95 * 0.05 / n_seeds) + 0.03, (budget, coverage)
        assert zero_bad == 0
        assert np.sqrt(np.mean(np.square(err_a))) < np.sqrt(np.mean(np.square(err_r))), budget


def replicate_poly_game(rng, d, n_terms, max_order, n_rep):
    """B replicate games with one shared sparse Möbius support and their own coefficients (as the
    replicates of a marginal game: the model's interaction structure, one background group each).
    Returns the game (nx = 1, B = n_rep), the table of the mean game over all 2^d coalitions and
    the mean game's closed-form values."""
    terms = [tuple(rng.choice(d, size=int(rng.integers(1, max_order + 1)), replace=False)) for _ in range(n_terms)]
    coef = rng.normal(size=(n_terms, 1)) + 0.7 * rng.normal(size=(n_terms, n_rep))
    phi = np.zeros(d)
    for t, c in zip(terms, coef.mean(axis=1), strict=True):
        phi[list(t)] += c / len(t)

    def game(masks):
        z = masks.astype(float)
        basis = np.stack([np.prod(z[:, list(t)], axis=1) for t in terms], axis=1)  # (m, terms)
        return (basis @ coef)[None, :, :]

    every = np.array(list(itertools.product([0, 1], repeat=d)))[:, ::-1].astype(bool)  # row c has code c
    return game, game(every).mean(axis=2), phi


def test_replicate_games_brute_force_efficiency_and_order_two():
    """With B > 1 replicates (the evidence summed over them): the closed form of the mean game
    equals brute force; the full budget is exact; efficiency holds at every budget; an order-≤2
    game is recovered exactly (the multi-task evidence picks the order-2 surrogate)."""
    d = 9
    game, table, phi = replicate_poly_game(np.random.default_rng(5), d, 30, 4, n_rep=6)
    np.testing.assert_allclose(brute_symmetric(table, d)[0], phi, atol=1e-10)
    full = _run(game, PartialOrder.symmetric(d), 2**d, 0)
    np.testing.assert_allclose(full.values[0], phi, atol=1e-10)
    for budget in (24, 60, 140):
        res = _run(game, PartialOrder.symmetric(d), budget, 3)
        np.testing.assert_allclose(res.values.sum(axis=1), res.full_values - res.base_values, atol=1e-10)
        assert np.all(res.stderr > 0)
    game2, table2, phi2 = replicate_poly_game(np.random.default_rng(6), 14, 40, 2, n_rep=8)
    np.testing.assert_allclose(brute_symmetric(table2, 14)[0], phi2, atol=1e-10)
    res = _run(game2, PartialOrder.symmetric(14), 300, 0, tol=0.01)
    np.testing.assert_allclose(res.values[0], phi2, atol=1e-10)


def test_replicate_order_four_game_beats_the_regression_estimator():
    """Sparse order-≤4 replicate games (shared support): the adjusted estimate is closer to the
    brute-force values of the mean game than paired KernelSHAP at the same budget."""
    d = 11
    game, table, phi = replicate_poly_game(np.random.default_rng(7), d, 35, 4, n_rep=8)
    exact = brute_symmetric(table, d)[0]
    np.testing.assert_allclose(exact, phi, atol=1e-10)
    err = {m: [] for m in ("adjusted", "regression")}
    for s in range(6):
        for m in err:
            err[m].append(_run(game, PartialOrder.symmetric(d), 200, s, method=m).values[0] - exact)
    rmse = {m: float(np.sqrt(np.mean(np.square(e)))) for m, e in err.items()}
    assert rmse["adjusted"] < 0.8 * rmse["regression"], rmse
