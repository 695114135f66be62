"""Independent oracles for the Shapley tests: table games and brute-force formulas (itertools)."""

from __future__ import annotations

import itertools
import math

import numpy as np


def codes(masks: np.ndarray) -> np.ndarray:
    """Integer code of each mask row (player j is bit j)."""
    masks = np.asarray(masks, dtype=np.int64)
    return (masks << np.arange(masks.shape[1])).sum(axis=1)


class TableGame:
    """v(S) looked up in a table of shape (n, 2**d, B); records every mask it is asked for."""

    def __init__(self, table: np.ndarray):
        self.table = np.asarray(table, dtype=float)
        self.calls: list[np.ndarray] = []

    def __call__(self, masks: np.ndarray) -> np.ndarray:
        self.calls.append(np.array(masks, copy=True))
        return self.table[:, codes(masks), :]

    @property
    def mean(self) -> np.ndarray:
        return self.table.mean(axis=2)


def random_table(rng, d: int, n: int = 3, n_rep: int = 1) -> np.ndarray:
    return rng.normal(size=(n, 2**d, n_rep))


def brute_symmetric(v: np.ndarray, d: int) -> np.ndarray:
    """Σ_S |S|!(d−|S|−1)!/d! [v(S∪i) − v(S)] from a (n, 2**d) table."""
    phi = np.zeros((v.shape[0], d))
    for i in range(d):
        others = [j for j in range(d) if j != i]
        for k in range(d):
            w = math.factorial(k) * math.factorial(d - k - 1) / math.factorial(d)
            for subset in itertools.combinations(others, k):
                s = sum(1 << j for j in subset)
                phi[:, i] += w * (v[:, s | (1 << i)] - v[:, s])
    return phi


def consistent_permutations(d: int, pairs) -> list[tuple[int, ...]]:
    """All permutations of range(d) in which a precedes b for every (a, b) in pairs."""
    out = []
    for perm in itertools.permutations(range(d)):
        pos = {p: k for k, p in enumerate(perm)}
        if all(pos[a] < pos[b] for a, b in pairs):
            out.append(perm)
    return out


def brute_orderings(v: np.ndarray, d: int, perms) -> np.ndarray:
    """Average over the given orderings of the marginal contributions, from a (n, 2**d) table."""
    phi = np.zeros((v.shape[0], d))
    for perm in perms:
        s = 0
        for i in perm:
            phi[:, i] += v[:, s | (1 << i)] - v[:, s]
            s |= 1 << i
    return phi / len(perms)


def layered_closed_form(v: np.ndarray, layers) -> np.ndarray:
    """Layered asymmetric Shapley value: φ_i = Σ_{T⊆τ_k∖i} |T|!(n_k−|T|−1)!/n_k! [v(A∪T∪i) − v(A∪T)]."""
    d = sum(len(layer) for layer in layers)
    phi = np.zeros((v.shape[0], d))
    before = 0
    for layer in layers:
        nk = len(layer)
        for i in layer:
            others = [j for j in layer if j != i]
            for k in range(nk):
                w = math.factorial(k) * math.factorial(nk - k - 1) / math.factorial(nk)
                for subset in itertools.combinations(others, k):
                    s = before | sum(1 << j for j in subset)
                    phi[:, i] += w * (v[:, s | (1 << i)] - v[:, s])
        before |= sum(1 << j for j in layer)
    return phi


def random_dag_pairs(rng, d: int, p: float = 0.35) -> list[tuple[int, int]]:
    """Random precedences a -> b (a < b in a random relabelling), so the relation is acyclic."""
    label = rng.permutation(d)
    return [
        (int(label[a]), int(label[b])) for a in range(d) for b in range(a + 1, d) if rng.random() < p
    ]


def structured_table(rng, d, n=2, n_rep=1, noise=0.3):
    """v(S): linear + pairwise + three-way terms + a small random table (every order present)."""
    z = np.array(list(itertools.product([0, 1], repeat=d)))[:, ::-1].astype(float)  # row c has code c
    assert np.array_equal(codes(z.astype(bool)), np.arange(2**d))
    out = np.empty((n, 2**d, n_rep))
    for r in range(n):
        beta = rng.normal(size=d)
        gam = rng.normal(size=(d, d)) * 0.5
        v = z @ beta + np.einsum("mi,ij,mj->m", z, np.triu(gam, 1), z)
        v += 1.5 * z[:, 0] * z[:, 1] * z[:, 2] - z[:, 3] * z[:, 4] * z[:, 5]
        v += noise * rng.normal(size=2**d)
        out[r] = v[:, None] + (0.05 * rng.normal(size=(2**d, n_rep)) if n_rep > 1 else 0.0)
    return out


def coverage_of_stderr(run, table, d: int, n_seeds: int, seed0: int = 100) -> tuple[float, int]:
    """Share of entries within ±1.96 stderr of the brute-force values over ``n_seeds`` runs
    ``run(table, seed)`` of a one-row table game, and the count of stderr == 0 with an error."""
    exact = brute_symmetric(table.mean(axis=2), d)[0]
    inside, zero_bad = [], 0
    for s in range(n_seeds):
        res = run(table, seed0 + s)
        err = np.abs(res.values[0] - exact)
        inside.append(np.mean(err <= 1.96 * res.stderr[0]))
        zero_bad += int(np.sum((res.stderr[0] == 0) & (err > 1e-9)))
    return float(np.mean(inside)), zero_bad


def check_layered_estimate(res, table, layers, exact) -> None:
    """A sampled layered estimate: total and within-layer efficiency exact (each layer's values
    sum to v(A ∪ L) − v(A)), every entry within 5 stderr of ``exact``, max error < 25 % of max |φ|."""
    np.testing.assert_allclose(res.values.sum(axis=1), table[:, -1, 0] - table[:, 0, 0], atol=1e-10)
    before = 0
    for lay in layers:
        code = before | sum(1 << j for j in lay)
        np.testing.assert_allclose(res.values[0, lay].sum(), table[0, code, 0] - table[0, before, 0], atol=1e-10)
        before = code
    z = np.abs(res.values - exact) / np.maximum(res.stderr, 1e-12)
    assert np.all(z < 5)
    assert np.max(np.abs(res.values - exact)) < 0.25 * np.max(np.abs(exact))
