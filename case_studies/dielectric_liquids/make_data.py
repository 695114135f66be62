"""Write this study's data.csv (polar organic liquids at 25 degC) with the Kirkwood g factor of each liquid.

Needs: pip install rdkit "chemicals>=1.1"
"""

from pathlib import Path

from causalx.datasets import load_dielectric_liquids

X, y, graph, meta = load_dielectric_liquids()
frame = meta["frame"]
frame[["Chemical", "CAS"]].join(X).assign(kirkwood_g=frame["kirkwood_g"].round(4), permittivity=y).to_csv(
    Path(__file__).with_name("data.csv"), index=False, float_format="%.6g")
print({k: v for k, v in meta.items() if k.startswith("n_")})
print(frame.groupby(frame["hbd"] > 0)["kirkwood_g"].describe().round(2).rename(index={False: "hbd = 0", True: "hbd > 0"}))
