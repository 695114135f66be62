"""Multivariate-normal sampler with closed-form, cached conditionals."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from numbers import Real

import numpy as np
import scipy.linalg

from causalx.samplers._base import BaseSampler, _check_indices, _check_n_draws
from causalx.utils import check_interval

__all__ = ["GaussianConditional", "GaussianSampler"]

# Conditionals kept per fitted sampler; the oldest is dropped beyond this (exact Shapley values
# over many features visit up to 2**d coalitions, each entry costs O(d**2) floats).
_MAX_CACHE_ENTRIES = 2**15


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
        Mean of the background data.
    covariance_ : ndarray of shape (n_features, n_features)
        Covariance used for sampling (after shrinkage).
    shrinkage_ : float
        Shrinkage amount applied.
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

        self.mean_ = X.mean(axis=0)
        if shrinkage == "ledoit_wolf":
            cov, amount = ledoit_wolf(X)
        else:
            amount = float(shrinkage)
            cov = empirical_covariance(X)
            if amount > 0:
                cov = shrunk_covariance(cov, shrinkage=amount)
        cov = np.atleast_2d(np.asarray(cov, dtype=float))
        self.covariance_ = (cov + cov.T) / 2
        self.shrinkage_ = float(amount)
        self._cache: dict[bytes, GaussianConditional] = {}

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
                rows[:, :, target] = vals
            else:
                rows[:, :, target] = out[None]


_CONTROLLER = None


def _one_blas_thread():
    """A context limiting BLAS to one thread (threadpoolctl; the controller is built once)."""
    global _CONTROLLER
    if _CONTROLLER is None:
        from threadpoolctl import ThreadpoolController

        _CONTROLLER = ThreadpoolController()
    return _CONTROLLER.limit(limits=1, user_api="blas")


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
