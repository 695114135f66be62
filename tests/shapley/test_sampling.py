"""Sampling: uniformity of linear extensions, convergence and calibration of the estimators."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import stats
from shapley_testutils import TableGame, brute_symmetric, codes, consistent_permutations, random_table

from causalx.exceptions import CausalxWarning, ConvergenceWarning
from causalx.shapley import (
    PartialOrder,
    apply_plan,
    estimate_shapley,
    exact_plan,
    kernel_masks,
    kernel_solve,
    permutation_plan,
)
from causalx.shapley import _order

# a non-layered poset on 5 players with 11 linear extensions of unequal "topological-sort" odds
PAIRS = [(0, 2), (1, 2), (1, 3), (3, 4)]


def _chi2_uniform(samples: np.ndarray, extensions: list[tuple[int, ...]]) -> float:
    index = {p: k for k, p in enumerate(extensions)}
    counts = np.bincount([index[tuple(r)] for r in samples.tolist()], minlength=len(extensions))
    return stats.chisquare(counts).pvalue


def test_general_sampling_is_uniform():
    order = PartialOrder.from_precedences(5, PAIRS)
    assert order.layers is None
    extensions = consistent_permutations(5, PAIRS)
    samples = order.sample_linear_extensions(200 * len(extensions), random_state=0)
    assert order.is_consistent(samples).all()
    assert _chi2_uniform(samples, extensions) > 1e-3


def test_random_topological_sort_would_fail_this_test():
    # the oracle has power: choosing uniformly among minimal elements is biased here
    order = PartialOrder.from_precedences(5, PAIRS)
    extensions = consistent_permutations(5, PAIRS)
    rng = np.random.default_rng(0)
    samples = []
    for _ in range(200 * len(extensions)):
        placed: list[int] = []
        while len(placed) < 5:
            cand = [j for j in range(5) if j not in placed and all(a in placed for a in range(5) if order.before[a, j])]
            placed.append(int(rng.choice(cand)))
        samples.append(placed)
    assert _chi2_uniform(np.array(samples), extensions) < 1e-6


def test_layered_sampling_is_consistent_and_uniform_within_layers():
    layers = [[2, 0], [4], [1, 3, 5]]
    order = PartialOrder.from_layers(layers)
    samples = order.sample_linear_extensions(3000, random_state=1)
    assert samples.shape == (3000, 6) and order.is_consistent(samples).all()
    pairs = [(a, b) for k, la in enumerate(layers) for lb in layers[k + 1 :] for a in la for b in lb]
    assert _chi2_uniform(samples, consistent_permutations(6, pairs)) > 1e-3


def test_is_consistent_rejects_violations_and_non_permutations():
    order = PartialOrder.from_precedences(3, [(0, 1)])
    got = order.is_consistent(np.array([[0, 1, 2], [1, 0, 2], [0, 0, 2], [2, 0, 1]]))
    assert got.tolist() == [True, False, False, True]


def test_bubley_dyer_fallback_warns_and_is_near_uniform(monkeypatch):
    monkeypatch.setattr(_order, "_MAX_LATTICE", 4)
    order = PartialOrder.from_precedences(5, PAIRS)
    extensions = consistent_permutations(5, PAIRS)
    with pytest.warns(CausalxWarning, match="Bubley-Dyer"):
        samples = order.sample_linear_extensions(100 * len(extensions), random_state=2)
    assert order.is_consistent(samples).all()
    assert _chi2_uniform(samples, extensions) > 1e-3


@pytest.fixture(scope="module")
def game8():
    d = 8
    table = random_table(np.random.default_rng(11), d, n=3)
    return d, table, brute_symmetric(table[:, :, 0], d)


def test_permutation_converges_to_exact_with_calibrated_stderr(game8):
    d, table, exact = game8
    order = PartialOrder.symmetric(d)
    small = estimate_shapley(TableGame(table), order, method="permutation", n_permutations=100, random_state=0)
    large = estimate_shapley(TableGame(table), order, method="permutation", n_permutations=1600, random_state=1)
    for res in (small, large):
        assert np.mean(np.abs(res.values - exact) <= 4 * res.stderr) >= 0.95
    ratio = np.median(small.stderr / large.stderr)  # 16x orderings -> 4x smaller
    assert 3.2 < ratio < 5.0
    assert large.n_orderings == 1600


def test_kernel_converges_to_exact(game8):
    d, table, exact = game8
    rng = np.random.default_rng(3)
    v = table[:, :, 0]
    errs = []
    for m in (200, 3200):
        z = kernel_masks(d, m, rng)
        res = kernel_solve(z, v[:, codes(z)], v[:, :1], v[:, -1:])
        assert np.mean(np.abs(res.values - exact) <= 4 * res.stderr) >= 0.95
        errs.append(res.stderr)
    assert 3.2 < np.median(errs[0] / errs[1]) < 5.0


def test_adaptive_permutation_reaches_tolerance(game8):
    d, table, exact = game8
    res = estimate_shapley(TableGame(table), PartialOrder.symmetric(d), method="permutation", tol=0.05, random_state=0)
    assert res.converged
    assert res.stderr.max() <= 0.05 * np.abs(res.values).max()
    assert np.mean(np.abs(res.values - exact) <= 4 * res.stderr) >= 0.95


def _calibration(estimates: np.ndarray, stderrs: np.ndarray) -> np.ndarray:
    return estimates.std(axis=0, ddof=1) / stderrs.mean(axis=0)


def test_permutation_stderr_is_calibrated():
    d = 6
    table = random_table(np.random.default_rng(21), d, n=1)
    plans = [permutation_plan(PartialOrder.symmetric(d), 40, random_state=s) for s in range(200)]
    results = [apply_plan(p, table[:, codes(p.masks)]) for p in plans]
    ratio = _calibration(np.array([r.values for r in results]), np.array([r.stderr for r in results]))
    assert np.all(np.abs(ratio - 1) < 0.3), ratio


def test_asymmetric_permutation_stderr_is_calibrated():
    order = PartialOrder.from_precedences(6, [(0, 2), (1, 2), (2, 3), (4, 5)])
    table = random_table(np.random.default_rng(22), 6, n=1)
    plans = [permutation_plan(order, 30, random_state=s) for s in range(200)]
    results = [apply_plan(p, table[:, codes(p.masks)]) for p in plans]
    ratio = _calibration(np.array([r.values for r in results]), np.array([r.stderr for r in results]))
    informative = np.array([r.stderr for r in results]).mean(axis=0) > 1e-12  # player 0/1 may be exact
    assert np.all(np.abs(ratio[informative] - 1) < 0.3), ratio


def test_kernel_stderr_is_calibrated():
    d = 6
    table = random_table(np.random.default_rng(23), d, n=1)
    v = table[:, :, 0]
    rng = np.random.default_rng(0)
    results = []
    for _ in range(200):
        z = kernel_masks(d, 200, rng)
        results.append(kernel_solve(z, v[:, codes(z)], v[:, :1], v[:, -1:]))
    ratio = _calibration(np.array([r.values for r in results]), np.array([r.stderr for r in results]))
    assert np.all(np.abs(ratio - 1) < 0.3), ratio


def test_mc_replicates_stderr_of_exact_plan():
    d, n_rep = 4, 5
    table = random_table(np.random.default_rng(31), d, n=2, n_rep=n_rep)
    res = estimate_shapley(TableGame(table), PartialOrder.symmetric(d), method="exact")
    per_rep = np.stack([brute_symmetric(table[:, :, b], d) for b in range(n_rep)], axis=1)  # (n, B, d)
    np.testing.assert_allclose(res.values, per_rep.mean(axis=1), atol=1e-12)
    np.testing.assert_allclose(res.stderr, per_rep.std(axis=1, ddof=1) / np.sqrt(n_rep), rtol=1e-10)


def test_mc_replicates_add_to_sampling_error():
    d = 5
    table = random_table(np.random.default_rng(32), d, n=2, n_rep=3)
    plan = permutation_plan(PartialOrder.symmetric(d), 10, random_state=0)
    v = table[:, codes(plan.masks)]
    both = apply_plan(plan, v)
    sampling_only = apply_plan(plan, v.mean(axis=2, keepdims=True))
    assert np.all(both.stderr >= sampling_only.stderr)
    np.testing.assert_allclose(both.values, sampling_only.values, atol=1e-12)


def test_exact_matches_dowhy():
    shapley = pytest.importorskip("dowhy.gcm.shapley")
    d = 5
    table = random_table(np.random.default_rng(41), d, n=1)[0, :, 0]

    def set_func(subset):
        return table[int(np.dot(np.asarray(subset, dtype=int), 1 << np.arange(d)))]

    config = shapley.ShapleyConfig(approximation_method=shapley.ShapleyApproximationMethods.EXACT)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = shapley.estimate_shapley_values(set_func, d, config)
    res = estimate_shapley(TableGame(table[None, :, None]), PartialOrder.symmetric(d), method="exact")
    np.testing.assert_allclose(res.values[0], expected, atol=1e-10)


def test_exact_plan_weights_give_probabilities_of_transitions():
    # Σ weights over the transitions of one player = 1 (every ordering adds each player once)
    order = PartialOrder.from_precedences(6, [(0, 1), (2, 1), (1, 3)])
    plan = exact_plan(order)
    np.testing.assert_allclose(np.bincount(plan.player, weights=plan.weight), 1.0, rtol=1e-12)


def test_convergence_warning_on_budget():
    d = 7
    table = random_table(np.random.default_rng(51), d, n=2)
    game = TableGame(table)
    with pytest.warns(ConvergenceWarning, match="max_evals=40"):
        res = estimate_shapley(game, PartialOrder.symmetric(d), method="permutation", tol=1e-6, max_evals=40, random_state=0)
    assert res.converged is False and res.n_coalitions <= 40
    np.testing.assert_allclose(res.values.sum(axis=1), table[:, -1, 0] - table[:, 0, 0], atol=1e-10)
    with pytest.warns(ConvergenceWarning, match="kernel"):
        res = estimate_shapley(TableGame(table), PartialOrder.symmetric(d), method="kernel", tol=1e-6, max_evals=40, random_state=0)
    assert res.converged is False and res.n_coalitions <= 40
