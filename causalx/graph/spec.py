"""The YAML graph spec, version 1, as pydantic models (the boundary; numerical code never sees them).

::

    causalx: 1                 # spec version; anything else is rejected
    name: lg_chain
    target: y                  # the model output column; not a node
    nodes:                     # mapping name -> {unit, description, type, role}, or a list of names
      X1: {role: control}      # role: control | measured | property (optional)
      X2: {unit: eV, description: band gap, type: continuous, role: property}
    edges: [X1 -> X2]          # "a -> b" strings or [a, b] pairs
    confounded: [X1 <-> X4]    # optional
    groups:                    # optional feature groups, explained as one player each
      family: [X1, X4]         #   (every node in at most one group; the others are their own group)
    components: [[family], [X2]]   # optional ordered chain components; may name groups
    constraints: [X2 >= 0]     # optional linear constraints

The models check everything that concerns one item, so pydantic reports it at its location
(``nodes.X3.type``, ``nodes.X3.role``, ``edges[2]``, ``constraints[1]``), several problems at once: unknown keys
(``extra="forbid"``), node names, types and roles, each edge and pair, each constraint's syntax. They
call the same check functions as the :class:`~causalx.graph.CausalGraph` constructor
(:mod:`causalx.graph._checks`), which then checks what needs the whole graph: unknown nodes,
duplicates, the target, components and cycles.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from causalx._options import NodeRole, NodeType
from causalx.graph._checks import check_group, check_name, check_node_role, check_node_type, check_unique_nodes, parse_edge
from causalx.graph.causal_graph import SPEC_VERSION, CausalGraph
from causalx.graph.constraints import Constraint

__all__ = ["SPEC_VERSION", "GraphSpec", "NodeSpec"]


class NodeSpec(BaseModel):
    """Optional attributes of one node (the keys are :data:`causalx.graph._checks.NODE_ATTRIBUTES`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    unit: str | None = None
    description: str | None = None
    type: Annotated[NodeType | None, BeforeValidator(check_node_type)] = None
    #: what an experimenter can do to the node: ``control`` (set it), ``measured`` (measure it on
    #: the sample; never set), ``property`` (intrinsic: choose another material or molecule)
    role: Annotated[NodeRole | None, BeforeValidator(check_node_role)] = None


def _constraint(text: Any) -> Any:
    if not isinstance(text, str):
        raise ValueError(f"a constraint is text such as 'X2 >= 0', got {text!r}; quote it in YAML.")
    Constraint.parse(text)  # syntax only; the constructor checks the node names
    return text


NodeName = Annotated[str, AfterValidator(check_name)]
EdgeItem = Annotated[tuple[str, str], BeforeValidator(lambda v: parse_edge(v, "edge"))]
PairItem = Annotated[tuple[str, str], BeforeValidator(lambda v: parse_edge(v, "confounded"))]
ConstraintText = Annotated[str, BeforeValidator(_constraint)]


def _groups(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError(f"groups must be a mapping group name -> list of node names, e.g. "
                         f"{{composition: [x_Fe, x_Ni]}}, got {value!r}")
    out = {}
    for name, members in value.items():
        try:
            name, members = check_group(name, members)
        except TypeError as exc:
            raise ValueError(str(exc)) from None
        out[name] = members
    return out


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
    nodes: dict[NodeName, NodeSpec]
    edges: list[EdgeItem] = Field(default_factory=list)
    confounded: list[PairItem] = Field(default_factory=list)
    groups: Annotated[dict[str, list[str]] | None, BeforeValidator(_groups)] = None
    components: list[list[str]] | None = None
    constraints: list[ConstraintText] = Field(default_factory=list)

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
            for n in value:
                if not isinstance(n, str):
                    raise ValueError(f"node names must be strings, got {n!r}; quote it in YAML")
            check_unique_nodes(value)
            return {n: {} for n in value}
        if isinstance(value, dict):
            return {k: ({} if v is None else v) for k, v in value.items()}
        return value

    def to_graph(self) -> CausalGraph:
        """The :class:`CausalGraph` this spec describes (the constructor validates it)."""
        return CausalGraph.from_dict(self.model_dump(exclude_none=True))

    @classmethod
    def from_graph(cls, graph: CausalGraph) -> GraphSpec:
        """The spec of a graph (its :meth:`CausalGraph.to_dict`)."""
        return cls.model_validate(graph.to_dict())
