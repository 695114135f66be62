"""The :class:`CausalExplainer` façade: the one place that wires graph + sampler + game + estimator.

It validates options (``_parameter_constraints``), resolves the graph, the model and the
sampler, and hands a game to :func:`causalx.shapley.estimate_shapley` (or a tree ensemble to
:func:`causalx.shapley.tree_shapley`); every estimator dispatch lives there, not here.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.utils.validation import check_is_fitted

from causalx._options import (ALGORITHMS, BACKENDS, CAUSAL_SEMANTICS, METHODS, PERMUTATION_SAMPLINGS, SAMPLERS,
                              UNCERTAINTIES, VALUES)
from causalx.exceptions import CausalxWarning, NotFittedError
from causalx.explain._data import to_feature_codes, with_node_types
from causalx.explanation import Explanation
from causalx.graph import CausalGraph, chain_components, load_graph
from causalx.graph.groups import PlayerColumns, group_precedences, player_columns
from causalx.graph.identification import ADJUSTMENTS, Identifier
from causalx.samplers import BaseSampler, get_sampler
from causalx.shapley import PartialOrder, ShapleyResult, estimate_shapley, exact_plan, resolve_method, tree_shapley
from causalx.utils.constraints import Boolean, InstanceOf, Interval, NonZeroInt, Options, validate_params
from causalx.values import (
    CausalFiller,
    ConditionalFiller,
    Game,
    IdentifiedFiller,
    MarginalFiller,
    TreeUnsupportedError,
    extract_ensemble,
    resolve_model,
)

__all__ = ["CausalExplainer"]

#: about this many model-evaluated rows are kept for the manifold diagnostics of an explanation
MANIFOLD_ROWS = 2000


@dataclass(frozen=True)
class _Seeds:
    """The named seeds of one fitted explainer, spawned once in ``fit``."""

    background: np.random.SeedSequence  # subsample of background rows; a named sampler's seed
    noise: np.random.SeedSequence  # the Monte Carlo draws shared by every coalition
    orderings: np.random.SeedSequence  # sampled orderings / kernel coalitions
    refits: np.random.SeedSequence  # resamples and seeds of uncertainty="refit"


#: at most this many data rows (a seeded subsample) are the reference of the off-manifold check;
#: its 99th-percentile threshold and the scores then come from the same rows
MANIFOLD_MAX_REFERENCE = 20_000


class CausalExplainer(BaseEstimator):
    """Shapley explanations of a model with the causal structure of its features built in.

    Parameters
    ----------
    model : estimator or callable
        A fitted model with ``predict``; or with ``predict_proba`` (pass ``output=``); or a
        callable ``f(X) -> (n,)``. Models fitted on DataFrames receive DataFrames. Text,
        pandas ``category`` and bool columns are accepted: the samplers work on their codes
        and the model receives the original dtypes and categories (e.g. a Pipeline with a
        OneHotEncoder on the raw column).
    graph : CausalGraph or path
        The causal graph over the model's features (its nodes are the players), or the path
        of a YAML graph spec. A graph with ``groups`` is explained per group: the players are
        the groups (ungrouped nodes are their own group), a coalition is the union of its
        groups' columns, every value function, estimator and ``decompose`` work on the groups,
        and ``Explanation.feature_names`` are the group names (see docs/guide.md, "Groups of
        features"). Asymmetric values then use the causal order between the groups (the
        condensation of the feature order, which must be acyclic). The exact tree path does
        not support groups (``algorithm="auto"`` uses the black box).
    value : {"causal", "conditional", "marginal"}, default "causal"
        What v(S) is: E[f(X) | do(X_S = x_S)] (Heskes et al. 2020); E[f(X) | X_S = x_S]
        (on the data manifold); or E over the marginal P(X_S̄) (interventional SHAP).
    sampler : {"gaussian", "mechanism", "vae"} or BaseSampler, default "gaussian"
        How conditional/interventional distributions are modelled (unused for marginal).
    causal_semantics : {"auto", "identified", "chain"}, default "auto"
        How ``value="causal"`` reads ``do()``. ``"identified"``: P(X_S̄ | do(x_S)) from its
        identified expression under the graph (DAG + bidirected edges; Tian–Pearl c-component
        factorisation, see :mod:`causalx.graph.identification`); a coalition whose law is not
        identified raises an error naming it and the bidirected edges responsible.
        ``"chain"``: Heskes et al.'s chain-component formula (nodes joined by bidirected edges
        merged into confounded components; the R package shapr's convention), exact only when
        no directed edge runs inside a merged component — an approximation for other ADMGs,
        warned about once. ``"auto"``: ``"chain"`` when the graph declares chain components,
        ``"identified"`` otherwise (for a DAG without bidirected edges both are the truncated
        factorisation).
    asymmetric : bool, default False
        Average only over orderings consistent with the causal order (Frye et al. 2020): for a
        DAG or ADMG, orderings in which every ancestor precedes its descendants (the directed
        edges' transitive closure; bidirected edges impose nothing); for declared chain
        components, the components in order with their members free inside.
    method : {"auto", "exact", "permutation", "kernel", "regression", "adjusted"}, default "auto"
        Estimator. ``auto`` is exact when at most 4096 coalitions are needed, else the
        regression-adjusted estimator (``"adjusted"``: a kernel surrogate of the game with exact
        Shapley values, corrected by paired regression KernelSHAP on the residual, per causal
        layer for chain components; jackknife standard errors) with a convergence rule
        (``tol``); ``"regression"`` is plain paired KernelSHAP (constrained least squares with
        paired draws and exactly enumerated border sizes); antithetic
        permutation sampling for non-layered asymmetric orders, with ``decompose=True`` or
        with ``n_permutations``; see :func:`causalx.shapley.resolve_method`.
    n_samples : int, default 1000
        Monte Carlo draws per coalition and explained row. For ``marginal`` values: the number
        of background rows used (a seeded subsample without replacement, or all rows exactly
        once when ``n_samples >= len(X_background)``).
    n_permutations : int, optional
        Number of orderings for ``method="permutation"``; by default sampling stops when every
        standard error is below ``tol`` times the largest absolute value.
    tol : float, default 0.01
        Relative precision of the convergence rule.
    permutation_sampling : {"antithetic", "stratified"}, default "antithetic"
        How ``method="permutation"`` draws orderings: antithetic pairs, or quasi-random Latin
        blocks (each player at each position of its layer once per block, with reverses).
        Orders that are not layered (some asymmetric ones) are sampled i.i.d. either way.
    max_evals : int, optional
        Most distinct coalitions a sampling estimator may evaluate (with ``decompose=True``,
        the direct/indirect transitions count too).
    output : int or str, optional
        Class index/label of ``predict_proba`` (classifiers) or output column to explain.
    raw : bool, default False
        Explain the model's raw margin (the sum of trees before the sigmoid/softmax or other
        link) instead of ``predict`` / ``predict_proba``: ``decision_function`` (scikit-learn),
        ``predict(output_margin=True)`` (XGBoost), ``predict(raw_score=True)`` (LightGBM),
        ``predict(prediction_type="RawFormulaVal")`` (CatBoost); ``output`` then picks the class
        of a multi-class margin. This is how boosted classifiers get the exact tree path.
    n_replicates : int, default 16
        Batch means per value used for the Monte Carlo standard error.
    antithetic : bool or "auto", default "auto"
        Draw the Monte Carlo noise in antithetic pairs (draw ``2k + 1`` mirrors draw ``2k``
        about the conditional mean; :meth:`BaseSampler.draw_noise`). Means stay unbiased, and
        the standard errors treat pairs as the independent units. A pair's mean varies less
        than two independent draws' when the model is monotone along the mirrored noise (on a
        near-additive gradient-boosting model of ten descriptors, 20-30x less), and at worst,
        for a model even in the noise, as much as one draw's. ``"auto"``: on for samplers
        with ``supports_antithetic`` (the Gaussian sampler), off for the others;
        ``True`` with another sampler is an error. Not used by ``value="marginal"``.
    n_jobs : int, default 1
        Worker processes for model evaluation (results do not depend on it); threads of the
        compiled kernel for ``algorithm="tree"``.
    algorithm : {"auto", "tree", "blackbox"}, default "auto"
        How marginal values are computed. ``"tree"``: exactly from the structure of a
        scikit-learn tree model (decision trees, random forests, extra trees, gradient
        boosting, HistGradientBoosting) or an XGBoost, LightGBM or CatBoost model (see
        :mod:`causalx.values._tree` and
        :func:`causalx.shapley.tree_shapley`), with no model
        evaluations on hybrid rows; needs ``value="marginal"``, ``asymmetric=False`` and
        ``method`` "auto" or "exact". ``"blackbox"``: evaluate the model on hybrid rows with
        the estimator of ``method``. ``"auto"`` is ``"tree"`` when those conditions hold and the
        model and ``output`` are supported (classifiers: ``predict_proba`` of forests and trees;
        boosted classifiers only on their raw margin, ``raw=True``: their probability is a
        sigmoid/softmax of the sum of trees, so black-box), else ``"blackbox"``.
        The tree values are exact for the (subsampled) background; their ``stderr`` is the
        spread of the background batch means, as for the black-box exact estimator.
    check_manifold : bool, default True
        Keep a strided sample of the rows the model is evaluated on (about 2000) and report in
        ``provenance["manifold"]`` the share that violates the graph's declared constraints and
        the share off the data manifold (k-nearest-neighbour distance beyond the 99th
        percentile of held-out data rows; see :func:`causalx.diagnostics.manifold_report`).
    uncertainty : {"mc", "refit"}, default "mc"
        What ``stderr`` covers. ``"mc"``: the estimator and Monte Carlo error only, for the
        sampler as fitted. ``"refit"``: also the sampler's learning error: ``explain`` refits
        the sampler on ``n_refits`` bootstrap resamples of the background, explains the rows
        with each, and reports ``stderr = sqrt(mc² + learning²)`` with ``learning`` the
        between-fit standard deviation of refits on half-samples (less its own Monte Carlo
        part), scaled by ``t(0.975, n_refits - 1) / 1.96`` for the few refits, plus the
        half-sample fits' mean offset from the full fit (see
        :func:`causalx.explain._refit.refit_uncertainty`); the two parts are in
        ``provenance["uncertainty"]``. Costs ``n_refits`` more sampler fits and explanations.
        Unused for ``value="marginal"`` (its stderr already covers the finite background).
    n_refits : int, default 8
        Number of bootstrap refits for ``uncertainty="refit"``.
    backend : {"local", "dask"}, default "local"
        ``"dask"``: chunks of explained rows become tasks of the active
        ``distributed.Client`` (the model and sampler are scattered once); results are
        identical to ``"local"`` with ``n_jobs=1``. See docs/distributed.md.
    random_state : int, Generator or None, default 0
        Seed of every random choice (subsample, draws, orderings).

    Attributes
    ----------
    graph_ : CausalGraph
    feature_names_in_ : tuple of str
    background_ : ndarray of shape (n_background, n_features)
    sampler_ : BaseSampler or None
    order_ : causalx.shapley.PartialOrder
    method_ : str
        The estimator ``auto`` resolved to.
    algorithm_ : str
        ``"tree"`` or ``"blackbox"``.
    components_ : tuple of causalx.graph.ChainComponent
        The graph's chain components as column indices.
    players_ : causalx.graph.groups.PlayerColumns or None
        The players as column sets when the graph declares ``groups`` (else None: one player
        per feature).
    causal_semantics_ : {"identified", "chain"} or None
        What ``causal_semantics`` resolved to (None unless ``value="causal"``).
    identifier_ : causalx.graph.identification.Identifier or None
        The identified laws of the coalitions, cached by mask (``causal_semantics_ == "identified"``).
    seeds_ : named SeedSequences (background, noise, orderings)
        Spawned once from ``random_state`` in ``fit``: repeated ``explain`` calls give the
        same numbers.
    graph_digest_ : str
    encoding_ : causalx.utils.DataEncoding
        How text, ``category`` and bool columns of the background data are coded (integer
        codes for the samplers and games; the model gets the original values back, see
        :class:`causalx.values.ModelFunction`). ``explain`` codes its rows with it.
    node_types_ : dict of str to str
        The type of every node: the graph's ``type`` where declared, else inferred from the
        background's dtypes (bool: binary; ordered category: ordinal; text or category:
        categorical, binary with two levels; numbers: continuous). The sampler reads them.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import causalx as cx
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(rng.normal(size=(200, 2)), columns=["a", "b"])
    >>> graph = cx.CausalGraph(nodes=["a", "b"], edges=[("a", "b")])
    >>> f = lambda Z: 2.0 * Z[:, 0] - Z[:, 1]
    >>> exp = cx.CausalExplainer(f, graph, value="marginal").fit(X).explain(X.iloc[:3])
    >>> bool(np.allclose(exp.values.sum(1), exp.output - exp.base_values))
    True
    """

    def __init__(
        self,
        model: Any,
        graph: CausalGraph | str | Path,
        *,
        value: str = "causal",
        sampler: str | BaseSampler = "gaussian",
        causal_semantics: str = "auto",
        asymmetric: bool = False,
        method: str = "auto",
        n_samples: int = 1000,
        n_permutations: int | None = None,
        tol: float = 0.01,
        permutation_sampling: str = "antithetic",
        max_evals: int | None = None,
        output: int | str | None = None,
        raw: bool = False,
        n_replicates: int = 16,
        antithetic: bool | str = "auto",
        n_jobs: int = 1,
        algorithm: str = "auto",
        check_manifold: bool = True,
        uncertainty: str = "mc",
        n_refits: int = 8,
        backend: str = "local",
        random_state: int | np.random.Generator | None = 0,
    ):
        self.model = model
        self.graph = graph
        self.value = value
        self.sampler = sampler
        self.causal_semantics = causal_semantics
        self.asymmetric = asymmetric
        self.method = method
        self.n_samples = n_samples
        self.n_permutations = n_permutations
        self.tol = tol
        self.permutation_sampling = permutation_sampling
        self.max_evals = max_evals
        self.output = output
        self.raw = raw
        self.n_replicates = n_replicates
        self.antithetic = antithetic
        self.n_jobs = n_jobs
        self.algorithm = algorithm
        self.check_manifold = check_manifold
        self.uncertainty = uncertainty
        self.n_refits = n_refits
        self.backend = backend
        self.random_state = random_state

    _parameter_constraints: dict[str, list] = {
        "model": "no_validation",  # resolve_model names what is wrong with it
        "graph": "no_validation",  # _resolve_graph
        "value": [Options(VALUES)],
        "sampler": [Options(SAMPLERS), InstanceOf((BaseSampler,), "a sampler name or a BaseSampler instance")],
        "causal_semantics": [Options(CAUSAL_SEMANTICS)],
        "asymmetric": [Boolean()],
        "method": [Options(METHODS)],
        "n_samples": [Interval(1, integer=True)],
        "n_permutations": [Interval(1, integer=True), None],
        "tol": [Interval(0, closed="neither")],
        "permutation_sampling": [Options(PERMUTATION_SAMPLINGS)],
        "max_evals": [Interval(2, integer=True), None],
        "output": "no_validation",  # checked against the model's classes / columns by resolve_model
        "raw": [Boolean()],
        "n_replicates": [Interval(1, integer=True)],
        "antithetic": [Options(("auto", True, False))],
        "n_jobs": [NonZeroInt()],
        "algorithm": [Options(ALGORITHMS)],
        "check_manifold": [Boolean()],
        "uncertainty": [Options(UNCERTAINTIES)],
        "n_refits": [Interval(2, integer=True)],
        "backend": [Options(BACKENDS)],
        "random_state": [Interval(0, integer=True), InstanceOf((np.random.Generator,), "an int, a Generator or None"),
                         None],
    }

    # ------------------------------------------------------------------ validation
    def _check_params(self) -> None:
        validate_params(self.get_params(deep=False), self._parameter_constraints)
        if self.method == "kernel" and self.asymmetric:
            raise ValueError(
                "method='kernel' computes symmetric Shapley values only; use method='exact' or "
                "'permutation' with asymmetric=True."
            )

    @staticmethod
    def _resolve_graph(graph) -> CausalGraph:
        if isinstance(graph, CausalGraph):
            return graph
        if isinstance(graph, (str, Path)):
            return load_graph(graph)
        raise TypeError(
            f"graph must be a causalx.CausalGraph or the path of a YAML graph spec, got "
            f"{type(graph).__name__}. Build one with cx.CausalGraph(nodes=..., edges=...)."
        )

    def _spawn_seeds(self) -> _Seeds:
        rs = self.random_state
        seed = int(rs.integers(0, 2**63 - 1)) if isinstance(rs, np.random.Generator) else rs
        return _Seeds(*np.random.SeedSequence(seed).spawn(4))  # spawn keys 0..2 as before

    # ------------------------------------------------------------------ fit
    def fit(self, X_background, y=None) -> CausalExplainer:
        """Fit the explainer on background data (the distribution the explanation refers to).

        Parameters
        ----------
        X_background : DataFrame of shape (n_background, n_features...) or ndarray
            Must hold every feature node of the graph; the graph's target column may be present.
        y : ignored

        Returns
        -------
        self
        """
        self._check_params()
        graph = self._resolve_graph(self.graph)
        names = tuple(graph.nodes)
        Xb, self.encoding_ = to_feature_codes(X_background, graph, what="X_background", min_rows=2)
        self.node_types_ = self.encoding_.node_types()
        self.seeds_ = self._spawn_seeds()
        self.graph_ = graph
        self.graph_digest_ = graph.digest()
        self.feature_names_in_ = names
        self.n_features_in_ = len(names)
        self.model_ = resolve_model(self.model, names, self.output, raw=self.raw, encoding=self.encoding_)
        self.model_(Xb[:2])  # fail now, with a clear message, if the model cannot predict these rows
        self.reference_data_ = Xb  # all background rows: the data manifold diagnostics compare with
        self.components_ = chain_components(graph, names)
        self.players_ = player_columns(graph, names) if graph.groups else None
        if self.value == "marginal":
            if self.n_samples < Xb.shape[0]:
                rng = np.random.default_rng(self.seeds_.background)
                Xb = Xb[np.sort(rng.choice(Xb.shape[0], self.n_samples, replace=False))]
            self.sampler_ = None
        else:
            sampler = clone(get_sampler(self.sampler))
            if isinstance(self.sampler, str) and "random_state" in sampler.get_params():
                seed = int(np.random.default_rng(self.seeds_.background).integers(0, 2**31 - 1))
                sampler.set_params(random_state=seed)
            # the samplers read the node types (declared, else inferred from the dtypes) from the graph
            self.sampler_ = sampler.fit(Xb, graph=with_node_types(graph, self.node_types_), feature_names=names)
            if self.value == "conditional" and not getattr(self.sampler_, "supports_conditional", True):
                raise ValueError(
                    f"sampler={type(self.sampler_).__name__} draws along the causal graph only and cannot "
                    "compute value='conditional'. Use sampler='gaussian', or value='causal'."
                )
            can = bool(getattr(self.sampler_, "supports_antithetic", False))
            if not isinstance(self.antithetic, str) and bool(self.antithetic) and not can:
                raise ValueError(
                    f"antithetic=True needs a sampler that draws antithetic pairs (supports_antithetic); "
                    f"{type(self.sampler_).__name__} does not. Use antithetic='auto' or False, or sampler='gaussian'."
                )
        wanted = bool(getattr(self.sampler_, "supports_antithetic", False)) if isinstance(self.antithetic, str) \
            else bool(self.antithetic)
        self.antithetic_ = self.value != "marginal" and wanted
        self.background_ = Xb
        n_players = len(names) if self.players_ is None else self.players_.n_players
        self.order_ = self._partial_order(graph) if self.asymmetric else PartialOrder.symmetric(n_players)
        self.method_ = resolve_method(self.order_, self.method, max_evals=self.max_evals)
        self.causal_semantics_, self.identifier_ = self._resolve_semantics(graph, names)
        self.algorithm_, self._ensemble = self._resolve_algorithm(names)
        return self

    def _resolve_algorithm(self, names) -> tuple[str, Any]:
        """``("tree", TreeEnsemble)`` when the exact tree path applies, else ``("blackbox", None)``."""
        if self.algorithm == "blackbox":
            return "blackbox", None
        why = None
        if self.players_ is not None:
            why = "the graph declares groups (the tree path computes per-feature values only)"
        elif self.value != "marginal":
            why = f"value={self.value!r} (the tree path computes marginal values only)"
        elif self.asymmetric:
            why = "asymmetric=True (the tree path computes symmetric values only)"
        elif self.method not in ("auto", "exact"):
            why = f"method={self.method!r} (the tree path is exact; use method='auto' or 'exact')"
        elif not self.encoding_.is_identity:
            why = "text, category or bool columns are decoded for the model (the tree path reads numeric splits)"
        else:
            try:
                return "tree", extract_ensemble(self.model, names, kind=self.model_.kind, column=self.model_.column)
            except TreeUnsupportedError as exc:
                why = str(exc)
        if self.algorithm == "tree":
            raise ValueError(f"algorithm='tree' is not available: {why}. Use algorithm='auto' or 'blackbox'.")
        return "blackbox", None

    def _partial_order(self, graph: CausalGraph) -> PartialOrder:
        """Orderings consistent with the causal order (see ``asymmetric``)."""
        if self.players_ is not None:  # the condensation onto the groups (raises on a cycle)
            index = {name: p for p, name in enumerate(self.players_.names)}
            pairs = [(index[a], index[b]) for a, b in group_precedences(graph)]
            return PartialOrder.from_precedences(self.players_.n_players, pairs)
        if graph.declared_components is None:
            col = {name: j for j, name in enumerate(self.feature_names_in_)}
            pairs = [(col[a], col[b]) for a, b in graph.edges]
            return PartialOrder.from_precedences(self.n_features_in_, pairs)
        comps = self.components_
        earlier: list[int] = []
        layered = True
        for comp in comps:
            if set(comp.parents.tolist()) != set(earlier):
                layered = False
            earlier.extend(comp.members.tolist())
        if layered:
            return PartialOrder.from_layers([comp.members.tolist() for comp in comps])
        # components given with edges: components contiguous and in order, members free inside
        pairs = [(int(a), int(b)) for i, ca in enumerate(comps) for cb in comps[i + 1:]
                 for a in ca.members for b in cb.members]
        return PartialOrder.from_precedences(self.n_features_in_, pairs)

    def _resolve_semantics(self, graph: CausalGraph, names) -> tuple[str | None, Identifier | None]:
        """``(causal_semantics_, identifier_)``; checks identifiability of every coalition the
        exact estimator needs up front (at most 4096), so a hedge fails in fit, not mid-way."""
        if self.value != "causal":
            return None, None
        semantics = self.causal_semantics
        if semantics == "auto":
            semantics = "chain" if graph.declared_components is not None else "identified"
        if semantics == "chain":
            if graph.declared_components is None and graph.confounded:
                import warnings

                warnings.warn(
                    "causal_semantics='chain' merges the nodes joined by bidirected edges into confounded "
                    "chain components (Heskes et al. 2020); inside a merged component directed effects are "
                    "ignored and identified laws such as the front-door are missed, so causal values can be "
                    "biased. causal_semantics='identified' (the default) computes the identified laws.",
                    CausalxWarning,
                    stacklevel=3,
                )
            return "chain", None
        if graph.declared_components is not None:
            raise ValueError(
                "causal_semantics='identified' needs a DAG (edges, optionally with bidirected edges); "
                "this graph declares chain components, whose inner order is unknown. Use "
                "causal_semantics='chain' (or 'auto')."
            )
        identifier = Identifier.shared(graph, names)  # its cache of laws is shared
        if graph.confounded and self.order_.n_downsets(limit=4096) is not None:
            masks = exact_plan(self.order_).masks
            if self.players_ is not None:
                masks = self.players_.feature_masks(masks)
            for mask in masks:
                identifier.identify(mask)  # raises NotIdentifiableError naming the coalition
        return "identified", identifier

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "order_")

    # ------------------------------------------------------------------ explain
    def _filler(self, n_draws: int | None = None, seed=None):
        """The filler of this explainer's value function (``n_draws`` draws from ``seed``; by
        default ``n_samples`` draws from the named noise seed)."""
        if self.value == "marginal":
            return MarginalFiller(self.background_)
        n = self.n_samples if n_draws is None else int(n_draws)
        seed = self.seeds_.noise if seed is None else seed
        if not isinstance(seed, np.random.SeedSequence):
            seed = np.random.SeedSequence(seed if not isinstance(seed, np.random.Generator)
                                          else int(seed.integers(0, 2**63 - 1)))
        anti = bool(getattr(self, "antithetic_", False))
        noise = self.sampler_.draw_noise(n, np.random.default_rng(seed), antithetic=anti)
        if self.value == "conditional":
            return ConditionalFiller(self.sampler_, noise, n, antithetic=anti)
        if self.causal_semantics_ == "identified":
            return IdentifiedFiller(self.sampler_, noise, n, self.identifier_, seed, antithetic=anti)
        return CausalFiller(self.sampler_, noise, n, self.components_, antithetic=anti)

    def _game(self, X: np.ndarray) -> Game:
        f = resolve_model(self.model, self.feature_names_in_, self.output, raw=self.raw, encoding=self.encoding_)
        return Game(f, X, self._filler(), n_replicates=self.n_replicates, n_jobs=self.n_jobs, backend=self.backend,
                    record=MANIFOLD_ROWS if self.check_manifold else 0,
                    groups=None if self.players_ is None else self.players_.membership)

    def effects(self, *, quantiles=(0.25, 0.75), n_draws: int = 4000, random_state=None):
        """Signed interventional effects of every feature on the model output.

        ``E[f | do(x_i = q75)] − E[f | do(x_i = q25)]`` with its direct and indirect parts and
        plain SHAP's (marginal) reading beside it; see
        :func:`causalx.explain.interventional_effects`. Needs ``value="causal"``.
        """
        from causalx.explain._effects import interventional_effects

        return interventional_effects(self, quantiles=quantiles, n_draws=n_draws, random_state=random_state)

    def explain(self, X, *, decompose: bool = False) -> Explanation:
        """Explain the model's predictions for the rows of ``X``.

        Parameters
        ----------
        X : DataFrame or ndarray of shape (n_rows, n_features)
            Rows to explain (the graph's target column, if present, is ignored).
        decompose : bool, default False
            Also split each value into a direct and an indirect part (see
            docs/architecture.md, "The game protocol"): ``direct + indirect == values``. Needs
            ``value="causal"`` (for ``"marginal"`` the indirect part is zero by definition).
            With a sampling estimator, ``tol`` and ``max_evals`` apply to the parts too.

        Returns
        -------
        Explanation
            ``values``, ``base_values``, ``stderr`` and provenance; efficiency holds:
            ``values.sum(1) == output - base_values``. With groups, one column per group
            (``feature_names`` the group names, ``provenance["groups"]`` group -> members,
            ``data`` the feature value for a singleton group and NaN for a larger one).
        """
        try:
            check_is_fitted(self)
        except Exception as exc:
            raise NotFittedError(
                "This CausalExplainer is not fitted yet: call fit(X_background) before explain()."
            ) from exc
        if self._resolve_graph(self.graph).digest() != self.graph_digest_:
            raise ValueError("The graph changed after fit(); call fit() again.")
        if decompose and self.value == "conditional":
            raise ValueError(
                "decompose=True splits causal effects into direct and indirect parts; it needs "
                "value='causal' (for value='marginal' the indirect part is zero by definition)."
            )
        if decompose and self.method_ == "kernel":
            raise ValueError("decompose=True needs method='exact' or 'permutation', not 'kernel'.")
        Xe, _ = to_feature_codes(X, self.graph_, what="X", encoding=self.encoding_)
        t0 = time.perf_counter()
        if self.algorithm_ == "tree":
            res, counts, evaluated = self._tree_values(Xe)
        else:
            game = self._game(Xe)
            res = estimate_shapley(
                game,
                self.order_,
                method=self.method if self.method == "auto" else self.method_,  # auto: decompose/n_permutations pick permutation
                decompose=decompose and self.value == "causal",
                n_permutations=self.n_permutations if self.method_ in ("permutation", "regression", "adjusted") else None,
                max_evals=self.max_evals,
                tol=self.tol,
                sampling=self.permutation_sampling,
                random_state=np.random.default_rng(self.seeds_.orderings),
            )
            counts = dict(n_model_evals=game.n_model_evals, n_samples=game.n_draws, n_replicates=game.n_replicates)
            evaluated = game.recorded_rows
            if self.identifier_ is not None:
                kinds = [self.identifier_.identify(m).adjustment for m in game.coalitions_evaluated]
                counts["adjustments"] = {k: kinds.count(k) for k in ADJUSTMENTS if k in kinds}
        if decompose and res.direct is None:  # marginal: everything is direct
            zeros = np.zeros_like(res.values)
            split = dict(direct=res.values, indirect=zeros, direct_stderr=res.stderr, indirect_stderr=zeros)
        else:
            split = dict(direct=res.direct, indirect=res.indirect, direct_stderr=res.direct_stderr,
                         indirect_stderr=res.indirect_stderr)
        stderr = res.stderr
        if self.uncertainty == "refit" and self.sampler_ is not None:  # + the sampler's learning error
            from causalx.explain._refit import refit_uncertainty

            stderr, split, unc = refit_uncertainty(self, Xe, res.values, res.stderr, split, decompose=decompose)
        provenance = self._provenance(res, counts, time.perf_counter() - t0)
        provenance["manifold"] = self._manifold(evaluated)
        if self.uncertainty == "refit" and self.sampler_ is not None:
            provenance["uncertainty"] = unc
        diag = getattr(self.sampler_, "diagnostics_", None)
        if diag is not None:
            provenance["sampler_diagnostic"] = {**diag, "off_manifold_share": (provenance["manifold"] or {}).get("off_manifold_share")}
        names, data = self.feature_names_in_, Xe
        if self.players_ is not None:
            names, data = self.players_.names, _player_data(Xe, self.players_)
            provenance["groups"] = {g: list(m) for g, m in self.graph_.groups.items()}
        return Explanation(
            values=res.values,
            base_values=res.base_values,
            stderr=stderr,
            data=data,
            feature_names=names,
            output=res.full_values,
            provenance=provenance,
            **split,
        )

    def _tree_values(self, Xe: np.ndarray) -> tuple[ShapleyResult, dict[str, int], np.ndarray]:
        """Exact marginal values from the tree structure, the counts for the provenance, and a
        sample of the hybrid rows ``(x_S, z_S̄)`` the values are made of (for the manifold check:
        the tree path evaluates none of them, but the black-box path would)."""
        bg = self.background_
        f = resolve_model(self.model, self.feature_names_in_, self.output, raw=self.raw, encoding=self.encoding_)
        res = tree_shapley(self._ensemble, Xe, bg, base_values=np.full(Xe.shape[0], f(bg).mean()),
                           full_values=f(Xe), n_replicates=self.n_replicates, n_jobs=self.n_jobs)
        rng = np.random.default_rng(0)
        m = MANIFOLD_ROWS if self.check_manifold else 0
        # coalitions as the exact estimator visits them: uniform over the non-empty, non-full ones
        masks = rng.random((4 * m + 64, bg.shape[1])) < 0.5
        masks = masks[masks.any(1) & ~masks.all(1)][:m]
        m = masks.shape[0]
        hybrid = np.where(masks, Xe[rng.integers(0, Xe.shape[0], m)], bg[rng.integers(0, bg.shape[0], m)])
        counts = dict(n_model_evals=f.n_evals, n_samples=bg.shape[0],
                      n_replicates=int(max(1, min(self.n_replicates, bg.shape[0]))))
        return res, counts, hybrid

    def _manifold(self, rows: np.ndarray) -> dict[str, Any] | None:
        """How many of the model-evaluated rows break a declared constraint or leave the data."""
        if not self.check_manifold or rows.shape[0] == 0:
            return None
        from causalx.diagnostics.manifold import manifold_report

        ref = self.reference_data_
        if ref.shape[0] > MANIFOLD_MAX_REFERENCE:  # a seeded subsample: the kNN cost grows with the rows
            pick = np.random.default_rng(0).choice(ref.shape[0], MANIFOLD_MAX_REFERENCE, replace=False)
            ref = ref[np.sort(pick)]
        report = manifold_report(rows, ref, feature_names=self.feature_names_in_,
                                 constraints=self.graph_.constraints, random_state=0)
        out = report.to_dict()
        out["n_reference"] = int(ref.shape[0])
        return out

    def _provenance_sampler(self) -> str:
        if self.sampler_ is None:
            return "background"
        return self.sampler if isinstance(self.sampler, str) else type(self.sampler_).__name__

    def _provenance(self, res: ShapleyResult, counts: dict[str, int], elapsed: float) -> dict[str, Any]:
        import sklearn

        from causalx._version import __version__

        provenance = {
            "value": self.value,
            "sampler": self._provenance_sampler(),
            "method": res.method,
            "asymmetric": bool(self.asymmetric),
            "causal_semantics": self.causal_semantics_,
            "n_model_evals": int(counts["n_model_evals"]),
            "n_coalitions": int(res.n_coalitions),
            "n_orderings": None if res.n_orderings is None else int(res.n_orderings),
            "converged": res.converged,
            "n_samples": int(counts["n_samples"]),
            "n_replicates": int(counts["n_replicates"]),
            "antithetic": bool(getattr(self, "antithetic_", False)),
            "random_state": self.random_state if not isinstance(self.random_state, np.random.Generator) else "Generator",
            "graph_digest": self.graph_digest_,
            "graph_name": self.graph_.name,
            "elapsed_s": float(elapsed),
            "versions": {"causalx": __version__, "numpy": np.__version__, "scikit-learn": sklearn.__version__},
        }
        if not self.encoding_.is_identity:  # what the codes in Explanation.data stand for
            provenance["categories"] = {self.feature_names_in_[j]: [str(c) for c in self.encoding_.codebooks[j].categories]
                                        for j in self.encoding_.encoded}
        if "adjustments" in counts:  # distinct coalitions per kind of identified expression
            provenance["adjustments"] = counts["adjustments"]
        if self.algorithm_ == "tree":
            provenance["explains"] = self._ensemble.explains
        return provenance


def _player_data(X: np.ndarray, players: PlayerColumns) -> np.ndarray:
    """One data column per player: the feature's value for a singleton, NaN for a larger group."""
    out = np.full((X.shape[0], players.n_players), np.nan)
    for p, cols in enumerate(players.columns):
        if cols.size == 1:
            out[:, p] = X[:, cols[0]]
    return out
