"""Shared helpers: data and model normalisation, chunking by a byte budget."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from causalx._config import get_config
from causalx.exceptions import DataValidationError, UnknownNodeError
from causalx.utils import suggest
from causalx.values import resolve_model

__all__ = ["as_array", "chunk_size", "feature_index", "model_function"]


def as_array(X, feature_names: Sequence[str] | None, what: str = "X") -> tuple[np.ndarray, tuple[str, ...]]:
    """Return ``X`` as an (n, d) float array and the feature names (DataFrame columns by default)."""
    if hasattr(X, "columns") and hasattr(X, "to_numpy"):
        cols = [str(c) for c in X.columns]
        names = tuple(cols) if feature_names is None else tuple(str(f) for f in feature_names)
        missing = [f for f in names if f not in cols]
        if missing:
            raise DataValidationError(f"{what} lacks column(s) {missing}; its columns are {cols}.")
        frame = X.copy()
        frame.columns = cols
        arr = frame[list(names)].to_numpy(dtype=np.float64)
    else:
        arr = np.asarray(X, dtype=np.float64)
        if arr.ndim != 2:
            raise DataValidationError(f"{what} must be 2-D (rows × features), got shape {arr.shape}.")
        names = tuple(f"x{i}" for i in range(arr.shape[1])) if feature_names is None else tuple(map(str, feature_names))
        if len(names) != arr.shape[1]:
            raise DataValidationError(f"{what} has {arr.shape[1]} columns but {len(names)} feature names were given.")
    if arr.shape[0] < 1:
        raise DataValidationError(f"{what} has no rows.")
    if not np.all(np.isfinite(arr)):
        raise DataValidationError(f"{what} holds NaN or infinite values; impute or drop those rows first.")
    return np.ascontiguousarray(arr), names


def feature_index(feature, names: Sequence[str]) -> int:
    """Column index of ``feature`` (a name or an int)."""
    if isinstance(feature, (int, np.integer)) and not isinstance(feature, bool):
        if not 0 <= feature < len(names):
            raise ValueError(f"feature={feature} is out of range for {len(names)} features.")
        return int(feature)
    if feature not in names:
        raise UnknownNodeError(f"feature={feature!r} is not one of {list(names)}.{suggest(feature, names)}")
    return list(names).index(feature)


def model_function(model, names, output):
    """The model as ``f(ndarray (r, d)) -> ndarray (r,)``."""
    return resolve_model(model, names, output)


def chunk_size(row_bytes: int, per_unit_rows: int) -> int:
    """How many units of ``per_unit_rows`` rows fit in the configured byte budget (at least 1)."""
    budget = int(get_config()["max_batch_bytes"])
    return max(1, budget // max(1, row_bytes * per_unit_rows))
