"""Exact plans against brute-force oracles written independently with itertools."""

from __future__ import annotations

import math

import numpy as np
import pytest
from shapley_testutils import (
    TableGame,
    brute_orderings,
    brute_symmetric,
    codes,
    consistent_permutations,
    layered_closed_form,
    random_dag_pairs,
    random_table,
)

from causalx.shapley import (
    PartialOrder,
    apply_plan,
    estimate_shapley,
    exact_plan,
    n_coalitions_needed,
)


@pytest.mark.parametrize("d", [1, 2, 3, 4, 6])
def test_symmetric_exact_matches_factorial_formula(d):
    table = random_table(np.random.default_rng(d), d, n=3)
    res = estimate_shapley(TableGame(table), PartialOrder.symmetric(d), method="exact")
    np.testing.assert_allclose(res.values, brute_symmetric(table[:, :, 0], d), rtol=1e-12, atol=1e-12)
    assert res.method == "exact" and res.n_coalitions == 2**d
    assert np.all(res.stderr == 0)


@pytest.mark.parametrize("seed", range(6))
def test_asymmetric_exact_matches_average_over_linear_extensions(seed):
    rng = np.random.default_rng(100 + seed)
    d = int(rng.integers(3, 7))
    pairs = random_dag_pairs(rng, d)
    order = PartialOrder.from_precedences(d, pairs)
    perms = consistent_permutations(d, pairs)
    table = random_table(rng, d, n=2)
    res = estimate_shapley(TableGame(table), order, method="exact")
    np.testing.assert_allclose(res.values, brute_orderings(table[:, :, 0], d, perms), rtol=1e-12, atol=1e-12)
    assert order.n_linear_extensions() == len(perms)
    assert sorted(map(tuple, order.linear_extensions().tolist())) == sorted(perms)


LAYERS = [[[0, 2], [1, 3, 4]], [[4], [0, 1, 2], [3, 5]], [[5, 1, 0], [2], [3, 4]]]


@pytest.mark.parametrize("layers", LAYERS)
def test_layered_exact_matches_brute_force_and_closed_form(layers):
    d = sum(map(len, layers))
    order = PartialOrder.from_layers(layers)
    pairs = [(a, b) for k, la in enumerate(layers) for lb in layers[k + 1 :] for a in la for b in lb]
    table = random_table(np.random.default_rng(7), d, n=2)
    res = estimate_shapley(TableGame(table), order, method="exact")
    v = table[:, :, 0]
    np.testing.assert_allclose(res.values, brute_orderings(v, d, consistent_permutations(d, pairs)), atol=1e-12)
    np.testing.assert_allclose(res.values, layered_closed_form(v, layers), atol=1e-12)
    assert order.n_linear_extensions() == math.prod(math.factorial(len(layer)) for layer in layers)


@pytest.mark.parametrize("d", [2, 5, 10])
def test_symmetric_weights_are_factorial_weights(d):
    plan = exact_plan(PartialOrder.symmetric(d))
    size = plan.masks[plan.base].sum(axis=1)
    expected = np.array([math.factorial(k) * math.factorial(d - k - 1) / math.factorial(d) for k in range(d)])
    np.testing.assert_allclose(plan.weight, expected[size], rtol=1e-12)
    assert plan.n_transitions == d * 2 ** (d - 1)
    # structure: added = base ∪ {player}
    np.testing.assert_array_equal(codes(plan.masks[plan.added]), codes(plan.masks[plan.base]) | (1 << plan.player))


@pytest.mark.parametrize("layers", LAYERS)
def test_layered_weights_are_within_layer_shapley_weights(layers):
    order = PartialOrder.from_layers(layers)
    plan = exact_plan(order)
    layer_of = {p: k for k, layer in enumerate(layers) for p in layer}
    for t in range(plan.n_transitions):
        i = int(plan.player[t])
        layer = layers[layer_of[i]]
        s = plan.masks[plan.base[t]]
        k = int(s[layer].sum())
        nk = len(layer)
        assert plan.weight[t] == pytest.approx(math.factorial(k) * math.factorial(nk - k - 1) / math.factorial(nk))


@pytest.mark.parametrize("layers", LAYERS + [[[0, 1, 2, 3]], [[0], [1], [2]]])
def test_n_coalitions_needed_for_layers(layers):
    order = PartialOrder.from_layers(layers)
    expected = sum(2 ** len(layer) for layer in layers) - len(layers) + 1
    assert n_coalitions_needed(order) == expected
    assert len(exact_plan(order).masks) == expected
    assert len(order.downsets()) == expected


@pytest.mark.parametrize("seed", range(4))
def test_downsets_match_brute_force(seed):
    rng = np.random.default_rng(200 + seed)
    d = 6
    pairs = random_dag_pairs(rng, d)
    order = PartialOrder.from_precedences(d, pairs)
    expected = set()
    for s in range(2**d):
        members = {j for j in range(d) if s >> j & 1}
        # closed under predecessors of the transitive closure
        if all(a in members for a in range(d) for b in members if order.before[a, b]):
            expected.add(s)
    got = set(codes(order.downsets()).tolist())
    assert got == expected
    assert n_coalitions_needed(order) == len(expected)


def test_precedences_that_are_layered_are_detected():
    order = PartialOrder.from_precedences(4, [(0, 2), (0, 3), (1, 2), (1, 3)])
    assert order.layers == ((0, 1), (2, 3))
    assert order == PartialOrder.from_layers([[1, 0], [3, 2]])
    assert PartialOrder.from_precedences(3, [(0, 1)]).layers is None
    assert PartialOrder.from_precedences(3, []).is_symmetric
    assert PartialOrder.from_layers([[0, 1, 2]]).is_symmetric


def test_direct_indirect_split():
    d = 4
    rng = np.random.default_rng(8)
    order = PartialOrder.from_layers([[0, 1], [2, 3]])
    plan = exact_plan(order)
    v = rng.normal(size=(2, len(plan.masks), 3))
    u = rng.normal(size=(2, plan.n_transitions, 3))
    res = apply_plan(plan, v, u=u)
    assert np.array_equal(res.direct + res.indirect, res.values)
    np.testing.assert_allclose(res.values, apply_plan(plan, v).values, atol=1e-12)
    # independent oracle: loop over transitions
    vb, ub = v.mean(axis=2), u.mean(axis=2)
    direct = np.zeros((2, d))
    for t in range(plan.n_transitions):
        direct[:, plan.player[t]] += plan.weight[t] * (ub[:, t] - vb[:, plan.base[t]])
    np.testing.assert_allclose(res.direct, direct, atol=1e-12)
    assert res.direct_stderr.shape == (2, d) and np.all(res.direct_stderr > 0)


def test_exact_plan_refuses_too_many_coalitions():
    with pytest.raises(ValueError, match="method='permutation'"):
        exact_plan(PartialOrder.symmetric(12), max_coalitions=1000)
    with pytest.raises(ValueError, match="max_evals"):
        estimate_shapley(TableGame(np.zeros((1, 2**6, 1))), PartialOrder.symmetric(6), method="exact", max_evals=10)


def test_general_order_beyond_20_players():
    # a 20-player chain and 2 free players: 22!/20! orderings, through the general DP
    d = 22
    order = PartialOrder.from_precedences(d, [(i, i + 1) for i in range(19)])
    assert order.layers is None
    assert order.n_linear_extensions() == 22 * 21
    plan = exact_plan(order)
    assert len(plan.masks) == 21 * 4
    per_player = np.bincount(plan.player, weights=plan.weight, minlength=d)
    np.testing.assert_allclose(per_player, 1.0, rtol=1e-12)  # each player is added once per ordering


def test_counts_beyond_int64_are_exact_python_integers():
    # 7 disjoint chains of 4 players: 28! / (4!)**7 linear extensions (> 2**63), 5**7 downsets
    chains = [list(range(4 * c, 4 * c + 4)) for c in range(7)]
    order = PartialOrder.from_precedences(28, [(ch[k], ch[k + 1]) for ch in chains for k in range(3)])
    expected = math.factorial(28) // math.factorial(4) ** 7
    assert expected > 2**63
    assert order.n_linear_extensions() == expected
    assert n_coalitions_needed(order) == 5**7


def test_n_coalitions_needed_on_a_large_dag_counts_without_enumerating():
    rng = np.random.default_rng(5)
    pairs = random_dag_pairs(rng, 14, p=0.15)
    order = PartialOrder.from_precedences(14, pairs)
    assert n_coalitions_needed(order) == len(order.downsets())
    big = PartialOrder.from_precedences(60, random_dag_pairs(np.random.default_rng(6), 60, p=0.05))
    n = n_coalitions_needed(big)
    assert isinstance(n, int) and n > 2**22  # far too many to enumerate, still counted exactly
