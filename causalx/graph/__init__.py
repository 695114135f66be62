"""Causal graphs over model features (layer L1): the graph object, constraints, YAML specs and bridges.

Public names: :class:`CausalGraph`, :class:`Component`, :class:`Independence`,
:class:`Constraint`, :class:`GraphSpec`, :class:`ChainComponent`, :func:`chain_components`, :func:`load_graph`, :func:`loads_graph`,
:func:`dump_graph`, :func:`dumps_graph`.
"""

from causalx.graph._columns import ChainComponent, chain_components
from causalx.graph.causal_graph import CausalGraph, Component, Independence
from causalx.graph.constraints import Constraint
from causalx.graph.io import dump_graph, dumps_graph, load_graph, loads_graph
from causalx.graph.spec import GraphSpec

__all__ = [
    "CausalGraph",
    "ChainComponent",
    "Component",
    "Constraint",
    "GraphSpec",
    "Independence",
    "chain_components",
    "dump_graph",
    "dumps_graph",
    "load_graph",
    "loads_graph",
]
