"""The direct/indirect split as part of ``estimate_shapley``: closed forms, budget and tolerance."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from causalx.exceptions import ConvergenceWarning
from causalx.shapley import PartialOrder, estimate_shapley

BETA = np.array([1.0, -2.0, 0.5, 1.5, 1.0])
ALPHA = np.array([0.3, -0.1, 0.7, 0.0, 0.2])
D = len(BETA)


class QuadraticGame:
    """v(S) = (β·1_S)³, u(S, i) = v(S) + α_i (1 + |S|²), for two explicands (scaled 1 and 2).

    The direct part of player i is Σ_t w_t (u − v(S_t)) = α_i E[1 + |pre(i)|²]; over uniform
    orderings of d players |pre(i)| is uniform on 0..d−1, so direct_i = α_i (1 + (d−1)(2d−1)/6)
    for the symmetric order, and indirect_i = φ_i − direct_i. (Antithetic pairs do not make
    either part exact: k² + (d−1−k)² varies with k.)
    """

    scale = np.array([1.0, 2.0])

    def __init__(self):
        self.n_transitions = 0

    def __call__(self, masks):
        return (self.scale[:, None] * (masks @ BETA) ** 3)[:, :, None]

    def transitions(self, masks, players):
        self.n_transitions += len(players)
        v = self(masks)[:, :, 0]
        return (v + self.scale[:, None] * ALPHA[players] * (1 + masks.sum(1) ** 2))[:, :, None]


def _exact_phi():
    """Shapley values from the definition: Σ_S |S|!(d−|S|−1)!/d! [v(S ∪ i) − v(S)]."""
    from itertools import combinations
    from math import factorial

    v = lambda S: BETA[list(S)].sum() ** 3  # noqa: E731
    phi = np.zeros(D)
    for i in range(D):
        rest = [j for j in range(D) if j != i]
        for k in range(D):
            for S in combinations(rest, k):
                phi[i] += factorial(k) * factorial(D - k - 1) / factorial(D) * (v(S + (i,)) - v(S))
    return QuadraticGame.scale[:, None] * phi


DIRECT = QuadraticGame.scale[:, None] * ALPHA * (1 + (D - 1) * (2 * D - 1) / 6)


def test_exact_decomposition_matches_closed_form():
    res = estimate_shapley(QuadraticGame(), PartialOrder.symmetric(D), method="exact", decompose=True)
    direct = DIRECT
    np.testing.assert_allclose(res.values, _exact_phi(), atol=1e-12)
    np.testing.assert_allclose(res.direct, direct, atol=1e-12)
    np.testing.assert_allclose(res.indirect, _exact_phi() - direct, atol=1e-12)


def test_adaptive_permutation_decomposition_is_unbiased_and_honours_tol():
    direct = DIRECT
    runs = {}
    for tol in (0.05, 0.01):
        game = QuadraticGame()
        res = estimate_shapley(game, PartialOrder.symmetric(D), method="permutation", decompose=True, tol=tol,
                               max_evals=10**6, random_state=1)
        assert res.converged
        np.testing.assert_allclose(res.direct + res.indirect, res.values, atol=1e-12)
        # within 4 reported standard errors of the closed forms
        assert np.all(np.abs(res.direct - direct) <= 4 * res.direct_stderr + 1e-12)
        assert np.all(np.abs(res.values - _exact_phi()) <= 4 * res.stderr + 1e-12)
        # the rule waited for the parts: their sampling errors are below tol * max|phi|
        assert np.max(res.direct_stderr) <= tol * np.max(np.abs(res.values)) * 1.0001
        assert np.max(res.indirect_stderr) <= tol * np.max(np.abs(res.values)) * 1.0001
        assert game.n_transitions == res.n_orderings * D
        runs[tol] = res.n_orderings
    assert runs[0.01] > 4 * runs[0.05]  # the error shrinks as 1/sqrt(orderings)


def test_decomposition_budget_counts_transitions():
    game = QuadraticGame()
    with pytest.warns(ConvergenceWarning, match="max_evals=200"):
        res = estimate_shapley(game, PartialOrder.symmetric(D), method="permutation", decompose=True, tol=1e-6,
                               max_evals=200, random_state=0)
    assert res.n_coalitions + game.n_transitions <= 200
    assert res.converged is False


def test_fixed_orderings_decomposition_equals_values():
    res = estimate_shapley(QuadraticGame(), PartialOrder.symmetric(D), method="permutation", decompose=True,
                           n_permutations=8, random_state=0)
    assert res.n_orderings == 8
    np.testing.assert_allclose(res.direct + res.indirect, res.values, atol=1e-12)


def test_decompose_errors():
    def plain(masks):
        return (masks @ BETA)[None, :, None]

    with pytest.raises(TypeError, match="transitions"):
        estimate_shapley(plain, PartialOrder.symmetric(D), decompose=True)
    with pytest.raises(ValueError, match="not 'kernel'"):
        estimate_shapley(QuadraticGame(), PartialOrder.symmetric(D), method="kernel", decompose=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = estimate_shapley(plain, PartialOrder.symmetric(D), method="exact")
    assert res.direct is None
