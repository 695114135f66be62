"""Feature groups as players: the grouping of a graph's nodes and its group-level causal order.

A graph may declare ``groups`` (group name -> member nodes; every node in at most one group).
The *players* of an explanation are then the groups, plus every ungrouped node as its own
singleton player named after itself, in the order of their first member in graph node order.
A coalition of players is the union of its members' columns; the value function (marginal,
conditional or causal) is the feature-level one evaluated on that union.

The group-level causal order (for asymmetric values) is the condensation of the feature order
onto the groups: group ``A`` precedes group ``B`` when some member of ``A`` precedes some member
of ``B`` (a directed edge, or an earlier declared component). It must be acyclic.

This module does not import :mod:`causalx.graph.causal_graph` (the graph calls it); its
functions take a graph by duck typing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from causalx.exceptions import CyclicGraphError, GraphSpecError, UnknownNodeError
from causalx.graph._checks import check_group
from causalx.utils.validation import suggest

__all__ = ["PlayerColumns", "expand_names", "group_precedences", "parse_groups", "player_columns", "players"]


def _located(exc: Exception, location: str) -> Exception:
    exc.location = location  # type: ignore[attr-defined]
    return exc


def parse_groups(groups: Any, nodes: Sequence[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Validate a ``groups`` mapping against the graph's nodes.

    Parameters
    ----------
    groups : mapping of str to sequence of str, or None
    nodes : sequence of str
        The graph's nodes, in graph order.

    Returns
    -------
    tuple of (name, members)
        Members in node order; groups ordered by their first member.

    Raises
    ------
    GraphSpecError
        An empty group, a node in two groups, a group name that is also a node name (other
        than a group holding exactly that node).
    UnknownNodeError
        A member that is not a node.
    TypeError
        ``groups`` is not a mapping of names to lists.

    Examples
    --------
    >>> parse_groups({"b": ["x3", "x2"], "a": ["x1"]}, ["x1", "x2", "x3", "x4"])
    (('a', ('x1',)), ('b', ('x2', 'x3')))
    """
    if groups is None:
        return ()
    if not isinstance(groups, Mapping):
        raise _located(TypeError(
            f"groups must be a mapping group name -> list of node names, e.g. "
            f"{{'composition': ['x_Fe', 'x_Ni']}}, got {type(groups).__name__}."
        ), "groups")
    index = {n: i for i, n in enumerate(nodes)}
    owner: dict[str, str] = {}
    out = []
    for name, members in groups.items():
        location = f"groups.{name}"
        try:
            name, members = check_group(name, members)
        except (TypeError, ValueError) as exc:
            kind = TypeError if isinstance(exc, TypeError) else GraphSpecError
            raise _located(kind(f"{location}: {exc}"), location) from None
        for j, m in enumerate(members):
            if m not in index:
                raise _located(UnknownNodeError(
                    f"Unknown node {m!r} in {location}[{j}]: group members must be nodes of the graph."
                    f"{suggest(m, list(index))}"
                ), f"{location}[{j}]")
            if m in owner:
                raise _located(GraphSpecError(
                    f"Node {m!r} is in two groups ({owner[m]!r} and {name!r}); every node belongs to at "
                    f"most one group (ungrouped nodes are their own group)."
                ), f"{location}[{j}]")
            owner[m] = name
        if name in index and tuple(members) != (name,):
            raise _located(GraphSpecError(
                f"Group name {name!r} is also a node name; a group may share a name only with its single "
                f"member (groups: {{{name}: [{name}]}}). Rename the group, e.g. {name + '_group'!r}."
            ), location)
        out.append((name, tuple(sorted(members, key=index.__getitem__))))
    out.sort(key=lambda g: index[g[1][0]])
    return tuple(out)


def players(graph) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The players of ``graph``: ``(name, members)`` for each group and each ungrouped node.

    In the order of each player's first member in graph node order; without groups, one
    singleton player per node.

    Examples
    --------
    >>> from causalx.graph import CausalGraph
    >>> g = CausalGraph(["a", "b", "c", "d"], groups={"bc": ["c", "b"]})
    >>> players(g)
    (('a', ('a',)), ('bc', ('b', 'c')), ('d', ('d',)))
    """
    grouped = dict(graph.groups)
    owner = {m: name for name, members in grouped.items() for m in members}
    out, seen = [], set()
    for n in graph.nodes:
        name = owner.get(n)
        if name is None:
            out.append((n, (n,)))
        elif name not in seen:
            seen.add(name)
            out.append((name, grouped[name]))
    return tuple(out)


@dataclass(frozen=True, eq=False)
class PlayerColumns:
    """The players of a grouped graph as column sets of the feature array.

    Attributes
    ----------
    names : tuple of str
        Player names (group names; ungrouped nodes keep their own name).
    columns : tuple of ndarray of int
        Columns of each player's members, ascending.
    membership : ndarray of shape (n_players, n_features), bool
        ``membership[p, j]``: column ``j`` belongs to player ``p``.
    """

    names: tuple[str, ...]
    columns: tuple[np.ndarray, ...]
    membership: np.ndarray

    @property
    def n_players(self) -> int:
        return len(self.names)

    def feature_masks(self, masks: np.ndarray) -> np.ndarray:
        """Player coalitions (m, n_players) -> feature coalitions (m, n_features), bool."""
        masks = np.asarray(masks, dtype=bool)
        return (masks.astype(np.uint8) @ self.membership.astype(np.uint8)) > 0


def player_columns(graph, feature_names: Sequence[str] | None = None) -> PlayerColumns:
    """The players of ``graph`` (see :func:`players`) as columns of ``feature_names``.

    Examples
    --------
    >>> from causalx.graph import CausalGraph
    >>> pc = player_columns(CausalGraph(["a", "b", "c"], groups={"g": ["a", "c"]}))
    >>> pc.names, [c.tolist() for c in pc.columns]
    (('g', 'b'), [[0, 2], [1]])
    """
    names = tuple(graph.nodes) if feature_names is None else tuple(feature_names)
    index = {name: j for j, name in enumerate(names)}
    missing = [v for v in graph.nodes if v not in index]
    if missing:
        raise KeyError(f"graph node(s) {missing} have no column in feature_names {list(names)}.")
    ps = players(graph)
    cols = []
    membership = np.zeros((len(ps), len(names)), dtype=bool)
    for p, (_, members) in enumerate(ps):
        c = np.array(sorted(index[m] for m in members), dtype=np.int64)
        c.setflags(write=False)
        cols.append(c)
        membership[p, c] = True
    membership.setflags(write=False)
    return PlayerColumns(tuple(n for n, _ in ps), tuple(cols), membership)


def group_precedences(graph) -> tuple[tuple[str, str], ...]:
    """Precedences ``(A, B)`` between players: some member of A precedes some member of B.

    A feature-level precedence is a directed edge or, with declared components, a pair from an
    earlier to a later component. Pairs inside one player are dropped.

    Raises
    ------
    CyclicGraphError
        The condensation onto the groups has a cycle (named in the message and in ``.cycle``),
        e.g. ``a1 -> b1`` and ``b2 -> a2`` with ``a1, a2`` in group A and ``b1, b2`` in B.

    Examples
    --------
    >>> from causalx.graph import CausalGraph
    >>> g = CausalGraph(["a1", "a2", "b", "c"], ["a1 -> b", "b -> c", "a2 -> c"], groups={"A": ["a1", "a2"]})
    >>> group_precedences(g)
    (('A', 'b'), ('A', 'c'), ('b', 'c'))
    """
    import networkx as nx

    ps = players(graph)
    owner = {m: name for name, members in ps for m in members}
    rank = {name: k for k, (name, _) in enumerate(ps)}
    pairs: set[tuple[str, str]] = set()
    witness: dict[tuple[str, str], str] = {}

    def add(a: str, b: str, why: str) -> None:
        ga, gb = owner[a], owner[b]
        if ga != gb:
            pairs.add((ga, gb))
            witness.setdefault((ga, gb), why)

    for a, b in graph.edges:
        add(a, b, f"{a} -> {b}")
    comps = graph.declared_components
    if comps is not None:
        for i, ca in enumerate(comps):
            for cb in comps[i + 1:]:
                for a in ca:
                    for b in cb:
                        add(a, b, f"{a} in an earlier component than {b}")
    h = nx.DiGraph()
    h.add_nodes_from(rank)
    h.add_edges_from(pairs)
    if not nx.is_directed_acyclic_graph(h):
        cycle = [u for u, _ in nx.find_cycle(h)]
        steps = [f"{u} -> {v} ({witness[(u, v)]})" for u, v in zip(cycle, [*cycle[1:], cycle[0]])]
        raise CyclicGraphError(
            "The causal order between groups has a cycle: " + ", ".join(steps) + ". Asymmetric "
            "values need an acyclic order between groups: regroup the features so that no group is both "
            "a cause and an effect of another, or declare components over the groups.",
            cycle=cycle,
        )
    return tuple(sorted(pairs, key=lambda p: (rank[p[0]], rank[p[1]])))


def expand_names(items: Iterable[str], groups: Mapping[str, Sequence[str]]) -> list[str]:
    """Replace each group name in ``items`` by its members (node names pass through)."""
    out: list[str] = []
    for n in items:
        if isinstance(n, str) and n in groups and (n,) != tuple(groups[n]):
            out.extend(groups[n])
        else:
            out.append(n)
    return out
