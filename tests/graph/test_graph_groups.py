"""Feature groups on the graph: validation, players, group-level order, spec round-trips."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from causalx.exceptions import CyclicGraphError, GraphSpecError, UnknownNodeError
from causalx.graph import CausalGraph, dumps_graph, loads_graph
from causalx.graph.groups import group_precedences, player_columns, players

NODES = ["a1", "a2", "b1", "b2", "c"]


def test_players_and_columns():
    g = CausalGraph(NODES, ["a1 -> b1", "b2 -> c"], groups={"B": ["b2", "b1"], "A": ["a2", "a1"]})
    assert g.groups == {"A": ("a1", "a2"), "B": ("b1", "b2")}  # members in node order, groups by first member
    assert g.players == ("A", "B", "c")
    assert players(g) == (("A", ("a1", "a2")), ("B", ("b1", "b2")), ("c", ("c",)))
    pc = player_columns(g, ["c", "b2", "b1", "a2", "a1"])  # another column order
    assert pc.names == ("A", "B", "c")
    assert [c.tolist() for c in pc.columns] == [[3, 4], [1, 2], [0]]
    masks = np.array([[True, False, True], [False, True, False]])
    np.testing.assert_array_equal(pc.feature_masks(masks), [[True, False, False, True, True],
                                                            [False, True, True, False, False]])
    assert CausalGraph(NODES).players == tuple(NODES) and CausalGraph(NODES).groups == {}
    assert CausalGraph(NODES, groups={"c": ["c"]}).players == tuple(NODES)  # a singleton may keep its name


@pytest.mark.parametrize("groups, exc, match", [
    ({"A": []}, GraphSpecError, r"group 'A' is empty"),
    ({"A": ["a1"], "B": ["a1", "b1"]}, GraphSpecError, r"Node 'a1' is in two groups \('A' and 'B'\)"),
    ({"A": ["zz"]}, UnknownNodeError, r"Unknown node 'zz' in groups.A\[0\]"),
    ({"A": ["a1", "a1"]}, GraphSpecError, r"lists 'a1' twice"),
    ({"c": ["a1", "a2"]}, GraphSpecError, r"Group name 'c' is also a node name"),
    ({"a1": ["a1", "a2"]}, GraphSpecError, r"Group name 'a1' is also a node name"),
    ({"A": "a1"}, TypeError, r"group 'A' must be a list of node names"),
    (["a1", "a2"], TypeError, r"groups must be a mapping"),
    ({"A -> B": ["a1"]}, GraphSpecError, r"contains an arrow"),
])
def test_group_errors(groups, exc, match):
    with pytest.raises(exc, match=match):
        CausalGraph(NODES, groups=groups)


def test_edges_between_groups_are_refused_with_a_pointer_to_components():
    with pytest.raises(UnknownNodeError, match=r"'A' is a group: edges join nodes; order groups with components"):
        CausalGraph(NODES, ["A -> c"], groups={"A": ["a1", "a2"]})


def test_components_may_name_groups():
    groups = {"A": ["a1", "a2"], "B": ["b1", "b2"]}
    g = CausalGraph(NODES, components=[["A"], ["B", "c"]], groups=groups)
    assert g.declared_components == (("a1", "a2"), ("b1", "b2", "c"))
    assert g == CausalGraph(NODES, components=[["a1", "a2"], ["b1", "b2", "c"]], groups=groups)
    with pytest.raises(GraphSpecError, match=r"Node 'a1' is in two components"):
        CausalGraph(NODES, components=[["A"], ["a1", "B", "c"]], groups=groups)
    with pytest.raises(GraphSpecError, match=r"missing from components"):
        CausalGraph(NODES, components=[["A"], ["B"]], groups=groups)


def test_group_precedences_condense_the_feature_order():
    g = CausalGraph(NODES, ["a1 -> b1", "b2 -> c", "a2 -> c"], groups={"A": ["a1", "a2"], "B": ["b1", "b2"]})
    assert group_precedences(g) == (("A", "B"), ("A", "c"), ("B", "c"))
    chain = CausalGraph(NODES, components=[["A"], ["B"], ["c"]], groups={"A": ["a1", "a2"], "B": ["b1", "b2"]})
    assert group_precedences(chain) == (("A", "B"), ("A", "c"), ("B", "c"))
    # inside one group nothing is ordered
    assert group_precedences(CausalGraph(NODES, ["a1 -> a2"], groups={"A": ["a1", "a2"]})) == ()


def test_group_cycle_is_named():
    g = CausalGraph(NODES, ["a1 -> b1", "b2 -> a2"], groups={"A": ["a1", "a2"], "B": ["b1", "b2"]})
    with pytest.raises(CyclicGraphError, match=r"between groups has a cycle: A -> B \(a1 -> b1\), B -> A \(b2 -> a2\)") as info:
        group_precedences(g)
    assert set(info.value.cycle) == {"A", "B"}


def test_round_trips():
    g = CausalGraph(NODES, ["a1 -> b1", "b1 -> c"], groups={"B": ["b2", "b1"], "A": ["a1", "a2"]}, target="y")
    d = g.to_dict()
    assert d["groups"] == {"A": ["a1", "a2"], "B": ["b1", "b2"]}
    assert CausalGraph.from_dict(d) == g
    assert loads_graph(dumps_graph(g)) == g
    assert "groups:\n  A: [a1, a2]\n  B: [b1, b2]\n" in dumps_graph(g)
    assert pickle.loads(pickle.dumps(g)) == g
    assert g.do("b1").groups == g.groups and g.replace(groups=None).groups == {}
    assert g != g.replace(groups=None) and g.digest() != g.replace(groups=None).digest()
    assert "groups" not in CausalGraph(NODES).to_dict()  # ungrouped graphs keep their form (and digest)
    assert "n_groups=2" in repr(g)


def test_yaml_spec_with_groups_and_components_over_groups():
    text = """causalx: 1
nodes: [a1, a2, b1, b2, c]
groups:
  A: [a1, a2]
  B: [b1, b2]
components: [[A], [B, c]]
"""
    g = loads_graph(text)
    assert g.players == ("A", "B", "c")
    assert g.declared_components == (("a1", "a2"), ("b1", "b2", "c"))
    assert loads_graph(dumps_graph(g)) == g


@pytest.mark.parametrize("groups, match", [
    ("groups: {A: []}", r"groups: group 'A' is empty"),
    ("groups: {A: [a1], B: [a1]}", r"groups.B\[0\]: Node 'a1' is in two groups"),
    ("groups: {A: a1}", r"group 'A' must be a list of node names"),
    ("groups: [a1]", r"groups must be a mapping"),
    ("groups: {A: [zz]}", r"groups.A\[0\]: Unknown node 'zz'"),
])
def test_yaml_group_errors_are_located(groups, match):
    with pytest.raises(GraphSpecError, match=match):
        loads_graph("causalx: 1\nnodes: [a1, a2, b1, b2, c]\n" + groups + "\n")
