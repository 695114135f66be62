"""Array helpers shared by the result objects and the Monte Carlo estimators."""

from __future__ import annotations

import numpy as np

__all__ = ["readonly_array", "replicate_groups"]


def readonly_array(a) -> np.ndarray | None:
    """A float64 copy of ``a`` that cannot be written to (``None`` passes through).

    Examples
    --------
    >>> r = readonly_array([1, 2])
    >>> r.flags.writeable, r.dtype
    (False, dtype('float64'))
    """
    if a is None:
        return None
    a = np.array(a, dtype=float, copy=True)
    a.setflags(write=False)
    return a


def replicate_groups(n_draws: int, n_replicates: int) -> np.ndarray:
    """Replicate group of each of ``n_draws`` draws: ``n_replicates`` contiguous, near-equal blocks.

    The spread of the per-group means is the Monte Carlo error every estimator reports.

    Examples
    --------
    >>> replicate_groups(7, 3).tolist()
    [0, 0, 0, 1, 1, 2, 2]
    """
    return (np.arange(n_draws) * n_replicates) // n_draws
