"""The exact tree path of XGBoost, LightGBM and CatBoost models agrees with the black-box exact
marginal values over the same background rows, on the model's own (raw-margin) prediction."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

import causalx as cx
from causalx.shapley import tree_marginal_shapley
from causalx.values import ModelFunction, TreeUnsupportedError, extract_ensemble

D = 6
NAMES = [f"x{i}" for i in range(D)]
FIT_ORDER = ["x3", "x5", "x0", "x4", "x1", "x2"]  # the models see the columns in another order


def _data(n=500, seed=0, nan=False):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, D))
    X[:, 1] = np.round(X[:, 1], 1)  # ties: rows sitting on split thresholds
    X[:, 4] = np.where(rng.random(n) < 0.3, 0.0, X[:, 4])  # exact zeros (LightGBM's zero_as_missing)
    y = X[:, 0] * X[:, 1] + np.sin(2 * X[:, 2]) + 0.5 * X[:, 3] ** 2 + X[:, 4]
    if nan:
        X[rng.random(X.shape) < 0.08] = np.nan
    return pd.DataFrame(X, columns=NAMES), y


def _graph():
    return cx.CausalGraph(nodes=NAMES, edges=[("x0", "x1"), ("x1", "x2")])


def _xgb(clf, **kw):
    xgb = pytest.importorskip("xgboost")
    cls = xgb.XGBClassifier if clf else xgb.XGBRegressor
    return cls(n_estimators=30, max_depth=4, learning_rate=0.3, random_state=0, n_jobs=1, **kw)


def _lgb(clf, **kw):
    lgb = pytest.importorskip("lightgbm")
    cls = lgb.LGBMClassifier if clf else lgb.LGBMRegressor
    return cls(n_estimators=30, num_leaves=12, random_state=0, n_jobs=1, verbose=-1, **kw)


def _cb(clf, **kw):
    cb = pytest.importorskip("catboost")
    cls = cb.CatBoostClassifier if clf else cb.CatBoostRegressor
    return cls(iterations=30, depth=4, random_seed=0, thread_count=1, verbose=0, allow_writing_files=False, **kw)


def _margin(model, X: pd.DataFrame, raw=True) -> np.ndarray:
    """The model's own prediction (the raw margin of a classifier), asked of the library directly."""
    root = type(model).__module__.split(".")[0]
    X = X[FIT_ORDER]
    if not raw:
        return model.predict(X)
    if root == "xgboost":
        return model.predict(X, output_margin=True)
    if root == "lightgbm":
        return model.predict(X, raw_score=True)
    return model.predict(X, prediction_type="RawFormulaVal")


CASES = [
    ("xgboost-regressor", _xgb, False, {}),
    ("xgboost-classifier", _xgb, True, {}),
    ("lightgbm-regressor", _lgb, False, {}),
    ("lightgbm-classifier", _lgb, True, {}),
    ("lightgbm-zero-as-missing", _lgb, False, {"zero_as_missing": True}),
    ("lightgbm-rf", _lgb, False, {"boosting_type": "rf", "bagging_freq": 1, "bagging_fraction": 0.7}),
    ("lightgbm-rf-classifier", _lgb, True, {"boosting_type": "rf", "bagging_freq": 1, "bagging_fraction": 0.7}),
    ("catboost-regressor", _cb, False, {}),
    ("catboost-classifier", _cb, True, {}),
    ("catboost-depthwise", _cb, False, {"grow_policy": "Depthwise"}),
]
IDS = [c[0] for c in CASES]


def _fit(make, clf, kw, nan=False):
    X, y = _data(nan=nan)
    model = make(clf, **kw)
    target = (y > np.median(y)).astype(int) if clf else y
    return model.fit(X[FIT_ORDER], target), X


def _tol(name, phi):
    # XGBoost sums its float32 leaves in float32; LightGBM and CatBoost sum in double
    return (1e-4 if name.startswith("xgboost") else 1e-9) * max(1.0, float(np.abs(phi).max()))


@pytest.mark.parametrize("name, make, clf, kw", CASES, ids=IDS)
def test_tree_path_equals_blackbox_exact(name, make, clf, kw):
    model, X = _fit(make, clf, kw)
    bg, rows = X.iloc[:40], X.iloc[300:305]
    common = dict(value="marginal", method="exact", n_samples=len(bg), random_state=0, raw=clf)
    tree = cx.CausalExplainer(model, _graph(), algorithm="tree", **common).fit(bg).explain(rows)
    box = cx.CausalExplainer(model, _graph(), algorithm="blackbox", **common).fit(bg).explain(rows)
    assert tree.provenance["method"] == "tree" and box.provenance["method"] == "exact"
    tol = _tol(name, box.values)
    np.testing.assert_allclose(tree.values, box.values, rtol=0, atol=tol)
    np.testing.assert_allclose(tree.stderr, box.stderr, rtol=0, atol=tol)
    np.testing.assert_allclose(tree.base_values, box.base_values, rtol=0, atol=1e-12)
    # efficiency, on the model's own prediction (the raw margin of a classifier)
    own = _margin(model, rows, raw=clf)
    np.testing.assert_allclose(tree.values.sum(1) + tree.base_values, own, rtol=0, atol=tol)
    np.testing.assert_allclose(tree.base_values, _margin(model, bg, raw=clf).mean(), rtol=0, atol=1e-6)


def _bruteforce_marginal(f, X, Z):
    """Exact marginal Shapley values of f over the background Z, by enumerating coalitions."""
    n, d = X.shape
    v = {}
    for S in itertools.product([False, True], repeat=d):
        mask = np.array(S)
        hybrid = np.where(mask[None, None, :], X[:, None, :], Z[None, :, :]).reshape(-1, d)
        v[S] = f(hybrid).reshape(n, Z.shape[0]).mean(1)
    phi = np.zeros((n, d))
    for S, val in v.items():
        s = sum(S)
        for i in range(d):
            if not S[i]:
                T = S[:i] + (True,) + S[i + 1:]
                phi[:, i] += math.factorial(s) * math.factorial(d - s - 1) / math.factorial(d) * (v[T] - val)
    return phi, v[(False,) * d], v[(True,) * d]


@pytest.mark.parametrize("name, make, clf, kw", CASES, ids=IDS)
def test_missing_values_follow_the_model(name, make, clf, kw):
    """NaN in the training data and in the explained and background rows (the façade refuses NaN,
    so this is the engine against a brute-force black box over the model's own margin)."""
    model, X = _fit(make, clf, kw, nan=True)
    f = ModelFunction(model, NAMES, raw=clf)
    ens = extract_ensemble(model, NAMES, kind=f.kind, column=f.column)
    Z, rows = X.to_numpy()[:30], X.to_numpy()[300:305]
    assert np.isnan(Z).any() and np.isnan(rows).any()
    ref, base, full = _bruteforce_marginal(f, rows, Z)
    tol = _tol(name, ref)
    for engine in ("numba", "numpy"):
        phi = tree_marginal_shapley(ens, rows, Z, engine=engine).sum(1) / Z.shape[0]
        np.testing.assert_allclose(phi, ref, rtol=0, atol=tol)
        np.testing.assert_allclose(phi.sum(1) + base, full, rtol=0, atol=tol)


@pytest.mark.parametrize("make", [_xgb, _lgb, _cb], ids=["xgboost", "lightgbm", "catboost"])
def test_multiclass_margin_per_class(make):
    X, y = _data()
    model = make(True).fit(X[FIT_ORDER], np.digitize(y, [0.0, 1.5]))
    with pytest.raises(TreeUnsupportedError, match="one per class"):
        extract_ensemble(model, NAMES, kind="raw")
    bg, rows = X.iloc[:30], X.iloc[300:304]
    common = dict(value="marginal", method="exact", n_samples=len(bg), random_state=0, raw=True, output=2)
    tree = cx.CausalExplainer(model, _graph(), **common).fit(bg)
    assert tree.algorithm_ == "tree"
    t = tree.explain(rows)
    b = cx.CausalExplainer(model, _graph(), algorithm="blackbox", **common).fit(bg).explain(rows)
    np.testing.assert_allclose(t.values, b.values, rtol=0, atol=1e-4 * np.abs(b.values).max())
    assert t.provenance["explains"].endswith("[:, 2]")


@pytest.mark.parametrize("make", [_xgb, _lgb, _cb], ids=["xgboost", "lightgbm", "catboost"])
def test_auto_picks_the_tree_path_for_margins_only(make):
    X, y = _data()
    kw = dict(value="marginal", n_samples=30)
    reg = make(False).fit(X[FIT_ORDER], y)
    assert cx.CausalExplainer(reg, _graph(), **kw).fit(X).algorithm_ == "tree"
    assert cx.CausalExplainer(reg, _graph(), method="permutation", **kw).fit(X).algorithm_ == "blackbox"
    clf = make(True).fit(X[FIT_ORDER], y > 0)
    # the probability is a sigmoid of the sum of trees: black box; the raw margin: tree path
    assert cx.CausalExplainer(clf, _graph(), output=1, **kw).fit(X).algorithm_ == "blackbox"
    assert cx.CausalExplainer(clf, _graph(), raw=True, **kw).fit(X).algorithm_ == "tree"
    with pytest.raises(ValueError, match="sigmoid/softmax"):
        cx.CausalExplainer(clf, _graph(), output=1, algorithm="tree", **kw).fit(X)


def test_sklearn_boosted_classifier_raw_margin_through_the_explainer():
    from sklearn.ensemble import HistGradientBoostingClassifier

    X, y = _data()
    model = HistGradientBoostingClassifier(max_iter=15, random_state=0).fit(X, y > 0)
    bg, rows = X.iloc[:30], X.iloc[300:304]
    common = dict(value="marginal", method="exact", n_samples=len(bg), random_state=0, raw=True)
    tree = cx.CausalExplainer(model, _graph(), **common).fit(bg)
    assert tree.algorithm_ == "tree"
    t = tree.explain(rows)
    b = cx.CausalExplainer(model, _graph(), algorithm="blackbox", **common).fit(bg).explain(rows)
    np.testing.assert_allclose(t.values, b.values, rtol=0, atol=1e-9)
    np.testing.assert_allclose(t.values.sum(1) + t.base_values, model.decision_function(rows), atol=1e-9)


def _lgb_categorical(X, y):
    Xc = X[FIT_ORDER].copy()
    Xc["x1"] = np.round(Xc["x1"]).clip(-2, 2) + 2  # small non-negative integers
    return _lgb(False).fit(Xc, y, categorical_feature=["x1"])


UNSUPPORTED = [
    ("xgboost-poisson", lambda X, y: _xgb(False, objective="count:poisson").fit(X[FIT_ORDER], np.exp(y / 4)),
     "non-identity link", True),
    ("xgboost-dart", lambda X, y: _xgb(False, booster="dart").fit(X[FIT_ORDER], y), "booster='dart'", True),
    ("lightgbm-categorical", _lgb_categorical, "categorical splits", True),
    ("lightgbm-linear-tree", lambda X, y: _lgb(False, linear_tree=True).fit(X[FIT_ORDER], y), "linear trees", True),
    ("lightgbm-poisson", lambda X, y: _lgb(False, objective="poisson").fit(X[FIT_ORDER], np.exp(y / 4)),
     "non-identity link", True),
    ("catboost-poisson", lambda X, y: _cb(False, loss_function="Poisson").fit(X[FIT_ORDER], np.round(np.exp(y / 4))),
     "non-identity link", True),
]


@pytest.mark.parametrize("name, make, match, evaluable", UNSUPPORTED, ids=[u[0] for u in UNSUPPORTED])
def test_unsupported_models_raise_with_the_reason_and_auto_falls_back(name, make, match, evaluable):
    X, y = _data()
    model = make(X, y)
    with pytest.raises(TreeUnsupportedError, match=match):
        extract_ensemble(model, NAMES)
    kw = dict(value="marginal", n_samples=30)
    with pytest.raises(ValueError, match=match):
        cx.CausalExplainer(model, _graph(), algorithm="tree", **kw).fit(X)
    auto = cx.CausalExplainer(model, _graph(), **kw).fit(X)
    assert auto.algorithm_ == "blackbox"
    exp = auto.explain(X.iloc[:2])
    np.testing.assert_allclose(exp.values.sum(1), exp.output - exp.base_values, atol=1e-6)
    if match == "non-identity link":  # the raw margin (log of the mean) is a sum over leaves
        assert cx.CausalExplainer(model, _graph(), raw=True, **kw).fit(X).algorithm_ == "tree"


def test_catboost_categorical_features_are_refused():
    X, y = _data()
    Xc = X[FIT_ORDER].copy()
    Xc["x1"] = np.where(Xc["x1"] > 0, "a", "b")
    model = _cb(False).fit(Xc, y, cat_features=["x1"])
    with pytest.raises(TreeUnsupportedError, match="categorical"):
        extract_ensemble(model, NAMES)


def test_non_nan_missing_value_is_refused():
    X, y = _data()
    model = _xgb(False, missing=0.0).fit(X[FIT_ORDER], y)
    with pytest.raises(TreeUnsupportedError, match="missing=0.0"):
        extract_ensemble(model, NAMES)


def test_raw_margin_wrapper():
    from sklearn.linear_model import LinearRegression

    X, y = _data()
    clf = _lgb(True).fit(X[FIT_ORDER], y > 0)
    f = ModelFunction(clf, NAMES, raw=True)
    assert f.kind == "raw" and f.column is None
    np.testing.assert_array_equal(f(X.to_numpy()[:5]), _margin(clf, X.iloc[:5]))
    assert ModelFunction(clf, NAMES, output=True, raw=True).column == 1  # a class label
    with pytest.raises(cx.exceptions.ModelError, match="single raw margin"):
        ModelFunction(clf, NAMES, output=0, raw=True)(X.to_numpy()[:5])
    with pytest.raises(ValueError, match="no decision_function"):
        ModelFunction(LinearRegression().fit(X, y), NAMES, raw=True)


def test_catboost_fitted_on_a_frame_is_called_with_named_columns():
    """CatBoost has no ``feature_names_in_``: its named ``feature_names_`` are used, so a model
    fitted on columns in another order is evaluated (and read) on the right columns."""
    X, y = _data()
    model = _cb(False).fit(X[FIT_ORDER], y)
    f = ModelFunction(model, NAMES)
    np.testing.assert_allclose(f(X.to_numpy()[:20]), model.predict(X[FIT_ORDER].iloc[:20]))
