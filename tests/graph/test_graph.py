"""CausalGraph: structure queries, components, d-separation, do(), identity and interop bridges."""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import pickle
import random
import typing

import networkx as nx
import pytest

from causalx.exceptions import CausalxError, CyclicGraphError, GraphSpecError, UnknownNodeError
from causalx.graph import CausalGraph, Component, Constraint, Independence

NODES = ["X1", "X2", "X3", "X4", "X5"]
EDGES = [("X1", "X2"), ("X1", "X3"), ("X2", "X3"), ("X3", "X5"), ("X4", "X5")]


@pytest.fixture
def design():
    """The README's five-node graph."""
    return CausalGraph(NODES, EDGES, confounded=[("X1", "X4")], target="y", name="lg_chain")


@pytest.fixture
def chain():
    """The README's five nodes as a chain graph (components, no edges)."""
    return CausalGraph(NODES, components=[["X1", "X4"], ["X2"], ["X3"], ["X5"]], confounded=[("X1", "X4")])


# ---------------------------------------------------------------------------------------------
# independent reference implementations used as oracles


def random_admg(rng: random.Random, n_min=2, n_max=7, p_edge=0.35, p_conf=0.15):
    """A random DAG (node order shuffled w.r.t. the causal order) plus random bidirected pairs."""
    n = rng.randint(n_min, n_max)
    causal = [f"V{i}" for i in range(n)]
    edges = [(causal[i], causal[j]) for i in range(n) for j in range(i + 1, n) if rng.random() < p_edge]
    conf = [(causal[i], causal[j]) for i in range(n) for j in range(i + 1, n) if rng.random() < p_conf]
    order = causal[:]
    rng.shuffle(order)
    return order, edges, conf


def latent_dag(nodes, edges, conf):
    g = nx.DiGraph()
    g.add_nodes_from(nodes)
    g.add_edges_from(edges)
    for a, b in conf:
        g.add_edges_from([(f"L_{a}_{b}", a), (f"L_{a}_{b}", b)])
    return g


def dsep_moral(g: nx.DiGraph, xs, ys, zs) -> bool:
    """d-separation by Lauritzen's criterion: moralised ancestral graph, remove Z, test paths."""
    keep = set(xs) | set(ys) | set(zs)
    for v in list(keep):
        keep |= nx.ancestors(g, v)
    h = g.subgraph(keep)
    moral = nx.Graph()
    moral.add_nodes_from(h.nodes)
    moral.add_edges_from(h.edges)
    for v in h.nodes:
        moral.add_edges_from(itertools.combinations(list(h.predecessors(v)), 2))
    moral.remove_nodes_from(zs)
    return not any(nx.has_path(moral, x, y) for x in xs for y in ys)


# ---------------------------------------------------------------------------------------------
# structure


def test_structure_queries_on_design_graph(design):
    assert design.nodes == tuple(NODES)
    assert design.n_nodes == 5
    assert design.edges == tuple(EDGES)
    assert design.confounded == (("X1", "X4"),)
    assert design.target == "y" and design.name == "lg_chain"
    assert not design.is_chain_graph
    expected_parents = {"X1": (), "X2": ("X1",), "X3": ("X1", "X2"), "X4": (), "X5": ("X3", "X4")}
    expected_children = {"X1": ("X2", "X3"), "X2": ("X3",), "X3": ("X5",), "X4": ("X5",), "X5": ()}
    expected_anc = {"X1": (), "X2": ("X1",), "X3": ("X1", "X2"), "X4": (), "X5": ("X1", "X2", "X3", "X4")}
    expected_desc = {"X1": ("X2", "X3", "X5"), "X2": ("X3", "X5"), "X3": ("X5",), "X4": ("X5",), "X5": ()}
    for n in NODES:
        assert design.parents(n) == expected_parents[n]
        assert design.children(n) == expected_children[n]
        assert design.ancestors(n) == expected_anc[n]
        assert design.descendants(n) == expected_desc[n]
    assert design.topological_order() == ("X1", "X2", "X3", "X4", "X5")


def test_edge_formats_and_node_order():
    g = CausalGraph(["c", "a", "b"], ["a -> c", "c <- b", ["b", "a"]])
    # edges sorted by node order of (cause, effect); "c <- b" means b -> c
    assert g.edges == (("a", "c"), ("b", "c"), ("b", "a"))
    assert g.parents("c") == ("a", "b")
    # ties in the topological order are broken by node order; b must precede a
    assert g.topological_order() == ("b", "a", "c")


def test_node_attributes_are_copies():
    g = CausalGraph({"X1": {"unit": "eV", "type": "continuous"}, "X2": None})
    attrs = g.node_attributes("X1")
    assert attrs == {"unit": "eV", "type": "continuous"}
    attrs["unit"] = "K"
    assert g.node_attributes("X1")["unit"] == "eV"
    assert g.node_attributes("X2") == {}


def test_role_queries():
    g = CausalGraph({"T": {"role": "control"}, "tau": {"unit": "s", "role": "measured"}, "Eg": {"role": "property"},
                     "x": {}, "t": {"role": "control"}}, ["T -> tau", "Eg -> tau", "t -> tau"])
    assert [g.role(n) for n in g.nodes] == ["control", "measured", "property", None, "control"]
    assert g.nodes_with_role("control") == ("T", "t")  # graph node order
    assert g.nodes_with_role("measured") == ("tau",) and g.nodes_with_role("property") == ("Eg",)
    assert g.node_attributes("tau") == {"unit": "s", "role": "measured"}
    assert g.do("tau").role("tau") == "measured" and g.replace(edges=[]).nodes_with_role("control") == ("T", "t")
    assert CausalGraph(["a", "b"]).nodes_with_role("control") == ()
    with pytest.raises(UnknownNodeError, match=r"Unknown node 'T0' in role.*Did you mean 'T'\?"):
        g.role("T0")
    with pytest.raises(ValueError, match=r"nodes_with_role: role 'controls' is not accepted.*Did you mean 'control'\?"):
        g.nodes_with_role("controls")
    with pytest.raises(ValueError, match=r"nodes_with_role needs a role; accepted values are 'control'"):
        g.nodes_with_role(None)


def test_roles_are_the_declared_options():
    from causalx._options import NODE_ROLES, NodeRole
    from causalx.graph._checks import NODE_ATTRIBUTES

    assert NODE_ROLES == typing.get_args(NodeRole) == ("control", "measured", "property")
    assert "role" in NODE_ATTRIBUTES


def test_immutable(design):
    with pytest.raises(AttributeError):
        design.target = "z"
    with pytest.raises(AttributeError):
        design._edges = ()
    with pytest.raises(AttributeError):
        del design._nodes
    assert isinstance(design.nodes, tuple) and isinstance(design.edges, tuple)
    nxg = design.to_networkx()
    nxg.add_edge("X5", "X1")
    assert ("X5", "X1") not in design.edges
    assert copy.deepcopy(design) == design


def test_pickle_round_trip(design):
    clone = pickle.loads(pickle.dumps(design))
    assert clone == design and clone.digest() == design.digest()
    assert clone.constraints == design.constraints


# ---------------------------------------------------------------------------------------------
# constructor validation


@pytest.mark.parametrize(
    "kwargs, exc, pattern",
    [
        (dict(nodes=["X1", "X2"], edges=["X1 -> X9"]), UnknownNodeError, r"Unknown node 'X9' in edges\[0\]"),
        (dict(nodes=["band_gap", "X2"], edges=["band_gp -> X2"]), UnknownNodeError,
         r"Did you mean 'band_gap'\?"),
        (dict(nodes=["X1", "X2", "X1"]), ValueError, r"Duplicate node 'X1'"),
        (dict(nodes=["X1", "X2"], edges=["X1 -> X1"]), ValueError, r"self-loops are not allowed"),
        (dict(nodes=["X1", "X2"], edges=["X1 -> X2", ("X1", "X2")]), ValueError, r"repeats edges\[0\]"),
        (dict(nodes=["X1", "X2"], confounded=["X1 <-> X3"]), UnknownNodeError,
         r"Unknown node 'X3' in confounded\[0\]"),
        (dict(nodes=["X1", "X2"], confounded=["X1 -> X2"]), ValueError, r"confounded pairs are written"),
        (dict(nodes=["X1", "X2"], edges=["X1 <-> X2"]), ValueError, r"list it under 'confounded'"),
        (dict(nodes=["X1", "X2"], edges=["X1 X2"]), ValueError, r"'X1 X2' is not an edge"),
        (dict(nodes=["X1", "y"], target="y"), ValueError, r"target='y' is also listed among the nodes"),
        (dict(nodes=["X1", "X2"], components=[["X1"]]), ValueError, r"'X2' are missing from components"),
        (dict(nodes=["X1", "X2"], components=[["X1", "X2"], ["X2"]]), ValueError,
         r"'X2' is in two components"),
        (dict(nodes=["X1", "X2"], components=[["X1"], ["X7"]]), UnknownNodeError,
         r"Unknown node 'X7' in components\[1\]\[0\]"),
        (dict(nodes=["X1", "X2"], edges=["X2 -> X1"], components=[["X1"], ["X2"]]), ValueError,
         r"The edge 'X2 -> X1' points from components\[1\] back to components\[0\]"),
        (dict(nodes=["X1", "X2"], confounded=["X1 <-> X2"], components=[["X1"], ["X2"]]), ValueError,
         r"spans components\[0\] and components\[1\]"),
        (dict(nodes={"X1": {"colour": "red"}}), ValueError, r"Unknown node attribute 'colour'"),
        (dict(nodes={"X1": {"type": "continous"}}), ValueError, r"Did you mean 'continuous'\?"),
        (dict(nodes={"X1": {"role": "controll"}}), GraphSpecError,
         r"^nodes\.X1\.role: 'controll' is not accepted; accepted values are 'control', 'measured' or 'property'\. "
         r"Did you mean 'control'\?$"),
        (dict(nodes={"X1": {"role": "intrinsic"}}), GraphSpecError, r"nodes\.X1\.role: 'intrinsic' is not accepted"),
        (dict(nodes={"X1": {"role": 3}}), TypeError, r"nodes\.X1\.role must be a string, got 3"),
        (dict(nodes={"X1": {"rol": "control"}}), ValueError, r"Unknown node attribute 'rol'.*Did you mean 'role'\?"),
        (dict(nodes=["X1", "X2"], constraints=["X1 * X2 > 0"]), GraphSpecError, r"not linear"),
        (dict(nodes=["X1", "X2"], constraints=["X3 > 0"]), UnknownNodeError,
         r"Unknown node 'X3' in constraints\[0\]"),
        (dict(nodes=[]), ValueError, r"at least one node"),
        (dict(nodes=["a -> b"]), ValueError, r"contains an arrow"),
        (dict(nodes=[1, 2]), TypeError, r"Node names must be strings"),
    ],
)
def test_constructor_errors(kwargs, exc, pattern):
    with pytest.raises(exc, match=pattern) as info:
        CausalGraph(**kwargs)
    if exc is not TypeError:  # bad-input errors are also caught by `except CausalxError`
        assert isinstance(info.value, CausalxError)


def test_cycle_error_lists_the_cycle():
    with pytest.raises(CyclicGraphError) as info:
        CausalGraph(["X1", "X2", "X3", "X4"], ["X1 -> X2", "X2 -> X3", "X3 -> X1", "X3 -> X4"])
    cycle = info.value.cycle
    assert sorted(cycle) == ["X1", "X2", "X3"]
    # the cycle follows the edges
    assert all((cycle[i], cycle[(i + 1) % 3]) in {("X1", "X2"), ("X2", "X3"), ("X3", "X1")} for i in range(3))
    assert " -> ".join([*cycle, cycle[0]]) in str(info.value)
    assert isinstance(info.value, ValueError)


# ---------------------------------------------------------------------------------------------
# components


def test_components_design_graph(design):
    assert design.components() == (
        Component(("X1", "X4"), True, ()),
        Component(("X2",), False, ("X1",)),
        Component(("X3",), False, ("X1", "X2")),
        Component(("X5",), False, ("X3", "X4")),
    )


def test_components_dag_are_singletons_in_topological_order():
    g = CausalGraph(["c", "a", "b", "d"], ["b -> a", "a -> c"])
    comps = g.components()
    assert [c.nodes for c in comps] == [("b",), ("a",), ("c",), ("d",)]
    assert all(not c.confounded for c in comps)
    assert [c.parents for c in comps] == [(), ("b",), ("a",), ()]


def test_components_chain_graph(chain):
    assert chain.is_chain_graph
    assert chain.edges == ()
    assert chain.components() == (
        Component(("X1", "X4"), True, ()),
        Component(("X2",), False, ("X1", "X4")),
        Component(("X3",), False, ("X1", "X2", "X4")),
        Component(("X5",), False, ("X1", "X2", "X3", "X4")),
    )
    assert chain.parents("X5") == ("X1", "X2", "X3", "X4")
    assert chain.parents("X4") == ()
    assert chain.children("X2") == ("X3", "X5")
    assert chain.ancestors("X3") == ("X1", "X2", "X4")
    assert chain.descendants("X4") == ("X2", "X3", "X5")
    assert chain.topological_order() == ("X1", "X4", "X2", "X3", "X5")


def test_components_condense_cycle_created_by_bidirected_pair():
    g = CausalGraph(["A", "B", "C"], ["A -> B", "B -> C"], confounded=["A <-> C"])
    assert g.components() == (Component(("A", "B", "C"), True, ()),)
    g = CausalGraph(["D", "A", "B", "C", "E"], ["A -> B", "B -> C", "C -> D", "E -> B"], confounded=["A <-> C"])
    assert g.components() == (
        Component(("E",), False, ()),
        Component(("A", "B", "C"), True, ("E",)),
        Component(("D",), False, ("C",)),
    )


def test_components_given_with_edges_are_kept():
    g = CausalGraph(NODES, EDGES, confounded=["X1 <-> X4"], components=[["X4", "X1"], ["X2", "X3"], ["X5"]])
    assert [c.nodes for c in g.components()] == [("X1", "X4"), ("X2", "X3"), ("X5",)]
    assert [c.confounded for c in g.components()] == [True, False, False]
    assert g.components()[1].parents == ("X1",)
    assert not g.is_chain_graph


def test_components_partition_random_graphs():
    rng = random.Random(1)
    for _ in range(40):
        order, edges, conf = random_admg(rng)
        g = CausalGraph(order, edges, confounded=conf)
        comps = g.components()
        owner = {n: k for k, c in enumerate(comps) for n in c.nodes}
        assert sorted(owner) == sorted(order)
        # every bidirected pair inside one component, every edge forward in the component order
        assert all(owner[a] == owner[b] for a, b in conf)
        assert all(owner[a] <= owner[b] for a, b in edges)
        # the oracle: mutual reachability in edges + both directions of each bidirected pair
        h = nx.DiGraph(edges)
        h.add_nodes_from(order)
        h.add_edges_from(conf + [(b, a) for a, b in conf])
        expected = {frozenset(s) for s in nx.strongly_connected_components(h)}
        assert {frozenset(c.nodes) for c in comps} == expected
        for c in comps:
            assert c.confounded == any(a in c.nodes and b in c.nodes for a, b in conf)


# ---------------------------------------------------------------------------------------------
# d-separation and independencies


def test_d_separation_design_graph(design):
    assert design.is_d_separated("X2", "X5", given=["X3"]) is False  # X2 <- X1 <-> X4 -> X5
    assert design.is_d_separated("X2", "X5", given=["X3", "X4"]) is True
    assert design.is_d_separated("X2", "X4") is False  # through the latent
    assert design.is_d_separated(["X2", "X3"], "X4", given="X1") is True
    with pytest.raises(ValueError, match="must be disjoint"):
        design.is_d_separated("X1", "X2", given=["X1"])
    with pytest.raises(UnknownNodeError, match="Unknown node 'X9'"):
        design.is_d_separated("X1", "X9")


def test_d_separation_matches_pgmpy_and_moralisation():
    pytest.importorskip("pgmpy")
    rng = random.Random(0)
    n_checked = 0
    for _ in range(30):
        order, edges, conf = random_admg(rng, n_min=3, n_max=6)
        g = CausalGraph(order, edges, confounded=conf)
        dag = g.to_pgmpy()
        oracle = latent_dag(order, edges, conf)
        for x, y in itertools.combinations(order, 2):
            rest = [n for n in order if n not in (x, y)]
            for k in range(len(rest) + 1):
                for z in itertools.combinations(rest, k):
                    ours = g.is_d_separated(x, y, z)
                    assert ours == (not dag.is_dconnected(x, y, observed=list(z)))
                    assert ours == dsep_moral(oracle, [x], [y], z)
                    n_checked += 1
    assert n_checked > 500


def test_chain_graph_d_separation(chain):
    # members of one component are never separated
    assert not chain.is_d_separated("X1", "X4", given=["X2", "X3", "X5"])
    g = CausalGraph(["A", "B", "C", "D"], components=[["A"], ["B", "C"], ["D"]])
    assert not g.is_d_separated("B", "C", given=["A", "D"])
    assert not g.is_d_separated("B", "C", given=["A"])
    # the implied DAG is complete, so nothing is separated
    assert not g.is_d_separated("A", "D", given=["B", "C"])
    assert g.implied_independencies() == ()


def _brute_force_local_markov(nodes, edges, conf):
    g = nx.DiGraph(edges)
    g.add_nodes_from(nodes)
    oracle = latent_dag(nodes, edges, conf)
    out = set()
    for x in nodes:
        pa = set(g.predecessors(x))
        for y in set(nodes) - nx.descendants(g, x) - pa - {x}:
            if dsep_moral(oracle, [x], [y], pa):
                out.add((frozenset((x, y)), frozenset(pa)))
    return out


def test_implied_independencies_match_brute_force():
    rng = random.Random(7)
    for _ in range(40):
        order, edges, conf = random_admg(rng, n_min=2, n_max=6)
        g = CausalGraph(order, edges, confounded=conf)
        stmts = g.implied_independencies()
        assert len(set(stmts)) == len(stmts)
        for s in stmts:
            assert isinstance(s, Independence)
            assert g.is_d_separated(s.x, s.y, s.given)
        assert {(frozenset((s.x, s.y)), frozenset(s.given)) for s in stmts} == _brute_force_local_markov(
            order, edges, conf)
        assert g.implied_independencies() == stmts  # deterministic


def test_implied_independencies_small_example(design):
    # local Markov candidates: X2 ⊥ X4 | X1 (holds: X1 blocks X2 <- X1 <- U -> X4),
    # X3 ⊥ X4 | X1, X2 (holds), X4 ⊥ X1, X2, X3 | {} (all fail through the latent U),
    # X5 ⊥ X1 | X3, X4 and X5 ⊥ X2 | X3, X4 (hold)
    got = {str(s) for s in design.implied_independencies()}
    assert got == {"X2 ⊥ X4 | X1", "X3 ⊥ X4 | X1, X2", "X5 ⊥ X1 | X3, X4", "X5 ⊥ X2 | X3, X4"}


# ---------------------------------------------------------------------------------------------
# do()


def test_do_removes_exactly_incoming_edges(design):
    m = design.do(["X3", "X4"])
    assert set(m.edges) == {e for e in EDGES if e[1] not in ("X3", "X4")}
    assert m.confounded == ()
    assert m.nodes == design.nodes and m.target == design.target
    assert m.parents("X3") == () and m.children("X3") == ("X5",)
    m2 = design.do("X2")
    assert set(m2.edges) == set(EDGES) - {("X1", "X2")}
    assert m2.confounded == (("X1", "X4"),)
    assert design.edges == tuple(EDGES)  # unchanged
    with pytest.raises(ValueError, match="chain graph"):
        CausalGraph(NODES, components=[NODES]).do("X1")


def test_do_on_random_graphs():
    rng = random.Random(3)
    for _ in range(20):
        order, edges, conf = random_admg(rng)
        g = CausalGraph(order, edges, confounded=conf, constraints=[f"{order[0]} >= 0"])
        s = set(rng.sample(order, rng.randint(1, len(order))))
        m = g.do(s)
        assert set(m.edges) == {e for e in edges if e[1] not in s}
        assert {frozenset(p) for p in m.confounded} == {frozenset(p) for p in conf if not set(p) & s}
        assert m.constraints == g.constraints
        for n in s:
            assert m.parents(n) == ()


# ---------------------------------------------------------------------------------------------
# identity


def test_equality_hash_digest(design):
    same = CausalGraph(NODES, list(reversed(EDGES)), confounded=["X4 <-> X1"], target="y", name="lg_chain")
    assert same == design and hash(same) == hash(design) and same.digest() == design.digest()
    other = CausalGraph(NODES, EDGES[:-1], confounded=["X4 <-> X1"], target="y", name="lg_chain")
    assert other != design and other.digest() != design.digest()
    assert CausalGraph(list(reversed(NODES)), EDGES) != CausalGraph(NODES, EDGES)  # node order matters
    assert "n_nodes=5" in repr(design) and "lg_chain" in repr(design)


def test_digest_is_sha256_of_canonical_json():
    g = CausalGraph({"A": {"unit": "K"}, "B": {}}, ["A -> B"], target="y", constraints=["A > 0"])
    canonical = (
        '{"causalx":1,"components":null,"confounded":[],"constraints":["A > 0"],"edges":[["A","B"]],'
        '"name":null,"nodes":[["A",{"unit":"K"}],["B",{}]],"target":"y"}'
    )
    assert json.loads(canonical)  # well-formed
    assert g.digest() == hashlib.sha256(canonical.encode()).hexdigest()


# ---------------------------------------------------------------------------------------------
# interop


def test_networkx_round_trip(design):
    g = CausalGraph(
        {"X1": {"unit": "eV"}, "X2": {"type": "binary"}, "X3": {}}, ["X1 -> X2"], confounded=["X2 <-> X3"],
        components=[["X1"], ["X2", "X3"]], target="y", constraints=["X1 >= 0"], name="n",
    )
    for graph in (design, g, CausalGraph(NODES, components=[["X1", "X4"], ["X2", "X3", "X5"]])):
        nxg = graph.to_networkx()
        assert list(nxg.nodes) == list(graph.nodes)
        assert set(nxg.edges) == set(graph.edges)
        assert CausalGraph.from_networkx(nxg) == graph
    nxg = g.to_networkx()
    assert nxg.nodes["X1"] == {"unit": "eV"}
    assert nxg.graph["confounded"] == [("X2", "X3")]
    assert nxg.graph["constraints"] == ["X1 >= 0"]


def test_from_plain_networkx_digraph():
    plain = nx.DiGraph()
    plain.add_node("a", pos=(0, 1), unit="K")
    plain.add_edges_from([("a", "b"), ("b", "c")])
    g = CausalGraph.from_networkx(plain)
    assert g.nodes == ("a", "b", "c") and g.edges == (("a", "b"), ("b", "c"))
    assert g.node_attributes("a") == {"unit": "K"}  # layout attributes dropped
    with pytest.raises(TypeError, match="DiGraph"):
        CausalGraph.from_networkx(nx.Graph([("a", "b")]))
    cyclic = nx.DiGraph([("a", "b"), ("b", "a")])
    with pytest.raises(CyclicGraphError):
        CausalGraph.from_networkx(cyclic)


def test_pgmpy_round_trip(design):
    pytest.importorskip("pgmpy")
    from pgmpy.base import DAG

    dag = design.to_pgmpy()
    assert isinstance(dag, DAG)
    assert dag.latents == {"U_X1_X4"}
    assert set(dag.edges) == set(EDGES) | {("U_X1_X4", "X1"), ("U_X1_X4", "X4")}
    back = CausalGraph.from_pgmpy(dag, target="y", name="lg_chain")
    assert back == design
    # a latent node name that collides with a feature gets a suffix
    g = CausalGraph(["a", "b", "U_a_b"], confounded=["a <-> b"])
    assert g.to_pgmpy().latents == {"U_a_b_"}


def test_dowhy_structural_causal_model(design):
    gcm = pytest.importorskip("dowhy.gcm")
    no_conf = CausalGraph(NODES, EDGES)
    scm = gcm.StructuralCausalModel(no_conf.to_dowhy())
    assert set(scm.graph.nodes) == set(NODES)
    assert set(scm.graph.edges) == set(EDGES)
    with pytest.raises(ValueError, match="add_latents=True"):
        design.to_dowhy()
    scm = gcm.StructuralCausalModel(design.to_dowhy(add_latents=True))
    assert set(scm.graph.nodes) == set(NODES) | {"U_X1_X4"}
    assert set(scm.graph.edges) == set(EDGES) | {("U_X1_X4", "X1"), ("U_X1_X4", "X4")}
    assert nx.is_directed_acyclic_graph(scm.graph)


def test_dagitty_round_trip_and_format(design):
    text = design.to_dagitty()
    assert text == (
        "dag {\n X1\n X2\n X3\n X4\n X5\n X1 -> X2\n X1 -> X3\n X2 -> X3\n X3 -> X5\n X4 -> X5\n X1 <-> X4\n}"
    )
    assert CausalGraph.from_dagitty(text, target="y", name="lg_chain") == design
    weird = CausalGraph(['band gap "Eg"', "T (K)", "dag", "x.1"], ['T (K) -> band gap "Eg"', "dag -> x.1"],
                        confounded=['band gap "Eg" <-> x.1'])
    assert CausalGraph.from_dagitty(weird.to_dagitty()) == weird
    rng = random.Random(5)
    for _ in range(20):
        order, edges, conf = random_admg(rng, n_min=1)
        g = CausalGraph(order, edges, confounded=conf)
        assert CausalGraph.from_dagitty(g.to_dagitty()) == g


def test_from_dagitty_syntax():
    text = '''dag {
        bb="-3,-3,3,3"
        A [exposure,pos="-1.2,0.5"]
        "mean electronegativity" [outcome]
        A -> B -> C ; C <- D
        A <-> C
        {A D} -> E
    }'''
    g = CausalGraph.from_dagitty(text)
    assert g.nodes == ("A", "mean electronegativity", "B", "C", "D", "E")
    assert set(g.edges) == {("A", "B"), ("B", "C"), ("D", "C"), ("A", "E"), ("D", "E")}
    assert g.confounded == (("A", "C"),)


@pytest.mark.parametrize(
    "text, pattern",
    [
        ("dag { A -- B }", r"undirected edge 'A -- B' is not supported"),
        ("pdag { A -> B }", r"graph type 'pdag' is not supported"),
        ("dag { A -> B ", r"missing closing '\}'"),
        ("dag { A -> }", r"expected a node name"),
        ("dag { A -> B } extra", r"unexpected 'extra' after the closing"),
        ("dag { A -> B -> A }", r"cycle"),
        ("dag { A -> B \n  C ! D }", r"line 2, column 5: unexpected character '!'"),
    ],
)
def test_from_dagitty_errors(text, pattern):
    with pytest.raises(ValueError, match=pattern):
        CausalGraph.from_dagitty(text)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_dot_export_parses_back(design):
    pydot = pytest.importorskip("pydot")
    g = CausalGraph(['a "quoted"', "b c", "d"], ['a "quoted" -> b c'], confounded=["b c <-> d"], name="my graph")
    for graph in (design, g):
        text = graph.to_dot()
        (parsed,) = pydot.graph_from_dot_data(text)
        unq = lambda s: s[1:-1].replace('\\"', '"') if s.startswith('"') else s  # noqa: E731
        nodes = [unq(n.get_name()) for n in parsed.get_nodes() if n.get_name() not in ("node", "edge", "graph")]
        assert nodes == list(graph.nodes)
        directed, bidirected = set(), set()
        for e in parsed.get_edges():
            pair = (unq(e.get_source()), unq(e.get_destination()))
            if e.get_attributes().get("dir") == "both":
                assert e.get_attributes().get("style") == "dashed"
                bidirected.add(pair)
            else:
                directed.add(pair)
        assert directed == set(graph.edges)
        assert bidirected == set(graph.confounded)


def test_chain_graph_exports_implied_dag(chain):
    pytest.importorskip("pgmpy")
    dag = chain.to_pgmpy()
    observed = set(dag.nodes) - dag.latents
    assert observed == set(NODES)
    for x, y in itertools.combinations(NODES, 2):
        for k in range(4):
            for z in itertools.combinations([n for n in NODES if n not in (x, y)], k):
                assert chain.is_d_separated(x, y, z) == (not dag.is_dconnected(x, y, observed=list(z)))
    # between components every earlier node is a parent
    assert {("X1", "X2"), ("X4", "X2"), ("X2", "X5")} <= set(dag.edges)


def test_constraints_on_graph():
    g = CausalGraph(NODES, EDGES, constraints=["X2 >= 0", Constraint.parse("X3 < X5")])
    assert [c.text for c in g.constraints] == ["X2 >= 0", "X3 < X5"]
    assert g.constraints[1].coefficients == {"X3": 1.0, "X5": -1.0}


def test_interop_free_functions_match_the_methods(design):
    from causalx.graph import interop

    assert interop.to_dagitty(design) == design.to_dagitty()
    assert interop.to_dot(design) == design.to_dot()
    assert nx.utils.graphs_equal(interop.to_networkx(design), design.to_networkx())
    assert CausalGraph(**interop.read_dagitty(design.to_dagitty()), target="y", name="lg_chain") == design
    assert CausalGraph(**interop.read_networkx(design.to_networkx())) == design
