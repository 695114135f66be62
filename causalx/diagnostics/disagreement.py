"""Attribution disagreement: features whose marginal, conditional and causal attributions part.

:func:`attribution_disagreement` compares the mean |attribution| of each feature across two or
three explanations of the same rows and lists the graph paths (downstream effects, upstream
causes, hidden common causes) that can move credit between the feature and others. The paths are
a reading aid, never a correction applied to the graph.

References
----------
.. [1] Heskes, T., Sijben, E., Bucur, I. G., Claassen, T. (2020). Causal Shapley values.
   NeurIPS 33.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np

from causalx.explanation import Explanation
from causalx.graph import CausalGraph
from causalx.utils import check_interval

__all__ = ["AttributionDisagreement", "GraphPath", "attribution_disagreement"]


@dataclass(frozen=True)
class GraphPath:
    """A path of the causal graph, e.g. ``X1 -> X2 -> X3`` or ``X2 <- X1 <-> X4``.

    Attributes
    ----------
    kind : {"downstream", "upstream", "confounding"}
        A directed path from the feature to another feature; from a cause into the feature;
        or a back-door path that ends in a bidirected edge (hidden common cause).
    nodes : tuple of str
    arrows : tuple of str
        ``len(nodes) - 1`` arrows among ``"->"``, ``"<-"``, ``"<->"``.
    """

    kind: str
    nodes: tuple[str, ...]
    arrows: tuple[str, ...]

    def __str__(self) -> str:
        out = self.nodes[0]
        for arrow, node in zip(self.arrows, self.nodes[1:]):
            out += f" {arrow} {node}"
        return out


@dataclass(frozen=True)
class AttributionDisagreement:
    """A feature whose mean |attribution| differs strongly between explanations.

    Attributes
    ----------
    feature : str
    labels : tuple of str
        Names of the explanations compared (e.g. ``"marginal"``, ``"causal"``).
    mean_abs : tuple of float
        Mean |attribution| of the feature in each explanation (same order as ``labels``).
    relative_gap : float
        ``(max − min) / max`` of ``mean_abs``.
    paths : tuple of GraphPath
        Graph paths that can move attribution between the feature and others.
    """

    feature: str
    labels: tuple[str, ...]
    mean_abs: tuple[float, ...]
    relative_gap: float
    paths: tuple[GraphPath, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "feature": self.feature,
            "mean_abs": dict(zip(self.labels, self.mean_abs)),
            "relative_gap": self.relative_gap,
            "paths": [{"kind": p.kind, "path": str(p)} for p in self.paths],
        }


def _paths_for(graph: CausalGraph, feature: str, used: Sequence[str], max_paths: int) -> tuple[GraphPath, ...]:
    dag = graph.to_networkx()  # directed edges only: bidirected pairs are handled below
    out: list[GraphPath] = []
    for d in graph.descendants(feature):
        if d in used:
            for p in itertools.islice(nx.all_simple_paths(dag, feature, d), max_paths):
                out.append(GraphPath("downstream", tuple(p), ("->",) * (len(p) - 1)))
    for a in graph.ancestors(feature):
        for p in itertools.islice(nx.all_simple_paths(dag, a, feature), max_paths):
            out.append(GraphPath("upstream", tuple(p), ("->",) * (len(p) - 1)))
    sources = {feature: [[feature]]}
    for a in graph.ancestors(feature):
        sources[a] = [list(reversed(p)) for p in itertools.islice(nx.all_simple_paths(dag, a, feature), max_paths)]
    for u, v in graph.confounded:
        for s, t in ((u, v), (v, u)):
            for back in sources.get(s, []):
                if t in back:
                    continue
                nodes = tuple(back) + (t,)
                out.append(GraphPath("confounding", nodes, ("<-",) * (len(back) - 1) + ("<->",)))
    uniq = list(dict.fromkeys(out))
    return tuple(uniq[: max_paths * 3])


def attribution_disagreement(
    explanations: Mapping[str, Explanation],
    graph: CausalGraph,
    *,
    threshold: float = 0.5,
    min_share: float = 0.05,
    max_paths: int = 10,
) -> tuple[AttributionDisagreement, ...]:
    """Features whose mean |attribution| disagrees strongly between explanations of the same rows.

    Parameters
    ----------
    explanations : mapping of str to Explanation
        Two or three explanations of the same rows and features, keyed by a label
        (e.g. ``{"marginal": e1, "conditional": e2, "causal": e3}``).
    graph : CausalGraph
    threshold : float, default 0.5
        Report a feature when ``(max − min) / max`` of its mean |attribution| reaches it.
    min_share : float, default 0.05
        ... and its largest mean |attribution| is at least this share of the largest over all
        features (tiny attributions are ignored).
    max_paths : int, default 10
        Most paths listed per kind and endpoint.

    Returns
    -------
    tuple of AttributionDisagreement
        Largest ``relative_gap`` first. ``downstream`` paths explain why causal values give a
        cause credit for its effects (marginal values do not); ``upstream`` and
        ``confounding`` paths explain credit shared with causes and confounded features.
    """
    if not isinstance(explanations, Mapping) or not 2 <= len(explanations) <= 3:
        raise ValueError(
            "explanations must be a mapping of 2 or 3 labelled Explanation objects, e.g. "
            "{'marginal': exp_m, 'causal': exp_c}; got "
            f"{type(explanations).__name__} of length {len(explanations) if hasattr(explanations, '__len__') else '?'}."
        )
    check_interval("threshold", threshold, low=0, high=1)
    check_interval("min_share", min_share, low=0, high=1)
    labels = tuple(str(k) for k in explanations)
    exps = list(explanations.values())
    ref = exps[0]
    for lab, e in zip(labels, exps):
        if not isinstance(e, Explanation):
            raise TypeError(f"explanations[{lab!r}] must be a causalx Explanation, got {type(e).__name__}.")
        if e.feature_names != ref.feature_names or e.values.shape != ref.values.shape:
            raise ValueError(
                f"explanations[{lab!r}] covers features {e.feature_names} with shape {e.values.shape}, "
                f"but explanations[{labels[0]!r}] covers {ref.feature_names} with shape {ref.values.shape}. "
                "Explain the same rows with the same graph."
            )
        if not np.allclose(e.data, ref.data, equal_nan=True):  # NaN: a group of features (no one value)
            raise ValueError(f"explanations[{lab!r}] explains different rows; explain the same X with each.")
    M = np.array([np.abs(e.values).mean(0) for e in exps])  # (k, d)
    top = M.max()
    used = [f for f, m in zip(ref.feature_names, M.max(0)) if m > 0]
    out = []
    for j, f in enumerate(ref.feature_names):
        hi, lo = M[:, j].max(), M[:, j].min()
        if hi <= 0 or hi < min_share * top:
            continue
        gap = (hi - lo) / hi
        if gap >= threshold:
            out.append(AttributionDisagreement(
                feature=f, labels=labels, mean_abs=tuple(float(v) for v in M[:, j]),
                relative_gap=float(gap),
                paths=_paths_for(graph, f, [u for u in used if u != f], max_paths) if f in graph.nodes else (),
            ))
    return tuple(sorted(out, key=lambda a: -a.relative_gap))
