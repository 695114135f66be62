"""Linear structural causal models with known coefficients: data plus closed-form oracles.

X = B X + ν + Γ U + ε, with ε ~ N(0, diag(σ²)) and hidden common causes U ~ N(0, I) that load
on declared confounded pairs. For a linear model f(x) = b + wᵀx every value function has a
closed form (v(S) = f(E[X | do(x_S)]) for a linear model), which the test suite uses as an independent oracle.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from causalx.graph import CausalGraph
from causalx.utils.random import check_random_state

__all__ = ["LinearSCM", "make_lg_chain", "make_linear_scm"]


@dataclass(frozen=True)
class LinearSCM:
    """A linear-Gaussian SCM over named nodes (with optional hidden confounders).

    Parameters
    ----------
    nodes : tuple of str
    B : ndarray of shape (d, d)
        ``B[j, k]`` is the coefficient of node k in the equation of node j (zero diagonal,
        acyclic).
    intercept : ndarray of shape (d,)
    noise_std : ndarray of shape (d,)
    confounders : tuple of (str, str, float)
        Hidden common causes: U ~ N(0, 1) adds ``loading * U`` to both nodes of the pair.
    """

    nodes: tuple[str, ...]
    B: np.ndarray
    intercept: np.ndarray
    noise_std: np.ndarray
    confounders: tuple[tuple[str, str, float], ...] = ()

    @property
    def d(self) -> int:
        return len(self.nodes)

    def _gamma(self) -> np.ndarray:
        G = np.zeros((self.d, len(self.confounders)))
        for k, (a, b, load) in enumerate(self.confounders):
            G[self.nodes.index(a), k] = load
            G[self.nodes.index(b), k] = load
        return G

    @property
    def mean(self) -> np.ndarray:
        """E[X], shape (d,)."""
        return np.linalg.solve(np.eye(self.d) - self.B, self.intercept)

    @property
    def covariance(self) -> np.ndarray:
        """Cov[X], shape (d, d)."""
        A = np.linalg.inv(np.eye(self.d) - self.B)
        G = self._gamma()
        return A @ (np.diag(self.noise_std**2) + G @ G.T) @ A.T

    def graph(self, *, declare_confounding: bool = True, target: str | None = "y") -> CausalGraph:
        """The true causal graph (optionally without the hidden confounders' bidirected edges)."""
        edges = [(self.nodes[k], self.nodes[j]) for j in range(self.d) for k in range(self.d) if self.B[j, k] != 0]
        conf = [(a, b) for a, b, _ in self.confounders] if declare_confounding else []
        return CausalGraph(nodes=list(self.nodes), edges=edges, confounded=conf, target=target)

    def sample(self, n: int, random_state=None):
        """Draw ``n`` rows; returns a DataFrame with the node columns."""
        import pandas as pd

        rng = check_random_state(random_state)
        eps = rng.standard_normal((n, self.d)) * self.noise_std
        U = rng.standard_normal((n, len(self.confounders)))
        rhs = self.intercept + eps + U @ self._gamma().T
        X = np.linalg.solve(np.eye(self.d) - self.B, rhs.T).T
        return pd.DataFrame(X, columns=list(self.nodes))

    def interventional_mean(self, S: Sequence[int], x_S: np.ndarray) -> np.ndarray:
        """E[X | do(X_S = x_S)] for one or many rows: ``x_S`` of shape (|S|,) or (n, |S|).

        Returns shape (d,) or (n, d): (I − B_S̄S̄)⁻¹(ν_S̄ + B_S̄S x_S) on S̄ and x_S on S.
        """
        S = np.asarray(S, dtype=int)
        Sb = np.setdiff1d(np.arange(self.d), S)
        single = np.ndim(x_S) == 1
        x_S = np.asarray(x_S, dtype=float).reshape(-1, S.size)
        out = np.empty((x_S.shape[0], self.d))
        out[:, S] = x_S
        if Sb.size:
            M = np.eye(Sb.size) - self.B[np.ix_(Sb, Sb)]
            rhs = self.intercept[Sb][None, :] + x_S @ self.B[np.ix_(Sb, S)].T
            out[:, Sb] = np.linalg.solve(M, rhs.T).T
        return out[0] if single else out


def make_linear_scm(
    nodes: Sequence[str],
    edges: dict[tuple[str, str], float],
    *,
    intercept: Sequence[float] | None = None,
    noise_std: Sequence[float] | float = 1.0,
    confounders: Sequence[tuple[str, str, float]] = (),
) -> LinearSCM:
    """Build a :class:`LinearSCM` from ``{(parent, child): coefficient}``."""
    nodes = tuple(nodes)
    d = len(nodes)
    B = np.zeros((d, d))
    for (a, b), c in edges.items():
        B[nodes.index(b), nodes.index(a)] = c
    icpt = np.zeros(d) if intercept is None else np.asarray(intercept, dtype=float)
    std = np.broadcast_to(np.asarray(noise_std, dtype=float), (d,)).copy()
    return LinearSCM(nodes, B, icpt, std, tuple(confounders))


def make_lg_chain(n: int = 1000, *, random_state=0, noise: float = 0.1):
    """The five-node example of the README (X1 → X2 → X3 → X5, X1 → X3, X4 → X5, X1 ↔ X4).

    Returns
    -------
    X : DataFrame of shape (n, 5)
    y : ndarray of shape (n,)
        ``y = X3 + 0.5 X5 − 0.8 X2 + 0.3 X1 X4 + noise`` (a model target with an interaction).
    scm : LinearSCM
        The data-generating SCM, with the hidden common cause of X1 and X4.
    """
    scm = make_linear_scm(
        ["X1", "X2", "X3", "X4", "X5"],
        {("X1", "X2"): 0.8, ("X1", "X3"): 0.5, ("X2", "X3"): -0.7, ("X3", "X5"): 1.2, ("X4", "X5"): 0.6},
        intercept=[0.0, 1.0, 0.5, -1.0, 2.0],
        noise_std=[1.0, 0.6, 0.5, 0.8, 0.4],
        confounders=[("X1", "X4", 0.9)],
    )
    rng = check_random_state(random_state)
    X = scm.sample(n, rng)
    y = (
        X["X3"].to_numpy() + 0.5 * X["X5"].to_numpy() - 0.8 * X["X2"].to_numpy()
        + 0.3 * X["X1"].to_numpy() * X["X4"].to_numpy() + noise * rng.standard_normal(n)
    )
    return X, y, scm
