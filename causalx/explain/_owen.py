"""Feature-level values inside groups: Owen values of a grouped explainer's game."""

from __future__ import annotations

import time

import numpy as np
from sklearn.utils.validation import check_is_fitted

from causalx._options import METHODS
from causalx.explain._data import to_feature_array
from causalx.explanation import Explanation
from causalx.shapley import apply_plan
from causalx.shapley._plan import owen_plan, owen_sampled_plan
from causalx.utils import check_option
from causalx.values import Game, resolve_model

__all__ = ["owen_values"]

#: the estimators of Owen values (no kernel variant)
OWEN_METHODS = tuple(m for m in METHODS if m != "kernel")
#: the exact plan is used up to this many coalitions with method="auto" (as for Shapley values)
MAX_AUTO_COALITIONS = 4096
#: coalitions per game call
GAME_BATCH = 4096


def owen_values(explainer, X, *, method: str = "auto", n_permutations: int = 200) -> Explanation:
    """Per-feature Owen values of a fitted explainer whose graph declares ``groups``.

    The same value function as ``explainer.explain`` (marginal, conditional or causal), averaged
    over the orderings in which each group's members are contiguous (Owen 1977): every
    feature gets a value, the values of a group's members sum to the group's value in the game
    between the groups (the value ``explainer.explain`` reports, up to Monte Carlo error of the
    two estimates), and all values sum to ``f(x) − base``.

    Parameters
    ----------
    explainer : CausalExplainer
        Fitted, with a grouped graph and ``asymmetric=False``.
    X : DataFrame or ndarray of shape (n_rows, n_features)
    method : {"auto", "exact", "permutation"}, default "auto"
        ``"exact"`` enumerates about Σ_G 2^(q−1) 2^|G| coalitions (q groups); ``"auto"`` is exact
        up to 4096 of them, else ``"permutation"``: ``n_permutations`` orderings with contiguous
        groups, in antithetic pairs (their spread is part of ``stderr``).
    n_permutations : int, default 200

    Returns
    -------
    Explanation
        One column per feature (``feature_names_in_``); ``provenance["owen"]`` is True and
        ``provenance["groups"]`` the grouping.

    References
    ----------
    Owen, G. (1977). Values of games with a priori unions. Mathematical Economics and Game
    Theory, 76–88.
    """
    check_is_fitted(explainer, "order_")
    check_option("method", method, OWEN_METHODS)
    players = getattr(explainer, "players_", None)
    if players is None:
        raise ValueError("owen_values needs a graph with groups (CausalGraph(..., groups={...})); without "
                         "groups the Owen values are the Shapley values: use explainer.explain(X).")
    if explainer.asymmetric:
        raise ValueError("owen_values computes symmetric values; fit the explainer with asymmetric=False.")
    Xe = to_feature_array(X, explainer.feature_names_in_, what="X", target=explainer.graph_.target)
    d = Xe.shape[1]
    groups = [c.tolist() for c in players.columns]
    q = len(groups)
    n_coal = sum(2 ** (q - 1) * 2 ** len(c) for c in groups)
    if method == "auto":
        method = "exact" if n_coal <= MAX_AUTO_COALITIONS else "permutation"
    rng = np.random.default_rng(explainer.seeds_.orderings)
    plan = owen_plan(groups, d) if method == "exact" else owen_sampled_plan(groups, d, n_permutations, rng)
    t0 = time.perf_counter()
    f = resolve_model(explainer.model, explainer.feature_names_in_, explainer.output, raw=explainer.raw)
    game = Game(f, Xe, explainer._filler(), n_replicates=explainer.n_replicates, n_jobs=explainer.n_jobs,
                backend=explainer.backend)
    v = np.concatenate([game(plan.masks[lo : lo + GAME_BATCH]) for lo in range(0, len(plan.masks), GAME_BATCH)],
                       axis=1)
    res = apply_plan(plan, v)
    counts = dict(n_model_evals=game.n_model_evals, n_samples=game.n_draws, n_replicates=game.n_replicates)
    provenance = explainer._provenance(res, counts, time.perf_counter() - t0)
    provenance.update(owen=True, groups={g: list(m) for g, m in explainer.graph_.groups.items()})
    return Explanation(values=res.values, base_values=res.base_values, stderr=res.stderr, data=Xe,
                       feature_names=explainer.feature_names_in_, output=res.full_values, provenance=provenance)
