"""Linear Shapley plans: which coalitions to evaluate and how to combine their values.

Every estimator here except KernelSHAP is a *transition plan*: a list of transitions
``t = (S_t, S_t ∪ {i_t})`` with weights, and

    φ_i = Σ_{t : i_t = i} weight_t · [v(S_t ∪ {i_t}) − v(S_t)].

The exact plan enumerates every cover relation of the lattice of downsets with weights
``N_down(S) N_up(S ∪ i) / N_total`` (number of linear extensions through that step, divided by
their total); the permutation plan uses the steps of sampled orderings with weight ``1 / R``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from causalx._config import get_config
from causalx._options import PERMUTATION_SAMPLINGS
import causalx.shapley._bits as _bits
from causalx.shapley._order import PartialOrder, _TooManyDownsets
from causalx.utils import check_interval, check_option, check_random_state

__all__ = ["ShapleyPlan", "ShapleyResult", "apply_plan", "exact_plan", "owen_plan", "owen_sampled_plan",
           "permutation_plan"]

#: default maximum number of downsets the exact plan enumerates
MAX_EXACT_COALITIONS = 2**20


@dataclass(frozen=True)
class ShapleyPlan:
    """A linear transition plan ``φ_i = Σ_t weight_t [v(S_t ∪ {i_t}) − v(S_t)]``.

    Attributes
    ----------
    masks : ndarray of shape (m, d), dtype bool
        The distinct coalitions to evaluate; row ``j`` is column ``j`` of the game values.
    base : ndarray of shape (T,), dtype int
        Index into ``masks`` of ``S_t``.
    added : ndarray of shape (T,), dtype int
        Index into ``masks`` of ``S_t ∪ {player_t}``.
    player : ndarray of shape (T,), dtype int
        The player added by transition ``t``.
    weight : ndarray of shape (T,), dtype float
        Transition weights; for every plan here they sum to 1 over each player's transitions.
    group : ndarray of shape (T,), dtype int
        Independent sampling unit of each transition (an antithetic pair of orderings, or one
        ordering); all 0 for exact plans.
    n_groups : int
        Number of independent sampling units, each carrying the same total weight; 0 for
        exact (deterministic) plans.
    method : str
        ``"exact"`` or ``"permutation"``.
    n_orderings : int or None
        Number of orderings a permutation plan was built from (None for exact plans).
    """

    masks: np.ndarray
    base: np.ndarray
    added: np.ndarray
    player: np.ndarray
    weight: np.ndarray
    group: np.ndarray
    n_groups: int
    method: str
    n_orderings: int | None = None

    @property
    def n_players(self) -> int:
        """Number of players ``d``."""
        return int(self.masks.shape[1])

    @property
    def n_transitions(self) -> int:
        """Number of transitions ``T``."""
        return int(len(self.player))


@dataclass(frozen=True, kw_only=True)
class ShapleyResult:
    """Shapley values of ``n`` explicands, with standard errors.

    Attributes
    ----------
    values : ndarray of shape (n, d)
        Shapley values (``values[r].sum() == full_values[r] - base_values[r]``).
    stderr : ndarray of shape (n, d)
        Standard error of ``values``: sampling error of the estimator and Monte Carlo error of
        the game (spread across its replicates), combined in quadrature.
    base_values : ndarray of shape (n,)
        ``v(∅)`` (replicate mean).
    full_values : ndarray of shape (n,)
        ``v(N)`` (replicate mean).
    direct, indirect : ndarray of shape (n, d) or None
        Direct/indirect split (``direct + indirect == values``) when requested.
    direct_stderr, indirect_stderr : ndarray of shape (n, d) or None
        Their standard errors.
    method : str
        ``"exact"``, ``"permutation"`` or ``"kernel"``.
    n_coalitions : int
        Number of distinct coalitions evaluated.
    n_orderings : int or None
        Number of sampled orderings (permutation method).
    converged : bool or None
        Whether an adaptive estimator reached its precision target (None when not adaptive).
    """

    values: np.ndarray
    stderr: np.ndarray
    base_values: np.ndarray
    full_values: np.ndarray
    method: str
    n_coalitions: int
    direct: np.ndarray | None = None
    indirect: np.ndarray | None = None
    direct_stderr: np.ndarray | None = None
    indirect_stderr: np.ndarray | None = None
    n_orderings: int | None = None
    converged: bool | None = None


# ---------------------------------------------------------------------------- plans
def exact_plan(order: PartialOrder, *, max_coalitions: int = MAX_EXACT_COALITIONS) -> ShapleyPlan:
    """The exact (asymmetric) Shapley plan of an order.

    One algorithm serves symmetric and asymmetric values: for every downset ``S`` and player
    ``i ∉ S`` with ``S ∪ {i}`` a downset, the transition ``S → S ∪ {i}`` gets the weight

        N_down(S) · N_up(S ∪ {i}) / N_total,

    the fraction of linear extensions passing through that step, where ``N_down(S)`` counts
    the linear extensions of the order restricted to ``S`` and ``N_up`` those of the
    complement (both by dynamic programming over the downsets, in float64 with one scale per
    lattice level, so no overflow). For the symmetric order this is ``|S|! (d−|S|−1)! / d!``;
    for a layered order it is the within-layer Shapley weight (Frye et al. 2020, eq. for layered orders).

    Memory is about ``40 T`` bytes for ``T`` transitions (``d 2^(d−1)`` when symmetric: 16 MB
    at ``d = 16``, 420 MB at ``d = 20``).

    Parameters
    ----------
    order : PartialOrder
    max_coalitions : int, default=2**20
        Raise instead of enumerating more downsets than this.

    Returns
    -------
    ShapleyPlan
        With ``method="exact"``, ``n_groups=0``.

    Raises
    ------
    ValueError
        When the order has more than ``max_coalitions`` downsets.

    References
    ----------
    .. [1] Shapley, L. S. (1953). A value for n-person games. Contributions to the Theory of
       Games II, 307–317.
    .. [2] Frye, C., Rowat, C. and Feige, I. (2020). Asymmetric Shapley values. NeurIPS 33.

    Examples
    --------
    >>> plan = exact_plan(PartialOrder.symmetric(2))
    >>> plan.masks.astype(int).tolist()
    [[0, 0], [1, 0], [0, 1], [1, 1]]
    >>> plan.weight.round(3).tolist()
    [0.5, 0.5, 0.5, 0.5]
    """
    _check_order(order)
    try:
        lat = order._lattice(limit=max_coalitions)
    except _TooManyDownsets as exc:
        count = f"{exc.n}" if exc.n is not None else f"more than {max_coalitions}"
        raise ValueError(
            f"The exact method needs {count} coalitions for this order of {order.n_players} players, "
            f"more than max_coalitions={max_coalitions}. Use method='permutation' (sampled "
            "orderings) instead."
        ) from None
    weight = np.exp(lat.log_down[lat.base] + lat.log_up[lat.added] - lat.log_total)
    return ShapleyPlan(
        masks=lat.masks,
        base=lat.base,
        added=lat.added,
        player=lat.player,
        weight=_readonly(weight),
        group=_readonly(np.zeros(len(weight), dtype=np.intp)),
        n_groups=0,
        method="exact",
    )


def _check_partition(groups, d: int) -> list[np.ndarray]:
    cols = [np.asarray(g, dtype=np.intp).ravel() for g in groups]
    flat = np.concatenate(cols) if cols else np.empty(0, dtype=np.intp)
    if any(c.size == 0 for c in cols) or np.sort(flat).tolist() != list(range(d)):
        raise ValueError(f"groups must partition the players 0..{d - 1} into non-empty groups, got "
                         f"{[c.tolist() for c in cols]}.")
    return cols


def _subsets(k: int) -> np.ndarray:
    """Every subset of ``k`` items as rows of a (2^k, k) bool array."""
    return ((np.arange(2**k)[:, None] >> np.arange(k)) & 1).astype(bool)


def owen_plan(groups, n_players: int, *, max_coalitions: int = MAX_EXACT_COALITIONS) -> ShapleyPlan:
    """The exact plan of Owen values: players in groups (a coalition structure).

    Owen values average the marginal contributions over the orderings in which every group's
    members are contiguous (groups in a uniform order, members uniformly within a group):

        φ_j = Σ_{R ⊆ Q∖{G}} Σ_{T ⊆ G∖{j}} w_q(|R|) w_g(|T|) [v(R ∪ T ∪ {j}) − v(R ∪ T)],

    with ``j`` in group ``G`` of ``g`` members, ``q`` groups, ``R`` a union of other groups and
    ``w_n(s) = s! (n−s−1)! / n!``. A group's values sum to its Shapley value in the game between
    the groups (Owen 1977).

    Parameters
    ----------
    groups : sequence of sequence of int
        A partition of the players ``0 .. n_players − 1``.
    n_players : int
    max_coalitions : int, default=2**20
        Raise instead of enumerating more coalitions (about Σ_G 2^(q−1) 2^|G|).

    Returns
    -------
    ShapleyPlan

    References
    ----------
    Owen, G. (1977). Values of games with a priori unions. Mathematical Economics and Game
    Theory, 76–88.

    Examples
    --------
    >>> plan = owen_plan([[0, 1], [2]], 3)
    >>> table = lambda m: float(m[0] and m[1]) + 2.0 * m[2]          # v(S): 0 and 1 interact
    >>> v = np.array([[table(m) for m in plan.masks]])
    >>> apply_plan(plan, v).values.round(3).tolist()
    [[0.5, 0.5, 2.0]]
    """
    d = int(n_players)
    cols = _check_partition(groups, d)
    q = len(cols)
    n_coal = sum(2 ** (q - 1) * 2 ** len(c) for c in cols)
    if n_coal > max_coalitions:
        raise ValueError(f"The exact Owen values need about {n_coal} coalitions, more than max_coalitions="
                         f"{max_coalitions}. Use sampled orderings (owen_sampled_plan) instead.")
    fact = np.array([math.factorial(i) for i in range(max(q, max(len(c) for c in cols)) + 1)], dtype=float)
    bases, addeds, player, weight = [], [], [], []
    R = _subsets(q - 1)
    r_size = R.sum(1)
    w_r = fact[r_size] * fact[q - 1 - r_size] / fact[q]
    for a, members in enumerate(cols):
        others = [b for b in range(q) if b != a]
        r_mask = np.zeros((R.shape[0], d), dtype=bool)
        for k, b in enumerate(others):
            r_mask[:, cols[b]] |= R[:, k : k + 1]
        g = members.size
        T = _subsets(g)
        for pos, j in enumerate(members):
            Tj = T[~T[:, pos]]
            t_size = Tj.sum(1)
            w_t = fact[t_size] * fact[g - 1 - t_size] / fact[g]
            t_mask = np.zeros((Tj.shape[0], d), dtype=bool)
            t_mask[:, members] = Tj
            base = (r_mask[:, None, :] | t_mask[None, :, :]).reshape(-1, d)
            added = base.copy()
            added[:, j] = True
            bases.append(base)
            addeds.append(added)
            player.append(np.full(base.shape[0], j, dtype=np.intp))
            weight.append((w_r[:, None] * w_t[None, :]).ravel())
    base, added = np.concatenate(bases), np.concatenate(addeds)
    keys = _bits.mask_keys(np.concatenate([base, added]))
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    masks = np.concatenate([base, added])[first]
    inverse = inverse.ravel()
    T_ = base.shape[0]
    return ShapleyPlan(
        masks=_readonly(masks),
        base=_readonly(inverse[:T_].astype(np.intp)),
        added=_readonly(inverse[T_:].astype(np.intp)),
        player=_readonly(np.concatenate(player)),
        weight=_readonly(np.concatenate(weight)),
        group=_readonly(np.zeros(T_, dtype=np.intp)),
        n_groups=0,
        method="exact",
    )


def owen_sampled_plan(groups, n_players: int, n_permutations: int, random_state=None) -> ShapleyPlan:
    """Owen values from sampled orderings with contiguous groups, in antithetic pairs.

    Each ordering draws the groups in a uniform order and the members of each group uniformly
    within it; its partner is the reversed ordering (groups reversed, members reversed within
    each group: again an ordering with contiguous groups). ``n_permutations`` is rounded up to
    an even number.

    Examples
    --------
    >>> plan = owen_sampled_plan([[0, 1], [2]], 3, 4, random_state=0)
    >>> plan.n_orderings, plan.n_groups
    (4, 2)
    """
    d = int(n_players)
    cols = _check_partition(groups, d)
    n_pairs = (int(check_interval("n_permutations", n_permutations, low=1, integer=True)) + 1) // 2
    rng = check_random_state(random_state)
    owner = np.empty(d, dtype=np.intp)
    for a, c in enumerate(cols):
        owner[c] = a
    group_rank = np.argsort(rng.random((n_pairs, len(cols))), axis=1).argsort(axis=1)  # rank of each group
    keys = group_rank[:, owner] + rng.random((n_pairs, d))  # members contiguous, uniform within
    first = np.argsort(keys, axis=1, kind="stable")
    orderings = np.stack([first, first[:, ::-1]], axis=1).reshape(2 * n_pairs, d)
    plan = plan_from_orderings(orderings, np.repeat(np.arange(n_pairs), 2))
    return plan


def permutation_plan(
    order: PartialOrder,
    n_permutations: int,
    random_state=None,
    *,
    sampling: str = "antithetic",
) -> ShapleyPlan:
    """A plan from sampled orderings (uniform over the linear extensions of ``order``).

    Each ordering ``π`` contributes its ``d`` steps ``pre_π(i) → pre_π(i) ∪ {i}`` with weight
    ``1 / R`` (``R`` orderings), so every ordering telescopes and efficiency holds exactly.
    Coalitions are deduplicated, so each distinct mask appears once in ``masks``.

    Parameters
    ----------
    order : PartialOrder
    n_permutations : int
        Number of orderings (rounded up to whole sampling units).
    random_state : int, numpy.random.Generator or None
    sampling : {"antithetic", "stratified", "independent"}, default "antithetic"
        ``"antithetic"``: each ordering is paired with its reverse (for a layered order, its
        reverse within each layer, which is again a uniform linear extension); the pair is one
        sampling unit. ``"stratified"`` (quasi-random): each unit is a Latin block — a uniform
        ordering and its cyclic shifts within every layer, so that each player takes each
        position of its layer once per block — together with the antithetic reverses; every
        single ordering is still uniform, so the estimator stays unbiased. ``"independent"``:
        i.i.d. orderings, one per unit. General (non-layered) orders have no reversal and are
        always sampled independently.

    Returns
    -------
    ShapleyPlan
        With ``method="permutation"``; ``n_groups`` = number of pairs (or orderings, or blocks).

    References
    ----------
    .. [1] Castro, J., Gómez, D. and Tejada, J. (2009). Polynomial calculation of the Shapley
       value based on sampling. Computers & Operations Research 36(5), 1726–1730.
    .. [2] Mitchell, R., Cooper, J., Frank, E. and Holmes, G. (2022). Sampling permutations for
       Shapley value estimation. JMLR 23(43), 1–46.

    Examples
    --------
    >>> plan = permutation_plan(PartialOrder.symmetric(3), 4, random_state=0)
    >>> plan.n_groups, plan.n_orderings, plan.n_transitions
    (2, 4, 12)
    >>> permutation_plan(PartialOrder.symmetric(3), 4, random_state=0, sampling="independent").n_groups
    4
    """
    _check_order(order)
    check_interval("n_permutations", n_permutations, low=1, integer=True)
    rng = check_random_state(random_state)
    orderings, unit = _sample_orderings(order, int(n_permutations), rng, sampling=sampling)
    return plan_from_orderings(orderings, unit)


#: how orderings are drawn: the explainer's ``permutation_sampling`` choices plus plain i.i.d. draws
SAMPLINGS = (*PERMUTATION_SAMPLINGS, "independent")


def unit_size(order, *, sampling: str = "antithetic") -> int:
    """Orderings per independent sampling unit of :func:`_sample_orderings`."""
    if order.layers is None or sampling == "independent":
        return 1
    if sampling == "stratified":
        return 2 * max(len(layer) for layer in order.layers)
    return 2


def _sample_orderings(order, n, rng, *, sampling="antithetic"):
    """Orderings ``(R, d)`` and their sampling unit ``(R,)``."""
    check_option("sampling", sampling, SAMPLINGS)
    if order.layers is None or sampling == "independent":
        return order.sample_linear_extensions(n, rng), np.arange(n)
    if sampling == "stratified":
        return _latin_blocks(order, n, rng)
    n_pairs = -(-n // 2)
    first = order.sample_linear_extensions(n_pairs, rng)
    second = reverse_within_layers(first, order.layers)
    orderings = np.stack([first, second], axis=1).reshape(2 * n_pairs, order.n_players)
    return orderings, np.repeat(np.arange(n_pairs), 2)


def _latin_blocks(order, n, rng):
    """Latin blocks of orderings (cyclic shifts within layers) with their reverses, ``>= n`` rows."""
    layers = order.layers
    d = order.n_players
    block = max(len(layer) for layer in layers)
    n_blocks = -(-n // (2 * block))
    base = order.sample_linear_extensions(n_blocks, rng)
    shifted = np.empty((n_blocks, block, d), dtype=base.dtype)
    start = 0
    for layer in layers:
        size = len(layer)
        seg = base[:, start : start + size]
        for k in range(block):  # loop over the block's shifts; vectorised over blocks
            shifted[:, k, start : start + size] = np.roll(seg, -(k % size), axis=1)
        start += size
    first = shifted.reshape(n_blocks * block, d)
    second = reverse_within_layers(first, layers).reshape(n_blocks, block, d)
    orderings = np.concatenate([shifted, second], axis=1).reshape(n_blocks * 2 * block, d)
    return orderings, np.repeat(np.arange(n_blocks), 2 * block)


def reverse_within_layers(orderings: np.ndarray, layers) -> np.ndarray:
    """Reverse each layer's block of positions (the antithetic partner of a layered ordering)."""
    out = orderings.copy()
    start = 0
    for layer in layers:
        stop = start + len(layer)
        out[:, start:stop] = orderings[:, start:stop][:, ::-1]
        start = stop
    return out


def plan_from_orderings(orderings: np.ndarray, unit: np.ndarray) -> ShapleyPlan:
    """Build the permutation plan of given orderings ``(R, d)`` with sampling units ``(R,)``."""
    orderings = np.asarray(orderings, dtype=np.intp)
    n_ord, d = orderings.shape
    pos = np.empty_like(orderings)
    np.put_along_axis(pos, orderings, np.broadcast_to(np.arange(d), (n_ord, d)), axis=1)
    prefixes = pos[:, None, :] < np.arange(d + 1)[None, :, None]  # (R, d+1, d)
    flat = prefixes.reshape(n_ord * (d + 1), d)
    _, first, inverse = np.unique(_bits.mask_keys(flat), return_index=True, return_inverse=True)
    inverse = inverse.reshape(n_ord, d + 1)
    _, unit_id = np.unique(unit, return_inverse=True)
    n_groups = int(unit_id.max()) + 1 if n_ord else 0
    return ShapleyPlan(
        masks=_readonly(flat[first]),
        base=_readonly(inverse[:, :d].ravel().astype(np.intp)),
        added=_readonly(inverse[:, 1:].ravel().astype(np.intp)),
        player=_readonly(orderings.ravel().copy()),
        weight=_readonly(np.full(n_ord * d, 1.0 / n_ord)),
        group=_readonly(np.repeat(unit_id, d).astype(np.intp)),
        n_groups=n_groups,
        method="permutation",
        n_orderings=n_ord,
    )


# ---------------------------------------------------------------------------- apply
def apply_plan(plan: ShapleyPlan, v: np.ndarray, *, u: np.ndarray | None = None) -> ShapleyResult:
    """Combine game values into Shapley values with standard errors.

    Parameters
    ----------
    plan : ShapleyPlan
    v : ndarray of shape (n, m, B)
        Game values of the plan's masks (``B`` Monte Carlo replicates; a 2-D ``(n, m)`` array
        is read as ``B = 1``).
    u : ndarray of shape (n, T, B), optional
        A third value per transition, for the direct/indirect split
        ``direct_i = Σ weight (u_t − v(S_t))``, ``indirect_i = Σ weight (v(S_t ∪ i) − u_t)``;
        ``values`` is then ``direct + indirect`` exactly.

    Returns
    -------
    ShapleyResult
        ``values`` from the replicate mean of ``v``. ``stderr = sqrt(se_sampling² + se_mc²)``
        with ``se_sampling`` the standard deviation across the plan's sampling units divided by
        ``sqrt(n_groups)`` (0 for exact plans) and ``se_mc`` the standard deviation of the
        replicate-wise values divided by ``sqrt(B)`` (0 when ``B == 1``).

    Examples
    --------
    >>> plan = exact_plan(PartialOrder.symmetric(2))
    >>> table = {(0, 0): 0.0, (1, 0): 1.0, (0, 1): 2.0, (1, 1): 5.0}
    >>> v = np.array([[table[tuple(m)] for m in plan.masks.astype(int)]])[:, :, None]
    >>> apply_plan(plan, v).values.tolist()
    [[2.0, 3.0]]
    """
    v = _as_values(v, "v", len(plan.masks))
    n, _, n_rep = v.shape
    d, n_t = plan.n_players, plan.n_transitions
    if u is not None:
        u = _as_values(u, "u", n_t)
        if u.shape[0] != n or u.shape[2] != n_rep:
            raise ValueError(f"u must have shape ({n}, {n_t}, {n_rep}) to match v, got {u.shape}.")
    grouped = plan.n_groups > 0
    w = plan.weight
    p_mat = sp.csr_array((w, (np.arange(n_t), plan.player)), shape=(n_t, d))
    g_mat = None
    if grouped:
        g_mat = sp.csr_array((w, (np.arange(n_t), plan.group * d + plan.player)), shape=(n_t, plan.n_groups * d))
    parts = ("values",) if u is None else ("direct", "indirect")
    out = {p: np.empty((n, d)) for p in parts}
    se2 = {p: np.zeros((n, d)) for p in parts}
    per_row = 8 * n_t * (n_rep + 2 + (plan.n_groups if grouped else 0) * d / max(n_t, 1))
    chunk = max(1, int(get_config()["max_batch_bytes"] // max(per_row, 1)))
    for lo in range(0, n, chunk):
        sl = slice(lo, min(n, lo + chunk))
        vc = v[sl]
        uc = None if u is None else u[sl]
        for part in parts:
            diff_mean = _diffs(part, vc.mean(axis=2), None if uc is None else uc.mean(axis=2), plan)
            mean = _right_sparse(diff_mean, p_mat)
            out[part][sl] = mean
            if grouped:
                g = plan.n_groups
                contrib = _right_sparse(diff_mean, g_mat).reshape(-1, g, d) * g
                se2[part][sl] += (
                    np.var(contrib, axis=1, ddof=1) / g if g > 1 else np.full(mean.shape, np.inf)
                )
            if n_rep > 1:
                c = vc.shape[0]
                v_rep = vc.transpose(0, 2, 1).reshape(c * n_rep, -1)
                u_rep = None if uc is None else uc.transpose(0, 2, 1).reshape(c * n_rep, -1)
                reps = _right_sparse(_diffs(part, v_rep, u_rep, plan), p_mat).reshape(c, n_rep, d)
                se2[part][sl] += np.var(reps, axis=1, ddof=1) / n_rep
    vbar = v.mean(axis=2)
    empty, full = _find_rows(plan.masks)
    common = dict(
        base_values=vbar[:, empty] if empty is not None else np.full(n, np.nan),
        full_values=vbar[:, full] if full is not None else np.full(n, np.nan),
        method=plan.method,
        n_coalitions=len(plan.masks),
        n_orderings=plan.n_orderings,
    )
    if u is None:
        return ShapleyResult(values=out["values"], stderr=np.sqrt(se2["values"]), **common)
    # the total's error: same rules applied to the total's differences
    total = out["direct"] + out["indirect"]
    total_se = apply_plan(plan, v).stderr
    return ShapleyResult(
        values=total,
        stderr=total_se,
        direct=out["direct"],
        indirect=out["indirect"],
        direct_stderr=np.sqrt(se2["direct"]),
        indirect_stderr=np.sqrt(se2["indirect"]),
        **common,
    )


def group_estimates(plan: ShapleyPlan, v: np.ndarray, *, u: np.ndarray | None = None, part: str = "values"):
    """Each sampling unit's own estimate of φ (or of its direct/indirect part), per replicate,
    in chunks of explicands.

    Parameters
    ----------
    plan : ShapleyPlan
        A sampled plan (``n_groups >= 1``) whose units carry equal total weight.
    v : ndarray of shape (n, m, B)
    u : ndarray of shape (n, T, B), optional
        Transition values (see :func:`apply_plan`); needed for ``part`` "direct"/"indirect".
    part : {"values", "direct", "indirect"}, default "values"

    Yields
    ------
    rows : slice
        The explicands of this chunk.
    estimates : ndarray of shape (c, B, G, d)
        ``n_groups × Σ_{t in unit} weight_t Δ_t``; their mean over units is the plan's estimate.
    """
    check_option("part", part, ("values", "direct", "indirect"))
    v = _as_values(v, "v", len(plan.masks))
    n, _, n_rep = v.shape
    d, g, n_t = plan.n_players, plan.n_groups, plan.n_transitions
    if part != "values":
        if u is None:
            raise ValueError(f"part={part!r} needs the transition values u.")
        u = _as_values(u, "u", n_t)
    g_mat = sp.csr_array((plan.weight * g, (np.arange(n_t), plan.group * d + plan.player)), shape=(n_t, g * d))
    chunk = max(1, int(get_config()["max_batch_bytes"] // (8 * n_rep * (2 * n_t + 2 * g * d))))
    for lo in range(0, n, chunk):
        vc = v[lo : lo + chunk]
        c = vc.shape[0]
        v_rep = vc.transpose(0, 2, 1).reshape(c * n_rep, -1)
        u_rep = None if part == "values" else u[lo : lo + c].transpose(0, 2, 1).reshape(c * n_rep, -1)
        est = _right_sparse(_diffs(part, v_rep, u_rep, plan), g_mat).reshape(c, n_rep, g, d)
        yield slice(lo, lo + c), est


def _diffs(part, v, u, plan):
    """Per-transition differences ``(rows, T)`` of one part."""
    if part == "values":
        return v[:, plan.added] - v[:, plan.base]
    if part == "direct":
        return u - v[:, plan.base]
    return v[:, plan.added] - u


def _right_sparse(x: np.ndarray, mat) -> np.ndarray:
    """``x @ mat`` for dense ``x`` (r, T) and sparse ``mat`` (T, k)."""
    return np.asarray(mat.T @ x.T).T


def _find_rows(masks: np.ndarray) -> tuple[int | None, int | None]:
    size = masks.sum(axis=1)
    empty = np.flatnonzero(size == 0)
    full = np.flatnonzero(size == masks.shape[1])
    return (int(empty[0]) if len(empty) else None, int(full[0]) if len(full) else None)


def _as_values(v, name, m) -> np.ndarray:
    v = np.asarray(v, dtype=float)
    if v.ndim == 2:
        v = v[:, :, None]
    if v.ndim != 3 or v.shape[1] != m or v.shape[2] < 1:
        raise ValueError(f"{name} must have shape (n, {m}, B) with B >= 1, got {v.shape}.")
    if not np.all(np.isfinite(v)):
        raise ValueError(f"{name} contains NaN or infinite values.")
    return v


def _check_order(order) -> None:
    if not isinstance(order, PartialOrder):
        raise TypeError(f"order must be a PartialOrder, got {type(order).__name__}.")


def _readonly(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a
