"""Are the rows a model was evaluated on physically possible and on the data manifold?

Shapley-value methods evaluate the model on synthetic rows (the explained row's values for a
coalition, filled in for the rest). Marginal (interventional) SHAP fills them in independently
of the known values and can produce impossible combinations (a LUMO below the HOMO, a
volume that is not the cube of a length). :func:`manifold_report` measures, for any set of
such rows, the share that violate the declared constraints and the share that fall outside
the support of the data, by a density score calibrated on held-out data rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from causalx.exceptions import DataValidationError
from causalx.utils import check_data, check_interval, check_random_state

__all__ = ["ManifoldReport", "constraint_violations", "manifold_report"]

_SCORES = ("knn", "vae")


@dataclass(frozen=True)
class ManifoldReport:
    """How many model-evaluated rows are impossible or off the data manifold.

    Attributes
    ----------
    n_rows : int
        Number of rows assessed.
    constraint_violation_share : float
        Share of rows that violate at least one constraint (``0.0`` without constraints).
    constraint_shares : dict of str to float
        Share of rows violating each constraint, keyed by the constraint's text.
    off_manifold_share : float
        Share of rows whose off-manifold score exceeds ``threshold``.
    threshold : float
        The ``quantile`` of the held-out data rows' scores: about ``1 - quantile`` of real data
        rows are "off" by construction.
    method : str
        ``"knn"`` (mean distance to the ``k`` nearest data rows, standardised features) or
        ``"vae"`` (negative VAE log-density).
    quantile : float
        Quantile of the held-out scores used as the threshold.
    scores : ndarray of shape (n_rows,)
        Off-manifold score of each row (higher: further from the data).
    off_manifold : ndarray of shape (n_rows,), bool
        ``scores > threshold``.
    violates : ndarray of shape (n_rows,), bool
        Whether each row violates at least one constraint.
    """

    n_rows: int
    constraint_violation_share: float
    constraint_shares: dict
    off_manifold_share: float
    threshold: float
    method: str
    quantile: float = 0.99
    scores: np.ndarray = field(default=None, repr=False, compare=False)
    off_manifold: np.ndarray = field(default=None, repr=False, compare=False)
    violates: np.ndarray = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict:
        """The summary numbers (no per-row arrays), e.g. for an Explanation's provenance."""
        out = asdict(self)
        for key in ("scores", "off_manifold", "violates"):
            out.pop(key)
        out["constraint_shares"] = dict(self.constraint_shares)
        return out


def constraint_violations(rows, *, feature_names: Sequence[str], constraints=()) -> dict[str, np.ndarray]:
    """Which rows violate each constraint.

    Parameters
    ----------
    rows : array-like of shape (..., n_features)
        Rows to check; leading dimensions are flattened.
    feature_names : sequence of str of length n_features
        Column names, as used in the constraints.
    constraints : sequence of str or Constraint, default=()
        E.g. ``["LUMO > HOMO", "V >= 0"]`` or a graph's ``constraints``.

    Returns
    -------
    dict of str to ndarray of shape (n_rows,), bool
        ``True`` where the row violates the constraint, keyed by the constraint's text.

    Examples
    --------
    >>> import numpy as np
    >>> rows = np.array([[-6.0, -4.0], [-5.0, -5.5]])
    >>> constraint_violations(rows, feature_names=["HOMO", "LUMO"], constraints=["LUMO > HOMO"])
    {'LUMO > HOMO': array([False,  True])}
    """
    names = [str(f) for f in feature_names]
    X = _as_rows(rows, names, "rows")
    return {c.text: ~c.evaluate(X, names) for c in _parse_constraints(constraints, names)}


def manifold_report(
    rows,
    X_data,
    *,
    feature_names: Sequence[str],
    constraints=(),
    score="knn",
    k: int = 5,
    quantile: float = 0.99,
    holdout: float = 0.25,
    random_state=None,
) -> ManifoldReport:
    """Share of rows that violate constraints or lie off the data manifold.

    The data are split at random into a reference part and a held-out part. A row's score is
    its distance to the reference data: by default the mean Euclidean distance to its ``k``
    nearest reference rows after standardising each feature with the data's mean and standard
    deviation. The threshold is the ``quantile`` of the held-out rows' scores, so about
    ``1 - quantile`` (1 %) of real data rows count as off-manifold by construction; model
    inputs built by a sampler that respects the data distribution should score about the same.

    Parameters
    ----------
    rows : array-like of shape (..., n_features)
        The rows the model was evaluated on (or a subsample); leading dimensions (e.g.
        ``(n_explicands, n_draws)``) are flattened.
    X_data : array-like of shape (n_samples, n_features)
        The data that define the manifold (the background data), at least ``k + 2`` rows.
    feature_names : sequence of str of length n_features
        Column names, as used in ``constraints``.
    constraints : sequence of str or Constraint, default=()
        Declared constraints (e.g. ``graph.constraints``), checked on every row.
    score : {"knn", "vae"} or fitted VAESampler, default="knn"
        ``"knn"``: k-nearest-neighbour distance. ``"vae"``: negative log-density of a
        :class:`~causalx.samplers.VAESampler` fitted here to the reference part (slower). A
        fitted ``VAESampler`` is used as is (if it was trained on all of ``X_data`` the
        held-out calibration is optimistic).
    k : int, default=5
        Neighbours for ``"knn"``.
    quantile : float in (0, 1), default=0.99
        Held-out quantile used as the threshold.
    holdout : float in (0, 1), default=0.25
        Share of ``X_data`` held out to calibrate the threshold.
    random_state : int, numpy.random.Generator or None
        Seeds the split (and the VAE).

    Returns
    -------
    ManifoldReport

    See Also
    --------
    constraint_violations : the per-constraint violation masks.

    References
    ----------
    .. [1] Frye, C., de Mijolla, D., Begley, T., Cowton, L., Stanley, M. and Feige, I. (2021).
       Shapley explainability on the data manifold. ICLR.
    .. [2] Hooker, G., Mentch, L. and Zhou, S. (2021). Unrestricted permutation forces
       extrapolation: variable importance requires at least one more model, or there is no
       free variable importance. Statistics and Computing 31, 82.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> a = rng.uniform(-1, 1, 1000)
    >>> X = np.column_stack([a, a**3 + 0.01 * rng.normal(size=1000)])
    >>> marginal = np.column_stack([X[:200, 0], rng.permutation(X[:, 1])[:200]])
    >>> rep = manifold_report(marginal, X, feature_names=["a", "V"], random_state=0)
    >>> bool(rep.off_manifold_share > 0.3)
    True
    >>> manifold_report(X[:200], X, feature_names=["a", "V"], random_state=0).off_manifold_share < 0.05
    True
    """
    names = [str(f) for f in feature_names]
    d = len(names)
    R = _as_rows(rows, names, "rows")
    D = check_data(X_data, names, what="X_data")[0]
    check_interval("k", k, low=1, integer=True)
    check_interval("quantile", quantile, low=0.0, high=1.0, closed="neither")
    check_interval("holdout", holdout, low=0.0, high=1.0, closed="neither")
    n = D.shape[0]
    n_hold = int(round(float(holdout) * n))
    if n_hold < 1 or n - n_hold < int(k) + 1:
        raise DataValidationError(
            f"X_data has {n} rows: too few to hold out {holdout:.0%} and keep k+1={int(k) + 1} "
            "reference rows; pass more data, a smaller k or a different holdout."
        )
    rng = check_random_state(random_state)
    perm = rng.permutation(n)
    hold, ref = D[perm[:n_hold]], D[perm[n_hold:]]

    if isinstance(score, str):
        from causalx.utils import check_option

        check_option("score", score, _SCORES)
        if score == "knn":
            method = "knn"
            score_fn = _knn_scorer(ref, D, int(k))
        else:
            from causalx.samplers.vae import VAESampler

            method = "vae"
            vae = VAESampler(random_state=int(rng.integers(2**31 - 1))).fit(ref, feature_names=names)
            score_fn = _vae_scorer(vae)
    else:
        from causalx.samplers.vae import VAESampler

        if not isinstance(score, VAESampler):
            raise TypeError(
                f"score must be 'knn', 'vae' or a fitted VAESampler, got {score!r} of type "
                f"{type(score).__name__}."
            )
        if getattr(score, "n_features_in_", None) != d:
            raise ValueError(
                f"score is a VAESampler fitted on {getattr(score, 'n_features_in_', 'no')} features; "
                f"the rows have {d}. Fit it on X_data first."
            )
        method = "vae"
        score_fn = _vae_scorer(score)

    threshold = float(np.quantile(score_fn(hold), float(quantile)))
    scores = np.full(R.shape[0], np.inf)  # a non-finite row is off the manifold
    finite = np.all(np.isfinite(R), axis=1)
    if finite.any():
        scores[finite] = score_fn(R[finite])
    off = scores > threshold

    viol = {c.text: ~c.evaluate(R, names) for c in _parse_constraints(constraints, names)} if R.shape[0] else {}
    any_viol = np.zeros(R.shape[0], dtype=bool)
    for v in viol.values():
        any_viol |= v
    share = (lambda m: float(m.mean()) if m.size else 0.0)
    return ManifoldReport(
        n_rows=int(R.shape[0]),
        constraint_violation_share=share(any_viol),
        constraint_shares={t: share(v) for t, v in viol.items()},
        off_manifold_share=share(off),
        threshold=threshold,
        method=method,
        quantile=float(quantile),
        scores=scores,
        off_manifold=off,
        violates=any_viol,
    )


# ---------------------------------------------------------------------------------- helpers
def _as_rows(X, names, what: str = "rows") -> np.ndarray:
    """Model-evaluated rows of shape (..., d) as an (m, d) float array.

    The one addition to :func:`~causalx.utils.validation.check_data`: leading dimensions
    (explicands, draws, coalitions) are flattened, and NaN or infinite values are kept (such a
    row scores as off the manifold).
    """
    if not (hasattr(X, "columns") and hasattr(X, "to_numpy")):
        try:
            arr = np.asarray(X)
        except (TypeError, ValueError):
            arr = X  # check_data words the error
        else:
            if arr.ndim != 2 and arr.ndim >= 1 and arr.shape[-1] == len(names):
                arr = arr.reshape(-1, len(names))
            elif arr.ndim > 2:
                raise DataValidationError(
                    f"{what} must have {len(names)} columns (one per feature name) in its last "
                    f"dimension, got shape {arr.shape}."
                )
        X = arr
    return check_data(X, names, what=what, min_rows=0, finite=False)[0]


def _parse_constraints(constraints, names):
    from causalx.graph import Constraint

    out = []
    for c in constraints or ():
        if isinstance(c, str):
            c = Constraint.parse(c, nodes=names)
        elif not isinstance(c, Constraint):
            raise TypeError(f"constraints must hold strings or Constraint objects, got {c!r}.")
        out.append(c)
    return out


def _knn_scorer(ref: np.ndarray, D: np.ndarray, k: int):
    from sklearn.neighbors import NearestNeighbors

    mean = D.mean(axis=0)
    sd = D.std(axis=0)
    sd = np.where(sd > 0, sd, 1.0)
    nn = NearestNeighbors(n_neighbors=k).fit((ref - mean) / sd)

    def score(X: np.ndarray) -> np.ndarray:
        out = np.empty(X.shape[0])
        step = 2**16
        for s in range(0, X.shape[0], step):
            dist, _ = nn.kneighbors((X[s : s + step] - mean) / sd)
            out[s : s + step] = dist.mean(axis=1)
        return out

    return score


def _vae_scorer(vae):
    def score(X: np.ndarray) -> np.ndarray:
        return -vae.score_samples(X, random_state=0)

    return score
