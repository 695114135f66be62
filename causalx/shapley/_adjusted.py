"""Regression-adjusted Monte Carlo Shapley values (``method="adjusted"``, the large-d default).

After Witter, Liu and Musco (2025), "Regression-adjusted Monte Carlo estimators for Shapley
values and probabilistic values": fit a surrogate ``g`` of the set function on the evaluated
coalitions, take ``g``'s Shapley values exactly, and estimate the Shapley values of the residual
``v − g`` from the same samples,

    φ̂ = φ(g) + φ̂_KS(v − g),

where ``φ̂_KS`` is the paired regression (KernelSHAP) estimator of :mod:`causalx.shapley._regression`
(exactly enumerated border sizes, importance-weighted paired draws, efficiency imposed). Shapley
values are linear, so ``φ(v) = φ(g) + φ(v − g)`` for every ``g``; the estimate is consistent
whatever the surrogate (as the samples grow, ``φ̂_KS`` of the residual converges), and its error
is the regression estimator's error on the *residual*, small where ``g`` fits. It is exact when
every coalition size is enumerated, and for games of interaction order ≤ 2 whenever the evidence
picks the order-2 surrogate (paired KernelSHAP is exact for such games and surrogates; the
tests check that it does pick it for them).

**Surrogate.** Kernel ridge regression on coalition indicators ``z ∈ {0,1}^n`` with the
Boolean-cube kernel

    κ(S, T) = Σ_{k=1..K} λ_k · C(|S ∩ T|, k),      λ_k = ρ^(k−1) / C(n−1, k−1),   K = min(4, n),

i.e. a Gaussian prior on the Möbius coefficients of order ``1 .. K`` (variance ``λ_k`` per
coalition of size ``k``; no constant: ``g(∅) = 0 = v(∅) − v(∅)``). The fitted
``g(T) = Σ_j α_j κ(S_j, T)`` has Möbius coefficient ``λ_|U| Σ_{j: U ⊆ S_j} α_j`` on ``U``, so its
Shapley values are closed form (each coefficient split equally over its members):

    φ_i(g) = Σ_j α_j · 1[i ∈ S_j] · Σ_k λ_k C(|S_j| − 1, k − 1) / k.

Candidates with *heredity* weights ``θ_i ∝ (|φ̂_i| / max |φ̂|)^p + 0.01`` (``p`` = 1 or 2,
``φ̂`` the plain regression estimate from the same samples) give the Möbius coefficient of ``U``
the prior variance ``λ_|U| Π_{i∈U} θ_i`` (interactions among important players are likelier, as
in tree ensembles); the kernel is then ``Σ_k λ_k e_k(θ on S ∩ T)`` (elementary symmetric
polynomials, from power sums) and ``φ_i(g) = θ_i Σ_j α_j 1[i ∈ S_j] Σ_k λ_k e_{k−1}(θ on S_j∖i) / k``.
The candidate (order 2, or order 3 .. ``K`` × ``ρ`` ∈ {0.3, 1} × heredity ``p`` ∈ {0, 1, 2})
and the ridge ``ν`` (relative to the kernel's mean diagonal) are chosen by the marginal
likelihood (Gaussian-process evidence, amplitude profiled out per column) summed over the
*replicate games*: each replicate ``v_b`` (the game over one group of background rows) has the
model's interaction structure with its own coefficients, so the B replicate columns of every
explained row are B tasks that identify one kernel; the surrogate is then fitted on the
replicate means (linear: the same as averaging the per-replicate fits). Measured on two
draws of the large-d benchmark's game against the previous grid (order 4 only, evidence of the
means): on one it gains at ``n = 128`` (median budget 364 instead of 516 coalitions) and ties
at ``n`` = 16, 32, 64; on the other (the benchmark's game since session 6) it ties at ``n`` =
32, 64, 128 and loses one rung of the median at ``n = 16`` (the wider grid with the evidence of
the means alone loses a row at ``n = 16``). The evidence is
computed on at most ``M_EVIDENCE`` = 512 of the fitted coalitions (evenly spaced, the full
coalition kept); the chosen kernel is then refitted on all of them. When the order-2 candidate wins, ``φ(g) = φ̂_KS(g)`` and the estimate is the
regression estimate (exact for games of order ≤ 2). Order ``K = 4`` is the interaction order of
depth-4 trees; a model with higher orders is still estimated consistently (the residual carries
them). The fit uses at most ``M_FIT`` coalitions (evenly spaced among the samples, the full
coalition always); the residual correction uses all of them.

**Sampling.** As ``method="regression"`` (a border size pair ``k, n − k`` is enumerated once
its coalition count fits in the interior budget's share of the kernel's size mass — at
``n = 32`` sizes 1 and 31 from about 250 interior coalitions, at ``n = 128`` from about
1,400 — below that every coalition is a paired draw), except that the size of a paired draw is uniform over the
non-enumerated sizes (as Leverage SHAP, Musco and Witter 2025) instead of the kernel's size
distribution: measured on the large-d benchmark, it lowers the error at small budgets. The new
draws of each round are then exchanged towards a *balanced* design (``_regression._balanced``:
member swaps that lower the spread of the off-diagonal information of ``x = 2·1_S − 1``, sizes and
weights kept, still exchangeable over the players; while a layer has at most 2 pairs per
player): on the large-d benchmark at ``n = 32`` it
brings 17 of 30 runs to 2 % of max |φ| at 93 coalitions instead of 6 (median rows 3,643 instead
of 5,243), at ``n = 64`` 10,363 rows instead of 14,603, at ``n = 128`` 14,523 instead of 20,603.

**Standard error.** A delete-one-group jackknife over ``G = 64`` groups of paired draws
(delete-one-pair below 64 pairs) that refits the surrogate without the group (closed form
from the inverse of the fitted system: ``α₋D = α − H[:, D] H[D, D]⁻¹ α[D]``) and recomputes the
residual correction (its normal matrix downdated), plus the game's Monte Carlo error (the
estimate is linear in the values for fixed hyperparameters: solved per replicate, the
replicates' spread enters in quadrature). The jackknife keeps the chosen hyperparameters.
Fewer than two paired draws: infinite, never 0. Sixty-four groups rather than the regression
estimator's 16: a variance from 16 groups has 15 degrees of freedom, so ±1.96 se covers at
most about 93 % even when unbiased, and on the large-d benchmark (``n = 32``, one replicate,
10 rows × 8 seeds) 16 groups covered 0.992 / 0.918 / 0.951 of the entries at 128 / 256 / 512
coalitions, 64 groups 0.995 / 0.937 / 0.961. Refitting the hyperparameters in every
jackknife replicate (the full jackknife, ten times the cost) gave 0.932 at 256 with 16
groups, no better than the extra groups. The remaining shortfall at a few hundred coalitions
is the surrogate's misfit, which the jackknife does not see. The bias is that of a ratio
(regression) estimator, ``O(1/m)`` in the paired draws ``m``, as for ``method="regression"``;
the hyperparameters are chosen from the same samples.

**Asymmetric values.** For a *layered* order (chain components) the layer ``L_k``'s values are
the ordinary Shapley values of the sub-game ``T ↦ v(A_k ∪ T)`` on ``L_k`` (Frye et al. 2020):
the estimator runs per layer on that sub-game (its own surrogate on the layer's indicators,
its own efficiency ``v(A_k ∪ L_k) − v(A_k)``), so no other closed form is needed. Players may
be groups of columns: the estimator sees only the game on coalitions of players.
"""

from __future__ import annotations

import numpy as np
from scipy.special import comb

from causalx.shapley._plan import ShapleyResult
from causalx.shapley._regression import _kkt_solve, _layer_estimate, _rep_se, adaptive_layers

__all__ = ["estimate_adjusted"]

#: largest number of coalitions the surrogate is fitted on (an eigendecomposition of that size)
M_FIT = 1024
#: largest number of fitted coalitions the evidence (hyperparameter choice) is computed on
M_EVIDENCE = 512
#: interaction order of the surrogate
MAX_ORDER = 4
#: prior scale ratio between consecutive orders, and ridge relative to the mean kernel diagonal
RHO_GRID = (0.3, 1.0)
NU_GRID = (1e-6, 1e-4, 1e-2)
#: heredity powers of the candidates (prior weight of a player ∝ its |φ| ** power; 0: unweighted)
HEREDITY_GRID = (0.0, 1.0, 2.0)
#: floor of the heredity weights relative to the most important player
THETA_FLOOR = 0.01
#: size distribution of paired draws: uniform over the non-enumerated sizes (mass ** 0)
SIZE_POWER = 0.0
#: paired draws exchanged towards a balanced design (``_regression._balanced``)
BALANCE = True
#: groups of the delete-one-group jackknife (delete-one-pair below that many paired draws)
JK_GROUPS = 64


def _order_weights(n: int, rho: float, order: int) -> np.ndarray:
    """``λ_k = ρ^(k−1) / C(n−1, k−1)`` for ``k = 1 .. order``."""
    k = np.arange(1, order + 1)
    return rho ** (k - 1) / comb(n - 1, k - 1)


def _esym(za: np.ndarray, zb: np.ndarray, theta: np.ndarray, order: int) -> list[np.ndarray]:
    """``[e_1, …, e_order]``: elementary symmetric polynomials of ``θ`` over ``S_a ∩ S_b`` for all
    pairs of rows ``(ma, mb)``, from the power sums (Newton's identities). ``θ = 1``: ``C(|S_a ∩ S_b|, k)``."""
    p = [(za * theta**r) @ zb.T for r in range(1, order + 1)]
    e = [np.ones_like(p[0])]
    for k in range(1, order + 1):
        acc = np.zeros_like(p[0])
        for r in range(1, k + 1):
            acc += (-1.0) ** (r - 1) * e[k - r] * p[r - 1]
        e.append(acc / k)
    return e[1:]


def _candidates(n: int):
    """The surrogate models compared by their evidence: (order, ρ, heredity power) triples —
    order 2, and every order ``3 .. K`` × ρ × heredity power.

    Order 2 is in the grid: when it wins, ``φ(g) = φ̂_KS(g)`` (paired KernelSHAP is exact for
    games of order ≤ 2), so the estimate is the regression estimate, exact for such games.
    """
    top = min(MAX_ORDER, n)
    out = [(min(2, n), 0.3, 0.0)]
    return out + [(o, rho, p) for o in range(3, top + 1) for rho in RHO_GRID for p in HEREDITY_GRID]


def _theta(importance: np.ndarray | None, power: float) -> np.ndarray:
    """Per-player prior weight ``θ_i ∝ (a_i / max a)^power + THETA_FLOOR``, mean 1 (power 0: all 1)."""
    n = len(importance)
    if power == 0.0 or not np.any(importance > 0):
        return np.ones(n)
    t = (importance / importance.max()) ** power + THETA_FLOOR
    return t / t.mean()


class _Surrogate:
    """The kernel ridge surrogate fitted on coalitions ``zf`` (the full coalition last).

    ``importance`` (n,): a first estimate of ``|φ|`` (the regression estimate), which the
    heredity candidates use as prior weights: the Möbius coefficient of ``U`` has prior variance
    ``λ_|U| Π_{i∈U} θ_i`` (interactions among important players are likelier, as in trees).
    ``tasks`` (mf, t): the columns whose evidence (amplitude profiled per column) is summed to
    choose the hyperparameters (default ``ybar``); the surrogate itself is linear in the values
    and is applied to whatever ``alpha`` is given.
    """

    def __init__(self, zf: np.ndarray, ybar: np.ndarray, importance: np.ndarray | None = None,
                 tasks: np.ndarray | None = None):
        n = zf.shape[1]
        mf = ybar.shape[0]
        tasks = ybar if tasks is None else tasks
        nx = tasks.shape[1]
        importance = np.zeros(n) if importance is None else np.asarray(importance, dtype=float)
        best, cache = None, {}
        cands = _candidates(n)
        top = max(c[0] for c in cands)
        # the evidence on at most M_EVIDENCE of the fitted coalitions (evenly spaced, the full one kept)
        sub = np.arange(mf) if mf <= M_EVIDENCE else np.unique(np.r_[np.linspace(0, mf - 2, M_EVIDENCE - 1).astype(np.intp), mf - 1])
        ze, tasks = zf[sub], tasks[sub]
        me = len(sub)
        for order, rho, power in cands:
            theta = _theta(importance, power)
            key = tuple(theta)
            if key not in cache:  # e_1 .. e_top once per θ (lower orders are its prefix)
                cache[key] = _esym(ze, ze, theta, top)
            lam = _order_weights(n, rho, order)
            k0 = sum(lk * c for lk, c in zip(lam, cache[key][:order]))
            scale = float(np.mean(np.diag(k0)))
            lam = lam / scale
            evals, evecs = np.linalg.eigh(k0 / scale)
            evals = np.clip(evals, 0.0, None)
            proj = evecs.T @ tasks  # (mf, t)
            for nu in NU_GRID:
                s_hat = np.maximum(((proj**2) / (evals + nu)[:, None]).sum(axis=0) / me, 1e-300)
                ll = -0.5 * me * np.log(s_hat).sum() - 0.5 * nx * np.log(evals + nu).sum()
                if best is None or ll > best[0]:
                    best = (ll, order, rho, power, nu, lam, theta, evals, evecs)
        _, self.order, self.rho, self.power, self.nu, self.lam, self.theta, evals, evecs = best
        if me < mf:  # the chosen kernel on every fitted coalition
            k0 = sum(lk * c for lk, c in zip(self.lam, _esym(zf, zf, self.theta, self.order)))
            scale = float(np.mean(np.diag(k0)))  # ν stays relative to the mean diagonal
            self.lam = self.lam / scale
            evals, evecs = np.linalg.eigh(k0 / scale)
            evals = np.clip(evals, 0.0, None)
        self.zf = zf
        self.h = (evecs / (evals + self.nu)) @ evecs.T  # (K0 + νI)⁻¹
        # Shapley coefficient of fitted coalition j for player i ∈ S_j: θ_i Σ_k λ_k e_{k−1}(θ on S_j∖i) / k
        e_s = [np.ones(mf)] + [e[:, 0] for e in _esym(zf, np.ones((1, n)), self.theta, self.order)]
        sub = [np.ones((mf, n))]
        for t in range(1, self.order):
            sub.append(e_s[t][:, None] - self.theta[None, :] * sub[t - 1])
        self.coef = self.theta[None, :] * sum(lk * sub[k - 1] / k for k, lk in enumerate(self.lam, start=1))
        self.coef *= zf

    def alpha(self, yf: np.ndarray) -> np.ndarray:
        return self.h @ yf

    def phi(self, alpha: np.ndarray) -> np.ndarray:
        """Exact Shapley values ``(n, r)`` of the fitted function with coefficients ``alpha`` (mf, r)."""
        return self.coef.T @ alpha

    def cross(self, z: np.ndarray) -> np.ndarray:
        """Kernel between coalitions ``z`` and the fitted ones ``(m, mf)``, in chunks."""
        out = np.empty((len(z), len(self.zf)))
        step = max(1, 2**22 // max(1, len(self.zf)))
        for lo in range(0, len(z), step):
            e = _esym(z[lo : lo + step], self.zf, self.theta, self.order)
            out[lo : lo + step] = sum(lk * c for lk, c in zip(self.lam, e))
        return out


def _wls(z: np.ndarray, w: np.ndarray, r: np.ndarray, delta_r: np.ndarray) -> np.ndarray:
    """Constrained weighted least squares (the KernelSHAP problem) of residuals ``r`` (m, c)."""
    a = (z * w[:, None]).T @ z
    b = z.T @ (w[:, None] * r)
    return _kkt_solve(a, b, delta_r)


def _adjusted_layer_estimate(layer, cache):
    """Values, sampling se and Monte Carlo se ``(nx, n)`` of one layer (see the module docstring)."""
    if layer.n == 1 or layer.complete or len(layer.kept_draws()) == 0:
        return _layer_estimate(layer, cache)  # exact (or no draw yet): the regression's handling
    ends = cache.evaluate(layer.ends())
    v0, v1 = ends[:, 0, :], ends[:, 1, :]
    nx, n_rep = v0.shape
    ex, ex_w, draws, pairs, _ = layer.design()
    n_pairs, n_ex = len(draws), len(ex)
    wp = layer.pair_weights(draws)
    z = np.concatenate([ex, pairs]).astype(float)  # (m, n): enumerated, first halves, second halves
    w = np.concatenate([ex_w, 0.5 * wp, 0.5 * wp])
    m = len(z)
    y = cache.evaluate(layer.lift(np.concatenate([ex, pairs]))) - v0[:, None, :]  # (nx, m, B)
    delta = v1 - v0  # (nx, B)
    y2 = y.transpose(1, 0, 2).reshape(m, nx * n_rep)
    d2 = delta.reshape(-1)
    # the fit set: every sample (or M_FIT − 1 evenly spaced ones) and the full coalition
    fit = np.arange(m) if m + 1 <= M_FIT else np.unique(np.linspace(0, m - 1, M_FIT - 1).astype(np.intp))
    zf = np.concatenate([z[fit], np.ones((1, layer.n))])
    ybar_f = np.concatenate([y.mean(axis=2)[:, fit], delta.mean(axis=1)[:, None]], axis=1).T  # (mf, nx)
    first = _wls(z, w, y.mean(axis=2).T, delta.mean(axis=1))  # the regression estimate (n, nx)
    # hyperparameters by the evidence summed over the replicate games (one task each, sharing the
    # model's interaction structure); the fit below is on the replicate means as before
    tasks = np.concatenate([y2[fit], d2[None, :]])  # (mf, nx B)
    sur = _Surrogate(zf, ybar_f, np.abs(first).mean(axis=1), tasks)
    kx = sur.cross(z)  # (m, mf)
    k_full = sur.cross(np.ones((1, layer.n)))[0]  # (mf,)

    def estimate(ys, dl, alpha, weights):
        g_s = kx @ alpha
        return sur.phi(alpha) + _wls(z, weights, ys - g_s, dl - k_full @ alpha)

    yf2 = np.concatenate([y2[fit], d2[None, :]])
    reps = estimate(y2, d2, sur.alpha(yf2), w).reshape(layer.n, nx, n_rep).transpose(1, 2, 0)
    values = reps.mean(axis=1)
    if n_pairs < 2:
        return values, np.full(values.shape, np.inf), _rep_se(reps)
    # delete-one-group jackknife on the replicate means (surrogate refitted in closed form)
    ybar, dbar = y.mean(axis=2).T, delta.mean(axis=1)
    loo = _jackknife(sur, z, w, n_ex, n_pairs, fit, kx, k_full, ybar, dbar)
    n_g = len(loo)
    var = (n_g - 1) / n_g * ((loo - loo.mean(axis=0)) ** 2).sum(axis=0)
    return values, np.sqrt(var), _rep_se(reps)


def _jackknife(sur, z, w, n_ex, n_pairs, fit, kx, k_full, ybar, dbar) -> np.ndarray:
    """Delete-one-group jackknife replicates ``(G, nx, n)`` of the adjusted estimate (``G =
    min(JK_GROUPS, n_pairs)`` groups of paired draws, ``draw j`` in group ``j mod G``).

    Without group ``g`` (rows ``D``: both halves of its pairs; ``F``: their positions in the
    fit set) the surrogate is refitted in closed form, ``α_g = α − H[:, F] H[F, F]⁻¹ α[F]``
    (``H = (K + νI)⁻¹``; exactly the kernel ridge fit on the remaining coalitions, the same
    hyperparameters), and the residual regression is solved with the remaining pairs
    reweighted by ``P / (P − |g|)``: its normal matrix is downdated, not rebuilt. The products
    with ``K_x H[:, F]`` are taken from ``K_x H`` when that is cheaper (many explained rows).
    """
    m, n = z.shape
    nx = ybar.shape[1]
    yfb = np.concatenate([ybar[fit], dbar[None, :]])
    alpha = sur.alpha(yfb)  # (mf, nx)
    mf = len(alpha)
    r = ybar - kx @ alpha  # residuals of the full fit (m, nx)
    dr = dbar - k_full @ alpha
    phi_g = sur.phi(alpha)  # (n, nx)
    wz = z * w[:, None]
    a_ex = wz[:n_ex].T @ z[:n_ex]
    a_pairs = wz[n_ex:].T @ z[n_ex:]
    pos_in_fit = np.full(m, -1, dtype=np.intp)
    pos_in_fit[fit] = np.arange(len(fit))
    n_g = min(JK_GROUPS, n_pairs)
    kh = kx @ sur.h if n_g * nx > mf else None  # (m, mf), once, when cheaper than per group
    group = np.arange(n_pairs) % n_g
    loo = np.empty((n_g, nx, n))
    for g in range(n_g):
        sel = np.flatnonzero(group == g)
        dropped = np.concatenate([n_ex + sel, n_ex + n_pairs + sel])
        scale = n_pairs / (n_pairs - len(sel))
        df = pos_in_fit[dropped]
        df = df[df >= 0]
        r_g, dr_g, phi_gg = r, dr, phi_g
        if len(df):
            c = np.linalg.solve(sur.h[np.ix_(df, df)], alpha[df])  # α_g = α − H[:, F] c
            h_c = sur.h[:, df] @ c  # (mf, nx)
            r_g = r + (kh[:, df] @ c if kh is not None else kx @ h_c)
            dr_g = dr + k_full @ h_c
            phi_gg = phi_g - sur.phi(h_c)
        w_g = np.concatenate([w[:n_ex], scale * w[n_ex:]])
        w_g[dropped] = 0.0
        a_g = a_ex + scale * (a_pairs - wz[dropped].T @ z[dropped])
        b_g = (z * w_g[:, None]).T @ r_g
        loo[g] = (phi_gg + _kkt_solve(a_g, b_g, dr_g)).T
    return loo


def estimate_adjusted(cache, order, rng, max_evals: int | None, tol: float) -> ShapleyResult:
    """The adaptive regression-adjusted estimator over a game cache (see the module docstring).

    The same rounds and stopping rule as ``method="regression"``: budgets raised per layer until
    ``max(jackknife se) <= tol * max|φ|`` with at least 16 paired draws per sampled layer, or
    ``max_evals`` distinct coalitions (default ``1000 d``) are spent.
    """
    return adaptive_layers(cache, order, rng, max_evals, tol, layer_estimate=_adjusted_layer_estimate,
                           size_power=SIZE_POWER, method="adjusted", balance=BALANCE)
