"""Dielectric-constant simulator for binary ionic crystals: Clausius-Mossotti + rigid ions.

Every row is one AB crystal. The static dielectric constant is the electronic part plus the
ionic (lattice) part:

    (eps_inf - 1) / (eps_inf + 2) = (4 pi / 3) alpha / V           (Clausius-Mossotti)
    eps_0 = eps_inf + Z*^2 e^2 / (eps_vac V k)                      (rigid-ion model)

with the total ion polarisability alpha and the volume V per formula unit (both in A^3), the
Born effective charge Z*, and the force constant k = mu omega_TO^2 of the transverse optical
mode. The static response depends on the *force constant*, not on the ion mass: a heavier ion
lowers the phonon frequency omega_TO = sqrt(k / mu) by exactly the amount that leaves
mu omega_TO^2 unchanged. Ion mass therefore has exactly zero causal effect on eps_0, although it
is strongly correlated with the polarisability (both grow down the periodic table) and a model
given the phonon frequency uses it.

Features (observed):

    period            mean period of the two ions (2 ... 6, half-integer steps)
    en_difference     electronegativity difference (Pauling), the ionicity
    ion_mass          reduced ion mass [amu]                       <- period
    radius            mean ionic radius [A]                        <- period
    volume            volume per formula unit [A^3]                <- radius
    polarizability    total ion polarisability [A^3]               <- radius
    born_charge       Born effective charge [e]                    <- en_difference
    phonon_freq       TO phonon frequency [THz]                    <- ion_mass, radius (via k)

The force constant k is hidden (it is what the infrared spectrum measures through omega_TO).
There is no hidden confounder: the graph is the truth.

References
----------
.. [1] Kittel, C. (2005). Introduction to Solid State Physics, 8th ed., ch. 14-16 (Clausius-
   Mossotti relation; Lyddane-Sachs-Teller and the ionic contribution).
.. [2] Born, M., Huang, K. (1954). Dynamical Theory of Crystal Lattices. Oxford.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from causalx.datasets._truth import SimulationTruth, total_effects
from causalx.graph import CausalGraph
from causalx.utils.random import check_random_state

__all__ = ["DIELECTRIC_FEATURES", "dielectric_crystal_graph", "make_dielectric_crystal"]

DIELECTRIC_FEATURES = (
    "period", "en_difference", "ion_mass", "radius", "volume", "polarizability", "born_charge",
)
_NOISES = ("period", "en_difference", "ion_mass", "radius", "volume", "polarizability", "born_charge",
           "force_constant", "y")
_NODE_ATTRS = {
    "period": {"description": "mean period of the two ions", "type": "ordinal"},
    "en_difference": {"description": "Pauling electronegativity difference (ionicity)"},
    "ion_mass": {"unit": "amu", "description": "reduced mass of the ion pair (no effect on eps_0)"},
    "radius": {"unit": "angstrom", "description": "mean ionic radius"},
    "volume": {"unit": "angstrom^3", "description": "volume per formula unit"},
    "polarizability": {"unit": "angstrom^3", "description": "total electronic polarisability of the ions"},
    "born_charge": {"unit": "e", "description": "Born effective charge"},
}
_EDGES = (
    ("period", "ion_mass"), ("period", "radius"), ("radius", "volume"), ("radius", "polarizability"),
    ("en_difference", "born_charge"),
)
# e^2 / (eps_vac * 1 A^3 * 1 N/m): the ionic term in these units
_IONIC_UNIT = (1.602176634e-19) ** 2 / (8.8541878128e-12 * 1e-30)
_AMU = 1.66053906660e-27


def dielectric_crystal_graph(*, target: str | None = "epsilon") -> CausalGraph:
    """The ground-truth graph over :func:`make_dielectric_crystal`'s features."""
    # every feature is intrinsic to the chosen crystal (composition and structure): a property
    nodes = {k: dict({"type": "continuous", "role": "property"}, **v) for k, v in _NODE_ATTRS.items()}
    return CausalGraph(nodes=nodes, edges=list(_EDGES), target=target, name="dielectric_crystal",
                       constraints=["ion_mass > 0", "volume > 0", "polarizability > 0"])


def _structural(noise: Mapping[str, np.ndarray], do: Mapping[str, np.ndarray], period_draw: np.ndarray):
    e = noise
    v: dict[str, np.ndarray] = {}

    def put(name, value):
        v[name] = np.asarray(do[name], dtype=float) * np.ones_like(period_draw) if name in do else value

    put("period", period_draw)
    put("en_difference", np.clip(1.6 + 0.5 * e["en_difference"], 0.3, None))
    put("ion_mass", np.clip(7.0 * v["period"] + 0.8 * e["ion_mass"], 0.5, None))
    put("radius", 0.55 + 0.2 * v["period"] + 0.07 * e["radius"])
    r = np.clip(v["radius"], 0.3, None)
    put("volume", 16.0 * r**3 * np.exp(0.05 * e["volume"]))
    put("polarizability", 1.5 * r**3 * (r / 1.35) ** 0.5 * np.exp(0.15 * e["polarizability"]))
    put("born_charge", 0.6 + 0.5 * v["en_difference"] + 0.1 * e["born_charge"])
    # hidden force constant [N/m]: longer, softer bonds down the table; mass plays no part
    k = 30.0 * (r / 1.35) ** -2 * np.exp(-0.3 * (v["period"] - 4.0) + 0.1 * e["force_constant"])
    mass = np.clip(v["ion_mass"], 0.5, None)
    phonon = np.sqrt(k / (mass * _AMU)) / (2 * np.pi) / 1e12  # TO frequency [THz], not a feature
    ratio = np.clip(4 * np.pi / 3 * v["polarizability"] / np.clip(v["volume"], 1.0, None), 0.0, 0.9)
    eps_inf = (1 + 2 * ratio) / (1 - ratio)
    eps_ion = _IONIC_UNIT * v["born_charge"] ** 2 / (np.clip(v["volume"], 1.0, None) * k)
    v["_hidden"] = {"force_constant": k, "phonon_freq": phonon, "eps_electronic": eps_inf, "eps_ionic": eps_ion}
    return v, eps_inf + eps_ion + 0.05 * e["y"]


def _draw(n: int, rng: np.random.Generator):
    z = dict(zip(_NOISES, rng.standard_normal((len(_NOISES), n))))
    period = (rng.integers(2, 7, n) + rng.integers(2, 7, n)) / 2.0
    return z, period


def make_dielectric_crystal(n: int = 2000, *, random_state=0):
    """Simulated binary ionic crystals with a known causal ground truth for eps_0.

    Parameters
    ----------
    n : int, default 2000
    random_state : int, Generator or None, default 0

    Returns
    -------
    X : DataFrame of shape (n, 8)
        Columns :data:`DIELECTRIC_FEATURES`.
    y : ndarray of shape (n,)
        Static dielectric constant eps_0.
    truth : SimulationTruth
        Graph (no hidden confounder), true effects per standard deviation (``ion_mass`` has
        exactly none), hidden force constant and the electronic/ionic split.

    Examples
    --------
    >>> X, y, truth = make_dielectric_crystal(400, random_state=0)
    >>> float(truth.total_effects["ion_mass"])
    0.0
    >>> bool(X["ion_mass"].corr(X["polarizability"]) > 0.5)
    True
    """
    import pandas as pd

    if int(n) < 2:
        raise ValueError(f"n must be an integer >= 2, got {n!r}.")
    rng = check_random_state(random_state)
    noise, period = _draw(int(n), rng)
    values, y = _structural(noise, {}, period)
    X = pd.DataFrame({f: values[f] for f in DIELECTRIC_FEATURES})
    big_noise, big_period = _draw(20000, np.random.default_rng(54321))

    def structural(noise_, do):
        return _structural(noise_, do, big_period)

    total = total_effects(structural, big_noise, list(DIELECTRIC_FEATURES))
    direct = total_effects(structural, big_noise, list(DIELECTRIC_FEATURES), direct=True)
    total["ion_mass"] = 0.0  # mu * omega^2 = k: exact cancellation (float round-off removed)
    direct["ion_mass"] = float(direct["ion_mass"])  # the model-level direct effect is not zero

    def simulate(n_rows: int, do: Mapping[str, object] | None = None, random_state=None):
        g = check_random_state(random_state)
        nz, per = _draw(int(n_rows), g)
        vals, yy = _structural(nz, dict(do or {}), per)
        return pd.DataFrame({f: vals[f] for f in DIELECTRIC_FEATURES}), yy

    graph = dielectric_crystal_graph()
    truth = SimulationTruth(
        graph=graph, declared_graph=graph, total_effects=total, direct_effects=direct,
        hidden=pd.DataFrame(values["_hidden"]), zero_effect=("ion_mass",), hidden_confounder=None,
        confounded_pairs=(), simulate=simulate, notes={"ionic_unit": _IONIC_UNIT},
    )
    return X, np.asarray(y, dtype=float), truth
