"""The YAML graph spec, version 1, as pydantic models (the boundary; numerical code never sees them).

::

    causalx: 1                 # spec version; anything else is rejected
    name: lg_chain
    target: y                  # the model output column; not a node
    nodes:                     # mapping name -> {unit, description, type}, or a list of names
      X1: {}
      X2: {unit: eV, description: band gap, type: continuous}
    edges: [X1 -> X2]          # "a -> b" strings or [a, b] pairs
    confounded: [X1 <-> X4]    # optional
    components: [[X1, X4], [X2]]   # optional ordered chain components
    constraints: [X2 >= 0]     # optional linear constraints
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from causalx.graph.causal_graph import NODE_ATTRIBUTES, CausalGraph, parse_pair

__all__ = ["SPEC_VERSION", "GraphSpec", "NodeSpec"]

#: The only spec version this release reads and writes.
SPEC_VERSION = 1


class NodeSpec(BaseModel):
    """Optional attributes of one node."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    unit: str | None = None
    description: str | None = None
    type: Literal["continuous", "binary", "categorical", "ordinal"] | None = None


def _edge(value: Any) -> tuple[str, str]:
    return parse_pair(value, "edge")


def _pair(value: Any) -> tuple[str, str]:
    return parse_pair(value, "confounded")


EdgeItem = Annotated[tuple[str, str], BeforeValidator(_edge)]
PairItem = Annotated[tuple[str, str], BeforeValidator(_pair)]


class GraphSpec(BaseModel):
    """A causalx graph spec (YAML, version 1); convert with :meth:`to_graph`.

    Examples
    --------
    >>> spec = GraphSpec.model_validate({"causalx": 1, "nodes": {"X1": {}, "X2": {"unit": "eV"}},
    ...                                  "edges": ["X1 -> X2"]})
    >>> spec.to_graph().parents("X2")
    ('X1',)
    """

    model_config = ConfigDict(extra="forbid")

    causalx: int = Field(description="Spec version; must be 1.")
    name: str | None = None
    target: str | None = None
    nodes: dict[str, NodeSpec]
    edges: list[EdgeItem] = Field(default_factory=list)
    confounded: list[PairItem] = Field(default_factory=list)
    components: list[list[str]] | None = None
    constraints: list[str] = Field(default_factory=list)

    @field_validator("causalx", mode="before")
    @classmethod
    def _check_version(cls, value: Any) -> int:
        if type(value) is not int or value != SPEC_VERSION:
            raise ValueError(
                f"unsupported spec version causalx: {value!r}; accepted values: {SPEC_VERSION} "
                f"(write 'causalx: {SPEC_VERSION}')"
            )
        return value

    @field_validator("nodes", mode="before")
    @classmethod
    def _nodes_mapping(cls, value: Any) -> Any:
        if isinstance(value, list):  # a plain list of names
            seen = set()
            for n in value:
                if not isinstance(n, str):
                    raise ValueError(f"node names must be strings, got {n!r}; quote it in YAML")
                if n in seen:
                    raise ValueError(f"duplicate node {n!r} in nodes; list each node once.")
                seen.add(n)
            return {n: {} for n in value}
        if isinstance(value, dict):
            return {k: ({} if v is None else v) for k, v in value.items()}
        return value

    def to_graph(self) -> CausalGraph:
        """The :class:`CausalGraph` this spec describes (the constructor validates it)."""
        nodes = {n: a.model_dump(exclude_none=True) for n, a in self.nodes.items()}
        return CausalGraph(
            nodes,
            self.edges,
            confounded=self.confounded,
            components=self.components,
            target=self.target,
            constraints=self.constraints,
            name=self.name,
        )

    @classmethod
    def from_graph(cls, graph: CausalGraph) -> GraphSpec:
        """The spec of a graph (edges and pairs as tuples, constraints by their text)."""
        return cls.model_validate(graph_to_dict(graph))


def graph_to_dict(graph: CausalGraph) -> dict[str, Any]:
    """Plain-data spec of ``graph`` in canonical key order (what ``dumps_graph`` writes)."""
    out: dict[str, Any] = {"causalx": SPEC_VERSION}
    if graph.name is not None:
        out["name"] = graph.name
    if graph.target is not None:
        out["target"] = graph.target
    out["nodes"] = {}
    for n in graph.nodes:
        attrs = graph.node_attributes(n)
        out["nodes"][n] = {k: attrs[k] for k in NODE_ATTRIBUTES if k in attrs}
    if graph.edges or not graph.is_chain_graph:
        out["edges"] = [f"{a} -> {b}" for a, b in graph.edges]
    if graph.confounded:
        out["confounded"] = [f"{a} <-> {b}" for a, b in graph.confounded]
    if graph._components_given is not None:
        out["components"] = [list(c) for c in graph._components_given]
    if graph.constraints:
        out["constraints"] = [c.text for c in graph.constraints]
    return out
