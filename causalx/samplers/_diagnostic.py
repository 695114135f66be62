"""Held-out conditional fit of a sampler, per mask: the sampler diagnostic of ``provenance``.

For a handful of representative masks (each feature given all the others, and each feature
given its graph parents only), the fitted sampler draws the feature for held-out rows; the
draws are scored against the true held-out values with the CRPS (continuous, ordinal and
binary features: for a 0/1 feature the CRPS is the Brier score) or the Brier score of the
class frequencies (categorical), next to the same score of the feature's marginal
distribution in the training rows. ``skill = 1 - score / marginal score``: 0 means the
conditioning does not help, negative means the sampler's conditional is worse than ignoring
the conditioning altogether.
"""

from __future__ import annotations

import numpy as np

__all__ = ["CONDITIONAL_FIT_DRAWS", "CONDITIONAL_FIT_ROWS", "conditional_fit", "crps_draws", "crps_empirical"]

#: held-out rows scored (a seeded subsample beyond this)
CONDITIONAL_FIT_ROWS = 500
#: draws per held-out row and mask
CONDITIONAL_FIT_DRAWS = 64
#: held-out rows per noise set
CONDITIONAL_FIT_BATCH = 25
#: features with masks (the first ones in column order beyond this)
CONDITIONAL_FIT_FEATURES = 30


def crps_draws(draws: np.ndarray, y: np.ndarray) -> np.ndarray:
    """CRPS of the distribution sampled by ``draws`` (n, m) at the values ``y`` (n,).

    The unbiased ("fair") estimator ``mean_i |x_i - y| - sum_{i<j} |x_i - x_j| / (m (m - 1))``
    of ``E|X - y| - E|X - X'| / 2`` (Gneiting and Raftery 2007, Eq. 20), with the pair sum
    from the sorted draws: ``sum_{i<j} |x_i - x_j| = sum_k x_(k) (2k - m - 1)``.
    """
    draws = np.asarray(draws, dtype=float)
    n, m = draws.shape
    first = np.abs(draws - y[:, None]).mean(axis=1)
    if m < 2:
        return first
    s = np.sort(draws, axis=1)
    pairs = s @ (2.0 * np.arange(1, m + 1) - m - 1)
    return first - pairs / (m * (m - 1))


def crps_empirical(values: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Exact CRPS of the empirical distribution of ``values`` (n_ref,) at each of ``y`` (n,)."""
    s = np.sort(np.asarray(values, dtype=float))
    n = s.size
    c = np.concatenate([[0.0], np.cumsum(s)])
    k = np.searchsorted(s, y, side="right")
    mean_abs = (y * k - c[k] + (c[n] - c[k]) - y * (n - k)) / n
    half_spread = (s @ (2.0 * np.arange(1, n + 1) - n - 1)) / n**2
    return mean_abs - half_spread


def _brier(draws: np.ndarray, y: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Brier score sum_c (p_c - 1[y = c])^2 of the class frequencies of ``draws`` (n, m)."""
    p = (draws[:, :, None] == levels[None, None, :]).mean(axis=1)
    return ((p - (y[:, None] == levels[None, :])) ** 2).sum(axis=1)


def _brier_marginal(values: np.ndarray, y: np.ndarray, levels: np.ndarray) -> np.ndarray:
    p = (values[:, None] == levels[None, :]).mean(axis=0)
    return ((p[None, :] - (y[:, None] == levels[None, :])) ** 2).sum(axis=1)


def _masks(d: int, names, graph) -> list[tuple[int, np.ndarray, str]]:
    """(target, given, kind) for each feature: given all others, then given its parents."""
    out = []
    index = {n: j for j, n in enumerate(names)} if names is not None else {}
    for j in range(min(d, CONDITIONAL_FIT_FEATURES)):
        others = np.array([g for g in range(d) if g != j], dtype=np.int64)
        if others.size:
            out.append((j, others, "all others"))
        if graph is None or names is None or not hasattr(graph, "parents") or names[j] not in set(graph.nodes):
            continue
        parents = [index[p] for p in graph.parents(names[j]) if p in index]
        if parents and len(parents) < others.size:
            out.append((j, np.array(sorted(parents), dtype=np.int64), "parents"))
    return out


def conditional_fit(sampler, X_test: np.ndarray, X_train: np.ndarray, *, name: str, holdout: str,
                    graph=None, types=None, random_state=0) -> dict | None:
    """Score the fitted ``sampler``'s conditionals on held-out rows, mask by mask.

    Parameters
    ----------
    sampler : BaseSampler
        Fitted on rows that exclude ``X_test``.
    X_test : ndarray of shape (n_test, n_features)
        Held-out rows (a seeded subsample of ``CONDITIONAL_FIT_ROWS`` beyond that).
    X_train : ndarray of shape (n_train, n_features)
        The rows the sampler learned from: the marginal baseline.
    name : str
        The sampler's name in the record (``"gaussian"``, ``"vae"``).
    holdout : str
        How the held-out rows were obtained (recorded as is).
    graph : CausalGraph, optional
        Supplies the "given its parents" masks.
    types : sequence of str, optional
        Feature types; ``"categorical"`` features get the Brier score, the others the CRPS.
    random_state : int, default 0
        Seeds the subsample and the draws.

    Returns
    -------
    dict or None
        ``{"sampler", "kind": "conditional fit", "holdout", "n_test", "n_draws", "baseline",
        "masks": [...], "mean_skill", "min_skill"}``, one entry per mask with ``target``, ``given`` (the
        conditioning features), ``kind`` (``"all others"`` or ``"parents"``), ``metric``,
        ``score``, ``baseline`` (the marginal's score) and ``skill``; ``None`` with fewer than
        two held-out rows.
    """
    if X_test.shape[0] < 2 or X_train.shape[0] < 2:
        return None
    rng = np.random.default_rng(random_state)
    if X_test.shape[0] > CONDITIONAL_FIT_ROWS:
        X_test = X_test[np.sort(rng.choice(X_test.shape[0], CONDITIONAL_FIT_ROWS, replace=False))]
    n, d = X_test.shape
    names = sampler.feature_names_in_
    label = list(names) if names is not None else [f"x{j}" for j in range(d)]
    types = list(types) if types is not None else ["continuous"] * d
    k = CONDITIONAL_FIT_DRAWS
    # a fresh noise set per batch of rows: with one set for all rows (the common random numbers
    # of an explanation) its sampling error would be shared by every row and not average out
    batches = np.array_split(np.arange(n), max(1, -(-n // CONDITIONAL_FIT_BATCH)))
    noises = [sampler.draw_noise(k, rng) for _ in batches]
    rows = np.empty((n, k, d))
    entries = []
    for j, given, kind in _masks(d, names, graph):
        rows[:] = X_test[:, None, :]
        for b, noise in zip(batches, noises):
            part = rows[b[0] : b[-1] + 1]
            sampler.sample_into(part, np.array([j]), given, noise)
        draws, y = rows[:, :, j], X_test[:, j]
        if types[j] == "categorical":
            levels = np.unique(np.concatenate([X_train[:, j], y]))
            metric, score = "Brier", _brier(draws, y, levels).mean()
            base = _brier_marginal(X_train[:, j], y, levels).mean()
        else:
            metric, score, base = "CRPS", crps_draws(draws, y).mean(), crps_empirical(X_train[:, j], y).mean()
        entries.append({
            "target": label[j], "given": [label[g] for g in given.tolist()], "kind": kind, "metric": metric,
            "score": float(score), "baseline": float(base),
            "skill": float(1.0 - score / base) if base > 0 else None,
        })
    skills = [e["skill"] for e in entries if e["skill"] is not None]
    return {
        "sampler": name, "kind": "conditional fit", "holdout": holdout,
        "n_test": int(n), "n_draws": int(k), "baseline": "marginal of the training rows",
        "masks": entries,
        "mean_skill": float(np.mean(skills)) if skills else None,
        "min_skill": float(np.min(skills)) if skills else None,
    }
