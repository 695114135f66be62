"""Turn user data (DataFrame or array) into a float64 array in the graph's feature order."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from causalx.utils._encoding import DataEncoding, encode_data
from causalx.utils.validation import check_data

__all__ = ["declared_types", "to_feature_array", "to_feature_codes", "with_node_types"]


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


def declared_types(graph) -> dict[str, str | None]:
    """The ``type`` attribute of every node of ``graph`` (None where the spec is silent)."""
    return {n: graph.node_attributes(n).get("type") for n in graph.nodes}


def to_feature_codes(
    X, graph, *, what: str = "X", min_rows: int = 1, encoding: DataEncoding | None = None
) -> tuple[np.ndarray, DataEncoding]:
    """:func:`to_feature_array` for mixed data: text, ``category`` and bool columns become codes.

    Returns the (n, d) float array in graph node order and the encoding
    (:func:`causalx.utils.encode_data`; with ``encoding`` given, ``X`` is coded with it and it is
    returned as is). Node types declared in the graph win over the ones inferred from dtypes.
    """
    arr, _, enc = encode_data(X, graph.nodes, what=what, min_rows=min_rows, encoding=encoding,
                              types=declared_types(graph))
    return arr, enc


def with_node_types(graph, types: dict[str, str]):
    """``graph`` with the ``type`` attribute set where the spec is silent (the graph itself when
    no type is added), so that samplers read the inferred types as declared ones."""
    attrs = {n: graph.node_attributes(n) for n in graph.nodes}
    added = {n: t for n, t in types.items() if attrs[n].get("type") is None and t != "continuous"}
    if not added:
        return graph
    return graph.replace(nodes={n: {**a, **({"type": added[n]} if n in added else {})} for n, a in attrs.items()})
