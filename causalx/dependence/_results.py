"""Result objects of the what-if explanations: frozen dataclasses that plotting reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from causalx.utils.arrays import readonly_array

__all__ = ["ALEResult", "DependenceResult", "ImportanceResult"]




@dataclass(frozen=True, eq=False)
class DependenceResult:
    """Partial dependence (PDP) and individual conditional expectation (ICE) of one feature.

    Attributes
    ----------
    feature : str
    grid : ndarray of shape (n_grid,)
        Values the feature is set to.
    average : ndarray of shape (n_grid,)
        The PDP: mean prediction at each grid value (``kind="interventional"``:
        E[f(X) | do(X_j = v)], with the feature's descendants re-sampled).
    individual : ndarray of shape (n_samples, n_grid) or None
        ICE curves (one per row), when requested.
    kind : {"marginal", "interventional"}
    feature_names : tuple of str
    descendants : tuple of str
        Features re-sampled under the intervention (empty for ``kind="marginal"``).
    """

    feature: str
    grid: np.ndarray
    average: np.ndarray
    individual: np.ndarray | None
    kind: str
    feature_names: tuple[str, ...]
    descendants: tuple[str, ...] = ()

    def __post_init__(self):
        for name in ("grid", "average", "individual"):
            object.__setattr__(self, name, readonly_array(getattr(self, name)))

    def to_frame(self):
        """Long table: grid, average."""
        import pandas as pd

        return pd.DataFrame({self.feature: self.grid, "average": self.average})

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"feature": self.feature, "kind": self.kind, "grid": self.grid.tolist(),
                "average": self.average.tolist(), "descendants": list(self.descendants)}


@dataclass(frozen=True, eq=False)
class ALEResult:
    """First-order accumulated local effects of one feature (Apley & Zhu 2020).

    Attributes
    ----------
    feature : str
    edges : ndarray of shape (n_bins + 1,)
        Quantile bin edges z_0 < ... < z_K.
    effect : ndarray of shape (n_bins + 1,)
        Centred ALE at the edges (mean effect over the data is zero).
    counts : ndarray of shape (n_bins,)
        Rows per bin.
    feature_names : tuple of str
    """

    feature: str
    edges: np.ndarray
    effect: np.ndarray
    counts: np.ndarray
    feature_names: tuple[str, ...]

    def __post_init__(self):
        for name in ("edges", "effect"):
            object.__setattr__(self, name, readonly_array(getattr(self, name)))
        c = np.array(self.counts, dtype=int, copy=True)
        c.setflags(write=False)
        object.__setattr__(self, "counts", c)

    def __call__(self, x) -> np.ndarray:
        """The ALE at ``x`` (piecewise-linear interpolation between edges)."""
        return np.interp(np.asarray(x, dtype=float), self.edges, self.effect)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"feature": self.feature, "edges": self.edges.tolist(), "effect": self.effect.tolist(),
                "counts": self.counts.tolist()}


@dataclass(frozen=True, eq=False)
class ImportanceResult:
    """Permutation importance: drop in score when a feature's column is shuffled.

    Attributes
    ----------
    feature_names : tuple of str
    importances_mean, importances_std : ndarray of shape (d,)
    importances : ndarray of shape (d, n_repeats)
    baseline_score : float
    scoring : str
    """

    feature_names: tuple[str, ...]
    importances_mean: np.ndarray
    importances_std: np.ndarray
    importances: np.ndarray
    baseline_score: float
    scoring: str

    def __post_init__(self):
        for name in ("importances_mean", "importances_std", "importances"):
            object.__setattr__(self, name, readonly_array(getattr(self, name)))

    def to_frame(self):
        """One row per feature, most important first."""
        import pandas as pd

        df = pd.DataFrame({"feature": self.feature_names, "importance": self.importances_mean,
                           "std": self.importances_std})
        return df.sort_values("importance", ascending=False, ignore_index=True)
