"""Write this study's data.csv from the ground-truth simulator (seeded, deterministic)."""

from pathlib import Path

from causalx.datasets import make_solar_cell

X, y, truth = make_solar_cell(1500, random_state=0)
X.assign(efficiency=y).to_csv(Path(__file__).with_name("data.csv"), index=False, float_format="%.6g")
print(truth.total_effects.round(3).to_string())
