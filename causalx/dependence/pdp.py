"""Partial dependence (PDP) and individual conditional expectation (ICE), plain and interventional.

The plain (``kind="marginal"``) PDP of feature j is PD_j(v) = (1/n) Σ_i f(v, x_i,−j): the other
features keep their observed values (Friedman 2001); ICE keeps the per-row curves (Goldstein et
al. 2015). The *interventional* PDP is E[f(X) | do(X_j = v)]: setting X_j changes its causal
descendants, which are re-sampled from a fitted causal sampler along the graph's chain components
(the convention of the causal value function, Heskes et al. 2020), while non-descendants keep
their observed values. For a feature without descendants both are identical.

Computation is brute force but batched: the rows of a chunk of grid values × explained rows
(× draws) are built as one array and the model is called once per chunk, sized from
``config_context(max_batch_bytes=...)``.

References
----------
.. [1] Friedman, J. H. (2001). Greedy function approximation: a gradient boosting machine.
   Ann. Statist. 29(5).
.. [2] Goldstein, A., Kapelner, A., Bleich, J., Pitkin, E. (2015). Peeking inside the black box:
   visualizing statistical learning with plots of individual conditional expectation. JCGS 24(1).
.. [3] Zhao, Q., Hastie, T. (2021). Causal interpretations of black-box models. JBES 39(1).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from causalx.dependence._common import as_array, chunk_size, feature_index
from causalx.dependence._results import DependenceResult
from causalx.graph import CausalGraph
from causalx.utils import check_interval, check_option, check_random_state
from causalx.values import resolve_model

__all__ = ["ice", "make_grid", "partial_dependence"]


def make_grid(x: np.ndarray, grid_resolution: int = 20, percentiles: tuple[float, float] = (0.05, 0.95)) -> np.ndarray:
    """Grid of a feature: its unique values when fewer than ``grid_resolution``, else equally
    spaced between the given percentiles.

    Examples
    --------
    >>> make_grid(np.array([0.0, 1.0, 1.0, 0.0])).tolist()
    [0.0, 1.0]
    >>> make_grid(np.arange(101.0), 3, (0.0, 1.0)).tolist()
    [0.0, 50.0, 100.0]
    """
    check_interval("grid_resolution", grid_resolution, low=2, integer=True)
    lo, hi = percentiles
    if not 0 <= lo < hi <= 1:
        raise ValueError(f"percentiles={percentiles!r} must satisfy 0 <= low < high <= 1, e.g. (0.05, 0.95).")
    u = np.unique(x)
    if u.size <= grid_resolution:
        return u.astype(float)
    a, b = np.quantile(x, [lo, hi])
    return np.linspace(a, b, grid_resolution)


def _resolve_sampler(sampler, X, graph, names):
    from causalx.samplers import BaseSampler, get_sampler

    s = get_sampler(sampler)
    if isinstance(sampler, BaseSampler) and hasattr(sampler, "n_features_in_"):
        if sampler.n_features_in_ != len(names):
            raise ValueError(
                f"sampler was fitted on {sampler.n_features_in_} features, but the graph has {len(names)}."
            )
        return sampler
    from sklearn.base import clone

    return clone(s).fit(X, graph=graph, feature_names=names)


def partial_dependence(
    model,
    X,
    feature,
    *,
    kind: str = "marginal",
    graph: CausalGraph | None = None,
    sampler="gaussian",
    grid: Sequence[float] | None = None,
    grid_resolution: int = 20,
    percentiles: tuple[float, float] = (0.05, 0.95),
    individual: bool = False,
    n_draws: int = 50,
    feature_names: Sequence[str] | None = None,
    output: int | str | None = None,
    random_state: int | np.random.Generator | None = 0,
) -> DependenceResult:
    """Partial dependence of the model on one feature (optionally with ICE curves).

    Parameters
    ----------
    model : fitted estimator or callable
    X : DataFrame or ndarray of shape (n_samples, n_features)
        Rows to average over (and to draw ICE curves for).
    feature : str or int
    kind : {"marginal", "interventional"}, default "marginal"
        ``interventional`` needs ``graph`` and re-samples the feature's descendants.
    graph : CausalGraph, optional
        Required for ``kind="interventional"``; its nodes give the column order.
    sampler : {"gaussian", "mechanism"} or BaseSampler, default "gaussian"
        The causal sampler (a fitted instance is used as is, otherwise fitted on ``X``).
    grid : sequence of float, optional
        Values to set the feature to; default from :func:`make_grid`.
    grid_resolution : int, default 20
    percentiles : (float, float), default (0.05, 0.95)
    individual : bool, default False
        Keep the ICE curves.
    n_draws : int, default 50
        Draws of the descendants per row and grid value (interventional only).
    feature_names : sequence of str, optional
        Column names for an array ``X`` (ignored when ``graph`` is given).
    output : int or str, optional
        Class of a ``predict_proba`` model.
    random_state : int, Generator or None, default 0

    Returns
    -------
    DependenceResult

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(100, 2))
    >>> pd_ = partial_dependence(lambda Z: Z[:, 0] ** 2 + Z[:, 1], X, 0, grid=[0.0, 1.0, 2.0])
    >>> bool(np.allclose(pd_.average - pd_.average[0], [0.0, 1.0, 4.0]))
    True
    """
    check_option("kind", kind, ("marginal", "interventional"))
    check_interval("n_draws", n_draws, low=1, integer=True)
    if kind == "interventional" and graph is None:
        raise ValueError(
            "kind='interventional' needs the causal graph: pass graph=CausalGraph(...) so that "
            "the feature's descendants can be re-sampled (or use kind='marginal')."
        )
    names_in = graph.nodes if graph is not None else feature_names
    Xa, names = as_array(X, names_in)
    j = feature_index(feature, names)
    f = resolve_model(model, names, output)
    g = make_grid(Xa[:, j], grid_resolution, percentiles) if grid is None else np.asarray(grid, dtype=float).ravel()
    if g.size == 0 or not np.all(np.isfinite(g)):
        raise ValueError("grid must hold at least one finite value.")
    n, d = Xa.shape
    desc: tuple[str, ...] = ()
    if kind == "interventional":
        desc = tuple(graph.descendants(names[j]))
    if not desc:
        per = chunk_size(8 * d, n)
        ice_ = np.empty((n, g.size))
        for s in range(0, g.size, per):
            gc = g[s:s + per]
            rows = np.broadcast_to(Xa, (gc.size, n, d)).copy()
            rows[:, :, j] = gc[:, None]
            ice_[:, s:s + per] = f(rows.reshape(-1, d)).reshape(gc.size, n).T
    else:
        ice_ = _interventional(f, Xa, j, g, graph, names, sampler, n_draws, check_random_state(random_state))
    return DependenceResult(
        feature=names[j], grid=g, average=ice_.mean(0), individual=ice_ if individual else None,
        kind=kind, feature_names=names, descendants=desc,
    )


def _interventional(f, Xa, j, g, graph, names, sampler, K, rng) -> np.ndarray:
    n, d = Xa.shape
    smp = _resolve_sampler(sampler, Xa, graph, names)
    noise = smp.draw_noise(K, rng)
    index = {v: i for i, v in enumerate(names)}
    desc = set(graph.descendants(names[j]))
    steps = []
    for comp in graph.components():  # topological order
        target = [index[v] for v in comp.nodes if v in desc]
        if not target:
            continue
        present = [index[v] for v in comp.nodes if v not in desc]
        given = [index[p] for p in comp.parents] + ([] if comp.confounded else present)
        steps.append((np.array(sorted(target)), np.array(sorted(given), dtype=int)))
    per = chunk_size(8 * d, n * K)
    ice_ = np.empty((n, g.size))
    for s in range(0, g.size, per):
        gc = g[s:s + per]
        rows = np.broadcast_to(Xa[None, :, None, :], (gc.size, n, K, d)).copy()
        rows[..., j] = gc[:, None, None]
        rows = rows.reshape(gc.size * n, K, d)
        for target, given in steps:
            smp.sample_into(rows, target, given, noise)
        ice_[:, s:s + per] = f(rows.reshape(-1, d)).reshape(gc.size, n, K).mean(2).T
    return ice_


def ice(model, X, feature, **kwargs) -> DependenceResult:
    """ICE curves: :func:`partial_dependence` with ``individual=True``.

    Examples
    --------
    >>> X = np.array([[0.0, 1.0], [1.0, 2.0]])
    >>> ice(lambda Z: Z[:, 0] * Z[:, 1], X, 0, grid=[0.0, 1.0]).individual.tolist()
    [[0.0, 1.0], [0.0, 2.0]]
    """
    kwargs["individual"] = True
    return partial_dependence(model, X, feature, **kwargs)
