"""Turn user data (DataFrame or array) into a float64 array in the graph's feature order."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from causalx.exceptions import DataValidationError
from causalx.utils.validation import suggest

__all__ = ["to_feature_array"]


def to_feature_array(
    X, feature_names: Sequence[str], *, what: str = "X", target: str | None = None, min_rows: int = 1
) -> np.ndarray:
    """Validate ``X`` and return it as an (n, d) float64 array with columns in ``feature_names`` order.

    A DataFrame must hold every feature as a column; the graph's ``target`` column, if present,
    is ignored; any other column is an error (nothing is silently dropped). An array must have
    exactly ``len(feature_names)`` columns, taken to be in ``feature_names`` order.
    """
    names = list(feature_names)
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is a dependency
        pd = None
    if pd is not None and isinstance(X, pd.Series):
        X = X.to_frame().T
    if pd is not None and isinstance(X, pd.DataFrame):
        columns = [str(c) for c in X.columns]
        if len(set(columns)) != len(columns):
            dup = sorted({c for c in columns if columns.count(c) > 1})
            raise DataValidationError(f"{what} has duplicated column names {dup}; rename them.")
        missing = [c for c in names if c not in columns]
        if missing:
            hints = "".join(suggest(m, [c for c in columns if c not in names]) for m in missing[:3])
            raise DataValidationError(
                f"{what} lacks the graph's feature column(s) {missing}; its columns are {columns}. "
                f"Rename the columns or the graph's nodes so that they match.{hints}"
            )
        extra = [c for c in columns if c not in names and c != target]
        if extra:
            raise DataValidationError(
                f"{what} has column(s) {extra} that are not nodes of the causal graph {names}. "
                f"Add them to the graph, or select the graph's features: {what}[graph.nodes]."
            )
        frame = X.copy()
        frame.columns = columns
        frame = frame[names]
        non_numeric = [c for c in names if not (pd.api.types.is_numeric_dtype(frame[c]) or pd.api.types.is_bool_dtype(frame[c]))]
        if non_numeric:
            kinds = {c: str(frame[c].dtype) for c in non_numeric}
            raise DataValidationError(
                f"{what} has non-numeric column(s) {kinds}. Encode them as numbers first "
                "(e.g. one-hot or ordinal codes) and declare the node type in the graph."
            )
        arr = frame.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        try:
            arr = np.asarray(X, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise DataValidationError(f"{what} could not be converted to a float array: {exc}") from exc
        if arr.ndim == 1 and arr.shape[0] == len(names):
            arr = arr[None, :]
        if arr.ndim != 2:
            raise DataValidationError(f"{what} must be 2-D (rows × features), got shape {arr.shape}.")
        if arr.shape[1] != len(names):
            raise DataValidationError(
                f"{what} has {arr.shape[1]} columns but the graph has {len(names)} features {names}. "
                "Pass a DataFrame with named columns, or an array whose columns follow graph.nodes."
            )
    if arr.shape[0] < min_rows:
        raise DataValidationError(f"{what} has {arr.shape[0]} rows; at least {min_rows} are needed.")
    bad = ~np.isfinite(arr)
    if bad.any():
        cols = [names[j] for j in np.flatnonzero(bad.any(axis=0))]
        first = int(np.flatnonzero(bad.any(axis=1))[0])
        raise DataValidationError(
            f"{what} holds {int(bad.sum())} NaN or infinite value(s), in column(s) {cols} (first at row "
            f"{first}). Impute or drop those rows first (e.g. {what}.dropna())."
        )
    return np.ascontiguousarray(arr)
