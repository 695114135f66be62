"""Render a :class:`~causalx.study.StudyResult` as HTML (Jinja2, autoescaped), Markdown and JSON."""

from __future__ import annotations

import base64
import io
import json
import math
import os
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from causalx._version import __version__

__all__ = ["report_dict", "report_schema", "write_report"]

DISCLAIMER = (
    "Interpreting a model of observational data generates hypotheses; it does not establish causes. "
    "Every statement below is hedged, comes with its uncertainty and caveats, and proposes an experiment "
    "that would support or refute it."
)


def _clean(obj: Any) -> Any:
    """JSON-ready: numpy scalars and arrays to Python, non-finite floats to None."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _clean(obj.tolist())
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return float(obj) if math.isfinite(float(obj)) else None
    if obj is None or isinstance(obj, str):
        return obj
    return str(obj)


def _feature_table(exp) -> list[dict[str, Any]]:
    n = max(len(exp), 1)
    m = exp.mean_abs()
    se = np.sqrt((np.asarray(exp.stderr) ** 2).sum(0)) / n
    rows = []
    for j, f in enumerate(exp.feature_names):
        row = {"feature": f, "mean_abs": m[j], "mean_abs_stderr": se[j], "mean": float(exp.values[:, j].mean())}
        if exp.direct is not None:
            row["mean_abs_direct"] = float(np.abs(exp.direct[:, j]).mean())
            row["mean_abs_indirect"] = float(np.abs(exp.indirect[:, j]).mean())
        rows.append(row)
    return rows


def report_dict(result) -> dict[str, Any]:
    """The JSON payload of the report.

    Parameters
    ----------
    result : StudyResult

    Returns
    -------
    dict
        Top-level keys ``causalx_version``, ``title``, ``disclaimer``, ``data``, ``graph``, ``model``,
        ``explanations``, ``diagnostics``, ``hypotheses``, ``warnings``, ``timings``; it validates
        against :func:`report_schema`.
    """
    g = result.graph
    nodes = []
    for v in g.nodes:
        a = g.node_attributes(v)
        nodes.append({"name": v, "unit": a.get("unit"), "description": a.get("description"), "type": a.get("type"),
                      "role": a.get("role")})
    graph = {
        "name": g.name, "target": g.target, "nodes": nodes, "edges": [list(e) for e in g.edges],
        "confounded": [list(p) for p in g.confounded], "constraints": [c.text for c in g.constraints],
        "digest": g.digest(), "path": str(result.config.graph), "target_unit": g.target_unit,
    }
    explanations = {}
    for label, exp in result.explanations.items():
        p = exp.provenance
        explanations[label] = {
            "value": p.get("value"), "sampler": p.get("sampler"), "asymmetric": bool(p.get("asymmetric")),
            "method": p.get("method"), "n_samples": p.get("n_samples"), "n_model_evals": p.get("n_model_evals"),
            "n_rows": len(exp), "decomposed": exp.direct is not None, "antithetic": bool(p.get("antithetic")),
            "max_efficiency_gap": float(np.abs(exp.efficiency_gap()).max()) if len(exp) else 0.0,
            "max_attribution_gap": float(np.abs(exp.efficiency_gap()).max()) if len(exp) else 0.0,
            "features": _feature_table(exp),
        }
        if p.get("sampler_diagnostic") is not None:
            explanations[label]["sampler_diagnostic"] = p["sampler_diagnostic"]
        if p.get("uncertainty") is not None:
            u = p["uncertainty"]
            explanations[label]["uncertainty"] = {k: u[k] for k in ("kind", "n_refits", "scheme", "mean_mc_stderr",
                                                                    "mean_learning_stderr") if k in u}
    diag: dict[str, Any] = {}
    if result.diagnostics is not None:
        diag.update(result.diagnostics.to_dict())
    diag["attribution_disagreement"] = [d.to_dict() for d in result.disagreements]
    diag["manifold"] = {k: dict(r) for k, r in result.manifold.items()}
    if result.bootstrap is not None:
        b = result.bootstrap
        diag["bootstrap"] = {
            "label": result.bootstrap_label, "n_boot": int(b.replicates.shape[0]), "n_rows": int(b.values.shape[0]),
            "confidence": b.confidence, "interval": b.interval,
            "features": [{"feature": f, "mean_abs": float(np.abs(b.values[:, j]).mean()),
                          "rms_total_stderr": float(np.sqrt((b.total_stderr[:, j] ** 2).mean())),
                          "rms_mc_stderr": float(np.sqrt((b.mc_stderr[:, j] ** 2).mean())),
                          "rms_resampling_stderr": float(np.sqrt((b.resampling_stderr[:, j] ** 2).mean()))}
                         for j, f in enumerate(b.feature_names)],
        }
    else:
        diag["bootstrap"] = None
    diag["dependence"] = {f: {"pdp": d["pdp"].to_dict(), "ale": d["ale"].to_dict()} for f, d in result.dependence.items()}
    payload = {
        "causalx_version": __version__,
        "title": result.title,
        "disclaimer": DISCLAIMER,
        "config": result.config.model_dump(),
        "data": result.data_info,
        "graph": graph,
        "model": result.model_info,
        "explanations": explanations,
        "diagnostics": diag,
        "effects": [] if result.effects is None else result.effects.to_list(),
        "effects_info": None if result.effects is None else {
            "quantiles": list(result.effects.quantiles), "n_draws": result.effects.n_draws,
            **result.effects.provenance},
        "hypotheses": [h.to_dict() for h in result.hypotheses],
        "warnings": list(result.warnings),
        "timings": result.timings,
    }
    payload = _clean(payload)
    payload["summary"] = _summary(payload)
    return payload


# ------------------------------------------------------------------------------ numbers (one rule)
def fmt_signed(v: Any) -> str:
    """An effect: three significant digits with its sign (the rule of the HTML and the Markdown)."""
    return "—" if v is None else f"{v:+.3g}"


def fmt_se(v: Any) -> str:
    """A standard error: two significant digits."""
    return "—" if v is None else f"{v:.2g}"


def fmt_p(v: Any) -> str:
    """A p-value: two significant digits."""
    return "—" if v is None else f"{v:.2g}"


def fmt_pm(v: Any, se: Any) -> str:
    """``+0.701 ± 0.0088``."""
    return f"{fmt_signed(v)} ± {fmt_se(se)}"


def _headline(statement: str, limit: int = 200) -> str:
    """The first sentence of a statement, clipped to ``limit`` characters."""
    import re

    first = re.split(r"(?<=[.!?])\s+(?=[A-Z])", statement.strip(), maxsplit=1)[0]
    if len(first) <= limit:
        return first
    # a long first sentence states its claim before a colon ("... mostly through M: setting ..."),
    # so end the headline there rather than mid-clause
    head = first.split(": ", 1)[0]
    if 40 <= len(head) <= limit:
        return head + "."
    cut = first[: limit - 1]
    return (cut[: cut.rfind(" ")] if " " in cut else cut).rstrip(" ,;:") + " …"


def figure_ids(payload: dict[str, Any]) -> dict[str, str]:
    """The anchor of every figure the HTML report draws, keyed by what it shows."""
    ids = {"graph": "fig-graph", "bars": "fig-bars", "beeswarm": "fig-beeswarm", "waterfall": "fig-waterfall"}
    if any(e.get("decomposed") and e.get("value") == "causal" for e in payload["explanations"].values()):
        ids["direct_indirect"] = "fig-direct-indirect"
    for i, f in enumerate(payload["diagnostics"].get("dependence") or {}):
        ids[f"dependence:{f}"] = f"fig-dep-{i}"
    if "implied_independencies" in payload["diagnostics"]:
        ids["falsification"] = "fig-falsification"
    return ids


def _hypothesis_figure(h: dict[str, Any], ids: dict[str, str]) -> str | None:
    if h["kind"] == "independence_violated":
        return ids.get("falsification", ids["graph"])
    for f in h["features"]:
        if f"dependence:{f}" in ids:
            return ids[f"dependence:{f}"]
    if h["kind"] in ("mediation", "cancellation") and "direct_indirect" in ids:
        return ids["direct_indirect"]
    return ids["graph"]


def _ale_sample(ale, n_data: int) -> str:
    """" The ALE reads a seeded sample of k of n data rows." when it was computed on a subsample."""
    k = int(np.sum(ale.counts))
    return f" The ALE reads a seeded sample of {k:,} of the {n_data:,} data rows." if 0 < k < n_data else ""


def tests_subsample(diagnostics: dict[str, Any]) -> str | None:
    """"tested on a seeded subsample of N of M rows" when the graph tests were subsampled, else None."""
    n, k = diagnostics.get("n_rows"), diagnostics.get("n_rows_tested")
    if n is None or k is None or k >= n:
        return None
    return f"tested on a seeded subsample of {k:,} of {n:,} rows"


def _summary(payload: dict[str, Any]) -> dict[str, Any]:
    """The answer-first block: the question, the three strongest hypotheses, the health of the evidence."""
    d = payload["diagnostics"]
    m = payload["model"]
    ids = figure_ids(payload)
    hyp_fig = {h["id"]: _hypothesis_figure(h, ids) for h in payload["hypotheses"]}
    top = [{"id": h["id"], "confidence": h["confidence"], "kind": h["kind"], "headline": _headline(h["statement"]),
            "figure": hyp_fig[h["id"]]} for h in payload["hypotheses"][:3]]
    health: dict[str, Any] = {
        "falsified": d.get("falsified"),
        "n_rejected": (d.get("summary") or {}).get("n_rejected"),
        "n_tests": (d.get("summary") or {}).get("n_tests"),
        "alpha": (d.get("summary") or {}).get("alpha"),
        "n_suspected_confounding": len(d.get("suspected_confounding") or []),
        "n_declared_confounded": len(payload["graph"]["confounded"]),
        "n_collinear_pairs": len(d.get("collinear_pairs") or []),
        "off_manifold_share": {lab: r.get("off_manifold_share") for lab, r in (d.get("manifold") or {}).items()},
        "cv_score": m.get("cv_score"), "cv_score_std": m.get("cv_score_std"), "cv_scoring": m.get("cv_scoring"),
        "tests_subsample": tests_subsample(d),
    }
    parts = []
    if health["falsified"] is not None and not health["n_tests"]:
        parts.append("graph not testable (it implies no independence the data could contradict)")
    elif health["falsified"] is not None:
        parts.append(f"graph {'FALSIFIED' if health['falsified'] else 'not falsified'} "
                     f"({health['n_rejected']} of {health['n_tests']} implied independencies rejected at alpha = "
                     f"{health['alpha']}{'; ' + health['tests_subsample'] if health['tests_subsample'] else ''})")
    else:
        parts.append("graph not tested")
    parts.append(f"{health['n_suspected_confounding']} suspected hidden confounder(s)"
                 + (f", {health['n_declared_confounded']} declared" if health["n_declared_confounded"] else ""))
    parts.append(f"{health['n_collinear_pairs']} near-collinear pair(s)")
    if health["off_manifold_share"]:
        parts.append("off-manifold model inputs " + ", ".join(
            f"{lab} {v:.1%}" for lab, v in health["off_manifold_share"].items() if v is not None))
    if health["cv_score"] is not None:
        parts.append(f"model CV {health['cv_scoring']} = {health['cv_score']:.3f} ± {health['cv_score_std']:.3f}")
    else:
        parts.append("model not cross-validated (loaded from a file)")
    health["text"] = "; ".join(parts) + "."
    return {"question": payload["title"], "top_hypotheses": top, "health": health, "figures": ids,
            "hypothesis_figures": hyp_fig}


def report_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that ``report.json`` validates against."""
    text = resources.files("causalx.report").joinpath("report.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


def _target_unit(result) -> str | None:
    """The unit of the target that the report prints on its axes and in its tables.

    The run config's ``report.target_unit`` when given, else the graph spec's ``target_unit``
    (when the graph declares no other target than the config's), else None.

    Parameters
    ----------
    result : StudyResult

    Returns
    -------
    str or None
    """
    unit = result.config.report.target_unit
    if unit is not None:
        return unit
    g = result.graph
    if g.target is None or g.target == result.config.target:
        return getattr(g, "target_unit", None)
    return None


# ------------------------------------------------------------------------------ figures
DPI = 200  # high-DPI PNG (2x matplotlib's 100): the HTML shows it at half its pixel size, sharp on retina screens


def _png(draw, figsize) -> str:
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context({"text.parse_math": False}):  # '$' in a feature name is plain text
        fig = Figure(figsize=figsize, dpi=DPI)
        ax = fig.subplots()
        draw(ax)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=DPI)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _figures(result) -> list[dict[str, str]]:
    """Each figure: ``id`` (its anchor, see :func:`figure_ids`), ``title``, ``caption``, ``alt``, ``src``."""
    import causalx.plotting as P

    exps = result.explanations
    tu = _target_unit(result)
    target = result.config.target
    units = {v: result.graph.node_attributes(v).get("unit") for v in result.graph.nodes}
    causal_label = next((k for k, e in exps.items() if e.provenance.get("value") == "causal"), next(iter(exps)))
    causal = exps[causal_label]
    decomposed = next((e for e in exps.values() if e.direct is not None and e.provenance.get("value") == "causal"), None)
    suspected = [s.pair for s in result.diagnostics.suspected_confounding] if result.diagnostics is not None else []
    top = sorted(zip(causal.feature_names, causal.mean_abs()), key=lambda t: -t[1])[:3]
    top_text = ", ".join(f"{f} ({v:.3g})" for f, v in top)
    row = int(np.argmax(np.abs(np.asarray(causal.values).sum(1)))) if len(causal) else 0
    data_row = result.data_info.get("explained_rows", [row])[row] if len(causal) else row
    figs = [
        {"id": "fig-graph", "title": "Causal graph with attributions",
         "caption": f"Node size and colour: mean |{causal.provenance.get('value')} Shapley value| (colour bar). "
                    "Dashed: declared hidden common causes; dotted red: pairs the data suggest are confounded."
                    + (f" One node per feature group (member count in brackets) and per ungrouped feature; an arrow "
                       f"joins two when an edge or the component order runs between their members."
                       if result.graph.groups else ""),
         "alt": (f"The causal graph of {len(result.graph.players)} feature groups ({len(result.graph.nodes)} features)"
                 if result.graph.groups else f"The causal graph of {len(result.graph.nodes)} nodes") + " drawn left to right in causal order; the largest "
                f"mean |{causal_label}| attributions are {top_text}.",
         "src": _png(lambda ax: P.plot_graph(result.graph, causal, suspected=suspected, ax=ax, target_unit=tu),
                     (8.5, 4.8))},
        {"id": "fig-bars", "title": "Attributions by value function",
         "caption": "Mean |Shapley value| per feature for each explanation, ± 2 standard errors.",
         "alt": "Grouped bars of mean |Shapley value| per feature, one colour per explanation ("
                + ", ".join(exps) + ").",
         "src": _png(lambda ax: P.plot_attribution_bars(exps, ax=ax, target_unit=tu), (8.5, 4.0))},
        {"id": "fig-beeswarm", "title": f"Beeswarm ({causal_label})",
         "caption": "One dot per explained row and feature; colour: the feature's value, ranked within the rows "
                    "(colour bar). Features with the largest mean |value| on top.",
         "alt": f"Beeswarm of the {causal_label} attributions of {len(causal)} rows; the features with the largest "
                f"spread are {top_text}.",
         "src": _png(lambda ax: P.plot_beeswarm(causal, ax=ax, target_unit=tu), (8.0, 4.2))},
        {"id": "fig-waterfall", "title": f"Waterfall of one row ({causal_label})",
         "caption": f"Data row {data_row} (explained row {row}: the one whose prediction is farthest from the base "
                    f"value): from the base value E f to the row's predicted {target}, one attribution at a time "
                    "(red raises, blue lowers).",
         "alt": f"Waterfall of data row {data_row}: horizontal bars adding the {causal_label} attributions from the "
                f"base value to the row's prediction.",
         "src": _png(lambda ax: P.plot_waterfall(causal, row, ax=ax, target_unit=tu, units=units), (8.0, 4.2))},
    ]
    if decomposed is not None:
        figs.append({"id": "fig-direct-indirect", "title": "Direct and indirect effects",
                     "caption": "Mean |direct| and |indirect| part of each causal attribution, ± 2 s.e.",
                     "alt": "Paired bars per feature: the mean |direct| and mean |indirect| part of its causal "
                            "attribution.",
                     "src": _png(lambda ax: P.plot_direct_indirect(decomposed, ax=ax, target_unit=tu), (8.5, 4.0))})
    n_data = int(result.data_info.get("n_rows") or 0)
    for i, (f, d) in enumerate(result.dependence.items()):
        figs.append({"id": f"fig-dep-{i}", "title": f"PDP / ICE / ALE: {f}",
                     "caption": f"Predicted {target} as {f} varies over its data range: partial dependence (dark), "
                                "ICE curves of single rows (light) and accumulated local effects (dashed, centred "
                                "and shifted to the PDP's mean), all on one scale." + _ale_sample(d["ale"], n_data),
                     "alt": f"Line plot of the predicted {target} against {f}"
                            + (f" in {units.get(f)}" if units.get(f) else "") + ": PDP, ICE curves and ALE.",
                     "src": _png(lambda ax, d=d, f=f: P.plot_dependence(d["pdp"], d["ale"], ax=ax, unit=units.get(f),
                                                                        target_unit=tu), (7.5, 3.8))})
    if result.diagnostics is not None:
        fals = result.diagnostics.falsification
        n = min(len(fals.tests), 20)
        figs.append({"id": "fig-falsification", "title": "Falsification of the graph",
                     "caption": "Implied conditional independencies tested against the data (rejected first, at most 20).",
                     "alt": f"Table of {n} implied independencies with partial correlation, adjusted p-value and "
                            f"verdict; {fals.n_rejected} of {len(fals.tests)} rejected.",
                     "src": _png(lambda ax: P.plot_falsification(fals, ax=ax), (8.0, 0.9 + 0.3 * max(n, 1)))})
    for f in figs:  # shown at half their pixel size: 2x sharp on a high-DPI screen
        w, h = _png_pixels(f["src"])
        f["width"], f["height"] = w // 2, h // 2
    return figs


def _png_pixels(src: str) -> tuple[int, int]:
    """Width and height in pixels of a ``data:image/png;base64,`` figure (from its IHDR chunk)."""
    raw = base64.b64decode(src.split(",", 1)[1][:44])
    return int.from_bytes(raw[16:20], "big"), int.from_bytes(raw[20:24], "big")


# ------------------------------------------------------------------------------ writers
def _sampler_lines(explanations: dict) -> list[str]:
    """The learned sampler's held-out fit per node and the share of its draws off the data."""
    lines: list[str] = []
    for lab, e in explanations.items():
        d = e.get("sampler_diagnostic")
        if d and "masks" in d:
            lines += _mask_lines(lab, d)
        if not d or "nodes" not in d:
            continue
        off = d.get("off_manifold_share")
        lines += ["", f"Sampler of {_md(lab)} ({_md(d.get('sampler'))}, mechanisms chosen by {_md(d.get('selection'))}, "
                  f"{d.get('n_splits')}-fold; skill = 1 − held-out score / score without parents"
                  + (f"; {100 * off:.1f} % of the evaluated rows off the data manifold" if off is not None else "")
                  + "):", "", "| node | parents | model | held-out score | skill |", "|---|---|---|---|---|"]
        for node, r in d["nodes"].items():
            if r.get("model") == "empirical":
                continue
            lines.append(f"| {_md_cell(node)} | {_md_cell(', '.join(r.get('parents', [])))} | {_md_cell(r['model'])} | "
                         f"{_fmt(r.get('score'))} ({r.get('metric')}) | {_fmt(r.get('skill'))} |")
        u = e.get("uncertainty")
        if u:
            lines += ["", f"Standard errors of {_md(lab)} include the sampler's learning error ({u['n_refits']} refits on "
                      f"{_md(u.get('scheme'))}): mean Monte Carlo part {_fmt(u['mean_mc_stderr'])}, mean learning "
                      f"part {_fmt(u['mean_learning_stderr'])}."]
    return lines


def _mask_lines(lab: str, d: dict) -> list[str]:
    """The conditional sampler's held-out fit per mask (Gaussian, VAE samplers)."""
    off = d.get("off_manifold_share")
    lines = ["", f"Sampler of {_md(lab)} ({_md(d.get('sampler'))}): held-out conditional fit on "
             f"{d.get('n_test')} rows, {_md(d.get('holdout'))}; {d.get('n_draws')} draws per row; "
             "skill = 1 − score / score of the marginal (0: the conditioning does not help, < 0: worse than "
             "ignoring it)" + (f"; {100 * off:.1f} % of the evaluated rows off the data manifold" if off is not None else "")
             + ":", "", "| feature | given | score | marginal | skill |", "|---|---|---|---|---|"]
    for r in d["masks"]:
        given = "all others" if r.get("kind") == "all others" else ", ".join(r.get("given", []))
        lines.append(f"| {_md_cell(r['target'])} | {_md_cell(given)} | {_fmt(r.get('score'))} ({r.get('metric')}) | "
                     f"{_fmt(r.get('baseline'))} | {_fmt(r.get('skill'))} |")
    return lines


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, list):
        return ", ".join(_fmt(x) for x in v)
    if isinstance(v, dict):
        return "; ".join(f"{k}: {_fmt(x)}" for k, x in v.items())
    return "" if v is None else str(v)


def _collinear_split(pairs: list[dict[str, Any]], graph) -> tuple[list[dict[str, Any]], int]:
    """Near-collinear pairs across players, and the number inside one feature group.

    With groups, a pair inside one group cannot move credit between players (the group is one
    player), so the report lists only the pairs across players and counts the others.
    """
    groups = getattr(graph, "groups", None) or {}
    owner = {m: g for g, members in groups.items() for m in members}
    across = [p for p in pairs if owner.get(p["pair"][0], p["pair"][0]) != owner.get(p["pair"][1], p["pair"][1])]
    return across, len(pairs) - len(across)


def _html(payload: dict[str, Any], figures: list[dict[str, str]], result) -> str:
    from jinja2 import Environment, FileSystemLoader

    folder = resources.files("causalx.report").joinpath("templates")
    env = Environment(loader=FileSystemLoader(str(folder)), autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(fmt=_fmt, signed=fmt_signed, se=fmt_se, p=fmt_p, pm=fmt_pm, disagree=_disagree)
    top = payload["hypotheses"][: result.config.report.top_hypotheses]
    across, within = _collinear_split(payload["diagnostics"].get("collinear_pairs") or [], result.graph)
    return env.get_template("report.html.j2").render(r=payload, figures=figures, hypotheses=top,
                                                     collinear_across=across, collinear_within=within,
                                                     fig_titles={f["id"]: f["title"] for f in figures},
                                                     target_unit=_target_unit(result))


_MD_SPECIAL = {"\\": "\\\\", "`": "\\`", "[": "\\[", "]": "\\]", "<": "&lt;", ">": "&gt;", "&": "&amp;",
               "\n": " ", "\r": " "}


def _md(v: Any) -> str:
    """User text as Markdown text: no raw HTML (``<script>``), no links (``[x](javascript:...)``)."""
    return "".join(_MD_SPECIAL.get(ch, ch) for ch in _fmt(v))


def _md_code(v: Any) -> str:
    """User text in a code span (shown literally), or escaped text when it holds a backtick."""
    text = _fmt(v).replace("\n", " ").replace("\r", " ")
    return _md(text) if "`" in text else f"`{text}`"


def _md_cell(v: Any) -> str:
    return _md(v).replace("|", "\\|")


def _markdown(payload: dict[str, Any], result) -> str:
    """The Markdown report: the same sections and numbers as the HTML (same formatters), every hypothesis."""
    m = payload["model"]
    S = payload["summary"]
    tu = _target_unit(result)
    hu = f" \\[{_md_cell(tu)}\\]" if tu else ""  # the unit in the header of every table of target values
    target = _md(payload["data"]["target"])
    lines = [f"# {_md(payload['title'])}", "", f"> {payload['disclaimer']}", "",
             "## The answer first", "", f"*Question: {_md(S['question'])}*", "",
             f"Data: {_md_code(payload['data']['path'])} ({payload['data']['n_rows']} rows, "
             f"{payload['data']['n_explained']} explained); target {_md_code(payload['data']['target'])}; graph "
             f"{_md_code(payload['graph']['path'])}. Model: {_md(m['name'])} ({_md(m['source'])}); output explained: "
             f"{_md(m.get('output'))}.", ""]
    if payload.get("effects"):
        info = payload["effects_info"]
        grp = (" (for a group of features: all its members together, each)"
               if any(e.get("members") for e in payload["effects"]) else "")
        lines += [f"### What changes the {target}", "",
                  f"Each feature{grp} set from its 25th to its 75th percentile along the graph ({info['causal_semantics']} "
                  f"do(), {info['sampler']} sampler, {info['n_draws']} draws): change of the predicted "
                  f"{target}{f' (in {_md(tu)})' if tu else ''} ± one standard error, and plain SHAP's reading of the "
                  "same contrast. ▲ marks features where the two readings differ in sign or by more than half.",
                  "", f"| feature | low → high | total effect{hu} | direct{hu} | through descendants{hu} | "
                  f"plain SHAP reading{hu} | |",
                  "|---|---|---|---|---|---|---|"]
        for e in payload["effects"]:
            unit = f" {e['unit']}" if e.get("unit") else ""
            ind = ("— (no descendants)" if e["indirect"] == 0 and e["indirect_stderr"] == 0
                   else fmt_pm(e["indirect"], e["indirect_stderr"]))
            span = (f"{len(e['members'])} members, each q25 → q75" if e.get("members")
                    else f"{_md_cell(e['low_label'])} → {_md_cell(e['high_label'])}" if e.get('low_label')
                    else f"{_fmt(e['low'])} → {_fmt(e['high'])}{_md_cell(unit)}")
            lines.append(f"| {_md_cell(e['feature'])} | {span} | "
                         f"{fmt_pm(e['total'], e['total_stderr'])} | {fmt_pm(e['direct'], e['direct_stderr'])} | "
                         f"{ind} | {fmt_pm(e['marginal'], e['marginal_stderr'])} | {'▲' if _disagree(e) else ''} |")
        lines.append("")
    lines += ["### The three strongest hypotheses", ""]
    lines += [f"{i}. [{t['id']}](#{t['id'].lower()}) ({t['confidence']}) {_md(t['headline'])}"
              for i, t in enumerate(S["top_hypotheses"], start=1)] or ["No rule produced a hypothesis."]
    lines += ["", f"**Health of the evidence:** {_md(S['health']['text'])}", ""]
    lines += ["Contents: [Hypotheses](#hypotheses) · [Attributions](#attributions) · "
              "[Causal graph and units](#causal-graph-and-units) · [Diagnostics](#diagnostics)", ""]
    pairs, within = _collinear_split(payload["diagnostics"].get("collinear_pairs") or [], result.graph)
    if pairs:
        listed = "; ".join(f"{p['pair'][0]} and {p['pair'][1]} (r = {p['r']:+.4f})" for p in pairs)
        lines += [f"**Near-collinear features:** {_md_cell(listed)}. The data cannot separate their effects; "
                  "attributions can move between them, and the suggested edges (PC) around them are unreliable."
                  + (f" {within} more near-collinear pair(s) lie inside one feature group (one player: no credit "
                     "moves between them)." if within else ""), ""]
    elif within:
        lines += [f"**Near-collinear features:** {within} near-collinear pair(s), all inside one feature group "
                  "each (one player: no credit moves between them).", ""]
    hyps = payload["hypotheses"]
    lines += ["## Hypotheses", "", f"All {len(hyps)} hypotheses, ranked by score.", ""]
    for h in hyps:
        lines += [f"### {h['id']}", "", f"*{h['kind']}, confidence {h['confidence']} (score {h['score']:.2f}); "
                  f"{_md(', '.join(h['features']))}*", "", _md(h["statement"]), ""]
        e = h["evidence"].get("effect")
        if isinstance(e, dict) and "total" in e:
            unit = f" {e['unit']}" if e.get("unit") else ""
            span = (f"(all {len(e['members'])} members, each q25 → q75)" if e.get("members")
                    else f"{_md(e['low_label'])} → {_md(e['high_label'])}" if e.get('low_label')
                    else f"{_fmt(e['low'])} → {_fmt(e['high'])}{_md(unit)}")
            lines += [f"**Effect.** {_md(e['feature'])} {span}: {target} "
                      f"{fmt_pm(e['total'], e['total_stderr'])}{f' {_md(tu)}' if tu else ''} (direct "
                      f"{fmt_pm(e['direct'], e['direct_stderr'])}, through descendants "
                      f"{fmt_pm(e['indirect'], e['indirect_stderr'])}; plain SHAP "
                      f"{fmt_pm(e['marginal'], e['marginal_stderr'])}).", ""]
        lines += [f"**Suggested experiment.** {_md(h['suggested_experiment'])}", ""]
        if h["caveats"]:
            lines += [f"<details><summary>Caveats ({len(h['caveats'])})</summary>", ""]
            lines += [f"- {_md(c)}" for c in h["caveats"]] + ["", "</details>", ""]
        lines += ["<details><summary>Evidence</summary>", "", "| quantity | value |", "|---|---|"]
        lines += [f"| {_md_cell(k)} | {_md_cell(v)} |" for k, v in h["evidence"].items()] + ["", "</details>", ""]
    labels = list(payload["explanations"])
    lines += ["## Attributions", "", f"Mean \\|Shapley value\\| ± standard error over the explained rows"
              f"{f', in {_md(tu)}' if tu else ''}.", "",
              "| feature | " + " | ".join(_md_cell(lab) + hu for lab in labels) + " |", "|---|" + "---|" * len(labels)]
    feats = [r["feature"] for r in payload["explanations"][labels[0]]["features"]]
    for i, f in enumerate(feats):
        cells = [f"{payload['explanations'][lab]['features'][i]['mean_abs']:.3g} ± "
                 f"{fmt_se(payload['explanations'][lab]['features'][i]['mean_abs_stderr'])}" for lab in labels]
        lines.append(f"| {_md_cell(f)} | " + " | ".join(cells) + " |")
    lines += ["", "| explanation | value | sampler | asymmetric | method | draws | model evaluations | max attribution gap |",
              "|---|---|---|---|---|---|---|---|"]
    for lab, e in payload["explanations"].items():
        lines.append(f"| {_md_cell(lab)} | {e['value']} | {_md_cell(e.get('sampler'))} | {e['asymmetric']} | "
                     f"{_md_cell(e['method'])} | {_fmt(e.get('n_samples'))}{' (antithetic pairs)' if e.get('antithetic') else ''} | "
                     f"{_fmt(e.get('n_model_evals'))} | "
                     f"{e['max_efficiency_gap']:.1e} |")
    lines += _sampler_lines(payload["explanations"])
    g = payload["graph"]
    lines += ["", "## Causal graph and units", "", "| node | unit | type | role | description |", "|---|---|---|---|---|"]
    lines += [f"| {_md_cell(n['name'])} | {_md_cell(n.get('unit'))} | {_md_cell(n.get('type'))} | "
              f"{_md_cell(n.get('role'))} | {_md_cell(n.get('description'))} |" for n in g["nodes"]]
    # user strings escaped (not code spans): a node named `<img ...>` stays text in every renderer
    lines += ["", "Edges: " + (", ".join(f"{_md(a)} → {_md(b)}" for a, b in g["edges"]) or "none") + ". "
              "Declared hidden common causes: " + (", ".join(f"{_md(a)} ↔ {_md(b)}" for a, b in g["confounded"])
                                                   or "none") + ". "
              "Constraints: " + ("; ".join(_md(c) for c in g["constraints"]) or "none") + "."]
    d = payload["diagnostics"]
    lines += ["", "## Diagnostics"]
    if "implied_independencies" in d and not d["summary"]["n_tests"]:
        lines += ["", "The graph implies no testable independence (no pair of nodes is d-separated given the "
                  "parents of one of them): the data cannot falsify it this way."]
    elif "implied_independencies" in d:
        lines += ["", f"The graph is **{'falsified' if d['falsified'] else 'not falsified'}** "
                  f"at alpha = {d['summary']['alpha']} ({d['summary']['n_rejected']} of {d['summary']['n_tests']} "
                  f"implied independencies rejected, {d['summary'].get('correction')} correction"
                  + (f"; {tests_subsample(d)}, `diagnostics.max_rows`" if tests_subsample(d) else "") + ").", "",
                  "| implied independence | partial r | p | p adj. | verdict |", "|---|---|---|---|---|"]
        for t in d["implied_independencies"]:
            given = f" \\| {', '.join(t['given'])}" if t["given"] else ""
            lines.append(f"| {_md_cell(t['x'] + ' ⊥ ' + t['y'])}{_md(given)} | {fmt_signed(t['partial_correlation'])} | "
                         f"{fmt_p(t['p_value'])} | {fmt_p(t['p_adjusted'])} | {'REJECTED' if t['rejected'] else 'ok'} |")
        lines += ["", "### Suspected confounding", ""]
        if d.get("suspected_confounding"):
            lines += ["| pair | given | partial r | p adj. | suggestion |", "|---|---|---|---|---|"]
            lines += [f"| {_md_cell(' – '.join(s['pair']))} | {_md_cell(', '.join(s['given']))} | "
                      f"{fmt_signed(s['strength'])} | {fmt_p(s['p_value'])} | {_md_cell(s['suggestion'])} |"
                      for s in d["suspected_confounding"]]
        else:
            lines.append("None at this alpha.")
        lines += ["", "### Suggested edges (PC; hypotheses, not applied)", ""]
        if d.get("suggested_edges"):
            for s in d["suggested_edges"]:
                edge = " ".join((s["a"], s["orientation"], s["b"]))
                lines.append(f"- {_md(s['kind'])}: {_md(edge)} — {_md(s['evidence'])}")
        else:
            lines.append("None.")
    if d.get("manifold"):
        lines += ["", "### Model inputs off the data manifold", "",
                  "| explanation | rows checked | off-manifold | violate a constraint |", "|---|---|---|---|"]
        for lab, rep in d["manifold"].items():
            lines.append(f"| {_md_cell(lab)} | {rep['n_rows']} | {100 * rep['off_manifold_share']:.1f}% | "
                         f"{100 * rep['constraint_violation_share']:.1f}% |")
    if d.get("bootstrap"):
        b = d["bootstrap"]
        lines += ["", f"### Bootstrap ({_md(b['label'])}, {b['n_boot']} replicates, {b['n_rows']} rows)", "",
                  f"| feature | mean \\|value\\|{hu} | total s.e. | Monte Carlo s.e. | resampling s.e. |", "|---|---|---|---|---|"]
        lines += [f"| {_md_cell(r['feature'])} | {_fmt(r['mean_abs'])} | {_fmt(r['rms_total_stderr'])} | "
                  f"{_fmt(r['rms_mc_stderr'])} | {_fmt(r['rms_resampling_stderr'])} |" for r in b["features"]]
    if payload.get("warnings"):
        lines += ["", "## Warnings", ""] + [f"- {_md(w)}" for w in payload["warnings"]]
    lines += ["", "Figures are embedded in `report.html`; all numbers are in `report.json`.", ""]
    return "\n".join(lines)


def _disagree(e: dict[str, Any]) -> bool:
    """Plain SHAP's reading differs from the causal one in sign or by more than half (the ▲ of both reports)."""
    t, mg = e["total"], e["marginal"]
    return bool(t * mg < 0 or (abs(t) > 2 * (e["total_stderr"] + e["marginal_stderr"]) and abs(mg - t) > 0.5 * abs(t)))


def write_report(result, out_dir: str | os.PathLike[str]) -> dict[str, Path]:
    """Write ``report.html`` (self-contained), ``report.md`` and ``report.json`` into ``out_dir``.

    Parameters
    ----------
    result : StudyResult
        From :func:`causalx.study.run_study`.
    out_dir : path
        Created if needed.

    Returns
    -------
    dict of str to Path
        ``{"html": ..., "md": ..., "json": ...}``.
    """
    from causalx.study._output import atomic_write_text

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    payload = report_dict(result)
    figures = _figures(result)
    paths = {"html": out / "report.html", "md": out / "report.md", "json": out / "report.json"}
    # render all three first, then write each atomically: a failure leaves no truncated file
    texts = {"json": json.dumps(payload, indent=2, ensure_ascii=False, allow_nan=False),
             "md": _markdown(payload, result), "html": _html(payload, figures, result)}
    for key in ("json", "md", "html"):
        atomic_write_text(paths[key], texts[key])
    return paths
