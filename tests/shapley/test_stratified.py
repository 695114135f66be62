"""Quasi-random (Latin-block) permutation sampling: structure, unbiasedness, calibrated errors."""

from __future__ import annotations

import numpy as np
import pytest

from causalx.shapley import PartialOrder, apply_plan, estimate_shapley, exact_plan, permutation_plan
from tests.shapley.shapley_testutils import TableGame, brute_symmetric, random_table


@pytest.mark.parametrize("order", [PartialOrder.symmetric(5), PartialOrder.from_layers([[0, 3], [1, 2, 4], [5]])])
def test_blocks_put_every_player_at_every_position_of_its_layer_once(order):
    from causalx.shapley._plan import _sample_orderings

    orderings, unit = _sample_orderings(order, 40, np.random.default_rng(0), sampling="stratified")
    assert order.is_consistent(orderings).all()
    layers = order.layers
    block = max(map(len, layers))
    assert np.all(np.bincount(unit) == 2 * block)
    for b in np.unique(unit):
        first = orderings[unit == b][:block]  # the Latin block (the second half are its reverses)
        start = 0
        for layer in layers:
            seg = first[: len(layer), start : start + len(layer)]
            for pos in range(len(layer)):  # each member once at each position within the layer
                assert sorted(seg[:, pos]) == sorted(layer)
            start += len(layer)


def test_stratified_is_unbiased_with_calibrated_stderr():
    d = 6
    rng = np.random.default_rng(1)
    table = random_table(rng, d, n=2)
    exact = brute_symmetric(table.mean(axis=2), d)
    game = TableGame(table)
    ests, ses = [], []
    for seed in range(300):
        plan = permutation_plan(PartialOrder.symmetric(d), 24, random_state=seed, sampling="stratified")
        res = apply_plan(plan, game(plan.masks))
        np.testing.assert_allclose(res.values.sum(1), table[:, -1, 0] - table[:, 0, 0], atol=1e-10)
        ests.append(res.values)
        ses.append(res.stderr)
    ests, ses = np.array(ests), np.array(ses)
    # unbiased: the mean of 300 estimates is within 4 standard errors of the mean of the exact value
    se_mean = ests.std(axis=0, ddof=1) / np.sqrt(len(ests))
    assert np.all(np.abs(ests.mean(0) - exact) <= 4 * se_mean + 1e-12)
    # the reported stderr matches the spread across seeds (2 blocks per estimate: a rough estimate)
    ratio = ses.mean() / ests.std(axis=0, ddof=1).mean()
    assert 0.6 < ratio < 1.4


def test_estimate_shapley_stratified_converges_to_exact():
    d = 8
    rng = np.random.default_rng(2)
    table = random_table(rng, d, n=2)
    exact = exact_plan(PartialOrder.symmetric(d))
    ref = apply_plan(exact, TableGame(table)(exact.masks)).values
    res = estimate_shapley(TableGame(table), PartialOrder.symmetric(d), method="permutation",
                           sampling="stratified", tol=0.02, random_state=0)
    assert res.method == "permutation"
    assert (np.abs(res.values - ref) <= 4 * res.stderr + 1e-12).mean() >= 0.9
    with pytest.raises(ValueError, match="sampling='latin'.*'stratified'"):
        estimate_shapley(TableGame(table), PartialOrder.symmetric(d), method="permutation", sampling="latin")


@pytest.mark.parametrize("method", ["permutation", "kernel"])
def test_convergence_rule_ignores_monte_carlo_error_it_cannot_reduce(method):
    """An additive game has no estimator error; its noisy replicates (Monte Carlo error of v)
    must not keep the adaptive estimators sampling until their budget."""
    import warnings

    from tests.shapley.shapley_testutils import codes

    d, n_rep = 10, 8
    rng = np.random.default_rng(3)
    w = rng.normal(size=(2, d))
    all_masks = ((np.arange(2**d)[:, None] >> np.arange(d)) & 1).astype(bool)
    assert np.all(codes(all_masks) == np.arange(2**d))
    mean = all_masks.astype(float) @ w.T  # (2**d, n): additive, v(S) = Σ_{i∈S} w_i
    table = mean.T[:, :, None] + 0.5 * rng.normal(size=(2, 2**d, n_rep))  # big Monte Carlo noise
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ConvergenceWarning
        # (the unbiased KernelSHAP estimator is noisy even on additive games: a looser tol)
        res = estimate_shapley(TableGame(table), PartialOrder.symmetric(d), method=method,
                               tol=0.01 if method == "permutation" else 0.05, random_state=0)
    assert res.converged
    # the reported stderr still carries the Monte Carlo error
    assert res.stderr.min() > 0.01
