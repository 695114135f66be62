"""Generate ``data.csv`` of the simulated-mediator case study (run once; the CSV is committed).

A simulated thin-film conductor. The ground truth is known, so the report can be checked:

* **mediator** -- the annealing temperature acts on conductivity mostly through the grain size
  (grain growth), with a small direct effect (defect annealing);
* **proxy** -- each furnace runs one temperature programme, so the logged ``furnace_id`` tracks
  the temperature closely but has no effect of its own (a rebooked run in another furnace
  keeps its programme's temperature);
* **hidden confounder** -- contamination of some precursor batches (never measured) raises both
  the measured dopant concentration and the porosity; the declared graph omits it;
* **null feature** -- the substrate cleaning time has no effect at all.

Usage: ``python case_studies/simulated_mediator/make_data.py`` (writes ``data.csv`` beside it).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd


def simulate(n: int = 1500, *, random_state: int = 2024) -> pd.DataFrame:
    """Draw ``n`` films from the known structural equations."""
    rng = np.random.default_rng(random_state)
    programme = rng.integers(0, 6, n)                             # six temperature programmes
    anneal_temp = 700.0 + 50.0 * programme + rng.normal(0, 8.0, n)  # K
    furnace_id = programme + 1                                    # furnace k runs programme k ...
    swap = rng.random(n) < 0.05                                   # ... except a few rebooked runs
    furnace_id = np.where(swap, rng.integers(1, 7, n), furnace_id)
    grain_size = 20.0 + 0.25 * (anneal_temp - 700.0) + rng.normal(0, 6.0, n)  # nm
    contamination = rng.normal(0, 1, n)                           # hidden: never recorded
    dopant_conc = 2.0 + 0.5 * contamination + rng.normal(0, 0.35, n)           # at.%
    porosity = 8.0 + 2.0 * contamination + rng.normal(0, 1.4, n)               # %
    cleaning_time = rng.uniform(5, 30, n)                        # min, no effect
    conductivity = (
        1.5 + 0.06 * grain_size                                   # grain-boundary scattering
        + 0.005 * (anneal_temp - 700.0)                           # smaller direct effect
        + 0.8 * dopant_conc - 0.15 * porosity
        + rng.normal(0, 0.25, n)
    )                                                             # MS/m
    return pd.DataFrame({
        "anneal_temp": anneal_temp.round(2), "furnace_id": furnace_id, "grain_size": grain_size.round(3),
        "dopant_conc": dopant_conc.round(4), "porosity": porosity.round(3),
        "cleaning_time": cleaning_time.round(2), "conductivity": conductivity.round(4),
    })


if __name__ == "__main__":
    out = Path(__file__).with_name("data.csv")
    simulate().to_csv(out, index=False)
    print(f"wrote {out}")
