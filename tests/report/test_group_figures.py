"""Report figures of a graph with feature groups: the group-level graph and the waterfall labels."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from causalx.explanation import Explanation  # noqa: E402
from causalx.graph import CausalGraph  # noqa: E402
from causalx.plotting import plot_graph, plot_waterfall  # noqa: E402


def _graph():
    return CausalGraph(["a1", "a2", "b", "c1", "c2", "c3"], ["a1 -> b", "a2 -> c1", "b -> c3", "a1 -> a2"],
                       confounded=["b <-> c2"], groups={"A": ["a1", "a2"], "C": ["c1", "c2", "c3"]})


def _explanation(g):
    p = g.players
    return Explanation(values=np.array([[0.3, -0.2, 0.5]]), base_values=np.zeros(1), stderr=np.zeros((1, 3)),
                       data=np.array([[np.nan, 1.5, np.nan]]), feature_names=p, output=np.array([0.6]),
                       provenance={"value": "causal", "groups": g.groups})


def test_graph_figure_draws_one_node_per_group():
    g = _graph()
    assert g.players == ("A", "b", "C")
    ax = plot_graph(g, _explanation(g))
    labels = [t.get_text().split("\n")[0] for t in ax.texts if t.get_text()]
    assert sorted(labels) == ["A (2)", "C (3)", "b"]
    # condensation: A -> b (a1 -> b), A -> C (a2 -> c1), b -> C (b -> c3); the edge inside A is gone
    from causalx.plotting._plots import _group_graph

    cg, suspected, sizes = _group_graph(g, [("a1", "c2"), ("c1", "c2")])
    assert set(cg.edges) == {("A", "b"), ("A", "C"), ("b", "C")}
    assert cg.confounded == ()  # b <-> c2 lifts onto b and C, already joined by an edge
    assert suspected == [("A", "C")] and sizes == {"A": 2, "b": 1, "C": 3}
    assert "feature groups" in ax.get_title()
    plt.close("all")


def test_waterfall_labels_groups_without_a_value():
    g = _graph()
    ax = plot_waterfall(_explanation(g), 0)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert sorted(labels) == ["A (2 features)", "C (3 features)", "b = 1.5"]
    assert not any("nan" in lab for lab in labels)
    plt.close("all")
