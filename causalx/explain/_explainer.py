"""The :class:`CausalExplainer` façade: the one place that wires graph + sampler + game + estimator."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.utils.validation import check_is_fitted

from causalx.exceptions import NotFittedError
from causalx.explain._data import to_feature_array
from causalx.explanation import Explanation
from causalx.graph import CausalGraph, load_graph
from causalx.samplers import BaseSampler, get_sampler
from causalx.shapley import (
    PartialOrder,
    apply_plan,
    estimate_shapley,
    exact_plan,
    n_coalitions_needed,
    permutation_plan,
)
from causalx.utils.validation import check_interval, check_option
from causalx.values import CausalFiller, ConditionalFiller, Game, MarginalFiller, Step, resolve_model
from causalx.values._tree import TreeUnsupportedError, extract_ensemble, tree_marginal_shapley
from causalx.values.games import _group_ids

__all__ = ["CausalExplainer"]

_VALUES = ("marginal", "conditional", "causal")
#: about this many model-evaluated rows are kept for the manifold diagnostics of an explanation
MANIFOLD_ROWS = 2000
_METHODS = ("auto", "exact", "permutation", "kernel")
_ALGORITHMS = ("auto", "tree", "blackbox")
_BACKENDS = ("local", "dask")
#: ``method="auto"`` computes exactly when the exact estimator needs at most this many coalitions
AUTO_EXACT_MAX_COALITIONS = 2**12


class CausalExplainer(BaseEstimator):
    """Shapley explanations of a model with the causal structure of its features built in.

    Parameters
    ----------
    model : estimator or callable
        A fitted model with ``predict``; or with ``predict_proba`` (pass ``output=``); or a
        callable ``f(X) -> (n,)``. Models fitted on DataFrames receive DataFrames.
    graph : CausalGraph or path
        The causal graph over the model's features (its nodes are the players), or the path
        of a YAML graph spec.
    value : {"causal", "conditional", "marginal"}, default "causal"
        What v(S) is: E[f(X) | do(X_S = x_S)] (Heskes et al. 2020); E[f(X) | X_S = x_S]
        (on the data manifold); or E over the marginal P(X_S̄) (interventional SHAP).
    sampler : {"gaussian", "mechanism"} or BaseSampler, default "gaussian"
        How conditional/interventional distributions are modelled (unused for marginal).
    asymmetric : bool, default False
        Average only over orderings consistent with the causal order (Frye et al. 2020).
    method : {"auto", "exact", "permutation", "kernel"}, default "auto"
        Estimator. ``auto`` is exact when at most 4096 coalitions are needed, else antithetic
        permutation sampling with a convergence rule (``tol``).
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
    max_evals : int, optional
        Most distinct coalitions a sampling estimator may evaluate.
    output : int or str, optional
        Class index/label of ``predict_proba`` (classifiers) or output column to explain.
    n_replicates : int, default 16
        Batch means per value used for the Monte Carlo standard error.
    n_jobs : int, default 1
        Worker processes for model evaluation (results do not depend on it); threads of the
        compiled kernel for ``algorithm="tree"``.
    algorithm : {"auto", "tree", "blackbox"}, default "auto"
        How marginal values are computed. ``"tree"``: exactly from the structure of a
        scikit-learn tree model (decision trees, random forests, extra trees, gradient
        boosting, HistGradientBoosting; see :mod:`causalx.values._tree`), with no model
        evaluations on hybrid rows; needs ``value="marginal"``, ``asymmetric=False`` and
        ``method`` "auto" or "exact". ``"blackbox"``: evaluate the model on hybrid rows with
        the estimator of ``method``. ``"auto"`` is ``"tree"`` when those conditions hold and the
        model and ``output`` are supported (classifiers: ``predict_proba`` of forests and trees;
        boosted classifiers only through a sigmoid/softmax, so black-box), else ``"blackbox"``.
        The tree values are exact for the (subsampled) background; their ``stderr`` is the
        spread of the background batch means, as for the black-box exact estimator.
    check_manifold : bool, default True
        Keep a strided sample of the rows the model is evaluated on (about 2000) and report in
        ``provenance["manifold"]`` the share that violates the graph's declared constraints and
        the share off the data manifold (k-nearest-neighbour distance beyond the 99th
        percentile of held-out data rows; see :func:`causalx.diagnostics.manifold_report`).
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
    graph_digest_ : str

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
        asymmetric: bool = False,
        method: str = "auto",
        n_samples: int = 1000,
        n_permutations: int | None = None,
        tol: float = 0.01,
        permutation_sampling: str = "antithetic",
        max_evals: int | None = None,
        output: int | str | None = None,
        n_replicates: int = 16,
        n_jobs: int = 1,
        algorithm: str = "auto",
        check_manifold: bool = True,
        backend: str = "local",
        random_state: int | np.random.Generator | None = 0,
    ):
        self.model = model
        self.graph = graph
        self.value = value
        self.sampler = sampler
        self.asymmetric = asymmetric
        self.method = method
        self.n_samples = n_samples
        self.n_permutations = n_permutations
        self.tol = tol
        self.permutation_sampling = permutation_sampling
        self.max_evals = max_evals
        self.output = output
        self.n_replicates = n_replicates
        self.n_jobs = n_jobs
        self.algorithm = algorithm
        self.check_manifold = check_manifold
        self.backend = backend
        self.random_state = random_state

    # ------------------------------------------------------------------ validation
    def _check_params(self) -> None:
        check_option("value", self.value, _VALUES)
        check_option("method", self.method, _METHODS)
        check_option("permutation_sampling", self.permutation_sampling, ("antithetic", "stratified"))
        check_option("algorithm", self.algorithm, _ALGORITHMS)
        check_option("backend", self.backend, _BACKENDS)
        if not isinstance(self.asymmetric, (bool, np.bool_)):
            raise TypeError(f"asymmetric must be True or False, got {self.asymmetric!r}.")
        check_interval("n_samples", self.n_samples, low=1, integer=True)
        check_interval("n_replicates", self.n_replicates, low=1, integer=True)
        check_interval("tol", self.tol, low=0, closed="neither")
        if self.n_permutations is not None:
            check_interval("n_permutations", self.n_permutations, low=1, integer=True)
        if self.max_evals is not None:
            check_interval("max_evals", self.max_evals, low=2, integer=True)
        if not isinstance(self.n_jobs, (int, np.integer)) or self.n_jobs == 0:
            raise ValueError(f"n_jobs must be a non-zero integer (-1 for all cores), got {self.n_jobs!r}.")
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

    def _seeds(self) -> tuple[np.random.SeedSequence, ...]:
        rs = self.random_state
        if isinstance(rs, np.random.Generator):
            seed = int(rs.integers(0, 2**63 - 1))
        elif rs is None:
            seed = None
        else:
            check_interval("random_state", rs, low=0, integer=True)
            seed = int(rs)
        return tuple(np.random.SeedSequence(seed).spawn(3))  # background, noise, orderings

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
        Xb = to_feature_array(X_background, names, what="X_background", target=graph.target, min_rows=2)
        seed_bg, _, _ = self._seeds()
        self.graph_ = graph
        self.graph_digest_ = graph.digest()
        self.feature_names_in_ = names
        self.n_features_in_ = len(names)
        self.model_ = resolve_model(self.model, names, self.output)
        self.model_(Xb[:2])  # fail now, with a clear message, if the model cannot predict these rows
        self.reference_data_ = Xb  # all background rows: the data manifold diagnostics compare with
        if self.value == "marginal":
            if self.n_samples < Xb.shape[0]:
                idx = np.sort(np.random.default_rng(seed_bg).choice(Xb.shape[0], self.n_samples, replace=False))
                Xb = Xb[idx]
            self.sampler_ = None
        else:
            sampler = clone(get_sampler(self.sampler))
            if isinstance(self.sampler, str) and "random_state" in sampler.get_params():
                seed = int(np.random.default_rng(seed_bg).integers(0, 2**31 - 1))
                sampler.set_params(random_state=seed)
            self.sampler_ = sampler.fit(Xb, graph=graph, feature_names=names)
            if self.value == "conditional" and not getattr(self.sampler_, "supports_conditional", True):
                raise ValueError(
                    f"sampler={type(self.sampler_).__name__} draws along the causal graph only and cannot "
                    "compute value='conditional'. Use sampler='gaussian', or value='causal'."
                )
        self.background_ = Xb
        self.order_ = self._partial_order(graph) if self.asymmetric else PartialOrder.symmetric(len(names))
        self.steps_ = self._steps(graph)
        needed = n_coalitions_needed(self.order_)
        if self.method == "auto":
            self.method_ = "exact" if needed <= AUTO_EXACT_MAX_COALITIONS else "permutation"
        else:
            self.method_ = self.method
        self.algorithm_, self._ensemble = self._resolve_algorithm(names)
        return self

    def _resolve_algorithm(self, names) -> tuple[str, Any]:
        """``("tree", TreeEnsemble)`` when the exact tree path applies, else ``("blackbox", None)``."""
        if self.algorithm == "blackbox":
            return "blackbox", None
        why = None
        if self.value != "marginal":
            why = f"value={self.value!r} (the tree path computes marginal values only)"
        elif self.asymmetric:
            why = "asymmetric=True (the tree path computes symmetric values only)"
        elif self.method not in ("auto", "exact"):
            why = f"method={self.method!r} (the tree path is exact; use method='auto' or 'exact')"
        else:
            try:
                kind, column = self.model_._kind, self.model_._column
                return "tree", extract_ensemble(self.model, names, kind=kind, column=column)
            except TreeUnsupportedError as exc:
                why = str(exc)
        if self.algorithm == "tree":
            raise ValueError(f"algorithm='tree' is not available: {why}. Use algorithm='auto' or 'blackbox'.")
        return "blackbox", None

    @staticmethod
    def _partial_order(graph: CausalGraph) -> PartialOrder:
        """Orderings consistent with the causal order: components in order, members free inside."""
        index = {name: i for i, name in enumerate(graph.nodes)}
        comps = graph.components()
        earlier: list[str] = []
        layered = True
        for comp in comps:
            if set(comp.parents) != set(earlier):
                layered = False
            earlier.extend(comp.nodes)
        if layered:
            return PartialOrder.from_layers([[index[v] for v in c.nodes] for c in comps])
        pairs = [(index[p], index[m]) for c in comps for p in c.parents for m in c.nodes]
        return PartialOrder.from_precedences(len(graph.nodes), pairs)

    @staticmethod
    def _steps(graph: CausalGraph) -> list[Step]:
        index = {name: i for i, name in enumerate(graph.nodes)}
        edges = set(graph.edges)
        return [
            Step(
                members=np.array([index[v] for v in c.nodes], dtype=int),
                parents=np.array(sorted(index[p] for p in c.parents), dtype=int),
                confounded=bool(c.confounded),
                inner=np.array([[(a, b) in edges for b in c.nodes] for a in c.nodes], dtype=bool),
            )
            for c in graph.components()
        ]

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "order_")

    # ------------------------------------------------------------------ explain
    def _game(self, X: np.ndarray) -> Game:
        _, seed_noise, _ = self._seeds()
        if self.value == "marginal":
            filler = MarginalFiller(self.background_)
        else:
            noise = self.sampler_.draw_noise(self.n_samples, np.random.default_rng(seed_noise))
            if self.value == "conditional":
                filler = ConditionalFiller(self.sampler_, noise, self.n_samples)
            else:
                filler = CausalFiller(self.sampler_, noise, self.n_samples, self.steps_)
        f = resolve_model(self.model, self.feature_names_in_, self.output)
        return Game(f, X, filler, n_replicates=self.n_replicates, n_jobs=self.n_jobs, backend=self.backend,
                    record=MANIFOLD_ROWS if self.check_manifold else 0)

    def explain(self, X, *, decompose: bool = False) -> Explanation:
        """Explain the model's predictions for the rows of ``X``.

        Parameters
        ----------
        X : DataFrame or ndarray of shape (n_samples, n_features)
            Rows to explain (the graph's target column, if present, is ignored).
        decompose : bool, default False
            Also split each value into a direct and an indirect part (DESIGN.md §6):
            ``direct + indirect == values``. Needs ``value="causal"`` (for ``"marginal"``
            the indirect part is zero by definition).

        Returns
        -------
        Explanation
            ``values``, ``base_values``, ``stderr`` and provenance; efficiency holds:
            ``values.sum(1) == output - base_values``.
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
        Xe = to_feature_array(X, self.feature_names_in_, what="X", target=self.graph_.target)
        _, _, seed_order = self._seeds()
        t0 = time.perf_counter()
        if self.algorithm_ == "tree":
            return self._explain_tree(Xe, decompose, t0)
        game = self._game(Xe)
        want_u = decompose and self.value == "causal"
        if self.method_ == "exact":
            plan = exact_plan(self.order_)
            v = game(plan.masks)
            u = game.transitions(plan.masks[plan.base], plan.player) if want_u else None
            res = apply_plan(plan, v, u=u)
        elif want_u:
            n_perm = self.n_permutations or 10 * self.n_features_in_
            plan = permutation_plan(self.order_, n_perm, np.random.default_rng(seed_order),
                                    sampling=self.permutation_sampling)
            v = game(plan.masks)
            res = apply_plan(plan, v, u=game.transitions(plan.masks[plan.base], plan.player))
        else:
            res = estimate_shapley(
                game,
                self.order_,
                method=self.method_,
                n_permutations=self.n_permutations if self.method_ == "permutation" else None,
                max_evals=self.max_evals,
                tol=self.tol,
                sampling=self.permutation_sampling,
                random_state=np.random.default_rng(seed_order),
            )
        direct = indirect = direct_se = indirect_se = None
        if want_u:
            direct, indirect = res.direct, res.indirect
            direct_se, indirect_se = res.direct_stderr, res.indirect_stderr
        elif decompose:  # marginal: everything is direct
            direct, indirect = res.values, np.zeros_like(res.values)
            direct_se, indirect_se = res.stderr, np.zeros_like(res.stderr)
        output = game._full()
        return Explanation(
            values=res.values,
            base_values=res.base_values,
            stderr=res.stderr,
            data=Xe,
            feature_names=self.feature_names_in_,
            output=output,
            direct=direct,
            indirect=indirect,
            direct_stderr=direct_se,
            indirect_stderr=indirect_se,
            provenance=dict(self._provenance(game, res, time.perf_counter() - t0),
                            manifold=self._manifold(game.recorded_rows)),
        )

    def _manifold(self, rows: np.ndarray) -> dict[str, Any] | None:
        """How many of the model-evaluated rows break a declared constraint or leave the data."""
        if not self.check_manifold or rows.shape[0] == 0:
            return None
        from causalx.diagnostics.manifold import manifold_report

        report = manifold_report(rows, self.reference_data_, feature_names=self.feature_names_in_,
                                 constraints=self.graph_.constraints, random_state=0)
        return report.to_dict()

    def _explain_tree(self, Xe: np.ndarray, decompose: bool, t0: float) -> Explanation:
        """Exact marginal values from the tree structure (``algorithm_ == "tree"``).

        The background rows are split into the same ``n_replicates`` groups as the black-box
        game; ``stderr`` is the spread of the per-group values over ``sqrt(n_replicates)``,
        exactly what the black-box exact estimator reports for the same rows.
        """
        from types import SimpleNamespace

        from causalx.shapley import ShapleyResult

        self._seeds()  # draw what the black-box path's game draws: a shared Generator advances the same way
        bg = self.background_
        n_bg = bg.shape[0]
        n_rep = int(max(1, min(self.n_replicates, n_bg)))
        groups = _group_ids(n_bg, n_rep)
        sums = tree_marginal_shapley(self._ensemble, Xe, bg, groups=groups, n_groups=n_rep, n_jobs=self.n_jobs)
        values = sums.sum(axis=1) / n_bg
        if n_rep > 1:
            means = sums / np.bincount(groups, minlength=n_rep)[None, :, None]
            stderr = means.std(axis=1, ddof=1) / np.sqrt(n_rep)
        else:
            stderr = np.zeros_like(values)
        f = resolve_model(self.model, self.feature_names_in_, self.output)
        output = f(Xe)
        base = np.full(Xe.shape[0], f(bg).mean())
        res = ShapleyResult(values=values, stderr=stderr, base_values=base, full_values=output,
                            method="tree", n_coalitions=0)
        info = SimpleNamespace(n_model_evals=f.n_evals, n_draws=n_bg, n_replicates=n_rep)
        provenance = self._provenance(info, res, time.perf_counter() - t0)
        provenance["explains"] = self._ensemble.explains
        # the tree path evaluates no rows, but its values are the ones of the hybrid rows
        # (x_S, z_S̄) the black-box path would evaluate: check a sample of those
        rng = np.random.default_rng(0)
        m = MANIFOLD_ROWS if self.check_manifold else 0
        # coalitions as the exact estimator visits them: uniform over the non-empty, non-full ones
        masks = rng.random((4 * m + 64, bg.shape[1])) < 0.5
        masks = masks[masks.any(1) & ~masks.all(1)][:m]
        m = masks.shape[0]
        hybrid = np.where(masks, Xe[rng.integers(0, Xe.shape[0], m)], bg[rng.integers(0, n_bg, m)])
        provenance["manifold"] = self._manifold(hybrid)
        return Explanation(
            values=values,
            base_values=base,
            stderr=stderr,
            data=Xe,
            feature_names=self.feature_names_in_,
            output=output,
            direct=values if decompose else None,
            indirect=np.zeros_like(values) if decompose else None,
            direct_stderr=stderr if decompose else None,
            indirect_stderr=np.zeros_like(values) if decompose else None,
            provenance=provenance,
        )

    def _provenance(self, game: Game, res, elapsed: float) -> dict[str, Any]:
        import sklearn

        from causalx._version import __version__

        sampler = "background" if self.sampler_ is None else (
            self.sampler if isinstance(self.sampler, str) else type(self.sampler_).__name__
        )
        return {
            "value": self.value,
            "sampler": sampler,
            "method": res.method,
            "asymmetric": bool(self.asymmetric),
            "n_model_evals": int(game.n_model_evals),
            "n_coalitions": int(res.n_coalitions),
            "n_orderings": None if res.n_orderings is None else int(res.n_orderings),
            "converged": res.converged,
            "n_samples": int(game.n_draws),
            "n_replicates": int(game.n_replicates),
            "random_state": self.random_state if not isinstance(self.random_state, np.random.Generator) else "Generator",
            "graph_digest": self.graph_digest_,
            "graph_name": self.graph_.name,
            "elapsed_s": float(elapsed),
            "versions": {"causalx": __version__, "numpy": np.__version__, "scikit-learn": sklearn.__version__},
        }
