"""Turn user data into a float array in the graph's node order (the diagnostics' data rule)."""

from __future__ import annotations

import numpy as np

from causalx.utils._encoding import encode_data

__all__ = ["as_node_array", "node_codes"]


def node_codes(data, graph, *, what: str = "data", min_rows: int = 10) -> tuple[np.ndarray, dict[str, str | None]]:
    """The (n, d) float array of ``graph.nodes`` and the type of every node.

    :func:`causalx.utils.encode_data` with the graph's nodes as the features and at least
    ``min_rows`` rows: a DataFrame must contain every node as a column (the graph's target and
    any other column are ignored); text, pandas ``category`` and bool columns become integer
    codes; an array must have exactly ``len(graph.nodes)`` columns in node order. The types are
    the graph's declared ``type`` attributes, else inferred from the dtypes (see
    :mod:`causalx.utils._encoding`); ``None`` for numeric columns the graph is silent on (the
    tests then read few integer levels as discrete, :func:`~causalx.diagnostics._citests.is_discrete`).
    """
    declared = {n: graph.node_attributes(n).get("type") for n in graph.nodes}
    X, _, enc = encode_data(data, graph.nodes, what=what, min_rows=min_rows, types=declared)
    types = {n: (t if declared[n] is not None or book is not None else None)
             for (n, t), book in zip(enc.node_types().items(), enc.codebooks)}
    return X, types


def as_node_array(data, graph, *, what: str = "data", min_rows: int = 10) -> np.ndarray:
    """Return ``data`` as an (n, d) float64 array with the columns of ``graph.nodes`` in order.

    The array of :func:`node_codes` (text, category and bool columns as integer codes).
    """
    return node_codes(data, graph, what=what, min_rows=min_rows)[0]
