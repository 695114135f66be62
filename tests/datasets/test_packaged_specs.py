"""The example graph specs are package data (one copy), and the dataset graphs are those specs."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

import causalx
from causalx.datasets import (
    BANDGAP_FEATURES, DIELECTRIC_LIQUID_FEATURES, SOLUBILITY_FEATURES, bandgap_graph, dielectric_crystal_graph,
    dielectric_liquids_graph, graph_path, list_graphs, make_lg_chain, solar_cell_graph, solubility_graph,
)
from causalx.graph import load_graph

ROOT = Path(__file__).resolve().parents[2]
PACKAGED = Path(causalx.__file__).resolve().parent / "datasets" / "graphs"


def test_top_level_graphs_is_a_relative_link_to_the_packaged_specs():
    link = ROOT / "graphs"
    assert link.is_symlink(), "graphs/ must be a link to causalx/datasets/graphs, not a second copy"
    target = os.readlink(link)
    assert not os.path.isabs(target), target
    assert link.resolve() == (ROOT / "causalx" / "datasets" / "graphs").resolve()
    assert sorted(p.name for p in link.glob("*.yaml")) == sorted(p.name for p in PACKAGED.glob("*.yaml"))
    # what the README and the case-study configs reference
    assert (ROOT / "case_studies" / "solar_cell" / "../../graphs/solar_cell.yaml").resolve() == graph_path("solar_cell")


def test_list_graphs_names_every_packaged_spec():
    names = list_graphs()
    assert names == tuple(sorted(p.stem for p in PACKAGED.glob("*.yaml")))
    assert {"lg_chain", "solar_cell", "bandgap", "solubility", "dielectric_liquids"} <= set(names)


@pytest.mark.parametrize("name", list_graphs())
def test_graph_path_loads(name):
    path = graph_path(name)
    assert path.is_file() and path.resolve().parent == PACKAGED
    assert graph_path(name + ".yaml") == path
    load_graph(path)  # every packaged spec is valid


def test_graph_path_bad_name_lists_available_names():
    with pytest.raises(ValueError, match=r"lg_chai.*Available: .*lg_chain.*Did you mean 'lg_chain'"):
        graph_path("lg_chai")
    with pytest.raises(ValueError, match=r"Available: bandgap, "):
        graph_path("graphs/lg_chain.yaml")
    with pytest.raises(TypeError, match="str"):
        graph_path(Path("lg_chain"))  # type: ignore[arg-type]


def test_package_data_declares_the_specs():
    if sys.version_info < (3, 11):  # pragma: no cover
        pytest.skip("tomllib needs Python 3.11")
    import fnmatch
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    globs = config["tool"]["setuptools"]["package-data"]["causalx"]
    pkg = ROOT / "causalx"
    for spec in PACKAGED.glob("*.yaml"):
        rel = spec.relative_to(pkg).as_posix()
        assert any(fnmatch.fnmatch(rel, g) for g in globs), rel
    for g in globs:  # no declaration for files that do not exist
        assert list(pkg.glob(g)), f"package-data {g!r} matches nothing under causalx/"


# ------------------------------------------------------------------------------ code graphs == specs
@pytest.mark.parametrize(
    "build, name, features",
    [
        (solubility_graph, "solubility", SOLUBILITY_FEATURES),
        (bandgap_graph, "bandgap", BANDGAP_FEATURES),
        (dielectric_liquids_graph, "dielectric_liquids", DIELECTRIC_LIQUID_FEATURES),
    ],
)
def test_real_data_graphs_are_the_packaged_specs(build, name, features):
    graph = build()
    assert graph == load_graph(ROOT / "graphs" / f"{name}.yaml")
    assert graph.nodes == features  # the loaders' columns are the graph's nodes, in order
    assert graph.target is not None and graph.target not in graph.nodes


def test_simulator_graphs_match_their_specs():
    # the solar cell spec is the graph a process engineer draws: the simulator's, without the hidden cause
    assert solar_cell_graph(confounded=False) == load_graph(graph_path("solar_cell"))
    assert solar_cell_graph().edges == load_graph(graph_path("solar_cell")).edges
    assert dielectric_crystal_graph() == load_graph(graph_path("dielectric_crystal"))
    # lg_chain.yaml adds components, attributes and constraints to the SCM's graph
    scm_graph = make_lg_chain(10)[2].graph()
    spec = load_graph(graph_path("lg_chain"))
    assert (scm_graph.nodes, scm_graph.edges, scm_graph.confounded, scm_graph.target) == (
        spec.nodes, spec.edges, spec.confounded, spec.target
    )
