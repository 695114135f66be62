"""Bootstrap uncertainty of Shapley explanations: background (and model) resampling.

Each replicate resamples the background rows with replacement (and, with ``refit``, refits the
model on the resampled rows and targets), refits a clone of the explainer with its own seed and
explains the same rows. By the law of total variance the spread of the replicates is the sum of
the estimator / Monte Carlo variance (what ``Explanation.stderr`` reports) and the variance due
to the finite background and model training data:

    total_stderr² = sd(replicates)²,  resampling_stderr² = max(total² − mc_stderr², 0).

Intervals are normal (``values ± z · total_stderr``) or percentile intervals of the replicates.
For ``value="marginal"`` the explainer's own stderr already measures the finite-background error
(it is the spread of batch means over background rows), so most of the spread shows up as
``mc_stderr`` there.

References
----------
.. [1] Efron, B., Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman & Hall.
.. [2] Molnar, C., et al. (2022). General pitfalls of model-agnostic interpretation methods for
   machine learning models. xxAI, LNAI 13200 (uncertainty of explanations).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from causalx.utils import check_interval, check_option, check_random_state
from causalx.utils.arrays import readonly_array

__all__ = ["BootstrapResult", "bootstrap_explanation"]




@dataclass(frozen=True, eq=False)
class BootstrapResult:
    """Bootstrap confidence intervals of Shapley values.

    Attributes
    ----------
    values : ndarray of shape (n, d)
        Point estimate (the explainer fitted on the full background).
    lower, upper : ndarray of shape (n, d)
        Confidence limits.
    mc_stderr : ndarray of shape (n, d)
        Estimator + Monte Carlo standard error (the point estimate's ``Explanation.stderr``).
    resampling_stderr : ndarray of shape (n, d)
        Standard error due to background (and, with ``refit``, model) resampling:
        ``sqrt(max(total² − mc², 0))``.
    total_stderr : ndarray of shape (n, d)
        Standard deviation of the bootstrap replicates.
    replicates : ndarray of shape (n_boot, n, d)
    confidence : float
    feature_names : tuple of str
    interval : str
    """

    values: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    mc_stderr: np.ndarray
    resampling_stderr: np.ndarray
    total_stderr: np.ndarray
    replicates: np.ndarray
    confidence: float
    feature_names: tuple[str, ...]
    interval: str

    def __post_init__(self):
        for name in ("values", "lower", "upper", "mc_stderr", "resampling_stderr", "total_stderr", "replicates"):
            object.__setattr__(self, name, readonly_array(getattr(self, name)))

    def to_frame(self):
        """Long table: row, feature, value, lower, upper, mc_stderr, resampling_stderr, total_stderr."""
        import pandas as pd

        n, d = self.values.shape
        return pd.DataFrame({
            "row": np.repeat(np.arange(n), d), "feature": np.tile(self.feature_names, n),
            "value": self.values.ravel(), "lower": self.lower.ravel(), "upper": self.upper.ravel(),
            "mc_stderr": self.mc_stderr.ravel(), "resampling_stderr": self.resampling_stderr.ravel(),
            "total_stderr": self.total_stderr.ravel(),
        })


def _take(obj, idx):
    if hasattr(obj, "iloc"):
        return obj.iloc[idx].reset_index(drop=True)
    return np.asarray(obj)[idx]


def _copy(explainer):
    """A fresh unfitted explainer with the same parameters; the model itself is shared, not
    cloned (sklearn's ``clone`` would return an unfitted copy of a fitted model)."""
    return type(explainer)(**explainer.get_params(deep=False))


def _refitted(explainer, X_bg, y, refit, idx, seed, threaded=False):
    """A copy of ``explainer`` fitted on the resampled rows ``idx`` (with a refitted model)."""
    est = _copy(explainer)
    # a replicate's values are all that is read: no off-manifold check (a kNN over the data per replicate)
    # (and no refits inside a replicate: the bootstrap itself refits the sampler)
    params: dict[str, Any] = {"random_state": seed, "check_manifold": False, "uncertainty": "mc"}
    if threaded:  # the replicates are the parallel units: no worker processes inside one
        params["n_jobs"] = 1
    Xb = _take(X_bg, idx)
    if refit is not None:
        params["model"] = refit(Xb, _take(y, idx))
    est.set_params(**params)
    return est.fit(Xb)


def _one(explainer, X_bg, y, X_explain, refit, idx, seed, threaded=False):
    with _one_openmp_thread(threaded):
        return np.asarray(_refitted(explainer, X_bg, y, refit, idx, seed, threaded).explain(X_explain).values)


def _one_openmp_thread(threaded: bool):
    """In a replicate run on a thread of its own: one OpenMP thread for the model's calls (an OpenMP
    limit is the calling thread's, so the caller's ``threadpool_limits`` does not reach it)."""
    import contextlib

    if not threaded:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(1, user_api="openmp")


def _run(fn, jobs, n_jobs: int, prefer: str) -> list:
    """``[fn(*args, threaded) for args in jobs]``, in ``n_jobs`` joblib workers (threads or processes)."""
    check_option("prefer", prefer, ("processes", "threads"))
    if n_jobs == 1 or len(jobs) < 2:
        return [fn(*args, False) for args in jobs]
    from joblib import Parallel, delayed

    threaded = prefer == "threads"
    return Parallel(n_jobs=n_jobs, prefer=prefer)(delayed(fn)(*args, threaded) for args in jobs)


def _one_effects(explainer, X_bg, y, refit, idx, seed, n_draws, settings, threaded=False):
    from causalx.explain._effects import interventional_effects

    with _one_openmp_thread(threaded):
        est = _refitted(explainer, X_bg, y, refit, idx, seed, threaded)
        return interventional_effects(est, n_draws=n_draws, settings=settings)


def bootstrap_effects(explainer, X_background, *, n_boot: int = 20, refit=None, y=None, n_draws: int = 4000,
                      random_state=None, n_jobs: int = 1, prefer: str = "processes"):
    """Signed effects whose standard errors include the resampling error (bootstrap refits).

    Each replicate resamples the background rows, refits the sampler (and the model, with
    ``refit``) and recomputes the effects at the point estimate's ``low``/``high`` settings; a
    reported standard error is ``sqrt(mc² + sd_boot²)`` with ``sd_boot`` the replicates'
    standard deviation less their own Monte Carlo part, as in :func:`bootstrap_explanation`.

    ``n_jobs`` and ``prefer`` run the replicates in parallel as in :func:`bootstrap_explanation`;
    the results do not depend on them.

    Returns
    -------
    EffectsResult
        ``provenance["n_boot"]`` records the number of replicates.
    """
    import dataclasses

    from causalx.explain._effects import interventional_effects

    check_interval("n_boot", n_boot, low=2, integer=True)
    if refit is not None and y is None:
        raise ValueError("refit needs the background targets: pass y=<array of length n_background>.")
    point = interventional_effects(explainer, n_draws=n_draws)
    rng = check_random_state(explainer.random_state if random_state is None else random_state)
    n_bg = len(X_background)
    parts = ("total", "direct", "indirect", "marginal")
    reps = {p: [] for p in parts}
    # the resamples and seeds are drawn as in bootstrap_explanation: with the same random_state both
    # use the same resamples (a memoising ``refit`` then fits each resample's model once)
    idxs = [rng.integers(0, n_bg, n_bg) for _ in range(n_boot)]
    seeds = [int(s) for s in rng.integers(0, 2**31 - 1, n_boot)]
    settings = [e.setting for e in point]
    jobs = [(explainer, X_background, y, refit, idx, seed, n_draws, settings) for idx, seed in zip(idxs, seeds)]
    for eff in _run(_one_effects, jobs, n_jobs, prefer):
        for p in parts:
            reps[p].append([getattr(e, p) for e in eff])
    out = []
    for j, e in enumerate(point):
        upd = {}
        for p in parts:
            sd = float(np.std(np.asarray(reps[p])[:, j], ddof=1))
            mc = getattr(e, f"{p}_stderr")
            upd[f"{p}_stderr"] = float(np.sqrt(max(sd**2, mc**2)))
        span = e.high - e.low
        upd["per_unit_stderr"] = upd["total_stderr"] / span if span > 0 else float("nan")
        out.append(dataclasses.replace(e, **upd))
    return dataclasses.replace(point, effects=tuple(out), provenance={**point.provenance, "n_boot": int(n_boot)})


def bootstrap_explanation(
    explainer,
    X_background,
    X_explain,
    *,
    n_boot: int = 50,
    refit: Callable[[Any, Any], Any] | None = None,
    y=None,
    confidence: float = 0.95,
    interval: str = "normal",
    random_state: int | np.random.Generator | None = None,
    n_jobs: int = 1,
    prefer: str = "processes",
    point=None,
) -> BootstrapResult:
    """Bootstrap confidence intervals for the Shapley values of ``X_explain``.

    Parameters
    ----------
    explainer : CausalExplainer
        An explainer (fitted or not); it is cloned for every replicate.
    X_background : DataFrame or ndarray of shape (n_background, n_features)
        The background data resampled with replacement.
    X_explain : DataFrame or ndarray of shape (n, n_features)
        Rows to explain (fixed across replicates).
    n_boot : int, default 50
    refit : callable ``refit(X_boot, y_boot) -> model``, optional
        Refit the model on each resample, to include model-training variability; needs ``y``.
    y : array-like of shape (n_background,), optional
        Targets of the background rows (for ``refit``).
    confidence : float, default 0.95
    interval : {"normal", "percentile"}, default "normal"
    random_state : int, Generator or None
        Seeds the resampling and each replicate's explainer (default: the explainer's own
        ``random_state``).
    n_jobs : int, default 1
        Parallel replicates (joblib); results do not depend on it.
    prefer : {"processes", "threads"}, default "processes"
        joblib's worker kind. ``"threads"`` shares ``refit`` (a memoising refit then keeps
        every fitted model in this process) and suits models that release the GIL while they
        predict (scikit-learn's tree ensembles do); each replicate then calls the model with one
        OpenMP thread and no worker processes of its own.
    point : Explanation, optional
        The explanation of ``X_explain`` by ``explainer`` fitted on ``X_background``, when it is
        already at hand (e.g. rows of a larger explanation with ``method="exact"``, whose values
        do not depend on the other rows explained): its values and standard errors are the point
        estimate instead of a fresh explanation. It must have one row per row of ``X_explain``.

    Returns
    -------
    BootstrapResult
    """
    from causalx.explain._explainer import CausalExplainer

    if not isinstance(explainer, CausalExplainer):
        raise TypeError(f"explainer must be a CausalExplainer, got {type(explainer).__name__}.")
    check_interval("n_boot", n_boot, low=2, integer=True)
    check_interval("confidence", confidence, low=0, high=1, closed="neither")
    check_option("interval", interval, ("normal", "percentile"))
    if refit is not None and y is None:
        raise ValueError("refit needs the background targets: pass y=<array of length n_background>.")
    if refit is not None and not callable(refit):
        raise TypeError(f"refit must be a callable refit(X_boot, y_boot) -> model, got {refit!r}.")
    n_bg = len(X_background)
    if y is not None and len(y) != n_bg:
        raise ValueError(f"y has {len(y)} values but X_background has {n_bg} rows.")
    if random_state is None:
        random_state = explainer.random_state if not isinstance(explainer.random_state, np.random.Generator) else None
    rng = check_random_state(random_state)
    if point is None:
        point = _copy(explainer).fit(X_background).explain(X_explain)
    elif np.shape(point.values)[0] != len(X_explain):
        raise ValueError(f"point explains {np.shape(point.values)[0]} rows but X_explain has {len(X_explain)}: pass "
                         "the explanation of exactly these rows (or point=None to compute it).")
    idxs = [rng.integers(0, n_bg, n_bg) for _ in range(n_boot)]
    seeds = [int(s) for s in rng.integers(0, 2**31 - 1, n_boot)]
    reps = _run(_one, [(explainer, X_background, y, X_explain, refit, i, s) for i, s in zip(idxs, seeds)],
                n_jobs, prefer)
    R = np.stack(reps)
    total = R.std(0, ddof=1)
    mc = np.asarray(point.stderr)
    resamp = np.sqrt(np.clip(total**2 - mc**2, 0, None))
    values = np.asarray(point.values)
    if interval == "normal":
        z = stats.norm.ppf(0.5 + confidence / 2)
        lower, upper = values - z * total, values + z * total
    else:
        q = (1 - confidence) / 2
        lower, upper = np.quantile(R, q, axis=0), np.quantile(R, 1 - q, axis=0)
    return BootstrapResult(values, lower, upper, mc, resamp, total, R, float(confidence),
                           tuple(point.feature_names), interval)
