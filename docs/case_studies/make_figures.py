"""Regenerate the figures of the case-study docs pages: ``python docs/case_studies/make_figures.py``.

For each study it runs ``causalx run``'s pipeline on the study's config (as shipped) and saves,
into ``docs/case_studies/img/``, the causal graph coloured by causal attribution and the bar
chart of plain-SHAP versus causal values with their standard errors. Studies whose optional
data packages are missing still work: their derived CSVs are shipped in the repository.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
IMG = Path(__file__).resolve().parent / "img"
STUDIES = ["solar_cell", "dielectric_crystal", "solubility", "bandgap", "dielectric_liquids", "simulated_mediator"]


def main(names: list[str]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from causalx.plotting import plot_attribution_bars, plot_graph
    from causalx.study import run_study

    IMG.mkdir(exist_ok=True)
    for name in names or STUDIES:
        result = run_study(ROOT / "case_studies" / name / "config.yaml", progress=False)
        causal = next((e for k, e in result.explanations.items() if k.startswith("causal")), None)
        fig, axes = plt.subplots(1, 2, figsize=(13, 4.6), gridspec_kw={"width_ratios": [1.1, 1]})
        plot_graph(result.graph, causal, ax=axes[0])
        axes[0].set_title(f"{name}: graph, node size = mean |causal value|")
        plot_attribution_bars(result.explanations, ax=axes[1])
        axes[1].set_title("plain SHAP (marginal) vs causal values, ± standard error")
        fig.tight_layout()
        out = IMG / f"{name}.png"
        fig.savefig(out, dpi=90)
        plt.close(fig)
        print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:])
