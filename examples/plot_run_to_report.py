"""
From ``causalx run`` to the report
==================================

``causalx run CONFIG --out DIR`` is the whole study in one command: it fits (or loads) the
model, explains it with plain SHAP and with causal values, tests the graph against the data,
turns the evidence into ranked, hedged hypotheses and writes ``report.html``, ``report.md``
and ``report.json``. This example writes a small simulated study into a temporary folder —
data, graph spec, run config — runs the command there and reads the report.

The simulated thin-film conductor has a known truth: the annealing temperature acts on the
conductivity mostly through the grain size (a mediator); the logged furnace number tracks the
temperature but does nothing itself (a proxy); an unrecorded contamination raises both the
dopant concentration and the porosity (a hidden confounder the graph omits).
"""

# %%
# A study folder: data, graph, config
# -----------------------------------
import base64
import io
import json
import re
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from causalx.cli.main import main as causalx_cli

rng = np.random.default_rng(0)
n = 600
programme = rng.integers(0, 6, n)
anneal_temp = 700.0 + 50.0 * programme + rng.normal(0, 8.0, n)
furnace_id = np.where(rng.random(n) < 0.05, rng.integers(1, 7, n), programme + 1)
grain_size = 20.0 + 0.25 * (anneal_temp - 700.0) + rng.normal(0, 6.0, n)
contamination = rng.normal(0, 1, n)  # hidden: not a column of the data
dopant_conc = 2.0 + 0.5 * contamination + rng.normal(0, 0.35, n)
porosity = 8.0 + 2.0 * contamination + rng.normal(0, 1.4, n)
conductivity = (
    1.5
    + 0.06 * grain_size
    + 0.005 * (anneal_temp - 700.0)
    + 0.8 * dopant_conc
    - 0.15 * porosity
    + rng.normal(0, 0.2, n)
)

folder = Path(tempfile.mkdtemp(prefix="causalx-example-"))
pd.DataFrame(
    {
        "anneal_temp": anneal_temp,
        "furnace_id": furnace_id,
        "grain_size": grain_size,
        "dopant_conc": dopant_conc,
        "porosity": porosity,
        "conductivity": conductivity,
    }
).to_csv(folder / "films.csv", index=False)

(folder / "films.yaml").write_text("""\
causalx: 1
name: thin_film
target: conductivity
target_unit: S/cm
nodes:
  anneal_temp: {unit: K, role: control}
  furnace_id: {type: ordinal, role: control}
  grain_size: {unit: nm, role: measured}
  dopant_conc: {unit: at.%, role: measured}
  porosity: {unit: '%', role: measured}
edges: [anneal_temp -> grain_size, anneal_temp -> furnace_id]
""")

# small budgets so the example runs in seconds; the defaults are larger
(folder / "config.yaml").write_text("""\
causalx: 1
data: films.csv
target: conductivity
graph: films.yaml
rows: 20
model: {cv: 3}
explanations:
  - {value: marginal, n_samples: 100}
  - {value: causal, asymmetric: true, decompose: true, n_samples: 100}
diagnostics: {n_boot: 0, n_permutations: 5, n_dependence: 1}
report: {title: "Thin films: what drives the conductivity?"}
""")

# %%
# Run it
# ------
# The same as ``causalx run config.yaml --out report`` in a shell (exit code 0).
out = folder / "report"
code = causalx_cli(["run", str(folder / "config.yaml"), "--out", str(out)])
print("exit code", code, "->", sorted(p.name for p in out.iterdir()))

# %%
# The answer first
# ----------------
# ``report.json`` holds every number of the HTML page; its ``summary`` is the page's first block.
report = json.loads((out / "report.json").read_text())
summary = report["summary"]
print("Question:", summary["question"])
for e in report["effects"]:
    print(
        f"  {e['feature']:12s} total {e['total']:+.3f} ± {e['total_stderr']:.3f} S/cm "
        f"(plain SHAP reading {e['marginal']:+.3f})"
    )
print("Strongest hypotheses:")
for h in summary["top_hypotheses"]:
    print(f"  {h['id']} [{h['confidence']}] {h['headline']}")
print("Health:", summary["health"]["text"])

# %%
# A hypothesis in full
# --------------------
h = report["hypotheses"][0]
print(h["statement"], "\n\nSuggested experiment:", h["suggested_experiment"])
print("Caveats:", *h["caveats"], sep="\n  - ")

# %%
# A figure as the report shows it
# -------------------------------
# The HTML is one self-contained file: every figure is an embedded 200-dpi PNG with alt text.
html = (out / "report.html").read_text()
src, alt = re.findall(
    r'<img src="data:image/png;base64,([^"]+)" alt="([^"]*)"', html
)[0]
print("alt text:", alt)
fig, ax = plt.subplots(figsize=(8.5, 4.8), layout="constrained")
ax.imshow(plt.imread(io.BytesIO(base64.b64decode(src)), format="png"))
ax.set_axis_off()
plt.show()

# %%
# The example's folder is temporary:
import shutil

shutil.rmtree(folder)
