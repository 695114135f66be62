"""``diagnose(max_rows=...)``: the graph tests run on a seeded subsample, VIF and near copies on every row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from causalx.diagnostics import diagnose, falsify_graph
from causalx.diagnostics.collinearity import variance_inflation
from causalx.graph import CausalGraph


@pytest.fixture(scope="module")
def chain():
    rng = np.random.default_rng(3)
    n = 3000
    a = rng.normal(size=n)
    b = 0.8 * a + 0.6 * rng.normal(size=n)
    c = 0.7 * b + 0.7 * rng.normal(size=n)
    d = rng.normal(size=n)
    X = pd.DataFrame({"a": a, "b": b, "c": c, "d": d})
    g = CausalGraph(["a", "b", "c", "d"], edges=[("a", "b"), ("b", "c")])
    return g, X


def test_the_tests_run_on_the_documented_subsample_and_vif_on_every_row(chain):
    g, X = chain
    res = diagnose(g, X, n_permutations=0, discovery=False, max_rows=500, random_state=7)
    assert (res.n_rows, res.n_rows_tested) == (3000, 500)
    # the rows: a seeded draw without replacement from the int seed's own stream
    pick = np.sort(np.random.default_rng([7, 1]).choice(3000, size=500, replace=False))
    direct = falsify_graph(g, X.iloc[pick], n_permutations=0, random_state=7)
    assert [t.p_value for t in res.falsification.tests] == [t.p_value for t in direct.tests]
    full = falsify_graph(g, X, n_permutations=0, random_state=7)
    assert [t.p_value for t in res.falsification.tests] != [t.p_value for t in full.tests]
    vif_full = variance_inflation(X.to_numpy(), feature_names=g.nodes)
    np.testing.assert_allclose(res.variance_inflation.vif, vif_full.vif, rtol=1e-12)
    d = res.to_dict()
    assert (d["n_rows"], d["n_rows_tested"]) == (3000, 500)


def test_no_subsample_below_max_rows_and_bad_values_refused(chain):
    g, X = chain
    res = diagnose(g, X, n_permutations=0, discovery=False, max_rows=5000)
    assert (res.n_rows, res.n_rows_tested) == (3000, 3000)
    full = falsify_graph(g, X, n_permutations=0, random_state=0)
    assert [t.p_value for t in res.falsification.tests] == [t.p_value for t in full.tests]
    for bad in (5, 2.5, True, "100"):
        with pytest.raises(ValueError, match="max_rows"):
            diagnose(g, X, n_permutations=0, discovery=False, max_rows=bad)
