"""Suggested edges from constraint-based causal discovery (PC), as hypotheses only.

The PC algorithm (Spirtes, Glymour & Scheines 2000) estimates, from conditional-independence
tests alone, the skeleton and the orientable edges of a DAG that fits the data. Compared with
the declared graph it yields two lists:

- ``missing``: adjacencies PC keeps that the graph lacks (neither an edge nor a ``<->``);
- ``contradicted``: declared edges whose endpoints PC separates, or that PC orients the other
  way round.

Nothing is ever applied to the graph: PC assumes no hidden confounding and faithfulness, and its
orientations are fragile in small samples. Read each suggestion with its evidence.

References
----------
.. [1] Spirtes, P., Glymour, C., Scheines, R. (2000). Causation, Prediction, and Search, 2nd ed.
   MIT Press.
.. [2] Colombo, D., Maathuis, M. H. (2014). Order-independent constraint-based causal structure
   learning. JMLR 15 (stable PC).
.. [3] Zheng, Y., Huang, B., Chen, W., et al. (2024). Causal-learn: causal discovery in Python.
   JMLR 25(60).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from causalx._options import DISCOVERY_TESTS
from causalx.diagnostics._data import as_node_array
from causalx.graph import CausalGraph
from causalx.utils import check_interval, check_option

__all__ = ["SuggestedEdge", "discover_skeleton", "suggest_edges"]


@dataclass(frozen=True)
class SuggestedEdge:
    """A hypothesis about the graph from causal discovery.

    Attributes
    ----------
    a, b : str
        The two nodes (``a -> b`` when ``orientation`` is ``"->"``).
    kind : {"missing", "contradicted"}
        The graph lacks an adjacency the data support, or declares an edge the data contradict.
    orientation : str
        What PC found: ``"->"``, ``"<-"``, ``"--"`` (adjacent, unoriented), ``"<->"``, or
        ``"none"`` (not adjacent).
    evidence : str
        A sentence stating what the data show.
    """

    a: str
    b: str
    kind: str
    orientation: str
    evidence: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.a} {self.orientation} {self.b} ({self.evidence})"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)


def discover_skeleton(data: np.ndarray, *, alpha: float = 0.01, indep_test: str = "fisherz") -> np.ndarray:
    """Run causal-learn's stable PC; return its endpoint matrix ``G`` of shape (d, d).

    ``G[i, j] == -1 and G[j, i] == 1`` means ``i -> j``; both ``-1``: ``i -- j``; both ``1``:
    ``i <-> j``; both ``0``: not adjacent.
    """
    try:
        from causallearn.search.ConstraintBased.PC import pc
    except ImportError as exc:  # pragma: no cover - exercised only without causal-learn
        raise ImportError(
            "suggest_edges needs causal-learn: pip install causal-learn (or pip install 'causalx[diagnostics]')."
        ) from exc
    cg = pc(np.asarray(data, dtype=float), alpha, indep_test, stable=True, show_progress=False, verbose=False)
    return np.asarray(cg.G.graph)


def _orientation(G: np.ndarray, i: int, j: int) -> str:
    a, b = G[i, j], G[j, i]
    if a == 0 and b == 0:
        return "none"
    if a == -1 and b == 1:
        return "->"
    if a == 1 and b == -1:
        return "<-"
    if a == 1 and b == 1:
        return "<->"
    return "--"


def suggest_edges(
    graph: CausalGraph,
    data,
    *,
    alpha: float = 0.01,
    indep_test: str = "fisherz",
) -> tuple[SuggestedEdge, ...]:
    """Compare the declared graph with the PC algorithm's estimate; list hypotheses.

    Parameters
    ----------
    graph : CausalGraph
    data : DataFrame or ndarray of shape (n_samples, n_nodes)
    alpha : float, default 0.01
        Level of PC's independence tests.
    indep_test : {"fisherz", "kci", "chisq", "gsq"}, default "fisherz"
        causal-learn's test (``kci`` is slow beyond a few hundred rows).

    Returns
    -------
    tuple of SuggestedEdge
        ``missing`` suggestions first, then ``contradicted`` ones, in node order.

    Examples
    --------
    >>> from causalx.datasets import make_linear_scm
    >>> scm = make_linear_scm(["A", "B", "C"], {("A", "B"): 0.8, ("B", "C"): 0.6, ("A", "C"): 0.7})
    >>> g = CausalGraph(["A", "B", "C"], ["A -> B", "B -> C"])
    >>> [(s.a, s.b, s.kind) for s in suggest_edges(g, scm.sample(1000, random_state=0))]
    [('A', 'C', 'missing')]
    """
    check_interval("alpha", alpha, low=0, high=1, closed="neither")
    check_option("indep_test", indep_test, DISCOVERY_TESTS)
    X = as_node_array(data, graph)
    names = list(graph.nodes)
    std = X.std(0)
    Xs = (X - X.mean(0)) / np.where(std > 0, std, 1.0)
    G = discover_skeleton(Xs, alpha=alpha, indep_test=indep_test)
    edges = set(graph.edges)
    conf = {frozenset(p) for p in graph.confounded}
    missing, contradicted = [], []
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            a, b = names[i], names[j]
            o = _orientation(G, i, j)
            declared = (a, b) in edges or (b, a) in edges
            if o != "none" and not declared and frozenset((a, b)) not in conf:
                missing.append(SuggestedEdge(
                    a, b, "missing", o,
                    f"PC keeps {a} and {b} adjacent (no conditioning set made them independent at "
                    f"alpha={alpha:g}); the graph has no edge or `<->` between them",
                ))
            elif declared and o == "none" and frozenset((a, b)) not in conf:
                s, t = (a, b) if (a, b) in edges else (b, a)
                contradicted.append(SuggestedEdge(
                    s, t, "contradicted", "none",
                    f"the declared edge {s} -> {t} is not supported: PC found a set that makes "
                    f"{s} and {t} independent at alpha={alpha:g}",
                ))
            elif declared and o in ("->", "<-"):
                s, t = (a, b) if o == "->" else (b, a)
                if (t, s) in edges:
                    contradicted.append(SuggestedEdge(
                        t, s, "contradicted", "<-",
                        f"the declared edge {t} -> {s} is oriented {s} -> {t} by PC (v-structure or "
                        "propagated orientation)",
                    ))
    return tuple(missing + contradicted)
