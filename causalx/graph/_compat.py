"""The one place that absorbs networkx API drift (d-separation was renamed in networkx 3.3)."""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import networkx as nx

__all__ = ["d_separated"]

_IS_D_SEPARATOR = getattr(nx, "is_d_separator", None) or getattr(nx, "d_separated")


def d_separated(
    graph: nx.DiGraph, x: Iterable[Hashable], y: Iterable[Hashable], z: Iterable[Hashable]
) -> bool:
    """``x`` and ``y`` d-separated given ``z`` in the DAG ``graph`` (disjoint node sets)."""
    return bool(_IS_D_SEPARATOR(graph, set(x), set(y), set(z)))
