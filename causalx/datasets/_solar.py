"""Solar-cell fabrication simulator: process -> material parameters -> single-diode efficiency.

After the process/material/device layering of Ren et al. (2020), who embedded device physics
in a Bayesian network to find which process step limits a thin-film solar cell. Every row is
one fabrication run of a thin-film absorber (GaAs-like: n_i = 2e6 cm^-3):

process (logged)      growth_temp [degC], anneal_time [min] (coupled to growth_temp by the
                      recipe), dopant_flow [sccm], thickness [um], passivation [nm], humidity
                      [%RH] (logged by a load-lock sensor that reads high when the chamber is
                      hot; it has no effect on the device)
material (measured)   log_lifetime [log10 s], log_mobility [log10 cm^2/Vs],
                      log_diffusion_length [log10 cm] = 0.5 log10(D tau), D = (kT/q) mu,
                      log_srv [log10 cm/s] (back-surface recombination velocity)
hidden                contamination (chamber contamination: operators raise the growth
                      temperature set point when the chamber log shows it, and it kills
                      carrier lifetime and creates shunts); series and shunt resistance
device                single-diode model: J_sc from absorption and collection, J_0 of a
                      base of finite thickness with back-surface recombination, V_oc, the
                      fill factor of Green's empirical expressions with R_s and R_sh.

Long anneals heal bulk defects (longer lifetime) but drive dopant out-diffusion into the
contact (higher series resistance): the total effect of annealing on efficiency is positive,
its direct effect (with the material parameters held fixed) is negative.

The features are linear-Gaussian in the units given (log10 for material parameters), so
linear conditional-independence tests are valid for the declared graph when the confounder is
switched off.

References
----------
.. [1] Ren, Z., Oviedo, F., Thway, M., Tian, S. I. P., Wang, Y., Xue, H., Perea, J. D., Layurova,
   M., Heumueller, T., Birgersson, E., Aberle, A. G., Brabec, C. J., Stangl, R., Li, Q., Sun, S.,
   Lin, F., Peters, I. M., Buonassisi, T. (2020). Embedding physics domain knowledge into a
   Bayesian network enables layer-by-layer process innovation for photovoltaics. npj Comput.
   Mater. 6, 9.
.. [2] Green, M. A. (1982). Accuracy of analytical expressions for solar cell fill factors.
   Solar Cells 7, 337-340.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from causalx.datasets._truth import SimulationTruth, total_effects
from causalx.graph import CausalGraph
from causalx.utils.random import check_random_state

__all__ = ["SOLAR_FEATURES", "make_solar_cell", "solar_cell_graph"]

SOLAR_FEATURES = (
    "growth_temp", "anneal_time", "dopant_flow", "thickness", "passivation", "humidity",
    "log_lifetime", "log_mobility", "log_diffusion_length", "log_srv",
)
_NOISES = ("contamination", *SOLAR_FEATURES, "shunt", "series", "y")

_NODE_ATTRS = {
    "growth_temp": {"unit": "degC", "description": "absorber growth temperature set point"},
    "anneal_time": {"unit": "min", "description": "post-growth anneal time (recipe couples it to growth_temp)"},
    "dopant_flow": {"unit": "sccm", "description": "dopant precursor flow"},
    "thickness": {"unit": "um", "description": "absorber thickness"},
    "passivation": {"unit": "nm", "description": "rear passivation layer thickness"},
    "humidity": {"unit": "%RH", "description": "load-lock humidity from the run log (no effect on the device)"},
    "log_lifetime": {"unit": "log10 s", "description": "minority-carrier lifetime (TRPL)"},
    "log_mobility": {"unit": "log10 cm^2/Vs", "description": "minority-carrier mobility (Hall)"},
    "log_diffusion_length": {"unit": "log10 cm", "description": "diffusion length sqrt(D tau)"},
    "log_srv": {"unit": "log10 cm/s", "description": "rear surface recombination velocity"},
}
# what an experimenter can do to each feature: the five recipe settings are set (controls); the
# load-lock humidity (a sensor log) and the material parameters (TRPL, Hall, the diffusion length
# derived from both, SRV) are measured on each run, never set
_ROLES = {
    **dict.fromkeys(("growth_temp", "anneal_time", "dopant_flow", "thickness", "passivation"), "control"),
    **dict.fromkeys(("humidity", "log_lifetime", "log_mobility", "log_diffusion_length", "log_srv"), "measured"),
}
_EDGES = (
    ("growth_temp", "anneal_time"), ("growth_temp", "humidity"), ("growth_temp", "log_mobility"),
    ("growth_temp", "log_lifetime"), ("anneal_time", "log_lifetime"), ("dopant_flow", "log_lifetime"), ("dopant_flow", "log_mobility"),
    ("log_lifetime", "log_diffusion_length"), ("log_mobility", "log_diffusion_length"),
    ("passivation", "log_srv"),
)
_CONFOUNDED = (("growth_temp", "log_lifetime"), ("growth_temp", "log_srv"), ("log_lifetime", "log_srv"))

_VT = 0.025852  # thermal voltage at 300 K [V]
_Q = 1.602176634e-19
_NI = 2.0e6  # intrinsic carrier density [cm^-3]
_ALPHA = 1.5e4  # effective absorption coefficient [cm^-1]
_JPH = 0.032  # photogenerated current of a thick, perfectly collecting absorber [A/cm^2]


def solar_cell_graph(*, confounded: bool = True, target: str | None = "efficiency") -> CausalGraph:
    """The ground-truth graph over the simulator's features.

    With ``confounded=True`` the hidden chamber contamination appears as the bidirected edge
    ``growth_temp <-> log_lifetime``; ``confounded=False`` gives the graph a process engineer
    would draw (and the truth when the confounder is switched off).
    """
    return CausalGraph(
        nodes={k: dict(v, type="continuous", role=_ROLES[k]) for k, v in _NODE_ATTRS.items()},
        edges=list(_EDGES),
        confounded=list(_CONFOUNDED) if confounded else [],
        target=target,
        name="solar_cell",
    )


def _device(log_tau, log_mu, log_L, log_s, thickness_um, dopant_flow, r_s, r_sh):
    """Single-diode efficiency [%] of a p-type base at AM1.5G (100 mW/cm^2), 300 K."""
    D = _VT * 10.0**log_mu  # [cm^2/s]
    L = 10.0**log_L  # [cm]
    S = 10.0**log_s
    W = np.clip(thickness_um, 0.2, None) * 1e-4  # [cm]
    n_a = 1e17 * 10.0 ** (0.04 * (dopant_flow - 10.0))  # acceptor density [cm^-3]
    w = W / L
    absorbed = 1.0 - np.exp(-_ALPHA * W)
    collection = np.tanh(w) / w
    j_sc = _JPH * absorbed * collection
    sld = S * L / D
    geometry = (sld * np.cosh(w) + np.sinh(w)) / (sld * np.sinh(w) + np.cosh(w))
    j_0 = _Q * _NI**2 / n_a * D / L * geometry
    v_oc = _VT * np.log(j_sc / j_0 + 1.0)
    voc = v_oc / _VT
    ff0 = (voc - np.log(voc + 0.72)) / (voc + 1.0)
    rs = r_s * j_sc / v_oc
    ffs = ff0 * (1.0 - 1.1 * rs) + rs**2 / 5.4
    rsh = r_sh * j_sc / v_oc
    ff = np.clip(ffs * (1.0 - (voc + 0.7) / voc * ffs / rsh), 0.0, None)
    return 100.0 * j_sc * v_oc * ff / 0.1, j_sc, v_oc, ff


def _structural(noise: Mapping[str, np.ndarray], do: Mapping[str, np.ndarray], conf: float):
    """Evaluate the SCM on fixed exogenous noise with interventions ``do``."""
    e = noise
    c = e["contamination"]
    v: dict[str, np.ndarray] = {}

    def put(name, value):
        v[name] = np.asarray(do[name], dtype=float) * np.ones_like(c) if name in do else value

    # process: contamination shifts the temperature set point (operators compensate)
    put("growth_temp", 450.0 + 20.0 * (0.8 * conf * c + np.sqrt(1.0 - (0.8 * conf) ** 2) * e["growth_temp"]))
    put("anneal_time", 30.0 + 0.25 * (v["growth_temp"] - 450.0) + 5.0 * e["anneal_time"])
    put("dopant_flow", 10.0 + 2.0 * e["dopant_flow"])
    put("thickness", 2.0 + 0.4 * e["thickness"])
    put("passivation", 10.0 + 3.0 * e["passivation"])
    put("humidity", 40.0 + 0.5 * (v["growth_temp"] - 450.0) + 0.3 * e["humidity"])
    # material: anneal heals bulk defects, dopant adds recombination centres, contamination kills tau
    put("log_lifetime", -8.0 + 0.02 * (v["anneal_time"] - 30.0) - 0.05 * (v["dopant_flow"] - 10.0)
        - 0.002 * (v["growth_temp"] - 450.0) - 0.2 * conf * c + 0.12 * e["log_lifetime"])
    put("log_mobility", 2.7 + 0.006 * (v["growth_temp"] - 450.0) - 0.03 * (v["dopant_flow"] - 10.0)
        + 0.06 * e["log_mobility"])
    put("log_diffusion_length", 0.5 * (np.log10(_VT) + v["log_mobility"] + v["log_lifetime"])
        + 0.03 * e["log_diffusion_length"])
    put("log_srv", 5.0 - 0.1 * (v["passivation"] - 10.0) + 0.15 * conf * c + 0.15 * e["log_srv"])
    # hidden device quantities: shunts from contamination, series resistance from out-diffusion
    r_sh = 10.0 ** (3.3 - 0.6 * conf * c + 0.1 * e["shunt"])
    r_s = np.clip(1.0 + 0.03 * (v["anneal_time"] - 30.0) + 0.1 * e["series"], 0.05, None)
    eff, j_sc, v_oc, ff = _device(v["log_lifetime"], v["log_mobility"], v["log_diffusion_length"],
                                  v["log_srv"], v["thickness"], v["dopant_flow"], r_s, r_sh)
    v["_hidden"] = {"contamination": c * conf, "series_resistance": r_s, "shunt_resistance": r_sh,
                    "j_sc": j_sc, "v_oc": v_oc, "fill_factor": ff}
    return v, eff + 0.2 * e["y"]


def _draw_noise(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    z = rng.standard_normal((len(_NOISES), n))
    return dict(zip(_NOISES, z))


def make_solar_cell(n: int = 2000, *, confounded: bool = True, random_state=0):
    """Simulated thin-film solar-cell fabrication runs with a known causal ground truth.

    Parameters
    ----------
    n : int, default 2000
        Number of fabrication runs.
    confounded : bool, default True
        Switch the hidden chamber contamination on (it shifts the growth-temperature set point
        and lowers carrier lifetime and shunt resistance) or off.
    random_state : int, Generator or None, default 0

    Returns
    -------
    X : DataFrame of shape (n, 10)
        Process log and measured material parameters (columns :data:`SOLAR_FEATURES`).
    y : ndarray of shape (n,)
        Power-conversion efficiency [%].
    truth : SimulationTruth
        Ground-truth graph (``growth_temp <-> log_lifetime`` when confounded), the declared
        graph without the hidden cause, true total and direct effects per standard deviation
        (``humidity`` has none), the hidden variables and a ``simulate`` function.

    Examples
    --------
    >>> X, y, truth = make_solar_cell(500, random_state=0)
    >>> X.shape, round(float(truth.total_effects["humidity"]), 6)
    ((500, 10), 0.0)
    >>> bool(truth.total_effects["anneal_time"] > 0 > truth.direct_effects["anneal_time"])
    True
    """
    import pandas as pd

    if int(n) < 2:
        raise ValueError(f"n must be an integer >= 2, got {n!r}.")
    conf = 1.0 if confounded else 0.0
    rng = check_random_state(random_state)
    noise = _draw_noise(int(n), rng)
    values, y = _structural(noise, {}, conf)
    X = pd.DataFrame({f: values[f] for f in SOLAR_FEATURES})
    hidden = pd.DataFrame(values["_hidden"])

    def structural(noise_, do):
        return _structural(noise_, do, conf)

    # effects on a large fixed population, independent of n
    big = _draw_noise(20000, np.random.default_rng(12345))
    total = total_effects(structural, big, list(SOLAR_FEATURES))
    direct = total_effects(structural, big, list(SOLAR_FEATURES), direct=True)
    total["humidity"] = 0.0  # exactly zero by construction (no path); remove float round-off
    direct["humidity"] = 0.0

    def simulate(n_rows: int, do: Mapping[str, object] | None = None, random_state=None):
        nz = _draw_noise(int(n_rows), check_random_state(random_state))
        vals, yy = _structural(nz, dict(do or {}), conf)
        return pd.DataFrame({f: vals[f] for f in SOLAR_FEATURES}), yy

    truth = SimulationTruth(
        graph=solar_cell_graph(confounded=confounded),
        declared_graph=solar_cell_graph(confounded=False),
        total_effects=total,
        direct_effects=direct,
        hidden=hidden,
        zero_effect=("humidity",),
        hidden_confounder="contamination" if confounded else None,
        confounded_pairs=_CONFOUNDED if confounded else (),
        simulate=simulate,
        notes={"confounded": bool(confounded), "n_i": _NI, "alpha_cm": _ALPHA, "j_ph": _JPH},
    )
    return X, np.asarray(y, dtype=float), truth
