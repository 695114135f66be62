"""Turn user data (DataFrame or array) into a float64 array in the graph's feature order."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from causalx.utils.validation import check_data

__all__ = ["to_feature_array"]


def to_feature_array(
    X, feature_names: Sequence[str], *, what: str = "X", target: str | None = None, min_rows: int = 1
) -> np.ndarray:
    """Validate ``X`` and return it as an (n, d) float64 array with columns in ``feature_names`` order.

    :func:`causalx.utils.validation.check_data` with the graph's features: a DataFrame's
    feature columns are selected by name and every other column (the graph's ``target``, IDs,
    metadata) is ignored; an array must have exactly ``len(feature_names)`` columns, taken to
    be in ``feature_names`` order. ``target`` is accepted for the callers that name it; it
    needs no special rule, since columns that are not features are ignored anyway.
    """
    del target  # not a feature, hence ignored like every other extra column
    return check_data(X, feature_names, what=what, min_rows=min_rows)[0]
