"""Confounding diagnostics: where the data, the graph and the attributions disagree.

- :func:`suspected_confounding` -- pairs the graph declares d-separated yet clearly dependent.
- :func:`attribution_disagreement` -- features whose marginal / conditional / causal
  attributions differ strongly, with the graph paths that explain the difference.
- :func:`correlation_clusters` and :func:`variance_inflation` -- collinearity among features.
- :func:`importance_bias` -- impurity-based tree importance against permutation importance.
- :func:`confounding_sensitivity` -- how a feature's estimated effect on the prediction moves
  under a simulated unobserved common cause (DoWhy's refuter; optional dependency).

Every result is a hypothesis to examine, never a correction applied to the graph.

References
----------
.. [1] Strobl, C., Boulesteix, A.-L., Zeileis, A., Hothorn, T. (2007). Bias in random forest
   variable importance measures. BMC Bioinformatics 8:25.
.. [2] Heskes, T., Sijben, E., Bucur, I. G., Claassen, T. (2020). Causal Shapley values.
   NeurIPS 33.
.. [3] Kraskov, A., Stögbauer, H., Grassberger, P. (2004). Estimating mutual information.
   Phys. Rev. E 69.
.. [4] Sharma, A., Kiciman, E. (2020). DoWhy: an end-to-end library for causal inference.
   arXiv:2011.04216.
"""

from __future__ import annotations

import contextlib
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import networkx as nx
import numpy as np

from causalx.diagnostics._data import as_node_array
from causalx.diagnostics.falsify import CORRECTIONS, METHODS, _TestCache, adjust_pvalues
from causalx.explanation import Explanation
from causalx.graph import CausalGraph
from causalx.utils import check_interval, check_option, check_random_state

__all__ = [
    "AttributionDisagreement",
    "CorrelationClusters",
    "GraphPath",
    "ImportanceBias",
    "SensitivityResult",
    "SuspectedConfounding",
    "VarianceInflation",
    "attribution_disagreement",
    "confounding_sensitivity",
    "correlation_clusters",
    "importance_bias",
    "suspected_confounding",
    "variance_inflation",
]


# ------------------------------------------------------------------------------ (a) suspected
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
        fin = lambda v: float(v) if math.isfinite(v) else None  # noqa: E731
        return {
            "pair": list(self.pair), "given": list(self.given), "statistic": fin(self.statistic),
            "p_value": fin(self.p_value), "strength": fin(self.strength), "suggestion": self.suggestion,
        }


def _with_confounded(graph: CausalGraph, extra: list[tuple[str, str]]) -> CausalGraph:
    conf = list(graph.confounded) + extra
    if graph.is_chain_graph:
        return CausalGraph(nodes=list(graph.nodes), components=[list(c.nodes) for c in graph.components()],
                           confounded=conf, target=graph.target)
    return CausalGraph(nodes=list(graph.nodes), edges=list(graph.edges), confounded=conf, target=graph.target)


def _statements(graph: CausalGraph):
    """Implied independencies of non-adjacent pairs: local Markov plus marginal d-separations."""
    out = [(i.x, i.y, tuple(i.given)) for i in graph.implied_independencies()]
    seen = {(frozenset((x, y)), frozenset(z)) for x, y, z in out}
    for a, b in itertools.combinations(graph.nodes, 2):
        key = (frozenset((a, b)), frozenset())
        if key not in seen and graph.is_d_separated(a, b):
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
    method : {"auto", "fisherz", "regression", "kci", "chi2", "gsq"}, default "auto"
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
    check_option("method", method, METHODS)
    check_option("correction", correction, CORRECTIONS)
    X = as_node_array(data, graph)
    cache = _TestCache(X, graph.nodes, graph, method, max_n, check_random_state(random_state))
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


# ------------------------------------------------------------------------------ (b) attributions
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
    dag = nx.DiGraph()
    dag.add_nodes_from(graph.nodes)
    dag.add_edges_from(graph.edges)
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
        if not np.allclose(e.data, ref.data):
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


# ------------------------------------------------------------------------------ (c) collinearity
@dataclass(frozen=True)
class CorrelationClusters:
    """Features grouped by hierarchical clustering on ``1 − |association|``.

    Attributes
    ----------
    feature_names : tuple of str
    association : ndarray of shape (d, d)
        |Pearson|, |Spearman|, or the informational coefficient of correlation
        ``sqrt(1 − exp(−2 MI))`` (mutual information mapped to [0, 1]).
    labels : ndarray of shape (d,)
        Cluster index of each feature.
    clusters : tuple of tuple of str
        Clusters with at least two features.
    method : str
    threshold : float
    """

    feature_names: tuple[str, ...]
    association: np.ndarray
    labels: np.ndarray
    clusters: tuple[tuple[str, ...], ...]
    method: str
    threshold: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"method": self.method, "threshold": self.threshold, "clusters": [list(c) for c in self.clusters]}


def _names_and_array(data, feature_names):
    if hasattr(data, "columns") and hasattr(data, "to_numpy"):
        names = tuple(str(c) for c in data.columns) if feature_names is None else tuple(feature_names)
        X = data[list(names)].to_numpy(dtype=float) if feature_names is not None else data.to_numpy(dtype=float)
    else:
        X = np.asarray(data, dtype=float)
        names = tuple(feature_names) if feature_names is not None else tuple(f"x{i}" for i in range(X.shape[1]))
    if X.ndim != 2 or X.shape[1] != len(names):
        raise ValueError(f"data must be 2-D with {len(names)} columns, got shape {X.shape}.")
    if not np.all(np.isfinite(X)):
        raise ValueError("data holds NaN or infinite values; impute or drop those rows first.")
    return names, X


def correlation_clusters(
    data,
    *,
    method: str = "spearman",
    threshold: float = 0.7,
    feature_names: Sequence[str] | None = None,
    random_state: int | np.random.Generator | None = 0,
) -> CorrelationClusters:
    """Cluster features whose pairwise association reaches ``threshold``.

    Parameters
    ----------
    data : DataFrame or ndarray of shape (n_samples, n_features)
    method : {"pearson", "spearman", "mutual_info"}, default "spearman"
    threshold : float, default 0.7
        Average-linkage clusters are cut at distance ``1 − threshold``.
    feature_names : sequence of str, optional
    random_state : int, Generator or None, default 0
        Seeds sklearn's nearest-neighbour mutual-information estimator.

    Returns
    -------
    CorrelationClusters

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> a = rng.normal(size=300)
    >>> D = np.column_stack([a, a + 0.1 * rng.normal(size=300), rng.normal(size=300)])
    >>> correlation_clusters(D, feature_names=["a", "b", "c"]).clusters
    (('a', 'b'),)
    """
    check_option("method", method, ("pearson", "spearman", "mutual_info"))
    check_interval("threshold", threshold, low=0, high=1)
    names, X = _names_and_array(data, feature_names)
    d = X.shape[1]
    if method == "pearson":
        A = np.abs(np.corrcoef(X, rowvar=False))
    elif method == "spearman":
        from scipy.stats import rankdata

        A = np.abs(np.corrcoef(np.apply_along_axis(rankdata, 0, X), rowvar=False))
    else:
        from sklearn.feature_selection import mutual_info_regression

        seed = int(check_random_state(random_state).integers(0, 2**31 - 1))
        mi = np.zeros((d, d))
        for j in range(d):
            mi[:, j] = mutual_info_regression(X, X[:, j], random_state=seed)
        mi = (mi + mi.T) / 2
        A = np.sqrt(1 - np.exp(-2 * np.clip(mi, 0, None)))
    A = np.nan_to_num(np.atleast_2d(A), nan=0.0)
    np.fill_diagonal(A, 1.0)
    if d == 1:
        labels = np.zeros(1, dtype=int)
    else:
        from scipy.cluster.hierarchy import fcluster, linkage
        from scipy.spatial.distance import squareform

        D = np.clip(1 - A, 0, None)
        np.fill_diagonal(D, 0.0)
        Z = linkage(squareform((D + D.T) / 2, checks=False), method="average")
        labels = fcluster(Z, t=1 - threshold, criterion="distance") - 1
    groups = {}
    for name, lab in zip(names, labels):
        groups.setdefault(int(lab), []).append(name)
    clusters = tuple(tuple(g) for g in groups.values() if len(g) > 1)
    A.setflags(write=False)
    return CorrelationClusters(names, A, np.asarray(labels), clusters, method, float(threshold))


@dataclass(frozen=True)
class VarianceInflation:
    """Variance-inflation factors ``VIF_j = 1 / (1 − R_j²) = [R⁻¹]_jj`` (R: correlation matrix).

    Attributes
    ----------
    feature_names : tuple of str
    vif : ndarray of shape (d,)
    """

    feature_names: tuple[str, ...]
    vif: np.ndarray

    def to_dict(self) -> dict[str, float]:
        """``{feature: vif}``."""
        return {f: float(v) for f, v in zip(self.feature_names, self.vif)}

    def flagged(self, limit: float = 10.0) -> tuple[str, ...]:
        """Features with VIF above ``limit`` (10 is the usual rule of thumb)."""
        return tuple(f for f, v in zip(self.feature_names, self.vif) if v > limit)


def variance_inflation(data, *, feature_names: Sequence[str] | None = None) -> VarianceInflation:
    """Variance-inflation factors of the features, from the inverse correlation matrix.

    Parameters
    ----------
    data : DataFrame or ndarray of shape (n_samples, n_features)
    feature_names : sequence of str, optional

    Returns
    -------
    VarianceInflation
        ``inf`` for a feature that is an exact linear function of the others.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> D = rng.normal(size=(1000, 3))
    >>> bool(np.all(np.abs(variance_inflation(D).vif - 1) < 0.05))
    True
    """
    names, X = _names_and_array(data, feature_names)
    R = np.corrcoef(X, rowvar=False)
    R = np.atleast_2d(R)
    with np.errstate(all="ignore"):
        if np.linalg.cond(R) > 1e12:
            vif = np.full(len(names), np.inf)
            P = np.linalg.pinv(R)
            ok = np.abs(np.diag(P)) < 1e12
            vif[ok] = np.diag(P)[ok]
        else:
            vif = np.diag(np.linalg.inv(R)).copy()
    vif.setflags(write=False)
    return VarianceInflation(names, vif)


# ------------------------------------------------------------------------------ (d) tree bias
@dataclass(frozen=True)
class ImportanceBias:
    """Impurity-based (MDI) importance against permutation importance.

    Attributes
    ----------
    feature_names : tuple of str
    impurity : ndarray of shape (d,)
        ``model.feature_importances_`` normalised to sum to one.
    permutation : ndarray of shape (d,)
        Mean permutation importance (score drop) on the evaluation data.
    permutation_std : ndarray of shape (d,)
    permutation_share : ndarray of shape (d,)
        Positive part of ``permutation`` normalised to sum to one.
    n_unique : ndarray of shape (d,)
        Number of distinct values of each feature (cardinality).
    flagged : tuple of str
        Features whose impurity share exceeds their permutation share by more than ``tol`` while
        their permutation importance is within two standard errors of zero or below the share:
        likely inflated by cardinality / range (Strobl et al. 2007).
    """

    feature_names: tuple[str, ...]
    impurity: np.ndarray
    permutation: np.ndarray
    permutation_std: np.ndarray
    permutation_share: np.ndarray
    n_unique: np.ndarray
    flagged: tuple[str, ...]

    def to_frame(self):
        """One row per feature."""
        import pandas as pd

        return pd.DataFrame({
            "feature": self.feature_names, "impurity": self.impurity, "permutation": self.permutation,
            "permutation_std": self.permutation_std, "permutation_share": self.permutation_share,
            "n_unique": self.n_unique, "flagged": [f in self.flagged for f in self.feature_names],
        })


def importance_bias(
    model,
    X,
    y,
    *,
    n_repeats: int = 10,
    scoring: str = "r2",
    tol: float = 0.1,
    feature_names: Sequence[str] | None = None,
    random_state: int | np.random.Generator | None = 0,
) -> ImportanceBias:
    """Check a tree model's impurity importances against permutation importance.

    Parameters
    ----------
    model : fitted estimator with ``feature_importances_``
        E.g. a random forest or gradient-boosted trees.
    X : DataFrame or ndarray of shape (n_samples, n_features)
        Evaluation data -- preferably held out; impurity importances are computed on the
        training data and overrate features the trees overfit.
    y : array-like of shape (n_samples,)
    n_repeats : int, default 10
    scoring : str or callable, default "r2"
        See :func:`causalx.dependence.permutation_importance`.
    tol : float, default 0.1
        Flag a feature when its impurity share exceeds its permutation share by more than this.
    feature_names : sequence of str, optional
    random_state : int, Generator or None, default 0

    Returns
    -------
    ImportanceBias
    """
    from causalx.dependence import permutation_importance

    if not hasattr(model, "feature_importances_"):
        raise TypeError(
            f"importance_bias needs a fitted tree model with feature_importances_ (e.g. "
            f"RandomForestRegressor), got {type(model).__name__}. Use "
            "causalx.dependence.permutation_importance for other models."
        )
    names, Xa = _names_and_array(X, feature_names)
    imp = np.asarray(model.feature_importances_, dtype=float)
    if imp.size != len(names):
        raise ValueError(f"model has {imp.size} feature importances but X has {len(names)} columns.")
    imp = imp / imp.sum() if imp.sum() > 0 else imp
    res = permutation_importance(model, X, y, n_repeats=n_repeats, scoring=scoring,
                                 feature_names=names, random_state=random_state)
    pos = np.clip(res.importances_mean, 0, None)
    share = pos / pos.sum() if pos.sum() > 0 else pos
    se = res.importances_std / np.sqrt(n_repeats)
    flagged = tuple(
        f for f, i, s, m, e in zip(names, imp, share, res.importances_mean, se)
        if i - s > tol and (m <= 2 * e or s < i / 2)
    )
    n_unique = np.array([np.unique(Xa[:, j]).size for j in range(Xa.shape[1])])
    return ImportanceBias(names, imp, res.importances_mean, res.importances_std, share, n_unique, flagged)


# ------------------------------------------------------------------------------ (e) sensitivity
@dataclass(frozen=True)
class SensitivityResult:
    """A feature's estimated effect on the prediction under a simulated hidden common cause.

    Attributes
    ----------
    feature : str
    estimate : float
        Back-door linear-regression estimate of the total effect of the feature on the model's
        prediction (adjusting for the graph's back-door set).
    strengths_treatment, strengths_outcome : tuple of float
        Grid of the simulated confounder's (linear) effect on the feature and on the prediction.
    new_effects : ndarray of shape (len(strengths_treatment), len(strengths_outcome))
        Estimate after adding the simulated confounder.
    max_relative_change : float
        ``max |new − estimate| / |estimate|`` over the grid.
    sign_flip : bool
        Whether some grid point changes the sign of the estimate.
    """

    feature: str
    estimate: float
    strengths_treatment: tuple[float, ...]
    strengths_outcome: tuple[float, ...]
    new_effects: np.ndarray
    max_relative_change: float
    sign_flip: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        d = asdict(self)
        d["new_effects"] = self.new_effects.tolist()
        return d


@contextlib.contextmanager
def _scoped_global_seed(seed: int):
    """DoWhy's refuters draw from numpy's global generator: seed it here and restore it after."""
    state = np.random.get_state()
    np.random.seed(seed)  # scoped: the caller's global state is restored below
    try:
        yield
    finally:
        np.random.set_state(state)


def confounding_sensitivity(
    model,
    graph: CausalGraph,
    data,
    feature: str,
    *,
    strengths: Sequence[float] = (0.05, 0.1, 0.2),
    output: int | str | None = None,
    random_state: int = 0,
) -> SensitivityResult:
    """Sensitivity of a feature's effect on the prediction to an unobserved common cause.

    The model's prediction is added to the data as an outcome node with every feature as a
    parent; DoWhy identifies the back-door estimand of ``feature`` on it from ``graph``
    (bidirected pairs become unobserved nodes), estimates it by linear regression, and re-runs
    the estimate with a simulated confounder of each strength on the grid
    (``refute_estimate(method_name="add_unobserved_common_cause")``).

    Parameters
    ----------
    model : fitted estimator or callable
    graph : CausalGraph
    data : DataFrame of shape (n_samples, n_nodes...)
    feature : str
    strengths : sequence of float, default (0.05, 0.1, 0.2)
        Effect strengths of the simulated confounder, used for the feature and the prediction.
    output : int or str, optional
        Class for ``predict_proba`` models.
    random_state : int, default 0
        DoWhy simulates with numpy's global generator; it is seeded with this value for the
        duration of the call and restored afterwards.

    Returns
    -------
    SensitivityResult

    Raises
    ------
    ImportError
        When DoWhy is not installed.
    """
    try:
        import pandas as pd
        from dowhy import CausalModel
    except ImportError as exc:  # pragma: no cover - exercised only without dowhy
        raise ImportError(
            "confounding_sensitivity needs DoWhy: pip install dowhy (or pip install 'causalx[diagnostics]')."
        ) from exc
    import logging
    import warnings

    from causalx.values import resolve_model

    if feature not in graph.nodes:
        from causalx.exceptions import UnknownNodeError
        from causalx.utils import suggest

        raise UnknownNodeError(f"feature={feature!r} is not a node of the graph {list(graph.nodes)}.{suggest(feature, graph.nodes)}")
    check_interval("random_state", random_state, low=0, integer=True)
    X = as_node_array(data, graph)
    f = resolve_model(model, graph.nodes, output)
    frame = pd.DataFrame(X, columns=list(graph.nodes))
    outcome = "__prediction__"
    frame[outcome] = f(X)
    g = nx.DiGraph()
    g.add_nodes_from(list(graph.nodes) + [outcome])
    g.add_edges_from(graph.edges)
    g.add_edges_from((v, outcome) for v in graph.nodes)
    for a, b in graph.confounded:
        u = f"__U_{a}_{b}__"
        g.add_edges_from([(u, a), (u, b)])
    grid = tuple(float(check_interval("strengths", s, low=0)) for s in strengths)
    with warnings.catch_warnings(), _scoped_global_seed(int(random_state)):
        warnings.simplefilter("ignore")
        logging.getLogger("dowhy").setLevel(logging.ERROR)
        cm = CausalModel(data=frame, treatment=feature, outcome=outcome, graph=g)
        estimand = cm.identify_effect(proceed_when_unidentifiable=True)
        est = cm.estimate_effect(estimand, method_name="backdoor.linear_regression")
        new = np.empty((len(grid), len(grid)))
        for i, st in enumerate(grid):
            for j, so in enumerate(grid):
                ref = cm.refute_estimate(
                    estimand, est, method_name="add_unobserved_common_cause",
                    confounders_effect_on_treatment="linear", confounders_effect_on_outcome="linear",
                    effect_strength_on_treatment=st, effect_strength_on_outcome=so,
                )
                new[i, j] = float(ref.new_effect)
    value = float(est.value)
    rel = float(np.max(np.abs(new - value)) / abs(value)) if value != 0 else float("inf")
    new.setflags(write=False)
    return SensitivityResult(
        feature=feature, estimate=value, strengths_treatment=grid, strengths_outcome=grid,
        new_effects=new, max_relative_change=rel, sign_flip=bool(np.any(np.sign(new) != np.sign(value))),
    )
