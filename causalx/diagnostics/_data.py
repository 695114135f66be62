"""Turn user data into a float array in the graph's node order (the diagnostics' data rule)."""

from __future__ import annotations

import numpy as np

from causalx.utils.validation import check_data

__all__ = ["as_node_array"]


def as_node_array(data, graph, *, what: str = "data", min_rows: int = 10) -> np.ndarray:
    """Return ``data`` as an (n, d) float64 array with the columns of ``graph.nodes`` in order.

    :func:`causalx.utils.validation.check_data` with the graph's nodes as the features and at
    least ``min_rows`` rows (the tests need some data): a DataFrame must contain every node as
    a column (the graph's target and any other column are ignored); an array must have exactly
    ``len(graph.nodes)`` columns in node order.
    """
    return check_data(data, graph.nodes, what=what, min_rows=min_rows)[0]
