"""Turn user data into a float array in the graph's node order (layer-3 twin of explain._data)."""

from __future__ import annotations

import numpy as np

from causalx.exceptions import DataValidationError
from causalx.utils.validation import suggest

__all__ = ["as_node_array"]


def as_node_array(data, graph, *, what: str = "data", min_rows: int = 10) -> np.ndarray:
    """Return ``data`` as an (n, d) float64 array with the columns of ``graph.nodes`` in order.

    A DataFrame must contain every node as a column (the graph's target and any other column
    are ignored: diagnostics test the graph's features only); an array must have exactly
    ``len(graph.nodes)`` columns in node order.
    """
    names = list(graph.nodes)
    if hasattr(data, "columns") and hasattr(data, "to_numpy"):
        columns = [str(c) for c in data.columns]
        missing = [c for c in names if c not in columns]
        if missing:
            hints = "".join(suggest(m, [c for c in columns if c not in names]) for m in missing[:3])
            raise DataValidationError(
                f"{what} lacks the graph's node column(s) {missing}; its columns are {columns}. "
                f"Rename the columns or the graph's nodes so that they match.{hints}"
            )
        frame = data.copy()
        frame.columns = columns
        try:
            arr = frame[names].to_numpy(dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise DataValidationError(
                f"{what} has non-numeric node columns ({exc}). Encode them as numbers first."
            ) from exc
    else:
        arr = np.asarray(data, dtype=np.float64)
        if arr.ndim != 2 or arr.shape[1] != len(names):
            raise DataValidationError(
                f"{what} must be 2-D with {len(names)} columns in graph.nodes order {names}, "
                f"got shape {arr.shape}. Pass a DataFrame with named columns instead."
            )
    if arr.shape[0] < min_rows:
        raise DataValidationError(f"{what} has {arr.shape[0]} rows; at least {min_rows} are needed.")
    if not np.all(np.isfinite(arr)):
        bad = [names[j] for j in np.flatnonzero(~np.isfinite(arr).all(0))]
        raise DataValidationError(
            f"{what} holds NaN or infinite values in column(s) {bad}. Impute or drop those rows first."
        )
    return np.ascontiguousarray(arr)
