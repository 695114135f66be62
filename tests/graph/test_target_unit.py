"""The graph spec's optional ``target_unit``: YAML, the constructor, every round trip, the digest."""

from __future__ import annotations

import pickle

import pytest

from causalx.exceptions import GraphSpecError
from causalx.graph import CausalGraph, GraphSpec, dumps_graph, loads_graph

SPEC = "causalx: 1\ntarget: kappa\ntarget_unit: mS/cm\nnodes: {a: {unit: K}, b: {}}\nedges: [a -> b]\n"


def test_yaml_spec_declares_the_target_unit_and_round_trips():
    g = loads_graph(SPEC)
    assert g.target == "kappa" and g.target_unit == "mS/cm"
    assert g.to_dict()["target_unit"] == "mS/cm"
    text = dumps_graph(g)
    assert "target_unit: mS/cm" in text
    for h in (loads_graph(text), CausalGraph.from_dict(g.to_dict()), pickle.loads(pickle.dumps(g)),
              GraphSpec.from_graph(g).to_graph(), g.replace(edges=[]), g.do("b")):
        assert h.target_unit == "mS/cm"
    assert loads_graph(text) == g


def test_target_unit_changes_the_digest_only_when_set():
    plain = loads_graph(SPEC.replace("target_unit: mS/cm\n", ""))
    assert plain.target_unit is None and "target_unit" not in plain.to_dict()
    # the digest of a graph without a unit is the one computed before the key existed: this
    # canonical JSON is written out by hand, key by key
    import hashlib
    import json

    canonical = {"causalx": 1, "name": None, "target": "kappa", "nodes": [["a", {"unit": "K"}], ["b", {}]],
                 "edges": [["a", "b"]], "confounded": [], "components": None, "constraints": []}
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert plain.digest() == hashlib.sha256(text.encode()).hexdigest()
    with_unit = loads_graph(SPEC)
    assert with_unit.digest() != plain.digest() and with_unit != plain
    assert with_unit.replace(target_unit=None) == plain


@pytest.mark.parametrize("value, error, pattern", [
    (3, TypeError, r"target_unit must be a string.*got 3"),
    ("  ", GraphSpecError, r"target_unit is empty"),
])
def test_bad_target_unit_is_named(value, error, pattern):
    with pytest.raises(error, match=pattern):
        CausalGraph(["a"], target="y", target_unit=value)


def test_yaml_bad_target_unit_is_located():
    with pytest.raises(GraphSpecError, match="target_unit"):
        loads_graph(SPEC.replace("target_unit: mS/cm", "target_unit: [mS, cm]"))
