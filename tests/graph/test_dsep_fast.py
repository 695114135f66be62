"""The one-search d-separation (graph/_dsep.py) against networkx's own d-separation test."""

from __future__ import annotations

import itertools
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from causalx.diagnostics.confounding import _statements
from causalx.graph import CausalGraph, load_graph

_NX_DSEP = getattr(nx, "is_d_separator", None) or getattr(nx, "d_separated")
SPECS = sorted((Path(__file__).parents[2] / "causalx" / "datasets" / "graphs").glob("*.yaml"))


def _random_graph(seed: int, n: int = 9, p: float = 0.3, n_conf: int = 2) -> CausalGraph:
    rng = np.random.default_rng(seed)
    names = [f"X{i}" for i in range(n)]
    order = rng.permutation(n)
    edges = [f"{names[order[i]]} -> {names[order[j]]}"
             for i, j in itertools.combinations(range(n), 2) if rng.random() < p]
    pairs = [(a, b) for a, b in itertools.combinations(names, 2)
             if f"{a} -> {b}" not in edges and f"{b} -> {a}" not in edges]
    conf = [pairs[k] for k in rng.choice(len(pairs), size=min(n_conf, len(pairs)), replace=False)]
    return CausalGraph(names, edges, confounded=[f"{a} <-> {b}" for a, b in conf])


def _reference_independencies(g: CausalGraph):
    """The definition of implied_independencies, with networkx answering every query."""
    dag = g._dsep_dag()
    out, seen = [], set()
    for x in g.nodes:
        pa = g.parents(x)
        excluded = set(g.descendants(x)) | set(pa) | {x}
        for y in g.nodes:
            key = (frozenset((x, y)), pa)
            if y in excluded or key in seen:
                continue
            if _NX_DSEP(dag, {x}, {y}, set(pa)):
                seen.add(key)
                out.append((x, y, tuple(pa)))
    return out


def _reference_statements(g: CausalGraph):
    dag = g._dsep_dag()
    out = _reference_independencies(g)
    seen = {(frozenset((x, y)), frozenset(z)) for x, y, z in out}
    for a, b in itertools.combinations(g.nodes, 2):
        key = (frozenset((a, b)), frozenset())
        if key not in seen and _NX_DSEP(dag, {a}, {b}, set()):
            out.append((a, b, ()))
            seen.add(key)
    return out


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_packaged_specs_same_as_networkx(path):
    g = load_graph(path)
    got = [(i.x, i.y, tuple(i.given)) for i in g.implied_independencies()]
    assert got == _reference_independencies(g)
    assert _statements(g) == _reference_statements(g)


@pytest.mark.parametrize("seed", range(6))
def test_random_graphs_every_query_same_as_networkx(seed):
    g = _random_graph(seed)
    dag = g._dsep_dag()
    rng = np.random.default_rng(100 + seed)
    nodes = list(g.nodes)
    for x, y in itertools.combinations(nodes, 2):
        rest = [n for n in nodes if n not in (x, y)]
        for size in (0, 1, 2, 4):
            z = list(rng.choice(rest, size=size, replace=False))
            assert g.is_d_separated(x, y, z) == _NX_DSEP(dag, {x}, {y}, set(z)), (x, y, z)
    # set-valued queries
    assert g.is_d_separated(nodes[:2], nodes[-2:], nodes[3:5]) == _NX_DSEP(
        dag, set(nodes[:2]), set(nodes[-2:]), set(nodes[3:5]))
    assert [(i.x, i.y, tuple(i.given)) for i in g.implied_independencies()] == _reference_independencies(g)
    assert _statements(g) == _reference_statements(g)


def test_collider_and_descendant_of_collider():
    g = CausalGraph(["A", "B", "C", "D"], ["A -> C", "B -> C", "C -> D"])
    assert g.is_d_separated("A", "B")
    assert not g.is_d_separated("A", "B", "C")
    assert not g.is_d_separated("A", "B", "D")  # conditioning on a collider's descendant opens it
    assert g.is_d_separated("A", "D", "C")
