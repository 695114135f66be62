"""Per-node conditional models of the mechanism sampler, chosen by held-out fit.

For a continuous node the candidates are regressors of the node on its parents (a linear model,
spline models, regularised gradient boosting with early stopping, k nearest neighbours); each is
scored by the continuous ranked probability score
(CRPS) of its *out-of-fold* predictive distribution ``g(x_pa) + eps`` with ``eps`` the empirical
out-of-fold residuals, and the best one is kept. A location-scale variant
``g(x_pa) + s(x_pa) * z`` (``s`` fitted to the absolute residuals, ``z`` the standardised
residuals) is kept instead when it improves the held-out CRPS (heteroscedastic noise).

The spline candidate comes in variants, each scored on its own (``"spline"``,
``"spline-quantile"``, ``"spline-varying"``, ``"spline-quantile-varying"`` in the scores): cubic
B-splines of each parent (ridge-penalised, the penalty by generalised cross-validation) with
knots spaced evenly over its range or placed at its quantiles, and as interactions either the
pairwise products of the parents or varying-coefficient terms ``x_a * s_ab(x_b)`` [3]_ (for 2 to
5 parents). Even knots suit a function that varies over the whole range of a skewed parent
(quantile knots leave its tail bare); quantile knots suit a function that is steep where the
data are dense; varying coefficients represent products such as ``A * cos(D)`` that an additive
model with products cannot.

For a discrete node (graph type ``binary``, ``categorical`` or ``ordinal``, values coded
``0..K-1``) the candidates are classifiers (multinomial logistic regression, gradient boosting)
scored by the out-of-fold log-loss; draws come from ``predict_proba`` by the inverse CDF of a
uniform number, so a drawn value is always one of the observed classes. The uniform number of a
background row is its randomised probability integral transform under the out-of-fold
probabilities: drawing it with the row's index keeps the joint law of confounded nodes.

Categorical parents enter the linear, spline and neighbour candidates one-hot, and gradient
boosting as native categorical features; binary and ordinal parents enter as their codes.

References
----------
.. [1] Gneiting, T. and Raftery, A. E. (2007). Strictly proper scoring rules, prediction, and
   estimation. JASA 102(477) (CRPS of an ensemble).
.. [2] Blöbaum, P. et al. (2024). DoWhy-GCM: an extension of DoWhy for causal inference in
   graphical causal models. JMLR 25(147) (automatic mechanism assignment).
.. [3] Hastie, T. and Tibshirani, R. (1993). Varying-coefficient models. JRSS B 55(4).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, clone

from causalx._options import MECHANISM_CANDIDATES

__all__ = ["CONTINUOUS_CANDIDATES", "DISCRETE_CANDIDATES", "DISCRETE_TYPES", "NodeModel", "crps_residuals",
           "fit_node_model"]

#: candidate regressors of a continuous node
CONTINUOUS_CANDIDATES = MECHANISM_CANDIDATES
#: candidate classifiers of a discrete node
DISCRETE_CANDIDATES = ("logistic", "boosting")
#: graph node types modelled by classifiers
DISCRETE_TYPES = ("binary", "categorical", "ordinal")

# below this many rows only the linear and spline candidates are tried (boosting and neighbours
# cannot learn much from fewer), and the location-scale variant is not tried
_SMALL_N = 100
# a location-scale model must lower the held-out CRPS by this fraction to be kept
_HETERO_GAIN = 0.02
# the variants of the spline candidate, each scored on its own: knots spaced evenly over each
# parent's range or at its quantiles (dense where the data are: a skewed or heavy-tailed parent),
# with pairwise products of the parents or with varying-coefficient terms x_a * s_ab(x_b)
# (products of a parent with a spline of another, e.g. A * cos(D)) as interactions
_SPLINE_VARIANTS = {
    "spline": ("uniform", False),
    "spline-quantile": ("quantile", False),
    "spline-varying": ("uniform", True),
    "spline-quantile-varying": ("quantile", True),
}
# varying-coefficient terms are tried for 2..._MAX_VARYING smooth parents
_MAX_VARYING = 5


@dataclass(eq=False)
class NodeModel:
    """The fitted conditional model of one node given a set of columns.

    Attributes
    ----------
    kind : {"continuous", "discrete"}
    choice : str
        The selected candidate (``"+scale"`` appended for a location-scale model).
    score : float
        Held-out CRPS (continuous) or log-loss (discrete) of the choice.
    scores : dict of str to float
        Held-out score of every candidate tried.
    baseline : float
        The same score without the parents (the node's marginal distribution).
    location : fitted estimator
        Regressor of the mean (continuous) or classifier (discrete).
    scale : fitted estimator or None
        Regressor of the absolute residual (location-scale models).
    classes : ndarray or None
        The observed values of a discrete node, in the order of ``predict_proba``.
    """

    kind: str
    choice: str
    score: float
    scores: dict[str, float]
    baseline: float
    location: Any
    scale: Any = None
    classes: np.ndarray | None = None
    _scale_floor: float = field(default=0.0, repr=False)

    @property
    def skill(self) -> float:
        """``1 - score / baseline``: the share of the marginal score the parents explain."""
        return float(1.0 - self.score / self.baseline) if self.baseline > 0 else 0.0

    def draw(self, xp: np.ndarray, eps: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
        """Values for parent rows ``xp`` (``shape[0] * shape[1]`` rows) and noise ``eps`` (``shape[1]``).

        ``eps`` is the residual (continuous), the standardised residual (location-scale) or the
        uniform number (discrete) of the background row each draw uses, shared by the explicands.
        """
        if self.kind == "discrete":
            proba = np.asarray(self.location.predict_proba(xp), dtype=float)
            cdf = np.cumsum(proba, axis=1)
            u = np.broadcast_to(eps[None, :], shape).reshape(-1)
            idx = (cdf < u[:, None]).sum(1)
            return self.classes[np.minimum(idx, self.classes.size - 1)].astype(float).reshape(shape)
        pred = np.asarray(self.location.predict(xp), dtype=float).reshape(shape)
        if self.scale is None:
            return pred + eps[None, :]
        s = self._scales(xp).reshape(shape)
        return pred + s * eps[None, :]

    def _scales(self, xp: np.ndarray) -> np.ndarray:
        return np.maximum(np.asarray(self.scale.predict(xp), dtype=float), self._scale_floor)

    def summary(self) -> dict[str, Any]:
        """JSON-ready record of the choice (for provenance and the report)."""
        return {
            "model": self.choice,
            "score": float(self.score),
            "metric": "crps" if self.kind == "continuous" else "log_loss",
            "baseline": float(self.baseline),
            "skill": self.skill,
            "scores": {k: float(v) for k, v in self.scores.items()},
        }


# ---------------------------------------------------------------------- scores


def crps_residuals(r: np.ndarray, pool: np.ndarray | None = None) -> np.ndarray:
    """CRPS of each residual ``r_i`` under the empirical distribution of ``pool`` (default ``r``).

    ``CRPS_i = mean_k |pool_k - r_i| - mean_{k,l} |pool_k - pool_l| / 2``, computed by sorting
    in ``O(n log n)``. A predictive law ``g(x) + eps`` scored at ``y`` has CRPS equal to that of
    ``eps`` at ``y - g(x)``.
    """
    r = np.asarray(r, dtype=float)
    e = np.sort(r if pool is None else np.asarray(pool, dtype=float))
    m = e.size
    csum = np.concatenate([[0.0], np.cumsum(e)])
    k = np.searchsorted(e, r, side="left")
    below = r * k - csum[k]
    above = (csum[m] - csum[k]) - r * (m - k)
    term1 = (below + above) / m
    i = np.arange(m)
    spread = 2.0 * np.sum((2 * i - m + 1) * e) / m**2  # mean |e_k - e_l|
    return term1 - spread / 2.0


def _log_loss(proba: np.ndarray, y_idx: np.ndarray) -> float:
    p = np.clip(proba[np.arange(y_idx.size), y_idx], 1e-12, 1.0)
    return float(-np.mean(np.log(p)))


# ---------------------------------------------------------------------- candidates


def _pairwise_products(Z):
    Z = np.asarray(Z, dtype=float)
    cols = [Z[:, a] * Z[:, b] for a in range(Z.shape[1]) for b in range(a + 1, Z.shape[1])]
    return np.column_stack(cols) if cols else np.zeros((Z.shape[0], 0))


class _VaryingCoefficients(TransformerMixin, BaseEstimator):
    """Features ``z_a * B_k(x_b)`` for every ordered pair ``a != b`` of columns.

    ``z_a`` is column ``a`` standardised and ``B_k`` the cubic B-spline basis of column ``b``:
    a ridge fit on them is a varying-coefficient model ``sum_ab z_a * s_ab(x_b)`` (Hastie and
    Tibshirani 1993), which holds the pairwise products ``z_a z_b`` and products of a parent with
    a smooth function of another.
    """

    def __init__(self, n_knots=5, knots="uniform"):
        self.n_knots = n_knots
        self.knots = knots

    def fit(self, X, y=None):
        from sklearn.preprocessing import SplineTransformer

        X = np.asarray(X, dtype=float)
        self.mean_ = X.mean(0)
        self.scale_ = np.where(X.std(0) > 0, X.std(0), 1.0)
        self.spline_ = SplineTransformer(n_knots=self.n_knots, degree=3, knots=self.knots,
                                         extrapolation="linear").fit(X)
        return self

    def transform(self, X):
        X = np.asarray(X, dtype=float)
        z = (X - self.mean_) / self.scale_
        d = X.shape[1]
        B = self.spline_.transform(X).reshape(X.shape[0], d, -1)
        cols = [z[:, a, None] * B[:, b, :] for a in range(d) for b in range(d) if a != b]
        return np.concatenate(cols, axis=1) if cols else np.zeros((X.shape[0], 0))


def _design(kind: str, types: list[str], n: int, knots: str = "uniform", varying: bool = False):
    """A ColumnTransformer for the linear / spline / knn candidates, or None (no transform)."""
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, SplineTransformer, StandardScaler

    cat = [i for i, t in enumerate(types) if t == "categorical"]
    num = [i for i, t in enumerate(types) if t != "categorical"]
    smooth = [i for i, t in enumerate(types) if t in ("continuous", "ordinal")]
    flat = [i for i, t in enumerate(types) if t == "binary"]
    parts = []
    if cat:
        parts.append(("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False), cat))
    if kind == "linear":
        if num:
            parts.append(("num", "passthrough", num))
    elif kind == "spline":
        n_knots = int(np.clip(n // 40, 3, 8))
        if smooth:
            parts.append(("spline", SplineTransformer(n_knots=n_knots, degree=3, knots=knots,
                                                      extrapolation="linear"), smooth))
        if flat:
            parts.append(("flat", "passthrough", flat))
        if varying and 2 <= len(smooth) <= _MAX_VARYING:
            parts.append(("varying", _VaryingCoefficients(n_knots=n_knots, knots=knots), smooth))
        elif 2 <= len(num) <= 8:
            parts.append(("products", make_pipeline(StandardScaler(), FunctionTransformer(_pairwise_products)), num))
    else:  # knn
        if num:
            parts.append(("num", StandardScaler(), num))
    if not parts:
        return None
    return ColumnTransformer(parts, remainder="drop")


def _candidate(name: str, types: list[str], n: int, seed: int, discrete: bool):
    from sklearn.pipeline import make_pipeline

    cat_mask = np.array([t == "categorical" for t in types], dtype=bool)
    if name == "boosting":
        from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

        cls = HistGradientBoostingClassifier if discrete else HistGradientBoostingRegressor
        return cls(max_iter=300, learning_rate=0.1, early_stopping=True, validation_fraction=0.15,
                   n_iter_no_change=15, min_samples_leaf=20, l2_regularization=1.0,
                   categorical_features=cat_mask if cat_mask.any() else None, random_state=seed)
    if name == "logistic":
        from sklearn.linear_model import LogisticRegression
        from sklearn.preprocessing import StandardScaler

        design = _design("spline", types, n)
        steps = [design] if design is not None else []
        return make_pipeline(*steps, StandardScaler(), LogisticRegression(C=1.0, max_iter=1000))
    design = _design(name if name in ("linear", "knn") else "spline", types, n)
    steps = [design] if design is not None else []
    if name == "linear":
        from sklearn.linear_model import LinearRegression

        return make_pipeline(*steps, LinearRegression())
    if name in _SPLINE_VARIANTS:
        from sklearn.linear_model import RidgeCV

        knots, varying = _SPLINE_VARIANTS[name]
        design = _design("spline", types, n, knots=knots, varying=varying)
        steps = [design] if design is not None else []
        return make_pipeline(*steps, RidgeCV(alphas=np.logspace(-3, 2, 6)))
    if name == "knn":
        from sklearn.neighbors import KNeighborsRegressor

        k = int(np.clip(round(np.sqrt(n) / 3), 5, 30))
        return make_pipeline(*steps, KNeighborsRegressor(n_neighbors=k))
    raise ValueError(f"unknown candidate {name!r}")  # pragma: no cover - names are checked by the sampler


def _folds(n: int, n_splits: int, seed: int, y_idx: np.ndarray | None = None):
    from sklearn.model_selection import KFold, StratifiedKFold

    if y_idx is not None and np.bincount(y_idx).min() >= n_splits:
        return StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return KFold(n_splits=n_splits, shuffle=True, random_state=seed)


def _oof(est, X, y, cv, method="predict"):
    from sklearn.model_selection import cross_val_predict

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # small folds: a class missing from a training fold
        return np.asarray(cross_val_predict(clone(est), X, y, cv=cv, method=method), dtype=float)


# ---------------------------------------------------------------------- fitting


def fit_node_model(Xp: np.ndarray, y: np.ndarray, *, types: list[str], discrete: bool, n_splits: int,
                   rng: np.random.Generator, regressor=None, candidates=None) -> tuple[NodeModel, np.ndarray]:
    """Select and fit the conditional model of ``y`` given ``Xp``; return it and the noise column.

    The noise column holds, per background row, the out-of-fold residual (continuous), the
    out-of-fold standardised residual (location-scale) or the randomised PIT value (discrete):
    what :meth:`NodeModel.draw` adds to a prediction.
    """
    n = y.shape[0]
    seed = int(rng.integers(2**31 - 1))
    if discrete:
        return _fit_discrete(Xp, y, types, n_splits, seed, rng, candidates)
    cv = _folds(n, n_splits, seed)
    baseline = float(crps_residuals(y - y.mean()).mean())
    if regressor is not None:
        est = clone(regressor)
        if "random_state" in est.get_params(deep=False):
            est.set_params(random_state=seed)
        names = {type(regressor).__name__: est}
    else:
        allowed = CONTINUOUS_CANDIDATES if candidates is None else tuple(candidates)
        if n < _SMALL_N:
            allowed = tuple(c for c in allowed if c in ("linear", "spline")) or ("linear",)
        names = {c: _candidate(c, types, n, seed, discrete=False) for c in allowed}
        if "spline" in names:
            smooth = sum(t in ("continuous", "ordinal") for t in types)
            for v in _SPLINE_VARIANTS:
                if v != "spline" and (not v.endswith("varying") or 2 <= smooth <= _MAX_VARYING):
                    names[v] = _candidate(v, types, n, seed, discrete=False)
    scores, resid = {}, {}
    for name, est in names.items():
        r = y - _oof(est, Xp, y, cv)
        resid[name] = r
        scores[name] = float(crps_residuals(r).mean())
    best = min(scores, key=scores.get)
    r = resid[best]
    location = names[best].fit(Xp, y)
    model = NodeModel("continuous", best, scores[best], scores, baseline, location)
    noise = r
    if regressor is None and n >= _SMALL_N:
        scale_est = _candidate("spline", types, n, seed + 1, discrete=False)  # smooth: |r| is noisy
        a = np.abs(r)
        floor = max(1e-3 * float(a.mean()), 1e-12)
        s = np.maximum(_oof(scale_est, Xp, a, cv), floor)
        z = r / s
        hetero = float(np.mean(s * crps_residuals(z)))
        scores[best + "+scale"] = hetero
        if hetero < (1.0 - _HETERO_GAIN) * scores[best]:
            model.scale = scale_est.fit(Xp, a)
            model._scale_floor = floor
            model.choice = best + "+scale"
            model.score = hetero
            noise = z
    return model, noise


def _fit_discrete(Xp, y, types, n_splits, seed, rng, candidates) -> tuple[NodeModel, np.ndarray]:
    classes, y_idx = np.unique(y, return_inverse=True)
    n = y.shape[0]
    freq = np.bincount(y_idx, minlength=classes.size) / n
    baseline = _log_loss(np.broadcast_to(freq, (n, classes.size)), y_idx)
    if classes.size == 1:  # a constant node: nothing to learn
        from sklearn.dummy import DummyClassifier

        est = DummyClassifier(strategy="prior").fit(Xp, y_idx)
        model = NodeModel("discrete", "constant", 0.0, {"constant": 0.0}, baseline, est, classes=classes)
        return model, rng.uniform(size=n)
    allowed = DISCRETE_CANDIDATES if candidates is None else tuple(c for c in candidates if c in DISCRETE_CANDIDATES)
    allowed = allowed or DISCRETE_CANDIDATES
    if n < _SMALL_N:
        allowed = ("logistic",)
    cv = _folds(n, n_splits, seed, y_idx)
    scores, probas, ests = {}, {}, {}
    for name in allowed:
        est = _candidate(name, types, n, seed, discrete=True)
        p = _oof(est, Xp, y_idx, cv, method="predict_proba")
        if p.shape[1] != classes.size:  # pragma: no cover - cross_val_predict pads missing classes
            continue
        p = np.clip(p, 1e-12, None)
        p /= p.sum(1, keepdims=True)
        ests[name], probas[name], scores[name] = est, p, _log_loss(p, y_idx)
    best = min(scores, key=scores.get)
    est = ests[best].fit(Xp, y_idx)
    p = probas[best]
    cdf_below = np.concatenate([np.zeros((n, 1)), np.cumsum(p, axis=1)[:, :-1]], axis=1)[np.arange(n), y_idx]
    u = cdf_below + rng.uniform(size=n) * p[np.arange(n), y_idx]
    return NodeModel("discrete", best, scores[best], scores, baseline, est, classes=classes), np.clip(u, 0.0, 1.0)
