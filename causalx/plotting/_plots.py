"""The plotting functions (see the package docstring)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from causalx.explanation import Explanation
from causalx.graph import CausalGraph

__all__ = [
    "plot_attribution_bars",
    "plot_beeswarm",
    "plot_dependence",
    "plot_direct_indirect",
    "plot_falsification",
    "plot_graph",
]


def _axes(ax, figsize=(6.4, 4.0)):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize)
    return ax


def _layout(graph: CausalGraph, view=None) -> dict[str, tuple[float, float]]:
    """Left-to-right layers by causal order, each layer spread vertically in node order.

    The layers are the topological generations of the graph's networkx view (a node's layer
    is the longest directed path from a root); a chain graph, whose view has no edges, is
    laid out by its chain components. Unit spacing between layers and between nodes.
    """
    import networkx as nx

    view = graph.to_networkx() if view is None else view
    order = {v: i for i, v in enumerate(graph.nodes)}
    if graph.is_chain_graph:
        layers = [list(c.nodes) for c in graph.components()]
    else:
        layers = [sorted(gen, key=order.__getitem__) for gen in nx.topological_generations(view)]
    # multipartite_layout stacks a layer bottom-up (so list each reversed: first node on top)
    # and rescales the whole layout; divide by its spacing to get back to unit steps
    pos = nx.multipartite_layout(view, subset_key={k: layer[::-1] for k, layer in enumerate(layers)})
    if len(layers) > 1:
        step = pos[layers[1][0]][0] - pos[layers[0][0]][0]
    elif len(layers[0]) > 1:
        step = pos[layers[0][0]][1] - pos[layers[0][1]][1]
    else:
        step = 1.0
    return {v: (float(pos[v][0] / step), float(pos[v][1] / step)) for v in graph.nodes}


def plot_graph(graph: CausalGraph, explanation: Explanation | None = None, *, suspected: Sequence[tuple[str, str]] = (),
               ax=None):
    """Draw the causal graph; with an explanation, node size and colour show mean |attribution|.

    Parameters
    ----------
    graph : CausalGraph
    explanation : Explanation, optional
        Its ``mean_abs()`` per node sets the node size and colour.
    suspected : sequence of (str, str), default ()
        Pairs the data suggest are confounded: drawn as dotted red lines.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt
    import networkx as nx

    ax = _axes(ax, (7.0, 4.5))
    g = graph.to_networkx()
    pos = _layout(graph, g)
    if explanation is not None:
        m = dict(zip(explanation.feature_names, explanation.mean_abs()))
        vals = np.array([m.get(v, 0.0) for v in graph.nodes])
    else:
        vals = np.ones(len(graph.nodes))
    scale = vals / vals.max() if vals.max() > 0 else vals
    sizes = 600 + 2400 * scale
    cmap = plt.get_cmap("viridis")
    nx.draw_networkx_nodes(g, pos, ax=ax, node_size=sizes, node_color=[cmap(0.15 + 0.75 * s) for s in scale],
                           edgecolors="black", linewidths=0.8)
    nx.draw_networkx_edges(g, pos, ax=ax, node_size=sizes, arrowsize=16, width=1.4, edge_color="#333333")
    for pairs, style, colour in ((graph.confounded, "dashed", "#555555"), (suspected, "dotted", "#c0392b")):
        for a, b in pairs:
            if a in pos and b in pos:
                ax.annotate("", xy=pos[b], xytext=pos[a],
                            arrowprops=dict(arrowstyle="<->", linestyle=style, color=colour, lw=1.5,
                                            connectionstyle="arc3,rad=0.3", shrinkA=18, shrinkB=18))
    labels = {v: v if explanation is None else f"{v}\n{dict(zip(graph.nodes, vals))[v]:.3g}" for v in graph.nodes}
    nx.draw_networkx_labels(g, {k: (x, y - 0.33) for k, (x, y) in pos.items()}, labels=labels, ax=ax, font_size=8)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    ax.set_xlim(min(xs) - 0.6, max(xs) + 0.6)
    ax.set_ylim(min(ys) - 0.8, max(ys) + 0.6)
    ax.set_axis_off()
    title = "Causal graph"
    if explanation is not None:
        title += f" (node size: mean |{explanation.provenance.get('value', 'attribution')}| value)"
    ax.set_title(title, fontsize=10)
    return ax


def plot_attribution_bars(explanations: Mapping[str, Explanation], *, ax=None):
    """Mean |attribution| per feature for several explanations side by side, with error bars.

    The error bar is two standard errors of the mean |value| (Monte Carlo error combined over
    the explained rows).

    Parameters
    ----------
    explanations : mapping of str to Explanation
        Explanations of the same features, keyed by label.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax, (7.5, 4.0))
    labels = list(explanations)
    names = list(next(iter(explanations.values())).feature_names)
    k = len(labels)
    width = 0.8 / max(k, 1)
    x = np.arange(len(names))
    for i, lab in enumerate(labels):
        e = explanations[lab]
        n = max(len(e), 1)
        m = e.mean_abs()
        se = np.sqrt((np.asarray(e.stderr) ** 2).sum(0)) / n
        ax.bar(x + (i - (k - 1) / 2) * width, m, width, yerr=2 * se, capsize=2, label=lab)
    ax.set_xticks(x)
    ax.set_xticklabels(names, rotation=30, ha="right", fontsize=8)
    ax.set_ylabel("mean |Shapley value|")
    ax.legend(fontsize=8)
    ax.set_title("Attributions by value function (± 2 s.e.)", fontsize=10)
    return ax


def plot_beeswarm(explanation: Explanation, *, ax=None, max_display: int = 12):
    """One dot per explained row and feature, coloured by the (rank-scaled) feature value.

    Parameters
    ----------
    explanation : Explanation
    ax : matplotlib Axes, optional
    max_display : int, default 12
        Most features shown (largest mean |value| on top).

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    ax = _axes(ax, (7.0, 4.0))
    V = np.asarray(explanation.values)
    D = np.asarray(explanation.data)
    order = np.argsort(-np.abs(V).mean(0))[:max_display][::-1]
    rng = np.random.default_rng(0)
    cmap = plt.get_cmap("coolwarm")
    for row, j in enumerate(order):
        v = V[:, j]
        d = D[:, j]
        rank = (np.argsort(np.argsort(d)) / max(len(d) - 1, 1)) if len(d) > 1 else np.full(len(d), 0.5)
        jitter = rng.uniform(-0.3, 0.3, len(v))
        ax.scatter(v, row + jitter, c=cmap(rank), s=12, alpha=0.85, linewidths=0)
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_yticks(range(len(order)))
    ax.set_yticklabels([explanation.feature_names[j] for j in order], fontsize=8)
    ax.set_xlabel(f"{explanation.provenance.get('value', '')} Shapley value (colour: feature value, low → high)")
    ax.set_title("Attributions per explained row", fontsize=10)
    return ax


def plot_direct_indirect(explanation: Explanation, *, ax=None):
    """Mean |direct| and mean |indirect| part of each feature's causal attribution.

    Parameters
    ----------
    explanation : Explanation
        From ``explain(X, decompose=True)``.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        When the explanation was not decomposed.
    """
    if explanation.direct is None:
        raise ValueError("plot_direct_indirect needs an explanation computed with explain(X, decompose=True).")
    ax = _axes(ax, (7.0, 4.0))
    names = list(explanation.feature_names)
    n = max(len(explanation), 1)
    x = np.arange(len(names))
    for off, part, se, lab in ((-0.2, explanation.direct, explanation.direct_stderr, "direct"),
                               (0.2, explanation.indirect, explanation.indirect_stderr, "indirect")):
        err = None if se is None else 2 * np.sqrt((np.asarray(se) ** 2).sum(0)) / n
        ax.bar(x + off, np.abs(part).mean(0), 0.4, yerr=err, capsize=2, label=lab)
    ax.set_xticks(x)
    ax.set_xticklabels(names, rotation=30, ha="right", fontsize=8)
    ax.set_ylabel("mean |part of the causal value|")
    ax.legend(fontsize=8)
    ax.set_title("Direct and indirect effects (± 2 s.e.)", fontsize=10)
    return ax


def plot_dependence(pdp, ale=None, *, ax=None, max_ice: int = 50):
    """Partial dependence with ICE curves (left scale) and the ALE (right scale).

    Parameters
    ----------
    pdp : DependenceResult
    ale : ALEResult, optional
    ax : matplotlib Axes, optional
    max_ice : int, default 50
        Most ICE curves drawn.

    Returns
    -------
    matplotlib.axes.Axes
        The PDP axes (the ALE is drawn on a twin axis).
    """
    ax = _axes(ax, (5.0, 3.5))
    if pdp.individual is not None:
        for curve in np.asarray(pdp.individual)[:max_ice]:
            ax.plot(pdp.grid, curve, color="#9ecae1", lw=0.6, alpha=0.6)
    ax.plot(pdp.grid, pdp.average, color="#08519c", lw=2.2, label=f"PDP ({pdp.kind})")
    ax.set_xlabel(pdp.feature)
    ax.set_ylabel("prediction")
    if ale is not None:
        tw = ax.twinx()
        tw.plot(ale.edges, ale.effect, color="#d95f02", lw=1.8, ls="--", label="ALE")
        tw.set_ylabel("ALE (centred)", color="#d95f02")
        handles = ax.get_legend_handles_labels()[0] + tw.get_legend_handles_labels()[0]
        ax.legend(handles=handles, fontsize=8, loc="best")
    else:
        ax.legend(fontsize=8)
    ax.set_title(f"PDP / ICE / ALE: {pdp.feature}", fontsize=10)
    return ax


def plot_falsification(falsification, *, ax=None, max_rows: int = 20):
    """The graph's implied independencies with their test results, as a table.

    Parameters
    ----------
    falsification : FalsificationResult
    ax : matplotlib Axes, optional
    max_rows : int, default 20
        Rejected implications first, then the smallest adjusted p-values.

    Returns
    -------
    matplotlib.axes.Axes
    """
    tests = sorted(falsification.tests, key=lambda t: (not t.rejected, t.p_adjusted))[:max_rows]
    ax = _axes(ax, (7.5, 0.6 + 0.28 * max(len(tests), 1)))
    ax.set_axis_off()
    if not tests:
        ax.text(0.5, 0.5, "The graph implies no testable independence.", ha="center", va="center")
        return ax
    cells = [[str(t), f"{t.partial_correlation:+.3f}", f"{t.p_adjusted:.2g}", "REJECTED" if t.rejected else "ok"]
             for t in tests]
    table = ax.table(cellText=cells, colLabels=["implied independence", "partial r", "p adj.", "verdict"],
                     loc="center", cellLoc="left", colWidths=[0.55, 0.15, 0.15, 0.15])
    table.auto_set_font_size(False)
    table.set_fontsize(8)
    for i, t in enumerate(tests, start=1):
        if t.rejected:
            for j in range(4):
                table[i, j].set_facecolor("#f8d7da")
    ax.set_title(f"Falsification: {falsification.n_rejected} of {len(falsification.tests)} implications rejected "
                 f"(alpha={falsification.alpha:g}, {falsification.correction})", fontsize=10)
    return ax
