"""The immutable causal graph over model features (directed edges, bidirected pairs, chain components)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx

import causalx.graph.interop as interop  # interop does not import this module: no cycle
from causalx.exceptions import CyclicGraphError, GraphSpecError, UnknownNodeError
from causalx.graph._checks import (
    NODE_ATTRIBUTES,
    NODE_ROLES,
    NODE_TYPES,
    check_name,
    check_node_role,
    check_node_type,
    check_unique_nodes,
    parse_edge,
    parse_pair,
)
from causalx.graph._dsep import d_connected
from causalx.graph.constraints import Constraint
from causalx.graph.groups import expand_names, parse_groups, players
from causalx.utils.validation import suggest

__all__ = ["NODE_ATTRIBUTES", "NODE_ROLES", "NODE_TYPES", "SPEC_VERSION", "CausalGraph", "Component", "Independence", "parse_pair"]

#: The only spec version this release reads and writes (the ``causalx:`` key).
SPEC_VERSION = 1


@dataclass(frozen=True)
class Component:
    """One chain component of a causal graph.

    Attributes
    ----------
    nodes : tuple of str
        Members, in graph node order.
    confounded : bool
        True when two members are joined by a bidirected edge (an unobserved common cause);
        a confounded component is sampled ignoring its own intervened members (Heskes Thm 1).
    parents : tuple of str
        Nodes outside the component with an edge into some member, in graph node order.
    """

    nodes: tuple[str, ...]
    confounded: bool
    parents: tuple[str, ...]


@dataclass(frozen=True)
class Independence:
    """A conditional independence statement ``x ⊥ y | given``.

    Examples
    --------
    >>> str(Independence("X1", "X3", ("X2",)))
    'X1 ⊥ X3 | X2'
    >>> str(Independence("X1", "X4", ()))
    'X1 ⊥ X4'
    """

    x: str
    y: str
    given: tuple[str, ...] = ()

    def __str__(self) -> str:
        cond = f" | {', '.join(self.given)}" if self.given else ""
        return f"{self.x} ⊥ {self.y}{cond}"


def _located(exc: Exception, location: str | None) -> Exception:
    """Attach ``location`` (e.g. ``"edges[2]"``) so the YAML loader can report it."""
    try:
        exc.location = location  # type: ignore[attr-defined]
    except AttributeError:  # pragma: no cover - exceptions always accept attributes
        pass
    return exc


def _fmt_nodes(nodes: Sequence[str], limit: int = 12) -> str:
    shown = ", ".join(repr(n) for n in nodes[:limit])
    return shown + (f", ... ({len(nodes)} in all)" if len(nodes) > limit else "")


def _check_name(name: Any, location: str) -> str:
    if not isinstance(name, str):
        raise _located(TypeError(
            f"Node names must be strings; {location} is {name!r} of type {type(name).__name__}. "
            f"Quote it in YAML ('{name}') or convert it with str()."
        ), location)
    try:
        return check_name(name)
    except ValueError as exc:
        raise _located(GraphSpecError(f"{location}: {exc}"), location) from None


#: node attributes whose value is one of a fixed set of names (checked like the spec does)
_CHOICE_CHECKS = {"type": check_node_type, "role": check_node_role}


def _check_attributes(name: str, attrs: Any) -> dict[str, str]:
    location = f"nodes.{name}"
    if attrs is None:
        return {}
    if not isinstance(attrs, Mapping):
        raise _located(TypeError(
            f"The attributes of node {name!r} ({location}) must be a mapping with keys among "
            f"{', '.join(NODE_ATTRIBUTES)}, got {attrs!r}."
        ), location)
    out: dict[str, str] = {}
    for key in attrs:
        if key not in NODE_ATTRIBUTES:
            raise _located(GraphSpecError(
                f"Unknown node attribute {key!r} at {location}.{key}; accepted attributes are "
                f"{', '.join(repr(k) for k in NODE_ATTRIBUTES)}.{suggest(key, NODE_ATTRIBUTES)}"
            ), f"{location}.{key}")
    for key in NODE_ATTRIBUTES:
        value = attrs.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise _located(TypeError(
                f"{location}.{key} must be a string, got {value!r} of type {type(value).__name__}."
            ), f"{location}.{key}")
        check = _CHOICE_CHECKS.get(key)
        if check is not None:
            try:
                check(value)
            except ValueError as exc:
                raise _located(GraphSpecError(f"{location}.{key}: {exc}"), f"{location}.{key}") from None
        out[key] = value
    return out


#: The constructor arguments, which are also the keys of :meth:`CausalGraph.to_dict` (besides ``causalx``).
_FIELDS = ("nodes", "edges", "confounded", "groups", "components", "target", "constraints", "name", "target_unit")


def _constructor_arguments(data: Mapping[str, Any]) -> dict[str, Any]:
    """Constructor arguments from a spec-shaped dict (:meth:`CausalGraph.to_dict`)."""
    unknown = sorted(set(data) - {"causalx", *_FIELDS})
    if unknown:
        raise GraphSpecError(f"unknown key(s) {unknown} in a graph dict; accepted keys are "
                             f"'causalx', {', '.join(repr(k) for k in _FIELDS)}.")
    return {k: data[k] for k in _FIELDS if k in data}


def _canonical(data: Mapping[str, Any]) -> dict[str, Any]:
    """The digest's form of a spec-shaped dict: every key present, node order kept (as pairs,
    since the JSON is written with sorted keys) and edges as ``[cause, effect]`` lists."""
    pairs = lambda key, kind: [list(parse_pair(p, kind)) for p in data.get(key, ())]  # noqa: E731
    extra = {"groups": data["groups"]} if data.get("groups") else {}  # absent: digests of ungrouped graphs unchanged
    return {
        **extra,
        "causalx": data["causalx"],
        "name": data.get("name"),
        "target": data.get("target"),
        "nodes": [[n, a] for n, a in data["nodes"].items()],
        "edges": pairs("edges", "edge"),
        "confounded": pairs("confounded", "confounded"),
        "components": data.get("components"),
        "constraints": list(data.get("constraints", ())),
        # only when declared, so the digests of graphs without a target unit are unchanged
        **({"target_unit": data["target_unit"]} if data.get("target_unit") is not None else {}),
    }


def _rebuild(data: dict[str, Any]) -> CausalGraph:
    return CausalGraph.from_dict(data)


class CausalGraph:
    """An immutable causal graph over the features of a model.

    Directed edges ``a -> b`` say that ``a`` causes ``b``; a bidirected (confounded) pair
    ``a <-> b`` says that ``a`` and ``b`` share an unobserved common cause. Alternatively
    (shapr's ``causal_ordering``), ordered *chain components* can be declared without edges:
    every node of an earlier component is then a parent of every node of a later one.

    The graph wraps a :class:`networkx.DiGraph` (composition, never a subclass) and cannot be
    changed after construction; every method returns tuples or copies.

    Parameters
    ----------
    nodes : sequence of str, or mapping of str to dict
        The features (players), in the order used everywhere (feature order). A mapping gives
        each node optional attributes ``unit``, ``description``, ``type`` (one of
        ``'continuous'``, ``'binary'``, ``'categorical'``, ``'ordinal'``) and ``role`` (one of
        ``'control'``: set by the experimenter, ``'measured'``: measured on the sample, never
        set, ``'property'``: intrinsic to the chosen material or molecule).
    edges : iterable of (str, str) or str, default=()
        Directed edges as pairs ``(cause, effect)`` or strings ``"a -> b"``.
    confounded : iterable of (str, str) or str, default=()
        Unordered pairs with an unobserved common cause, as pairs or ``"a <-> b"``.
    components : sequence of sequence of str, optional
        Ordered chain components covering every node exactly once. Without ``edges`` the graph
        is a chain graph; with edges, no edge may point from a later to an earlier component.
        A component may name a group (``groups``), which stands for all its members.
    groups : mapping of str to sequence of str, optional
        Feature groups explained as one player each (e.g. descriptor families): group name ->
        member nodes, every node in at most one group; an ungrouped node is its own group,
        named after itself. A group name may not be the name of another node. Edges and
        confounded pairs join nodes, never groups (order groups with ``components``). See
        :mod:`causalx.graph.groups`.
    target : str, optional
        Name of the model output column; it is not a node.
    constraints : iterable of Constraint or str, default=()
        Linear physical constraints such as ``"X2 >= 0"`` (see :class:`Constraint`).
    name : str, optional
    target_unit : str, optional
        Unit of the target (the model output), e.g. ``"mS/cm"``; the report labels its axes and
        tables with it (a run config's ``report.target_unit``, when given, takes precedence).

    Raises
    ------
    UnknownNodeError
        An edge, pair, component or constraint names a node that is not in ``nodes``.
    CyclicGraphError
        The directed edges form a cycle (listed in the message and in ``.cycle``).
    ValueError
        Duplicate nodes or edges, self-loops, a target that is also a node, components that
        miss or repeat a node or disagree with the edges, bad node attributes.

    See Also
    --------
    load_graph : read a graph from a YAML spec.
    CausalGraph.from_dagitty : read a graph written in DAGitty syntax.

    References
    ----------
    Heskes, Sijben, Bucur & Claassen (2020). Causal Shapley values: exploiting causal knowledge
    to explain individual predictions of complex models. NeurIPS.

    Examples
    --------
    >>> g = CausalGraph(
    ...     ["X1", "X2", "X3", "X4", "X5"],
    ...     ["X1 -> X2", "X1 -> X3", "X2 -> X3", "X3 -> X5", "X4 -> X5"],
    ...     confounded=["X1 <-> X4"],
    ... )
    >>> g.parents("X3")
    ('X1', 'X2')
    >>> [c.nodes for c in g.components()]
    [('X1', 'X4'), ('X2',), ('X3',), ('X5',)]
    >>> g.is_d_separated("X2", "X5", given=["X3"])
    False
    >>> g.is_d_separated("X2", "X4")
    False
    >>> g.do("X4").is_d_separated("X2", "X4")
    True
    """

    __slots__ = (
        "_name", "_nodes", "_index", "_attrs", "_edges", "_confounded", "_components_given",
        "_target", "_constraints", "_dag", "_cache", "_target_unit", "_groups",
    )

    def __init__(
        self,
        nodes: Sequence[str] | Mapping[str, Mapping[str, str] | None],
        edges: Iterable[tuple[str, str] | str] = (),
        *,
        confounded: Iterable[tuple[str, str] | str] = (),
        components: Sequence[Sequence[str]] | None = None,
        groups: Mapping[str, Sequence[str]] | None = None,
        target: str | None = None,
        constraints: Iterable[Constraint | str] = (),
        name: str | None = None,
        target_unit: str | None = None,
    ):
        s = object.__setattr__
        if name is not None and not isinstance(name, str):
            raise _located(TypeError(f"name must be a string or None, got {name!r}."), "name")
        s(self, "_name", name)

        # ---- nodes
        if isinstance(nodes, str) or nodes is None:
            raise _located(TypeError(
                f"nodes must be a list of node names or a mapping name -> attributes, got {nodes!r}."
            ), "nodes")
        if isinstance(nodes, Mapping):
            items = [(_check_name(n, f"nodes.{n}"), a) for n, a in nodes.items()]
        else:
            items = [(_check_name(n, f"nodes[{i}]"), None) for i, n in enumerate(nodes)]
        names = [n for n, _ in items]
        try:
            check_unique_nodes(names)
        except ValueError as exc:
            message = str(exc)
            dup = next(n for i, n in enumerate(names) if n in names[:i])
            raise _located(GraphSpecError(message[0].upper() + message[1:]), f"nodes.{dup}") from None
        index = {n: i for i, n in enumerate(names)}
        attrs = {n: _check_attributes(n, a) for n, a in items}
        if not names:
            raise _located(GraphSpecError("A causal graph needs at least one node; nodes is empty."), "nodes")
        s(self, "_nodes", tuple(names))
        s(self, "_index", index)
        s(self, "_attrs", attrs)

        # ---- target
        if target is not None:
            if not isinstance(target, str):
                raise _located(TypeError(f"target must be a string or None, got {target!r}."), "target")
            if target in index:
                raise _located(GraphSpecError(
                    f"target={target!r} is also listed among the nodes; the target is the model output, "
                    f"not a player: remove {target!r} from nodes (and from edges) or choose another target."
                ), "target")
        s(self, "_target", target)
        if target_unit is not None and not isinstance(target_unit, str):
            raise _located(TypeError(
                f"target_unit must be a string (such as 'mS/cm') or None, got {target_unit!r}."), "target_unit")
        if target_unit is not None and not target_unit.strip():
            raise _located(GraphSpecError(
                "target_unit is empty; give the target's unit (such as 'mS/cm') or leave the key out."), "target_unit")
        s(self, "_target_unit", target_unit)

        # ---- groups (before edges and components, which may name them)
        s(self, "_groups", parse_groups(groups, names))

        # ---- edges and confounded pairs
        edge_list = self._check_pairs(edges, "edges", kind="edge")
        conf_list = self._check_pairs(confounded, "confounded", kind="confounded")
        key = self._key
        s(self, "_edges", tuple(sorted(edge_list, key=lambda e: (key(e[0]), key(e[1])))))
        conf_sorted = [tuple(sorted(p, key=key)) for p in conf_list]
        s(self, "_confounded", tuple(sorted(conf_sorted, key=lambda e: (key(e[0]), key(e[1])))))

        dag = nx.DiGraph()
        dag.add_nodes_from(names)
        dag.add_edges_from(self._edges)
        if not nx.is_directed_acyclic_graph(dag):
            cycle = [u for u, _ in nx.find_cycle(dag)]
            text = " -> ".join([*cycle, cycle[0]])
            raise _located(CyclicGraphError(
                f"The directed edges form a cycle: {text}. A causal graph must be acyclic; remove or "
                f"reverse one of these edges (use 'confounded' for a shared unobserved cause).",
                cycle=cycle,
            ), "edges")

        # ---- components
        comps = None if components is None else self._check_components(components)
        s(self, "_components_given", comps)
        if comps is not None and not self._edges:
            dag = nx.DiGraph()
            dag.add_nodes_from(names)
            earlier: list[str] = []
            for comp in comps:
                dag.add_edges_from((p, c) for p in earlier for c in comp)
                earlier.extend(comp)
        s(self, "_dag", dag)

        # ---- constraints
        parsed: list[Constraint] = []
        for i, c in enumerate(constraints if not isinstance(constraints, str) else [constraints]):
            location = f"constraints[{i}]"
            if isinstance(c, str):
                try:
                    c = Constraint.parse(c)
                except GraphSpecError as exc:
                    raise GraphSpecError(f"{location}: {exc}", location=location) from None
            elif not isinstance(c, Constraint):
                raise _located(TypeError(
                    f"{location} must be a string such as 'X2 >= 0' or a Constraint, got {c!r}."
                ), location)
            for v in c.variables:
                if v not in index:
                    extra = (f" {v!r} is the target (model output); constraints apply to the "
                             f"features." if v == target else "")
                    raise _located(UnknownNodeError(
                        f"Unknown node {v!r} in {location} ({c.text!r}): the graph's nodes are "
                        f"{_fmt_nodes(names)}.{extra}{suggest(v, names)}"
                    ), location)
            parsed.append(c)
        s(self, "_constraints", tuple(parsed))
        s(self, "_cache", {})

    # ------------------------------------------------------------------ validation helpers
    def _key(self, node: str) -> int:
        return self._index[node]

    def _check_node(self, node: Any, where: str, location: str | None = None) -> str:
        if not isinstance(node, str) or node not in self._index:
            hint = ""
            if node == self._target:
                hint = f" {node!r} is the target (model output), which is not a node."
            if any(node == g for g, _ in getattr(self, "_groups", ())):
                hint = (f" {node!r} is a group: {where.split('[')[0]} join nodes; order groups with "
                        f"components (e.g. components: [[{node}], [...]]).")
            raise _located(UnknownNodeError(
                f"Unknown node {node!r} in {where}: the graph's nodes are "
                f"{_fmt_nodes(self._nodes)}.{hint}{suggest(node, self._nodes)}"
            ), location or where)
        return node

    def _check_pairs(self, pairs: Any, field: str, kind: str) -> list[tuple[str, str]]:
        if isinstance(pairs, str) or pairs is None:
            raise _located(TypeError(
                f"{field} must be a list of pairs, got {pairs!r}; wrap a single item in a list."
            ), field)
        out: list[tuple[str, str]] = []
        seen: dict[Any, int] = {}
        for i, item in enumerate(pairs):
            location = f"{field}[{i}]"
            try:
                a, b = parse_edge(item, kind)
            except ValueError as exc:
                raise _located(GraphSpecError(f"{location}: {exc}"), location) from None
            text = f"{a} -> {b}" if kind == "edge" else f"{a} <-> {b}"
            where = f"{location} ({text!r})"
            self._check_node(a, where, location)
            self._check_node(b, where, location)
            ident = (a, b) if kind == "edge" else frozenset((a, b))
            if ident in seen:
                raise _located(GraphSpecError(
                    f"{location}: {text!r} repeats {field}[{seen[ident]}]; list each pair once."
                ), location)
            seen[ident] = i
            out.append((a, b))
        return out

    def _check_components(self, components: Any) -> tuple[tuple[str, ...], ...]:
        if isinstance(components, str) or not isinstance(components, Iterable):
            raise _located(TypeError(
                f"components must be an ordered list of lists of node names, got {components!r}."
            ), "components")
        owner: dict[str, int] = {}
        comps: list[tuple[str, ...]] = []
        for k, comp in enumerate(components):
            if isinstance(comp, str) or not isinstance(comp, Iterable):
                raise _located(TypeError(
                    f"components[{k}] must be a list of node names, got {comp!r}; write [{comp}] "
                    f"for a single-node component."
                ), f"components[{k}]")
            members = []
            for j, n in enumerate(expand_names(comp, dict(self._groups))):
                self._check_node(n, f"components[{k}][{j}]")
                if n in owner:
                    raise _located(GraphSpecError(
                        f"Node {n!r} is in two components (components[{owner[n]}] and components[{k}]); "
                        f"each node belongs to exactly one component."
                    ), f"components[{k}][{j}]")
                owner[n] = k
                members.append(n)
            if not members:
                raise _located(GraphSpecError(f"components[{k}] is empty; remove it."), f"components[{k}]")
            comps.append(tuple(sorted(members, key=self._key)))
        missing = [n for n in self._nodes if n not in owner]
        if missing:
            raise _located(GraphSpecError(
                f"Node(s) {_fmt_nodes(missing)} are missing from components; every node must be in "
                f"exactly one component (add them, e.g. as [{missing[0]}])."
            ), "components")
        for a, b in self._edges:
            if owner[a] > owner[b]:
                raise _located(GraphSpecError(
                    f"The edge '{a} -> {b}' points from components[{owner[a]}] back to "
                    f"components[{owner[b]}]; components must be listed in causal order "
                    f"(reorder them or drop the edge)."
                ), "components")
        for a, b in self._confounded:
            if owner[a] != owner[b]:
                raise _located(GraphSpecError(
                    f"The confounded pair '{a} <-> {b}' spans components[{owner[a]}] and "
                    f"components[{owner[b]}]; a confounded pair must lie inside one component "
                    f"(merge the two components)."
                ), "components")
        return tuple(comps)

    def _nodes_arg(self, nodes: Any, name: str) -> list[str]:
        if isinstance(nodes, str):
            nodes = [nodes]
        out = [self._check_node(n, name) for n in nodes]
        return out

    # ------------------------------------------------------------------ immutability
    def __setattr__(self, key, value):
        raise AttributeError(f"CausalGraph is immutable; cannot set {key!r}. Build a new graph instead.")

    def __delattr__(self, key):
        raise AttributeError(f"CausalGraph is immutable; cannot delete {key!r}.")

    def to_dict(self) -> dict[str, Any]:
        """The graph as plain data in the shape of the YAML spec (version 1), in canonical key order.

        This is the one serialisation of a graph: :func:`~causalx.graph.dumps_graph` writes it,
        :meth:`digest` hashes it, pickling and :meth:`replace` rebuild from it, and
        :meth:`from_dict` (or :class:`~causalx.graph.GraphSpec`) reads it back:
        ``CausalGraph.from_dict(g.to_dict()) == g``. Optional keys are left out when empty;
        edges are ``"a -> b"``, confounded pairs ``"a <-> b"``, constraints their original text.

        Examples
        --------
        >>> CausalGraph({"a": {"unit": "eV"}, "b": {}}, ["a -> b"], target="y").to_dict()
        {'causalx': 1, 'target': 'y', 'nodes': {'a': {'unit': 'eV'}, 'b': {}}, 'edges': ['a -> b']}
        """
        out: dict[str, Any] = {"causalx": SPEC_VERSION}
        if self._name is not None:
            out["name"] = self._name
        if self._target is not None:
            out["target"] = self._target
        if self._target_unit is not None:
            out["target_unit"] = self._target_unit
        out["nodes"] = {n: {k: self._attrs[n][k] for k in NODE_ATTRIBUTES if k in self._attrs[n]}
                        for n in self._nodes}
        if self._edges or not self.is_chain_graph:
            out["edges"] = [f"{a} -> {b}" for a, b in self._edges]
        if self._confounded:
            out["confounded"] = [f"{a} <-> {b}" for a, b in self._confounded]
        if self._groups:
            out["groups"] = {g: list(members) for g, members in self._groups}
        if self._components_given is not None:
            out["components"] = [list(c) for c in self._components_given]
        if self._constraints:
            out["constraints"] = [c.text for c in self._constraints]
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CausalGraph:
        """Inverse of :meth:`to_dict` (no pydantic: use :func:`~causalx.graph.loads_graph` for YAML).

        Examples
        --------
        >>> g = CausalGraph(["a", "b"], ["a -> b"], confounded=["a <-> b"])
        >>> CausalGraph.from_dict(g.to_dict()) == g
        True
        """
        version = data.get("causalx", SPEC_VERSION)
        if version != SPEC_VERSION:
            raise GraphSpecError(f"unsupported spec version causalx: {version!r}; accepted values: {SPEC_VERSION}.",
                                 location="causalx")
        return cls(**_constructor_arguments(data))

    def replace(self, **changes: Any) -> CausalGraph:
        """A new graph with some constructor arguments changed; the rest (attributes,
        constraints, target, name) are kept.

        Parameters
        ----------
        **changes
            Any of ``nodes``, ``edges``, ``confounded``, ``groups``, ``components``, ``target``,
            ``constraints``, ``name``.

        Examples
        --------
        >>> g = CausalGraph({"a": {"unit": "eV"}, "b": {}}, ["a -> b"], name="g")
        >>> h = g.replace(edges=[], confounded=["a <-> b"])
        >>> h.edges, h.confounded, h.node_attributes("a"), h.name
        ((), (('a', 'b'),), {'unit': 'eV'}, 'g')
        """
        unknown = sorted(set(changes) - set(_FIELDS))
        if unknown:
            raise TypeError(
                f"replace() got unknown argument(s) {unknown}; accepted are {', '.join(sorted(_FIELDS))}."
            )
        return CausalGraph(**{**_constructor_arguments(self.to_dict()), **changes})

    def __reduce__(self):
        return (_rebuild, (self.to_dict(),))

    def __copy__(self) -> CausalGraph:
        return self

    def __deepcopy__(self, memo) -> CausalGraph:
        return self

    # ------------------------------------------------------------------ properties
    @property
    def name(self) -> str | None:
        """Name of the graph (or None)."""
        return self._name

    @property
    def nodes(self) -> tuple[str, ...]:
        """Node names in graph (feature) order."""
        return self._nodes

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self._nodes)

    @property
    def edges(self) -> tuple[tuple[str, str], ...]:
        """Declared directed edges, sorted by node order (empty for a chain graph)."""
        return self._edges

    @property
    def confounded(self) -> tuple[tuple[str, str], ...]:
        """Bidirected pairs, each ordered and sorted by node order."""
        return self._confounded

    @property
    def target(self) -> str | None:
        """Name of the model output column (not a node), or None."""
        return self._target

    @property
    def target_unit(self) -> str | None:
        """Unit of the target (the model output), such as ``"mS/cm"``, or None.

        Examples
        --------
        >>> CausalGraph(["a"], target="y", target_unit="mS/cm").target_unit
        'mS/cm'
        """
        return self._target_unit

    @property
    def constraints(self) -> tuple[Constraint, ...]:
        """Physical constraints on the features."""
        return self._constraints

    @property
    def declared_components(self) -> tuple[tuple[str, ...], ...] | None:
        """The chain components as declared (``components=``), or None when none were."""
        return None if self._components_given is None else tuple(tuple(c) for c in self._components_given)

    @property
    def groups(self) -> dict[str, tuple[str, ...]]:
        """The declared feature groups (a copy): group name -> members in node order, groups
        ordered by their first member; empty when none were declared.

        Examples
        --------
        >>> CausalGraph(["a", "b", "c"], groups={"g": ["c", "a"]}).groups
        {'g': ('a', 'c')}
        """
        return {g: members for g, members in self._groups}

    @property
    def players(self) -> tuple[str, ...]:
        """The names of the explanation's players: the groups, and every ungrouped node as
        itself, ordered by their first member (the nodes when no groups are declared).

        Examples
        --------
        >>> CausalGraph(["a", "b", "c"], groups={"g": ["c", "a"]}).players
        ('g', 'b')
        """
        return tuple(name for name, _ in players(self))

    @property
    def is_chain_graph(self) -> bool:
        """True when components were given without edges."""
        return self._components_given is not None and not self._edges

    # ------------------------------------------------------------------ structure
    def node_attributes(self, node: str) -> dict[str, str]:
        """A copy of the attributes (``unit``, ``description``, ``type``, ``role``) of ``node``."""
        return dict(self._attrs[self._check_node(node, "node_attributes")])

    def role(self, node: str) -> str | None:
        """The declared role of ``node`` (``'control'``, ``'measured'`` or ``'property'``), or None.

        Examples
        --------
        >>> g = CausalGraph({"T": {"role": "control"}, "tau": {"role": "measured"}, "x": {}}, ["T -> tau"])
        >>> g.role("T"), g.role("x")
        ('control', None)
        """
        return self._attrs[self._check_node(node, "role")].get("role")

    def nodes_with_role(self, role: str) -> tuple[str, ...]:
        """The nodes whose declared role is ``role``, in graph node order.

        Parameters
        ----------
        role : {'control', 'measured', 'property'}

        Raises
        ------
        ValueError
            ``role`` is not one of the accepted roles (the message lists them).

        Examples
        --------
        >>> g = CausalGraph({"T": {"role": "control"}, "t": {"role": "control"}, "x": {}}, ["T -> t"])
        >>> g.nodes_with_role("control"), g.nodes_with_role("property")
        (('T', 't'), ())
        """
        try:
            check_node_role(role)
        except ValueError as exc:
            raise ValueError(f"nodes_with_role: role {exc}") from None
        if role is None:
            raise ValueError(f"nodes_with_role needs a role; accepted values are {', '.join(map(repr, NODE_ROLES))}.")
        return tuple(n for n in self._nodes if self._attrs[n].get("role") == role)

    def _sorted(self, nodes: Iterable[str]) -> tuple[str, ...]:
        return tuple(sorted(nodes, key=self._key))

    def parents(self, node: str) -> tuple[str, ...]:
        """Direct causes of ``node`` in graph node order (chain graph: all earlier components)."""
        return self._sorted(self._dag.predecessors(self._check_node(node, "parents")))

    def children(self, node: str) -> tuple[str, ...]:
        """Direct effects of ``node`` in graph node order."""
        return self._sorted(self._dag.successors(self._check_node(node, "children")))

    def ancestors(self, node: str) -> tuple[str, ...]:
        """Nodes with a directed path into ``node`` (excluding it), in graph node order."""
        return self._sorted(nx.ancestors(self._dag, self._check_node(node, "ancestors")))

    def descendants(self, node: str) -> tuple[str, ...]:
        """Nodes reachable from ``node`` (excluding it), in graph node order."""
        return self._sorted(nx.descendants(self._dag, self._check_node(node, "descendants")))

    def topological_order(self) -> tuple[str, ...]:
        """A topological order; among ready nodes the one earliest in node order comes first.

        Examples
        --------
        >>> CausalGraph(["b", "a", "c"], ["a -> b"]).topological_order()
        ('a', 'b', 'c')
        """
        if "topo" not in self._cache:
            self._cache["topo"] = tuple(nx.lexicographical_topological_sort(self._dag, key=self._key))
        return self._cache["topo"]

    def components(self) -> tuple[Component, ...]:
        """Chain components in causal (topological) order.

        Declared components are returned as given. Otherwise nodes joined by bidirected edges
        are merged, directed cycles among the merged groups are condensed into one component
        (graph condensation), and the components are listed in topological order (ties broken by
        node order). A DAG without bidirected edges gives one single-node component per node.

        Returns
        -------
        tuple of Component

        Examples
        --------
        >>> g = CausalGraph(["A", "B", "C"], ["A -> B", "B -> C"], confounded=["A <-> C"])
        >>> g.components()
        (Component(nodes=('A', 'B', 'C'), confounded=True, parents=()),)
        """
        if "components" in self._cache:
            return self._cache["components"]
        if self._components_given is not None:
            groups = [list(c) for c in self._components_given]
        else:
            h = nx.DiGraph()
            h.add_nodes_from(self._nodes)
            h.add_edges_from(self._edges)
            for a, b in self._confounded:
                h.add_edge(a, b)
                h.add_edge(b, a)
            cond = nx.condensation(h)
            first = {c: min(self._key(n) for n in cond.nodes[c]["members"]) for c in cond.nodes}
            order = nx.lexicographical_topological_sort(cond, key=lambda c: first[c])
            groups = [sorted(cond.nodes[c]["members"], key=self._key) for c in order]
        out = []
        for members in groups:
            member_set = set(members)
            confounded = any(a in member_set and b in member_set for a, b in self._confounded)
            parents = {p for m in members for p in self._dag.predecessors(m)} - member_set
            out.append(Component(tuple(members), confounded, self._sorted(parents)))
        self._cache["components"] = tuple(out)
        return self._cache["components"]

    def _dsep_dag(self) -> nx.DiGraph:
        """The DAG used for d-separation: bidirected pairs become latent parents.

        Latent nodes are tuples ``("U", a, b)`` so they never collide with node names. For a
        chain graph, members of one component are made mutually adjacent.
        """
        if "dsep" in self._cache:
            return self._cache["dsep"]
        g = nx.DiGraph()
        g.add_nodes_from(self._nodes)
        g.add_edges_from(self._dag.edges)
        conf = {frozenset(p) for p in self._confounded}
        if self.is_chain_graph:
            for comp in self._components_given:  # type: ignore[union-attr]
                for i, a in enumerate(comp):
                    for b in comp[i + 1:]:
                        if frozenset((a, b)) not in conf:
                            g.add_edge(a, b)
        for a, b in self._confounded:
            u = ("U", a, b)
            g.add_edge(u, a)
            g.add_edge(u, b)
        self._cache["dsep"] = g
        return g

    def is_d_separated(self, x: str | Iterable[str], y: str | Iterable[str], given: str | Iterable[str] = ()) -> bool:
        """Whether ``x`` and ``y`` are d-separated given ``given``.

        Bidirected pairs act as unobserved common causes. For a chain graph the implied DAG is
        used: every earlier-component node points into every later-component node, and members
        of one component are never separated from each other.

        Parameters
        ----------
        x, y : str or iterable of str
            A node or a set of nodes.
        given : str or iterable of str, default=()
            The conditioning set; must be disjoint from ``x`` and ``y``.

        Returns
        -------
        bool

        Examples
        --------
        >>> g = CausalGraph(["X1", "X2", "X3"], ["X1 -> X2", "X2 -> X3"])
        >>> g.is_d_separated("X1", "X3"), g.is_d_separated("X1", "X3", given="X2")
        (False, True)
        """
        xs = self._nodes_arg(x, "is_d_separated(x)")
        ys = self._nodes_arg(y, "is_d_separated(y)")
        zs = self._nodes_arg(given, "is_d_separated(given)")
        if not xs or not ys:
            raise ValueError("is_d_separated needs at least one node in x and in y.")
        named = {"x": xs, "y": ys, "given": zs}
        for n1, n2 in (("x", "y"), ("x", "given"), ("y", "given")):
            s1, s2 = named[n1], named[n2]
            common = set(s1) & set(s2)
            if common:
                raise ValueError(
                    f"is_d_separated: {n1} and {n2} must be disjoint, but both contain "
                    f"{_fmt_nodes(self._sorted(common))}."
                )
        return not (self._d_connected(xs, zs) & set(ys))

    def _dsep_adjacency(self) -> tuple[dict, dict]:
        """Parent and child lists of :meth:`_dsep_dag` (built once; the DAG is acyclic)."""
        if "dsep_adj" not in self._cache:
            g = self._dsep_dag()
            self._cache["dsep_adj"] = (
                {n: list(g.predecessors(n)) for n in g}, {n: list(g.successors(n)) for n in g},
            )
        return self._cache["dsep_adj"]

    def _d_connected(self, x: Iterable[str], given: Iterable[str] = ()) -> set[str]:
        """Nodes d-connected to ``x`` given ``given`` (``x`` included, latent nodes dropped).

        One linear-time search answers :meth:`is_d_separated` for every ``y`` at once.
        """
        parents, children = self._dsep_adjacency()
        return {n for n in d_connected(parents, children, x, given) if n in self._index}

    def implied_independencies(self) -> tuple[Independence, ...]:
        """Local Markov independencies that hold by d-separation.

        For each node ``X`` (in node order) and each non-descendant ``Y`` that is not a parent,
        the statement ``X ⊥ Y | parents(X)`` is kept when it holds by d-separation (so
        bidirected edges are respected). Symmetric duplicates are dropped.

        Returns
        -------
        tuple of Independence

        Examples
        --------
        >>> g = CausalGraph(["X1", "X2", "X3"], ["X1 -> X2", "X2 -> X3"])
        >>> [str(i) for i in g.implied_independencies()]
        ['X3 ⊥ X1 | X2']
        """
        if "indep" in self._cache:
            return self._cache["indep"]
        out: list[Independence] = []
        seen: set[tuple[frozenset[str], tuple[str, ...]]] = set()
        for x in self._nodes:
            pa = self.parents(x)
            excluded = set(self.descendants(x)) | set(pa) | {x}
            connected = self._d_connected([x], pa)
            for y in self._nodes:
                if y in excluded:
                    continue
                key = (frozenset((x, y)), pa)
                if key in seen:
                    continue
                if y not in connected:
                    seen.add(key)
                    out.append(Independence(x, y, pa))
        self._cache["indep"] = tuple(out)
        return self._cache["indep"]

    def do(self, nodes: str | Iterable[str]) -> CausalGraph:
        """The mutilated graph of the intervention ``do(nodes)``.

        Incoming directed edges of the intervened nodes and bidirected pairs touching them are
        removed; nodes, attributes, components, target and constraints are kept.

        Parameters
        ----------
        nodes : str or iterable of str

        Returns
        -------
        CausalGraph

        Raises
        ------
        ValueError
            For a chain graph, whose edges inside a component are unknown.
        """
        targets = set(self._nodes_arg(nodes, "do"))
        if self.is_chain_graph:
            raise ValueError(
                "do() needs explicit edges, but this is a chain graph (components without edges): "
                "which members of a component cause which is unknown. Declare the edges to use do()."
            )
        return self.replace(
            edges=[e for e in self._edges if e[1] not in targets],
            confounded=[p for p in self._confounded if not (set(p) & targets)],
        )

    # ------------------------------------------------------------------ identity
    def _canonical_json(self) -> str:
        if "json" not in self._cache:
            self._cache["json"] = json.dumps(
                _canonical(self.to_dict()), sort_keys=True, separators=(",", ":"), ensure_ascii=False
            )
        return self._cache["json"]

    def digest(self) -> str:
        """SHA-256 hex digest of a canonical JSON form of the graph (stable across runs).

        Examples
        --------
        >>> a = CausalGraph(["X1", "X2"], ["X1 -> X2"])
        >>> a.digest() == CausalGraph(["X1", "X2"], [("X1", "X2")]).digest()
        True
        >>> len(a.digest())
        64
        """
        return hashlib.sha256(self._canonical_json().encode("utf-8")).hexdigest()

    def __eq__(self, other) -> bool:
        if not isinstance(other, CausalGraph):
            return NotImplemented
        return self._canonical_json() == other._canonical_json()

    def __hash__(self) -> int:
        return hash(self._canonical_json())

    def __repr__(self) -> str:
        parts = [f"name={self._name!r}"] if self._name else []
        parts.append(f"n_nodes={self.n_nodes}")
        if self.is_chain_graph:
            parts.append(f"n_components={len(self._components_given)}")  # type: ignore[arg-type]
        else:
            parts.append(f"n_edges={len(self._edges)}")
        if self._confounded:
            parts.append(f"n_confounded={len(self._confounded)}")
        if self._groups:
            parts.append(f"n_groups={len(self._groups)}")
        if self._target is not None:
            parts.append(f"target={self._target!r}")
        return f"CausalGraph({', '.join(parts)})"

    # ------------------------------------------------------------------ interop
    # Thin wrappers over the free functions of causalx.graph.interop (which does not import
    # this module: no cycle).
    def to_networkx(self) -> nx.DiGraph:
        """A copy as a :class:`networkx.DiGraph` (see :func:`causalx.graph.interop.to_networkx`).

        Node attributes are copied; ``G.graph`` holds ``"confounded"`` (list of pairs),
        ``"components"`` (list of lists or None), ``"target"``, ``"name"`` and ``"constraints"``
        (list of str). A chain graph has no edges here (its structure is in ``components``).

        Examples
        --------
        >>> G = CausalGraph(["X1", "X2"], ["X1 -> X2"], target="y").to_networkx()
        >>> list(G.edges), G.graph["target"]
        ([('X1', 'X2')], 'y')
        """
        return interop.to_networkx(self)

    @classmethod
    def from_networkx(cls, g: nx.DiGraph) -> CausalGraph:
        """Build a graph from a :class:`networkx.DiGraph` (inverse of :meth:`to_networkx`).

        Plain DiGraphs work too: node attributes other than ``unit``, ``description``, ``type``
        and ``role`` (layout positions, fitted mechanisms, ...) are dropped.
        """
        return cls(**interop.read_networkx(g))

    def to_pgmpy(self):
        """A :class:`pgmpy.base.DAG`; each bidirected pair ``a <-> b`` becomes a latent ``U_a_b``.

        Requires pgmpy. For a chain graph, the implied DAG is exported (members of one component
        joined in node order). See :func:`causalx.graph.interop.to_pgmpy`.
        """
        return interop.to_pgmpy(self)

    @classmethod
    def from_pgmpy(cls, dag, **kwargs) -> CausalGraph:
        """Inverse of :meth:`to_pgmpy`: latent nodes with two children become confounded pairs.

        Extra keyword arguments (``target``, ``constraints``, ``name``) are passed to the constructor.
        """
        return cls(**{**interop.read_pgmpy(dag), **kwargs})

    def to_dowhy(self, *, add_latents: bool = False) -> nx.DiGraph:
        """A :class:`networkx.DiGraph` that ``dowhy.gcm`` causal models accept.

        Parameters
        ----------
        add_latents : bool, default=False
            dowhy.gcm fits a mechanism per node, so every node must be observed. With
            bidirected pairs, pass ``add_latents=True`` to add ``U_a_b`` parent nodes (whose
            data you must then supply); otherwise a ``ValueError`` is raised.
        """
        return interop.to_dowhy(self, add_latents=add_latents)

    def to_dot(self) -> str:
        """Graphviz DOT text; bidirected pairs are dashed edges with ``dir=both``."""
        return interop.to_dot(self)

    def to_dagitty(self) -> str:
        """DAGitty text, e.g. ``'dag {\\n X1\\n X2\\n X1 -> X2\\n}'``.

        Examples
        --------
        >>> print(CausalGraph(["X1", "X2", "X4"], ["X1 -> X2"], confounded=["X1 <-> X4"]).to_dagitty())
        dag {
         X1
         X2
         X4
         X1 -> X2
         X1 <-> X4
        }
        """
        return interop.to_dagitty(self)

    @classmethod
    def from_dagitty(cls, text: str, **kwargs) -> CausalGraph:
        """Parse DAGitty ``dag { ... }`` text.

        Supports ``a -> b``, ``a <- b``, ``a <-> b``, chains ``a -> b -> c``, groups
        ``{a b} -> c``, quoted names, and node attribute brackets such as
        ``X [exposure,pos="1,2"]`` (parsed and ignored). Undirected edges ``a -- b`` are
        rejected. Extra keyword arguments (``target``, ``constraints``, ``name``) are passed to
        the constructor.

        Examples
        --------
        >>> g = CausalGraph.from_dagitty('dag { X1 [exposure] X1 -> X2 -> X3 X1 <-> X3 }')
        >>> g.nodes, g.edges, g.confounded
        (('X1', 'X2', 'X3'), (('X1', 'X2'), ('X2', 'X3')), (('X1', 'X3'),))
        """
        return cls(**{**interop.read_dagitty(text), **kwargs})
