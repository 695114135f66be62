"""The façade only wires: seeds spawned once, every estimator option reaches estimate_shapley."""

from __future__ import annotations

import numpy as np
import pytest

import causalx as cx
from causalx.datasets import make_lg_chain
from causalx.exceptions import ConvergenceWarning
from causalx.shapley import PartialOrder, resolve_method


@pytest.fixture(scope="module")
def chain():
    X, y, scm = make_lg_chain(400, random_state=0)
    beta = np.array([0.5, -1.0, 1.5, 0.3, 0.8])
    return X, scm.graph(), (lambda Z: Z @ beta)


def test_generator_random_state_is_drawn_once_in_fit(chain):
    X, graph, f = chain
    ex = cx.CausalExplainer(f, graph, value="causal", n_samples=200, method="permutation", n_permutations=8,
                            random_state=np.random.default_rng(3)).fit(X)
    a, b = ex.explain(X.iloc[:3]), ex.explain(X.iloc[:3])
    np.testing.assert_array_equal(a.values, b.values)  # the named seeds live on the fitted explainer


def test_int_random_state_reproduces_across_fits(chain):
    X, graph, f = chain
    kw = dict(value="conditional", n_samples=200, method="permutation", n_permutations=8, random_state=5)
    a = cx.CausalExplainer(f, graph, **kw).fit(X).explain(X.iloc[:3])
    b = cx.CausalExplainer(f, graph, **kw).fit(X).explain(X.iloc[:3])
    np.testing.assert_array_equal(a.values, b.values)


def test_decompose_with_sampling_honours_tol_and_max_evals(chain):
    """Before the consolidation, decompose=True with sampling used 10·d orderings whatever tol said."""
    X, graph, f = chain
    kw = dict(value="causal", n_samples=300, method="permutation", random_state=0)
    loose = cx.CausalExplainer(f, graph, tol=0.2, **kw).fit(X).explain(X.iloc[:4], decompose=True)
    tight = cx.CausalExplainer(f, graph, tol=0.02, **kw).fit(X).explain(X.iloc[:4], decompose=True)
    assert tight.provenance["n_orderings"] > loose.provenance["n_orderings"]
    for exp in (loose, tight):
        np.testing.assert_allclose(exp.direct + exp.indirect, exp.values, atol=1e-10)
        np.testing.assert_allclose(exp.values.sum(1), exp.output - exp.base_values, atol=1e-8)
    # against the exact estimator on the same draws: within the reported errors
    exact = cx.CausalExplainer(f, graph, value="causal", n_samples=300, method="exact",
                               random_state=0).fit(X).explain(X.iloc[:4], decompose=True)
    se = np.sqrt(tight.direct_stderr**2 + exact.direct_stderr**2)
    assert np.all(np.abs(tight.direct - exact.direct) <= 5 * se + 1e-9)
    with pytest.warns(ConvergenceWarning, match="max_evals=60"):
        capped = cx.CausalExplainer(f, graph, tol=1e-4, max_evals=60, **kw).fit(X).explain(X.iloc[:2],
                                                                                            decompose=True)
    assert capped.provenance["converged"] is False


def test_auto_rule_is_the_estimators(chain):
    X, graph, f = chain
    ex = cx.CausalExplainer(f, graph, value="marginal", max_evals=20).fit(X)
    assert ex.method_ == resolve_method(PartialOrder.symmetric(5), "auto", max_evals=20) == "adjusted"
    assert cx.CausalExplainer(f, graph, value="marginal").fit(X).method_ == "exact"


def test_components_are_the_graphs_columns(chain):
    X, graph, f = chain
    ex = cx.CausalExplainer(f, graph, value="causal", n_samples=50).fit(X)
    got = [(c.members.tolist(), c.parents.tolist(), c.confounded) for c in ex.components_]
    index = {n: i for i, n in enumerate(graph.nodes)}
    want = [([index[v] for v in c.nodes], sorted(index[p] for p in c.parents), c.confounded)
            for c in graph.components()]
    assert got == want
