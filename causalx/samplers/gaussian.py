"""Multivariate-normal sampler with closed-form, cached conditionals."""

from __future__ import annotations

import contextlib
import threading

import warnings
from dataclasses import dataclass
from numbers import Real

import numpy as np
import scipy.linalg
import scipy.special

from causalx.samplers._base import BaseSampler, _check_indices, _check_n_draws
from causalx.utils import check_interval
from causalx.utils.arrays import assign_columns

__all__ = ["GaussianConditional", "GaussianSampler", "LatentThresholds"]

# Conditionals kept per fitted sampler; the oldest is dropped beyond this (exact Shapley values
# over many features visit up to 2**d coalitions, each entry costs O(d**2) floats).
_MAX_CACHE_ENTRIES = 2**15


@dataclass(frozen=True)
class LatentThresholds:
    """The latent-Gaussian reading of one binary or ordinal column (see :class:`GaussianSampler`).

    Attributes
    ----------
    levels : ndarray of shape (k,)
        The observed values, sorted.
    scores : ndarray of shape (k,)
        The latent value each level stands for (the normal's mean on the level's interval).
    cuts : ndarray of shape (k - 1,)
        A latent draw ``z`` becomes ``levels[searchsorted(cuts, z)]``.
    """

    levels: np.ndarray
    scores: np.ndarray
    cuts: np.ndarray


@dataclass(frozen=True)
class GaussianConditional:
    """The affine map ``X_T = intercept + coef @ x_G + scale @ z`` of one Gaussian conditional.

    Attributes
    ----------
    target : ndarray of shape (n_target,)
        Target columns ``T``.
    given : ndarray of shape (n_given,)
        Conditioning columns ``G``.
    coef : ndarray of shape (n_target, n_given)
        ``A = Sigma_TG Sigma_GG^-1``.
    intercept : ndarray of shape (n_target,)
        ``mu_T - A mu_G``.
    scale : ndarray of shape (n_target, n_target)
        A factor ``L`` with ``L L^T = Sigma_TT - A Sigma_GT`` (+ jitter): the Cholesky factor,
        or a symmetric square root when the conditional covariance is not positive definite.
    """

    target: np.ndarray
    given: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    scale: np.ndarray


class GaussianSampler(BaseSampler):
    """Multivariate normal model of the features with closed-form conditionals.

    The background data are summarised by their mean and (optionally shrunk) covariance. For
    target columns ``T`` given columns ``G``,

    ``X_T | x_G ~ N(mu_T + A (x_G - mu_G), Sigma_TT - A Sigma_GT)``, ``A = Sigma_TG Sigma_GG^-1``.

    ``A``, the Cholesky factor ``L`` of the conditional covariance and ``mu_T - A mu_G`` are
    computed once per distinct ``(T, G)`` and cached. A draw is
    ``x_T = mu_T - A mu_G + A x_G + L z_T`` with ``z`` a standard-normal matrix of shape
    ``(n_draws, n_features)`` drawn once per explanation: column ``j`` of ``z`` is always used
    for feature ``j`` (common random numbers across coalitions).

    **Discrete nodes** (the node ``type`` of the graph passed to :meth:`fit`; the explainer
    fills it in from the data's dtypes where the spec is silent):

    - ``binary`` and ``ordinal`` nodes get a latent-Gaussian (copula) treatment with
      thresholds. Level ``i`` of a node with observed frequencies ``p`` stands for the normal
      interval ``(Φ⁻¹(c_{i-1}), Φ⁻¹(c_i)]`` of a standard normal latent variable (``c`` the
      cumulative frequencies); its *score* is the normal's mean on that interval. The
      covariance of the scores is corrected to the latent one (``Cov(s(Z), Y) = Cov(Z, Y)
      Var(s)`` for jointly Gaussian ``Z, Y``; the polyserial correction). A given level is read
      as its score (which gives the exact conditional mean of a Gaussian partner); a drawn
      latent value is cut back to a level at the thresholds ``Φ⁻¹(c_i)``. Draws are
      therefore always observed levels, without conditioning they reproduce the observed
      level frequencies, and they follow the latent-Gaussian model to the accuracy of the
      score reading (the spread within a level's interval is not propagated). Continuous
      columns are modelled exactly as before.
    - ``categorical`` nodes with more than two levels are **refused** in :meth:`fit` (their
      codes have no order, so no Gaussian reading exists): the error names them and suggests
      ``sampler="mechanism"`` or ``"vae"``. A two-level categorical node is treated as binary.

    Parameters
    ----------
    shrinkage : float in [0, 1] or "ledoit_wolf", default=0.0
        Covariance shrinkage towards a scaled identity
        (:func:`sklearn.covariance.shrunk_covariance`); ``"ledoit_wolf"`` picks the amount with
        :func:`sklearn.covariance.ledoit_wolf`. ``0`` is the maximum-likelihood covariance.
    jitter : float, default=1e-10
        Added to the diagonal of each conditional covariance before its Cholesky factorisation.

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,)
        Mean of the background data (of the latent scores for binary and ordinal nodes).
    covariance_ : ndarray of shape (n_features, n_features)
        Covariance used for sampling (after shrinkage; latent scale for discrete nodes).
    thresholds_ : dict of int to LatentThresholds
        Per binary or ordinal column: its levels, scores and cut points.
    shrinkage_ : float
        Shrinkage amount applied.
    diagnostics_ : dict or None
        Held-out conditional fit per mask (each feature given all others, and given its graph
        parents): CRPS of the draws of a copy fitted on 80 % of the rows, on the other 20 %,
        against the marginal's (see :func:`causalx.samplers._diagnostic.conditional_fit`);
        ``None`` with fewer than 10 rows. Recorded in an explanation's
        ``provenance["sampler_diagnostic"]``.
    n_features_in_ : int
        Number of features.
    feature_names_in_ : tuple of str or None
        Feature names seen in ``fit``.

    See Also
    --------
    MechanismSampler : one fitted model per node of the causal DAG (interventional sampling).

    References
    ----------
    .. [1] Aas, K., Jullum, M. and Løland, A. (2021). Explaining individual predictions when
       features are dependent: more accurate approximations to Shapley values. Artificial
       Intelligence 298, 103502 (Gaussian conditional, Sec. 3.1).
    .. [2] Ledoit, O. and Wolf, M. (2004). A well-conditioned estimator for large-dimensional
       covariance matrices. Journal of Multivariate Analysis 88(2), 365-411.

    Examples
    --------
    >>> import numpy as np
    >>> from causalx.samplers import GaussianSampler
    >>> rng = np.random.default_rng(0)
    >>> x1 = rng.normal(size=500)
    >>> X = np.column_stack([x1, 2 * x1 + 0.1 * rng.normal(size=500)])
    >>> sampler = GaussianSampler().fit(X)
    >>> draws = sampler.sample(np.array([[1.0]]), target=[1], given=[0], n_draws=2000, random_state=0)
    >>> draws.shape
    (1, 2000, 1)
    >>> bool(abs(draws.mean() - 2.0) < 0.05)
    True
    """

    supports_conditional = True
    supports_antithetic = True

    def __init__(self, shrinkage=0.0, jitter=1e-10):
        self.shrinkage = shrinkage
        self.jitter = jitter

    # ------------------------------------------------------------------ fit

    def _fit(self, X: np.ndarray, *, graph) -> None:
        from sklearn.covariance import empirical_covariance, ledoit_wolf, shrunk_covariance

        check_interval("jitter", self.jitter, low=0.0)
        shrinkage = self.shrinkage
        if isinstance(shrinkage, str):
            if shrinkage != "ledoit_wolf":
                raise ValueError(
                    f"shrinkage={shrinkage!r} is not supported. Accepted values are a float in "
                    "[0, 1] or 'ledoit_wolf'."
                )
        elif not isinstance(shrinkage, Real) or isinstance(shrinkage, bool):
            raise TypeError(
                f"shrinkage must be a float in [0, 1] or 'ledoit_wolf', got {shrinkage!r} of type "
                f"{type(shrinkage).__name__}."
            )
        else:
            check_interval("shrinkage", shrinkage, low=0.0, high=1.0)

        X_raw = X
        X, latent = self._latent_scores(X, graph)
        self.mean_ = X.mean(axis=0)
        if shrinkage == "ledoit_wolf":
            cov, amount = ledoit_wolf(X)
            if latent:
                cov = shrunk_covariance(_latent_covariance(empirical_covariance(X), latent), shrinkage=amount)
        else:
            amount = float(shrinkage)
            cov = empirical_covariance(X)
            if latent:
                cov = _latent_covariance(cov, latent)
            if amount > 0:
                cov = shrunk_covariance(cov, shrinkage=amount)
        cov = np.atleast_2d(np.asarray(cov, dtype=float))
        self.covariance_ = (cov + cov.T) / 2
        self.shrinkage_ = float(amount)
        self.thresholds_ = {}
        for j, (levels, scores, cum) in latent.items():
            self.mean_[j] = 0.0  # the latent variable is standard normal (the scores average to 0)
            sd = np.sqrt(max(self.covariance_[j, j], 0.0))
            cuts = sd * scipy.special.ndtri(cum[1:-1])
            for a in (levels, scores, cuts):
                a.setflags(write=False)
            self.thresholds_[j] = LatentThresholds(levels, scores, cuts)
        self._cache: dict[bytes, GaussianConditional] = {}
        if not getattr(self, "_no_diagnostic", False):
            self.diagnostics_ = self._diagnostic(X_raw, graph)

    def _diagnostic(self, X: np.ndarray, graph) -> dict | None:
        """Held-out conditional fit per mask (see :mod:`causalx.samplers._diagnostic`): a copy
        of this sampler fitted on a seeded 80 % of the rows, scored on the other 20 %."""
        from causalx.samplers._diagnostic import conditional_fit

        n = X.shape[0]
        n_test = n // 5
        if n_test < 2 or X.shape[1] < 2:
            return None
        order = np.random.default_rng(0).permutation(n)
        test, train = X[np.sort(order[:n_test])], X[np.sort(order[n_test:])]
        part = type(self)(**self.get_params())
        part._no_diagnostic = True
        part.fit(train, graph=graph, feature_names=self.feature_names_in_)
        return conditional_fit(part, test, train, name="gaussian", graph=graph,
                               holdout=f"sampler refitted on a seeded 80 % of the rows ({n - n_test}), "
                                       f"scored on the other {n_test}")

    def _latent_scores(self, X: np.ndarray, graph) -> tuple[np.ndarray, dict]:
        """Refuse categorical nodes; replace binary and ordinal columns by their latent scores."""
        d = X.shape[1]
        names = self.feature_names_in_ or tuple(str(j) for j in range(d))
        types = ["continuous"] * d
        if graph is not None:
            attrs = {n: graph.node_attributes(n).get("type") for n in graph.nodes}
            types = [attrs.get(n) or "continuous" for n in names]
        latent: dict[int, tuple] = {}
        refused = []
        for j, t in enumerate(types):
            if t == "continuous":
                continue
            levels, counts = np.unique(X[:, j], return_counts=True)
            if t == "categorical" and levels.size > 2:
                refused.append(f"{names[j]!r} ({levels.size} categories)")
                continue
            cum = np.concatenate([[0.0], np.cumsum(counts) / counts.sum()])
            cum[-1] = 1.0
            edges = scipy.special.ndtri(cum)  # -inf ... +inf
            pdf = np.exp(-0.5 * np.where(np.isfinite(edges), edges, 0.0) ** 2) / np.sqrt(2 * np.pi)
            pdf[~np.isfinite(edges)] = 0.0
            scores = (pdf[:-1] - pdf[1:]) / np.diff(cum)  # E[Z | Z in level i's interval]
            latent[j] = (levels, scores, cum)
        if refused:
            raise ValueError(
                f"GaussianSampler cannot model the categorical node(s) {', '.join(refused)}: their codes "
                "have no order, and a Gaussian draw would invent values between and beyond the categories. "
                "Use sampler='mechanism' (one model per node, classifiers for discrete nodes) or "
                "sampler='vae' (typed heads), or value='marginal'; binary and ordinal nodes are handled "
                "(latent-Gaussian thresholds)."
            )
        if latent:
            X = X.copy()
            for j, (levels, scores, _) in latent.items():
                X[:, j] = scores[np.searchsorted(levels, X[:, j])]
        return X, latent

    # ------------------------------------------------------------------ conditionals

    def conditional(self, target, given) -> GaussianConditional:
        """Return the (cached) affine map of ``X_target | X_given``.

        Parameters
        ----------
        target : array-like of int of shape (n_target,)
            Target columns ``T``.
        given : array-like of int of shape (n_given,)
            Conditioning columns ``G`` (disjoint from ``target``; may be empty).

        Returns
        -------
        GaussianConditional
            The same object for the same ``(target, given)`` (in the same order), with
            read-only arrays.
        """
        self._check_fitted()
        d = self.n_features_in_
        return self._conditional(_check_indices("target", target, d), _check_indices("given", given, d))

    def _conditional(self, T: np.ndarray, G: np.ndarray) -> GaussianConditional:
        key = T.tobytes() + b"|" + G.tobytes()
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        cond = _gaussian_conditional(self.mean_, self.covariance_, T, G, float(self.jitter))
        if len(self._cache) >= _MAX_CACHE_ENTRIES:
            self._cache.pop(next(iter(self._cache)))
        self._cache[key] = cond
        return cond

    # ------------------------------------------------------------------ sampling

    def _draw_noise(self, n_draws: int, rng: np.random.Generator) -> np.ndarray:
        return rng.standard_normal((n_draws, self.n_features_in_))

    def _draw_noise_antithetic(self, n_draws: int, rng: np.random.Generator) -> np.ndarray:
        # every draw is an affine map of its standard normals: -z draws the mirror image about
        # the conditional mean, with the same distribution
        half = rng.standard_normal(((n_draws + 1) // 2, self.n_features_in_))
        noise = np.empty((n_draws, self.n_features_in_))
        noise[0::2] = half
        noise[1::2] = -half[: n_draws // 2]
        return noise

    def _check_noise(self, noise, n_draws: int) -> None:
        d = self.n_features_in_
        if (
            not isinstance(noise, np.ndarray)
            or noise.ndim != 2
            or noise.shape[1] != d
            or not np.issubdtype(noise.dtype, np.floating)
        ):
            raise ValueError(
                f"noise for a GaussianSampler must be the float array of shape (n_draws, {d}) "
                f"returned by its draw_noise, got {_short(noise)}."
            )
        _check_n_draws(noise.shape[0], n_draws)

    def _sample_into(self, rows, target, given, noise) -> None:
        if self.thresholds_:
            return self._sample_latent(rows, target, given, noise)
        cond = self._conditional(target, given)
        n, k, _ = rows.shape
        # the products below are skinny (at most d columns): one BLAS thread is much faster than
        # several there (thread start-up and splitting dominate), and gives the same numbers
        with _one_blas_thread():
            # (K, t): the noise term does not depend on the explicand; computed once, broadcast.
            out = noise[:, target] @ cond.scale.T
            out += cond.intercept
            if given.size:
                xg = rows[:, :, given].reshape(n * k, given.size)
                vals = (xg @ cond.coef.T).reshape(n, k, target.size)
                vals += out[None]
                assign_columns(rows, target, vals)  # one slice per run of columns
            else:
                assign_columns(rows, target, out[None])

    def _sample_into_fixed(self, rows, target, given, noise) -> None:
        """:meth:`_sample_into` when ``rows[i, :, given]`` is the same in every draw: the
        conditional mean is computed once per explicand and broadcast over the draws."""
        if self.thresholds_:
            return self._sample_latent(rows, target, given, noise)
        cond = self._conditional(target, given)
        with _one_blas_thread():
            out = noise[:, target] @ cond.scale.T  # (K, t)
            out += cond.intercept
            mean = rows[:, 0, given] @ cond.coef.T  # (n, t)
            vals = out[None, :, :] + mean[:, None, :]
            assign_columns(rows, target, vals)

    def _sample_into_partial(self, rows, target, given, noise, fixed) -> None:
        """:meth:`_sample_into` when the given columns ``given[fixed]`` are the same in every draw:
        their part of the conditional mean is computed once per explicand, the rest per draw."""
        if self.thresholds_:
            return self._sample_latent(rows, target, given, noise)
        cond = self._conditional(target, given)
        n, k, _ = rows.shape
        moving = given[~fixed]
        with _one_blas_thread():
            out = noise[:, target] @ cond.scale.T  # (K, t)
            out += cond.intercept
            vals = (rows[:, :, moving].reshape(n * k, moving.size) @ cond.coef[:, ~fixed].T).reshape(n, k, target.size)
            vals += out[None]
            vals += (rows[:, 0, given[fixed]] @ cond.coef[:, fixed].T)[:, None, :]  # (n, 1, t)
            assign_columns(rows, target, vals)

    def _sample_latent(self, rows, target, given, noise) -> None:
        """:meth:`_sample_into` with binary/ordinal columns read as scores and cut to levels."""
        cond = self._conditional(target, given)
        n, k, _ = rows.shape
        th = self.thresholds_
        with _one_blas_thread():
            out = noise[:, target] @ cond.scale.T
            out += cond.intercept
            if given.size:
                xg = rows[:, :, given].reshape(n * k, given.size)
                for p, j in enumerate(given.tolist()):
                    if j in th:
                        xg[:, p] = np.interp(xg[:, p], th[j].levels, th[j].scores)
                vals = (xg @ cond.coef.T).reshape(n, k, target.size)
                vals += out[None]
            else:
                vals = np.broadcast_to(out[None], (n, k, target.size)).copy()
        for q, j in enumerate(target.tolist()):
            if j in th:
                vals[:, :, q] = th[j].levels[np.searchsorted(th[j].cuts, vals[:, :, q])]
        rows[:, :, target] = vals


_CONTROLLER = None
_HELD = threading.local()  # depth of one_blas_thread() contexts entered by this thread


def _one_blas_thread():
    """A context limiting BLAS to one thread (threadpoolctl; the controller is built once).

    Inside :func:`one_blas_thread` (entered once per batch of coalitions by the game) it is a
    no-op: entering threadpoolctl's limit costs about 0.1 ms, once per coalition otherwise.
    """
    if getattr(_HELD, "depth", 0):
        return contextlib.nullcontext()
    global _CONTROLLER
    if _CONTROLLER is None:
        from threadpoolctl import ThreadpoolController

        _CONTROLLER = ThreadpoolController()
    return _CONTROLLER.limit(limits=1, user_api="blas")


@contextlib.contextmanager
def one_blas_thread():
    """Limit BLAS to one thread for a whole batch of :meth:`GaussianSampler.sample_into` calls."""
    with _one_blas_thread():
        _HELD.depth = getattr(_HELD, "depth", 0) + 1
        try:
            yield
        finally:
            _HELD.depth -= 1


def _latent_covariance(cov: np.ndarray, latent: dict) -> np.ndarray:
    """The covariance of the latent normals from the covariance of their scores.

    For a standard normal ``Z`` cut into levels and its score ``s(Z) = E[Z | level]``,
    ``Cov(s(Z), Y) = Cov(Z, Y) Var(s)`` for a ``Y`` jointly Gaussian with ``Z`` (and, to first order
    of the Hermite expansion, ``Cov(s_j, s_k) = Cov(Z_j, Z_k) Var(s_j) Var(s_k)``), so each
    discrete row and column is divided by the variance of its scores and its diagonal set to 1.
    The result is projected onto the positive semi-definite matrices.
    """
    scale = np.ones(cov.shape[0])
    for j in latent:
        scale[j] = max(cov[j, j], 1e-12)
    out = cov / scale[:, None] / scale[None, :]
    for j in latent:
        out[j, j] = 1.0
    w, v = np.linalg.eigh((out + out.T) / 2)
    if w.min() < 0:
        out = (v * np.clip(w, 0.0, None)) @ v.T
    return out


def _short(obj) -> str:
    if isinstance(obj, np.ndarray):
        return f"an array of shape {obj.shape} and dtype {obj.dtype}"
    return f"an object of type {type(obj).__name__}"


def _gaussian_conditional(mu, cov, T, G, jitter) -> GaussianConditional:
    """Closed-form conditional ``X_T | X_G`` of ``N(mu, cov)``; see :class:`GaussianSampler`."""
    s_tt = cov[np.ix_(T, T)]
    if G.size:
        s_tg = cov[np.ix_(T, G)]
        s_gg = cov[np.ix_(G, G)]
        coef = _solve_psd(s_gg, s_tg.T).T  # Sigma_TG Sigma_GG^-1, by a solve, not an inverse
        c = s_tt - coef @ s_tg.T
        intercept = mu[T] - coef @ mu[G]
    else:
        coef = np.zeros((T.size, 0))
        c = s_tt.copy()
        intercept = mu[T].copy()
    c = (c + c.T) / 2
    scale = _psd_factor(c, jitter)
    for a in (T, G, coef, intercept, scale):
        a.setflags(write=False)
    return GaussianConditional(T.copy(), G.copy(), coef, intercept, scale)


def _solve_psd(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Solve ``a x = b`` for a symmetric PSD ``a``; minimum-norm solution if singular."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", scipy.linalg.LinAlgWarning)
        try:
            return scipy.linalg.solve(a, b, assume_a="pos")
        except (np.linalg.LinAlgError, scipy.linalg.LinAlgError, scipy.linalg.LinAlgWarning):
            pass
    # singular (e.g. duplicated columns): pseudo-inverse solution, which keeps the conditional
    # mean exact for conditioning values consistent with the degenerate directions
    return scipy.linalg.lstsq(a, b, cond=1e-10)[0]


def _psd_factor(c: np.ndarray, jitter: float) -> np.ndarray:
    """Return ``L`` with ``L L^T = c + jitter I``: Cholesky, or eigenvalue clipping if not PD."""
    m = c.shape[0]
    try:
        return np.linalg.cholesky(c + jitter * np.eye(m))
    except np.linalg.LinAlgError:
        w, v = np.linalg.eigh(c)
        w = np.clip(w, 0.0, None) + jitter
        return v * np.sqrt(w)
