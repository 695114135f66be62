"""Build this study's files: the Magpie features (data.csv), the family graph (graph.yaml), the model.

Three steps, each its own sub-command (all three by default)::

    # 1. features: needs matminer (which pulls pymatgen and would change pandas/scipy, so use a venv)
    python3 -m venv /tmp/venv-magpie && /tmp/venv-magpie/bin/pip install matminer pandas
    /tmp/venv-magpie/bin/python case_studies/magpie/make_data.py features
    # 2.-3. the graph spec and the LightGBM model (the causalx environment; no matminer)
    python case_studies/magpie/make_data.py graph model

``features`` reads the 2,413 reduced formulas and their (median) experimental gaps of the band-gap
study (``case_studies/bandgap/data.csv``; Zhuo, Mansouri Tehrani & Brgoch 2018), parses each with
matminer's ``StrToComposition`` and computes the 132 Magpie descriptors of
``ElementProperty.from_preset("magpie")`` (22 element properties x 6 statistics over the
composition) from the element table matminer ships (``matminer/utils/data_files/magpie_elementdata``;
nothing is downloaded). Columns are renamed ``MagpieData <stat> <Property>`` -> ``<Property>_<stat>``.

``graph`` writes ``graph.yaml``: the non-constant features as nodes, the 11 property families below as
``groups`` and an ordered chain of components over the families (the reasoning is in the YAML's
header and in the README).

Three of the 132 features are constant over these formulas (``NfValence_minimum``,
``NfUnfilled_minimum``, ``NfUnfilled_mode``: no formula is all f-block); data.csv keeps them, the graph
and the model use the other 129.

``model`` fits a LightGBM regressor on the 129 non-constant features, prints its 5-fold CV R^2 and saves it
with joblib to ``model.joblib`` (the config loads it with ``trust: true``).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent / "bandgap" / "data.csv"
TARGET = "band_gap"

#: the 22 element properties of matminer's Magpie preset, in its order
PROPERTIES = (
    "Number", "MendeleevNumber", "AtomicWeight", "MeltingT", "Column", "Row", "CovalentRadius",
    "Electronegativity", "NsValence", "NpValence", "NdValence", "NfValence", "NValence", "NsUnfilled",
    "NpUnfilled", "NdUnfilled", "NfUnfilled", "NUnfilled", "GSvolume_pa", "GSbandgap", "GSmagmom",
    "SpaceGroupNumber",
)
#: the 6 statistics over the composition (fractions as weights for mean / avg_dev)
STATS = ("minimum", "maximum", "range", "mean", "avg_dev", "mode")

#: element properties whose value is an integer (their minimum / maximum / range / mode are integers)
INTEGER_PROPERTIES = frozenset({
    "Number", "MendeleevNumber", "Column", "Row", "NsValence", "NpValence", "NdValence", "NfValence",
    "NValence", "NsUnfilled", "NpUnfilled", "NdUnfilled", "NfUnfilled", "NUnfilled", "SpaceGroupNumber",
})

#: family -> (element properties, one-line description); 11 families cover the 22 properties once
FAMILIES: dict[str, tuple[tuple[str, ...], str]] = {
    "position": (("Number", "MendeleevNumber", "Row", "Column"),
                 "periodic-table position: atomic number, Mendeleev number, row, column"),
    "mass": (("AtomicWeight",), "atomic weight (nucleus; no electronic role)"),
    "valence_sp": (("NsValence", "NpValence", "NsUnfilled", "NpUnfilled"),
                   "filled and unfilled s and p valence orbitals"),
    "valence_df": (("NdValence", "NfValence", "NdUnfilled", "NfUnfilled"),
                   "filled and unfilled d and f valence orbitals"),
    "valence_total": (("NValence", "NUnfilled"), "total valence electrons and unfilled valence states"),
    "size": (("CovalentRadius",), "covalent radius"),
    "electronegativity": (("Electronegativity",), "Pauling electronegativity"),
    "gs_volume": (("GSvolume_pa",), "volume per atom of the elemental solid (DFT ground state)"),
    "gs_electronic": (("GSbandgap", "GSmagmom"), "band gap and magnetic moment of the elemental solid (DFT)"),
    "gs_structure": (("SpaceGroupNumber",), "space group of the elemental solid"),
    "melting": (("MeltingT",), "melting temperature of the element"),
}
#: ordered chain components over the families (earlier ones explain later ones; see graph.yaml)
COMPONENTS = (
    ("position",),
    ("valence_sp", "valence_df", "valence_total"),
    ("size", "electronegativity"),
    ("gs_volume", "gs_electronic", "gs_structure", "melting"),
    ("mass",),
)

UNITS = {"AtomicWeight": "amu", "MeltingT": "K", "CovalentRadius": "pm", "GSvolume_pa": "angstrom^3",
         "GSbandgap": "eV", "GSmagmom": "Bohr magneton"}


def feature_name(prop: str, stat: str) -> str:
    """``Electronegativity_mean`` for matminer's ``MagpieData mean Electronegativity``."""
    return f"{prop}_{stat}"


FEATURES = tuple(feature_name(p, s) for p in PROPERTIES for s in STATS)


def constant_features() -> list[str]:
    """Features constant in data.csv (no formula is all f-block: the f minimum is 0 everywhere)."""
    import pandas as pd

    df = pd.read_csv(HERE / "data.csv", usecols=list(FEATURES))
    return [c for c in FEATURES if df[c].nunique() == 1]


def model_features() -> list[str]:
    """The non-constant Magpie features: the graph's nodes and the model's columns (129 of 132)."""
    const = set(constant_features())
    return [c for c in FEATURES if c not in const]


def groups(features=FEATURES) -> dict[str, list[str]]:
    """Family -> its feature names among ``features`` (each property's 6 statistics)."""
    keep = set(features)
    return {fam: [feature_name(p, s) for p in props for s in STATS if feature_name(p, s) in keep]
            for fam, (props, _) in FAMILIES.items()}


def make_features() -> None:
    """Write data.csv: composition, the 132 Magpie features, band_gap (needs matminer)."""
    import importlib.metadata as md

    import pandas as pd
    from matminer.featurizers.composition import ElementProperty
    from matminer.featurizers.conversions import StrToComposition

    src = pd.read_csv(SOURCE, usecols=["composition", TARGET])
    df = StrToComposition(target_col_id="pmg_composition").featurize_dataframe(
        src, "composition", pbar=False)
    ep = ElementProperty.from_preset("magpie")
    assert tuple(ep.features) == PROPERTIES and tuple(ep.stats) == STATS, (ep.features, ep.stats)
    df = ep.featurize_dataframe(df, "pmg_composition", pbar=False, ignore_errors=False)
    df = df.rename(columns={f"MagpieData {s} {p}": feature_name(p, s) for p in PROPERTIES for s in STATS})
    out = df[["composition", *FEATURES, TARGET]]
    n_before = len(out)
    out = out.dropna()
    out.to_csv(HERE / "data.csv", index=False, float_format="%.6g")
    print(f"matminer {md.version('matminer')}, pymatgen {md.version('pymatgen')}: "
          f"{len(out)} rows ({n_before - len(out)} with a missing element property dropped), "
          f"{len(FEATURES)} features -> {HERE / 'data.csv'}")
    print("cite:", *ep.citations(), sep="\n  ")


def _graph_header() -> str:
    return """\
# Magpie descriptors of the experimental band gaps (case_studies/magpie; written by make_data.py graph).
# 132 features = 22 element properties x 6 statistics over the composition (minimum, maximum, range,
# fraction-weighted mean, fraction-weighted mean absolute deviation, mode = property of the most
# abundant element), computed by matminer's ElementProperty.from_preset("magpie") (Ward et al. 2016).
#
# Groups: the 22 properties fall into 11 families; a family's players are all 6 statistics of each of
# its properties (the statistics of one property are near-deterministic functions of each other:
# range = maximum - minimum, so they are credited together).
#
# Components: an ordered chain over the families. Earlier families explain later ones; within a
# component no order is assumed.
#   1. position           the atomic number fixes the element; Mendeleev number, row and column
#                         re-encode it. Nothing else in the table explains the position.
#   2. valence filling    the number of s, p, d, f valence electrons (and unfilled states) follows from
#                         the row and column (aufbau, with a few exceptions: Cr, Cu, Pd, ...).
#   3. size, electroneg.  the covalent radius and the electronegativity are set by the number of shells
#                         (row) and the effective nuclear charge felt by the valence electrons (filling).
#   4. elemental solid    the DFT ground-state volume per atom, band gap, magnetic moment, space group
#                         and the melting point describe how atoms of one element bond in the elemental
#                         solid: consequences of valence, size and electronegativity.
#   5. mass               the atomic weight follows from Z (plus the neutrons) and explains none of the
#                         electronic properties (Born-Oppenheimer). A chain cannot say "child of position
#                         only", so mass is the last component: a sink, explained by all the rest and
#                         explaining nothing; its value is only the model's use of mass beyond the others.
# HEDGE: every feature is a deterministic aggregate of the composition; nothing here can be set while
# the composition stays fixed. The order is a modelling assumption about which elemental properties
# explain which (explanatory priority), not a claim about interventions on a material. Causal values
# under this order give an upstream family the credit for the downstream variation it explains.
"""


def graph_text() -> str:
    """The text of graph.yaml (nodes with descriptions and units, groups, components over groups)."""
    const = constant_features()
    header = _graph_header() + (f"# Left out (constant over the 2,413 formulas; causalx refuses constant features): "
                                f"{', '.join(const)}.\n")
    lines = [header, "causalx: 1", "name: magpie_band_gap", f"target: {TARGET}", "nodes:"]
    fam_of = {p: fam for fam, (props, _) in FAMILIES.items() for p in props}
    for p in PROPERTIES:
        for s in STATS:
            if feature_name(p, s) in const:
                continue
            attrs = []
            if p in UNITS:
                attrs.append(f"unit: {UNITS[p]}")
            integer = p in INTEGER_PROPERTIES and s in ("minimum", "maximum", "range", "mode")
            kind = "integer-valued, " if integer else ""
            attrs.append(f"description: '{s} of {p} over the composition ({kind}family {fam_of[p]})'")
            attrs += ["type: continuous", "role: property"]
            lines.append(f"  {feature_name(p, s)}: {{{', '.join(attrs)}}}")
    lines.append("groups:")
    for fam, members in groups(model_features()).items():
        lines.append(f"  {fam}: [{', '.join(members)}]  # {FAMILIES[fam][1]}")
    lines.append("components:")
    for comp in COMPONENTS:
        lines.append(f"  - [{', '.join(comp)}]")
    return "\n".join(lines) + "\n"


def make_graph() -> None:
    """Write graph.yaml."""
    (HERE / "graph.yaml").write_text(graph_text(), encoding="utf-8")
    const = constant_features()
    print(f"{len(FEATURES) - len(const)} nodes, {len(FAMILIES)} groups, {len(COMPONENTS)} components "
          f"-> {HERE / 'graph.yaml'}")


def make_model() -> None:
    """Fit LightGBM on the 129 non-constant features, report 5-fold CV R^2, save model.joblib."""
    import joblib
    import pandas as pd
    from lightgbm import LGBMRegressor
    from sklearn.model_selection import KFold, cross_val_score

    df = pd.read_csv(HERE / "data.csv")
    X, y = df[model_features()], df[TARGET]
    model = LGBMRegressor(n_estimators=100, learning_rate=0.1, num_leaves=15, min_child_samples=10,
                          subsample=0.8, subsample_freq=1, colsample_bytree=0.5, random_state=0,
                          n_jobs=1, verbose=-1)
    scores = cross_val_score(model, X, y, cv=KFold(5, shuffle=True, random_state=0), scoring="r2")
    print(f"LightGBM, 5-fold CV R2 = {scores.mean():.3f} +- {scores.std():.3f} ({len(y)} formulas)")
    model.fit(X, y)
    joblib.dump(model, HERE / "model.joblib", compress=3)
    print(f"model -> {HERE / 'model.joblib'} ({(HERE / 'model.joblib').stat().st_size / 1e3:.0f} kB)")


STEPS = {"features": make_features, "graph": make_graph, "model": make_model}

if __name__ == "__main__":
    todo = sys.argv[1:] or list(STEPS)
    unknown = [s for s in todo if s not in STEPS]
    if unknown:
        sys.exit(f"unknown step(s) {unknown}; choose among {list(STEPS)}")
    for step in todo:
        STEPS[step]()
