"""Paired regression KernelSHAP with exactly enumerated border sizes (``method="regression"``).

Shapley values are the solution of the constrained weighted least-squares problem

    min_φ Σ_S μ(S) (v(S) − v(∅) − 1_Sᵀ φ)²   subject to   1ᵀφ = v(N) − v(∅),

``μ(S) ∝ 1 / (C(d, |S|) |S| (d − |S|))`` over the interior coalitions (Charnes et al. 1988;
Lundberg and Lee 2017). The estimator here replaces the sum by

* the exact sum over the *border* sizes ``k`` and ``d − k`` (``k = 1, 2, …``) while the
  budget affords them: size pair ``k`` is enumerated when its count is at most the number of
  samples the kernel distribution would spend on it (the "border trick" of shapiq);
* an importance-weighted sum over **paired** draws (a coalition and its complement,
  Covert and Lee 2021) from the kernel distribution restricted to the remaining sizes,

and solves the KKT system of the constrained problem, so efficiency holds exactly. The
estimate is a ratio-type (regression) estimator: consistent, with an ``O(1/m)`` bias in the
number of paired draws ``m`` (the unbiased form of Covert and Lee is ``method="kernel"``; it is
several times less accurate per evaluation). It is exact when every size is enumerated, and
(paired) for games whose interactions have order at most 2.

Standard error: a delete-one-group **jackknife** over ``G = 16`` groups of paired draws (the
enumerated part is deterministic), plus the game's Monte Carlo error (the solution is linear in
the values for fixed draws, so it is solved per replicate and the replicates' spread enters in
quadrature). With fewer than two paired draws the standard error is infinite, never 0.

Asymmetric values of a *layered* order (chain components) are, within layer ``L_k`` after the
earlier layers ``A_k``, the ordinary Shapley values of the sub-game ``T ↦ v(A_k ∪ T)`` on
``L_k`` (Frye et al. 2020), so the same estimator runs per layer, each with its own
efficiency ``v(A_k ∪ L_k) − v(A_k)``; small layers are enumerated exactly by the border rule.
General (non-layered) partial orders have no such split: use the permutation estimator.
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np

from causalx.exceptions import ConvergenceWarning
from causalx.shapley._plan import ShapleyResult

__all__ = ["adaptive_layers", "estimate_regression"]

#: jackknife groups of paired draws (the standard error needs at least two draws)
N_GROUPS = 16
#: paired draws per layer before the stopping rule is trusted
MIN_PAIRS = N_GROUPS
#: absolute floor of the convergence threshold
ABS_TOL_FLOOR = 1e-12


def _size_mass(n: int) -> np.ndarray:
    """Kernel mass of each interior size ``k = 1 .. n−1`` (sums to 1), ∝ 1/(k(n−k))."""
    k = np.arange(1, n)
    q = 1.0 / (k * (n - k))
    return q / q.sum()


def _border_sizes(n: int, budget: float) -> list[int]:
    """Sizes enumerated exactly for an interior budget (pairs ``k, n−k`` from the outside in)."""
    mass = _size_mass(n)
    rest = list(range(1, n))
    chosen: list[int] = []
    left = float(budget)
    while rest:
        lo, hi = rest[0], rest[-1]
        pair = [lo] if lo == hi else [lo, hi]
        count = sum(math.comb(n, s) for s in pair)
        share = sum(mass[s - 1] for s in pair) / sum(mass[s - 1] for s in rest)
        if count > left * share or count > left:
            break
        chosen += pair
        left -= count
        rest = [s for s in rest if s not in pair]
    return sorted(chosen)


def _all_of_size(n: int, k: int) -> np.ndarray:
    """Every subset of ``range(n)`` of size ``k`` as bool rows ``(C(n, k), n)``."""
    combos = np.fromiter(itertools.chain.from_iterable(itertools.combinations(range(n), k)), dtype=np.intp,
                         count=math.comb(n, k) * k).reshape(-1, k)
    out = np.zeros((len(combos), n), dtype=bool)
    np.put_along_axis(out, combos, True, axis=1)
    return out


class _Layer:
    """The regression estimator of one layer (the symmetric order is one layer)."""

    def __init__(self, members: np.ndarray, prefix: np.ndarray, d: int, size_power: float = 1.0,
                 balance: bool = False):
        self.members = np.asarray(members, dtype=np.intp)
        #: paired draws pick the size ``k`` of the non-enumerated sizes with probability ∝ mass(k)^power
        #: (1: the kernel distribution; 0: every size equally likely, as Leverage SHAP)
        self.size_power = float(size_power)
        self.prefix = prefix  # (d,) bool: the earlier layers, always present
        self.n = len(self.members)
        self.d = d
        self.mass = _size_mass(self.n) if self.n > 1 else np.zeros(0)
        self.exact_sizes: list[int] = []
        self.draws = np.zeros((0, self.n), dtype=bool)  # first halves of the pairs
        self.target = 0  # interior coalitions this layer may use
        #: exchange the members of new draws towards a balanced design (:func:`_balanced`)
        self.balance = bool(balance)

    @property
    def n_interior(self) -> float:
        return 2.0**self.n - 2 if self.n < 62 else math.inf

    @property
    def rest(self) -> np.ndarray:
        return np.array([k for k in range(1, self.n) if k not in self.exact_sizes], dtype=np.intp)

    @property
    def complete(self) -> bool:
        """Every interior coalition is enumerated: the layer's values are exact."""
        return self.n <= 1 or len(self.rest) == 0

    def lift(self, sub: np.ndarray) -> np.ndarray:
        """Sub-coalitions ``(m, n)`` to full masks ``(m, d)``: the prefix plus the chosen members."""
        out = np.broadcast_to(self.prefix, (len(sub), self.d)).copy()
        out[:, self.members] = sub
        return out

    def ends(self) -> np.ndarray:
        """The masks ``A_k`` and ``A_k ∪ L_k``."""
        return self.lift(np.array([np.zeros(self.n, bool), np.ones(self.n, bool)]))

    def n_used(self) -> int:
        """Interior coalitions of the current design (an upper bound: repeats counted)."""
        return sum(math.comb(self.n, k) for k in self.exact_sizes) + 2 * len(self.kept_draws())

    def kept_draws(self) -> np.ndarray:
        """Draws whose size is still sampled (the others are covered by the enumeration)."""
        if len(self.draws) == 0:
            return self.draws
        return self.draws[np.isin(self.draws.sum(axis=1), self.rest)]

    def grow(self, target: int, rng) -> None:
        """Raise the layer's interior budget to ``target``: enumerate border sizes, draw pairs."""
        if self.complete:
            return
        self.target = max(self.target, int(target))
        self.exact_sizes = sorted(set(self.exact_sizes) | set(_border_sizes(self.n, self.target)))
        if self.complete:
            return
        n_exact = sum(math.comb(self.n, k) for k in self.exact_sizes)
        want = max(1, (self.target - n_exact) // 2)
        rest = self.rest
        q = self.size_probs(rest)
        have = len(self.kept_draws())
        if want > have:
            m = want - have
            sizes = rest[rng.choice(len(rest), size=m, p=q)]
            ranks = np.argsort(np.argsort(rng.random((m, self.n)), axis=1), axis=1)
            new = ranks < sizes[:, None]
            if self.balance:
                new = _balanced(self.draws, new, self._size_weight, rng)
            self.draws = np.concatenate([self.draws, new])

    def _size_weight(self, k: np.ndarray) -> np.ndarray:
        """Importance weight of a paired draw of size ``k`` (up to a common factor)."""
        q = np.zeros(self.n + 1)
        q[self.rest] = self.size_probs(self.rest)
        return self.mass[k - 1] / np.maximum(q[k], 1e-300)

    def size_probs(self, sizes: np.ndarray) -> np.ndarray:
        """Probability of each size of ``sizes`` (the non-enumerated ones) for a paired draw."""
        q = self.mass[sizes - 1] ** self.size_power
        return q / q.sum()

    def pair_weights(self, draws: np.ndarray) -> np.ndarray:
        """Importance weight of each paired draw ``(m,)``: kernel mass over draw probability, / m.

        With ``size_power = 1`` every weight is ``rest_mass / m``; each half of a pair gets half.
        """
        return self._size_weight(draws.sum(axis=1)) / max(len(draws), 1)

    def design(self):
        """Masks ``(m, d)`` and the pieces of the weighted normal equations."""
        exact = [_all_of_size(self.n, k) for k in self.exact_sizes]
        ex = np.concatenate(exact) if exact else np.zeros((0, self.n), dtype=bool)
        ex_w = np.concatenate([np.full(math.comb(self.n, k), self.mass[k - 1] / math.comb(self.n, k))
                               for k in self.exact_sizes]) if exact else np.zeros(0)
        draws = self.kept_draws()
        pairs = np.concatenate([draws, ~draws], axis=0) if len(draws) else draws
        rest_mass = float(self.mass[self.rest - 1].sum()) if len(self.rest) else 0.0
        return ex, ex_w, draws, pairs, rest_mass


#: exchange sweeps over the new draws of :func:`_balanced`, and the most paired draws per player
#: (old and new together) it balances: the regime where the linear terms are barely identified
BALANCE_SWEEPS = 12
BALANCE_PAIRS_PER_PLAYER = 2


def _balanced(old: np.ndarray, new: np.ndarray, weight, rng) -> np.ndarray:
    """The paired draws ``new`` (m, n) with members exchanged towards a balanced design.

    A pair ``(S, S̄)`` enters the paired regression through ``x = 2·1_S − 1`` (the difference
    ``v(S) − v(S̄)`` is ``xᵀφ`` plus odd interactions), so the estimate's variance is set by the
    weighted information ``C = Σ w_i x_i x_iᵀ`` over the draws, lowest when its columns are
    orthogonal. Random subsets leave off-diagonal terms of order ``√m``; this swaps one member in
    and one out of a draw (its size and weight kept) while that lowers ``Σ_{j≠k} C_jk²``, with
    the earlier draws ``old`` fixed (up to ``BALANCE_SWEEPS`` passes). Row order and ties are random, so the design stays
    exchangeable over the players: each draw is still, marginally, a uniform subset of its size,
    and the importance weights are unchanged. With the draw ``i`` removed, ``G = C − w x xᵀ``,
    swapping ``a ∈ S`` out and ``b ∉ S`` in changes ``Σ_{j≠k} G_jk y_j y_k`` by
    ``4 (h_b − h_a) − 8 G_ab`` with ``h = G_off x``. Once old and new draws together exceed
    ``BALANCE_PAIRS_PER_PLAYER`` per player (or with one player) the new draws are returned as
    drawn: beyond the regime where the linear terms are barely identified the gain is small, and
    on small layers (few subsets) balanced designs grow repetitive and lose accuracy.
    """
    m, n = new.shape
    if m == 0 or n < 2 or len(old) + m > BALANCE_PAIRS_PER_PLAYER * n:
        return new
    X = np.where(new, 1.0, -1.0)
    w_new = weight(new.sum(axis=1))
    C = (X * w_new[:, None]).T @ X
    if len(old):
        Xo = np.where(old, 1.0, -1.0)
        C += (Xo * weight(old.sum(axis=1))[:, None]).T @ Xo
    for _ in range(BALANCE_SWEEPS):
        moved = False
        for i in rng.permutation(m):
            x, wi = X[i], w_new[i]
            ins, outs = np.flatnonzero(x > 0), np.flatnonzero(x < 0)
            if len(ins) == 0 or len(outs) == 0:
                continue
            diag = np.diag(C) - wi
            h = C @ x - wi * n * x - diag * x  # G_off x
            g_ab = C[np.ix_(ins, outs)] + wi  # G_ab = C_ab − w x_a x_b with x_a = 1, x_b = −1
            delta = 4.0 * (h[outs][None, :] - h[ins][:, None]) - 8.0 * g_ab
            delta += rng.random(delta.shape) * 1e-9 * (1.0 + np.abs(delta).max())  # random ties
            k = int(np.argmin(delta))
            if delta.flat[k] >= -1e-9 * (1.0 + np.abs(C).max()):
                continue
            a, b = ins[k // len(outs)], outs[k % len(outs)]
            C -= wi * np.outer(x, x)
            x[a], x[b] = -1.0, 1.0
            C += wi * np.outer(x, x)
            moved = True
        if not moved:
            break
    return X > 0


def _kkt_solve(a: np.ndarray, b: np.ndarray, delta: np.ndarray) -> np.ndarray:
    """``argmin`` of the weighted problem with normal matrix ``a`` (n, n), right sides ``b``
    (n, r) and efficiency ``1ᵀφ = delta`` (r,): returns φ of shape (n, r)."""
    n = a.shape[0]
    kkt = np.zeros((n + 1, n + 1))
    kkt[:n, :n] = a
    kkt[:n, n] = kkt[n, :n] = 1.0
    rhs = np.concatenate([b, delta[None, :]], axis=0)
    # least squares, not solve: with few draws two players may never have been separated, which
    # makes the system singular; the minimum-norm solution then splits their joint value evenly
    return np.linalg.lstsq(kkt, rhs, rcond=None)[0][:n]


def _layer_estimate(layer: _Layer, cache):
    """Values ``(nx, n)``, sampling se ``(nx, n)``, Monte Carlo se ``(nx, n)`` of one layer."""
    ends = cache.evaluate(layer.ends())  # (nx, 2, B)
    v0, v1 = ends[:, 0, :], ends[:, 1, :]
    nx, n_rep = v0.shape
    if layer.n == 1:
        reps = (v1 - v0)[:, :, None]
        return reps.mean(axis=1), np.zeros((nx, 1)), _rep_se(reps)
    ex, ex_w, draws, pairs, rest_mass = layer.design()
    n_pairs = len(draws)
    z_ex = ex.astype(float)
    y_ex = cache.evaluate(layer.lift(ex)) - v0[:, None, :] if len(ex) else np.zeros((nx, 0, n_rep))
    a_ex = (z_ex * ex_w[:, None]).T @ z_ex
    b_ex = np.einsum("mj,m,xmb->jxb", z_ex, ex_w, y_ex)  # (n, nx, B)
    delta = v1 - v0  # (nx, B)
    if n_pairs == 0:  # every interior coalition enumerated: exact
        phi = _kkt_solve(a_ex, b_ex.reshape(layer.n, -1), delta.ravel()).reshape(layer.n, nx, n_rep)
        reps = phi.transpose(1, 2, 0)
        se_s = np.zeros((nx, layer.n)) if layer.complete else np.full((nx, layer.n), np.inf)
        return reps.mean(axis=1), se_s, _rep_se(reps)
    z_p = pairs.astype(float)
    y_p = cache.evaluate(layer.lift(pairs)) - v0[:, None, :]  # (nx, 2P, B)
    # per-pair pieces: zzᵀ and z y summed over the pair's two halves, halved
    z1, z2 = z_p[:n_pairs], z_p[n_pairs:]
    group = np.arange(n_pairs) % N_GROUPS
    n_g = min(N_GROUPS, n_pairs)
    ybar = y_p.mean(axis=2)  # (nx, 2P)
    a_pair_g = np.empty((n_g, layer.n, layer.n))
    b_pair_g = np.empty((n_g, layer.n, nx))
    for g in range(n_g):  # loop over the 16 groups; each a pair of matrix products
        sel = slice(g, n_pairs, N_GROUPS)
        a_pair_g[g] = 0.5 * (z1[sel].T @ z1[sel] + z2[sel].T @ z2[sel])
        b_pair_g[g] = 0.5 * (z1[sel].T @ ybar[:, :n_pairs][:, sel].T + z2[sel].T @ ybar[:, n_pairs:][:, sel].T)
    scale = rest_mass / n_pairs
    a_full = a_ex + scale * a_pair_g.sum(axis=0)
    # replicate-wise solutions (the Monte Carlo error) and their mean (the estimate)
    b_rep = b_ex + scale * 0.5 * (np.einsum("pi,xpb->ixb", z1, y_p[:, :n_pairs]) +
                                   np.einsum("pi,xpb->ixb", z2, y_p[:, n_pairs:]))
    phi_rep = _kkt_solve(a_full, b_rep.reshape(layer.n, -1), delta.ravel()).reshape(layer.n, nx, n_rep)
    reps = phi_rep.transpose(1, 2, 0)  # (nx, B, n)
    values = reps.mean(axis=1)
    # jackknife over groups of pairs, on the replicate means
    if n_g < 2:
        return values, np.full(values.shape, np.inf), _rep_se(reps)
    b_ex_mean = b_ex.mean(axis=2)
    b_tot = b_pair_g.sum(axis=0)
    counts = np.bincount(group, minlength=n_g)
    loo = np.empty((n_g, nx, layer.n))
    for g in range(n_g):  # one small (n+1)² solve per group
        sc = rest_mass / (n_pairs - counts[g])
        a_g = a_ex + sc * (a_pair_g.sum(axis=0) - a_pair_g[g])
        b_g = b_ex_mean + sc * (b_tot - b_pair_g[g])
        loo[g] = _kkt_solve(a_g, b_g, delta.mean(axis=1)).T
    # grouped jackknife: groups of (nearly) equal size
    var = (n_g - 1) / n_g * ((loo - loo.mean(axis=0)) ** 2).sum(axis=0)
    return values, np.sqrt(var), _rep_se(reps)


def _rep_se(reps: np.ndarray) -> np.ndarray:
    """Monte Carlo standard error from replicate-wise values ``(nx, B, n)``."""
    if reps.shape[1] < 2:
        return np.zeros((reps.shape[0], reps.shape[2]))
    return np.std(reps, axis=1, ddof=1) / np.sqrt(reps.shape[1])


def estimate_regression(cache, order, rng, max_evals: int | None, tol: float) -> ShapleyResult:
    """The adaptive regression estimator over a game cache (see the module docstring).

    Rounds raise every unfinished layer's budget (the first round: ``max(64, 4 n)`` interior
    coalitions per layer; later ones sized from the current error, at most doubling) until
    ``max(jackknife se) <= tol * max|φ|`` with at least ``MIN_PAIRS`` draws per sampled layer,
    or the budget of ``max_evals`` distinct coalitions (default ``1000 d``) is spent.
    """
    return adaptive_layers(cache, order, rng, max_evals, tol, layer_estimate=_layer_estimate, size_power=1.0,
                           method="regression")


def adaptive_layers(cache, order, rng, max_evals: int | None, tol: float, *, layer_estimate, size_power: float,
                    method: str, balance: bool = False) -> ShapleyResult:
    """The adaptive loop shared by ``method="regression"`` and ``method="adjusted"``.

    ``layer_estimate(layer, cache)`` returns the layer's values, sampling standard error and
    Monte Carlo standard error ``(nx, n)`` each; ``size_power`` is the layers' size distribution
    of paired draws and ``balance`` whether new draws are exchanged towards a balanced design
    (:class:`_Layer`, :func:`_balanced`).
    """
    d = order.n_players
    if order.layers is None:
        raise ValueError(
            f"method={method!r} needs a symmetric or layered order (chain components); this partial "
            "order is not layered. Use method='permutation' (orderings consistent with the order)."
        )
    layers, prefix = [], np.zeros(d, dtype=bool)
    for members in order.layers:
        layers.append(_Layer(np.array(members), prefix.copy(), d, size_power=size_power, balance=balance))
        prefix[list(members)] = True
    n_ends = len(layers) + 1  # the prefixes A_k (empty and full included)
    min_evals = n_ends + sum(min(lay.n_interior, 2 * max(lay.n, 2)) for lay in layers if lay.n > 1)
    min_evals = int(min(min_evals, n_ends + sum(lay.n_interior for lay in layers)))
    if max_evals is None:
        max_evals = max(1000 * d, min_evals)
    if max_evals < min_evals:
        raise ValueError(
            f"max_evals={max_evals} is too low for the {method} method: it needs at least {min_evals} "
            f"coalitions for {d} players (a few paired draws per layer)."
        )
    empty, full = np.zeros((1, d), dtype=bool), np.ones((1, d), dtype=bool)
    cache.evaluate(np.concatenate([empty, full] + [lay.ends() for lay in layers]))
    sampled = [lay for lay in layers if lay.n > 1]
    share = max(0, max_evals - cache.size) // max(1, len(sampled))
    for lay in sampled:
        lay.grow(min(max(64, 4 * lay.n), lay.n_interior, share), rng)
    converged, reason = False, "budget"
    idle = 0
    for _ in itertools.count():
        size_before = cache.size
        masks = [lay.lift(part) for lay in sampled for part in _layer_masks(lay)]
        masks = np.concatenate(masks) if masks else np.zeros((0, d), dtype=bool)
        missing = cache.n_missing(masks) if len(masks) else np.zeros(0, bool)
        if missing.sum() > max_evals - cache.size:
            _trim(sampled, cache, max_evals)
            masks = [lay.lift(part) for lay in sampled for part in _layer_masks(lay)]
            masks = np.concatenate(masks) if masks else masks
        if len(masks):
            cache.evaluate(masks, desc="coalitions")
        idle = idle + 1 if cache.size == size_before else 0
        if idle >= 3:  # the budget left admits no new coalition (or every draw is a repeat)
            reason = "stalled"
            break
        results = [layer_estimate(lay, cache) for lay in layers]
        values = np.concatenate([r[0] for r in results], axis=1)
        se_s = np.concatenate([r[1] for r in results], axis=1)
        thresh = max(tol * float(np.max(np.abs(values))), ABS_TOL_FLOOR)
        layer_worst = [float(np.max(r[1])) if r[1].size else 0.0 for r in results]
        open_layers = [lay for lay, w in zip(layers, layer_worst, strict=True)
                       if lay.n > 1 and not lay.complete and (w > thresh or len(lay.kept_draws()) < MIN_PAIRS)]
        if not open_layers:
            converged = True
            break
        if cache.size >= max_evals:
            break
        grown = False
        for lay, w in zip(layers, layer_worst, strict=True):
            if lay not in open_layers:
                continue
            ratio = (w / thresh) ** 2 if np.isfinite(w) else 4.0
            new = int(min(2 * lay.target, max(1.1 * lay.target * ratio, lay.target + 2 * MIN_PAIRS)))
            before = (lay.target, len(lay.draws), tuple(lay.exact_sizes))
            cap = lay.n_used() + max(0, max_evals - cache.size)
            lay.grow(min(new, lay.n_interior, cap), rng)
            grown |= (lay.target, len(lay.draws), tuple(lay.exact_sizes)) != before
        if not grown:
            reason = "stalled"
            break
    order_idx = np.concatenate([lay.members for lay in layers])
    out_v, out_se = np.empty_like(values), np.empty_like(values)
    se = np.sqrt(se_s**2 + np.concatenate([r[2] for r in results], axis=1) ** 2)
    out_v[:, order_idx], out_se[:, order_idx] = values, se
    if not converged:
        achieved = float(np.max(se_s)) / max(float(np.max(np.abs(values))), ABS_TOL_FLOOR)
        warnings.warn(
            f"The {method} estimator stopped at max_evals={max_evals} distinct coalitions before reaching "
            f"tol={tol}: max(stderr) / max|phi| = {achieved:.3g}. Raise max_evals or tol."
            + (" (no further coalitions could be drawn)" if reason == "stalled" else ""),
            ConvergenceWarning,
            stacklevel=3,
        )
    ends = cache.evaluate(np.concatenate([empty, full]))
    return ShapleyResult(
        values=out_v,
        stderr=out_se,
        base_values=ends[:, 0, :].mean(axis=1),
        full_values=ends[:, 1, :].mean(axis=1),
        method=method,
        n_coalitions=cache.size,
        converged=converged,
    )


def _layer_masks(lay: _Layer):
    ex, _, _, pairs, _ = lay.design()
    return [ex, pairs]


def _trim(layers, cache, max_evals: int) -> None:
    """Drop the newest paired draws until the layers' new coalitions fit in the budget."""
    for _ in range(64):
        masks = [lay.lift(part) for lay in layers for part in _layer_masks(lay)]
        masks = np.concatenate(masks) if masks else np.zeros((0, cache.d), dtype=bool)
        over = int(cache.n_missing(masks).sum()) - (max_evals - cache.size) if len(masks) else 0
        if over <= 0:
            return
        # a border size whose enumeration does not fit is undone first
        for lay in layers:
            new_exact = [k for k in lay.exact_sizes
                         if cache.n_missing(lay.lift(_all_of_size(lay.n, k))).any()]
            if new_exact:
                lay.exact_sizes = [k for k in lay.exact_sizes if k not in new_exact]
        masks = [lay.lift(part) for lay in layers for part in _layer_masks(lay)]
        masks = np.concatenate(masks) if masks else masks
        over = int(cache.n_missing(masks).sum()) - (max_evals - cache.size) if len(masks) else 0
        if over <= 0:
            return
        # then the newest draws, spread over the layers (each pair costs up to 2)
        drop = -(-over // 2)
        for lay in sorted(layers, key=lambda lay: -len(lay.draws)):
            take = min(drop, len(lay.draws))
            # keep draws that are already evaluated; drop from the end
            lay.draws = lay.draws[: len(lay.draws) - take]
            drop -= take
            if drop <= 0:
                break
