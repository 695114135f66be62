"""Exact marginal (interventional) Shapley values of tree ensembles, from the tree structure.

For marginal values, v(S) = mean over background rows z of f(x_S, z_S̄), and Shapley values are
linear in the game, so φ(x) = mean_z φ(x, z), where φ(x, z) are the Shapley values of the
*single-reference* game v_z(S) = f(x_S, z_S̄). A tree ensemble is a sum of trees and each tree a
sum of leaf indicators, so φ(x, z) is a sum over (tree, leaf) of the Shapley values of

    g_leaf(S) = value_leaf · 1[the hybrid row (x_S, z_S̄) reaches the leaf].

Walk the path from the root to the leaf. At a split on feature j, x and z either go the same
way (no condition on S), or only one of them follows the path: if only x does, the leaf needs
j ∈ S; if only z does, it needs j ∉ S; if neither, the leaf is unreachable (pruned). Collect
A = {features needed in S} and B = {features needed outside S} (a feature in both: unreachable);
with a = |A|, b = |B|, g_leaf(S) = value · 1[A ⊆ S, B ∩ S = ∅], a game of a + b players whose
Shapley values are, over a uniformly random ordering of A ∪ B,

    φ_i =  value · (a − 1)! b! / (a + b)!    for i ∈ A   (i comes after all of A∖i, before all of B)
    φ_i = −value · a! (b − 1)! / (a + b)!    for i ∈ B   (i comes after all of A, before all of B∖i)
    φ_i = 0                                  otherwise;

they sum to g_leaf(N) − g_leaf(∅) (efficiency). A leaf reached by both x and z (a = b = 0)
contributes nothing. The traversal visits, per (x, z) pair, only the nodes the hybrids can reach
(the algorithm of Laberge & Pequignot, "Understanding interventional TreeSHAP: how and why it
works", 2022). It is exact: the only error is floating-point summation (~1e-13), so the values
agree with the black-box exact estimator over the same background rows to 1e-9 and more.

The kernel is compiled with numba (imported lazily; parallel over explained rows); without numba
a numpy implementation, vectorised over explained rows × background rows per leaf, is used.

The trees come from :func:`causalx.values.extract_ensemble` (the only code that reads
scikit-learn models); this module is pure numpy (numba optional).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from causalx.shapley._plan import ShapleyResult
from causalx.utils.arrays import replicate_groups

__all__ = ["TreeEnsemble", "tree_marginal_shapley", "tree_shapley"]


@dataclass(frozen=True)
class TreeEnsemble:
    """All trees of a model flattened into node arrays (global node indices).

    Attributes
    ----------
    left, right : ndarray of shape (n_nodes,), int64
        Children (global index), -1 at leaves.
    feature : ndarray of shape (n_nodes,), int64
        Split feature, as a column index of the explained arrays (after mapping the model's
        own column order), -1 at leaves.
    threshold : ndarray of shape (n_nodes,), float64
        A row goes left when ``x[feature] <= threshold``.
    missing_left : ndarray of shape (n_nodes,), bool
        Where a NaN goes.
    value : ndarray of shape (n_nodes,), float64
        Leaf value of the explained output, already multiplied by the tree's weight
        (1/n_trees for forests, the learning rate for gradient boosting).
    roots : ndarray of shape (n_trees,), int64
    max_depth : int
    float32_inputs : bool
        The model rounds inputs to float32 before comparing (scikit-learn's ``tree_``).
    explains : str
        What the values explain, e.g. ``"predict"``, ``"predict_proba[:, 1]"``,
        ``"decision_function"``.
    """

    left: np.ndarray
    right: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    missing_left: np.ndarray
    value: np.ndarray
    roots: np.ndarray
    max_depth: int
    float32_inputs: bool
    explains: str

    @property
    def n_trees(self) -> int:
        """Number of trees."""
        return int(self.roots.size)


def _max_depth(left: np.ndarray, right: np.ndarray, roots: np.ndarray) -> int:
    depth = np.zeros(left.size, dtype=np.int64)
    best = 0
    frontier = roots
    d = 0
    while frontier.size:
        depth[frontier] = d
        best = d
        inner = frontier[left[frontier] >= 0]
        frontier = np.concatenate([left[inner], right[inner]])
        d += 1
    return best


# ------------------------------------------------------------------------------ weights
def _weights(m: int) -> tuple[np.ndarray, np.ndarray]:
    """wa[a, b] = (a−1)! b!/(a+b)!, wb[a, b] = a! (b−1)!/(a+b)!, for a, b <= m (exactly rounded)."""
    wa = np.zeros((m + 1, m + 1))
    wb = np.zeros((m + 1, m + 1))
    fact = [math.factorial(k) for k in range(2 * m + 2)]
    for a in range(m + 1):
        for b in range(m + 1):
            if a >= 1:
                wa[a, b] = fact[a - 1] * fact[b] / fact[a + b]
            if b >= 1:
                wb[a, b] = fact[a] * fact[b - 1] / fact[a + b]
    return wa, wb


# ------------------------------------------------------------------------------ kernels
_NUMBA_KERNEL = None


def _numba_kernel():
    """Compile (once per process) the numba kernel; None if numba is unavailable."""
    global _NUMBA_KERNEL
    if _NUMBA_KERNEL is not None:
        return _NUMBA_KERNEL
    try:
        import numba
    except ImportError:  # pragma: no cover - numba is optional
        return None

    @numba.njit(parallel=True, cache=True, nogil=True)
    def kernel(X, Z, groups, n_groups, left, right, feature, threshold, miss_left, value, roots,
               max_depth, wa, wb):  # pragma: no cover - compiled
        n, d = X.shape
        K = Z.shape[0]
        phi = np.zeros((n, n_groups, d))
        size = 2 * max_depth + 4
        for i in numba.prange(n):
            state = np.zeros(d, np.int8)  # 0 free, 1 needed in S, 2 needed outside S
            flist = np.empty(max_depth + 2, np.int64)
            s_node = np.empty(size, np.int64)
            s_len = np.empty(size, np.int64)
            s_feat = np.empty(size, np.int64)
            s_type = np.empty(size, np.int8)
            for k in range(K):
                g = groups[k]
                for t in range(roots.size):
                    sp = 1
                    s_node[0] = roots[t]
                    s_len[0] = 0
                    s_feat[0] = -1
                    s_type[0] = 0
                    nlist = 0
                    a = 0
                    b = 0
                    while sp > 0:
                        sp -= 1
                        node = s_node[sp]
                        L = s_len[sp]
                        f = s_feat[sp]
                        ty = s_type[sp]
                        while nlist > L:  # back to the parent's constraints
                            nlist -= 1
                            ff = flist[nlist]
                            if state[ff] == 1:
                                a -= 1
                            else:
                                b -= 1
                            state[ff] = 0
                        if f >= 0:
                            st = state[f]
                            if st == 0:
                                state[f] = ty
                                flist[nlist] = f
                                nlist += 1
                                if ty == 1:
                                    a += 1
                                else:
                                    b += 1
                            elif st != ty:
                                continue  # j needed both in and outside S: unreachable
                        lc = left[node]
                        if lc < 0:
                            if a + b > 0:
                                ca = value[node] * wa[a, b]
                                cb = value[node] * wb[a, b]
                                for q in range(nlist):
                                    ff = flist[q]
                                    if state[ff] == 1:
                                        phi[i, g, ff] += ca
                                    else:
                                        phi[i, g, ff] -= cb
                            continue
                        j = feature[node]
                        xv = X[i, j]
                        zv = Z[k, j]
                        thr = threshold[node]
                        xl = miss_left[node] if np.isnan(xv) else xv <= thr
                        zl = miss_left[node] if np.isnan(zv) else zv <= thr
                        rc = right[node]
                        if xl == zl:
                            s_node[sp] = lc if xl else rc
                            s_len[sp] = nlist
                            s_feat[sp] = -1
                            s_type[sp] = 0
                            sp += 1
                        else:
                            s_node[sp] = lc if xl else rc  # x's way: j must be in S
                            s_len[sp] = nlist
                            s_feat[sp] = j
                            s_type[sp] = 1
                            s_node[sp + 1] = rc if xl else lc  # z's way: j must be outside S
                            s_len[sp + 1] = nlist
                            s_feat[sp + 1] = j
                            s_type[sp + 1] = 2
                            sp += 2
                    for q in range(nlist):  # clear what the last leaf left behind
                        state[flist[q]] = 0
        return phi

    _NUMBA_KERNEL = kernel
    return kernel


def _leaf_paths(ens: TreeEnsemble):
    """Yield (leaf value, features, thresholds, missing_left, went_left) for every leaf."""
    for root in ens.roots:
        stack = [(int(root), [])]
        while stack:
            node, path = stack.pop()
            if ens.left[node] < 0:
                yield ens.value[node], path
                continue
            cond = (int(ens.feature[node]), float(ens.threshold[node]), bool(ens.missing_left[node]))
            stack.append((int(ens.left[node]), path + [cond + (True,)]))
            stack.append((int(ens.right[node]), path + [cond + (False,)]))


def _numpy_phi(ens, X, Z, groups, n_groups, wa, wb) -> np.ndarray:
    """Same sums as the numba kernel, vectorised over explained × background rows per leaf."""
    n, d = X.shape
    onehot = np.zeros((Z.shape[0], n_groups))
    onehot[np.arange(Z.shape[0]), groups] = 1.0
    phi = np.zeros((n, n_groups, d))

    def follows(col, thr, miss, went_left):
        left = np.where(np.isnan(col), miss, col <= thr)
        return left if went_left else ~left

    for value, path in _leaf_paths(ens):
        feats = sorted({p[0] for p in path})
        x_ok, z_ok = {}, {}
        for j in feats:
            conds = [p for p in path if p[0] == j]
            x_ok[j] = np.logical_and.reduce([follows(X[:, j], *c[1:]) for c in conds])
            z_ok[j] = np.logical_and.reduce([follows(Z[:, j], *c[1:]) for c in conds])
        feasible = np.ones((n, Z.shape[0]), bool)
        a = np.zeros((n, Z.shape[0]), np.int64)
        b = np.zeros_like(a)
        for j in feats:
            xo, zo = x_ok[j][:, None], z_ok[j][None, :]
            feasible &= xo | zo
            a += xo & ~zo
            b += ~xo & zo
        if not feasible.any():
            continue
        ca = np.where(feasible, value * wa[np.minimum(a, wa.shape[0] - 1), np.minimum(b, wa.shape[0] - 1)], 0.0)
        cb = np.where(feasible, value * wb[np.minimum(a, wb.shape[0] - 1), np.minimum(b, wb.shape[0] - 1)], 0.0)
        for j in feats:
            xo, zo = x_ok[j][:, None], z_ok[j][None, :]
            contrib = np.where(xo & ~zo, ca, 0.0) - np.where(~xo & zo, cb, 0.0)
            phi[:, :, j] += contrib @ onehot
    return phi


def tree_marginal_shapley(
    ensemble: TreeEnsemble,
    X: np.ndarray,
    background: np.ndarray,
    *,
    groups: np.ndarray | None = None,
    n_groups: int = 1,
    n_jobs: int = 1,
    engine: str = "auto",
) -> np.ndarray:
    """Exact marginal Shapley values of a tree ensemble, summed per background group.

    Parameters
    ----------
    ensemble : TreeEnsemble
    X : ndarray of shape (n_samples, n_features)
        Explained rows.
    background : ndarray of shape (n_background, n_features)
        Background rows (the marginal distribution).
    groups : ndarray of shape (n_background,), int, optional
        Group of each background row (``Game``'s replicate groups); all 0 by default.
    n_groups : int, default 1
    n_jobs : int, default 1
        Threads of the numba kernel (-1: all cores). The result does not depend on it: each
        explained row is summed by one thread, in a fixed order.
    engine : {"auto", "numba", "numpy"}, default "auto"

    Returns
    -------
    ndarray of shape (n_samples, n_groups, n_features)
        ``Σ_{z in group g} φ(x, z)``; the marginal values are the sum over groups divided by
        ``n_background``.

    Examples
    --------
    A stump on feature 0 (``x0 <= 0.5``: 0, else 1), explained at ``x = (1, 0)`` against the
    background row ``z = (0, 0)``: only feature 0 moves the prediction.

    >>> stump = TreeEnsemble(left=np.array([1, -1, -1]), right=np.array([2, -1, -1]),
    ...                      feature=np.array([0, -1, -1]), threshold=np.array([0.5, 0.0, 0.0]),
    ...                      missing_left=np.zeros(3, bool), value=np.array([0.0, 0.0, 1.0]),
    ...                      roots=np.array([0]), max_depth=1, float32_inputs=False, explains="predict")
    >>> tree_marginal_shapley(stump, np.array([[1.0, 0.0]]), np.array([[0.0, 0.0]]))[:, 0].tolist()
    [[1.0, 0.0]]
    """
    X = np.ascontiguousarray(X, dtype=np.float64)
    Z = np.ascontiguousarray(background, dtype=np.float64)
    if ensemble.float32_inputs:  # scikit-learn trees compare float32-rounded inputs
        X = X.astype(np.float32).astype(np.float64)
        Z = Z.astype(np.float32).astype(np.float64)
    groups = np.zeros(Z.shape[0], np.int64) if groups is None else np.ascontiguousarray(groups, np.int64)
    wa, wb = _weights(max(1, min(ensemble.max_depth, X.shape[1])))
    kernel = None if engine == "numpy" else _numba_kernel()
    if kernel is None:
        if engine == "numba":
            raise ImportError("engine='numba' needs numba: pip install 'causalx[numba]' (or pip install numba).")
        return _numpy_phi(ensemble, X, Z, groups, n_groups, wa, wb)
    import numba

    threads = numba.config.NUMBA_NUM_THREADS if n_jobs < 0 else min(max(1, n_jobs), numba.config.NUMBA_NUM_THREADS)
    before = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        return kernel(X, Z, groups, int(n_groups), ensemble.left, ensemble.right, ensemble.feature,
                      ensemble.threshold, ensemble.missing_left, ensemble.value, ensemble.roots,
                      int(ensemble.max_depth), wa, wb)
    finally:
        numba.set_num_threads(before)


def tree_shapley(
    ensemble: TreeEnsemble,
    X: np.ndarray,
    background: np.ndarray,
    *,
    base_values: np.ndarray,
    full_values: np.ndarray,
    n_replicates: int = 16,
    n_jobs: int = 1,
    engine: str = "auto",
) -> ShapleyResult:
    """Exact marginal Shapley values of a tree ensemble, as a :class:`ShapleyResult`.

    The background rows are split into the same ``n_replicates`` contiguous groups as the
    black-box game's draws; ``stderr`` is the spread of the per-group values over
    ``sqrt(n_replicates)``, exactly what the black-box exact estimator reports for the same
    background rows.

    Parameters
    ----------
    ensemble : TreeEnsemble
    X : ndarray of shape (n_samples, n_features)
    background : ndarray of shape (n_background, n_features)
    base_values : ndarray of shape (n_samples,)
        ``v(∅)``: the model's mean prediction over the background rows.
    full_values : ndarray of shape (n_samples,)
        ``v(N) = f(x)``.
    n_replicates : int, default 16
        Background groups for the standard error (at most ``n_background``).
    n_jobs : int, default 1
    engine : {"auto", "numba", "numpy"}, default "auto"

    Returns
    -------
    ShapleyResult
        ``method="tree"``, ``n_coalitions=0`` (no coalition is evaluated).

    Examples
    --------
    >>> stump = TreeEnsemble(left=np.array([1, -1, -1]), right=np.array([2, -1, -1]),
    ...                      feature=np.array([0, -1, -1]), threshold=np.array([0.5, 0.0, 0.0]),
    ...                      missing_left=np.zeros(3, bool), value=np.array([0.0, 0.0, 1.0]),
    ...                      roots=np.array([0]), max_depth=1, float32_inputs=False, explains="predict")
    >>> bg = np.array([[0.0, 0.0], [1.0, 0.0]])
    >>> res = tree_shapley(stump, np.array([[1.0, 0.0]]), bg, base_values=np.array([0.5]),
    ...                    full_values=np.array([1.0]), n_replicates=2)
    >>> res.values.tolist(), res.stderr.tolist()
    ([[0.5, 0.0]], [[0.5, 0.0]])
    """
    background = np.asarray(background, dtype=np.float64)
    n_bg = background.shape[0]
    n_rep = int(max(1, min(n_replicates, n_bg)))
    groups = replicate_groups(n_bg, n_rep)
    sums = tree_marginal_shapley(ensemble, X, background, groups=groups, n_groups=n_rep, n_jobs=n_jobs,
                                 engine=engine)
    values = sums.sum(axis=1) / n_bg
    if n_rep > 1:
        means = sums / np.bincount(groups, minlength=n_rep)[None, :, None]
        stderr = means.std(axis=1, ddof=1) / np.sqrt(n_rep)
    else:
        stderr = np.zeros_like(values)
    return ShapleyResult(values=values, stderr=stderr, base_values=np.asarray(base_values, dtype=float),
                         full_values=np.asarray(full_values, dtype=float), method="tree", n_coalitions=0)
