"""estimate_shapley: dispatch, caching, determinism and error messages."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from shapley_testutils import TableGame, codes, random_table

import causalx.shapley as cs
from causalx.exceptions import ConvergenceWarning, CyclicGraphError
from causalx.shapley import PartialOrder, estimate_shapley, kernel_masks, permutation_plan


def test_public_api():
    assert sorted(cs.__all__) == sorted(
        [
            "AUTO_EXACT_MAX",
            "PartialOrder",
            "ShapleyPlan",
            "ShapleyResult",
            "exact_plan",
            "permutation_plan",
            "apply_plan",
            "kernel_masks",
            "kernel_solve",
            "estimate_shapley",
            "n_coalitions_needed",
            "resolve_method",
            "TreeEnsemble",
            "tree_marginal_shapley",
            "tree_shapley",
        ]
    )


@pytest.mark.parametrize("method", ["permutation", "kernel"])
def test_same_random_state_gives_identical_results(method):
    d = 7
    table = random_table(np.random.default_rng(0), d, n=2, n_rep=2)
    kw = dict(method=method, tol=0.02, max_evals=60, random_state=123)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = estimate_shapley(TableGame(table), PartialOrder.symmetric(d), **kw)
        b = estimate_shapley(TableGame(table), PartialOrder.symmetric(d), **kw)
        c = estimate_shapley(TableGame(table), PartialOrder.symmetric(d), **{**kw, "random_state": 124})
    assert np.array_equal(a.values, b.values) and np.array_equal(a.stderr, b.stderr)
    assert not np.array_equal(a.values, c.values)
    p1 = permutation_plan(PartialOrder.from_precedences(5, [(0, 1)]), 9, random_state=np.random.default_rng(5))
    p2 = permutation_plan(PartialOrder.from_precedences(5, [(0, 1)]), 9, random_state=np.random.default_rng(5))
    assert np.array_equal(p1.masks, p2.masks) and np.array_equal(p1.player, p2.player)
    assert np.array_equal(kernel_masks(6, 10, 3), kernel_masks(6, 10, 3))


class AdditiveGame:
    """v(S) = Σ_{j in S} beta_j; counts calls and masks."""

    def __init__(self, d):
        self.beta = np.arange(1.0, d + 1)
        self.n_masks = 0
        self.n_calls = 0

    def __call__(self, masks):
        self.n_calls += 1
        self.n_masks += len(masks)
        return (masks @ self.beta)[None, :, None]


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        (PartialOrder.symmetric(12), "exact"),  # 4096 coalitions
        (PartialOrder.symmetric(13), "adjusted"),  # 8192
        (PartialOrder.from_layers([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11], [12, 13, 14, 15]]), "exact"),
        (PartialOrder.from_layers([list(range(12)), [12, 13]]), "adjusted"),  # 4096 + 4 - 1
        # not layered, 2**13 downsets: no per-layer split, the order-constrained permutations
        (PartialOrder.from_precedences(14, [(0, 1)]), "permutation"),
    ],
)
def test_auto_picks_exact_regression_or_permutation(order, expected):
    game = AdditiveGame(order.n_players)
    res = estimate_shapley(game, order, random_state=0)
    assert res.method == expected
    assert game.n_masks == res.n_coalitions
    if expected == "exact":
        assert res.n_coalitions == cs.n_coalitions_needed(order)
    # additive game: every ordering gives beta exactly
    np.testing.assert_allclose(res.values[0], game.beta, atol=1e-9)


def test_auto_respects_max_evals():
    res = estimate_shapley(AdditiveGame(6), PartialOrder.symmetric(6), max_evals=50, random_state=0)
    assert res.method == "adjusted" and res.n_coalitions <= 50


def test_cache_evaluates_each_mask_once_in_few_calls():
    d = 9
    table = random_table(np.random.default_rng(1), d, n=2)
    game = TableGame(table)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        res = estimate_shapley(game, PartialOrder.symmetric(d), method="permutation", tol=1e-3, max_evals=400, random_state=0)
    seen = np.concatenate([codes(m) for m in game.calls])
    assert len(seen) == len(np.unique(seen)) == res.n_coalitions <= 400
    assert len(game.calls) <= 12
    assert res.n_orderings >= 32 and res.n_orderings % 2 == 0


def test_fixed_number_of_permutations():
    d = 6
    table = random_table(np.random.default_rng(2), d, n=2)
    game = TableGame(table)
    res = estimate_shapley(game, PartialOrder.symmetric(d), method="permutation", n_permutations=10, random_state=0)
    assert res.n_orderings == 10 and res.converged is None and len(game.calls) == 1
    seen = codes(game.calls[0])
    assert len(seen) == len(np.unique(seen)) == res.n_coalitions


def test_kernel_single_player_and_exact_single_player():
    table = np.array([[[1.0], [3.0]]])
    for method in ("exact", "kernel", "permutation"):
        res = estimate_shapley(TableGame(table), PartialOrder.symmetric(1), method=method, random_state=0)
        assert res.values.tolist() == [[2.0]]


def test_game_output_is_validated():
    with pytest.raises(ValueError, match=r"shape \(n, m, B\)"):
        estimate_shapley(lambda m: np.zeros((2, len(m) + 1, 1)), PartialOrder.symmetric(3))
    with pytest.raises(ValueError, match="NaN"):
        estimate_shapley(lambda m: np.full((2, len(m), 1), np.nan), PartialOrder.symmetric(3))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"method": "exactt"}, r"method='exactt' is not supported. Accepted values are 'auto', 'exact', 'permutation', 'kernel'.*Did you mean 'exact'"),
        ({"method": "kernel", "order": "layered"}, "kernel' supports symmetric values only; use method='permutation'"),
        ({"method": "exact", "n_permutations": 10}, "n_permutations is only used by method='permutation'"),
        ({"method": "permutation", "max_evals": 5}, "max_evals=5 is too low"),
        ({"method": "permutation", "n_permutations": 0}, r"n_permutations=0 is out of range"),
    ],
)
def test_error_messages(kwargs, match):
    kwargs = dict(kwargs)
    order = PartialOrder.from_layers([[0], [1, 2, 3]]) if kwargs.pop("order", None) else PartialOrder.symmetric(4)
    with pytest.raises(ValueError, match=match):
        estimate_shapley(AdditiveGame(4), order, **kwargs)


@pytest.mark.parametrize(
    ("layers", "match"),
    [
        ([[0, 1], [1, 2]], r"partition.*repeated: \[1\]"),
        ([[0], [2]], r"partition.*missing: \[1\]"),
        ([[0, 1], []], "non-empty"),
        ([], "non-empty"),
        ([[0, "a"]], "player indices"),
    ],
)
def test_bad_layers(layers, match):
    with pytest.raises(ValueError, match=match):
        PartialOrder.from_layers(layers)


def test_cyclic_precedences_name_the_cycle():
    with pytest.raises(CyclicGraphError, match="cycle: 1 -> 2 -> 3 -> 1") as info:
        PartialOrder.from_precedences(4, [(0, 1), (1, 2), (2, 3), (3, 1)])
    assert info.value.cycle == ["1", "2", "3"]
    assert isinstance(info.value, ValueError)
    with pytest.raises(ValueError, match="cycle: 2 -> 2"):
        PartialOrder.from_precedences(3, [(2, 2)])
    with pytest.raises(ValueError, match="outside 0..2"):
        PartialOrder.from_precedences(3, [(0, 3)])


def test_partial_order_is_immutable_and_hashable():
    order = PartialOrder.from_layers([[0, 1], [2]])
    with pytest.raises(AttributeError):
        order.n_players = 5
    with pytest.raises(ValueError):
        order.before[0, 0] = True
    assert hash(order) == hash(PartialOrder.from_precedences(3, [(0, 2), (1, 2)]))
    assert "from_layers" in repr(order)
    import pickle

    assert pickle.loads(pickle.dumps(order)) == order


def test_linear_extensions_limit():
    with pytest.raises(ValueError, match="limit=100"):
        PartialOrder.symmetric(6).linear_extensions(limit=100)
