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
from causalx.diagnostics._citests import ci_test, is_discrete
from causalx.diagnostics._data import node_codes
from causalx.graph import CausalGraph
from causalx.utils import check_interval, check_option

__all__ = ["SuggestedEdge", "discover_skeleton", "pick_discovery_test", "suggest_edges"]


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


#: the name under which causalx's mixed-data test is registered with causal-learn
MIXED_TEST = "causalx_mixed"


def _mixed_test_class():
    """A causal-learn CI test running :func:`causalx.diagnostics._citests.ci_test`: the G-test when
    x, y and the conditioning set are all discrete, else the GCM (categorical variables as level
    indicators). Registered once; None when causal-learn cannot register custom tests."""
    from causallearn.utils import cit

    if MIXED_TEST in getattr(cit, "_custom_ci_tests", {}):
        return cit._custom_ci_tests[MIXED_TEST]
    if not hasattr(cit, "register_ci_test"):  # causal-learn before custom tests
        return None

    class _MixedTest(cit.CIT_Base):
        def __init__(self, data, discrete=(), categorical=(), **kwargs):
            super().__init__(data, **kwargs)
            self.method = MIXED_TEST  # causal-learn reads the test's name
            self.discrete = np.asarray(discrete, dtype=bool)
            self.categorical = tuple(int(c) for c in categorical)
            self._cache: dict[tuple, float] = {}

        def __call__(self, X, Y, condition_set=None):
            x, y = sorted((int(np.ravel(X)[0]), int(np.ravel(Y)[0])))
            given = tuple(sorted(int(c) for c in (condition_set or ())))
            key = (x, y, given)
            if key not in self._cache:
                cols = [x, y, *given]
                method = "gsq" if self.discrete.size and bool(self.discrete[cols].all()) else "gcm"
                self._cache[key] = ci_test(self.data, x, y, given, method=method, categorical=self.categorical)[1]
            return self._cache[key]

    cit.register_ci_test(MIXED_TEST, _MixedTest)
    return _MixedTest


def discover_skeleton(data: np.ndarray, *, alpha: float = 0.01, indep_test: str = "fisherz", **test_options) -> np.ndarray:
    """Run causal-learn's stable PC; return its endpoint matrix ``G`` of shape (d, d).

    ``G[i, j] == -1 and G[j, i] == 1`` means ``i -> j``; both ``-1``: ``i -- j``; both ``1``:
    ``i <-> j``; both ``0``: not adjacent. ``test_options`` go to the CI test (``discrete``
    and ``categorical`` for :data:`MIXED_TEST`).
    """
    try:
        from causallearn.search.ConstraintBased.PC import pc
    except ImportError as exc:  # pragma: no cover - exercised only without causal-learn
        raise ImportError(
            "suggest_edges needs causal-learn: pip install causal-learn (or pip install 'causalx[diagnostics]')."
        ) from exc
    if indep_test == MIXED_TEST and _mixed_test_class() is None:  # pragma: no cover - old causal-learn
        indep_test, test_options = "fisherz", {}
    cg = pc(np.asarray(data, dtype=float), alpha, indep_test, stable=True, show_progress=False, verbose=False,
            **test_options)
    return np.asarray(cg.G.graph)


def pick_discovery_test(X: np.ndarray, types) -> tuple[str, dict]:
    """PC's CI test for the node types: ``gsq`` when every node is discrete, ``fisherz`` when
    none is, else :data:`MIXED_TEST` (G-test on all-discrete sets, GCM with categorical level
    indicators otherwise). Returns the test name and its options."""
    discrete = np.array([is_discrete(X[:, j], t) for j, t in enumerate(types)], dtype=bool)
    if discrete.all():
        return "gsq", {}
    categorical = [j for j, t in enumerate(types) if t == "categorical" and np.unique(X[:, j]).size > 2]
    if not discrete.any():
        return "fisherz", {}
    return MIXED_TEST, {"discrete": discrete, "categorical": categorical}


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
    indep_test: str | None = None,
) -> tuple[SuggestedEdge, ...]:
    """Compare the declared graph with the PC algorithm's estimate; list hypotheses.

    Parameters
    ----------
    graph : CausalGraph
    data : DataFrame or ndarray of shape (n_samples, n_nodes)
    alpha : float, default 0.01
        Level of PC's independence tests.
    indep_test : {"fisherz", "kci", "chisq", "gsq"}, optional
        causal-learn's test (``kci`` is slow beyond a few hundred rows). Default: from the
        node types (declared, or inferred from text / category / bool dtypes, or few integer
        levels): ``fisherz`` when every node is continuous, ``gsq`` when every node is
        discrete, else causalx's mixed test (the G-test on all-discrete sets, the GCM with
        categorical variables as level indicators otherwise; see
        :func:`causalx.diagnostics._citests.ci_test`).

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
    if indep_test is not None:
        check_option("indep_test", indep_test, DISCOVERY_TESTS)
    X, types = node_codes(data, graph)
    names = list(graph.nodes)
    options: dict = {}
    if indep_test is None:
        indep_test, options = pick_discovery_test(X, [types[n] for n in names])
    if indep_test in ("fisherz", "kci"):
        std = X.std(0)
        X = (X - X.mean(0)) / np.where(std > 0, std, 1.0)
    G = discover_skeleton(X, alpha=alpha, indep_test=indep_test, **options)
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
