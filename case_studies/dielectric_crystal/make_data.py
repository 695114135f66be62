"""Write this study's data.csv from the ground-truth simulator (seeded, deterministic)."""

from pathlib import Path

from causalx.datasets import make_dielectric_crystal

X, y, truth = make_dielectric_crystal(1500, random_state=0)
X.assign(epsilon=y).to_csv(Path(__file__).with_name("data.csv"), index=False, float_format="%.6g")
print(truth.total_effects.round(3).to_string())
