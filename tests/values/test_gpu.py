"""torch modules as models: batched no-grad float32 forward passes on the module's device."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import causalx as cx
from causalx.values import ModelFunction

torch = pytest.importorskip("torch")


def _mlp(d=4, seed=0):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(d, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1)).eval()


def _reference(module, X):
    with torch.no_grad():
        return module(torch.as_tensor(X, dtype=torch.float32)).double().numpy()[:, 0]


def test_torch_module_on_cpu_is_batched_and_counted():
    module = _mlp()
    X = np.random.default_rng(0).normal(size=(1000, 4))
    f = ModelFunction(module, ["a", "b", "c", "d"])
    f.torch_batch_rows = 128  # several batches
    out = f(X)
    assert out.dtype == np.float64 and out.shape == (1000,)
    np.testing.assert_allclose(out, _reference(module, X), rtol=1e-6, atol=1e-6)
    assert f.n_evals == 1000


def test_torch_module_output_column():
    torch.manual_seed(0)
    module = torch.nn.Linear(3, 2)
    X = np.random.default_rng(1).normal(size=(10, 3))
    out = ModelFunction(module, ["a", "b", "c"], output=1)(X)
    with torch.no_grad():
        ref = module(torch.as_tensor(X, dtype=torch.float32)).double().numpy()[:, 1]
    np.testing.assert_allclose(out, ref, rtol=1e-6)


def test_torch_module_in_the_explainer_satisfies_efficiency():
    module = _mlp()
    rng = np.random.default_rng(2)
    X = pd.DataFrame(rng.normal(size=(200, 4)), columns=["a", "b", "c", "d"])
    graph = cx.CausalGraph(nodes=list(X.columns), edges=[("a", "b")])
    exp = cx.CausalExplainer(module, graph, value="causal", method="exact", n_samples=64).fit(X).explain(X.iloc[:3])
    np.testing.assert_allclose(exp.values.sum(1), exp.output - exp.base_values, atol=1e-8)
    assert exp.provenance["method"] == "exact"


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_torch_module_on_cuda_matches_cpu():
    module = _mlp()
    X = np.random.default_rng(3).normal(size=(5000, 4))
    cpu = ModelFunction(module, ["a", "b", "c", "d"])(X)
    gpu = ModelFunction(_mlp().to("cuda"), ["a", "b", "c", "d"])(X)
    np.testing.assert_allclose(gpu, cpu, rtol=1e-4, atol=1e-5)
    rng = np.random.default_rng(4)
    frame = pd.DataFrame(rng.normal(size=(300, 4)), columns=["a", "b", "c", "d"])
    graph = cx.CausalGraph(nodes=list(frame.columns), edges=[("a", "b"), ("b", "c")])
    kw = dict(value="causal", method="exact", n_samples=128, random_state=0)
    e_cpu = cx.CausalExplainer(_mlp(), graph, **kw).fit(frame).explain(frame.iloc[:4])
    e_gpu = cx.CausalExplainer(_mlp().to("cuda"), graph, **kw).fit(frame).explain(frame.iloc[:4])
    np.testing.assert_allclose(e_gpu.values, e_cpu.values, atol=1e-4)
