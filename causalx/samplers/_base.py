"""The sampler interface shared by every distribution model.

A sampler is fitted once to background data and then fills the missing columns of a block of
model-input rows, in place, for many coalitions in a row. The value functions build an array
``rows`` of shape ``(n_explicands, n_draws, n_features)`` with the known features filled in and
call :meth:`BaseSampler.sample_into` once per coalition (or once per chain component for causal
values), passing the same ``noise`` object every time (common random numbers).
"""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator

from causalx.exceptions import DataValidationError, NotFittedError
from causalx.utils import check_data, check_interval, check_random_state

__all__ = ["BaseSampler"]


class BaseSampler(BaseEstimator, metaclass=ABCMeta):
    """Base class of the samplers: fit to background data, then fill missing columns in place.

    Subclasses implement ``_fit``, ``_draw_noise``, ``_check_noise`` and ``_sample_into``; the
    public methods here validate their inputs once and dispatch. ``__init__`` of a subclass only
    stores its parameters (scikit-learn rules), so :func:`sklearn.base.clone` and
    ``get_params`` work.

    Attributes
    ----------
    supports_conditional : bool
        Class attribute: whether :meth:`sample_into` draws from arbitrary observational
        conditionals ``P(X_T | X_G)`` (needed by ``value="conditional"``).
    supports_antithetic : bool
        Class attribute: whether :meth:`draw_noise` can draw antithetic pairs
        (``antithetic=True``): draw ``2k + 1`` the mirror image of draw ``2k``, each of them
        distributed as an ordinary draw.
    n_features_in_ : int
        Number of features (columns) seen in :meth:`fit`.
    feature_names_in_ : tuple of str or None
        Column names seen in :meth:`fit` (from ``feature_names`` or a DataFrame's columns).
    """

    supports_conditional: bool = False
    supports_antithetic: bool = False

    # ------------------------------------------------------------------ public API

    def fit(self, X, *, graph=None, feature_names: Sequence[str] | None = None) -> BaseSampler:
        """Fit the distribution model to background data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Background data; finite floats, at least two rows. A pandas DataFrame is accepted
            and its column names are used when ``feature_names`` is not given.
        graph : CausalGraph, optional
            The causal graph over the features (required by some samplers).
        feature_names : sequence of str of length n_features, optional
            Name of each column of ``X``.

        Returns
        -------
        self : BaseSampler
            The fitted sampler.
        """
        X, names = _validate_background(X, feature_names)
        self.n_features_in_ = X.shape[1]
        self.feature_names_in_ = names
        self._fit(X, graph=graph)
        return self

    def draw_noise(self, n_draws: int, random_state=None, *, antithetic: bool = False) -> Any:
        """Draw the random numbers shared by every coalition of one explanation.

        Parameters
        ----------
        n_draws : int
            Number of Monte Carlo draws ``K`` per explicand.
        random_state : int, numpy.random.Generator, numpy.random.SeedSequence or None
            Source of randomness.
        antithetic : bool, default False
            Draw antithetic pairs: draws ``2k`` and ``2k + 1`` mirror each other (for a
            sampler with ``supports_antithetic``; an odd last draw is unpaired). Each draw has
            the ordinary distribution, so means stay unbiased; a pair's mean varies less than
            two independent draws' whenever the model is monotone along the mirrored noise, and
            pairs, not draws, are the independent units of the Monte Carlo error.

        Returns
        -------
        noise : object
            Opaque to callers; pass it unchanged to every :meth:`sample_into` call of the
            explanation (common random numbers).

        Raises
        ------
        ValueError
            ``antithetic=True`` for a sampler without ``supports_antithetic``.
        """
        self._check_fitted()
        check_interval("n_draws", n_draws, low=1, integer=True)
        if antithetic:
            if not self.supports_antithetic:
                raise ValueError(f"{type(self).__name__} cannot draw antithetic pairs (supports_antithetic is "
                                 "False); use antithetic=False.")
            return self._draw_noise_antithetic(int(n_draws), check_random_state(random_state))
        return self._draw_noise(int(n_draws), check_random_state(random_state))

    def _draw_noise_antithetic(self, n_draws: int, rng: np.random.Generator) -> Any:
        raise NotImplementedError  # pragma: no cover - only called when supports_antithetic

    def sample_into(self, rows: np.ndarray, target, given, noise, *, given_fixed=False) -> None:
        """Fill ``rows[:, :, target]`` in place with draws given ``rows[:, :, given]``.

        Sampling is deterministic given ``(rows, target, given, noise)``. Columns other than
        ``target`` are never written.

        Parameters
        ----------
        rows : ndarray of shape (n_explicands, n_draws, n_features), floating dtype
            Model-input rows; ``rows[:, :, given]`` must hold the conditioning values (they
            may differ per draw).
        target : array-like of int of shape (n_target,)
            Columns to fill; ``n_target == 0`` is a no-op. A boolean mask of length
            ``n_features`` is accepted too.
        given : array-like of int of shape (n_given,)
            Conditioning columns, disjoint from ``target``.
        noise : object
            The result of :meth:`draw_noise`, with ``n_draws == rows.shape[1]``.
        given_fixed : bool or array-like of bool of shape (n_features,), default=False
            True: the caller guarantees that ``rows[i, :, given]`` is the same in every draw
            of explicand ``i`` (conditional values: ``x_S`` repeated), so a sampler may read
            the conditioning values from the first draw only and condition once per
            explicand. A boolean mask over the features: the same guarantee for the given
            columns it marks (causal values: the intervened ``x_S`` is fixed, the earlier
            components' draws are not), so a sampler may take their part once per explicand.
            The draws are the same as without it (to rounding); only the work differs.
        """
        self._check_fitted()
        d = self.n_features_in_
        if not isinstance(rows, np.ndarray) or rows.ndim != 3:
            raise DataValidationError(
                "rows must be a 3-D numpy array of shape (n_explicands, n_draws, n_features), "
                f"got {_describe(rows)}."
            )
        if rows.shape[2] != d:
            raise DataValidationError(
                f"rows has {rows.shape[2]} features (rows.shape={rows.shape}) but the sampler "
                f"was fitted on {d} features."
            )
        if not np.issubdtype(rows.dtype, np.floating):
            raise DataValidationError(f"rows must have a floating dtype, got {rows.dtype}.")
        if not rows.flags.writeable:
            raise DataValidationError("rows must be writeable; sample_into fills it in place.")
        target = _check_indices("target", target, d)
        given = _check_indices("given", given, d)
        seen = np.zeros(d, dtype=bool)
        seen[target] = True
        if seen[given].any():
            overlap = np.intersect1d(target, given)
            raise ValueError(
                f"target and given must be disjoint; both contain column(s) {overlap.tolist()}."
            )
        self._check_noise(noise, rows.shape[1])
        if target.size == 0 or rows.shape[0] == 0:
            return
        fixed = _fixed_given(given_fixed, given, d)
        if given.size and fixed.all():
            self._sample_into_fixed(rows, target, given, noise)
        elif fixed.any():
            self._sample_into_partial(rows, target, given, noise, fixed)
        else:
            self._sample_into(rows, target, given, noise)

    def sample_factor_into(self, rows: np.ndarray, target, given, noise) -> None:
        """Draw one factor ``X_target ~ P(X_target | X_given)`` of an identified expression.

        The observational conditional, as :meth:`sample_into` draws it for samplers with
        ``supports_conditional``; samplers that draw along the DAG (the mechanism sampler)
        override it with the conditional models they fitted for the graph's identified
        expressions (Tian's conditioning sets). Same arguments as :meth:`sample_into`.
        """
        self.sample_into(rows, target, given, noise)

    def sample(self, x_given, target, given, n_draws: int, random_state=None) -> np.ndarray:
        """Draw ``n_draws`` values of ``X_target`` for each row of ``x_given``.

        Convenience wrapper around :meth:`draw_noise` and :meth:`sample_into`.

        Parameters
        ----------
        x_given : array-like of shape (n_explicands, n_given)
            Values of the ``given`` columns, one row per explicand.
        target : array-like of int of shape (n_target,)
            Columns to draw.
        given : array-like of int of shape (n_given,)
            Conditioning columns.
        n_draws : int
            Number of draws per explicand.
        random_state : int, numpy.random.Generator, numpy.random.SeedSequence or None
            Source of randomness.

        Returns
        -------
        samples : ndarray of shape (n_explicands, n_draws, n_target)
            The draws, in the column order of ``target``.
        """
        self._check_fitted()
        d = self.n_features_in_
        target = _check_indices("target", target, d)
        given = _check_indices("given", given, d)
        x_given = _as_float_array("x_given", x_given)
        if x_given.ndim != 2 or x_given.shape[1] != given.size:
            raise DataValidationError(
                f"x_given must have shape (n_explicands, {given.size}) to match given, "
                f"got shape {x_given.shape}."
            )
        if not np.all(np.isfinite(x_given)):
            raise DataValidationError("x_given contains NaN or infinite values.")
        noise = self.draw_noise(n_draws, random_state)
        rows = np.full((x_given.shape[0], int(n_draws), d), np.nan)
        rows[:, :, given] = x_given[:, None, :]
        self.sample_into(rows, target, given, noise)
        return rows[:, :, target]

    # ------------------------------------------------------------------ subclass hooks

    @abstractmethod
    def _fit(self, X: np.ndarray, *, graph) -> None:
        """Fit to validated ``X`` of shape (n_samples, n_features)."""

    @abstractmethod
    def _draw_noise(self, n_draws: int, rng: np.random.Generator) -> Any:
        """Return the noise object for ``n_draws`` draws."""

    @abstractmethod
    def _check_noise(self, noise: Any, n_draws: int) -> None:
        """Raise ``ValueError`` unless ``noise`` came from ``draw_noise(n_draws, ...)``."""

    @abstractmethod
    def _sample_into(self, rows: np.ndarray, target: np.ndarray, given: np.ndarray, noise) -> None:
        """Fill ``rows[..., target]``; inputs already validated and ``target`` non-empty."""

    def _sample_into_fixed(self, rows: np.ndarray, target: np.ndarray, given: np.ndarray, noise) -> None:
        """:meth:`_sample_into` when ``rows[:, :, given]`` is constant over the draws axis.

        Samplers that can condition once per explicand override it; it must give the same
        draws as :meth:`_sample_into` on the same rows, to rounding.
        """
        self._sample_into(rows, target, given, noise)

    def _sample_into_partial(self, rows: np.ndarray, target: np.ndarray, given: np.ndarray, noise,
                             fixed: np.ndarray) -> None:
        """:meth:`_sample_into` when the given columns ``given[fixed]`` (``fixed``: bool, one per
        given column, some but not all True) are constant over the draws axis.

        Samplers that can take the fixed columns' part once per explicand override it; it
        must give the same draws as :meth:`_sample_into` on the same rows, to rounding.
        """
        self._sample_into(rows, target, given, noise)

    # ------------------------------------------------------------------ helpers

    def _check_fitted(self) -> None:
        if not hasattr(self, "n_features_in_"):
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with "
                "appropriate arguments before using this sampler."
            )

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "n_features_in_")


def _describe(obj: Any) -> str:
    if isinstance(obj, np.ndarray):
        return f"an array of shape {obj.shape}"
    return f"an object of type {type(obj).__name__}"


def _as_float_array(name: str, X) -> np.ndarray:
    try:
        return np.asarray(X, dtype=float)
    except (TypeError, ValueError) as exc:
        raise DataValidationError(f"{name} must be numeric; converting it to float failed: {exc}") from exc


def _validate_background(X, feature_names) -> tuple[np.ndarray, tuple[str, ...] | None]:
    """Check the background data (:func:`~causalx.utils.validation.check_data`, two rows at least).

    Return it as a float array and the column names (``feature_names``, a DataFrame's columns,
    or ``None``).
    """
    return check_data(X, feature_names, what="X", min_rows=2)


def _validate_rows(sampler: BaseSampler, X, what: str = "X") -> np.ndarray:
    """Check full rows for a fitted ``sampler`` (its features, any number of rows)."""
    return check_data(X, sampler.feature_names_in_, what=what, min_rows=0, n_features=sampler.n_features_in_)[0]


def _check_indices(name: str, idx, d: int) -> np.ndarray:
    """Return ``idx`` as a 1-D int64 array of distinct columns in ``[0, d)``."""
    arr = np.asarray(idx)
    if arr.dtype == bool:
        if arr.shape != (d,):
            raise ValueError(f"{name} as a boolean mask must have shape ({d},), got {arr.shape}.")
        return np.flatnonzero(arr)
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    if arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{name} must be a 1-D array of integer column indices, got {arr!r}.")
    arr = arr.astype(np.int64, copy=False)
    if arr.min() < 0 or arr.max() >= d:
        raise ValueError(f"{name} contains column indices outside [0, {d}): {arr.tolist()}.")
    # the callers on the hot path pass increasing indices: one comparison instead of a sort
    if arr.size > 1 and not (arr[1:] > arr[:-1]).all() and np.unique(arr).size != arr.size:
        raise ValueError(f"{name} contains repeated column indices: {arr.tolist()}.")
    return arr


def _fixed_given(given_fixed, given: np.ndarray, d: int) -> np.ndarray:
    """``sample_into``'s ``given_fixed`` (a bool or a mask over the features) as a bool per given column."""
    if isinstance(given_fixed, (bool, np.bool_)):
        return np.full(given.size, bool(given_fixed))
    mask = np.asarray(given_fixed)
    if mask.dtype != bool or mask.shape != (d,):
        raise ValueError(
            f"given_fixed must be a bool or a boolean mask of shape ({d},) over the features, got "
            f"{_describe(given_fixed)}."
        )
    return mask[given]


def _check_n_draws(noise_n_draws: int, n_draws: int) -> None:
    if noise_n_draws != n_draws:
        raise ValueError(
            f"rows has {n_draws} draws per explicand (rows.shape[1]) but the noise was drawn "
            f"for n_draws={noise_n_draws}; call draw_noise({n_draws}, ...) or resize rows."
        )
