"""Validation helpers: one place that words every "bad option" and every "bad data" message."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from numbers import Integral, Real
from typing import Any

import numpy as np

from causalx.exceptions import DataValidationError

__all__ = ["check_data", "check_interval", "check_option", "suggest"]


def suggest(value: Any, choices: Iterable[Any]) -> str:
    """Return ``" Did you mean 'x'?"`` for the closest choice, or ``""`` when none is close."""
    choices = [str(c) for c in choices]
    if len(str(value)) > 200:  # a huge value is close to nothing (and difflib would be slow)
        return ""
    close = difflib.get_close_matches(str(value), choices, n=1, cutoff=0.6)
    return f" Did you mean {close[0]!r}?" if close else ""


def check_option(name: str, value: Any, allowed: Iterable[Any]) -> Any:
    """Check that ``value`` is one of ``allowed``; raise a ``ValueError`` naming both otherwise.

    Examples
    --------
    >>> check_option("method", "exact", ["exact", "permutation"])
    'exact'
    """
    allowed = list(allowed)
    if value not in allowed:
        raise ValueError(
            f"{name}={value!r} is not supported. Accepted values are "
            f"{', '.join(repr(a) for a in allowed)}.{suggest(value, allowed)}"
        )
    return value


def check_interval(
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    integer: bool = False,
    closed: str = "both",
) -> Any:
    """Check that ``value`` is a number in an interval (``closed`` in both/left/right/neither).

    Examples
    --------
    >>> check_interval("n_samples", 10, low=1, integer=True)
    10
    """
    kind = Integral if integer else Real
    if isinstance(value, bool) or not isinstance(value, kind):
        raise TypeError(
            f"{name} must be {'an integer' if integer else 'a real number'}, got {value!r} "
            f"of type {type(value).__name__}."
        )
    lo_ok = low is None or (value >= low if closed in ("both", "left") else value > low)
    hi_ok = high is None or (value <= high if closed in ("both", "right") else value < high)
    if not (lo_ok and hi_ok):
        left = "[" if closed in ("both", "left") else "("
        right = "]" if closed in ("both", "right") else ")"
        lo = "-inf" if low is None else low
        hi = "inf" if high is None else high
        raise ValueError(f"{name}={value!r} is out of range; it must lie in {left}{lo}, {hi}{right}.")
    return value


# ---------------------------------------------------------------------------------- data
def check_data(
    X,
    feature_names: Sequence[str] | None = None,
    *,
    what: str = "X",
    min_rows: int = 1,
    n_features: int | None = None,
    finite: bool = True,
) -> tuple[np.ndarray, tuple[str, ...] | None]:
    """Validate feature data and return it as a C-contiguous float64 array, columns in feature order.

    The one data validator of causalx: the explainer, the samplers, the diagnostics and the
    dependence tools all call it, so the same bad input gets the same error everywhere. It is
    built on :func:`sklearn.utils.check_array`, which decides what is numeric, 2-D, finite and
    long enough; this function only selects the columns and words the errors (what is wrong,
    the offending value, how to fix it).

    The rules:

    - A **DataFrame** (anything with ``columns`` and ``to_numpy``) has its feature columns
      *selected by name*, in ``feature_names`` order. A missing feature is an error naming it
      (with the closest unused column as a suggestion). **Other columns are ignored**, so a
      frame may carry the target, sample IDs or metadata next to the features. Without
      ``feature_names`` every column is a feature.
    - An **array** must be 2-D with exactly one column per feature, in feature order (it has
      no names to select by). A 1-D array is an error, not a single row: reshape it.
    - Every feature column must be numeric (bool, integer or float dtype); non-numeric columns
      are listed with their dtypes.
    - Every value must be finite (unless ``finite=False``); the error names the columns that
      hold NaN or infinity and counts the affected rows.
    - There must be at least ``min_rows`` rows.

    Parameters
    ----------
    X : DataFrame or array-like of shape (n_samples, n_features)
        The data.
    feature_names : sequence of str, optional
        The expected features, in column order. Default: a DataFrame's columns, or no names
        for an array.
    what : str, default="X"
        How the data are called in error messages (the parameter name).
    min_rows : int, default=1
        Fewest rows accepted.
    n_features : int, optional
        Number of columns an array must have when ``feature_names`` is not given.
    finite : bool, default=True
        Reject NaN and infinite values.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), float64
        A new array (never a view of the caller's data).
    feature_names : tuple of str or None
        ``feature_names`` as strings, a DataFrame's columns when they were not given, else
        ``None``.

    Raises
    ------
    DataValidationError
        For every rule above (a ``ValueError`` subclass).

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"y": [0.0, 1.0], "b": [3, 4], "a": [1.0, 2.0]})
    >>> X, names = check_data(frame, ["a", "b"])  # "y" is ignored
    >>> X.tolist(), names
    ([[1.0, 3.0], [2.0, 4.0]], ('a', 'b'))
    >>> check_data(frame, ["a", "c"])
    Traceback (most recent call last):
    ...
    causalx.exceptions.DataValidationError: X lacks the feature column(s) ['c']; its columns are ['y', 'b', 'a']. Rename the columns (or the features) so that they match.
    """
    names = None if feature_names is None else _check_feature_names(feature_names)
    if hasattr(X, "columns") and hasattr(X, "to_numpy"):
        arr, names = _frame_to_array(X, names, what)
    else:
        try:
            arr = np.asarray(X)
        except (TypeError, ValueError) as exc:
            raise DataValidationError(
                f"{what} could not be read as a 2-D array ({exc}). Pass a DataFrame or a "
                "rectangular array of shape (n_samples, n_features)."
            ) from exc
        expected = len(names) if names is not None else n_features
        if arr.ndim == 2 and expected is not None and arr.shape[1] != expected:
            order = f", in the order {list(names)}" if names is not None else ""
            raise DataValidationError(
                f"{what} has {arr.shape[1]} columns but {expected} columns are expected (one per "
                f"feature{order}). Pass a DataFrame with named columns, or an array whose "
                "columns follow the feature order."
            )
        if arr.ndim == 2 and arr.dtype.kind in "OUS":
            _reject_strings(arr, names, what)
    from sklearn.utils import check_array

    try:
        with np.errstate(invalid="ignore", over="ignore"):  # its finiteness test sums the values
            out = check_array(
                arr,
                dtype=np.float64,
                ensure_all_finite=bool(finite),
                ensure_min_samples=int(min_rows),
                ensure_min_features=1,
                copy=True,
            )
    except (TypeError, ValueError) as exc:
        raise _explain_rejection(arr, names, what, int(min_rows), exc) from exc
    return np.ascontiguousarray(out), names


def _check_feature_names(feature_names) -> tuple[str, ...]:
    if isinstance(feature_names, str):
        raise TypeError(f"feature_names must be a sequence of names, got the string {feature_names!r}.")
    names = tuple(str(f) for f in feature_names)
    if len(set(names)) != len(names):
        dup = sorted({f for f in names if names.count(f) > 1})
        raise DataValidationError(f"feature_names must be unique; duplicated: {dup}. Rename them.")
    return names


def _select_columns(frame, names, what):
    """Select the feature columns of a DataFrame by name; return (sub-frame, names)."""
    columns = [str(c) for c in frame.columns]
    if names is None:
        names = tuple(columns)
    missing = [f for f in names if f not in columns]
    if missing:
        unused = [c for c in columns if c not in names]
        hints = "".join(suggest(m, unused) for m in missing[:3])
        raise DataValidationError(
            f"{what} lacks the feature column(s) {missing}; its columns are {columns}. Rename the "
            f"columns (or the features) so that they match.{hints}"
        )
    dup = sorted({f for f in names if columns.count(f) > 1})
    if dup:
        raise DataValidationError(f"{what} has duplicated column names {dup}; rename them.")
    return frame.iloc[:, [columns.index(f) for f in names]], names


def _frame_to_array(frame, names, what):
    """Select the feature columns of a DataFrame by name; return (object or float array, names)."""
    import pandas as pd

    sub, names = _select_columns(frame, names, what)
    kinds = {
        f: str(dtype)
        for f, dtype in zip(names, sub.dtypes)
        if not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype))
        or pd.api.types.is_complex_dtype(dtype)
    }
    if kinds:
        raise DataValidationError(_non_numeric_message(what, kinds))
    return sub.to_numpy(dtype=np.float64, na_value=np.nan), names


def _reject_strings(arr: np.ndarray, names, what: str) -> None:
    """Strings are not numbers, even when they spell one (as a DataFrame's str column is not)."""
    if arr.dtype.kind == "O":
        bad = [j for j in range(arr.shape[1]) if any(isinstance(v, (str, bytes)) for v in arr[:, j])]
    else:
        bad = list(range(arr.shape[1]))
    if bad:
        label = (lambda j: names[j]) if names is not None else (lambda j: j)
        raise DataValidationError(_non_numeric_message(what, {label(j): str(arr.dtype) for j in bad}))


def _non_numeric_message(what, kinds) -> str:
    return (
        f"{what} has non-numeric column(s) {kinds} (column: dtype) and this step needs numbers. "
        "CausalExplainer, diagnose() and causalx check/run accept text, pandas category and bool "
        "columns as they are (coded as integers, and the model gets the original "
        "values back); elsewhere pass integer codes and declare the node type in the graph."
    )


def _explain_rejection(arr: np.ndarray, names, what: str, min_rows: int, exc: Exception) -> DataValidationError:
    """Word why :func:`sklearn.utils.check_array` rejected ``arr`` (checked in its order)."""
    if arr.ndim != 2:
        hint = (
            f" Reshape it: {what}.reshape(1, -1) for a single row, {what}.reshape(-1, 1) for a "
            f"single feature (a pandas Series as one row: {what}.to_frame().T)."
            if arr.ndim == 1
            else ""
        )
        return DataValidationError(
            f"{what} must be 2-D (n_samples, n_features), got a {arr.ndim}-D array of shape "
            f"{arr.shape}.{hint}"
        )
    label = (lambda j: names[j]) if names is not None and len(names) == arr.shape[1] else (lambda j: j)
    if arr.dtype.kind not in "biuf":
        kinds = {}
        for j in range(arr.shape[1]):
            if arr.dtype.kind == "O":  # an object column may still hold numbers only
                try:
                    arr[:, j].astype(np.float64)
                    continue
                except (TypeError, ValueError):
                    pass
            kinds[label(j)] = str(arr.dtype)
        if kinds:
            return DataValidationError(_non_numeric_message(what, kinds))
    if arr.shape[1] == 0:
        return DataValidationError(f"{what} has no columns; at least one feature column is needed.")
    if arr.shape[0] < min_rows:
        return DataValidationError(
            f"{what} has {arr.shape[0]} rows; at least {min_rows} rows are needed. Pass more data."
        )
    try:
        values = arr.astype(np.float64)
    except (TypeError, ValueError) as exc:  # pragma: no cover - caught above
        return DataValidationError(f"{what} could not be converted to float: {exc}")
    bad = ~np.isfinite(values)
    if bad.any():
        cols = [label(j) for j in np.flatnonzero(bad.any(axis=0))]
        rows = np.flatnonzero(bad.any(axis=1))
        return DataValidationError(
            f"{what} holds NaN or infinite values in column(s) {cols}, in {rows.size} of "
            f"{arr.shape[0]} rows (the first is row {int(rows[0])}, counting from 0). Impute or "
            f"drop those rows first (e.g. {what}.dropna() on a DataFrame)."
        )
    return DataValidationError(f"{what} cannot be used as feature data of shape {arr.shape}: {exc}")
