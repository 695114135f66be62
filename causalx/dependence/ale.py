"""First-order accumulated local effects (ALE), which scikit-learn does not provide.

ALE_j(z_k) = Σ_{m ≤ k} mean_{i: x_ij ∈ (z_{m−1}, z_m]} [f(z_m, x_i,−j) − f(z_{m−1}, x_i,−j)],
centred so that its mean over the data is zero (Apley & Zhu 2020, eq. 15–16). Unlike the PDP it
only evaluates the model near the data (within a bin), so it stays on the data manifold for
correlated features. For an additive model f = Σ_j g_j(x_j) it equals g_j(z) − g_j(z_0) up to
the centring constant, exactly.

References
----------
.. [1] Apley, D. W., Zhu, J. (2020). Visualizing the effects of predictor variables in black box
   supervised learning models. JRSS B 82(4).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from causalx.dependence._common import as_array, chunk_size, feature_index
from causalx.dependence._results import ALEResult
from causalx.utils import check_interval
from causalx.values import resolve_model

__all__ = ["accumulated_local_effects", "ale_bins"]


def ale_bins(x: np.ndarray, n_bins: int = 20) -> np.ndarray:
    """Quantile bin edges of ``x`` (duplicates removed), shape (n_bins' + 1,).

    Examples
    --------
    >>> ale_bins(np.arange(11.0), 2).tolist()
    [0.0, 5.0, 10.0]
    """
    check_interval("n_bins", n_bins, low=1, integer=True)
    edges = np.unique(np.quantile(x, np.linspace(0, 1, n_bins + 1)))
    if edges.size < 2:
        raise ValueError("the feature is constant; ALE needs at least two distinct values.")
    return edges


def accumulated_local_effects(
    model,
    X,
    feature,
    *,
    n_bins: int = 20,
    feature_names: Sequence[str] | None = None,
    output: int | str | None = None,
) -> ALEResult:
    """First-order ALE of one feature, centred (Apley & Zhu 2020).

    Parameters
    ----------
    model : fitted estimator or callable
    X : DataFrame or ndarray of shape (n_samples, n_features)
    feature : str or int
    n_bins : int, default 20
        Quantile bins (fewer when the feature has ties).
    feature_names : sequence of str, optional
    output : int or str, optional

    Returns
    -------
    ALEResult

    Examples
    --------
    >>> X = np.random.default_rng(0).uniform(-1, 1, size=(500, 2))
    >>> res = accumulated_local_effects(lambda Z: 3 * Z[:, 0] + Z[:, 1] ** 2, X, 0, n_bins=5)
    >>> bool(np.allclose(np.diff(res.effect), 3 * np.diff(res.edges)))
    True
    """
    Xa, names = as_array(X, feature_names)
    j = feature_index(feature, names)
    f = resolve_model(model, names, output)
    x = Xa[:, j]
    edges = ale_bins(x, n_bins)
    K = edges.size - 1
    b = np.clip(np.searchsorted(edges, x, side="left"), 1, K) - 1  # bin (z_b, z_{b+1}]; z_0 in bin 0
    n, d = Xa.shape
    diff = np.empty(n)
    per = chunk_size(8 * d, 2)
    for s in range(0, n, per):
        sl = slice(s, s + per)
        m = Xa[sl].shape[0]
        rows = np.broadcast_to(Xa[sl], (2, m, d)).copy()
        rows[0, :, j] = edges[b[sl]]
        rows[1, :, j] = edges[b[sl] + 1]
        out = f(rows.reshape(-1, d)).reshape(2, m)
        diff[sl] = out[1] - out[0]
    counts = np.bincount(b, minlength=K)
    local = np.bincount(b, weights=diff, minlength=K) / np.maximum(counts, 1)
    acc = np.concatenate([[0.0], np.cumsum(local)])
    centre = np.sum(counts * (acc[:-1] + acc[1:]) / 2) / n
    return ALEResult(feature=names[j], edges=edges, effect=acc - centre, counts=counts, feature_names=names)
