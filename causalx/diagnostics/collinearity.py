"""Collinearity among features: correlation clusters and variance-inflation factors.

- :func:`correlation_clusters` -- hierarchical clusters of features on ``1 − |association|``
  (Pearson, Spearman or mutual information).
- :func:`variance_inflation` -- ``VIF_j = [R⁻¹]_jj`` from the correlation matrix.

Strongly associated features share attribution under every Shapley value; the clusters say which
attributions to read as a group.

References
----------
.. [1] Kraskov, A., Stögbauer, H., Grassberger, P. (2004). Estimating mutual information.
   Phys. Rev. E 69.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from causalx.utils import check_interval, check_option, check_random_state

__all__ = ["CorrelationClusters", "VarianceInflation", "correlation_clusters", "variance_inflation"]


@dataclass(frozen=True)
class CorrelationClusters:
    """Features grouped by hierarchical clustering on ``1 − |association|``.

    Attributes
    ----------
    feature_names : tuple of str
    association : ndarray of shape (d, d)
        |Pearson|, |Spearman|, or the informational coefficient of correlation
        ``sqrt(1 − exp(−2 MI))`` (mutual information mapped to [0, 1]).
    labels : ndarray of shape (d,)
        Cluster index of each feature.
    clusters : tuple of tuple of str
        Clusters with at least two features.
    method : str
    threshold : float
    """

    feature_names: tuple[str, ...]
    association: np.ndarray
    labels: np.ndarray
    clusters: tuple[tuple[str, ...], ...]
    method: str
    threshold: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"method": self.method, "threshold": self.threshold, "clusters": [list(c) for c in self.clusters]}


def _names_and_array(data, feature_names):
    """Feature names and a finite float array of shape (n_samples, n_features) from a frame or array."""
    if hasattr(data, "columns") and hasattr(data, "to_numpy"):
        names = tuple(str(c) for c in data.columns) if feature_names is None else tuple(feature_names)
        X = data[list(names)].to_numpy(dtype=float) if feature_names is not None else data.to_numpy(dtype=float)
    else:
        X = np.asarray(data, dtype=float)
        names = tuple(feature_names) if feature_names is not None else tuple(f"x{i}" for i in range(X.shape[1]))
    if X.ndim != 2 or X.shape[1] != len(names):
        raise ValueError(f"data must be 2-D with {len(names)} columns, got shape {X.shape}.")
    if not np.all(np.isfinite(X)):
        raise ValueError("data holds NaN or infinite values; impute or drop those rows first.")
    return names, X


def correlation_clusters(
    data,
    *,
    method: str = "spearman",
    threshold: float = 0.7,
    feature_names: Sequence[str] | None = None,
    random_state: int | np.random.Generator | None = 0,
) -> CorrelationClusters:
    """Cluster features whose pairwise association reaches ``threshold``.

    Parameters
    ----------
    data : DataFrame or ndarray of shape (n_samples, n_features)
    method : {"pearson", "spearman", "mutual_info"}, default "spearman"
    threshold : float, default 0.7
        Average-linkage clusters are cut at distance ``1 − threshold``.
    feature_names : sequence of str, optional
    random_state : int, Generator or None, default 0
        Seeds sklearn's nearest-neighbour mutual-information estimator.

    Returns
    -------
    CorrelationClusters

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> a = rng.normal(size=300)
    >>> D = np.column_stack([a, a + 0.1 * rng.normal(size=300), rng.normal(size=300)])
    >>> correlation_clusters(D, feature_names=["a", "b", "c"]).clusters
    (('a', 'b'),)
    """
    check_option("method", method, ("pearson", "spearman", "mutual_info"))
    check_interval("threshold", threshold, low=0, high=1)
    names, X = _names_and_array(data, feature_names)
    d = X.shape[1]
    if method == "pearson":
        A = np.abs(np.corrcoef(X, rowvar=False))
    elif method == "spearman":
        from scipy.stats import rankdata

        A = np.abs(np.corrcoef(np.apply_along_axis(rankdata, 0, X), rowvar=False))
    else:
        from sklearn.feature_selection import mutual_info_regression

        seed = int(check_random_state(random_state).integers(0, 2**31 - 1))
        mi = np.zeros((d, d))
        for j in range(d):
            mi[:, j] = mutual_info_regression(X, X[:, j], random_state=seed)
        mi = (mi + mi.T) / 2
        A = np.sqrt(1 - np.exp(-2 * np.clip(mi, 0, None)))
    A = np.nan_to_num(np.atleast_2d(A), nan=0.0)
    np.fill_diagonal(A, 1.0)
    if d == 1:
        labels = np.zeros(1, dtype=int)
    else:
        from scipy.cluster.hierarchy import fcluster, linkage
        from scipy.spatial.distance import squareform

        D = np.clip(1 - A, 0, None)
        np.fill_diagonal(D, 0.0)
        Z = linkage(squareform((D + D.T) / 2, checks=False), method="average")
        labels = fcluster(Z, t=1 - threshold, criterion="distance") - 1
    groups = {}
    for name, lab in zip(names, labels):
        groups.setdefault(int(lab), []).append(name)
    clusters = tuple(tuple(g) for g in groups.values() if len(g) > 1)
    A.setflags(write=False)
    return CorrelationClusters(names, A, np.asarray(labels), clusters, method, float(threshold))


@dataclass(frozen=True)
class VarianceInflation:
    """Variance-inflation factors ``VIF_j = 1 / (1 − R_j²) = [R⁻¹]_jj`` (R: correlation matrix).

    Attributes
    ----------
    feature_names : tuple of str
    vif : ndarray of shape (d,)
    """

    feature_names: tuple[str, ...]
    vif: np.ndarray

    def to_dict(self) -> dict[str, float]:
        """``{feature: vif}``."""
        return {f: float(v) for f, v in zip(self.feature_names, self.vif)}

    def flagged(self, limit: float = 10.0) -> tuple[str, ...]:
        """Features with VIF above ``limit`` (10 is the usual rule of thumb)."""
        return tuple(f for f, v in zip(self.feature_names, self.vif) if v > limit)


def variance_inflation(data, *, feature_names: Sequence[str] | None = None) -> VarianceInflation:
    """Variance-inflation factors of the features, from the inverse correlation matrix.

    Parameters
    ----------
    data : DataFrame or ndarray of shape (n_samples, n_features)
    feature_names : sequence of str, optional

    Returns
    -------
    VarianceInflation
        ``inf`` for a feature that is an exact linear function of the others.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> D = rng.normal(size=(1000, 3))
    >>> bool(np.all(np.abs(variance_inflation(D).vif - 1) < 0.05))
    True
    """
    names, X = _names_and_array(data, feature_names)
    R = np.corrcoef(X, rowvar=False)
    R = np.atleast_2d(R)
    with np.errstate(all="ignore"):
        if np.linalg.cond(R) > 1e12:
            vif = np.full(len(names), np.inf)
            P = np.linalg.pinv(R)
            ok = np.abs(np.diag(P)) < 1e12
            vif[ok] = np.diag(P)[ok]
        else:
            vif = np.diag(np.linalg.inv(R)).copy()
    vif.setflags(write=False)
    return VarianceInflation(names, vif)
