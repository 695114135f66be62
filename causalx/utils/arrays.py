"""Array helpers shared by the result objects and the Monte Carlo estimators."""

from __future__ import annotations

import numpy as np

__all__ = ["assign_columns", "column_runs", "readonly_array", "replicate_groups"]


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


def replicate_groups(n_draws: int, n_replicates: int, *, paired: bool = False) -> np.ndarray:
    """Replicate group of each of ``n_draws`` draws: ``n_replicates`` contiguous, near-equal blocks.

    The spread of the per-group means is the Monte Carlo error every estimator reports. With
    ``paired`` (antithetic draws: ``2k`` and ``2k + 1`` mirror each other) the blocks are
    blocks of whole pairs, the independent units; at most one group per pair.

    Examples
    --------
    >>> replicate_groups(7, 3).tolist()
    [0, 0, 0, 1, 1, 2, 2]
    >>> replicate_groups(7, 3, paired=True).tolist()
    [0, 0, 0, 0, 1, 1, 2]
    """
    if not paired:
        return (np.arange(n_draws) * n_replicates) // n_draws
    units = (n_draws + 1) // 2
    return (np.arange(n_draws) // 2 * min(n_replicates, units)) // units


def column_runs(cols) -> list[tuple[int, int, int, int]]:
    """Maximal runs of consecutive columns in sorted ``cols``: ``(start, stop, q0, q1)`` with
    ``cols[q0:q1] == range(start, stop)``.

    Examples
    --------
    >>> column_runs(np.array([0, 1, 4, 7, 8, 9]))
    [(0, 2, 0, 2), (4, 5, 2, 3), (7, 10, 3, 6)]
    """
    cols = np.asarray(cols, dtype=np.int64)
    if cols.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(cols) != 1) + 1
    q0 = np.concatenate([[0], breaks])
    q1 = np.concatenate([breaks, [cols.size]])
    return [(int(cols[a]), int(cols[b - 1]) + 1, int(a), int(b)) for a, b in zip(q0, q1)]


def assign_columns(dst: np.ndarray, cols, src: np.ndarray) -> None:
    """``dst[..., cols] = src`` for sorted ``cols``, as one slice assignment per run of
    consecutive columns (numpy's fancy-indexed assignment on the last axis is several times
    slower than strided slice copies). ``src`` broadcasts against ``dst[..., cols]``.

    Examples
    --------
    >>> a = np.zeros((2, 5))
    >>> assign_columns(a, [1, 2, 4], np.array([[1.0, 2.0, 3.0]]))
    >>> a.tolist()
    [[0.0, 1.0, 2.0, 0.0, 3.0], [0.0, 1.0, 2.0, 0.0, 3.0]]
    """
    cols = np.asarray(cols, dtype=np.int64)
    if cols.size > 1 and np.any(np.diff(cols) <= 0):
        dst[..., cols] = src
        return
    for start, stop, q0, q1 in column_runs(cols):
        dst[..., start:stop] = src[..., q0:q1]
