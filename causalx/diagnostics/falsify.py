"""Graph falsification: test every conditional independence the causal graph implies.

A causal graph over the features implies conditional independencies (local Markov property,
:meth:`CausalGraph.implied_independencies`). Each one is tested against the data; the p-values
are adjusted for multiple testing, and the graph counts as *falsified* when at least one
implication is rejected at level ``alpha`` after adjustment. With Holm's correction (the default)
a true graph is wrongly falsified with probability at most ``alpha`` (family-wise error), unlike
an uncorrected count of violations (DoWhy issue #1123).

A permutation baseline says how informative the test is: the same tests are run for graphs whose
node labels are randomly permuted (same skeleton size and shape), and the fraction of random
graphs with no more violations than the given one is reported (DoWhy's ``falsify_graph``,
Eulig et al. 2023). A small ``baseline.p_value`` means the data single out the given graph among
its relabellings; a large one means the data cannot tell them apart (the test has little power).

References
----------
.. [1] Eulig, E., Mastakouri, A. A., Blöbaum, P., Hardt, M., Janzing, D. (2023). Toward
   falsifying causal graphs using a permutation-based test. arXiv:2305.09565.
.. [2] Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scand. J. Stat. 6.
.. [3] Benjamini, Y., Hochberg, Y. (1995). Controlling the false discovery rate. JRSS B 57.
.. [4] Textor, J., Hardt, J., Knüppel, S. (2011). DAGitty: a graphical tool for analyzing causal
   diagrams. Epidemiology 22(5) (testing implied independencies).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from causalx._options import CI_METHODS, CORRECTIONS
from causalx.diagnostics._citests import GCMBasis, ci_test, is_discrete
from causalx.diagnostics._data import node_codes
from causalx.graph import CausalGraph
from causalx.utils import check_interval, check_option, check_random_state

__all__ = [
    "FalsificationResult",
    "ImpliedIndependenceTest",
    "PermutationBaseline",
    "adjust_pvalues",
    "falsify_graph",
]

def _num(v: float | None) -> float | None:
    """``float(v)``, or ``None`` for a missing or non-finite number (JSON has no NaN/inf)."""
    return None if v is None or not math.isfinite(v) else float(v)


@dataclass(frozen=True)
class ImpliedIndependenceTest:
    """The test of one implied independence ``x ⊥ y | given``.

    Attributes
    ----------
    x, y : str
    given : tuple of str
    statistic : float
        Test statistic (|T| for GCM, |z| for Fisher z, n·HSIC, X² or G; NaN for KCI).
    p_value : float
        Unadjusted p-value.
    p_adjusted : float
        p-value after the multiple-testing correction.
    rejected : bool
        ``p_adjusted <= alpha``: the data contradict this implication.
    method : str
        The test used.
    partial_correlation : float
        Sample partial correlation of x and y given ``given`` (an effect size).
    """

    x: str
    y: str
    given: tuple[str, ...]
    statistic: float
    p_value: float
    p_adjusted: float
    rejected: bool
    method: str
    partial_correlation: float

    def __str__(self) -> str:
        cond = f" | {', '.join(self.given)}" if self.given else ""
        return f"{self.x} ⊥ {self.y}{cond}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (non-finite numbers become ``None``)."""
        d = asdict(self)
        d["given"] = list(self.given)
        for k in ("statistic", "p_value", "p_adjusted", "partial_correlation"):
            d[k] = _num(d[k])
        d["rejected"] = bool(d["rejected"])
        return d


@dataclass(frozen=True)
class PermutationBaseline:
    """Violations of randomly relabelled graphs (same skeleton), for comparison.

    Attributes
    ----------
    n_permutations : int
    violation_fractions : tuple of float
        Fraction of rejected implications for each random graph.
    observed_fraction : float
        The same fraction for the given graph.
    p_value : float
        ``(1 + #{random graphs with fraction <= observed}) / (1 + n_permutations)``: small when
        the given graph fits the data better than its relabellings.
    percentile : float
        Percentage of random graphs with strictly more violations than the given graph.
    """

    n_permutations: int
    violation_fractions: tuple[float, ...]
    observed_fraction: float
    p_value: float
    percentile: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        d = asdict(self)
        d["violation_fractions"] = list(self.violation_fractions)
        return d


@dataclass(frozen=True)
class FalsificationResult:
    """Result of :func:`falsify_graph`.

    Attributes
    ----------
    tests : tuple of ImpliedIndependenceTest
        One per implied independence, in the order of ``graph.implied_independencies()``.
    alpha : float
    correction : str
    method : str
        The requested test (``"auto"`` picks ``gsq`` for all-discrete tests, else ``gcm``);
        each test's own ``method`` and :attr:`methods_used` say what ran.
    n_rejected : int
    falsified : bool
        True when at least one implication is rejected after the correction.
    baseline : PermutationBaseline or None
    n_samples : int
        Rows used.

    Examples
    --------
    >>> from causalx.datasets import make_linear_scm
    >>> scm = make_linear_scm(["A", "B", "C"], {("A", "B"): 1.0, ("B", "C"): 1.0})
    >>> res = falsify_graph(scm.graph(), scm.sample(500, random_state=0), n_permutations=0)
    >>> [str(t) for t in res.tests], res.falsified
    (['C ⊥ A | B'], False)
    """

    tests: tuple[ImpliedIndependenceTest, ...]
    alpha: float
    correction: str
    method: str
    n_rejected: int
    falsified: bool
    baseline: PermutationBaseline | None
    n_samples: int

    @property
    def methods_used(self) -> tuple[str, ...]:
        """The CI tests that ran (what ``"auto"`` resolved to), in order of first use."""
        return tuple(dict.fromkeys(t.method for t in self.tests))

    @property
    def rejected(self) -> tuple[ImpliedIndependenceTest, ...]:
        """The rejected implications, smallest adjusted p-value first."""
        return tuple(sorted((t for t in self.tests if t.rejected), key=lambda t: t.p_adjusted))

    def to_frame(self):
        """One row per implication: x, y, given (comma-joined), statistic, p_value, p_adjusted,
        rejected, method, partial_correlation."""
        import pandas as pd

        rows = []
        for t in self.tests:
            d = asdict(t)
            d["given"] = ", ".join(t.given)
            rows.append(d)
        cols = ["x", "y", "given", "statistic", "p_value", "p_adjusted", "rejected", "method", "partial_correlation"]
        return pd.DataFrame(rows, columns=cols)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "alpha": self.alpha,
            "correction": self.correction,
            "method": self.method,
            "methods_used": list(self.methods_used),
            "n_samples": self.n_samples,
            "n_tests": len(self.tests),
            "n_rejected": self.n_rejected,
            "falsified": bool(self.falsified),
            "implied_independencies": [t.to_dict() for t in self.tests],
            "permutation_baseline": None if self.baseline is None else self.baseline.to_dict(),
        }

    def __str__(self) -> str:
        verdict = "FALSIFIED" if self.falsified else "not falsified"
        used = ", ".join(self.methods_used)
        test = f"{self.method}: {used}" if self.method == "auto" and used else self.method
        lines = [
            f"{len(self.tests)} implied independencies tested ({test} test, {self.correction} "
            f"correction, alpha={self.alpha:g}): {self.n_rejected} rejected; graph {verdict}."
        ]
        if self.baseline is not None:
            b = self.baseline
            lines.append(
                f"Permutation baseline: {b.percentile:.0f}% of {b.n_permutations} relabelled graphs "
                f"violate more implications (p={b.p_value:.3g})."
            )
        return "\n".join(lines)


def adjust_pvalues(p_values: Sequence[float], correction: str = "holm") -> np.ndarray:
    """Adjust p-values for multiple testing.

    Parameters
    ----------
    p_values : sequence of float
    correction : {"holm", "bh", "bonferroni", "none"}
        Holm's step-down (family-wise error), Benjamini–Hochberg (false discovery rate),
        Bonferroni, or no adjustment.

    Returns
    -------
    ndarray of shape (m,)
        Adjusted p-values, clipped to [0, 1], in the input order.

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.04, 0.03], "holm").round(3).tolist()
    [0.03, 0.06, 0.06]
    >>> adjust_pvalues([0.01, 0.04, 0.03], "bh").round(3).tolist()
    [0.03, 0.04, 0.04]
    """
    check_option("correction", correction, CORRECTIONS)
    p = np.asarray(p_values, dtype=float)
    m = p.size
    if m == 0 or correction == "none":
        return p.copy()
    if correction == "bonferroni":
        return np.minimum(p * m, 1.0)
    order = np.argsort(p, kind="stable")
    ps = p[order]
    if correction == "holm":
        adj = np.maximum.accumulate((m - np.arange(m)) * ps)
    else:  # bh
        adj = np.minimum.accumulate((m / np.arange(m, 0, -1)) * ps[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(adj, 1.0)
    return out


class _TestCache:
    """Runs CI tests on demand and remembers them (random graphs share many implications)."""

    def __init__(self, data, names, graph, method, max_n, rng, types=None):
        self.data, self.method, self.max_n = data, method, max_n
        self.index = {n: i for i, n in enumerate(names)}
        if types is None:
            types = {n: graph.node_attributes(n).get("type") for n in names}
        self.discrete = {n: is_discrete(data[:, i], types.get(n)) for n, i in self.index.items()}
        # unordered categories with more than two levels: read as level indicators, not as numbers
        self.categorical = frozenset(
            i for n, i in self.index.items() if types.get(n) == "categorical" and np.unique(data[:, i]).size > 2
        )
        self.seed = int(rng.integers(0, 2**63 - 1))
        self.cache: dict[tuple, tuple[float, float, float, str]] = {}
        self._basis = None  # the GCM basis of the columns, built on the first GCM test

    def _method_for(self, x, y, given) -> str:
        if self.method != "auto":
            return self.method
        return "gsq" if all(self.discrete[v] for v in (x, y, *given)) else "gcm"

    def __call__(self, x: str, y: str, given: tuple[str, ...]):
        key = (frozenset((x, y)), frozenset(given))
        if key not in self.cache:
            method = self._method_for(x, y, given)
            a, b = sorted((x, y), key=self.index.get)
            z = sorted(given, key=self.index.get)
            rng = np.random.default_rng([self.seed, self.index[a], self.index[b], *[self.index[v] for v in z]])
            if method == "gcm" and self._basis is None:
                self._basis = GCMBasis(self.data, self.categorical)
            stat, p, r = ci_test(
                self.data, self.index[a], self.index[b], [self.index[v] for v in z],
                method=method, max_n=self.max_n, rng=rng, categorical=self.categorical,
                basis=self._basis if method == "gcm" else None,
            )
            self.cache[key] = (stat, p, r, method)
        return self.cache[key]


def _test_all(graph: CausalGraph, cache: _TestCache, alpha: float, correction: str):
    implied = graph.implied_independencies()
    raw = [cache(i.x, i.y, tuple(i.given)) for i in implied]
    p_adj = adjust_pvalues([r[1] for r in raw], correction)
    tests = tuple(
        ImpliedIndependenceTest(
            x=i.x, y=i.y, given=tuple(i.given), statistic=float(stat), p_value=float(p),
            p_adjusted=float(pa), rejected=bool(pa <= alpha), method=meth, partial_correlation=float(r),
        )
        for i, (stat, p, r, meth), pa in zip(implied, raw, p_adj)
    )
    return tests


def _relabel(graph: CausalGraph, perm: dict[str, str]) -> CausalGraph:
    """The graph's structure (edges, bidirected pairs, declared components) moved onto the node
    names ``perm`` maps to; node attributes, constraints, target and name stay as they are."""
    declared = graph.to_networkx().graph["components"]  # None unless components were declared
    return graph.replace(
        edges=[(perm[a], perm[b]) for a, b in graph.edges],
        confounded=[(perm[a], perm[b]) for a, b in graph.confounded],
        components=None if declared is None else [[perm[v] for v in c] for c in declared],
    )


def falsify_graph(
    graph: CausalGraph,
    data,
    *,
    alpha: float = 0.01,
    method: str = "auto",
    correction: str = "holm",
    n_permutations: int = 50,
    max_n: int = 1000,
    random_state: int | np.random.Generator | None = 0,
) -> FalsificationResult:
    """Test every conditional independence implied by ``graph`` against ``data``.

    Parameters
    ----------
    graph : CausalGraph
        The declared causal graph over the features.
    data : DataFrame or ndarray of shape (n_samples, n_nodes)
        Observations of the graph's nodes (other DataFrame columns are ignored).
    alpha : float, default 0.01
        Level of the tests after the multiple-testing correction.
    method : {"auto", "gcm", "fisherz", "regression", "kci", "chi2", "gsq"}, default "auto"
        ``auto``: G-test when x, y and the conditioning set are all discrete (node type
        binary/categorical/ordinal, declared or inferred from text / category / bool dtypes, or
        at most 6 integer levels), else ``gcm`` (an unordered categorical variable with more
        than two levels enters as its level indicators: the multivariate GCM), the
        generalised covariance measure on spline-regression residuals (holds its level under
        nonlinear relations, heteroscedasticity and non-Gaussian noise; ``docs/ci_tests.md``).
        ``fisherz`` (partial correlation) is the fast linear-Gaussian option: it reads a
        nonlinear but conditionally independent relation as a violation.
        ``regression`` (spline regression + HSIC on the residuals) and ``kci`` also detect
        dependence without conditional covariance (``y = x**2``); both use at most ``max_n``
        rows, and ``regression`` rejects under heteroscedastic noise.
    correction : {"holm", "bh", "bonferroni", "none"}, default "holm"
    n_permutations : int, default 50
        Randomly relabelled graphs of the permutation baseline (0 skips it).
    max_n : int, default 1000
        Row cap of the kernel tests.
    random_state : int, Generator or None, default 0
        Seeds the relabellings and the kernel tests' subsamples.

    Returns
    -------
    FalsificationResult

    Raises
    ------
    DataValidationError
        When ``data`` lacks a node column or holds NaN/inf values.
    """
    if not isinstance(graph, CausalGraph):
        raise TypeError(
            f"graph must be a causalx.CausalGraph, got {type(graph).__name__}. "
            "Load one with cx.load_graph('graph.yaml')."
        )
    check_interval("alpha", alpha, low=0, high=1, closed="neither")
    check_option("method", method, CI_METHODS)
    check_option("correction", correction, CORRECTIONS)
    check_interval("n_permutations", n_permutations, low=0, integer=True)
    check_interval("max_n", max_n, low=20, integer=True)
    X, types = node_codes(data, graph)
    rng = check_random_state(random_state)
    cache = _TestCache(X, graph.nodes, graph, method, max_n, rng, types)
    tests = _test_all(graph, cache, alpha, correction)
    n_rej = sum(t.rejected for t in tests)
    baseline = None
    if n_permutations > 0 and tests:
        observed = n_rej / len(tests)
        fracs = []
        nodes = list(graph.nodes)
        for _ in range(n_permutations):
            perm = dict(zip(nodes, rng.permutation(nodes)))
            g = _relabel(graph, perm)
            t = _test_all(g, cache, alpha, correction)
            fracs.append(sum(x.rejected for x in t) / len(t) if t else 0.0)
        fr = np.asarray(fracs)
        baseline = PermutationBaseline(
            n_permutations=int(n_permutations),
            violation_fractions=tuple(float(f) for f in fr),
            observed_fraction=float(observed),
            p_value=float((1 + np.sum(fr <= observed)) / (1 + fr.size)),
            percentile=float(100.0 * np.mean(fr > observed)),
        )
    return FalsificationResult(
        tests=tests, alpha=float(alpha), correction=correction, method=method, n_rejected=int(n_rej),
        falsified=bool(n_rej > 0), baseline=baseline, n_samples=int(X.shape[0]),
    )
