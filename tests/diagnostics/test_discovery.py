"""Suggested edges from PC against a known SCM."""

from __future__ import annotations

import pytest

from causalx.datasets import make_linear_scm
from causalx.diagnostics import SuggestedEdge, suggest_edges
from causalx.graph import CausalGraph

pytest.importorskip("causallearn")


def test_recovers_missing_edge():
    scm = make_linear_scm(["A", "B", "C", "D"], {("A", "C"): 0.9, ("B", "C"): 0.7, ("C", "D"): 0.6, ("A", "D"): 0.5})
    X = scm.sample(2000, random_state=0)
    declared = CausalGraph(["A", "B", "C", "D"], ["A -> C", "B -> C", "C -> D"])  # lacks A -> D
    out = suggest_edges(declared, X, alpha=0.01)
    missing = [(s.a, s.b) for s in out if s.kind == "missing"]
    assert missing == [("A", "D")]
    assert all(isinstance(s, SuggestedEdge) and s.evidence for s in out)
    assert suggest_edges(scm.graph(), X) == ()  # true graph: nothing to suggest


def test_contradicted_edge():
    scm = make_linear_scm(["A", "B", "C"], {("A", "C"): 0.8, ("B", "C"): 0.8})
    X = scm.sample(2000, random_state=1)
    declared = CausalGraph(["A", "B", "C"], ["A -> C", "B -> C", "A -> B"])
    out = suggest_edges(declared, X)
    assert [(s.a, s.b, s.kind) for s in out] == [("A", "B", "contradicted")]
    # reversed collider edge: PC orients A -> C <- B from the v-structure
    rev = CausalGraph(["A", "B", "C"], ["C -> A", "B -> C"])
    kinds = {(s.a, s.b): s.kind for s in suggest_edges(rev, X)}
    assert kinds == {("C", "A"): "contradicted"}
