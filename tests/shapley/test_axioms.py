"""Shapley axioms on random table games, for every estimator (efficiency, symmetry, null player, linearity)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from shapley_testutils import TableGame, codes, random_table

from causalx.exceptions import ConvergenceWarning
from causalx.shapley import PartialOrder, estimate_shapley

D = 5
ORDERS = {
    "symmetric": PartialOrder.symmetric(D),
    "layered": PartialOrder.from_layers([[3, 0], [4], [1, 2]]),
    "poset": PartialOrder.from_precedences(D, [(0, 2), (1, 2), (1, 3), (3, 4)]),
}


def _estimate(table, order, method, seed=0):
    kwargs = {"random_state": seed}
    if method == "permutation":
        kwargs["n_permutations"] = 24
    if method == "kernel":
        kwargs["max_evals"] = 20
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimate_shapley(TableGame(table), order, method=method, **kwargs)


CASES = [(name, m) for name in ORDERS for m in ("exact", "permutation")] + [("symmetric", "kernel")]


@pytest.mark.parametrize("n_rep", [1, 4])
@pytest.mark.parametrize(("order_name", "method"), CASES)
def test_efficiency(order_name, method, n_rep):
    table = random_table(np.random.default_rng(1), D, n=3, n_rep=n_rep)
    res = _estimate(table, ORDERS[order_name], method)
    v = table.mean(axis=2)
    np.testing.assert_allclose(res.base_values, v[:, 0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(res.full_values, v[:, -1], rtol=0, atol=1e-12)
    np.testing.assert_allclose(res.values.sum(axis=1), v[:, -1] - v[:, 0], rtol=0, atol=1e-10)
    assert res.values.shape == res.stderr.shape == (3, D)
    assert np.all(res.stderr >= 0)


def _symmetric_in_01(rng, d, n=3):
    """A table with v(S) = v(swap_01(S)): players 0 and 1 are interchangeable."""
    table = random_table(rng, d, n=n)
    all_masks = ((np.arange(2**d)[:, None] >> np.arange(d)) & 1).astype(bool)
    swapped = all_masks[:, [1, 0] + list(range(2, d))]
    return (table + table[:, codes(swapped)]) / 2


@pytest.mark.parametrize("order", [PartialOrder.symmetric(D), PartialOrder.from_layers([[0, 1, 4], [2, 3]])])
def test_symmetry_exact(order):
    table = _symmetric_in_01(np.random.default_rng(2), D)
    res = estimate_shapley(TableGame(table), order, method="exact")
    np.testing.assert_allclose(res.values[:, 0], res.values[:, 1], rtol=0, atol=1e-12)


@pytest.mark.parametrize("order_name", list(ORDERS))
@pytest.mark.parametrize("method", ["exact", "permutation"])
def test_null_player_is_exactly_zero(order_name, method):
    d, null = D, 2
    table = random_table(np.random.default_rng(3), d, n=3, n_rep=2)
    idx = np.arange(2**d)
    table = table[:, idx & ~(1 << null), :]  # v(S ∪ {null}) == v(S)
    res = _estimate(table, ORDERS[order_name], method)
    assert np.all(res.values[:, null] == 0.0)
    assert np.all(res.stderr[:, null] == 0.0)


@pytest.mark.parametrize("order_name", list(ORDERS))
@pytest.mark.parametrize("method", ["exact", "permutation"])
def test_linearity(order_name, method):
    rng = np.random.default_rng(4)
    t1, t2 = random_table(rng, D), random_table(rng, D)
    a, b = 1.7, -0.3
    order = ORDERS[order_name]
    r1, r2 = _estimate(t1, order, method, seed=9), _estimate(t2, order, method, seed=9)
    r12 = _estimate(a * t1 + b * t2, order, method, seed=9)
    np.testing.assert_allclose(r12.values, a * r1.values + b * r2.values, rtol=0, atol=1e-10)


def test_linearity_kernel_with_common_samples():
    rng = np.random.default_rng(5)
    t1, t2 = random_table(rng, D), random_table(rng, D)
    order = ORDERS["symmetric"]
    r1, r2 = _estimate(t1, order, "kernel", seed=3), _estimate(t2, order, "kernel", seed=3)
    r12 = _estimate(t1 + 2 * t2, order, "kernel", seed=3)
    np.testing.assert_allclose(r12.values, r1.values + 2 * r2.values, rtol=0, atol=1e-10)
