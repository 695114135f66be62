"""Example data: linear-Gaussian SCMs with closed-form oracles, materials-science simulators, real
data sets read offline, and the packaged example graph specs (:func:`graph_path`, :func:`list_graphs`)."""

from causalx.datasets._specs import graph_path, list_graphs
from causalx.datasets._synthetic import LinearSCM, make_lg_chain, make_linear_scm

__all__ = ["LinearSCM", "graph_path", "list_graphs", "make_lg_chain", "make_linear_scm"]
from causalx.datasets._dielectric import DIELECTRIC_FEATURES, dielectric_crystal_graph, make_dielectric_crystal
from causalx.datasets._solar import SOLAR_FEATURES, make_solar_cell, solar_cell_graph
from causalx.datasets._truth import SimulationTruth

__all__ += [
    "DIELECTRIC_FEATURES", "SOLAR_FEATURES", "SimulationTruth", "dielectric_crystal_graph",
    "make_dielectric_crystal", "make_solar_cell", "solar_cell_graph",
]
from causalx.datasets._bandgap import BANDGAP_FEATURES, bandgap_graph, load_bandgap
from causalx.datasets._dielectric_liquids import (
    DIELECTRIC_LIQUID_FEATURES, dielectric_liquids_graph, load_dielectric_liquids,
)
from causalx.datasets._physics import kirkwood_g
from causalx.datasets._solubility import SOLUBILITY_FEATURES, load_solubility, solubility_graph

__all__ += [
    "BANDGAP_FEATURES", "DIELECTRIC_LIQUID_FEATURES", "SOLUBILITY_FEATURES", "bandgap_graph",
    "dielectric_liquids_graph", "kirkwood_g", "load_bandgap", "load_dielectric_liquids", "load_solubility",
    "solubility_graph",
]
