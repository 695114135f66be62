"""Figures of the Magpie docs page from a ``causalx run`` output folder.

    causalx run case_studies/magpie/config.yaml --out /tmp/magpie_report
    python case_studies/magpie/make_figures.py /tmp/magpie_report

Writes into ``docs/case_studies/img/``:

* ``magpie_families.png``: the chain over the 11 families in 5 components (the study's graph at the level of its
  players), each family coloured by its mean |asymmetric causal value|;
* ``magpie_values.png``: mean |group value| +- 2 standard errors, plain SHAP (marginal) beside
  asymmetric causal values, and the direct / indirect split of the causal ones;
* ``magpie_position.png``: per row, the position family's causal value against its plain-SHAP value.

It reads only ``values_marginal.csv`` and ``values_causal_asymmetric.csv`` of the folder (and this
study's make_data.py for the family layout).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
IMG = HERE.parents[1] / "docs" / "case_studies" / "img"


def _families():
    spec = importlib.util.spec_from_file_location("magpie_make_data", HERE / "make_data.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _table(path: Path):
    """Per family: mean |value|, its standard error over rows (and MC), and the per-row values."""
    import pandas as pd

    df = pd.read_csv(path)
    out = {}
    for fam, d in df.groupby("feature", sort=False):
        v = d["value"].to_numpy()
        se = np.hypot(np.abs(v).std(ddof=1) / np.sqrt(len(v)), np.sqrt(np.mean(d["stderr"] ** 2) / len(v)))
        row = {"mean_abs": float(np.abs(v).mean()), "se": float(se), "values": v}
        for part in ("direct", "indirect"):
            if part in d:
                p = d[part].to_numpy()
                row[part] = float(np.abs(p).mean())
                row[part + "_se"] = float(np.abs(p).std(ddof=1) / np.sqrt(len(p)))
        out[fam] = row
    return out


def main(report: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    md = _families()
    marg = _table(report / "values_marginal.csv")
    caus = _table(report / "values_causal_asymmetric.csv")
    fams = list(md.FAMILIES)
    IMG.mkdir(parents=True, exist_ok=True)

    # --- the chain over the families
    fig, ax = plt.subplots(figsize=(13, 4.8))
    vmax = max(caus[f]["mean_abs"] for f in fams)
    cmap = plt.get_cmap("viridis")
    titles = ["1. periodic-table\nposition", "2. valence\nfilling", "3. size,\nelectronegativity",
              "4. the elemental solid\n(DFT ground state, melting)", "5. mass\n(a sink)"]
    step = 0.8 / (len(md.COMPONENTS) - 1)
    centres = {}
    for k, comp in enumerate(md.COMPONENTS):
        x = 0.1 + step * k
        ax.text(x, 0.97, titles[k], ha="center", va="top", fontsize=10, fontweight="bold")
        for j, fam in enumerate(comp):
            y = 0.72 - 0.18 * j if len(comp) > 1 else 0.45
            c = caus[fam]["mean_abs"]
            colour = cmap(c / vmax)
            ax.add_patch(FancyBboxPatch((x - 0.075, y - 0.055), 0.15, 0.11, boxstyle="round,pad=0.01",
                                        fc=colour, ec="black", lw=0.8))
            txt = "white" if c / vmax < 0.6 else "black"
            ax.text(x, y + 0.015, fam, ha="center", va="center", fontsize=9, color=txt, fontweight="bold")
            ax.text(x, y - 0.028, f"{c:.3f} eV", ha="center", va="center", fontsize=8, color=txt)
            centres[fam] = (x, y)
    for k in range(len(md.COMPONENTS) - 1):
        x0, x1 = 0.1 + step * k + 0.08, 0.1 + step * (k + 1) - 0.08
        ax.annotate("", xy=(x1, 0.45), xytext=(x0, 0.45), arrowprops=dict(arrowstyle="-|>", lw=2, color="0.3"))
    ax.text(0.5, 0.02, "every family of an earlier component is a parent of every family of a later one "
            "(a modelling assumption; box colour = mean |asymmetric causal value|)", ha="center", fontsize=9)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    fig.tight_layout()
    fig.savefig(IMG / "magpie_families.png", dpi=90)
    plt.close(fig)

    # --- bars: marginal vs causal, and the causal split
    order = sorted(fams, key=lambda f: -caus[f]["mean_abs"])
    x = np.arange(len(order))
    fig, axes = plt.subplots(1, 2, figsize=(14, 4.6))
    w = 0.4
    for off, tab, lab, col in ((-w / 2, marg, "plain SHAP (marginal)", "tab:blue"),
                               (w / 2, caus, "causal, asymmetric", "tab:orange")):
        axes[0].bar(x + off, [tab[f]["mean_abs"] for f in order], w, yerr=[2 * tab[f]["se"] for f in order],
                    capsize=3, label=lab, color=col)
    axes[0].set_xticks(x, order, rotation=35, ha="right")
    axes[0].set_ylabel("mean |group value| (eV)")
    axes[0].set_title("group values over 40 formulas, ± 2 s.e.")
    axes[0].legend()
    for off, part, col in ((-w / 2, "direct", "tab:green"), (w / 2, "indirect", "tab:purple")):
        axes[1].bar(x + off, [caus[f][part] for f in order], w, yerr=[2 * caus[f][part + "_se"] for f in order],
                    capsize=3, label=part, color=col)
    axes[1].set_xticks(x, order, rotation=35, ha="right")
    axes[1].set_ylabel("mean |part of the causal value| (eV)")
    axes[1].set_title("asymmetric causal values: direct vs through later families")
    axes[1].legend()
    fig.tight_layout()
    fig.savefig(IMG / "magpie_values.png", dpi=90)
    plt.close(fig)

    # --- position: causal vs plain SHAP per row
    fig, ax = plt.subplots(figsize=(5.2, 4.6))
    a, b = marg["position"]["values"], caus["position"]["values"]
    ax.scatter(a, b, s=18)
    lim = max(np.abs(a).max(), np.abs(b).max()) * 1.1
    ax.plot([-lim, lim], [-lim, lim], color="0.6", lw=1, ls="--")
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_xlabel("position: plain SHAP group value (eV)")
    ax.set_ylabel("position: asymmetric causal value (eV)")
    ax.set_title("one dot per explained formula")
    fig.tight_layout()
    fig.savefig(IMG / "magpie_position.png", dpi=90)
    plt.close(fig)
    for name in ("magpie_families.png", "magpie_values.png", "magpie_position.png"):
        print("wrote", IMG / name)
    for f in order:
        print(f"{f:18s} marginal {marg[f]['mean_abs']:.3f} ± {marg[f]['se']:.3f}   "
              f"causal {caus[f]['mean_abs']:.3f} ± {caus[f]['se']:.3f}   direct {caus[f]['direct']:.3f}  indirect {caus[f]['indirect']:.3f}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]))
