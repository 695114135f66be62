"""The exact tree path agrees with the black-box exact estimator on the same background rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import (
    ExtraTreesClassifier,
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.linear_model import LinearRegression
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

import causalx as cx
from causalx.shapley import tree_marginal_shapley
from causalx.values import TreeUnsupportedError, extract_ensemble

D = 5
NAMES = [f"x{i}" for i in range(D)]


def _data(n=400, seed=0, nan=False):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, D))
    X[:, 1] = np.round(X[:, 1], 1)  # ties: explained values sitting on split thresholds
    y = X[:, 0] * X[:, 1] + np.sin(2 * X[:, 2]) + 0.5 * X[:, 3] ** 2
    if nan:
        X[rng.random(X.shape) < 0.05] = np.nan
    return pd.DataFrame(X, columns=NAMES), y


def _graph():
    return cx.CausalGraph(nodes=NAMES, edges=[("x0", "x1"), ("x1", "x2")])


def _pair(model, bg, rows, **kw):
    common = dict(value="marginal", method="exact", n_samples=len(bg), random_state=0, **kw)
    tree = cx.CausalExplainer(model, _graph(), algorithm="tree", **common).fit(bg).explain(rows)
    box = cx.CausalExplainer(model, _graph(), algorithm="blackbox", **common).fit(bg).explain(rows)
    return tree, box


CASES = [
    ("tree-regressor", lambda: DecisionTreeRegressor(max_depth=8, random_state=0), None, False),
    ("tree-classifier", lambda: DecisionTreeClassifier(max_depth=6, random_state=0), 1, False),
    ("forest-regressor", lambda: RandomForestRegressor(n_estimators=8, max_depth=6, random_state=0), None, False),
    ("forest-classifier", lambda: RandomForestClassifier(n_estimators=8, max_depth=5, random_state=0), 0, False),
    ("extra-trees-classifier", lambda: ExtraTreesClassifier(n_estimators=8, max_depth=5, random_state=0), 1, False),
    ("gradient-boosting", lambda: GradientBoostingRegressor(n_estimators=30, random_state=0), None, False),
    ("hist-gradient-boosting-nan", lambda: HistGradientBoostingRegressor(max_iter=40, random_state=0), None, True),
    ("tree-regressor-nan", lambda: DecisionTreeRegressor(max_depth=8, random_state=0), None, True),
]


@pytest.mark.parametrize("name, make, output, nan", CASES, ids=[c[0] for c in CASES])
def test_tree_path_equals_blackbox_exact(name, make, output, nan):
    X, y = _data(nan=nan)
    if output is not None:
        y = (y > np.median(y)).astype(int)
    model = make().fit(X, y)  # fitted on a DataFrame: columns are mapped by name
    X = X.dropna()  # the façade refuses NaN; NaN routing is tested below, on the engine
    bg, rows = X.iloc[:40], X.iloc[250:256]
    tree, box = _pair(model, bg, rows, output=output)
    assert tree.provenance["method"] == "tree"
    assert box.provenance["method"] == "exact"
    np.testing.assert_allclose(tree.values, box.values, rtol=0, atol=1e-9)
    np.testing.assert_allclose(tree.stderr, box.stderr, rtol=0, atol=1e-9)
    np.testing.assert_allclose(tree.base_values, box.base_values, rtol=0, atol=1e-9)
    np.testing.assert_allclose(tree.values.sum(1), tree.output - tree.base_values, rtol=0, atol=1e-8)
    assert tree.provenance["n_model_evals"] == len(rows) + len(bg)


def test_auto_uses_tree_path_only_where_it_applies():
    X, y = _data()
    hgb = HistGradientBoostingRegressor(max_iter=20, random_state=0).fit(X.to_numpy(), y)
    kw = dict(value="marginal", n_samples=30)
    assert cx.CausalExplainer(hgb, _graph(), **kw).fit(X).algorithm_ == "tree"
    assert cx.CausalExplainer(hgb, _graph(), method="permutation", **kw).fit(X).algorithm_ == "blackbox"
    assert cx.CausalExplainer(hgb, _graph(), asymmetric=True, **kw).fit(X).algorithm_ == "blackbox"
    assert cx.CausalExplainer(hgb, _graph(), value="causal", n_samples=30).fit(X).algorithm_ == "blackbox"
    lin = LinearRegression().fit(X, y)
    assert cx.CausalExplainer(lin, _graph(), **kw).fit(X).algorithm_ == "blackbox"
    clf = HistGradientBoostingClassifier(max_iter=10).fit(X, y > 0)
    assert cx.CausalExplainer(clf, _graph(), output=1, **kw).fit(X).algorithm_ == "blackbox"


@pytest.mark.parametrize(
    "make, kw, match",
    [
        (lambda X, y: LinearRegression().fit(X, y), {}, "not a supported tree model"),
        (lambda X, y: HistGradientBoostingClassifier(max_iter=5).fit(X, y > 0), {"output": 1}, "sigmoid/softmax"),
        (lambda X, y: HistGradientBoostingRegressor(max_iter=5, loss="poisson").fit(X, np.exp(y / 4)), {},
         "non-identity link"),
        (lambda X, y: DecisionTreeRegressor(max_depth=3).fit(X, y), {"value": "causal"}, "marginal values only"),
        (lambda X, y: DecisionTreeRegressor(max_depth=3).fit(X, y), {"asymmetric": True}, "symmetric values only"),
        (lambda X, y: DecisionTreeRegressor(max_depth=3).fit(X, y), {"method": "kernel"}, "the tree path is exact"),
    ],
)
def test_algorithm_tree_refuses_with_the_reason(make, kw, match):
    X, y = _data()
    model = make(X.to_numpy(), y)
    kw = {"value": "marginal", "n_samples": 30, **kw}
    with pytest.raises(ValueError, match=match):
        cx.CausalExplainer(model, _graph(), algorithm="tree", **kw).fit(X)


def test_numpy_engine_equals_numba_engine():
    X, y = _data(nan=True)
    model = HistGradientBoostingRegressor(max_iter=15, random_state=0).fit(X.to_numpy(), y)
    ens = extract_ensemble(model, NAMES)
    Z, rows = X.to_numpy()[:25], X.to_numpy()[300:305]
    groups = np.arange(25) % 4
    a = tree_marginal_shapley(ens, rows, Z, groups=groups, n_groups=4, engine="numpy")
    b = tree_marginal_shapley(ens, rows, Z, groups=groups, n_groups=4, engine="numba")
    c = tree_marginal_shapley(ens, rows, Z, groups=groups, n_groups=4, engine="numba", n_jobs=2)
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(b, c)  # threads do not change the numbers


@pytest.mark.parametrize("make", [lambda: HistGradientBoostingRegressor(max_iter=20, random_state=0),
                                  lambda: DecisionTreeRegressor(max_depth=8, random_state=0)])
def test_missing_values_follow_the_model(make):
    from causalx.shapley import PartialOrder, apply_plan, exact_plan
    from causalx.values import Game, MarginalFiller, ModelFunction

    X, y = _data(nan=True)
    Xa = X.to_numpy()
    model = make().fit(Xa, y)
    bg, rows = Xa[:30], Xa[300:308]
    assert np.isnan(bg).any() and np.isnan(rows).any()
    plan = exact_plan(PartialOrder.symmetric(D))
    game = Game(ModelFunction(model, NAMES), rows, MarginalFiller(bg), n_replicates=1)
    ref = apply_plan(plan, game(plan.masks)).values
    phi = tree_marginal_shapley(extract_ensemble(model, NAMES), rows, bg)[:, 0] / len(bg)
    np.testing.assert_allclose(phi, ref, rtol=0, atol=1e-9)


def test_boosted_classifier_raw_decision_function():
    X, y = _data()
    Xa, lab = X.to_numpy(), (y > np.median(y)).astype(int)
    for model in (HistGradientBoostingClassifier(max_iter=20, random_state=0).fit(Xa, lab),
                  GradientBoostingClassifier(n_estimators=20, random_state=0).fit(Xa, lab)):
        with pytest.raises(TreeUnsupportedError):
            extract_ensemble(model, NAMES, kind="proba", column=1)
        ens = extract_ensemble(model, NAMES, raw=True)
        assert ens.explains == "decision_function"
        bg, rows = Xa[:30], Xa[300:304]
        phi = tree_marginal_shapley(ens, rows, bg)[:, 0] / len(bg)
        box = cx.CausalExplainer(model.decision_function, _graph(), value="marginal", method="exact",
                                 algorithm="blackbox", n_samples=30).fit(bg).explain(rows)
        np.testing.assert_allclose(phi, box.values, rtol=0, atol=1e-9)


def test_hist_gradient_boosting_is_exact_where_shap_tree_explainer_is_not(record_property):
    shap = pytest.importorskip("shap")
    rng = np.random.default_rng(3)
    d = 10
    X = rng.normal(size=(1500, d))
    y = X @ rng.normal(size=d) + X[:, 0] * X[:, 1] + np.sin(2 * X[:, 2]) + 0.5 * X[:, 3] ** 2
    model = HistGradientBoostingRegressor(max_iter=100, random_state=0).fit(X, y)
    bg, rows = X[:100], X[1000:1002]
    names = [f"X{i}" for i in range(d)]
    graph = cx.CausalGraph(nodes=names, edges=[])
    common = dict(value="marginal", method="exact", n_samples=100)
    tree = cx.CausalExplainer(model, graph, algorithm="tree", **common).fit(bg).explain(rows)
    box = cx.CausalExplainer(model, graph, algorithm="blackbox", **common).fit(bg).explain(rows)
    ours = float(np.abs(tree.values - box.values).max())
    ref = shap.TreeExplainer(model, data=bg, feature_perturbation="interventional")(rows, check_additivity=False)
    theirs = float(np.abs(ref.values - box.values).max())
    record_property("shap_tree_explainer_max_abs_error", theirs)
    print(f"HGB d=10: causalx tree path error {ours:.1e}, shap TreeExplainer error {theirs:.3g}")
    assert ours <= 1e-9
    np.testing.assert_allclose(tree.values.sum(1), tree.output - tree.base_values, atol=1e-8)


def test_weights_are_the_shapley_values_of_a_path_game():
    # brute force: g(S) = 1[A ⊆ S, B ∩ S = ∅] with A = {0, 1}, B = {2}
    import itertools
    from math import factorial

    from causalx.shapley._tree import _weights

    wa, wb = _weights(4)
    A, B, n = {0, 1}, {2}, 3
    phi = np.zeros(n)
    for perm in itertools.permutations(range(n)):
        S = set()
        for i in perm:
            before = A <= S and not (B & S)
            S.add(i)
            phi[i] += (A <= S and not (B & S)) - before
    phi /= factorial(n)
    np.testing.assert_allclose(phi, [wa[2, 1], wa[2, 1], -wb[2, 1]], atol=1e-15)
