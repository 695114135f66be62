"""``estimate_shapley``: evaluate a game with as few distinct coalitions as needed.

The game is the expensive part (every coalition costs many model rows), so every estimator
here evaluates each distinct coalition at most once (a cache shared across the rounds of the
adaptive estimators) and calls the game with large batches of coalitions.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import math
import warnings
from collections.abc import Callable

import numpy as np

from causalx._config import config_context
from causalx._options import METHODS, PERMUTATION_SAMPLINGS
from causalx.exceptions import ConvergenceWarning
import causalx.shapley._bits as _bits
from causalx.shapley._kernel import kernel_masks, kernel_solve
from causalx.shapley._order import PartialOrder, count_downsets
from causalx.shapley._plan import (
    ShapleyResult,
    _check_order,
    _sample_orderings,
    apply_plan,
    exact_plan,
    group_estimates,
    plan_from_orderings,
    unit_size,
)
from causalx.shapley._adjusted import estimate_adjusted
from causalx.shapley._regression import estimate_regression
from causalx.utils import check_interval, check_option, check_random_state
from causalx.utils.progress import progress as _progress

__all__ = ["AUTO_EXACT_MAX", "estimate_shapley", "n_coalitions_needed", "resolve_method"]

#: ``method="auto"`` uses the exact method up to this many coalitions
AUTO_EXACT_MAX = 2**12
#: at most this many masks per game call
GAME_BATCH = 4096
#: orderings in the first round of the adaptive permutation estimator
FIRST_BATCH = 32
#: sampling units needed before the stopping rule is trusted
MIN_GROUPS = 10
#: stop sampling orderings after this many (the estimate is then reported as not converged)
MAX_ORDERINGS = 2**17
#: absolute floor of the convergence threshold (a game that is identically 0 converges)
ABS_TOL_FLOOR = 1e-12

Game = Callable[[np.ndarray], np.ndarray]
"""The game protocol: ``game(masks) -> values`` of shape ``(n, m, B)``; optionally
``game.transitions(masks, players) -> (n, T, B)`` for the direct/indirect split (``decompose``)."""


def n_coalitions_needed(order: PartialOrder) -> int:
    """Number of coalitions the exact method evaluates: the number of downsets of ``order``.

    ``2**d`` for the symmetric order; ``Σ_k 2**|L_k| − K + 1`` for ``K`` layers ``L_k``;
    for a general order, counted exactly without enumerating the downsets (recursion
    ``D(P) = D(P∖↑x) + D(P∖↓x)`` with a product over independent components and memoisation).

    Examples
    --------
    >>> n_coalitions_needed(PartialOrder.symmetric(4))
    16
    >>> n_coalitions_needed(PartialOrder.from_layers([[0, 1], [2, 3, 4]]))
    11
    """
    _check_order(order)
    if order.layers is not None:
        return order.n_downsets()
    return count_downsets(order.before)


def resolve_method(order: PartialOrder, method: str = "auto", *, max_evals: int | None = None,
                   decompose: bool = False) -> str:
    """The estimator ``method`` stands for.

    ``"auto"`` is exact when the order needs at most ``AUTO_EXACT_MAX`` (4096) coalitions — and
    at most ``max_evals`` when given. Otherwise it is the regression-adjusted estimator
    (``"adjusted"``, see :mod:`causalx.shapley._adjusted`: a kernel surrogate of the game with
    exact Shapley values, corrected by paired regression KernelSHAP on the residual) for
    symmetric and layered orders, which reaches a given error with several times fewer
    coalitions than permutation sampling at large ``d`` and fewer than plain paired KernelSHAP
    (``"regression"``), and permutation sampling for general partial orders or when the
    direct/indirect split is asked for (``decompose=True``: only the transition estimators give it).

    Examples
    --------
    >>> resolve_method(PartialOrder.symmetric(12)), resolve_method(PartialOrder.symmetric(13))
    ('exact', 'adjusted')
    >>> resolve_method(PartialOrder.symmetric(13), decompose=True)
    'permutation'
    >>> resolve_method(PartialOrder.symmetric(4), max_evals=8), resolve_method(PartialOrder.symmetric(4), "kernel")
    ('adjusted', 'kernel')
    >>> resolve_method(PartialOrder.from_precedences(14, [(0, 1), (2, 3)]))
    'permutation'
    """
    check_option("method", method, METHODS)
    _check_order(order)
    if method != "auto":
        return method
    limit = AUTO_EXACT_MAX if max_evals is None else min(AUTO_EXACT_MAX, max_evals)
    if order.n_downsets(limit=limit) is not None:
        return "exact"
    return "adjusted" if order.layers is not None and not decompose else "permutation"


def estimate_shapley(
    game: Game,
    order: PartialOrder,
    *,
    method: str = "auto",
    decompose: bool = False,
    n_permutations: int | None = None,
    max_evals: int | None = None,
    tol: float = 0.01,
    batch_permutations: int | None = None,
    sampling: str = "antithetic",
    random_state=None,
    progress: bool = False,
) -> ShapleyResult:
    """Estimate (asymmetric) Shapley values of a batched game.

    Parameters
    ----------
    game : callable
        ``game(masks) -> values``: ``masks`` of shape ``(m, d)``, bool; ``values`` of shape
        ``(n, m, B)``: ``n`` explicands, ``B >= 1`` Monte Carlo replicates (a 2-D result is read
        as ``B = 1``). Called with at most 4096 masks at a time, each distinct mask once.
        With ``decompose=True`` it must also have ``game.transitions(masks, players)``
        returning ``u(S_t, i_t)`` of shape ``(n, T, B)`` for the transitions ``t`` (see
        :func:`apply_plan`).
    order : PartialOrder
        Orderings to average over (symmetric, layered or general).
    method : {"auto", "exact", "permutation", "kernel", "regression", "adjusted"}, default="auto"
        ``"auto"`` is exact when ``n_coalitions_needed(order) <= 4096`` (and within
        ``max_evals`` when given); otherwise ``"adjusted"`` for symmetric and layered orders
        and ``"permutation"`` for general orders, with ``decompose`` or with
        ``n_permutations`` (:func:`resolve_method`). ``"kernel"`` (unbiased KernelSHAP)
        supports symmetric orders only; ``"regression"`` (paired regression KernelSHAP with
        exactly enumerated border sizes, per layer for layered orders) and ``"adjusted"``
        (regression-adjusted Monte Carlo: a kernel surrogate of order ≤ 4 with exact Shapley
        values plus paired regression KernelSHAP on the residual, per layer; see
        :mod:`causalx.shapley._adjusted`) symmetric and layered orders; none of them supports
        ``decompose``.
    decompose : bool, default False
        Also split every value into a direct and an indirect part (``direct + indirect ==
        values``) from the game's ``transitions``; the adaptive rule then also waits for the
        parts' errors, and ``max_evals`` counts the transitions as evaluations too.
    n_permutations : int, optional
        Permutation method: use exactly this many orderings (rounded up to whole sampling
        units) instead of the adaptive rule. Only valid with ``"permutation"`` or ``"auto"``.
    max_evals : int, optional
        Budget of distinct coalitions evaluated (empty and full included; plus the transitions
        when decomposing) for the adaptive permutation, regression, adjusted and kernel estimators.
        Defaults: ``1000 d`` (permutation, regression, adjusted) and ``min(2**d − 2, 2048) + 2`` (kernel). Ignored when
        ``n_permutations`` is given.
    tol : float, default=0.01
        Adaptive rule: stop once the estimator's own standard error (the spread across sampled
        orderings) satisfies ``max(se) <= tol * max|φ|`` (max over explicands and players,
        floored at 1e-12). The Monte Carlo error of v(S) is still part of the reported
        ``stderr`` but not of the rule: more orderings do not reduce it (more draws do).
    batch_permutations : int, optional
        Orderings added per round of the adaptive permutation estimator. By default the
        first round has 32 and later rounds are sized from the current error (at most doubling
        the total).
    sampling : {"antithetic", "stratified"}, default "antithetic"
        How the permutation method draws orderings: antithetic pairs, or Latin blocks of
        cyclic shifts with their reverses (quasi-random, position-stratified; see
        :func:`permutation_plan`).
    random_state : int, numpy.random.Generator or None
        Results are deterministic given an int or a seeded Generator.
    progress : bool, default=False
        Show a progress bar (also on under ``config_context(show_progress=True)``).

    Returns
    -------
    ShapleyResult
        With ``direct``/``indirect`` (and their errors) when ``decompose``.

    Warns
    -----
    causalx.exceptions.ConvergenceWarning
        When an adaptive estimator reaches its budget before ``tol``.

    References
    ----------
    .. [1] Castro, J., Gómez, D. and Tejada, J. (2009). Polynomial calculation of the Shapley
       value based on sampling. Computers & Operations Research 36(5), 1726–1730.
    .. [2] Mitchell, R., Cooper, J., Frank, E. and Holmes, G. (2022). Sampling permutations for
       Shapley value estimation. JMLR 23(43).
    .. [3] Covert, I. and Lee, S.-I. (2021). Improving KernelSHAP. AISTATS.
    .. [4] Heskes, T., Sijben, E., Bucur, I. G. and Claassen, T. (2020). Causal Shapley values.
       NeurIPS 33 (the direct/indirect split).

    Examples
    --------
    >>> beta = np.array([1.0, -2.0, 0.5])
    >>> def game(masks):                     # additive game, 2 explicands, 1 replicate
    ...     return (np.array([[1.0], [2.0]]) * (masks @ beta))[:, :, None]
    >>> res = estimate_shapley(game, PartialOrder.symmetric(3))
    >>> res.method, res.values.tolist()
    ('exact', [[1.0, -2.0, 0.5], [2.0, -4.0, 1.0]])
    """
    check_option("method", method, METHODS)
    check_option("sampling", sampling, PERMUTATION_SAMPLINGS)
    _check_order(order)
    if not callable(game):
        raise TypeError(f"game must be callable as game(masks) -> values, got {type(game).__name__}.")
    if decompose and not callable(getattr(game, "transitions", None)):
        raise TypeError(
            f"decompose=True needs a game with a transitions(masks, players) method; "
            f"{type(game).__name__} has none."
        )
    if n_permutations is not None:
        check_interval("n_permutations", n_permutations, low=1, integer=True)
    if max_evals is not None:
        check_interval("max_evals", max_evals, low=1, integer=True)
    if batch_permutations is not None:
        check_interval("batch_permutations", batch_permutations, low=1, integer=True)
    check_interval("tol", tol, low=0.0)
    rng = check_random_state(random_state)

    if method == "auto" and n_permutations is not None and resolve_method(order, max_evals=max_evals) != "exact":
        method = "permutation"  # a number of orderings names the permutation estimator
    method = resolve_method(order, method, max_evals=max_evals, decompose=decompose)
    if n_permutations is not None and method != "permutation":
        raise ValueError(
            f"n_permutations is only used by method='permutation', got method={method!r}."
        )
    if method == "kernel" and not order.is_symmetric:
        raise ValueError(
            "method='kernel' supports symmetric values only; use method='permutation' (or 'exact') "
            "for asymmetric orders."
        )
    if method in ("kernel", "regression", "adjusted") and decompose:
        raise ValueError(f"decompose=True needs method='exact' or 'permutation', not {method!r}.")
    if method in ("regression", "adjusted") and order.layers is None:
        raise ValueError(
            f"method={method!r} needs a symmetric or layered order (chain components); this partial order "
            "is not layered. Use method='permutation' (orderings consistent with the order) or 'exact'."
        )
    cache = _GameCache(game, order.n_players)
    ctx = config_context(show_progress=True) if progress else contextlib.nullcontext()
    with ctx:
        if method == "exact":
            return _estimate_exact(cache, order, max_evals, decompose)
        if method == "permutation":
            if n_permutations is not None:
                orderings, unit = _sample_orderings(order, n_permutations, rng, sampling=sampling)
                plan = plan_from_orderings(orderings, unit)
                return apply_plan(plan, cache.evaluate(plan.masks, desc="coalitions"),
                                  u=cache.transitions(plan) if decompose else None)
            return _estimate_permutation(cache, order, rng, max_evals, tol, batch_permutations, sampling, decompose)
        if method == "regression":
            return estimate_regression(cache, order, rng, max_evals, tol)
        if method == "adjusted":
            return estimate_adjusted(cache, order, rng, max_evals, tol)
        return _estimate_kernel(cache, order.n_players, rng, max_evals, tol)


# ---------------------------------------------------------------------------- cache
class _GameCache:
    """Values of every coalition evaluated so far; calls the game only for new ones."""

    def __init__(self, game: Game, n_players: int):
        self.game = game
        self.d = n_players
        self.size = 0
        self._keys: np.ndarray | None = None
        self._vals: np.ndarray | None = None  # (n, capacity, B)
        self._sorted: tuple[np.ndarray, np.ndarray] | None = None
        self.n_calls = 0
        self.n_transitions = 0  # transition values u(S_t, i_t) evaluated (decompose)

    @property
    def n_evaluated(self) -> int:
        """Evaluations counted against ``max_evals``: distinct coalitions plus transitions."""
        return self.size + self.n_transitions

    def transitions(self, plan) -> np.ndarray:
        """Transition values ``u(S_t, i_t)`` ``(n, T, B)`` of a plan, in chunks of GAME_BATCH."""
        base, player = plan.masks[plan.base], plan.player
        T = len(player)
        # transitions whose u(S, i) is v(S ∪ {i}) exactly (no absent feature's draw reads i):
        # reuse the coalition's value instead of evaluating the model on new rows
        probe = getattr(self.game, "transition_is_value", None)
        same = np.asarray(probe(base, player), dtype=bool) if callable(probe) else np.zeros(T, dtype=bool)
        out = None
        if same.any():
            nxt = base[same].copy()
            nxt[np.arange(nxt.shape[0]), player[same]] = True
            vals = self.evaluate(nxt)
            out = np.empty((vals.shape[0], T, vals.shape[2]))
            out[:, same] = vals
        rest = np.flatnonzero(~same)
        for lo in range(0, rest.size, GAME_BATCH):
            idx = rest[lo : lo + GAME_BATCH]
            part = np.asarray(self.game.transitions(base[idx].copy(), player[idx]), dtype=float)
            part = part[:, :, None] if part.ndim == 2 else part
            if out is None:
                out = np.empty((part.shape[0], T, part.shape[2]))
            out[:, idx] = part
        self.n_transitions += rest.size
        if out is None:  # no transitions at all
            return np.empty((self.game.n_explicands if hasattr(self.game, "n_explicands") else 0, 0, 1))
        return out

    def _index(self):
        if self._sorted is None:
            keys = self._keys[: self.size]
            order = np.argsort(keys, kind="stable")
            self._sorted = (keys[order], order)
        return self._sorted

    def positions(self, keys: np.ndarray) -> np.ndarray:
        """Cache column of each key, -1 when not cached."""
        if self.size == 0:
            return np.full(len(keys), -1, dtype=np.intp)
        skeys, order = self._index()
        pos = np.minimum(np.searchsorted(skeys, keys), self.size - 1)
        hit = skeys[pos] == keys
        return np.where(hit, order[pos], -1)

    def n_missing(self, masks: np.ndarray) -> np.ndarray:
        """Boolean ``(m,)``: which masks are not cached yet."""
        return self.positions(_bits.mask_keys(masks)) < 0

    def evaluate(self, masks: np.ndarray, *, desc: str | None = None) -> np.ndarray:
        """Values ``(n, m, B)`` of ``masks`` (evaluating only the ones not cached)."""
        masks = np.asarray(masks, dtype=bool)
        keys = _bits.mask_keys(masks)
        pos = self.positions(keys)
        missing = pos < 0
        if missing.any():
            new_keys, first = np.unique(keys[missing], return_index=True)
            new_masks = masks[np.flatnonzero(missing)[first]]
            starts = range(0, len(new_masks), GAME_BATCH)
            total = len(starts)
            for lo in _progress(starts, total=total, desc=desc) if total > 1 else starts:
                self._append(new_keys[lo : lo + GAME_BATCH], new_masks[lo : lo + GAME_BATCH])
            pos = self.positions(keys)
        return self._vals[:, pos, :]

    def _append(self, keys: np.ndarray, masks: np.ndarray) -> None:
        out = np.asarray(self.game(masks.copy()), dtype=float)
        self.n_calls += 1
        if out.ndim == 2:
            out = out[:, :, None]
        m = len(masks)
        if out.ndim != 3 or out.shape[1] != m or out.shape[0] < 1 or out.shape[2] < 1:
            raise ValueError(
                f"game(masks) must return an array of shape (n, m, B) with m = len(masks) = {m}, "
                f"got shape {out.shape}."
            )
        if not np.all(np.isfinite(out)):
            raise ValueError("game(masks) returned NaN or infinite values.")
        if self._vals is None:
            cap = max(m, 64)
            self._vals = np.empty((out.shape[0], cap, out.shape[2]))
            self._keys = np.empty(cap, dtype=keys.dtype)
        elif out.shape[0] != self._vals.shape[0] or out.shape[2] != self._vals.shape[2]:
            raise ValueError(
                f"game(masks) returned shape {out.shape}, inconsistent with the earlier "
                f"(n, B) = ({self._vals.shape[0]}, {self._vals.shape[2]})."
            )
        if self.size + m > self._vals.shape[1]:
            cap = max(2 * self._vals.shape[1], self.size + m)
            vals = np.empty((self._vals.shape[0], cap, self._vals.shape[2]))
            vals[:, : self.size] = self._vals[:, : self.size]
            ks = np.empty(cap, dtype=self._keys.dtype)
            ks[: self.size] = self._keys[: self.size]
            self._vals, self._keys = vals, ks
        self._vals[:, self.size : self.size + m] = out
        self._keys[self.size : self.size + m] = keys
        self.size += m
        self._sorted = None

    def value_of(self, mask: np.ndarray) -> np.ndarray:
        """Replicate-mean value ``(n,)`` of one (cached or not) mask."""
        return self.evaluate(mask[None, :])[:, 0, :].mean(axis=1)


# ---------------------------------------------------------------------------- exact
def _estimate_exact(cache: _GameCache, order: PartialOrder, max_evals: int | None, decompose: bool) -> ShapleyResult:
    plan = exact_plan(order)
    if max_evals is not None and len(plan.masks) > max_evals:
        raise ValueError(
            f"The exact method needs {len(plan.masks)} coalitions, more than max_evals={max_evals}; "
            "raise max_evals or use method='permutation'."
        )
    v = cache.evaluate(plan.masks, desc="coalitions")
    return apply_plan(plan, v, u=cache.transitions(plan) if decompose else None)


# ---------------------------------------------------------------------------- permutation
def _estimate_permutation(cache, order, rng, max_evals, tol, batch_permutations, sampling="antithetic",
                          decompose=False) -> ShapleyResult:
    d = order.n_players
    unit = unit_size(order, sampling=sampling)
    min_evals = 2 * d if unit > 1 else d + 1
    if decompose:
        min_evals += unit * d  # one ordering's transitions per unit
    if max_evals is None:
        max_evals = max(1000 * d, min_evals)
    if max_evals < min_evals:
        raise ValueError(
            f"max_evals={max_evals} is too low for the permutation method: one "
            f"{'sampling unit of orderings' if unit > 1 else 'ordering'} needs up to {min_evals} "
            f"evaluations for {d} players{' (transitions included)' if decompose else ''}."
        )
    full = np.ones(d, dtype=bool)
    empty = np.zeros(d, dtype=bool)
    parts = ("values", "direct", "indirect") if decompose else ("values",)
    acc = {part: _GroupAccumulator() for part in parts}
    batch = _round_up(batch_permutations or FIRST_BATCH, unit)
    converged = False
    reason = None
    for _ in _progress(itertools.count(), desc="permutation rounds"):
        orderings, units = _sample_orderings(order, batch, rng, sampling=sampling)
        plan = plan_from_orderings(orderings, units)
        missing = cache.n_missing(plan.masks)
        remaining = max_evals - cache.n_evaluated
        cost = missing.sum() + (plan.n_transitions if decompose else 0)
        if cost > remaining:
            keep = _groups_within_budget(plan, missing, remaining, per_group=unit * d if decompose else 0)
            if keep == 0:
                reason = "budget"
                break
            plan = plan_from_orderings(orderings[: keep * unit], units[: keep * unit])
        values = cache.evaluate(plan.masks, desc="coalitions")
        u = cache.transitions(plan) if decompose else None
        for part in parts:
            for rows, est in group_estimates(plan, values, u=u, part=part):
                acc[part].add(rows, est)
            acc[part].commit(plan.n_groups)
        # stop on the estimator's own error: the Monte Carlo error of v(S) (the replicates'
        # spread) does not shrink with more orderings — it is controlled by the draws per
        # coalition — so counting it here would only make the rule sample orderings in vain
        phi = acc["values"].mean
        thresh = max(tol * float(np.max(np.abs(phi))), ABS_TOL_FLOOR)
        worst = max(float(np.max(a.sampling_stderr())) for a in acc.values())
        n_groups = acc["values"].n_groups
        if n_groups >= MIN_GROUPS and worst <= thresh:
            converged = True
            break
        if cache.n_evaluated >= max_evals:
            reason = "budget"
            break
        n_ord = n_groups * unit
        if n_ord >= MAX_ORDERINGS:
            reason = "orderings"
            break
        if batch_permutations is not None:
            batch = _round_up(batch_permutations, unit)
        else:
            ratio = (worst / thresh) ** 2 if np.isfinite(worst) else 4.0
            need = math.ceil(1.1 * n_ord * ratio) - n_ord
            max_round = max(FIRST_BATCH, 2**26 // ((d + 1) * d))  # bounds the (R, d+1, d) prefix masks
            batch = _round_up(int(min(max(need, FIRST_BATCH), n_ord, MAX_ORDERINGS - n_ord, max_round)), unit)
    main = acc["values"]
    if main.n_groups == 0:  # pragma: no cover - max_evals >= min_evals makes one unit fit
        raise ValueError(f"max_evals={max_evals} is too low to evaluate a single ordering.")
    phi = main.mean
    if not converged:
        worst = max(float(np.max(a.sampling_stderr())) for a in acc.values())
        achieved = worst / max(float(np.max(np.abs(phi))), ABS_TOL_FLOOR)
        limit = f"max_evals={max_evals} evaluations" if reason == "budget" else f"{MAX_ORDERINGS} orderings"
        warnings.warn(
            f"The permutation estimator stopped at {limit} before reaching tol={tol}: "
            f"max(stderr) / max|phi| = {achieved:.3g} after {main.n_groups * unit} orderings. "
            "Raise max_evals or tol for a more precise estimate.",
            ConvergenceWarning,
            stacklevel=3,
        )
    split = {}
    if decompose:
        split = dict(direct=acc["direct"].mean, indirect=acc["indirect"].mean,
                     direct_stderr=acc["direct"].stderr(), indirect_stderr=acc["indirect"].stderr())
    return ShapleyResult(
        values=phi,
        stderr=main.stderr(),
        base_values=cache.value_of(empty),
        full_values=cache.value_of(full),
        method="permutation",
        n_coalitions=cache.size,
        n_orderings=main.n_groups * unit,
        converged=converged,
        **split,
    )


def _groups_within_budget(plan, missing: np.ndarray, remaining: int, per_group: int = 0) -> int:
    """Largest number of leading sampling units whose new masks (plus ``per_group`` transition
    evaluations each) fit in ``remaining``."""
    n_masks = len(plan.masks)
    first = np.full(n_masks, plan.n_groups, dtype=np.intp)
    np.minimum.at(first, plan.base, plan.group)
    np.minimum.at(first, plan.added, plan.group)
    cost = np.bincount(first[missing], minlength=plan.n_groups + 1)[: plan.n_groups] + per_group
    return int(np.searchsorted(np.cumsum(cost), remaining, side="right"))


class _GroupAccumulator:
    """Running mean/variance over sampling units (Chan et al. pairwise merge), replicate sums.

    Rows (explicands) are updated chunk by chunk with :meth:`add`, then :meth:`commit` records
    the number of units the round added.
    """

    def __init__(self):
        self.n_groups = 0
        self.mean = None
        self.m2 = None
        self.rep_sum = None

    def add(self, rows: slice, est: np.ndarray) -> None:
        """Merge the unit estimates ``(c, B, G, d)`` of explicands ``rows``."""
        c, n_rep, g, d = est.shape
        if self.mean is None:
            self.mean, self.m2, self.rep_sum = np.zeros((0, d)), np.zeros((0, d)), np.zeros((0, n_rep, d))
        if rows.stop > len(self.mean):  # first round: grow to the rows seen
            grow = rows.stop - len(self.mean)
            self.mean = np.concatenate([self.mean, np.zeros((grow, d))])
            self.m2 = np.concatenate([self.m2, np.zeros((grow, d))])
            self.rep_sum = np.concatenate([self.rep_sum, np.zeros((grow, n_rep, d))])
        ebar = est.mean(axis=1)  # (c, G, d)
        b_mean = ebar.mean(axis=1)
        b_m2 = ((ebar - b_mean[:, None, :]) ** 2).sum(axis=1)
        na = self.n_groups
        total = na + g
        delta = b_mean - self.mean[rows]
        self.mean[rows] = self.mean[rows] + delta * (g / total)
        self.m2[rows] = self.m2[rows] + b_m2 + delta**2 * (na * g / total)
        self.rep_sum[rows] = self.rep_sum[rows] + est.sum(axis=2)

    def commit(self, g: int) -> None:
        self.n_groups += g

    def sampling_stderr(self) -> np.ndarray:
        """The estimator's own error (spread across sampling units): what more orderings reduce."""
        n = self.n_groups
        return np.sqrt(self.m2 / (n - 1) / n) if n > 1 else np.full(self.mean.shape, np.inf)

    def stderr(self) -> np.ndarray:
        n = self.n_groups
        se2 = self.m2 / (n - 1) / n if n > 1 else np.full(self.mean.shape, np.inf)
        reps = self.rep_sum / n  # (n, B, d)
        if reps.shape[1] > 1:
            se2 = se2 + np.var(reps, axis=1, ddof=1) / reps.shape[1]
        return np.sqrt(se2)


# ---------------------------------------------------------------------------- kernel
def _estimate_kernel(cache, d, rng, max_evals, tol) -> ShapleyResult:
    empty, full = np.zeros((1, d), dtype=bool), np.ones((1, d), dtype=bool)
    ends = cache.evaluate(np.concatenate([empty, full]))
    v_empty, v_full = ends[:, 0, :], ends[:, 1, :]
    if d == 1:
        return dataclasses.replace(kernel_solve(np.zeros((0, 1), bool), ends[:, :0], v_empty, v_full), n_coalitions=2)
    n_interior = 2**d - 2 if d < 62 else np.inf
    budget = int(max_evals) if max_evals is not None else int(min(n_interior, 2048)) + 2
    if budget < 4:
        raise ValueError(f"max_evals={budget} is too low for the kernel method: it needs at least 4 coalitions.")
    max_samples = 64 * budget
    samples: list[np.ndarray] = []
    n_samples = 0
    round_size = _round_up(min(budget - 2, max(64, 4 * d)), 2)
    converged, result = False, None
    for _ in _progress(itertools.count(), desc="kernel rounds"):
        z = kernel_masks(d, round_size, rng, paired=True)
        missing = cache.n_missing(z)
        remaining = budget - cache.size
        if missing.sum() > remaining:
            keys = _bits.mask_keys(z)
            new = np.flatnonzero(missing)
            _, first = np.unique(keys[new], return_index=True)
            cost = np.bincount(new[first] // 2, minlength=len(z) // 2)
            keep = int(np.searchsorted(np.cumsum(cost), remaining, side="right"))
            z = z[: 2 * keep]
        if len(z):
            cache.evaluate(z, desc="coalitions")
            samples.append(z)
            n_samples += len(z)
        if n_samples == 0:
            raise ValueError(f"max_evals={budget} is too low for the kernel method.")
        masks = np.concatenate(samples)
        values = cache.evaluate(masks)
        result = kernel_solve(masks, values, v_empty, v_full)
        # the rule uses the estimator's own error (the solve on replicate means, B = 1): more
        # coalitions do not reduce the Monte Carlo error of v(S)
        sampling = kernel_solve(masks, values.mean(axis=2, keepdims=True), v_empty.mean(axis=-1, keepdims=True),
                                v_full.mean(axis=-1, keepdims=True)) if values.shape[2] > 1 else result
        thresh = max(tol * float(np.max(np.abs(result.values))), ABS_TOL_FLOOR)
        if n_samples >= 2 * MIN_GROUPS and float(np.max(sampling.stderr)) <= thresh:
            converged = True
            break
        if cache.size >= budget and n_interior > budget - 2:
            break
        if n_samples >= max_samples or len(z) == 0:
            break
        round_size = _round_up(min(n_samples, max_samples - n_samples), 2)
    if not converged:
        achieved = float(np.max(sampling.stderr)) / max(float(np.max(np.abs(result.values))), ABS_TOL_FLOOR)
        warnings.warn(
            f"The kernel estimator stopped at max_evals={budget} distinct coalitions ({n_samples} samples) "
            f"before reaching tol={tol}: max(stderr) / max|phi| = {achieved:.3g}. Raise max_evals or tol.",
            ConvergenceWarning,
            stacklevel=3,
        )
    return dataclasses.replace(result, n_coalitions=cache.size, converged=converged)


def _round_up(n: int, unit: int) -> int:
    return max(unit, -(-int(n) // unit) * unit)
