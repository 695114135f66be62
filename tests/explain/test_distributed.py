"""backend="dask": explained rows as tasks on a local cluster of 2 worker processes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import causalx as cx

distributed = pytest.importorskip("distributed")


def test_dask_backend_without_a_client_says_how_to_get_one():
    model, graph, X = _problem()
    try:  # runs before the module's cluster fixture is created
        distributed.get_client()
        pytest.skip("a default client is active in this process")
    except ValueError:
        pass
    ex = cx.CausalExplainer(model, graph, value="causal", method="exact", n_samples=8, backend="dask").fit(X)
    with pytest.raises(RuntimeError, match="no active Dask client"):
        ex.explain(X.iloc[:3])


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                       dashboard_address=None, silence_logs=50)
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def _problem():
    rng = np.random.default_rng(0)
    names = ["a", "b", "c", "d"]
    X = pd.DataFrame(rng.normal(size=(300, 4)), columns=names)
    X["b"] += 0.8 * X["a"]
    X["c"] += 0.5 * X["b"]
    graph = cx.CausalGraph(nodes=names, edges=[("a", "b"), ("b", "c")])
    y = X["a"] * X["b"] + np.sin(X["c"]) - X["d"]

    from sklearn.ensemble import RandomForestRegressor

    model = RandomForestRegressor(n_estimators=10, max_depth=5, random_state=0).fit(X.to_numpy(), y)
    return model, graph, X


@pytest.mark.parametrize(
    "kw",
    [
        dict(value="causal", sampler="gaussian", method="exact", n_samples=64),
        dict(value="marginal", method="permutation", n_permutations=8, n_samples=50),
        dict(value="causal", sampler="gaussian", method="exact", n_samples=32, asymmetric=True),
    ],
    ids=["causal-exact", "marginal-permutation", "asymmetric"],
)
def test_dask_backend_equals_n_jobs_1(client, kw):
    model, graph, X = _problem()
    rows = X.iloc[:7]
    local = cx.CausalExplainer(model, graph, n_jobs=1, **kw).fit(X).explain(rows)
    remote = cx.CausalExplainer(model, graph, backend="dask", **kw).fit(X).explain(rows)
    np.testing.assert_allclose(remote.values, local.values, rtol=0, atol=1e-12)
    np.testing.assert_allclose(remote.stderr, local.stderr, rtol=0, atol=1e-12)
    np.testing.assert_allclose(remote.base_values, local.base_values, rtol=0, atol=1e-12)
    assert remote.provenance["n_model_evals"] == local.provenance["n_model_evals"]


def test_dask_backend_decompose(client):
    model, graph, X = _problem()
    kw = dict(value="causal", method="exact", n_samples=32)
    local = cx.CausalExplainer(model, graph, **kw).fit(X).explain(X.iloc[:4], decompose=True)
    remote = cx.CausalExplainer(model, graph, backend="dask", **kw).fit(X).explain(X.iloc[:4], decompose=True)
    np.testing.assert_allclose(remote.direct, local.direct, rtol=0, atol=1e-12)
    np.testing.assert_allclose(remote.indirect, local.indirect, rtol=0, atol=1e-12)
