"""One call for the data-vs-graph diagnostics, and the result ``causalx check`` renders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from causalx.diagnostics._data import as_node_array
from causalx.diagnostics.collinearity import VarianceInflation, variance_inflation
from causalx.diagnostics.confounding import SuspectedConfounding, suspected_confounding
from causalx.diagnostics.discovery import SuggestedEdge, suggest_edges
from causalx.diagnostics.falsify import FalsificationResult, _num, falsify_graph
from causalx.graph import CausalGraph

__all__ = ["DiagnosticsResult", "diagnose"]


@dataclass(frozen=True)
class DiagnosticsResult:
    """Falsification, suspected confounding and suggested edges for one graph and data set.

    Attributes
    ----------
    falsification : FalsificationResult
    suspected_confounding : tuple of SuspectedConfounding
    suggested_edges : tuple of SuggestedEdge
    variance_inflation : VarianceInflation
    collinear_pairs : tuple of (str, str, float)
        Feature pairs with |Pearson r| above 0.99 (near copies), strongest first: attributions
        can move freely between them and PC's suggested edges around them are unreliable.
    """

    falsification: FalsificationResult
    suspected_confounding: tuple[SuspectedConfounding, ...]
    suggested_edges: tuple[SuggestedEdge, ...]
    variance_inflation: VarianceInflation
    collinear_pairs: tuple[tuple[str, str, float], ...] = ()
    #: rows of the data, and rows the tests and PC ran on (fewer when ``max_rows`` subsampled them)
    n_rows: int | None = None
    n_rows_tested: int | None = None

    def near_collinear(self, *, r_limit: float = 0.99, vif_limit: float = 100.0) -> tuple[str, ...]:
        """Features in a near-copy pair (|r| > ``r_limit``) or with VIF above ``vif_limit``."""
        names = [a for a, b, r in self.collinear_pairs if abs(r) > r_limit]
        names += [b for a, b, r in self.collinear_pairs if abs(r) > r_limit]
        names += list(self.variance_inflation.flagged(vif_limit))
        return tuple(dict.fromkeys(names))

    @property
    def falsified(self) -> bool:
        """Whether the data contradict the graph (an implied independence is rejected)."""
        return self.falsification.falsified

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with ``implied_independencies``, ``suspected_confounding``,
        ``suggested_edges``, ``variance_inflation`` and the falsification summary."""
        f = self.falsification.to_dict()
        return {
            "falsified": f.pop("falsified"),
            "summary": f,
            "implied_independencies": f.pop("implied_independencies"),
            "permutation_baseline": f.pop("permutation_baseline"),
            "suspected_confounding": [s.to_dict() for s in self.suspected_confounding],
            "suggested_edges": [s.to_dict() for s in self.suggested_edges],
            "variance_inflation": {k: _num(v) for k, v in self.variance_inflation.to_dict().items()},
            "collinear_pairs": [{"pair": [a, b], "r": _num(r)} for a, b, r in self.collinear_pairs],
            "n_rows": self.n_rows,
            "n_rows_tested": self.n_rows_tested,
        }


def diagnose(
    graph: CausalGraph,
    data,
    *,
    alpha: float = 0.01,
    method: str = "auto",
    correction: str = "holm",
    n_permutations: int = 50,
    discovery: bool = True,
    max_rows: int | None = None,
    random_state: int | np.random.Generator | None = 0,
) -> DiagnosticsResult:
    """Falsify the graph, list suspected confounding and PC's suggested edges.

    Parameters are those of :func:`falsify_graph`; ``discovery=False`` skips the PC run.
    ``max_rows`` (default: all rows) runs the conditional-independence tests, the confounding
    screen and PC on a seeded random subsample of that many rows; the variance inflation and
    the near-copy pairs always use every row. A test's level holds at any sample size, and at
    tens of thousands of rows its power against any dependence large enough to matter for the
    attributions is already close to 1, while the cost grows linearly (200,000 rows: minutes
    per implied independence with the permutation baseline).

    Returns
    -------
    DiagnosticsResult
        ``n_rows`` and ``n_rows_tested`` say whether the tests were subsampled.
    """
    if max_rows is not None and (isinstance(max_rows, bool) or not isinstance(max_rows, (int, np.integer))
                                 or max_rows < 20):
        raise ValueError(f"max_rows must be an integer >= 20 or None, got {max_rows!r}")
    arr = as_node_array(data, graph)
    n = arr.shape[0]
    tested = data
    if max_rows is not None and n > max_rows:
        # an int seed gets its own stream, so the tests' seeds do not depend on the subsampling
        sub_rng = (random_state if isinstance(random_state, np.random.Generator)
                   else np.random.default_rng(None if random_state is None else [int(random_state), 1]))
        pick = np.sort(sub_rng.choice(n, size=int(max_rows), replace=False))
        tested = data.iloc[pick] if hasattr(data, "iloc") else np.asarray(data)[pick]
    fals = falsify_graph(graph, tested, alpha=alpha, method=method, correction=correction,
                         n_permutations=n_permutations, random_state=random_state)
    conf = suspected_confounding(graph, tested, alpha=alpha, method=method, correction=correction,
                                 random_state=random_state)
    edges = suggest_edges(graph, tested, alpha=alpha) if discovery else ()
    vif = variance_inflation(arr, feature_names=graph.nodes)
    n_tested = n if tested is data else int(max_rows)
    return DiagnosticsResult(fals, conf, edges, vif, _collinear_pairs(arr, graph.nodes), n_rows=int(n),
                             n_rows_tested=n_tested)


def _collinear_pairs(X: np.ndarray, names, limit: float = 0.99) -> tuple[tuple[str, str, float], ...]:
    """Pairs with |Pearson r| > ``limit``, strongest first (constant columns have no r)."""
    sd = X.std(axis=0)
    ok = sd > 0
    if ok.sum() < 2:
        return ()
    idx = np.flatnonzero(ok)
    r = np.corrcoef(X[:, idx], rowvar=False)
    iu = np.triu_indices(len(idx), k=1)
    keep = np.abs(r[iu]) > limit
    pairs = [(names[idx[a]], names[idx[b]], float(r[a, b])) for a, b in zip(iu[0][keep], iu[1][keep])]
    return tuple(sorted(pairs, key=lambda t: -abs(t[2])))
