"""Suspected confounding: pairs the graph declares d-separated that the data say are dependent.

:func:`suspected_confounding` tests the independencies the graph implies for non-adjacent pairs
(the conditional-independence tests and multiple-testing corrections of :func:`falsify_graph`)
and explains each rejected one, greedily, by a hidden common cause. The result is a hypothesis
to examine, never a correction applied to the graph.

See Also
--------
causalx.diagnostics.falsify_graph : the test of every implied independence.
causalx.diagnostics.attribution_disagreement : where marginal and causal attributions part.
causalx.diagnostics.confounding_sensitivity : an effect under a simulated hidden confounder.

References
----------
.. [1] Textor, J., Hardt, J., Knüppel, S. (2011). DAGitty: a graphical tool for analyzing causal
   diagrams. Epidemiology 22(5) (testing implied independencies).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

from causalx._options import CI_METHODS, CORRECTIONS
from causalx.diagnostics._data import node_codes
from causalx.diagnostics.falsify import _num, _TestCache, adjust_pvalues
from causalx.graph import CausalGraph
from causalx.utils import check_interval, check_option, check_random_state

__all__ = ["SuspectedConfounding", "suspected_confounding"]


@dataclass(frozen=True)
class SuspectedConfounding:
    """A pair the graph declares independent (given ``given``) that the data say is dependent.

    Attributes
    ----------
    pair : tuple of (str, str)
        In graph node order.
    given : tuple of str
        The conditioning set of the violated implication.
    statistic : float
    p_value : float
        Adjusted p-value of the violated implication.
    strength : float
        Partial correlation of the pair given ``given``.
    suggestion : str
        Hedged graph edits that would explain the dependence.
    """

    pair: tuple[str, str]
    given: tuple[str, ...]
    statistic: float
    p_value: float
    strength: float
    suggestion: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (``pair`` as a list)."""
        return {
            "pair": list(self.pair), "given": list(self.given), "statistic": _num(self.statistic),
            "p_value": _num(self.p_value), "strength": _num(self.strength), "suggestion": self.suggestion,
        }


def _with_confounded(graph: CausalGraph, extra: list[tuple[str, str]]) -> CausalGraph:
    """A working copy of ``graph`` with the bidirected pairs ``extra`` added.

    Node attributes, constraints, target and name are kept. Components declared next to edges
    are dropped: they only group the samplers' chain components (the d-separations tested here
    come from the edges) and would reject a pair that spans two of them. A chain graph keeps
    its components (they are its structure).
    """
    changes: dict[str, Any] = {"confounded": list(graph.confounded) + extra}
    if not graph.is_chain_graph:
        changes["components"] = None
    return graph.replace(**changes)


def _statements(graph: CausalGraph):
    """Implied independencies of non-adjacent pairs: local Markov plus marginal d-separations."""
    out = [(i.x, i.y, tuple(i.given)) for i in graph.implied_independencies()]
    seen = {(frozenset((x, y)), frozenset(z)) for x, y, z in out}
    connected = {n: graph._d_connected([n]) for n in graph.nodes}  # one search per node
    for a, b in itertools.combinations(graph.nodes, 2):
        key = (frozenset((a, b)), frozenset())
        if key not in seen and b not in connected[a]:
            out.append((a, b, ()))
            seen.add(key)
    return out


def _suggestion(graph: CausalGraph, a: str, b: str) -> str:
    edges = [f"{s} -> {t}" for s, t in ((a, b), (b, a)) if s not in graph.descendants(t)]  # keep acyclic
    text = f"add `{a} <-> {b}` (a hidden common cause)"
    return text + (f" or an edge {' / '.join(edges)}" if edges else "")


def suspected_confounding(
    graph: CausalGraph,
    data,
    *,
    alpha: float = 0.01,
    method: str = "auto",
    correction: str = "holm",
    max_n: int = 1000,
    random_state: int | np.random.Generator | None = 0,
) -> tuple[SuspectedConfounding, ...]:
    """Pairs the graph declares d-separated (marginally or given parents) yet clearly dependent.

    The implied independencies of non-adjacent pairs are tested (adjusted for multiple testing).
    The most strongly dependent violated pair is reported, a bidirected edge between its nodes
    is added to a working copy of the graph, and the remaining implications are re-examined;
    this repeats until no implication is rejected. A violation that a hidden common cause of an
    already-reported pair would explain is therefore not reported again (greedy explanation).

    Parameters
    ----------
    graph : CausalGraph
    data : DataFrame or ndarray of shape (n_samples, n_nodes)
    alpha : float, default 0.01
    method : {"auto", "gcm", "fisherz", "regression", "kci", "chi2", "gsq"}, default "auto"
        The conditional-independence test (see :func:`falsify_graph`).
    correction : {"holm", "bh", "bonferroni", "none"}, default "holm"
    max_n : int, default 1000
        Row cap of the kernel tests.
    random_state : int, Generator or None, default 0

    Returns
    -------
    tuple of SuspectedConfounding
        Strongest first.

    Examples
    --------
    >>> from causalx.datasets import make_linear_scm
    >>> scm = make_linear_scm(["A", "B", "C"], {("A", "B"): 1.0}, confounders=[("A", "C", 1.0)])
    >>> found = suspected_confounding(scm.graph(declare_confounding=False), scm.sample(500, random_state=0))
    >>> [s.pair for s in found]
    [('A', 'C')]
    """
    check_interval("alpha", alpha, low=0, high=1, closed="neither")
    check_option("method", method, CI_METHODS)
    check_option("correction", correction, CORRECTIONS)
    X, types = node_codes(data, graph)
    cache = _TestCache(X, graph.nodes, graph, method, max_n, check_random_state(random_state), types)
    order = {n: i for i, n in enumerate(graph.nodes)}
    found: list[SuspectedConfounding] = []
    added: list[tuple[str, str]] = []
    work = graph
    for _ in range(len(graph.nodes) ** 2):
        stmts = _statements(work)
        if not stmts:
            break
        raw = [cache(x, y, z) for x, y, z in stmts]
        p_adj = adjust_pvalues([r[1] for r in raw], correction)
        rejected = [(i, p_adj[i]) for i in range(len(stmts)) if p_adj[i] <= alpha]
        if not rejected:
            break
        i, _ = max(rejected, key=lambda t: (abs(raw[t[0]][2]), -t[1]))
        x, y, z = stmts[i]
        a, b = sorted((x, y), key=order.get)
        found.append(SuspectedConfounding(
            pair=(a, b), given=tuple(z), statistic=float(raw[i][0]), p_value=float(p_adj[i]),
            strength=float(raw[i][2]), suggestion=_suggestion(graph, a, b),
        ))
        added.append((a, b))
        try:
            work = _with_confounded(graph, added)
        except (ValueError, TypeError):  # e.g. a chain graph that cannot take this pair
            break
    return tuple(found)
