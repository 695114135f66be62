"""KernelSHAP in the unbiased form of Covert and Lee (2021), efficiency enforced exactly.

Shapley values solve ``min_φ E_p[(v(z) − v(∅) − zᵀφ)²]`` subject to ``1ᵀφ = v(N) − v(∅)``
for the Shapley kernel distribution ``p`` over coalitions ``z`` (Lundberg and Lee 2017). The
solution is ``φ = A⁻¹(b − 1 (1ᵀA⁻¹b − Δ) / (1ᵀA⁻¹1))`` with ``A = E_p[z zᵀ]`` (known in closed
form) and ``b = E_p[z (v(z) − v(∅))]``, estimated by a sample mean. The map from ``b`` to ``φ`` is
affine, so the estimate is unbiased and its covariance is the propagated covariance of ``b̂``.
"""

from __future__ import annotations

import numpy as np

from causalx._config import get_config
from causalx.shapley._plan import ShapleyResult
from causalx.utils import check_interval, check_random_state

__all__ = ["kernel_masks", "kernel_solve"]


def _size_probabilities(d: int) -> np.ndarray:
    """Probability of each coalition size ``k = 1 .. d−1`` under the Shapley kernel, ∝ 1/(k(d−k))."""
    k = np.arange(1, d)
    q = 1.0 / (k * (d - k))
    return q / q.sum()


def _kernel_moments(d: int) -> np.ndarray:
    """``A = E[z zᵀ]`` of shape (d, d) under the Shapley kernel distribution."""
    k = np.arange(1, d)
    q = _size_probabilities(d)
    diag = float(np.sum(q * k / d))
    off = float(np.sum(q * k * (k - 1) / (d * (d - 1))))
    return np.full((d, d), off) + np.eye(d) * (diag - off)


def kernel_masks(n_players: int, n_coalitions: int, random_state=None, *, paired: bool = True) -> np.ndarray:
    """Coalitions drawn from the Shapley kernel distribution.

    The size ``k`` is drawn with probability ∝ ``(d−1) / (k (d−k))`` for ``0 < k < d``, then a
    uniform subset of that size. With ``paired=True`` each draw is followed by its complement
    (rows ``2j`` and ``2j+1``), and an odd ``n_coalitions`` is rounded up to even. The empty and
    full coalitions are never drawn (the solver uses them exactly). Draws are with replacement;
    deduplicate before evaluating.

    Parameters
    ----------
    n_players : int
    n_coalitions : int
    random_state : int, numpy.random.Generator or None
    paired : bool, default=True

    Returns
    -------
    ndarray of shape (m, n_players), dtype bool
        ``m = n_coalitions`` (rounded up to even when paired); ``m = 0`` when ``n_players == 1``.

    Examples
    --------
    >>> z = kernel_masks(4, 6, random_state=0)
    >>> z.shape, bool(np.all(z[1::2] == ~z[0::2]))
    ((6, 4), True)
    """
    d = check_interval("n_players", n_players, low=1, integer=True)
    check_interval("n_coalitions", n_coalitions, low=1, integer=True)
    rng = check_random_state(random_state)
    if d == 1:
        return np.zeros((0, 1), dtype=bool)
    n_draw = -(-n_coalitions // 2) if paired else n_coalitions
    sizes = rng.choice(np.arange(1, d), size=n_draw, p=_size_probabilities(d))
    ranks = np.argsort(np.argsort(rng.random((n_draw, d)), axis=1), axis=1)
    z = ranks < sizes[:, None]
    if paired:
        z = np.stack([z, ~z], axis=1).reshape(2 * n_draw, d)
    return z


def kernel_solve(masks: np.ndarray, v_masks: np.ndarray, v_empty: np.ndarray, v_full: np.ndarray) -> ShapleyResult:
    """Unbiased KernelSHAP with the efficiency constraint enforced exactly (symmetric values).

    Parameters
    ----------
    masks : ndarray of shape (m, d), dtype bool
        Coalitions drawn from the Shapley kernel distribution (see :func:`kernel_masks`),
        neither empty nor full, duplicates allowed. When rows ``2j, 2j+1`` are complements for
        all ``j`` the pairs are treated as single sampling units.
    v_masks : ndarray of shape (n, m, B)
        Game values of ``masks`` (``B`` Monte Carlo replicates; 2-D means ``B = 1``).
    v_empty, v_full : ndarray of shape (n, B)
        ``v(∅)`` and ``v(N)`` (1-D means ``B = 1``).

    Returns
    -------
    ShapleyResult
        ``method="kernel"``; ``stderr`` combines the sampling error (sample covariance of the
        per-unit contributions to ``b̂``, propagated through the linear solution) and the
        Monte Carlo error across replicates. ``n_coalitions`` counts distinct masks plus the
        empty and full ones.

    References
    ----------
    .. [1] Lundberg, S. M. and Lee, S.-I. (2017). A unified approach to interpreting model
       predictions. NeurIPS 30.
    .. [2] Covert, I. and Lee, S.-I. (2021). Improving KernelSHAP: practical Shapley value
       estimation using linear regression. AISTATS, PMLR 130, 3457–3465.

    Examples
    --------
    >>> z = kernel_masks(3, 200, random_state=0)
    >>> beta = np.array([1.0, 2.0, 3.0])
    >>> v = (z @ beta)[None, :, None]                      # an additive game
    >>> res = kernel_solve(z, v, np.zeros((1, 1)), np.full((1, 1), 6.0))
    >>> round(float(res.values.sum()), 10)                 # efficiency holds exactly
    6.0
    >>> bool(np.all(np.abs(res.values - beta) < 4 * res.stderr))
    True
    """
    masks = np.asarray(masks, dtype=bool)
    if masks.ndim != 2:
        raise ValueError(f"masks must have shape (m, d), got {masks.shape}.")
    m, d = masks.shape
    v_masks = np.asarray(v_masks, dtype=float)
    if v_masks.ndim == 2:
        v_masks = v_masks[:, :, None]
    v_empty = np.asarray(v_empty, dtype=float)
    v_full = np.asarray(v_full, dtype=float)
    v_empty = v_empty[:, None] if v_empty.ndim == 1 else v_empty
    v_full = v_full[:, None] if v_full.ndim == 1 else v_full
    if v_masks.ndim != 3 or v_masks.shape[1] != m:
        raise ValueError(f"v_masks must have shape (n, {m}, B), got {v_masks.shape}.")
    n, _, n_rep = v_masks.shape
    if v_empty.shape != (n, n_rep) or v_full.shape != (n, n_rep):
        raise ValueError(
            f"v_empty and v_full must have shape ({n}, {n_rep}), got {v_empty.shape} and {v_full.shape}."
        )
    for name, arr in (("v_masks", v_masks), ("v_empty", v_empty), ("v_full", v_full)):
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} contains NaN or infinite values.")
    size = masks.sum(axis=1)
    if np.any((size == 0) | (size == d)):
        raise ValueError("masks must not contain the empty or the full coalition (they are used exactly).")
    delta_rep = v_full - v_empty  # (n, B)
    base = dict(
        base_values=v_empty.mean(axis=1),
        full_values=v_full.mean(axis=1),
        method="kernel",
        n_coalitions=len(np.unique(np.packbits(masks, axis=1), axis=0)) + 2,
    )
    if d == 1:
        values = delta_rep.mean(axis=1)[:, None]
        se = _mc_se(delta_rep[:, :, None])
        return ShapleyResult(values=values, stderr=se, **base)
    if m == 0:
        raise ValueError("kernel_solve needs at least one sampled coalition.")

    a_inv = np.linalg.inv(_kernel_moments(d))
    a1 = a_inv.sum(axis=1)  # A⁻¹ 1
    denom = a1.sum()
    proj = a_inv - np.outer(a1, a1) / denom  # M: b ↦ φ (linear part); 1ᵀM = 0
    shift = a1 / denom  # c: φ = M b + c Δ

    paired = m % 2 == 0 and bool(np.all(masks[1::2] == ~masks[0::2]))
    unit = 2 if paired else 1
    n_units = m // unit
    z = masks.astype(float)
    y = v_masks - v_empty[:, None, :]  # (n, m, B)

    # point estimate and Monte Carlo error from replicate-wise solutions
    b_rep = np.einsum("nmb,md->nbd", y, z) / m  # (n, B, d)
    phi_rep = b_rep @ proj.T + delta_rep[:, :, None] * shift  # (n, B, d)
    values = phi_rep.mean(axis=1)
    se2 = _mc_se(phi_rep) ** 2

    # sampling error: covariance of the per-unit contributions, propagated through M
    ybar = y.mean(axis=2)  # (n, m)
    zp = z @ proj.T  # (m, d): per-mask contribution direction after projection
    chunk = max(1, int(get_config()["max_batch_bytes"] // (8 * m * d * 2)))
    for lo in range(0, n, chunk):
        sl = slice(lo, min(n, lo + chunk))
        h = ybar[sl, :, None] * zp[None]  # (c, m, d)
        if paired:
            h = h.reshape(h.shape[0], n_units, 2, d).mean(axis=2)
        se2[sl] += np.var(h, axis=1, ddof=1) / n_units if n_units > 1 else np.inf
    return ShapleyResult(values=values, stderr=np.sqrt(se2), **base)


def _mc_se(reps: np.ndarray) -> np.ndarray:
    """Standard error from replicates ``(n, B, d)``: ``std(ddof=1) / sqrt(B)`` (0 when B == 1)."""
    n_rep = reps.shape[1]
    if n_rep < 2:
        return np.zeros((reps.shape[0], reps.shape[2]))
    return np.std(reps, axis=1, ddof=1) / np.sqrt(n_rep)
