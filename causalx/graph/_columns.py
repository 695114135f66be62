"""A graph's chain components as column indices: the one translation samplers and games use."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["ChainComponent", "chain_components"]


@dataclass(frozen=True, eq=False)
class ChainComponent:
    """One chain component of a causal graph, as column indices of the feature array.

    Attributes
    ----------
    members : ndarray of shape (k,), int
        Columns of the component's nodes, in graph node order.
    parents : ndarray of shape (p,), int
        Columns of the nodes outside the component with an edge into it, ascending.
    confounded : bool
        Two members share an unobserved common cause (a bidirected edge).
    inner : ndarray of shape (k, k), bool
        ``inner[a, b]``: member ``a`` has a directed edge into member ``b`` (components merged
        by bidirected edges can hold directed edges inside).
    """

    members: np.ndarray
    parents: np.ndarray
    confounded: bool
    inner: np.ndarray


def chain_components(graph, feature_names: Sequence[str] | None = None) -> tuple[ChainComponent, ...]:
    """Translate ``graph.components()`` into column indices of ``feature_names``.

    Parameters
    ----------
    graph : CausalGraph
    feature_names : sequence of str, optional
        The column order of the feature array; defaults to ``graph.nodes``.

    Returns
    -------
    tuple of ChainComponent
        In causal (topological) order.

    Raises
    ------
    KeyError
        A node of the graph has no column in ``feature_names``.

    Examples
    --------
    >>> from causalx.graph import CausalGraph
    >>> g = CausalGraph(["a", "b", "c"], ["a -> b", "b -> c"], confounded=["a <-> b"])
    >>> [(c.members.tolist(), c.parents.tolist(), c.confounded) for c in chain_components(g)]
    [([0, 1], [], True), ([2], [1], False)]
    >>> chain_components(g, ["c", "b", "a"])[0].members.tolist()
    [2, 1]
    """
    names = tuple(graph.nodes) if feature_names is None else tuple(feature_names)
    index = {name: j for j, name in enumerate(names)}
    missing = [v for v in graph.nodes if v not in index]
    if missing:
        raise KeyError(f"graph node(s) {missing} have no column in feature_names {list(names)}.")
    edges = set(graph.edges)
    out = []
    for comp in graph.components():
        members = np.array([index[v] for v in comp.nodes], dtype=np.int64)
        parents = np.array(sorted(index[p] for p in comp.parents), dtype=np.int64)
        inner = np.array([[(a, b) in edges for b in comp.nodes] for a in comp.nodes], dtype=bool).reshape(
            len(comp.nodes), len(comp.nodes)
        )
        for arr in (members, parents, inner):
            arr.setflags(write=False)
        out.append(ChainComponent(members, parents, bool(comp.confounded), inner))
    return tuple(out)
