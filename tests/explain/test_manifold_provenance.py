"""Every explanation reports how many model-evaluated rows break constraints or leave the data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import RandomForestRegressor

import causalx as cx


@pytest.fixture(scope="module")
def orbitals():
    # LUMO = HOMO + a positive gap: a row with LUMO < HOMO is physically impossible
    rng = np.random.default_rng(0)
    homo = rng.normal(-6.0, 0.8, 800)
    lumo = homo + rng.uniform(0.2, 1.0, 800)
    X = pd.DataFrame({"HOMO": homo, "LUMO": lumo})
    y = lumo - homo + 0.1 * rng.standard_normal(800)
    graph = cx.CausalGraph(nodes=["HOMO", "LUMO"], edges=[("HOMO", "LUMO")], constraints=["LUMO >= HOMO"])
    model = RandomForestRegressor(n_estimators=20, max_depth=6, random_state=0).fit(X, y)
    return X, graph, model


def test_marginal_rows_break_the_constraint_and_causal_rows_much_less(orbitals):
    X, graph, model = orbitals
    assert graph.constraints[0].evaluate(X.to_numpy(), list(X.columns)).all()  # the data never do
    kw = dict(n_samples=300, random_state=0)
    tree = cx.CausalExplainer(model, graph, value="marginal", **kw).fit(X).explain(X.iloc[:20])
    box = cx.CausalExplainer(model, graph, value="marginal", algorithm="blackbox", **kw).fit(X).explain(X.iloc[:20])
    cond = cx.CausalExplainer(model, graph, value="conditional", **kw).fit(X).explain(X.iloc[:20])
    causal = cx.CausalExplainer(model, graph, value="causal", **kw).fit(X).explain(X.iloc[:20])
    mt, mb, mc, mi = (e.provenance["manifold"] for e in (tree, box, cond, causal))
    assert tree.provenance["method"] == "tree" and mb["n_rows"] >= 1000
    # mixing HOMO of one molecule with LUMO of another gives impossible rows; recomputed here
    rows_share = mb["constraint_violation_share"]
    assert rows_share > 0.1
    assert mb["constraint_shares"]["LUMO >= HOMO"] == pytest.approx(rows_share)
    # the tree path checks the same kind of hybrid rows as the black-box path
    assert mt["constraint_violation_share"] == pytest.approx(rows_share, abs=0.06)
    # the Gaussian conditional draws LUMO given HOMO and HOMO given LUMO: far fewer impossible rows
    assert mc["constraint_violation_share"] < rows_share / 3
    # do(LUMO) leaves HOMO at its marginal (an intervention may break the relation), do(HOMO)
    # moves LUMO with it: about half the marginal share, never more
    assert mc["constraint_violation_share"] < mi["constraint_violation_share"] <= rows_share + 0.03


def test_check_manifold_can_be_switched_off(orbitals):
    X, graph, model = orbitals
    e = cx.CausalExplainer(model, graph, value="marginal", algorithm="blackbox", check_manifold=False,
                           n_samples=50).fit(X).explain(X.iloc[:3])
    assert e.provenance["manifold"] is None
