"""Bridges between :class:`~causalx.graph.CausalGraph` and networkx, pgmpy, dowhy, Graphviz DOT and DAGitty.

Free functions, one per format: ``to_*`` take a graph and return the other library's object or
text; ``read_*`` parse the other format into :class:`CausalGraph` constructor arguments (a
dict), which ``CausalGraph.from_networkx`` / ``from_pgmpy`` / ``from_dagitty`` turn into a
graph. The graph's methods of the same names are thin wrappers over these functions.

This module does not import :mod:`causalx.graph.causal_graph` (that module imports this one),
so there is no import cycle; it reads graphs only through their public attributes.

pgmpy and dowhy are imported inside the functions that need them, never at module level.

Examples
--------
>>> from causalx.graph import CausalGraph
>>> g = CausalGraph(["X1", "X2"], ["X1 -> X2"], target="y")
>>> list(to_networkx(g).edges), read_dagitty("dag { X1 -> X2 }")
([('X1', 'X2')], {'nodes': ['X1', 'X2'], 'edges': [('X1', 'X2')], 'confounded': []})
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import networkx as nx

from causalx.exceptions import GraphSpecError
from causalx.graph._checks import NODE_ATTRIBUTES

if TYPE_CHECKING:  # pragma: no cover - annotations only; importing it here would be a cycle
    from causalx.graph.causal_graph import CausalGraph

__all__ = [
    "read_dagitty",
    "read_networkx",
    "read_pgmpy",
    "to_dagitty",
    "to_dot",
    "to_dowhy",
    "to_networkx",
    "to_pgmpy",
]


def to_networkx(graph: CausalGraph) -> nx.DiGraph:
    """A copy of ``graph`` as a :class:`networkx.DiGraph` (the one place that builds it).

    Node attributes are copied; ``G.graph`` holds ``"name"``, ``"target"``, ``"confounded"``
    (list of pairs), ``"components"`` (list of lists or None), ``"constraints"`` (list of
    str), ``"groups"`` (dict of lists) and ``"target_unit"``. A chain graph has no edges here
    (its structure is in ``components``).
    """
    data = graph.to_dict()
    g = nx.DiGraph()
    for n, attrs in data["nodes"].items():
        g.add_node(n, **attrs)
    g.add_edges_from(graph.edges)
    g.graph.update({
        "name": graph.name,
        "target": graph.target,
        "confounded": [tuple(p) for p in graph.confounded],
        "components": data.get("components"),
        "constraints": list(data.get("constraints", ())),
        "groups": {k: list(v) for k, v in graph.groups.items()},
        "target_unit": graph.target_unit,
    })
    return g


def read_networkx(g: nx.DiGraph) -> dict[str, Any]:
    """Constructor arguments from a :class:`networkx.DiGraph` (inverse of :func:`to_networkx`).

    Plain DiGraphs work too: node attributes other than ``unit``, ``description``, ``type`` and
    ``role`` (layout positions, fitted mechanisms, ...) are dropped.
    """
    if not isinstance(g, nx.DiGraph) or g.is_multigraph():
        raise TypeError(
            f"from_networkx expects a networkx.DiGraph, got {type(g).__name__}; convert "
            f"undirected or multi-graphs first (nx.DiGraph(G) with oriented edges)."
        )
    meta = g.graph
    return {
        "nodes": {n: {k: v for k, v in d.items() if k in NODE_ATTRIBUTES} for n, d in g.nodes(data=True)},
        "edges": list(g.edges()),
        "confounded": list(meta.get("confounded") or ()),
        "components": meta.get("components"),
        "target": meta.get("target"),
        "constraints": list(meta.get("constraints") or ()),
        "name": meta.get("name"),
        "groups": dict(meta.get("groups") or {}),
        "target_unit": meta.get("target_unit"),
    }


def _export_structure(graph: CausalGraph) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Directed edges and bidirected pairs to export (a chain graph exports its implied DAG)."""
    if not graph.is_chain_graph:
        return list(graph.edges), list(graph.confounded)
    dag = graph._dsep_dag()
    edges = [(a, b) for a, b in dag.edges if isinstance(a, str) and isinstance(b, str)]
    index = {n: i for i, n in enumerate(graph.nodes)}
    edges.sort(key=lambda e: (index[e[0]], index[e[1]]))
    return edges, list(graph.confounded)


def _latent_names(graph: CausalGraph, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    taken = set(graph.nodes)
    out = {}
    for a, b in pairs:
        name = f"U_{a}_{b}"
        while name in taken:
            name += "_"
        taken.add(name)
        out[(a, b)] = name
    return out


def to_pgmpy(graph: CausalGraph):
    """A :class:`pgmpy.base.DAG`; each bidirected pair ``a <-> b`` becomes a latent ``U_a_b``.

    Requires pgmpy. For a chain graph, the implied DAG is exported (members of one component
    joined in node order).
    """
    try:
        from pgmpy.base import DAG
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("to_pgmpy needs pgmpy: pip install 'causalx[interop]'.") from exc
    edges, pairs = _export_structure(graph)
    latents = _latent_names(graph, pairs)
    dag = DAG()
    dag.add_nodes_from(graph.nodes)
    dag.add_edges_from(edges)
    for (a, b), u in latents.items():
        dag.add_node(u, latent=True)
        dag.add_edges_from([(u, a), (u, b)])
    dag.latents = set(latents.values())
    return dag


def read_pgmpy(dag) -> dict[str, Any]:
    """Constructor arguments from a pgmpy DAG (inverse of :func:`to_pgmpy`): each latent with no
    parents and two children becomes a confounded pair. Other latents are rejected (causalx has
    no latent nodes)."""
    latents = set(getattr(dag, "latents", set()) or set())
    nodes = [n for n in dag.nodes if n not in latents]
    confounded = []
    for u in sorted(latents, key=str):
        children = list(dag.successors(u))
        if list(dag.predecessors(u)) or len(children) != 2 or set(children) & latents:
            raise ValueError(
                f"Latent node {u!r} has parents {list(dag.predecessors(u))} and children {children}; "
                f"only latents with no parents and exactly two observed children (a bidirected pair) "
                f"can be converted."
            )
        confounded.append(tuple(children))
    edges = [(a, b) for a, b in dag.edges if a not in latents]
    return {"nodes": nodes, "edges": edges, "confounded": confounded}


def to_dowhy(graph: CausalGraph, *, add_latents: bool = False) -> nx.DiGraph:
    """A :class:`networkx.DiGraph` that ``dowhy.gcm`` causal models accept.

    Parameters
    ----------
    graph : CausalGraph
    add_latents : bool, default=False
        dowhy.gcm fits a mechanism per node, so every node must be observed. With
        bidirected pairs, pass ``add_latents=True`` to add ``U_a_b`` parent nodes (whose
        data you must then supply); otherwise a ``ValueError`` is raised.
    """
    edges, pairs = _export_structure(graph)
    if pairs and not add_latents:
        shown = ", ".join(f"{a} <-> {b}" for a, b in pairs)
        raise ValueError(
            f"The graph has bidirected pairs ({shown}), but dowhy.gcm causal models fit one "
            f"mechanism per node and need every node observed. Call to_dowhy(add_latents=True) to add "
            f"an explicit parent U_a_b per pair (you then have to supply data for it), or drop the pairs."
        )
    g = nx.DiGraph()
    g.add_nodes_from(graph.nodes)
    g.add_edges_from(edges)
    for (a, b), u in _latent_names(graph, pairs).items():
        g.add_edges_from([(u, a), (u, b)])
    return g


def _dot_quote(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(graph: CausalGraph) -> str:
    """Graphviz DOT text; bidirected pairs are dashed edges with ``dir=both``."""
    edges, pairs = _export_structure(graph)
    head = f"digraph {_dot_quote(graph.name)} {{" if graph.name else "digraph {"
    lines = [head]
    for n in graph.nodes:
        lines.append(f"  {_dot_quote(n)};")
    for a, b in edges:
        lines.append(f"  {_dot_quote(a)} -> {_dot_quote(b)};")
    for a, b in pairs:
        lines.append(f"  {_dot_quote(a)} -> {_dot_quote(b)} [dir=both, style=dashed, constraint=false];")
    lines.append("}")
    return "\n".join(lines) + "\n"


_DAGITTY_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
_DAGITTY_KEYWORDS = {"dag", "pdag", "mag", "pag", "graph", "digraph"}


def _dagitty_name(name: str) -> str:
    if _DAGITTY_IDENT.match(name) and name not in _DAGITTY_KEYWORDS:
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dagitty(graph: CausalGraph) -> str:
    """DAGitty text, e.g. ``'dag {\\n X1\\n X2\\n X1 -> X2\\n}'``."""
    edges, pairs = _export_structure(graph)
    lines = ["dag {"]
    lines += [f" {_dagitty_name(n)}" for n in graph.nodes]
    lines += [f" {_dagitty_name(a)} -> {_dagitty_name(b)}" for a, b in edges]
    lines += [f" {_dagitty_name(a)} <-> {_dagitty_name(b)}" for a, b in pairs]
    lines.append("}")
    return "\n".join(lines)


# ---------------------------------------------------------------------- DAGitty parser
_DAGITTY_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<arrow><->|->|<-|--)
  | (?P<string>"(?:[^"\\]|\\.)*")
  | (?P<punct>[{}\[\]=,;])
  | (?P<ident>[\w.+]+)
    """,
    re.VERBOSE,
)


class _DagittyParser:
    def __init__(self, text: str):
        self.text = text
        self.tokens: list[tuple[str, str, int]] = []
        pos = 0
        while pos < len(text):
            m = _DAGITTY_TOKEN.match(text, pos)
            if m is None:
                raise self._error(pos, f"unexpected character {text[pos]!r}")
            if m.lastgroup != "ws":
                value = m.group()
                kind = m.lastgroup
                if kind == "string":
                    value = re.sub(r"\\(.)", r"\1", value[1:-1])
                    kind = "name"
                elif kind == "ident":
                    kind = "name"
                self.tokens.append((kind, value, pos))
            pos = m.end()
        self.tokens.append(("end", "", len(text)))
        self.i = 0
        self.nodes: list[str] = []
        self.edges: list[tuple[str, str]] = []
        self.confounded: list[tuple[str, str]] = []

    def _error(self, pos: int, what: str) -> GraphSpecError:
        line = self.text.count("\n", 0, pos) + 1
        col = pos - (self.text.rfind("\n", 0, pos) + 1) + 1
        where = f"line {line}, column {col}"
        return GraphSpecError(
            f"<dagitty>: {where}: {what}. Expected DAGitty text such as "
            f"'dag {{ X1 -> X2 ; X1 <-> X3 }}'.",
            source="<dagitty>",
            location=where,
        )

    def peek(self, k: int = 0) -> tuple[str, str, int]:
        return self.tokens[min(self.i + k, len(self.tokens) - 1)]

    def next(self) -> tuple[str, str, int]:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def expect(self, kind: str, value: str | None = None) -> tuple[str, str, int]:
        tok = self.next()
        if tok[0] != kind or (value is not None and tok[1] != value):
            want = repr(value) if value is not None else kind
            got = "the end of the text" if tok[0] == "end" else repr(tok[1])
            raise self._error(tok[2], f"expected {want}, got {got}")
        return tok

    def add_node(self, name: str) -> None:
        if name not in self.nodes:
            self.nodes.append(name)

    def parse(self) -> None:
        tok = self.expect("name")
        if tok[1] != "dag":
            raise self._error(tok[2], f"graph type {tok[1]!r} is not supported; only 'dag' graphs are")
        if self.peek()[0] == "name":  # optional graph name
            self.next()
        self.expect("punct", "{")
        while True:
            tok = self.peek()
            if tok[0] == "punct" and tok[1] == "}":
                self.next()
                break
            if tok[0] == "end":
                raise self._error(tok[2], "missing closing '}'")
            if tok[0] == "punct" and tok[1] in ";,":
                self.next()
                continue
            if tok[0] == "name" and self.peek(1)[:2] == ("punct", "="):
                self.next()
                self.next()
                self.expect("name")  # graph attribute such as bb="..." (ignored)
                continue
            self.statement()
        end = self.peek()
        if end[0] != "end":
            raise self._error(end[2], f"unexpected {end[1]!r} after the closing '}}'")

    def operand(self) -> list[str]:
        tok = self.peek()
        if tok[0] == "punct" and tok[1] == "{":
            self.next()
            names = []
            while not (self.peek()[0] == "punct" and self.peek()[1] == "}"):
                if self.peek()[0] == "end":
                    raise self._error(self.peek()[2], "missing closing '}' of a node group")
                if self.peek()[:2] in (("punct", ","), ("punct", ";")):
                    self.next()
                    continue
                names.extend(self.operand())
            self.next()
            return names
        name_tok = self.next()
        if name_tok[0] != "name":
            got = "the end of the text" if name_tok[0] == "end" else repr(name_tok[1])
            raise self._error(name_tok[2], f"expected a node name, got {got}")
        self.add_node(name_tok[1])
        if self.peek()[:2] == ("punct", "["):
            self.attributes()
        return [name_tok[1]]

    def attributes(self) -> None:
        self.expect("punct", "[")
        while True:
            tok = self.peek()
            if tok[:2] == ("punct", "]"):
                self.next()
                return
            if tok[:2] == ("punct", ","):
                self.next()
                continue
            self.expect("name")
            if self.peek()[:2] == ("punct", "="):
                self.next()
                self.expect("name")

    def statement(self) -> None:
        left = self.operand()
        while self.peek()[0] == "arrow":
            arrow_tok = self.next()
            right = self.operand()
            for a in left:
                for b in right:
                    if arrow_tok[1] == "--":
                        raise self._error(
                            arrow_tok[2],
                            f"undirected edge '{a} -- {b}' is not supported: causalx needs every edge "
                            f"oriented; write '{a} -> {b}', '{b} -> {a}' or '{a} <-> {b}'",
                        )
                    if a == b:
                        raise self._error(arrow_tok[2], f"self-loop on {a!r}")
                    if arrow_tok[1] == "->":
                        pair, target = (a, b), self.edges
                    elif arrow_tok[1] == "<-":
                        pair, target = (b, a), self.edges
                    else:
                        pair, target = (a, b), self.confounded
                        if (b, a) in target:
                            continue
                    if pair not in target:
                        target.append(pair)
            left = right


def read_dagitty(text: str) -> dict[str, Any]:
    """Constructor arguments from DAGitty ``dag { ... }`` text (see :meth:`CausalGraph.from_dagitty`)."""
    if not isinstance(text, str):
        raise TypeError(f"from_dagitty expects DAGitty text (str), got {type(text).__name__}.")
    parser = _DagittyParser(text)
    parser.parse()
    if not parser.nodes:
        raise GraphSpecError("<dagitty>: the graph has no nodes.", source="<dagitty>")
    return {"nodes": parser.nodes, "edges": parser.edges, "confounded": parser.confounded}
