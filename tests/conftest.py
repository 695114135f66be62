"""Shared fixtures: small graphs, linear-Gaussian SCMs with known coefficients, seeded data."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


@pytest.fixture(scope="session")
def lg_chain():
    """The README's five-node example: (X, y, scm) with a hidden cause of X1 and X4."""
    from causalx.datasets import make_lg_chain

    return make_lg_chain(600, random_state=7)


class LinearModel:
    """f(x) = b + wᵀx with a sklearn-like predict (an independent oracle for closed forms)."""

    def __init__(self, w, b=0.0):
        self.w = np.asarray(w, dtype=float)
        self.b = float(b)

    def predict(self, X):
        return np.asarray(X, dtype=float) @ self.w + self.b


@pytest.fixture
def linear_model():
    return LinearModel
