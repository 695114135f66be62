"""Shared helpers: data normalisation, feature lookup, chunking by a byte budget."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from causalx._config import get_config
from causalx.exceptions import UnknownNodeError
from causalx.utils import check_data, suggest

__all__ = ["as_array", "chunk_size", "feature_index"]


def as_array(X, feature_names: Sequence[str] | None, what: str = "X") -> tuple[np.ndarray, tuple[str, ...]]:
    """Return ``X`` as an (n, d) float array and the feature names.

    :func:`causalx.utils.validation.check_data`; without ``feature_names`` the names are a
    DataFrame's columns, or ``x0, x1, ...`` for an array.
    """
    arr, names = check_data(X, feature_names, what=what)
    if names is None:
        names = tuple(f"x{i}" for i in range(arr.shape[1]))
    return arr, names


def feature_index(feature, names: Sequence[str]) -> int:
    """Column index of ``feature`` (a name or an int)."""
    if isinstance(feature, (int, np.integer)) and not isinstance(feature, bool):
        if not 0 <= feature < len(names):
            raise ValueError(f"feature={feature} is out of range for {len(names)} features.")
        return int(feature)
    if feature not in names:
        raise UnknownNodeError(f"feature={feature!r} is not one of {list(names)}.{suggest(feature, names)}")
    return list(names).index(feature)


def chunk_size(row_bytes: int, per_unit_rows: int) -> int:
    """How many units of ``per_unit_rows`` rows fit in the configured byte budget (at least 1)."""
    budget = int(get_config()["max_batch_bytes"])
    return max(1, budget // max(1, row_bytes * per_unit_rows))
