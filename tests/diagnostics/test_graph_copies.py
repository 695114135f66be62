"""Working copies of the graph (greedy confounding, permutation baseline) keep what they do not change."""

from __future__ import annotations

from causalx.diagnostics.confounding import _with_confounded
from causalx.diagnostics.falsify import _relabel
from causalx.graph import CausalGraph

NODES = {"a": {"unit": "eV", "type": "continuous"}, "b": {"description": "band gap"}, "c": {}, "d": {}}


def _kept(h: CausalGraph, g: CausalGraph) -> None:
    assert h.nodes == g.nodes and h.name == g.name and h.target == g.target
    assert [c.text for c in h.constraints] == [c.text for c in g.constraints]
    assert all(h.node_attributes(n) == g.node_attributes(n) for n in g.nodes)


def test_with_confounded_keeps_attributes_constraints_target_name():
    g = CausalGraph(NODES, ["a -> b", "b -> c"], target="y", constraints=["a >= 0"], name="cell")
    h = _with_confounded(g, [("a", "d")])
    _kept(h, g)
    assert h.edges == g.edges and h.confounded == (("a", "d"),)
    chain = CausalGraph(NODES, components=[["a", "b"], ["c", "d"]], target="y", name="chain")
    hc = _with_confounded(chain, [("c", "d")])
    _kept(hc, chain)
    assert hc.is_chain_graph and [c.nodes for c in hc.components()] == [("a", "b"), ("c", "d")]


def test_relabel_keeps_attributes_and_permutes_declared_components():
    perm = {"a": "c", "b": "d", "c": "a", "d": "b"}
    g = CausalGraph(NODES, ["a -> b"], confounded=["c <-> d"], components=[["a", "b"], ["c", "d"]],
                    target="y", constraints=["a >= 0"], name="cell")
    h = _relabel(g, perm)
    _kept(h, g)
    assert h.edges == (("c", "d"),) and h.confounded == (("a", "b"),)
    assert [c.nodes for c in h.components()] == [("c", "d"), ("a", "b")]
    chain = CausalGraph(NODES, components=[["a"], ["b", "c", "d"]], confounded=["b <-> c"], name="chain")
    hc = _relabel(chain, perm)
    _kept(hc, chain)
    assert hc.is_chain_graph and [c.nodes for c in hc.components()] == [("c",), ("a", "b", "d")]
    assert hc.confounded == (("a", "d"),)
