"""Example data: linear-Gaussian SCMs with closed-form oracles, and materials-science simulators."""

from causalx.datasets._synthetic import LinearSCM, make_lg_chain, make_linear_scm

__all__ = ["LinearSCM", "make_lg_chain", "make_linear_scm"]
from causalx.datasets._dielectric import DIELECTRIC_FEATURES, dielectric_crystal_graph, make_dielectric_crystal
from causalx.datasets._solar import SOLAR_FEATURES, make_solar_cell, solar_cell_graph
from causalx.datasets._truth import SimulationTruth

__all__ += [
    "DIELECTRIC_FEATURES", "SOLAR_FEATURES", "SimulationTruth", "dielectric_crystal_graph",
    "make_dielectric_crystal", "make_solar_cell", "solar_cell_graph",
]
from causalx.datasets._real import (
    BANDGAP_FEATURES, DIELECTRIC_LIQUID_FEATURES, SOLUBILITY_FEATURES, bandgap_graph, dielectric_liquids_graph,
    kirkwood_g, load_bandgap, load_dielectric_liquids, load_solubility, solubility_graph,
)

__all__ += [
    "BANDGAP_FEATURES", "DIELECTRIC_LIQUID_FEATURES", "SOLUBILITY_FEATURES", "bandgap_graph",
    "dielectric_liquids_graph", "kirkwood_g", "load_bandgap", "load_dielectric_liquids", "load_solubility",
    "solubility_graph",
]
