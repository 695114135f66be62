"""Fixtures for the sampler tests: small graphs and data sets with known structure."""

from __future__ import annotations

import numpy as np
import pytest

from causalx.graph import CausalGraph


def make_graph(*args, **kwargs):
    """Build a CausalGraph (the helper keeps the tests independent of how it is spelled)."""
    return CausalGraph(*args, **kwargs)


@pytest.fixture(scope="session")
def graph_factory():
    """``graph_factory(nodes, edges, confounded=..., components=...)`` builds a CausalGraph."""
    return make_graph


def nonlinear_scm(n, rng, noise=0.1, noise2=None):
    """X1 ~ U(-1, 1); X2 = sin(2 X1) + noise2 e2; X3 = X1**2 + X2 + noise e3 (noise2=noise by default)."""
    noise2 = noise if noise2 is None else noise2
    x1 = rng.uniform(-1, 1, size=n)
    x2 = np.sin(2 * x1) + noise2 * rng.normal(size=n)
    x3 = x1**2 + x2 + noise * rng.normal(size=n)
    return np.column_stack([x1, x2, x3])


@pytest.fixture(scope="session")
def scm_factory():
    """``scm_factory(n, rng, noise=0.1)`` draws from the nonlinear SCM of ``nonlinear_scm``."""
    return nonlinear_scm


@pytest.fixture(scope="session")
def scm_data():
    return nonlinear_scm(2000, np.random.default_rng(0))


@pytest.fixture(scope="session")
def scm_graph():
    return make_graph(["X1", "X2", "X3"], [("X1", "X2"), ("X1", "X3"), ("X2", "X3")])


@pytest.fixture(scope="session")
def gaussian_data():
    """Correlated 4-D Gaussian data with a known covariance."""
    rng = np.random.default_rng(1)
    B = np.array([[1.0, 0, 0, 0], [0.8, 0.6, 0, 0], [0.3, -0.5, 0.7, 0], [0.2, 0.1, 0.4, 0.9]])
    X = rng.normal(size=(3000, 4)) @ B.T + np.array([1.0, -2.0, 0.5, 3.0])
    return X
