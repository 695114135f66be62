"""Conditional-independence tests ``x ⊥ y | Z`` on columns of a numeric array.

Every test returns ``(statistic, p_value, strength)``; ``strength`` is the sample partial
correlation of ``x`` and ``y`` given ``Z`` (a signed effect size readable for every test).

- ``gcm``: the generalised covariance measure (Shah & Peters 2020). ``x`` and ``y`` are regressed
  on a flexible basis of ``Z`` (additive cubic splines with quantile knots, pairwise products,
  indicators for few-level columns; one ridge solve for both targets), and the normalised mean
  of the product of the residuals is referred to N(0, 1). Its variance is estimated from the
  products themselves, so it holds its level under nonlinear means, heteroscedasticity and
  non-Gaussian noise; it detects dependence that shows as a nonzero E[Cov(x, y | Z)] (it is
  blind to dependence with zero conditional covariance, e.g. ``y = x**2`` type, where
  ``regression`` / ``kci`` help). Linear in n, all rows used. The default for continuous data.
- ``fisherz``: Fisher's z on the partial correlation (linear-Gaussian data; fast).
- ``regression``: nonlinear. ``x`` and ``y`` are regressed on additive spline features of ``Z``
  (ridge), and the residuals are tested with HSIC (Gaussian kernels, gamma approximation of the
  null), on at most ``max_n`` rows. Residuals of a conditionally independent pair are uncorrelated
  but not independent under heteroscedastic noise, so this test then rejects too often
  (``docs/ci_tests.md``).
- ``kci``: the kernel conditional-independence test of causal-learn (Zhang et al. 2011), on at
  most ``max_n`` rows (it is cubic in n).
- ``chi2`` / ``gsq``: Pearson chi-square or G (log-likelihood ratio) test summed over the strata
  of the discrete conditioning set.

Unordered categorical columns (``categorical=`` column indices): in ``gcm`` a categorical ``x``
or ``y`` with k levels enters as its k - 1 level indicators, each residualised on ``Z``; the
products of the residuals form a vector whose mean is zero under the null, tested with the Wald
statistic ``n m' S^+ m`` against chi-square with rank(S) degrees of freedom (the multivariate
GCM, Shah & Peters 2020, Sec. 5); a categorical column of ``Z`` enters the regression basis as
its level indicators only (its codes carry no order). Mixed pairs (a discrete and a continuous
variable) are thus tested without reading category codes as numbers.

References
----------
.. [1] Fisher, R. A. (1924). The distribution of the partial correlation coefficient. Metron 3.
.. [2] Gretton, A., Fukumizu, K., Teo, C. H., Song, L., Schölkopf, B., Smola, A. J. (2008).
   A kernel statistical test of independence. NeurIPS 20.
.. [3] Zhang, K., Peters, J., Janzing, D., Schölkopf, B. (2011). Kernel-based conditional
   independence test and application in causal discovery. UAI.
.. [4] Shah, R. D., Peters, J. (2020). The hardness of conditional independence testing and the
   generalised covariance measure. Annals of Statistics 48(3).
.. [5] Agresti, A. (2013). Categorical Data Analysis, 3rd ed., Wiley (G and X² tests).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import stats

from causalx._options import CI_TESTS

__all__ = ["GCMBasis", "ci_test", "gcm_residuals", "hsic_test", "is_discrete", "partial_correlation"]

_DISCRETE_TYPES = ("binary", "categorical", "ordinal")


def is_discrete(column: np.ndarray, node_type: str | None = None, *, max_levels: int = 6) -> bool:
    """Whether a column is discrete: declared binary/categorical/ordinal, or few integer levels.

    Examples
    --------
    >>> is_discrete(np.array([0.0, 1.0, 1.0, 2.0]))
    True
    >>> is_discrete(np.array([0.1, 1.5, 2.2]), "continuous")
    False
    """
    if node_type in _DISCRETE_TYPES:
        return True
    if node_type == "continuous":
        return False
    col = np.asarray(column, dtype=float)
    return bool(np.all(col == np.round(col)) and np.unique(col).size <= max_levels)


def partial_correlation(data: np.ndarray, x: int, y: int, given: Sequence[int] = ()) -> float:
    """Sample partial correlation of columns ``x`` and ``y`` given the columns ``given``.

    Computed from the inverse of the correlation matrix of ``[x, y, *given]``:
    ρ_xy·Z = −P_xy / sqrt(P_xx P_yy).

    Parameters
    ----------
    data : ndarray of shape (n_samples, n_features)
    x, y : int
        Column indices.
    given : sequence of int
        Conditioning column indices.

    Returns
    -------
    float in [-1, 1]

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> z = rng.normal(size=2000); a = z + rng.normal(size=2000); b = z + rng.normal(size=2000)
    >>> D = np.column_stack([a, b, z])
    >>> round(partial_correlation(D, 0, 1), 1), abs(round(partial_correlation(D, 0, 1, [2]), 1))
    (0.5, 0.0)
    """
    cols = [x, y, *given]
    with np.errstate(divide="ignore", invalid="ignore"):  # a constant column gives NaN, handled below
        C = np.corrcoef(data[:, cols], rowvar=False)
    C = np.atleast_2d(C)
    if not np.all(np.isfinite(C)):  # a constant column: no evidence of dependence
        return 0.0
    P = np.linalg.pinv(C, hermitian=True)
    denom = np.sqrt(P[0, 0] * P[1, 1])
    if denom <= 0:
        return 0.0
    return float(np.clip(-P[0, 1] / denom, -1.0, 1.0))


def _fisherz(data, x, y, given):
    n = data.shape[0]
    r = partial_correlation(data, x, y, given)
    dof = n - len(given) - 3
    if dof < 1:
        return 0.0, 1.0, r
    r_c = np.clip(r, -1 + 1e-12, 1 - 1e-12)
    z = np.sqrt(dof) * np.arctanh(r_c)
    return float(abs(z)), float(2 * stats.norm.sf(abs(z))), r


def _subsample(data, max_n, rng):
    if data.shape[0] <= max_n:
        return data
    idx = np.sort(rng.choice(data.shape[0], max_n, replace=False))
    return data[idx]


def _residualize(target: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """Residuals of ``target`` on additive cubic-spline features of ``Z`` (ridge, fixed small α)."""
    if Z.shape[1] == 0:
        return target - target.mean()
    from sklearn.linear_model import Ridge
    from sklearn.preprocessing import SplineTransformer, StandardScaler

    Zs = StandardScaler().fit_transform(Z)
    feats = SplineTransformer(n_knots=6, degree=3, extrapolation="linear").fit_transform(Zs)
    feats = np.column_stack([Zs, feats])
    model = Ridge(alpha=1e-3).fit(feats, target)
    return target - model.predict(feats)


def _basis(Z: np.ndarray, n_knots: int, categorical: np.ndarray | None = None) -> np.ndarray:
    """Regression basis of the conditioning columns, centred (the intercept is implicit).

    Continuous columns (more than ``n_knots + 2`` distinct values): the standardised column and
    a cubic B-spline basis with quantile knots (linear extrapolation); few-level columns: their
    level indicators. With two or more columns, the pairwise products of the standardised
    columns are added (a cheap first-order interaction). Columns flagged in ``categorical``
    (bool mask) enter as their level indicators only.
    """
    from sklearn.preprocessing import SplineTransformer

    n, k = Z.shape
    cat = np.zeros(k, dtype=bool) if categorical is None else np.asarray(categorical, dtype=bool)
    Zs = (Z - Z.mean(0)) / np.where(Z.std(0) > 0, Z.std(0), 1.0)
    cont = np.array([np.unique(Z[:, j]).size > n_knots + 2 for j in range(k)], dtype=bool) & ~cat
    num = np.flatnonzero(~cat)
    feats = [Zs[:, num]]
    if cont.any():
        spl = SplineTransformer(n_knots=n_knots, degree=3, knots="quantile", extrapolation="linear")
        feats.append(spl.fit_transform(Zs[:, cont]))
    for j in np.flatnonzero(~cont):
        _, inv = np.unique(Z[:, j], return_inverse=True)
        feats.append(np.eye(int(inv.max()) + 1)[inv.ravel(), 1:])
    if num.size >= 2:
        iu, ju = np.triu_indices(num.size, 1)
        feats.append(Zs[:, num[iu]] * Zs[:, num[ju]])
    F = np.column_stack(feats)
    return F - F.mean(0)


def gcm_residuals(targets: np.ndarray, Z: np.ndarray, *, ridge: float = 1e-3,
                  categorical: np.ndarray | None = None) -> np.ndarray:
    """Residuals of the columns of ``targets`` on the basis of ``Z`` (one ridge solve for all).

    ``ridge`` is the penalty per row on standardised basis columns; the number of knots grows
    slowly with n (5 at n=300, 8 at n=1000, 12 from n=3000 on). ``categorical`` flags the
    columns of ``Z`` that enter as level indicators only (see :func:`_basis`).
    """
    T = targets - targets.mean(0)
    if Z.shape[1] == 0:
        return T
    n = Z.shape[0]
    n_knots = int(np.clip(round(0.8 * n ** (1 / 3)), 4, 12))
    F = _basis(Z, n_knots, categorical)
    scale = np.sqrt((F**2).mean(0))
    F = F[:, scale > 1e-12] / scale[scale > 1e-12]
    G = F.T @ F
    G[np.diag_indices_from(G)] += ridge * n
    beta = np.linalg.solve(G, F.T @ T)
    return T - F @ beta


class GCMBasis:
    """The GCM regression basis of every column of one data array, built once for many tests.

    :func:`gcm_residuals` rebuilds the basis of the conditioning columns (:func:`_basis`) and its
    Gram matrix for every test; a graph's implied independences and the permutation baseline
    run hundreds of tests on the same columns. This keeps, per column, its block of the basis
    (standardised column, cubic B-splines with quantile knots, or level indicators) and the
    Gram blocks between columns; a test then only builds the pairwise products of its
    conditioning columns. :meth:`residuals` gives the residuals of :func:`gcm_residuals` (the
    same basis and ridge problem, solved from the centred Gram matrix; equal up to rounding).

    Parameters
    ----------
    data : ndarray of shape (n, d)
    categorical : collection of int
        Columns read as level indicators only (see :func:`_basis`).
    ridge : float, default 1e-3
    """

    def __init__(self, data: np.ndarray, categorical=frozenset(), ridge: float = 1e-3):
        self.data = np.asarray(data, dtype=float)
        n = self.data.shape[0]
        self.n, self.ridge = n, float(ridge)
        self.categorical = frozenset(int(c) for c in categorical)
        self.n_knots = int(np.clip(round(0.8 * n ** (1 / 3)), 4, 12))
        sd = self.data.std(0)
        self._zs = (self.data - self.data.mean(0)) / np.where(sd > 0, sd, 1.0)
        self._blocks: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._gram: dict[tuple[int, int], np.ndarray] = {}

    def _block(self, j: int) -> tuple[np.ndarray, np.ndarray]:
        """Column ``j``'s basis block (n, b) and its column means."""
        hit = self._blocks.get(j)
        if hit is None:
            from sklearn.preprocessing import SplineTransformer

            col = self.data[:, j]
            parts = []
            if j not in self.categorical:
                parts.append(self._zs[:, [j]])
            if j not in self.categorical and np.unique(col).size > self.n_knots + 2:
                spl = SplineTransformer(n_knots=self.n_knots, degree=3, knots="quantile", extrapolation="linear")
                parts.append(spl.fit_transform(self._zs[:, [j]]))
            else:
                parts.append(_indicators(col))
            B = np.column_stack(parts)
            hit = self._blocks[j] = (B, B.mean(0))
        return hit

    def _gram_block(self, i: int, j: int) -> np.ndarray:
        key = (i, j) if i <= j else (j, i)
        G = self._gram.get(key)
        if G is None:
            G = self._gram[key] = self._block(key[0])[0].T @ self._block(key[1])[0]
        return G if i <= j else G.T

    def residuals(self, targets: np.ndarray, given) -> np.ndarray:
        """Residuals ``(n, t)`` of the centred ``targets`` on the basis of the columns ``given``."""
        T = np.asarray(targets, dtype=float)
        T = T - T.mean(0)
        given = [int(g) for g in given]
        if not given:
            return T
        n = self.n
        blocks = [self._block(j) for j in given]
        num = [j for j in given if j not in self.categorical]
        if len(num) >= 2:
            iu, ju = np.triu_indices(len(num), 1)
            P = self._zs[:, [num[a] for a in iu]] * self._zs[:, [num[b] for b in ju]]
        else:
            P = np.empty((n, 0))
        sizes = [B.shape[1] for B, _ in blocks] + [P.shape[1]]
        edges = np.concatenate([[0], np.cumsum(sizes)])
        k = int(edges[-1])
        G = np.empty((k, k))
        FT = np.empty((k, T.shape[1]))
        for a, (Ba, _) in enumerate(blocks):
            sa = slice(edges[a], edges[a + 1])
            for b in range(a, len(blocks)):
                sb = slice(edges[b], edges[b + 1])
                G[sa, sb] = self._gram_block(given[a], given[b])
                G[sb, sa] = G[sa, sb].T
            if P.shape[1]:
                G[sa, edges[-2]:] = Ba.T @ P
                G[edges[-2]:, sa] = G[sa, edges[-2]:].T
            FT[sa] = Ba.T @ T
        if P.shape[1]:
            G[edges[-2]:, edges[-2]:] = P.T @ P
            FT[edges[-2]:] = P.T @ T
        mu = np.concatenate([m for _, m in blocks] + [P.mean(0)])
        G -= n * np.outer(mu, mu)  # the Gram matrix of the centred basis (T is centred: FT needs no change)
        scale = np.sqrt(np.clip(np.diag(G) / n, 0.0, None))
        keep = scale > 1e-12
        s = scale[keep]
        Gs = G[np.ix_(keep, keep)] / np.outer(s, s)
        Gs[np.diag_indices_from(Gs)] += self.ridge * n
        beta = np.linalg.solve(Gs, FT[keep] / s[:, None]) / s[:, None]  # coefficients of the uncentred columns
        full = np.zeros((k, T.shape[1]))
        full[keep] = beta
        fit = -(mu @ full)[None, :]
        for a, (Ba, _) in enumerate(blocks):
            fit = fit + Ba @ full[edges[a]:edges[a + 1]]
        if P.shape[1]:
            fit = fit + P @ full[edges[-2]:]
        return T - fit


def _indicators(column: np.ndarray) -> np.ndarray:
    """The level indicators of a column but the first (k - 1 columns for k levels)."""
    _, inv = np.unique(column, return_inverse=True)
    return np.eye(int(inv.max()) + 1)[inv.ravel(), 1:]


def _residuals(data, targets, given, categorical, basis):
    if basis is not None:
        return basis.residuals(targets, given)
    zcat = np.array([g in categorical for g in given], dtype=bool) if categorical else None
    return gcm_residuals(targets, data[:, list(given)], categorical=zcat)


def _gcm_wald(data, x, y, given, categorical, basis=None):
    """Multivariate GCM: Wald test of the mean of the residual-product vector (chi-square)."""
    n = data.shape[0]
    cols = [_indicators(data[:, v]) if v in categorical else data[:, [v]] for v in (x, y)]
    if cols[0].shape[1] == 0 or cols[1].shape[1] == 0:  # a constant column: no evidence of dependence
        return 0.0, 1.0, partial_correlation(data, x, y, given)
    R = _residuals(data, np.column_stack(cols), given, categorical, basis)
    kx = cols[0].shape[1]
    P = (R[:, :kx, None] * R[:, None, kx:]).reshape(n, -1)
    m = P.mean(0)
    S = np.atleast_2d(np.cov(P, rowvar=False, bias=True))
    w, V = np.linalg.eigh(S)
    keep = w > 1e-10 * max(w.max(), 1e-300)
    if not keep.any():
        return 0.0, 1.0, partial_correlation(data, x, y, given)
    proj = V[:, keep].T @ m
    stat = float(n * np.sum(proj**2 / w[keep]))
    return stat, float(stats.chi2.sf(stat, int(keep.sum()))), partial_correlation(data, x, y, given)


def _gcm(data, x, y, given, categorical=frozenset(), basis=None):
    """GCM statistic T = sqrt(n) mean(R) / sd(R), R = residual products; two-sided normal p."""
    if x in categorical or y in categorical:
        return _gcm_wald(data, x, y, given, categorical, basis)
    n = data.shape[0]
    R = _residuals(data, data[:, [x, y]], given, categorical, basis)
    prod = R[:, 0] * R[:, 1]
    sd = prod.std()
    if not np.isfinite(sd) or sd <= 1e-300:
        return 0.0, 1.0, partial_correlation(data, x, y, given)
    t = float(np.sqrt(n) * prod.mean() / sd)
    return abs(t), float(2 * stats.norm.sf(abs(t))), partial_correlation(data, x, y, given)


def _rbf_gram(v: np.ndarray) -> np.ndarray:
    v = (v - v.mean()) / (v.std() + 1e-12)
    d2 = (v[:, None] - v[None, :]) ** 2
    med = np.median(d2[np.triu_indices(v.size, 1)]) if v.size > 1 else 1.0
    return np.exp(-d2 / (med if med > 0 else 1.0))


def hsic_test(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """HSIC independence test of two 1-D samples (Gaussian kernels, median heuristic, gamma null).

    Returns ``(n * HSIC, p_value)`` (Gretton et al. 2008).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> u = rng.normal(size=300)
    >>> hsic_test(u, u**2)[1] < 0.001, hsic_test(u, rng.normal(size=300))[1] > 0.01
    (True, True)
    """
    n = a.size
    K, L = _rbf_gram(np.asarray(a, float)), _rbf_gram(np.asarray(b, float))
    Kc = K - K.mean(0) - K.mean(1)[:, None] + K.mean()  # H K H without the n^3 products
    Lc = L - L.mean(0) - L.mean(1)[:, None] + L.mean()
    stat = float(np.sum(Kc * Lc) / n)  # n * HSIC_b
    # gamma approximation of the null (Gretton et al. 2008, eq. 9-10)
    var = (Kc * Lc / 6.0) ** 2
    var = (np.sum(var) - np.trace(var)) / n / (n - 1)
    var = var * 72 * (n - 4) * (n - 5) / n / (n - 1) / (n - 2) / (n - 3)
    np.fill_diagonal(K, 0.0)
    np.fill_diagonal(L, 0.0)
    mu_x = K.sum() / n / (n - 1)
    mu_y = L.sum() / n / (n - 1)
    mean = (1 + mu_x * mu_y - mu_x - mu_y) / n  # mean of HSIC_b under independence
    if mean <= 0 or var <= 0:
        return stat, 1.0
    shape = mean**2 / var
    scale = var * n / mean  # the null of n * HSIC_b is Gamma(shape, scale)
    return stat, float(stats.gamma.sf(stat, shape, scale=scale))


def _regression(data, x, y, given, max_n, rng):
    D = _subsample(data, max_n, rng)
    Z = D[:, list(given)]
    rx, ry = _residualize(D[:, x], Z), _residualize(D[:, y], Z)
    stat, p = hsic_test(rx, ry)
    return stat, p, partial_correlation(data, x, y, given)


def _kci(data, x, y, given, max_n, rng):
    try:
        from causallearn.utils.cit import CIT
    except ImportError as exc:  # pragma: no cover - causal-learn is a dependency of diagnostics
        raise ImportError(
            "method='kci' needs causal-learn: pip install causal-learn (or use method='regression')."
        ) from exc
    D = _subsample(data, max_n, rng)
    D = (D - D.mean(0)) / (D.std(0) + 1e-12)
    p = float(CIT(D, "kci")(x, y, list(given)))
    return float("nan"), p, partial_correlation(data, x, y, given)


def _discrete(data, x, y, given, lambda_):
    Z = data[:, list(given)]
    if Z.shape[1]:
        _, strata = np.unique(Z, axis=0, return_inverse=True)
        strata = strata.ravel()
    else:
        strata = np.zeros(data.shape[0], dtype=int)
    total, dof = 0.0, 0
    for s in np.unique(strata):
        sel = strata == s
        xs, xi = np.unique(data[sel, x], return_inverse=True)
        ys, yi = np.unique(data[sel, y], return_inverse=True)
        if xs.size < 2 or ys.size < 2:
            continue
        table = np.zeros((xs.size, ys.size))
        np.add.at(table, (xi.ravel(), yi.ravel()), 1)
        expected = table.sum(1, keepdims=True) * table.sum(0, keepdims=True) / table.sum()
        if lambda_ == "log-likelihood":
            with np.errstate(divide="ignore", invalid="ignore"):
                terms = np.where(table > 0, table * np.log(table / expected), 0.0)
            total += 2.0 * terms.sum()
        else:
            total += float(((table - expected) ** 2 / expected).sum())
        dof += (xs.size - 1) * (ys.size - 1)
    if dof == 0:
        return 0.0, 1.0, partial_correlation(data, x, y, given)
    return float(total), float(stats.chi2.sf(total, dof)), partial_correlation(data, x, y, given)


def ci_test(
    data: np.ndarray,
    x: int,
    y: int,
    given: Sequence[int] = (),
    *,
    method: str = "fisherz",
    max_n: int = 1000,
    rng: np.random.Generator | None = None,
    categorical: Sequence[int] = (),
    basis: GCMBasis | None = None,
) -> tuple[float, float, float]:
    """Test ``x ⊥ y | given`` on the columns of ``data``.

    Parameters
    ----------
    data : ndarray of shape (n_samples, n_features)
    x, y : int
        Column indices.
    given : sequence of int
        Conditioning column indices.
    method : {"fisherz", "gcm", "regression", "kci", "chi2", "gsq"}
    max_n : int, default 1000
        Row cap of the kernel tests (``regression``, ``kci``); a seeded subsample is used above.
    rng : Generator, optional
        Source of the subsample.
    categorical : sequence of int, optional
        Columns holding the codes of unordered categorical variables; ``gcm`` reads them as
        level indicators (see the module docstring). The other tests ignore it (``chi2`` and
        ``gsq`` treat every column as categorical anyway).
    basis : GCMBasis, optional
        ``gcm`` only: the cached basis of ``data``'s columns (built with the same
        ``categorical``), for many tests on one array; the result is the same up to rounding.

    Returns
    -------
    statistic, p_value, partial_correlation : float

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> D = rng.normal(size=(500, 2)); D[:, 1] += D[:, 0]
    >>> ci_test(D, 0, 1)[1] < 1e-10
    True
    """
    given = list(given)
    if method == "fisherz":
        return _fisherz(data, x, y, given)
    if method == "gcm":
        cat = frozenset(int(c) for c in categorical)
        if basis is not None and (basis.data.shape != data.shape or basis.categorical != cat):
            raise ValueError(f"basis was built for data of shape {basis.data.shape} with categorical columns "
                             f"{sorted(basis.categorical)}, not {data.shape} with {sorted(cat)}: build "
                             "GCMBasis(data, categorical) for this array.")
        return _gcm(data, x, y, given, cat, basis)
    rng = np.random.default_rng(0) if rng is None else rng
    if method == "regression":
        return _regression(data, x, y, given, max_n, rng)
    if method == "kci":
        return _kci(data, x, y, given, max_n, rng)
    if method == "chi2":
        return _discrete(data, x, y, given, "pearson")
    if method == "gsq":
        return _discrete(data, x, y, given, "log-likelihood")
    raise ValueError(f"method={method!r} is not a CI test; accepted values are {', '.join(map(repr, CI_TESTS))}.")
