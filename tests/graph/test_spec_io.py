"""YAML spec v1: the error table, round trips (property-based) and the example graphs in graphs/."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from causalx._options import NODE_ROLES
from causalx.exceptions import GraphSpecError
from causalx.graph import CausalGraph, GraphSpec, dump_graph, dumps_graph, load_graph, loads_graph

GRAPHS_DIR = Path(__file__).resolve().parents[2] / "graphs"

BASE = "causalx: 1\nnodes:\n  X1: {}\n  X2: {}\n  X3: {}\n"


# (case id, yaml text, regex the message must match). Every message must also name the source
# file; the regexes check the location, the bad value, the accepted values and the suggestion.
ERROR_TABLE = [
    ("unknown node in edges", BASE + "edges:\n  - X1 -> X2\n  - X2 -> X3\n  - X1 -> X9\n",
     r"edges\[2\].*Unknown node 'X9'.*'X1', 'X2', 'X3'"),
    ("typo node in edges", BASE.replace("X2", "band_gap") + "edges: [X1 -> band_gp]\n",
     r"edges\[0\].*Unknown node 'band_gp'.*Did you mean 'band_gap'\?"),
    ("cycle", BASE + "edges: [X1 -> X2, X2 -> X3, X3 -> X1]\n", r"cycle: X1 -> X2 -> X3 -> X1"),
    ("duplicate node", "causalx: 1\nnodes:\n  X1: {}\n  X2: {}\n  X2: {unit: eV}\n",
     r"line 5, nodes\.X2: duplicate node 'X2' \(first at line 4"),
    ("duplicate node in a list", "causalx: 1\nnodes: [X1, X2, X2]\n", r"nodes: duplicate node 'X2'"),
    ("duplicate top-level key", BASE + "edges: [X1 -> X2]\nedges: [X2 -> X3]\n", r"duplicate key 'edges'"),
    ("unknown top-level key", BASE + "edge: [X1 -> X2]\n",
     r"edge: unknown key 'edge'.*'edges', 'confounded'.*Did you mean 'edges'\?"),
    ("unknown node attribute", BASE.replace("X3: {}", "X3: {units: eV}"),
     r"nodes\.X3\.units: unknown key 'units'.*'unit', 'description', 'type', 'role'.*Did you mean 'unit'\?"),
    ("bad node type", BASE.replace("X3: {}", "X3: {type: continous}"),
     r"nodes\.X3\.type: 'continous' is not accepted.*'continuous', 'binary', 'categorical' or 'ordinal'"
     r".*Did you mean 'continuous'\?"),
    ("bad node role", BASE.replace("X3: {}", "X3: {role: controll}"),
     r"nodes\.X3\.role: 'controll' is not accepted.*'control', 'measured' or 'property'.*Did you mean 'control'\?"),
    ("node role in another case", BASE.replace("X3: {}", "X3: {role: Measured}"),
     r"nodes\.X3\.role: 'Measured' is not accepted.*Did you mean 'measured'\?"),
    ("node role as a number", BASE.replace("X3: {}", "X3: {role: 1}"),
     r"nodes\.X3\.role: 1 is not accepted.*'control', 'measured' or 'property'"),
    ("node role misspelt key", BASE.replace("X3: {}", "X3: {roles: control}"),
     r"nodes\.X3\.roles: unknown key 'roles'.*'type', 'role'.*Did you mean 'role'\?"),
    ("nonlinear constraint", BASE + "constraints: [X1 >= 0, X1 * X2 > 0]\n",
     r"constraints\[1\]: Invalid constraint 'X1 \* X2 > 0'.*not linear.*linear expressions"),
    ("code in constraint", BASE + "constraints: [\"__import__('os').system('ls')\"]\n",
     r"constraints\[0\].*function calls \(__import__\(\.\.\.\)\) are not allowed"),
    ("unknown node in constraint", BASE + "constraints: [X4 >= 0]\n",
     r"constraints\[0\].*Unknown node 'X4'"),
    ("wrong version", BASE.replace("causalx: 1", "causalx: 2"),
     r"causalx: unsupported spec version causalx: 2; accepted values: 1"),
    ("version as text", BASE.replace("causalx: 1", "causalx: '1'"), r"unsupported spec version causalx: '1'"),
    ("missing version", BASE.replace("causalx: 1\n", ""), r"missing required key 'causalx'.*add 'causalx: 1'"),
    ("missing nodes", "causalx: 1\nedges: [X1 -> X2]\n", r"missing required key 'nodes'"),
    ("python tag", "causalx: 1\nnodes: !!python/object/apply:os.system ['echo pwned']\n",
     r"line 2, nodes: unsupported YAML tag 'tag:yaml\.org,2002:python/object/apply:os\.system'.*plain data"),
    ("python tag at top", "!!python/object/apply:os.system ['echo pwned']\n", r"unsupported YAML tag.*plain data"),
    ("custom tag", BASE + "name: !secret x\n", r"name: unsupported YAML tag '!secret'"),
    ("edge without arrow", BASE + "edges: [X1 X2]\n", r"edges\[0\]: 'X1 X2' is not an edge: write 'a -> b'"),
    ("bidirected in edges", BASE + "edges: [X1 <-> X2]\n", r"edges\[0\].*list it under 'confounded'"),
    ("undirected edge", BASE + "edges: [X1 -- X2]\n", r"edges\[0\].*undirected edge"),
    ("yaml syntax error", "causalx: 1\nnodes: {X1: {}\nedges: [\n", r"line 3, column 1: YAML syntax error"),
    ("bad indentation", "causalx: 1\nnodes:\n  X1: {}\n   X2: {}\n", r"line 4, column 4: YAML syntax error"),
    ("empty document", "", r"the document is empty.*'causalx: 1'"),
    ("comment only", "# nothing here\n", r"the document is empty"),
    ("not a mapping", "- X1\n- X2\n", r"must be a mapping"),
    ("confounded unknown node", BASE + "confounded: [X1 <-> X7]\n",
     r"confounded\[0\].*Unknown node 'X7'.*'X1', 'X2', 'X3'"),
    ("confounded written as edge", BASE + "confounded: [X1 -> X2]\n",
     r"confounded\[0\]: 'X1 -> X2' is a directed edge; confounded pairs are written 'a <-> b'"),
    ("target among nodes", BASE + "target: X2\n", r"target: target='X2' is also listed among the nodes"),
    ("component misses a node", BASE + "components: [[X1], [X2]]\n", r"components: Node\(s\) 'X3' are missing"),
    ("node in two components", BASE + "components: [[X1, X2], [X2, X3]]\n",
     r"components\[1\]\[0\].*'X2' is in two components"),
    ("components against edges", BASE + "edges: [X3 -> X1]\ncomponents: [[X1], [X2, X3]]\n",
     r"The edge 'X3 -> X1' points from components\[1\] back to components\[0\]"),
    ("self-loop", BASE + "edges: [X1 -> X1]\n", r"edges\[0\].*self-loops are not allowed"),
    ("non-string node name", "causalx: 1\nnodes: {1: {}}\n", r"nodes\.1: the key 1 must be a string"),
    ("edge of three nodes", BASE + "edges: [[X1, X2, X3]]\n", r"edges\[0\].*not an edge"),
    ("two problems", BASE + "edge: []\nconstraint: []\n",
     r"2 problems:\n  - edge: .*Did you mean 'edges'\?\n  - constraint: .*Did you mean 'constraints'\?"),
]


@pytest.mark.parametrize("text, pattern", [c[1:] for c in ERROR_TABLE], ids=[c[0] for c in ERROR_TABLE])
def test_error_table(text, pattern):
    with pytest.raises(GraphSpecError) as info:
        loads_graph(text, source="specs/bad.yaml")
    message = str(info.value)
    assert message.startswith("specs/bad.yaml"), message
    assert re.search(pattern, message, flags=re.S), message
    assert info.value.source == "specs/bad.yaml"


def test_error_location_attribute():
    with pytest.raises(GraphSpecError) as info:
        loads_graph(BASE + "edges: [X1 -> X2, X2 -> X9]\n")
    assert info.value.location == "edges[1]"
    assert str(info.value).startswith("<string>, edges[1]:")
    with pytest.raises(GraphSpecError) as info:
        loads_graph(BASE.replace("X3: {}", "X3: {type: real}"))
    assert info.value.location == "nodes.X3.type"
    with pytest.raises(GraphSpecError) as info:
        loads_graph(BASE + "edges: [X1 -> X2, X2 -> X3, X3 -> X1]\n")
    assert sorted(info.value.cycle) == ["X1", "X2", "X3"]


def test_python_tag_is_never_executed(tmp_path):
    marker = tmp_path / "pwned"
    text = f"causalx: 1\nnodes: !!python/object/apply:os.system ['touch {marker}']\n"
    with pytest.raises(GraphSpecError):
        loads_graph(text)
    assert not marker.exists()


def test_design_example_loads():
    g = load_graph(GRAPHS_DIR / "lg_chain.yaml")
    assert g.nodes == ("X1", "X2", "X3", "X4", "X5")
    assert g.target == "y" and g.name == "lg_chain"
    assert set(g.edges) == {("X1", "X2"), ("X1", "X3"), ("X2", "X3"), ("X3", "X5"), ("X4", "X5")}
    assert g.confounded == (("X1", "X4"),)
    assert g.node_attributes("X2") == {"unit": "eV", "description": "band gap"}
    assert g.node_attributes("X3") == {"type": "continuous"}
    assert [c.text for c in g.constraints] == ["X2 >= 0", "X3 < X5"]
    assert [c.nodes for c in g.components()] == [("X1", "X4"), ("X2",), ("X3",), ("X5",)]
    same = CausalGraph(
        {"X1": {}, "X2": {"unit": "eV", "description": "band gap"}, "X3": {"type": "continuous"}, "X4": {}, "X5": {}},
        ["X1 -> X2", "X1 -> X3", "X2 -> X3", "X3 -> X5", "X4 -> X5"], confounded=["X1 <-> X4"],
        components=[["X1", "X4"], ["X2"], ["X3"], ["X5"]], target="y", constraints=["X2 >= 0", "X3 < X5"],
        name="lg_chain",
    )
    assert g == same


@pytest.mark.parametrize("path", sorted(GRAPHS_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_every_example_graph_loads_and_round_trips(path, tmp_path):
    g = load_graph(path)
    assert g.n_nodes >= 2
    text = dumps_graph(g)
    assert loads_graph(text) == g
    assert dumps_graph(loads_graph(text)) == text
    out = tmp_path / path.name
    dump_graph(g, out)
    assert load_graph(out) == g


def test_example_graph_contents():
    names = {p.name for p in GRAPHS_DIR.glob("*.yaml")}
    assert {"lg_chain.yaml", "perovskite.yaml", "solubility.yaml", "chain_components.yaml"} <= names
    per = load_graph(GRAPHS_DIR / "perovskite.yaml")
    assert per.n_nodes >= 6 and per.confounded and per.constraints and per.target not in per.nodes
    assert any(c.confounded for c in per.components())
    sol = load_graph(GRAPHS_DIR / "solubility.yaml")
    assert sol.target == "logS"
    assert {"aromatic_rings", "mol_wt", "hbd", "hba", "tpsa", "logp", "melting_point", "rotatable_bonds", "fraction_sp3"} == set(sol.nodes)
    assert "melting_point" in sol.children("aromatic_rings") and "logp" in sol.descendants("mol_wt")
    chain = load_graph(GRAPHS_DIR / "chain_components.yaml")
    assert chain.is_chain_graph and chain.edges == ()
    assert [c.confounded for c in chain.components()] == [True, False, False]


def test_load_graph_file_errors(tmp_path):
    missing = tmp_path / "nope.yaml"
    with pytest.raises(FileNotFoundError, match="nope.yaml"):
        load_graph(missing)
    dag = tmp_path / "g.dagitty"
    dag.write_text("dag { A -> B }")
    with pytest.raises(GraphSpecError, match=r"CausalGraph\.from_dagitty"):
        load_graph(dag)
    with pytest.raises(GraphSpecError, match=r"suffix '\.txt'"):
        dump_graph(CausalGraph(["A"]), tmp_path / "g.txt")
    bad = tmp_path / "bad.yaml"
    bad.write_text("causalx: 1\nnodes: {A: {}}\nedges: [A -> B]\n")
    with pytest.raises(GraphSpecError, match=re.escape(str(bad)) + r", edges\[0\]"):
        load_graph(str(bad))


def test_dumps_format():
    g = CausalGraph({"X1": {}, "X2": {"unit": "eV", "description": "band gap"}}, ["X1 -> X2"],
                    confounded=["X2 <-> X1"], target="y", constraints=["0 <= X2  <= 5"], name="demo")
    text = dumps_graph(g)
    assert text == (
        "causalx: 1\nname: demo\ntarget: y\nnodes:\n  X1: {}\n  X2: {unit: eV, description: band gap}\n"
        "edges:\n- X1 -> X2\nconfounded:\n- X1 <-> X2\nconstraints:\n- 0 <= X2  <= 5\n"
    )
    assert yaml.safe_load(text)["constraints"] == ["0 <= X2  <= 5"]  # original text kept


def test_nodes_as_list_and_pairs_as_lists():
    g = loads_graph("causalx: 1\nnodes: [A, B, C]\nedges: [[A, B], B -> C]\nconfounded: [[A, C]]\n")
    assert g.edges == (("A", "B"), ("B", "C")) and g.confounded == (("A", "C"),)


def test_graphspec_model_forbids_extra():
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        GraphSpec.model_validate({"causalx": 1, "nodes": {"A": {}}, "edgez": []})
    spec = GraphSpec.from_graph(load_graph(GRAPHS_DIR / "lg_chain.yaml"))
    assert spec.to_graph() == load_graph(GRAPHS_DIR / "lg_chain.yaml")


# ---------------------------------------------------------------------------------------------
# property-based round trip

NAME_POOL = ["X1", "X2", "band gap", "T (K)", "yes", "null", "1.5", "mol_wt", "Tₘ", "a: b", "#tag", "x-y", "ä"]


def _quote(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) else f'"{name}"'


@st.composite
def graphs(draw):
    names = draw(st.lists(st.sampled_from(NAME_POOL), min_size=1, max_size=7, unique=True))
    n = len(names)
    causal = draw(st.permutations(names))
    edges = [(causal[i], causal[j]) for i in range(n) for j in range(i + 1, n) if draw(st.booleans())]
    pairs = [(causal[i], causal[j]) for i in range(n) for j in range(i + 1, n) if draw(st.integers(0, 5)) == 0]
    attrs = {}
    for name in names:
        a = {}
        if draw(st.booleans()):
            a["unit"] = draw(st.sampled_from(["eV", "K", "g/mol", "Å^2", "1"]))
        if draw(st.booleans()):
            a["description"] = draw(st.text(min_size=1, max_size=20))
        if draw(st.booleans()):
            a["type"] = draw(st.sampled_from(["continuous", "binary", "categorical", "ordinal"]))
        if draw(st.booleans()):
            a["role"] = draw(st.sampled_from(NODE_ROLES))
        attrs[name] = a
    constraints = []
    for name in draw(st.lists(st.sampled_from(names), max_size=3)):
        op = draw(st.sampled_from(["<", "<=", ">", ">=", "=="]))
        value = draw(st.floats(-1e3, 1e3, allow_nan=False))
        constraints.append(f"{_quote(name)} {op} {value!r}")
    target = draw(st.one_of(st.none(), st.sampled_from(["y", "logS", "band_gap_target"])))
    name = draw(st.one_of(st.none(), st.text(min_size=1, max_size=10)))
    g = CausalGraph(attrs, edges, confounded=pairs, target=target, constraints=constraints, name=name)
    if draw(st.booleans()):  # also exercise declared components (the computed ones agree with edges)
        comps = [list(c.nodes) for c in g.components()]
        g = CausalGraph(attrs, edges, confounded=pairs, components=comps, target=target,
                        constraints=constraints, name=name)
    return g


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs())
def test_yaml_round_trip_property(g):
    text = dumps_graph(g)
    back = loads_graph(text)
    assert back == g
    assert back.digest() == g.digest()
    assert dumps_graph(back) == text
    assert [c.text for c in back.constraints] == [c.text for c in g.constraints]


@settings(max_examples=40, deadline=None)
@given(graphs())
def test_roles_survive_every_round_trip(g):
    roles = {n: g.role(n) for n in g.nodes}
    copies = [loads_graph(dumps_graph(g)), CausalGraph.from_dict(g.to_dict()), GraphSpec.from_graph(g).to_graph(),
              CausalGraph.from_networkx(g.to_networkx()), pickle.loads(pickle.dumps(g)), g.replace(edges=[])]
    if not g.is_chain_graph:
        copies.append(g.do(g.nodes[0]))
    for back in copies:
        assert {n: back.role(n) for n in back.nodes} == roles
    for role in NODE_ROLES:
        assert g.nodes_with_role(role) == tuple(n for n in g.nodes if roles[n] == role)


@settings(max_examples=40, deadline=None)
@given(graphs())
def test_networkx_round_trip_property(g):
    assert CausalGraph.from_networkx(g.to_networkx()) == g


@settings(max_examples=40, deadline=None)
@given(graphs())
def test_to_dict_is_the_one_serialisation(g):
    import pickle

    data = g.to_dict()
    assert CausalGraph.from_dict(data) == g
    assert GraphSpec.model_validate(data).to_graph() == g
    assert yaml.safe_load(dumps_graph(g)) == data  # dumps_graph writes to_dict, styled
    assert pickle.loads(pickle.dumps(g)) == g
    assert g.replace() == g


def test_spec_and_constructor_share_item_checks():
    from causalx.graph._checks import NODE_ATTRIBUTES
    from causalx.graph.spec import NodeSpec

    assert tuple(NodeSpec.model_fields) == NODE_ATTRIBUTES
    # the same wording from YAML (location from pydantic) and from Python (location prefixed)
    with pytest.raises(GraphSpecError, match=r"^<string>, edges\[0\]: 'X1 -> X1' joins node 'X1' to itself"):
        loads_graph(BASE + "edges: [X1 -> X1]\n")
    with pytest.raises(GraphSpecError, match=r"^edges\[0\]: 'X1 -> X1' joins node 'X1' to itself"):
        CausalGraph(["X1"], ["X1 -> X1"])
    with pytest.raises(GraphSpecError, match=r"^<string>, nodes\.a -> b: node name 'a -> b' contains an arrow"):
        loads_graph("causalx: 1\nnodes: ['a -> b']\n")
    with pytest.raises(GraphSpecError, match=r"^nodes\[0\]: node name 'a -> b' contains an arrow"):
        CausalGraph(["a -> b"])


def test_spec_reports_item_problems_together():
    text = BASE + "edges: [X1 -> X1]\nconstraints: [X1 ** 2 > 0]\nedge: []\n"
    with pytest.raises(GraphSpecError, match=r"(?s)3 problems:\n  - edges\[0\]: .*self-loops.*\n  - constraints\[0\]: "
                                             r"Invalid constraint.*\n  - edge: unknown key") as info:
        loads_graph(text)
    assert info.value.location == "edges[0]"


# ---------------------------------------------------------------------------------------------
# node roles

ROLES_SPEC = """causalx: 1
nodes:
  growth_temp: {unit: degC, role: control}
  log_lifetime: {description: TRPL, role: measured}
  band_gap: {unit: eV, type: continuous, role: property}
  humidity: {}
edges: [growth_temp -> log_lifetime, band_gap -> log_lifetime]
"""


def test_roles_load_dump_load():
    g = loads_graph(ROLES_SPEC)
    assert g.role("growth_temp") == "control" and g.role("log_lifetime") == "measured"
    assert g.role("band_gap") == "property" and g.role("humidity") is None
    assert g.node_attributes("band_gap") == {"unit": "eV", "type": "continuous", "role": "property"}
    assert g.to_dict()["nodes"]["log_lifetime"] == {"description": "TRPL", "role": "measured"}
    text = dumps_graph(g)
    assert "  growth_temp: {unit: degC, role: control}\n" in text  # written after unit/description/type
    back = loads_graph(text)
    assert back == g and back.digest() == g.digest() and dumps_graph(back) == text
    assert back.nodes_with_role("control") == ("growth_temp",)


def test_role_changes_the_digest_only_when_set():
    plain = CausalGraph({"a": {"unit": "eV", "type": "binary"}, "b": {}}, ["a -> b"], target="y")
    # pinned: graphs without roles keep the digest they had before roles existed
    assert plain.digest() == "36f580765adc3838c17327f1bf3f2f9bf8f1cd7ef2afc73853730b241d97109c"
    with_role = CausalGraph({"a": {"unit": "eV", "type": "binary", "role": "control"}, "b": {}}, ["a -> b"], target="y")
    assert with_role != plain and with_role.digest() != plain.digest()
    assert CausalGraph({"a": {"unit": "eV", "type": "binary", "role": None}, "b": {}}, ["a -> b"], target="y") == plain


def test_packaged_specs_declare_roles():
    # the real-data and simulator specs say what an experimenter can do to each node; the abstract
    # synthetic examples (X1, X2, ...) declare none
    for name in ("bandgap", "dielectric_crystal", "dielectric_liquids", "perovskite", "simulated_mediator",
                 "solar_cell", "solubility"):
        g = load_graph(GRAPHS_DIR / f"{name}.yaml")
        assert all(g.role(n) is not None for n in g.nodes), name
    for name in ("lg_chain", "chain_components"):
        g = load_graph(GRAPHS_DIR / f"{name}.yaml")
        assert all(g.role(n) is None for n in g.nodes), name
    solar = load_graph(GRAPHS_DIR / "solar_cell.yaml")
    assert solar.nodes_with_role("control") == ("growth_temp", "anneal_time", "dopant_flow", "thickness", "passivation")
    assert solar.nodes_with_role("measured") == ("humidity", "log_lifetime", "log_mobility", "log_diffusion_length",
                                                 "log_srv")
    assert solar.nodes_with_role("property") == ()
    assert load_graph(GRAPHS_DIR / "solubility.yaml").nodes_with_role("property") == load_graph(
        GRAPHS_DIR / "solubility.yaml").nodes
    per = load_graph(GRAPHS_DIR / "perovskite.yaml")
    assert per.nodes_with_role("control") == ("annealing_temperature", "annealing_time")
