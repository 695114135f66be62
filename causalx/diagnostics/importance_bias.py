"""Bias of impurity-based tree importances, checked against permutation importance.

:func:`importance_bias` flags features whose impurity (MDI) share exceeds their permutation
share: impurity importances favour features with many distinct values or a wide range even when
the model does not need them.

References
----------
.. [1] Strobl, C., Boulesteix, A.-L., Zeileis, A., Hothorn, T. (2007). Bias in random forest
   variable importance measures. BMC Bioinformatics 8:25.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from causalx.diagnostics.collinearity import _names_and_array

__all__ = ["ImportanceBias", "importance_bias"]


@dataclass(frozen=True)
class ImportanceBias:
    """Impurity-based (MDI) importance against permutation importance.

    Attributes
    ----------
    feature_names : tuple of str
    impurity : ndarray of shape (d,)
        ``model.feature_importances_`` normalised to sum to one.
    permutation : ndarray of shape (d,)
        Mean permutation importance (score drop) on the evaluation data.
    permutation_std : ndarray of shape (d,)
    permutation_share : ndarray of shape (d,)
        Positive part of ``permutation`` normalised to sum to one.
    n_unique : ndarray of shape (d,)
        Number of distinct values of each feature (cardinality).
    flagged : tuple of str
        Features whose impurity share exceeds their permutation share by more than ``tol`` while
        their permutation importance is within two standard errors of zero or below the share:
        likely inflated by cardinality / range (Strobl et al. 2007).
    """

    feature_names: tuple[str, ...]
    impurity: np.ndarray
    permutation: np.ndarray
    permutation_std: np.ndarray
    permutation_share: np.ndarray
    n_unique: np.ndarray
    flagged: tuple[str, ...]

    def to_frame(self):
        """One row per feature."""
        import pandas as pd

        return pd.DataFrame({
            "feature": self.feature_names, "impurity": self.impurity, "permutation": self.permutation,
            "permutation_std": self.permutation_std, "permutation_share": self.permutation_share,
            "n_unique": self.n_unique, "flagged": [f in self.flagged for f in self.feature_names],
        })


def importance_bias(
    model,
    X,
    y,
    *,
    n_repeats: int = 10,
    scoring: str = "r2",
    tol: float = 0.1,
    feature_names: Sequence[str] | None = None,
    random_state: int | np.random.Generator | None = 0,
) -> ImportanceBias:
    """Check a tree model's impurity importances against permutation importance.

    Parameters
    ----------
    model : fitted estimator with ``feature_importances_``
        E.g. a random forest or gradient-boosted trees.
    X : DataFrame or ndarray of shape (n_samples, n_features)
        Evaluation data -- preferably held out; impurity importances are computed on the
        training data and overrate features the trees overfit.
    y : array-like of shape (n_samples,)
    n_repeats : int, default 10
    scoring : str or callable, default "r2"
        See :func:`causalx.dependence.permutation_importance`.
    tol : float, default 0.1
        Flag a feature when its impurity share exceeds its permutation share by more than this.
    feature_names : sequence of str, optional
    random_state : int, Generator or None, default 0

    Returns
    -------
    ImportanceBias
    """
    from causalx.dependence import permutation_importance

    if not hasattr(model, "feature_importances_"):
        raise TypeError(
            f"importance_bias needs a fitted tree model with feature_importances_ (e.g. "
            f"RandomForestRegressor), got {type(model).__name__}. Use "
            "causalx.dependence.permutation_importance for other models."
        )
    names, Xa = _names_and_array(X, feature_names)
    imp = np.asarray(model.feature_importances_, dtype=float)
    if imp.size != len(names):
        raise ValueError(f"model has {imp.size} feature importances but X has {len(names)} columns.")
    imp = imp / imp.sum() if imp.sum() > 0 else imp
    res = permutation_importance(model, X, y, n_repeats=n_repeats, scoring=scoring,
                                 feature_names=names, random_state=random_state)
    pos = np.clip(res.importances_mean, 0, None)
    share = pos / pos.sum() if pos.sum() > 0 else pos
    se = res.importances_std / np.sqrt(n_repeats)
    flagged = tuple(
        f for f, i, s, m, e in zip(names, imp, share, res.importances_mean, se)
        if i - s > tol and (m <= 2 * e or s < i / 2)
    )
    n_unique = np.array([np.unique(Xa[:, j]).size for j in range(Xa.shape[1])])
    return ImportanceBias(names, imp, res.importances_mean, res.importances_std, share, n_unique, flagged)
