"""Static permittivity of polar organic liquids at 25 degC (CRC tables shipped by ``chemicals``).

Sources and licences: :mod:`causalx.datasets._sources`; the graph: the packaged spec
``graphs/dielectric_liquids.yaml``; the Kirkwood g factor: :mod:`causalx.datasets._physics`.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from causalx.graph import CausalGraph
from causalx.datasets._physics import kirkwood_g
from causalx.datasets._sources import (
    _chemicals_dir, _data_file, _first, _identifiers, _read_tsv, _require_rdkit,
)
from causalx.datasets._specs import _packaged_graph

__all__ = ["DIELECTRIC_LIQUID_FEATURES", "dielectric_liquids_graph", "load_dielectric_liquids"]

DIELECTRIC_LIQUID_FEATURES = ("hbd", "dipole", "tpsa", "molar_volume", "refractive_index")


def dielectric_liquids_graph() -> CausalGraph:
    """H-bond donors -> dipole -> TPSA (a proxy); molar volume -> refractive index.

    The packaged spec ``graphs/dielectric_liquids.yaml`` (which explains every edge), loaded from
    the installed package: :func:`causalx.datasets.graph_path` ``("dielectric_liquids")``.
    """
    return _packaged_graph("dielectric_liquids")


def _permittivity_at(frame, temperature: float):
    """Static permittivity at ``temperature`` from the CRC fit (A + B T + C T^2 + D T^3, in its range),
    else the tabulated point value if it was measured within 10 K of ``temperature``."""
    import pandas as pd

    coef = frame[["A", "B", "C", "D"]].fillna(0.0).to_numpy(float)
    t = float(temperature)
    fit = coef @ np.array([1.0, t, t**2, t**3])
    has_fit = frame["A"].notna() & (frame["Tmin"].fillna(np.inf) <= t + 5) & (frame["Tmax"].fillna(-np.inf) >= t - 5)
    point = frame["Permittivity"].where((frame["T"] - t).abs() <= 10.0)
    return pd.Series(np.where(has_fit, fit, point), index=frame.index)


@functools.lru_cache(maxsize=1)
def _dielectric_table(temperature: float = 298.15):
    purpose = "load_dielectric_liquids()"
    Chem = _require_rdkit(purpose)
    from rdkit.Chem import rdMolDescriptors

    chem_dir = _chemicals_dir(purpose)
    perm = _read_tsv(_data_file(chem_dir, "Electrolytes", "Permittivity (Dielectric Constant) of Liquids.tsv",
                                pip_name="chemicals"))
    perm["permittivity"] = _permittivity_at(perm, temperature)
    table = perm.loc[perm["permittivity"].notna(), ["CAS", "Chemical", "permittivity"]].drop_duplicates("CAS")
    n_source = int(perm["CAS"].nunique())
    n_at_t = int(len(table))
    dip = None
    for name in ("Poling Dipole.csv", "cccbdb.nist.gov Dipoles.csv", "Muller Supporting Info Dipoles.csv"):
        d = _first(_read_tsv(_data_file(chem_dir, "Misc", name, pip_name="chemicals")), "CAS", "dipole_moment")
        dip = d if dip is None else dip.combine_first(d)
    crc = _read_tsv(_data_file(chem_dir, "Misc", "Physical Constants of Organic Compounds.csv", pip_name="chemicals"))
    ri = _read_tsv(_data_file(chem_dir, "Misc", "CRC Handbook Organic RI.csv", pip_name="chemicals"))
    ids = _identifiers(str(chem_dir)).drop_duplicates("CAS").set_index("CAS")
    table["dipole"] = table["CAS"].map(dip)
    table["refractive_index"] = table["CAS"].map(_first(ri, "CAS", "RI")).fillna(table["CAS"].map(_first(crc, "CAS", "RI")))
    table["density"] = table["CAS"].map(_first(crc, "CAS", "rho"))  # kg/m^3
    table["smiles"] = table["CAS"].map(ids["smiles"])
    table["MW"] = table["CAS"].map(ids["MW"])
    table = table.dropna(subset=["dipole", "refractive_index", "density", "smiles", "MW"])
    n_joined = int(len(table))
    hbd, tpsa = [], []
    for smi in table["smiles"]:
        mol = Chem.MolFromSmiles(smi)
        hbd.append(np.nan if mol is None else rdMolDescriptors.CalcNumHBD(mol))
        tpsa.append(np.nan if mol is None else float(rdMolDescriptors.CalcTPSA(mol)))
    table["hbd"] = hbd
    table["tpsa"] = tpsa
    table["molar_volume"] = table["MW"] / (table["density"] / 1000.0)  # cm^3/mol
    # a dielectric-liquids study of polar molecules: permittivity above n^2 (orientational part)
    # and a measurable dipole; drops ions/salts (SMILES with '.'), gases and fused solids
    ok = table["hbd"].notna() & ~table["smiles"].str.contains(".", regex=False)
    ok &= (table["dipole"] > 0.3) & (table["permittivity"] > table["refractive_index"] ** 2 + 0.5)
    ok &= table["refractive_index"].between(1.2, 1.8) & table["density"].between(500, 3500)
    table = table[ok].reset_index(drop=True)
    table["kirkwood_g"] = kirkwood_g(table["permittivity"], table["refractive_index"], table["dipole"],
                                     table["molar_volume"], temperature)
    counts = {"n_source": n_source, "n_at_temperature": n_at_t, "n_joined": n_joined, "n_rows": int(len(table)),
              "n_dropped": int(n_source - len(table))}
    return table, counts


def load_dielectric_liquids():
    """Static permittivity of polar organic liquids at 25 degC with their molecular properties.

    Permittivity from the CRC table that ``chemicals`` ships (its temperature fit at 298.15 K, or
    a point value measured within 10 K), joined by CAS with the gas-phase dipole moment (Poling,
    else NIST CCCBDB, else Muller), the refractive index and density (CRC) and the PubChem SMILES
    (for RDKit H-bond donors and TPSA). Kept: single molecules with a dipole above 0.3 D whose
    permittivity exceeds n^2 + 0.5 (so the orientational part is measurable).

    Returns
    -------
    X : DataFrame
        Columns :data:`DIELECTRIC_LIQUID_FEATURES`.
    y : Series
        ``permittivity`` (relative static permittivity).
    graph : CausalGraph
        :func:`dielectric_liquids_graph`.
    metadata : dict
        ``source``, ``licence``, join counts and ``frame`` (with the Kirkwood g factor of each
        liquid from :func:`kirkwood_g`).

    Examples
    --------
    >>> X, y, graph, meta = load_dielectric_liquids()  # doctest: +SKIP
    """
    _require_rdkit("load_dielectric_liquids()")
    _chemicals_dir("load_dielectric_liquids()")
    table, counts = _dielectric_table()
    table = table.copy()
    X = table[list(DIELECTRIC_LIQUID_FEATURES)].astype(float)
    y = table["permittivity"].rename("permittivity")
    meta: dict[str, Any] = {
        "name": "dielectric_liquids",
        "source": "chemicals: 'Permittivity (Dielectric Constant) of Liquids.tsv' (CRC Handbook), 'Poling Dipole.csv', "
                  "'cccbdb.nist.gov Dipoles.csv', 'Muller Supporting Info Dipoles.csv', 'CRC Handbook Organic RI.csv', "
                  "'Physical Constants of Organic Compounds.csv', PubChem identifier tables",
        "licence": "chemicals: MIT; RDKit: BSD-3-Clause. Underlying data: CRC Handbook of Chemistry and Physics; "
                   "Poling, Prausnitz & O'Connell; NIST CCCBDB (public domain); PubChem (public domain).",
        "references": ["Fröhlich, Theory of Dielectrics (1958)", "Kirkwood, J. Chem. Phys. 7, 911 (1939)"],
        "target": "permittivity",
        "temperature": 298.15,
        "frame": table,
        **counts,
    }
    return X, y, dielectric_liquids_graph(), meta
