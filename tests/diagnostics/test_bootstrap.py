"""Bootstrap intervals of Shapley values reach nominal coverage on a linear-Gaussian case."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import causalx as cx
from causalx.explain import BootstrapResult, bootstrap_explanation

W = np.array([1.0, -2.0, 0.5])
MU = np.array([1.0, 0.0, -1.0])
SD = np.array([1.0, 0.5, 2.0])
GRAPH = cx.CausalGraph(nodes=["a", "b", "c"], edges=[])
XE = pd.DataFrame(MU + SD * np.array([[1.0, -1.0, 0.5], [-0.5, 2.0, 1.0]]), columns=list("abc"))


def _coverage(n_datasets, n_boot, n_rows=100):
    rng = np.random.default_rng(2024)
    f = lambda Z: Z @ W  # noqa: E731
    true = W * (XE.to_numpy() - MU)  # marginal value with known population mean
    hits = []
    for s in range(n_datasets):
        X = pd.DataFrame(MU + SD * rng.standard_normal((n_rows, 3)), columns=list("abc"))
        ex = cx.CausalExplainer(f, GRAPH, value="marginal", n_samples=n_rows, random_state=s)
        r = bootstrap_explanation(ex, X, XE, n_boot=n_boot, random_state=s)
        hits.append(((r.lower <= true) & (true <= r.upper))[0])  # rows share the error: one row per data set
    return np.mean(hits)


def test_coverage_is_nominal():
    cov = _coverage(120, 40)
    assert abs(cov - 0.95) <= 0.05, cov


@pytest.mark.slow
def test_coverage_is_nominal_long():
    cov = _coverage(250, 60)
    assert abs(cov - 0.95) <= 0.04, cov


def test_result_fields_refit_and_parallel():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(80, 3)), columns=list("abc"))
    y = X.to_numpy() @ W + 0.5 * rng.normal(size=80)
    from sklearn.linear_model import LinearRegression

    def refit(Xb, yb):
        return LinearRegression().fit(Xb.to_numpy(), yb)

    ex = cx.CausalExplainer(refit(X, y), GRAPH, value="marginal", random_state=0)
    r = bootstrap_explanation(ex, X, XE, n_boot=10, refit=refit, y=y, random_state=1)
    assert isinstance(r, BootstrapResult) and r.replicates.shape == (10, 2, 3)
    np.testing.assert_allclose(r.total_stderr, r.replicates.std(0, ddof=1))
    np.testing.assert_allclose(r.resampling_stderr**2, np.clip(r.total_stderr**2 - r.mc_stderr**2, 0, None))
    assert np.all(r.lower < r.values) and np.all(r.values < r.upper)
    rp = bootstrap_explanation(ex, X, XE, n_boot=10, refit=refit, y=y, random_state=1, n_jobs=2)
    np.testing.assert_allclose(rp.replicates, r.replicates)
    assert len(r.to_frame()) == 6
    with pytest.raises(ValueError, match="pass y="):
        bootstrap_explanation(ex, X, XE, refit=refit)
