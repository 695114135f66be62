"""Checks of a study's data and model, run before any expensive step of ``causalx run``.

Each problem is raised as a :class:`~causalx.exceptions.ConfigError` (what the config names:
the data file's layout, the model file) or :class:`~causalx.exceptions.DataValidationError`
(the values), naming the value (at most ~200 characters of it) and the fix.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np

from causalx.exceptions import ConfigError, DataValidationError
from causalx.utils._text import clip, clip_repr

__all__ = ["check_feature_values", "check_model", "check_table", "check_target", "load_model_file"]

#: feature values beyond this magnitude overflow the covariance and regression steps
MAX_ABS_VALUE = 1e100
_SEPARATORS = {";": "semicolons", "\t": "tabs", "|": "'|' characters"}


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _config_error(source: str, location: str, message: str) -> ConfigError:
    return ConfigError(f"{source}, {location}: {message}", source=source, location=location)


def check_table(path: Path, frame, *, source: str, name: str) -> None:
    """The layout of the data file: one header per column, several columns, some data rows."""
    if path.suffix.lower() in (".csv", ".txt"):
        try:
            with path.open(newline="", encoding="utf-8", errors="replace") as fh:
                header = next(csv.reader(fh), [])
        except (OSError, csv.Error):  # pragma: no cover - pandas read it already
            header = []
        seen: dict[str, int] = {}
        for i, col in enumerate(header):
            if col in seen:
                raise _config_error(source, "data", (
                    f"{name!r} has the column name {clip_repr(col)} twice (columns {seen[col] + 1} and {i + 1}); "
                    f"give every column a distinct name (pandas would silently rename the second one)."))
            seen[col] = i
    cols = [str(c) for c in frame.columns]
    if len(cols) == 1:
        for sep, words in _SEPARATORS.items():
            if sep in cols[0]:
                raise _config_error(source, "data", (
                    f"{name!r} reads as a single column {clip_repr(cols[0])}: its values look separated by "
                    f"{words}, and causalx reads comma-separated files; save it as CSV with commas "
                    f"(pandas: df.to_csv(path, index=False))."))
    if len(frame) == 0:
        raise DataValidationError(f"{name}: the file has a header ({clip(', '.join(cols))}) but no data rows; "
                                  "add the measurements (at least 10 rows).")


def check_target(y, *, name: str, target: str) -> None:
    """The target column: no inf, no stray text among numbers, more than one value."""
    import pandas as pd

    if pd.api.types.is_numeric_dtype(y) and not pd.api.types.is_bool_dtype(y):
        values = np.asarray(y, dtype=float)
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            raise DataValidationError(
                f"{name}: the target column {target!r} holds {values[bad[0]]} in row {int(bad[0])}"
                f"{f' (and {bad.size - 1} more rows)' if bad.size > 1 else ''}; a target must be finite: drop "
                "or correct those rows first.")
    elif not pd.api.types.is_bool_dtype(y):  # text (object or string dtype)
        numeric = pd.to_numeric(y, errors="coerce")
        text = numeric.isna() & y.notna()
        if numeric.notna().any() and text.any():
            row = int(np.flatnonzero(text.to_numpy())[0])
            raise DataValidationError(
                f"{name}: the target column {target!r} holds numbers and text, e.g. {clip_repr(_plain(y.iloc[row]))} in "
                f"row {row} ({int(text.sum())} such rows); correct or drop those rows (a class label target must "
                "be text in every row).")
    n_unique = y.nunique(dropna=True)
    if n_unique <= 1:
        value = clip_repr(_plain(y.iloc[0])) if len(y) else "nothing"
        raise DataValidationError(
            f"{name}: the target column {target!r} is constant ({value} in every row); a model of a constant "
            "has nothing to explain: use a target that varies.")


def check_feature_values(arr: np.ndarray, names, *, name: str) -> None:
    """Feature columns (already finite floats): not constant, not of astronomical magnitude."""
    if arr.shape[0] == 0:
        return
    spread = np.ptp(arr, axis=0)
    const = [str(n) for n, s in zip(names, spread) if s == 0]
    if const:
        j = list(names).index(const[0])
        raise DataValidationError(
            f"{name}: feature column(s) {clip(', '.join(repr(c) for c in const))} are constant "
            f"({clip_repr(float(arr[0, j]))} in every row of {const[0]!r}); a constant feature has no effect to "
            "attribute and makes the diagnostics singular: remove it from the graph's nodes.")
    big = np.abs(arr).max(axis=0)
    huge = [(str(n), float(b)) for n, b in zip(names, big) if b > MAX_ABS_VALUE]
    if huge:
        raise DataValidationError(
            f"{name}: feature {huge[0][0]!r} has values as large as {huge[0][1]:.3g}; values beyond "
            f"{MAX_ABS_VALUE:.0e} overflow the statistics: rescale the column (other units, a log scale).")


def load_model_file(path: Path, *, source: str) -> Any:
    """``joblib.load(path)``, every failure reported as "could not load the model from PATH"."""
    import joblib

    try:
        return joblib.load(path)
    except Exception as exc:  # noqa: BLE001 - any unpickling failure is a bad model file
        why = f"{type(exc).__name__}: {clip(str(exc))}" if str(exc) else type(exc).__name__
        if isinstance(exc, EOFError) or path.stat().st_size == 0:
            why = "the file is empty or truncated"
        raise _config_error(source, "model.path", (
            f"could not load the model from {str(path)!r}: {why}. model.path must name a model saved with "
            "joblib.dump(model, path) (or pickle) by a compatible Python and library version.")) from None


def check_model(model: Any, X, *, source: str, path: Path) -> None:
    """A loaded model has ``predict`` (or is callable) and returns one finite real number per row.

    The model is called on 5 rows exactly as the explainer will call it
    (:func:`causalx.values.resolve_model`), before any expensive step.
    """
    from causalx.exceptions import ModelError
    from causalx.values import resolve_model

    if not (callable(getattr(model, "predict", None)) or hasattr(model, "predict_proba") or callable(model)):
        raise _config_error(source, "model.path", (
            f"{str(path)!r} holds a {type(model).__name__}, not a model: it has no predict() method; save "
            "the fitted estimator itself (joblib.dump(model, path))."))
    output = None
    if hasattr(model, "predict_proba") and hasattr(model, "classes_"):
        output = 1 if len(model.classes_) == 2 else 0  # as run_study does
    from causalx.utils._encoding import encode_data

    # text, category and bool columns as codes, decoded back for the model (as the explainer does)
    rows, names, encoding = encode_data(X.iloc[: min(5, len(X))], [str(c) for c in X.columns], what="data")
    try:
        resolve_model(model, names, output, encoding=encoding)(rows)
    except (ModelError, ValueError, TypeError) as exc:
        cause = exc.__cause__ if isinstance(exc, ModelError) and exc.__cause__ is not None else None
        detail = f"{type(cause).__name__}: {cause}" if cause is not None else str(exc)
        raise _config_error(source, "model.path", (
            f"the model in {str(path)!r} fails on {len(rows)} rows of the data: {clip(detail)}; check that it "
            f"was trained on the graph's nodes ({clip(', '.join(map(str, X.columns)))}) in this order and "
            "returns one real number per row.")) from None


def check_classes(y, *, name: str, target: str, cv: int, source: str) -> None:
    """A classification target has at least ``cv`` rows of every class (for the stratified CV)."""
    counts = y.value_counts()
    if len(counts) and int(counts.min()) < cv:
        label = counts.idxmin()
        raise _config_error(source, "model.cv", (
            f"the target {target!r} of {name!r} is treated as classes, and class {clip_repr(label)} has only "
            f"{int(counts.min())} row(s), fewer than the {cv} cross-validation folds; add data, merge rare "
            f"classes, lower model.cv, or set model.task: regression for a numeric target."))
