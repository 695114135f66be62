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
    "plot_waterfall",
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


def _group_graph(graph: CausalGraph, suspected):
    """The condensation of a graph with groups: one node per player, an edge between two players
    when an edge (or the component order) runs between their members; confounded and suspected
    pairs mapped onto the players (pairs inside one group dropped)."""
    from causalx.graph.groups import group_precedences, players

    plist = players(graph)
    owner = {n: p for p, members in plist for n in members}
    edges = [f"{a} -> {b}" for a, b in group_precedences(graph)]
    linked = {frozenset(e) for e in group_precedences(graph)}

    def lift(pairs):
        out = []
        for a, b in pairs:
            pa, pb = owner.get(a, a), owner.get(b, b)
            if pa != pb and (pa, pb) not in out and (pb, pa) not in out:
                out.append((pa, pb))
        return out

    conf = [pr for pr in lift(graph.confounded) if frozenset(pr) not in linked]
    sizes = {p: len(m) for p, m in plist}
    return CausalGraph([p for p, _ in plist], edges, confounded=[f"{a} <-> {b}" for a, b in conf]), lift(suspected), sizes


def plot_graph(graph: CausalGraph, explanation: Explanation | None = None, *, suspected: Sequence[tuple[str, str]] = (),
               ax=None, target_unit: str | None = None):
    """Draw the causal graph; with an explanation, node size and colour show mean |attribution|.

    A graph with ``groups`` is drawn at the level of its players: one node per group (labelled
    with its member count) and per ungrouped feature, an arrow between two when an edge runs
    between their members.

    Parameters
    ----------
    graph : CausalGraph
    explanation : Explanation, optional
        Its ``mean_abs()`` per node sets the node size and colour.
    suspected : sequence of (str, str), default ()
        Pairs the data suggest are confounded: drawn as dotted red lines.
    ax : matplotlib Axes, optional
    target_unit : str, optional
        Unit of the model output, shown on the colour bar.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt
    import networkx as nx

    ax = _axes(ax, (7.0, 4.5))
    n_members = None
    if graph.groups:
        graph, suspected, n_members = _group_graph(graph, suspected)
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
    value_of = dict(zip(graph.nodes, vals))
    for v, size in zip(graph.nodes, sizes):
        # below the circle: its radius in points is sqrt(size / pi) (node_size is an area in points^2)
        radius = float(np.sqrt(size / np.pi))
        text = v if n_members is None or n_members[v] == 1 else f"{v} ({n_members[v]})"
        text = text if explanation is None else f"{text}\n{value_of[v]:.3g}"
        ax.annotate(text, xy=pos[v], xytext=(0, -(radius + 3)), textcoords="offset points", ha="center", va="top",
                    fontsize=8, bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85))
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    ax.set_xlim(min(xs) - 0.6, max(xs) + 0.6)
    ax.set_ylim(min(ys) - 0.95, max(ys) + 0.6)
    ax.set_axis_off()
    title = "Causal graph" if n_members is None else "Causal graph of the feature groups (members in brackets)"
    if explanation is not None:
        value = explanation.provenance.get("value", "attribution")
        title += f" (node size and colour: mean |{value}| value)"
        if vals.max() > 0:
            from matplotlib.colors import Normalize
            from matplotlib.cm import ScalarMappable

            # node colour = cmap(0.15 + 0.75 * value / max): the bar spans the same part of the map
            from matplotlib.colors import ListedColormap

            part = ListedColormap(cmap(np.linspace(0.15, 0.9, 256)))
            sm = ScalarMappable(norm=Normalize(0, float(vals.max())), cmap=part)
            bar = ax.figure.colorbar(sm, ax=ax, fraction=0.035, pad=0.01)
            bar.set_label(f"mean |{value} value|" + (f" ({target_unit})" if target_unit else ""), fontsize=8)
            bar.ax.tick_params(labelsize=7)
    ax.set_title(title, fontsize=10)
    return ax


def plot_attribution_bars(explanations: Mapping[str, Explanation], *, ax=None, target_unit: str | None = None):
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
    ax.set_ylabel("mean |Shapley value|" + (f" ({target_unit})" if target_unit else ""))
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.set_title("Attributions by value function (± 2 s.e.)", fontsize=10)
    return ax


def plot_beeswarm(explanation: Explanation, *, ax=None, max_display: int = 12, target_unit: str | None = None):
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
    unit = f" ({target_unit})" if target_unit else ""
    ax.set_xlabel(f"{explanation.provenance.get('value', '')} Shapley value{unit}")
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    bar = ax.figure.colorbar(ScalarMappable(norm=Normalize(0, 1), cmap=cmap), ax=ax, fraction=0.04, pad=0.01)
    bar.set_ticks([0, 1])
    bar.set_ticklabels(["low", "high"])
    bar.set_label("feature value (rank within the rows)", fontsize=8)
    bar.ax.tick_params(labelsize=7)
    ax.set_title("Attributions per explained row", fontsize=10)
    return ax


def plot_direct_indirect(explanation: Explanation, *, ax=None, target_unit: str | None = None):
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
    ax.set_ylabel("mean |part of the causal value|" + (f" ({target_unit})" if target_unit else ""))
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.set_title("Direct and indirect effects (± 2 s.e.)", fontsize=10)
    return ax


def plot_dependence(pdp, ale=None, *, ax=None, max_ice: int = 50, unit: str | None = None,
                    target_unit: str | None = None):
    """Partial dependence with ICE curves and the ALE, on one y scale (the model's prediction).

    The ALE is centred; it is drawn shifted to the PDP's mean so that both curves read in the
    units of the prediction, and only over the PDP's grid (the range of the data the PDP and ICE
    curves cover), so that no curve runs beyond the others.

    Parameters
    ----------
    pdp : DependenceResult
    ale : ALEResult, optional
    ax : matplotlib Axes, optional
    max_ice : int, default 50
        Most ICE curves drawn.
    unit, target_unit : str, optional
        Units of the feature (x axis) and of the prediction (y axis).

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax, (5.0, 3.5))
    grid = np.asarray(pdp.grid, dtype=float)
    if pdp.individual is not None:
        for k, curve in enumerate(np.asarray(pdp.individual)[:max_ice]):
            ax.plot(grid, curve, color="#9ecae1", lw=0.6, alpha=0.6, label="ICE (one row each)" if k == 0 else None)
    ax.plot(grid, pdp.average, color="#08519c", lw=2.2, label=f"PDP ({pdp.kind})")
    ax.set_xlabel(pdp.feature if not unit else f"{pdp.feature} ({unit})")
    ax.set_ylabel("prediction" + (f" ({target_unit})" if target_unit else ""))
    if ale is not None:
        edges = np.asarray(ale.edges, dtype=float)
        effect = np.asarray(ale.effect, dtype=float)
        lo, hi = float(grid.min()), float(grid.max())
        keep = (edges >= lo) & (edges <= hi)
        if keep.sum() >= 2:
            shift = float(np.mean(pdp.average))
            ax.plot(edges[keep], effect[keep] + shift, color="#d95f02", lw=1.8, ls="--",
                    label="ALE (centred, + PDP mean)")
        ax.set_xlim(lo, hi)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.set_title(f"PDP / ICE / ALE: {pdp.feature}", fontsize=10)
    return ax


def plot_waterfall(explanation: Explanation, row: int = 0, *, ax=None, max_display: int = 10,
                   target_unit: str | None = None, units: Mapping[str, str | None] | None = None):
    """How one row's prediction is built from the base value, one attribution at a time.

    Parameters
    ----------
    explanation : Explanation
    row : int, default 0
        Index of the explained row.
    ax : matplotlib Axes, optional
    max_display : int, default 10
        Largest |values| shown; the rest are summed in one bar.
    target_unit : str, optional
        Unit of the prediction (x axis).
    units : mapping of str to str, optional
        Unit of each feature, written after its value in the labels (``T = 425 K``).

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax, (7.0, 4.0))
    v = np.asarray(explanation.values)[row]
    data = np.asarray(explanation.data)[row] if explanation.data is not None else None
    base = float(np.ravel(explanation.base_values)[row] if np.ndim(explanation.base_values) else explanation.base_values)
    names = list(explanation.feature_names)
    order = list(np.argsort(-np.abs(v)))
    shown, rest = order[:max_display], order[max_display:]
    units = units or {}
    groups = explanation.provenance.get("groups") or {}
    cats = explanation.provenance.get("categories") or {}

    def label(j):
        members = groups.get(names[j])
        if members is not None and (len(members) > 1 or members[0] != names[j]):
            return f"{names[j]} ({len(members)} features)"  # a group has no single value
        if data is None or not np.isfinite(data[j]):
            return names[j]
        levels = cats.get(names[j])
        if levels is not None and 0 <= int(round(data[j])) < len(levels):  # a code: show its category
            return f"{names[j]} = {levels[int(round(data[j]))]}"
        return f"{names[j]} = {data[j]:.3g}" + (f" {units[names[j]]}" if units.get(names[j]) else "")

    labels = [label(j) for j in shown]
    deltas = [float(v[j]) for j in shown]
    if rest:
        kind = "group" if groups else "feature"  # with groups, the players are the groups
        labels.append(f"{len(rest)} other {kind}" + ("s" if len(rest) > 1 else ""))
        deltas.append(float(v[rest].sum()))
    labels, deltas = labels[::-1], deltas[::-1]
    # from the base value at the bottom to f(x) at the top, the largest contribution last
    left = list(base + np.concatenate([[0.0], np.cumsum(deltas)[:-1]]))
    start = base + float(np.sum(deltas))
    colours = ["#c0392b" if d > 0 else "#2471a3" for d in deltas]
    y = np.arange(len(deltas))
    ax.barh(y, deltas, left=left, color=colours, height=0.6)
    for yi, lft, dlt in zip(y, left, deltas):
        ax.text(lft + dlt, yi, f" {dlt:+.3g} ", va="center", ha="left" if dlt >= 0 else "right", fontsize=7)
    ax.axvline(base, color="grey", lw=0.8, ls=":")
    ax.axvline(start, color="black", lw=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels(labels, fontsize=8)
    unit = f" ({target_unit})" if target_unit else ""
    ax.set_xlabel(f"prediction{unit}: base value {base:.3g} (dotted) → f(x) {start:.3g} (solid)")
    ax.margins(x=0.15)
    ax.set_title(f"Waterfall of row {row} ({explanation.provenance.get('value', '')} values)", fontsize=10)
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
                     cellLoc="left", colWidths=[0.55, 0.15, 0.15, 0.15], bbox=[0.0, 0.0, 1.0, 1.0])
    table.auto_set_font_size(False)
    table.set_fontsize(8)
    for i, t in enumerate(tests, start=1):
        if t.rejected:
            for j in range(4):
                table[i, j].set_facecolor("#f8d7da")
    ax.set_title(f"Falsification: {falsification.n_rejected} of {len(falsification.tests)} implications rejected "
                 f"(alpha={falsification.alpha:g}, {falsification.correction})", fontsize=10)
    return ax
