"""The sampler's learning error in an explanation's standard errors (``uncertainty="refit"``)."""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["refit_uncertainty"]


def refit_uncertainty(explainer, Xe: np.ndarray, values, mc_stderr, split: dict, *, decompose: bool):
    """The sampler's learning error folded into the standard errors (``uncertainty="refit"``).

    The sampler is refitted on ``n_refits`` half-samples of the background (``n // 2`` rows
    drawn without replacement, so the cross-validation inside a learned sampler never sees a
    row twice) and the rows are explained again with each refit, with the same orderings.
    By the delete-d jackknife with ``d = n / 2`` [1]_ the variance of the half-sample values
    estimates the variance of the full-sample value, so

        learning² = max(sd(replicates)² − mean(replicate mc_stderr²), 0) · (t(0.975, K−1) / 1.96)²
                    + max((mean(replicates) − value)² − mc² − mean(replicate mc_stderr²) / K, 0)

    (the factor widens a normal interval to the t interval of ``K`` refits; the second term
    is the offset of the half-sample fits from the full fit, a sign of learning bias, less its
    Monte Carlo part) and ``stderr = sqrt(mc² + learning²)``; the same for the
    direct/indirect parts.

    Returns
    -------
    stderr : ndarray of shape (n, d)
    split : dict
        ``split`` with its ``direct_stderr`` / ``indirect_stderr`` widened the same way.
    summary : dict
        JSON-ready provenance: the kind, ``n_refits``, the scheme, and per entry the Monte
        Carlo and learning parts (``mc_stderr``, ``learning_stderr`` as nested lists).

    References
    ----------
    .. [1] Shao, J. and Wu, C. F. J. (1989). A general theory for jackknife variance
       estimation. Annals of Statistics 17(3).
    """
    import copy

    from sklearn.base import clone

    K = int(explainer.n_refits)
    rng = np.random.default_rng(explainer.seeds_.refits)
    X = explainer.background_
    n = X.shape[0]
    m = max(2, n // 2)
    parts = ("values", "direct", "indirect")
    reps: dict[str, list] = {p: [] for p in parts}
    reps_mc: dict[str, list] = {p: [] for p in parts}
    for _ in range(K):
        idx = np.sort(rng.choice(n, m, replace=False))
        seed = int(rng.integers(0, 2**31 - 1))
        sampler = clone(explainer.sampler_)
        if "random_state" in sampler.get_params(deep=False):
            sampler.set_params(random_state=seed)
        sampler.fit(X[idx], graph=explainer.graph_, feature_names=explainer.feature_names_in_)
        est = copy.copy(explainer)
        est.sampler_, est.uncertainty, est.check_manifold = sampler, "mc", False
        e = est.explain(Xe, decompose=decompose)
        for p, se in (("values", "stderr"), ("direct", "direct_stderr"), ("indirect", "indirect_stderr")):
            if getattr(e, p) is not None:
                reps[p].append(np.asarray(getattr(e, p)))
                reps_mc[p].append(np.asarray(getattr(e, se)))
    factor = float(stats.t.ppf(0.975, K - 1) / stats.norm.ppf(0.975))

    point = {"values": values, "direct": split.get("direct"), "indirect": split.get("indirect")}
    point_mc = {"values": np.asarray(mc_stderr, dtype=float), "direct": split.get("direct_stderr"),
                "indirect": split.get("indirect_stderr")}

    def learning(p):
        R, S = np.stack(reps[p]), np.stack(reps_mc[p])
        var = factor**2 * np.clip(R.var(0, ddof=1) - (S**2).mean(0), 0, None)
        # the half-sample fits are further from the truth than the full fit when the learning is
        # biased; their mean's offset from the point value (less its Monte Carlo part) bounds that
        off = (R.mean(0) - np.asarray(point[p])) ** 2 - np.asarray(point_mc[p]) ** 2 - (S**2).mean(0) / K
        return np.sqrt(var + np.clip(off, 0, None))

    mc = point_mc["values"]
    learn = learning("values")
    stderr = np.sqrt(mc**2 + learn**2)
    split = dict(split)
    for p in ("direct", "indirect"):
        if reps[p] and split.get(f"{p}_stderr") is not None:
            split[f"{p}_stderr"] = np.sqrt(np.asarray(split[f"{p}_stderr"]) ** 2 + learning(p) ** 2)
    summary = {
        "kind": "refit",
        "n_refits": K,
        "scheme": f"half-samples ({m} of {n} background rows, without replacement)",
        "t_factor": factor,
        "mean_mc_stderr": float(mc.mean()),
        "mean_learning_stderr": float(learn.mean()),
        "mc_stderr": mc.tolist(),
        "learning_stderr": learn.tolist(),
    }
    return stderr, split, summary
