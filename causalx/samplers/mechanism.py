"""Structural-equation sampler: one fitted regressor per node of the causal DAG."""

from __future__ import annotations

import warnings

import numpy as np

from causalx._options import MECHANISM_CANDIDATES
from causalx.exceptions import CausalxWarning, DataValidationError
from causalx.graph import chain_components
from causalx.graph.identification import Identifier
from causalx.samplers._base import BaseSampler, _check_n_draws
from causalx.samplers._node_models import DISCRETE_TYPES, fit_node_model
from causalx.utils import check_interval, check_option, check_random_state

__all__ = ["MechanismSampler"]

class MechanismSampler(BaseSampler):
    """Structural equations fitted along the causal graph, each chosen by held-out fit.

    Each node ``j`` gets a mechanism ``X_j = g_j(X_pa(j)) + eps_j`` (or, for heteroscedastic
    noise, ``g_j(X_pa(j)) + s_j(X_pa(j)) * z_j``). By default ``g_j`` is selected per node
    among a linear model, spline models (knots evenly spaced or at quantiles; pairwise products
    or varying-coefficient interactions), regularised gradient boosting with early stopping and
    k nearest neighbours, by the ``n_splits``-fold
    cross-validated CRPS of the node's conditional distribution (prediction plus empirical
    out-of-fold residuals); a location-scale variant is kept where it lowers the held-out
    CRPS by 2 % or more (see :mod:`causalx.samplers._node_models`). The residuals ``eps_j``
    are the selected model's *out-of-fold* residuals, so the noise is not underestimated by a
    model that overfits. Nodes typed ``binary``, ``categorical`` or ``ordinal`` in the graph
    (values coded ``0..K-1``) are modelled by classifiers (logistic regression or gradient
    boosting, by held-out log-loss) and drawn from ``predict_proba``, so a drawn value is
    always an observed class. The choice and its score per node are in ``diagnostics_``.

    The noise of one draw is a background row index ``r``; every node of that draw uses the
    noise row ``residuals_[r]``. Residuals of nodes that share an unobserved cause
    (bidirected edges, i.e. a confounded component) are thus drawn jointly from their empirical
    joint distribution, and the same index is shared by every coalition (common random
    numbers). The indices are drawn without replacement (every background row is used
    ``n_draws // n`` or ``n_draws // n + 1`` times) and stratified: the rows are ordered along a
    k-d tree over the ranks of their noise, and each of ``n_draws mod n`` equal runs of that
    order gives one row. This lowers the Monte Carlo variance of a mean over the draws below
    the i.i.d. value (at most the finite-population factor ``(n - n_draws) / (n - 1)`` of it)
    and removes the resampling error of the noise when ``n_draws`` is a multiple of ``n``.

    :meth:`sample_into` walks the target nodes in topological order and sets
    ``rows[..., j] = g_j(rows[..., pa(j)]) + eps_j[r]``, one batched ``predict`` per node over
    all explicands and draws. It draws from the *interventional* distribution
    ``P(X_target | do(X_given = rows[..., given]))``, so every parent of a target node must be
    given or a target itself; arbitrary observational conditionals are not available
    (``supports_conditional = False``).

    Parameters
    ----------
    regressor : scikit-learn regressor or None, default=None
        A fixed model of every continuous node's mechanism, cloned per node (no selection;
        its ``random_state`` parameter, if any, is set from ``random_state``). ``None``
        selects one per node by held-out fit.
    n_splits : int, default=3
        Number of cross-validation folds for the selection and the out-of-fold residuals (at
        least 2; capped at the number of rows).
    candidates : sequence of {"linear", "spline", "boosting", "knn"} or None, default=None
        Restrict the candidate regressors (all four by default; below 100 rows only
        ``"linear"`` and ``"spline"`` are tried). ``"spline"`` tries all its variants.
    random_state : int, numpy.random.Generator or None, default=None
        Seeds the fold split and the regressors.

    Attributes
    ----------
    nodes_ : tuple of str
        Node (feature) name of each column.
    parents_ : tuple of ndarray of int
        Parent columns of each column.
    order_ : ndarray of shape (n_features,)
        Columns in topological order.
    node_models_ : list of NodeModel or None
        Fitted conditional model of each column (``None`` for a node without parents).
    estimators_ : list of fitted estimators or None
        The mean regressor (or classifier) of each column's model; ``None`` for a root.
    node_types_ : tuple of str
        The graph's type of each column.
    diagnostics_ : dict
        Per node: the selected model, its held-out score (CRPS or log-loss), the marginal
        baseline score, the skill ``1 - score / baseline`` and every candidate's score.
    intercepts_ : ndarray of shape (n_features,)
        Background mean of each column (the mechanism of a node without parents); 0 for a
        discrete column, whose root draws are its observed codes.
    residuals_ : ndarray of shape (n_samples, n_features)
        Out-of-fold noise of the background rows: residuals ``x_j - g_j(x_pa(j))``,
        standardised residuals (location-scale nodes) or randomised PIT values (discrete).
    factor_given_ : tuple of ndarray of int
        Conditioning columns of each node's factor in identified expressions: its parents, or
        (ADMGs) Tian's conditioning set when the node shares a hidden cause with an earlier one.
    factor_models_, factor_estimators_, factor_residuals_
        The models and out-of-fold noise of those factors (the mechanisms where the set is
        the parents).
    n_features_in_ : int
        Number of features.
    feature_names_in_ : tuple of str or None
        Feature names seen in ``fit``.

    See Also
    --------
    GaussianSampler : closed-form conditionals, for ``value="conditional"``.

    References
    ----------
    .. [1] Heskes, T., Sijben, E., Bucur, I. G. and Claassen, T. (2020). Causal Shapley values:
       exploiting causal knowledge to explain individual predictions of complex models.
       NeurIPS 33 (Theorem 1).
    .. [2] Hoyer, P. O., Janzing, D., Mooij, J. M., Peters, J. and Schölkopf, B. (2009).
       Nonlinear causal discovery with additive noise models. NeurIPS 21.
    .. [3] Blöbaum, P. et al. (2024). DoWhy-GCM: an extension of DoWhy for causal inference in
       graphical causal models. JMLR 25(147) (invertible structural causal models).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from causalx.graph import CausalGraph
    >>> from causalx.samplers import MechanismSampler
    >>> rng = np.random.default_rng(0)
    >>> x1 = rng.normal(size=300)
    >>> X = np.column_stack([x1, 3 * x1 + 0.1 * rng.normal(size=300)])
    >>> graph = CausalGraph(["A", "B"], [("A", "B")])
    >>> sampler = MechanismSampler(regressor=LinearRegression(), random_state=0)
    >>> sampler = sampler.fit(X, graph=graph, feature_names=["A", "B"])
    >>> draws = sampler.sample(np.array([[1.0]]), target=[1], given=[0], n_draws=500, random_state=0)
    >>> draws.shape
    (1, 500, 1)
    >>> bool(abs(draws.mean() - 3.0) < 0.05)
    True
    """

    supports_conditional = False

    def __init__(self, regressor=None, n_splits=3, candidates=None, random_state=None):
        self.regressor = regressor
        self.n_splits = n_splits
        self.candidates = candidates
        self.random_state = random_state

    # ------------------------------------------------------------------ fit

    def _fit(self, X: np.ndarray, *, graph) -> None:
        check_interval("n_splits", self.n_splits, low=2, integer=True)
        if self.regressor is not None and not hasattr(self.regressor, "fit"):
            raise TypeError(
                f"regressor must be a scikit-learn regressor (with fit and predict), got "
                f"{self.regressor!r}."
            )
        if self.candidates is not None:
            for c in self.candidates:
                check_option("candidates", c, MECHANISM_CANDIDATES)
        nodes, parents, order = _resolve_graph(graph, X.shape[1], self.feature_names_in_)
        rng = check_random_state(self.random_state)
        n, d = X.shape
        n_splits = min(int(self.n_splits), n)

        self.nodes_ = nodes
        self.parents_ = parents
        self.order_ = order
        self.node_types_ = _node_types(graph, nodes)
        _check_discrete_codes(X, nodes, self.node_types_)
        discrete = np.array([t in DISCRETE_TYPES for t in self.node_types_], dtype=bool)
        # a discrete root is drawn as its observed codes exactly (mean + (x - mean) may round off)
        self.intercepts_ = np.where(discrete, 0.0, X.mean(axis=0))
        self.node_models_ = [None] * d
        residuals = X - self.intercepts_
        for j in order:
            pa = parents[j]
            if pa.size == 0:
                rng.integers(2**31 - 1)  # keep one seed per node
                continue
            model, residuals[:, j] = self._fit_node(X[:, pa], X[:, j], pa, j, n_splits, rng)
            self.node_models_[j] = model
        self.estimators_ = [None if m is None else m.location for m in self.node_models_]
        self.residuals_ = residuals
        self._noise_order = _kd_order(residuals[:, order])  # columns in graph order: same strata for any column order
        self._plans: dict[bytes, np.ndarray] = {}
        self._biased = _biased_mechanisms(graph, nodes, parents, order)
        self._fit_factors(X, graph, rng, n_splits)
        self.diagnostics_ = self._diagnostics()

    def _fit_node(self, Xp, y, given, j, n_splits, rng):
        types = [self.node_types_[g] for g in given.tolist()]
        discrete = self.node_types_[j] in DISCRETE_TYPES
        return fit_node_model(Xp, y, types=types, discrete=discrete, n_splits=n_splits, rng=rng,
                              regressor=None if discrete else self.regressor, candidates=self.candidates)

    def _diagnostics(self) -> dict:
        """Held-out fit of every node's mechanism (the sampler diagnostic of provenance)."""
        nodes = {}
        for j in self.order_.tolist():
            m = self.node_models_[j]
            if m is None:
                nodes[self.nodes_[j]] = {"model": "empirical", "parents": []}
                continue
            nodes[self.nodes_[j]] = {**m.summary(), "parents": [self.nodes_[p] for p in self.parents_[j].tolist()]}
        models = {k: v["model"] for k, v in nodes.items()}
        return {"sampler": "mechanism", "selection": "fixed" if self.regressor is not None else "held-out fit",
                "n_splits": int(min(self.n_splits, self.residuals_.shape[0])), "models": models, "nodes": nodes}

    def _fit_factors(self, X: np.ndarray, graph, rng, n_splits: int) -> None:
        """Conditionals ``P(X_j | X_cond(j))`` for the identified expressions of an ADMG.

        With bidirected edges (and no declared chain components), the identified law of a
        coalition is a product of observational factors with Tian's conditioning sets, which
        for a node sharing a hidden cause with an earlier node hold more than its parents. Each
        such node gets its own model on that set (selected as the mechanisms are), with
        out-of-fold residuals; the others reuse their mechanism (their set is their parents).
        """
        d = X.shape[1]
        self.factor_given_ = tuple(self.parents_)
        self.factor_models_ = list(self.node_models_)
        self.factor_residuals_ = self.residuals_
        if not tuple(getattr(graph, "confounded", ())) or graph.declared_components is not None:
            self.factor_estimators_ = list(self.estimators_)
            return
        ident = Identifier.from_graph(graph, self.nodes_)
        given = [np.array(sorted(ident.condition(j)), dtype=np.int64) for j in range(d)]
        residuals = self.residuals_.copy()
        for j in self.order_.tolist():
            if np.array_equal(given[j], np.sort(self.parents_[j])):
                rng.integers(2**31 - 1)
                continue
            model, residuals[:, j] = self._fit_node(X[:, given[j]], X[:, j], given[j], j, n_splits, rng)
            self.factor_models_[j] = model
        for g in given:
            g.setflags(write=False)
        self.factor_given_ = tuple(given)
        self.factor_residuals_ = residuals
        self.factor_estimators_ = [None if m is None else m.location for m in self.factor_models_]

    # ------------------------------------------------------------------ sampling

    def _draw_noise(self, n_draws: int, rng: np.random.Generator) -> np.ndarray:
        return _stratified_indices(self._noise_order, n_draws, rng)

    def _check_noise(self, noise, n_draws: int) -> None:
        n = self.residuals_.shape[0]
        if (
            not isinstance(noise, np.ndarray)
            or noise.ndim != 1
            or not np.issubdtype(noise.dtype, np.integer)
        ):
            raise ValueError(
                "noise for a MechanismSampler must be the 1-D integer array of background row "
                f"indices returned by its draw_noise, got {_short(noise)}."
            )
        _check_n_draws(noise.shape[0], n_draws)
        if noise.size and (noise.min() < 0 or noise.max() >= n):
            raise ValueError(
                f"noise holds row indices outside [0, {n}); it was not drawn by this sampler."
            )

    def _plan(self, target: np.ndarray, given: np.ndarray) -> np.ndarray:
        """Target columns in topological order; checks that every parent is available."""
        key = target.tobytes() + b"|" + given.tobytes()
        plan = self._plans.get(key)
        if plan is not None:
            return plan
        available = set(given.tolist()) | set(target.tolist())
        for j in target.tolist():
            missing = [p for p in self.parents_[j].tolist() if p not in available]
            if missing:
                raise ValueError(
                    f"MechanismSampler cannot draw {self.nodes_[j]!r}: its parent(s) "
                    f"{[self.nodes_[p] for p in missing]} are neither given nor drawn "
                    f"(given={[self.nodes_[g] for g in given.tolist()]}). The mechanism sampler "
                    "only supports interventional/causal sampling along the DAG "
                    "(value='causal'), where every parent of a drawn node is given or drawn; "
                    "for value='conditional' use sampler='gaussian'."
                )
        pos = np.empty(len(self.order_), dtype=np.int64)
        pos[self.order_] = np.arange(len(self.order_))
        plan = target[np.argsort(pos[target], kind="stable")]
        plan.setflags(write=False)
        self._plans[key] = plan
        return plan

    def sample_factor_into(self, rows: np.ndarray, target, given, noise) -> None:
        """Draw the factors ``X_j ~ P(X_j | X_given)`` of an identified expression.

        ``given`` must be the node's factor set (``factor_given_[j]``: its parents, or Tian's
        conditioning set for a node confounded with an earlier one); the draw is the fitted
        conditional plus the out-of-fold residual of background row ``noise``.
        """
        self._check_fitted()
        self._check_noise(noise, rows.shape[1])
        target = np.atleast_1d(np.asarray(target, dtype=np.int64))
        given = np.sort(np.asarray(given, dtype=np.int64))
        n, k, _ = rows.shape
        for j in target.tolist():
            want = np.sort(self.factor_given_[j])
            if not np.array_equal(given, want):
                raise ValueError(
                    f"MechanismSampler has no fitted conditional of {self.nodes_[j]!r} given "
                    f"{[self.nodes_[g] for g in given.tolist()]}; it fitted the factor given "
                    f"{[self.nodes_[g] for g in want.tolist()]} (fit it with the graph that is explained)."
                )
            eps = self.factor_residuals_[noise, j]
            if want.size == 0:
                rows[:, :, j] = self.intercepts_[j] + eps[None, :]
                continue
            xg = rows[:, :, self.factor_given_[j]].reshape(n * k, want.size)
            rows[:, :, j] = self.factor_models_[j].draw(xg, eps, (n, k))

    def _sample_into(self, rows, target, given, noise) -> None:
        plan = self._plan(target, given)
        for j in plan.tolist():
            if j in self._biased:
                warnings.warn(self._biased.pop(j), CausalxWarning, stacklevel=4)
        n, k, _ = rows.shape
        eps = self.residuals_[np.ix_(noise, plan)]  # (K, t): one residual row per draw
        for i, j in enumerate(plan.tolist()):
            pa = self.parents_[j]
            if pa.size == 0:
                rows[:, :, j] = self.intercepts_[j] + eps[None, :, i]
                continue
            xp = rows[:, :, pa].reshape(n * k, pa.size)
            rows[:, :, j] = self.node_models_[j].draw(xp, eps[:, i], (n, k))


def _kd_order(Z: np.ndarray) -> np.ndarray:
    """The rows of ``Z`` in the leaf order of a median-split k-d tree over their column ranks.

    Each cell is split at the median of the column whose ranks spread most in it, so rows that
    are close in this order are close in every column (in the copula of the noise): contiguous
    runs of the order are the strata of :func:`_stratified_indices`.
    """
    n, d = Z.shape
    if d == 0 or n < 3:
        return np.arange(n, dtype=np.int64)
    R = np.argsort(np.argsort(Z, axis=0, kind="stable"), axis=0, kind="stable").astype(float)
    out, stack = [], [np.arange(n, dtype=np.int64)]
    while stack:
        ix = stack.pop()
        if ix.size <= 2:
            out.append(ix)
            continue
        sub = R[ix]
        col = int(np.argmax(sub.max(0) - sub.min(0)))
        ix = ix[np.argsort(sub[:, col], kind="stable")]
        half = ix.size // 2
        stack.extend([ix[half:], ix[:half]])  # left cell popped first
    return np.concatenate(out)


def _stratified_indices(order: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """``k`` background row indices: every row ``k // n`` times, the rest one per stratum.

    The remaining ``k mod n`` draws take one row, uniformly, from each of ``k mod n``
    contiguous, equal-width runs of ``order`` (jittered systematic sampling), then the indices
    are shuffled. Every row is used ``k // n`` or ``k // n + 1`` times: the noise rows are drawn
    without replacement (Monte Carlo variance of a mean at most the finite-population value
    ``(n - k) / (n - 1)`` times the i.i.d. one, less where the drawn function is smooth in the
    noise), and the draws reproduce the empirical noise exactly when ``k`` is a multiple of ``n``.
    """
    n = order.size
    reps, rest = divmod(int(k), int(n))
    parts = [np.tile(np.arange(n, dtype=np.int64), reps)] if reps else []
    if rest:
        edges = (np.arange(rest + 1) * n) // rest  # strata of whole rows, widths n // rest or + 1
        width = np.diff(edges)
        pos = edges[:-1] + np.minimum((rng.uniform(size=rest) * width).astype(np.int64), width - 1)
        parts.append(order[pos])
    idx = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    return rng.permutation(idx).astype(np.int64)


def _short(obj) -> str:
    if isinstance(obj, np.ndarray):
        return f"an array of shape {obj.shape} and dtype {obj.dtype}"
    return f"an object of type {type(obj).__name__}"


def _resolve_graph(graph, d: int, feature_names):
    """Map the graph's nodes to columns; return (names per column, parent columns, order)."""
    if graph is None:
        raise ValueError(
            "MechanismSampler needs the causal graph: call fit(X, graph=graph, "
            "feature_names=...). Without a graph use sampler='gaussian'."
        )
    for attr in ("nodes", "parents", "topological_order", "components"):
        if not hasattr(graph, attr):
            raise TypeError(
                f"graph must be a causalx CausalGraph, got {type(graph).__name__} without "
                f"{attr!r}."
            )
    graph_nodes = tuple(graph.nodes)
    if feature_names is None:
        if len(graph_nodes) != d:
            raise DataValidationError(
                f"X has {d} columns but the graph has {len(graph_nodes)} nodes "
                f"{list(graph_nodes)}; pass feature_names (one name per column of X) or give X "
                "one column per graph node, in graph.nodes order."
            )
        names = graph_nodes
    else:
        names = tuple(feature_names)
        missing = [v for v in graph_nodes if v not in set(names)]
        extra = [f for f in names if f not in set(graph_nodes)]
        if missing or extra:
            parts = []
            if missing:
                parts.append(f"graph node(s) {missing} have no column in feature_names")
            if extra:
                parts.append(f"feature(s) {extra} are not nodes of the graph")
            raise DataValidationError(
                "feature_names do not match the graph's nodes: " + "; ".join(parts) + "."
            )
    col = {name: j for j, name in enumerate(names)}

    for comp in chain_components(graph, names):
        if comp.members.size > 1 and not comp.confounded:
            raise ValueError(
                f"MechanismSampler cannot handle the unconfounded chain component "
                f"{[names[j] for j in comp.members]}: the causal directions inside it are unknown, and causal "
                "values need its observational conditionals, which a per-node mechanism model "
                "cannot provide. Use sampler='gaussian', or declare the component confounded "
                "if its members share an unobserved cause."
            )
    parents = tuple(
        np.array([col[p] for p in graph.parents(name)], dtype=np.int64) for name in names
    )
    for p in parents:
        p.setflags(write=False)
    order = np.array([col[v] for v in graph.topological_order()], dtype=np.int64)
    return names, parents, order


def _biased_mechanisms(graph, names, parents, order) -> dict[int, str]:
    """Nodes that share a hidden cause with an ancestor of one of their parents, with a warning.

    Then a node's noise is correlated with its parents, and regressing it on them does not
    recover its causal mechanism: drawing it along the DAG (the chain-component path,
    :meth:`MechanismSampler.sample_into`) after an intervention on a parent is biased. The
    identified path (:meth:`MechanismSampler.sample_factor_into`) conditions on Tian's sets
    instead and is not affected.
    """
    pairs = tuple(getattr(graph, "confounded", ()))
    if not pairs:
        return {}
    col = {name: j for j, name in enumerate(names)}
    ancestors_or_self: list[set[int]] = [set() for _ in names]
    for j in order.tolist():
        ancestors_or_self[j] = {j}.union(*(ancestors_or_self[p] for p in parents[j].tolist()))
    partners: dict[int, set[int]] = {j: set() for j in range(len(names))}
    for a, b in pairs:
        partners[col[a]].add(col[b])
        partners[col[b]].add(col[a])
    out = {}
    for j in order.tolist():
        bad = [p for p in parents[j].tolist() if partners[j] & ancestors_or_self[p]]
        if bad:
            via = sorted(names[k] for p in bad for k in partners[j] & ancestors_or_self[p])
            out[j] = (
                f"MechanismSampler: {names[j]!r} shares an unobserved cause with {via}, which "
                f"drive(s) its parent(s) {[names[p] for p in bad]}. Regressing {names[j]!r} on "
                "its parents then does not estimate its causal mechanism, so interventional "
                f"draws of {names[j]!r} along the chain components may be biased; the identified "
                "semantics (causal_semantics='identified') conditions on the right sets instead."
            )
    return out


def _node_types(graph, names) -> tuple[str, ...]:
    """The graph's type of each column (``"continuous"`` where none is declared)."""
    get = getattr(graph, "node_attributes", None)
    if get is None:
        return tuple("continuous" for _ in names)
    return tuple(get(name).get("type") or "continuous" for name in names)


def _check_discrete_codes(X: np.ndarray, names, types) -> None:
    for j, t in enumerate(types):
        if t not in DISCRETE_TYPES:
            continue
        col = X[:, j]
        if not np.all(col == np.round(col)) or col.min() < 0:
            bad = col[(col != np.round(col)) | (col < 0)][:3].tolist()
            raise DataValidationError(
                f"MechanismSampler: node {names[j]!r} has type {t!r} in the graph, so its column must hold "
                f"integer codes 0..K-1, got values such as {bad}. Encode the categories as codes (the "
                "explainer does this for string and category columns) or declare the node 'continuous'."
            )
