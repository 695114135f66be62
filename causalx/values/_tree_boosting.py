"""Read XGBoost, LightGBM and CatBoost models into the node arrays of a
:class:`~causalx.shapley.TreeEnsemble` (called by :func:`causalx.values.extract_ensemble`).

Each reader works from the library's own model dump and never imports the library (the model
object is enough): XGBoost's JSON model (``save_raw("json")``), LightGBM's ``dump_model()``,
CatBoost's JSON model (``save_model(format="json")``). A reader returns the per-tree arrays
``left, right, feature, threshold, missing_left, value`` in the TreeEnsemble convention — a row
goes left when ``x[feature] <= threshold``, NaN goes left where ``missing_left`` — the tree
weights, whether the library compares float32-rounded inputs, and what is explained.

How each library's split maps onto ``x <= threshold``:

* XGBoost: ``x < split_condition`` goes left ("yes"), on float32 inputs and float32 conditions;
  for float32 ``x``, ``x < c`` is ``x <= nextafter(c, -inf)`` (float32), so that is the
  threshold and inputs are rounded to float32. NaN goes to ``default_left``. ``base_score`` is
  a constant of the margin and does not enter Shapley values.
* LightGBM: ``x <= threshold`` (double, inputs not rounded). NaN, by ``missing_type``: ``None``:
  treated as 0.0; ``NaN``: goes to ``default_left``; ``Zero``: NaN is 0.0 and every
  ``|x| <= 1e-35`` goes to ``default_left`` — when that is not where 0 would go anyway, the
  node becomes three nodes (``x < -1e-35`` / ``|x| <= 1e-35`` / ``x > 1e-35``; the two outer
  branches share the original children). Leaf values include the shrinkage and the initial
  score; ``average_output`` (random-forest mode): ``predict`` averages the iterations, while
  ``predict(raw_score=True)`` returns their sum (so the trees' weights are 1/n or 1).
* CatBoost: ``x > border`` goes right (bit 1), on float32 inputs and borders; an oblivious tree of
  depth D (split d is bit d of the leaf index) becomes a full binary tree of 2^D leaves;
  NaN follows ``nan_value_treatment`` (``AsTrue``: right, else left). Leaf values are scaled
  by ``scale_and_bias``'s scale; the bias is a constant.

A classifier's probability is a sigmoid/softmax of the sum of trees, so only its raw margin
(``raw=True``) is explained; regressors are explained on ``predict`` only when their objective
has an identity link, else on the raw margin with ``raw=True``.
"""

from __future__ import annotations

import json
import os
import tempfile

import numpy as np

from causalx.exceptions import TreeUnsupportedError
from causalx.values._model import _booster_library as booster_library

__all__ = ["booster_library", "booster_trees"]

_LGB_ZERO = float(np.float32(1e-35))  # LightGBM's kZeroThreshold (a float, compared as a double)


def _unsupported(msg: str) -> TreeUnsupportedError:
    return TreeUnsupportedError(msg)


def _arrays(left, right, feature, threshold, missing_left, value) -> dict[str, np.ndarray]:
    left = np.asarray(left, np.int64)
    leaf = left < 0
    return {
        "left": np.where(leaf, -1, left),
        "right": np.where(leaf, -1, np.asarray(right, np.int64)),
        "feature": np.where(leaf, -1, np.asarray(feature, np.int64)),
        "threshold": np.where(leaf, 0.0, np.asarray(threshold, np.float64)),
        "missing_left": np.asarray(missing_left, bool) & ~leaf,
        "value": np.where(leaf, np.asarray(value, np.float64), 0.0),
    }


def _check_output(name: str, kind: str, raw: bool, is_clf: bool, identity: bool, objective: str) -> None:
    if raw or kind == "raw":
        return
    if is_clf:
        raise _unsupported(
            f"{name}.predict_proba is a sigmoid/softmax of the sum of trees, not a sum over leaves; "
            "only its raw margin has an exact tree path (explain it with raw=True)."
        )
    if kind != "predict":
        raise _unsupported(f"{name} (evaluated as a {kind} model) has no tree structure.")
    if not identity:
        raise _unsupported(
            f"{name} with objective {objective!r} predicts through a non-identity link; only its raw "
            "margin has an exact tree path (explain it with raw=True)."
        )


def _pick_class(name: str, column: int | None, n_groups: int) -> int:
    """The output group (class) of the trees explained."""
    if n_groups == 1:
        if column not in (None, 1):
            raise _unsupported(
                f"{name} has a single margin (the log-odds of class 1 for a binary classifier); "
                f"output={column} is not it (use output=None or 1)."
            )
        return 0
    if column is None:
        raise _unsupported(f"{name} has {n_groups} margins (one per class): pass output=<class> to pick one.")
    if not 0 <= int(column) < n_groups:
        raise _unsupported(f"output={column} is out of range for {name} ({n_groups} margins).")
    return int(column)


# ------------------------------------------------------------------------------ XGBoost
_XGB_IDENTITY = {"reg:squarederror", "reg:linear", "reg:squaredlogerror", "reg:pseudohubererror",
                 "reg:absoluteerror", "reg:quantileerror", "binary:logitraw"}


def _xgboost(model, kind: str, column: int | None, raw: bool):
    name = type(model).__name__
    if not hasattr(model, "get_booster"):
        raise _unsupported(f"{name}: only the scikit-learn API of XGBoost (XGBRegressor, XGBClassifier) is supported.")
    booster = model.get_booster()
    learner = json.loads(bytes(booster.save_raw("json")))["learner"]
    gb = learner["gradient_booster"]
    if gb["name"] != "gbtree":
        raise _unsupported(f"{name} with booster={gb['name']!r} is not supported (only 'gbtree').")
    objective = learner["objective"]["name"]
    is_clf = hasattr(model, "classes_")
    _check_output(name, kind, raw, is_clf, objective in _XGB_IDENTITY, objective)
    missing = getattr(model, "missing", np.nan)
    if missing is not None and not (isinstance(missing, float) and np.isnan(missing)):
        raise _unsupported(f"{name} with missing={missing!r} is not supported (only NaN as the missing value).")
    params = learner["learner_model_param"]
    if int(params.get("num_target", "1")) > 1:
        raise _unsupported(f"{name} with several targets is not supported.")
    tmodel = gb["model"]
    n_groups = max(1, int(params.get("num_class", "0")))
    k = _pick_class(name, column, n_groups)
    indptr = tmodel.get("iteration_indptr")
    n_trees = len(tmodel["trees"])
    try:  # scikit-learn's predict stops at the best iteration after early stopping
        stop = int(model.best_iteration) + 1
    except (AttributeError, ValueError, TypeError):
        stop = None
    if stop is not None and indptr is not None and stop < len(indptr):
        n_trees = int(indptr[stop])
    info = tmodel["tree_info"]
    trees = []
    for t in range(n_trees):
        if int(info[t]) != k:
            continue
        tr = tmodel["trees"][t]
        if int(tr["tree_param"].get("size_leaf_vector", "1")) > 1:
            raise _unsupported(f"{name} with multi-output trees is not supported.")
        if any(int(s) != 0 for s in tr["split_type"]):
            raise _unsupported(f"{name} with categorical splits is not supported.")
        cond = np.asarray(tr["split_conditions"], np.float32)
        thr = np.nextafter(cond, np.float32(-np.inf)).astype(np.float64)  # x < c  <=>  x <= prev(c)
        trees.append(_arrays(tr["left_children"], tr["right_children"], tr["split_indices"], thr,
                             np.asarray(tr["default_left"], bool), cond.astype(np.float64)))
    if not trees:
        raise _unsupported(f"{name} has no trees.")
    what = ("predict(output_margin=True)" if raw or kind == "raw" or is_clf else "predict")
    if n_groups > 1:
        what += f"[:, {k}]"
    return trees, [1.0] * len(trees), True, what


# ------------------------------------------------------------------------------ LightGBM
_LGB_IDENTITY = {"regression", "regression_l2", "l2", "mean_squared_error", "mse", "rmse", "root_mean_squared_error",
                 "regression_l1", "l1", "mean_absolute_error", "mae", "huber", "fair", "quantile", "mape",
                 "mean_absolute_percentage_error"}


def _lgb_arrays(name: str, root: dict) -> dict[str, np.ndarray]:
    rows: list[list] = []
    fixups = []

    def build(node) -> int:
        if "leaf_value" in node:
            if node.get("leaf_coeff"):
                raise _unsupported(f"{name} with linear trees (linear_tree=True) is not supported.")
            rows.append([-1, -1, -1, 0.0, False, float(node["leaf_value"])])
            return len(rows) - 1
        if node["decision_type"] != "<=":
            raise _unsupported(f"{name} with categorical splits is not supported.")
        j, thr = int(node["split_feature"]), float(node["threshold"])
        dl, mt = bool(node["default_left"]), node["missing_type"]
        zero_left = 0.0 <= thr
        idx = len(rows)
        rows.append([-1, -1, j, thr, dl if mt == "NaN" else zero_left, 0.0])
        if mt not in ("None", "NaN", "Zero"):
            raise _unsupported(f"{name}: unknown missing_type {mt!r}.")
        split = idx
        if mt == "Zero" and dl != zero_left:
            # NaN reads as 0, and |x| <= 1e-35 goes to the default side, unlike what x <= thr says:
            # x < -zero -> the split;  -zero <= x <= zero (or NaN) -> default child;  x > zero -> the split
            rows[idx] = [-1, -1, j, float(np.nextafter(-_LGB_ZERO, -np.inf)), False, 0.0]
            mid = len(rows)
            rows.append([-1, -1, j, _LGB_ZERO, True, 0.0])
            split = len(rows)
            rows.append([-1, -1, j, thr, zero_left, 0.0])
            rows[idx][0], rows[idx][1] = split, mid
            fixups.append((mid, split, dl))
        rows[split][0] = build(node["left_child"])
        rows[split][1] = build(node["right_child"])
        return idx

    build(root)
    for mid, split, dl in fixups:  # the middle node: default child on the left, the split on the right
        rows[mid][0] = rows[split][0] if dl else rows[split][1]
        rows[mid][1] = split
    cols = list(zip(*rows))
    return _arrays(*cols)


def _lightgbm(model, kind: str, column: int | None, raw: bool):
    name = type(model).__name__
    booster = model.booster_ if hasattr(type(model), "booster_") else model  # the scikit-learn API or a Booster
    if not hasattr(booster, "dump_model"):
        raise _unsupported(f"{name} is not a fitted LightGBM model.")
    dump = booster.dump_model()
    objective = str(dump.get("objective", "")).split(" ")[0]
    is_clf = hasattr(model, "classes_")
    _check_output(name, kind, raw, is_clf, objective in _LGB_IDENTITY, objective)
    n_groups = max(1, int(dump.get("num_tree_per_iteration", 1)))
    k = _pick_class(name, column, n_groups)
    info = dump["tree_info"]
    trees = [_lgb_arrays(name, t["tree_structure"]) for i, t in enumerate(info) if i % n_groups == k]
    if not trees:
        raise _unsupported(f"{name} has no trees.")
    as_raw = raw or kind == "raw" or is_clf
    # random-forest mode: predict averages the trees, but predict(raw_score=True) returns their sum
    w = 1.0 / len(trees) if dump.get("average_output") and not as_raw else 1.0
    what = "predict(raw_score=True)" if as_raw else "predict"
    if n_groups > 1:
        what += f"[:, {k}]"
    return trees, [w] * len(trees), False, what


# ------------------------------------------------------------------------------ CatBoost
_CB_IDENTITY = {"RMSE", "MAE", "Quantile", "MAPE", "Huber", "Lq", "Expectile", "MultiQuantile"}


def _cb_json(model) -> dict:
    fd, path = tempfile.mkstemp(suffix=".json")
    os.close(fd)
    try:
        model.save_model(path, format="json")
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    finally:
        os.remove(path)


def _cb_oblivious(splits, leaf_values, dim: int, k: int, fmap, nan_left) -> dict[str, np.ndarray]:
    depth = len(splits)
    n_inner = 2**depth - 1
    n = 2 * n_inner + 1
    left, right = np.full(n, -1), np.full(n, -1)
    feature, thr = np.full(n, -1), np.zeros(n)
    miss, value = np.zeros(n, bool), np.zeros(n)
    # heap layout: node i at level l has children 2i+1 (bit l = 0: x <= border), 2i+2 (bit l = 1)
    for i in range(n_inner):
        level = int(np.floor(np.log2(i + 1)))
        s = splits[level]
        f = int(s["float_feature_index"])
        left[i], right[i] = 2 * i + 1, 2 * i + 2
        feature[i], thr[i], miss[i] = fmap[f], float(s["border"]), nan_left[f]
    leaves = np.arange(n_inner, n)
    pos = leaves - n_inner  # bits from the root down: the root's bit is the most significant here
    idx = np.zeros_like(pos)
    for level in range(depth):  # CatBoost: split d is bit d of the leaf index
        bit = (pos >> (depth - 1 - level)) & 1
        idx |= bit << level
    value[leaves] = np.asarray(leaf_values, np.float64).reshape(-1, dim)[idx, k]
    return _arrays(left, right, feature, thr, miss, value)


def _cb_nonsymmetric(name, root, dim: int, k: int, fmap, nan_left) -> dict[str, np.ndarray]:
    rows: list[list] = []

    def build(node) -> int:
        idx = len(rows)
        if "split" not in node:
            val = np.ravel(np.asarray(node["value"], np.float64))
            rows.append([-1, -1, -1, 0.0, False, float(val[k if val.size == dim else 0])])
            return idx
        s = node["split"]
        if s.get("split_type") != "FloatFeature":
            raise _unsupported(f"{name} with {s.get('split_type')} splits (categorical features) is not supported.")
        f = int(s["float_feature_index"])
        rows.append([-1, -1, fmap[f], float(s["border"]), nan_left[f], 0.0])
        rows[idx][0] = build(node["left"])
        rows[idx][1] = build(node["right"])
        return idx

    build(root)
    return _arrays(*zip(*rows))


def _catboost(model, kind: str, column: int | None, raw: bool):
    name = type(model).__name__
    js = _cb_json(model)
    finfo = js.get("features_info", {})
    others = [key for key in finfo if key != "float_features" and finfo[key]]
    if others:
        raise _unsupported(f"{name} with {', '.join(others).replace('_', ' ')} is not supported "
                           "(only numeric features).")
    try:
        loss = str(model.get_all_params().get("loss_function", ""))
    except Exception:  # pragma: no cover - a model without params
        loss = ""
    objective = loss.split(":")[0]
    is_clf = "Classifier" in name or objective in ("Logloss", "CrossEntropy", "MultiClass", "MultiClassOneVsAll")
    _check_output(name, kind, raw, is_clf, objective in _CB_IDENTITY, loss)
    floats = finfo.get("float_features", [])
    fmap = {int(f["feature_index"]): int(f["flat_feature_index"]) for f in floats}
    nan_left = {int(f["feature_index"]): f.get("nan_value_treatment", "AsFalse") != "AsTrue" for f in floats}
    scale, bias = js.get("scale_and_bias", [1.0, [0.0]])
    dim = max(1, len(np.ravel(bias)))
    k = _pick_class(name, column, dim)
    trees = []
    if "oblivious_trees" in js:
        for t in js["oblivious_trees"]:
            splits = t.get("splits") or []
            if any(s.get("split_type") != "FloatFeature" for s in splits):
                raise _unsupported(f"{name} with categorical (one-hot or CTR) splits is not supported.")
            if not splits:
                trees.append(_arrays([-1], [-1], [-1], [0.0], [False], [np.ravel(t["leaf_values"])[k]]))
                continue
            trees.append(_cb_oblivious(splits, t["leaf_values"], dim, k, fmap, nan_left))
    elif "trees" in js:
        trees = [_cb_nonsymmetric(name, t, dim, k, fmap, nan_left) for t in js["trees"]]
    else:
        raise _unsupported(f"{name}: no trees in the model dump.")
    if not trees:
        raise _unsupported(f"{name} has no trees.")
    what = "predict(prediction_type='RawFormulaVal')" if raw or kind == "raw" or is_clf else "predict"
    if dim > 1:
        what += f"[:, {k}]"
    return trees, [float(scale)] * len(trees), True, what


def booster_trees(model, kind: str, column: int | None, raw: bool):
    """(trees, weights, float32_inputs, explains) of an XGBoost/LightGBM/CatBoost model."""
    lib = booster_library(model)
    reader = {"xgboost": _xgboost, "lightgbm": _lightgbm, "catboost": _catboost}[lib]
    return reader(model, kind, column, raw)
