"""Flatten fitted tree models into a :class:`~causalx.shapley.TreeEnsemble` (the model-reading half of
the exact tree path; the algorithm is :mod:`causalx.shapley._tree`).

What is explained (``extract_ensemble``):

* ``DecisionTreeRegressor``, ``RandomForestRegressor``, ``ExtraTreesRegressor``: ``predict``
  (``output`` selects the column of multi-output models);
* ``DecisionTreeClassifier``, ``RandomForestClassifier``, ``ExtraTreesClassifier``:
  ``predict_proba[:, output]`` (leaf values are class probabilities, averaged over trees);
* ``GradientBoostingRegressor`` (``init`` a constant or ``"zero"``) and
  ``HistGradientBoostingRegressor`` with an identity link (squared error, absolute error,
  quantile, Huber losses) and no categorical splits: ``predict``;
* ``GradientBoostingClassifier`` and ``HistGradientBoostingClassifier``: only the raw
  ``decision_function`` (log-odds), with ``raw=True``: their ``predict_proba`` passes the sum of
  trees through a sigmoid/softmax and is not a sum over leaves, so it has no exact tree path;
* XGBoost, LightGBM and CatBoost (scikit-learn API; read from their own model dumps by
  :mod:`causalx.values._tree_boosting`): regressors with an identity-link objective on
  ``predict``; classifiers (binary, or one class of a multi-class model with ``output``) and
  other regressors on the raw margin only, with ``raw=True``. Categorical splits, linear trees,
  DART and multi-target trees are refused.
"""


from __future__ import annotations

from typing import Any

import numpy as np

from causalx.exceptions import TreeUnsupportedError
from causalx.shapley._tree import TreeEnsemble, _max_depth
from causalx.values._model import fitted_feature_names
from causalx.values._tree_boosting import booster_library, booster_trees

__all__ = ["TreeUnsupportedError", "extract_ensemble"]


# ------------------------------------------------------------------------------ extraction
def _sk_tree(tree, column: int | None, proba: bool) -> dict[str, np.ndarray]:
    t = tree.tree_
    if proba:
        if t.n_outputs != 1:
            raise TreeUnsupportedError("multi-output classification trees are not supported.")
        vals = t.value[:, 0, :]
        norm = vals.sum(axis=1)
        norm[norm == 0] = 1.0
        value = vals[:, column] / norm
    else:
        value = t.value[:, column or 0, 0]
    miss = getattr(t, "missing_go_to_left", None)
    return {
        "left": t.children_left.astype(np.int64),
        "right": t.children_right.astype(np.int64),
        "feature": np.where(t.children_left < 0, -1, t.feature).astype(np.int64),
        "threshold": t.threshold.astype(np.float64),
        "missing_left": np.zeros(t.node_count, bool) if miss is None else np.asarray(miss, bool),
        "value": np.asarray(value, np.float64),
    }


def _hgb_tree(predictor) -> dict[str, np.ndarray]:
    nodes = predictor.nodes
    if np.any(nodes["is_categorical"] & ~nodes["is_leaf"].astype(bool)):
        raise TreeUnsupportedError("HistGradientBoosting models with categorical splits are not supported.")
    leaf = nodes["is_leaf"].astype(bool)
    return {
        "left": np.where(leaf, -1, nodes["left"].astype(np.int64)),
        "right": np.where(leaf, -1, nodes["right"].astype(np.int64)),
        "feature": np.where(leaf, -1, nodes["feature_idx"].astype(np.int64)),
        "threshold": nodes["num_threshold"].astype(np.float64),
        "missing_left": nodes["missing_go_to_left"].astype(bool),
        "value": nodes["value"].astype(np.float64),
    }


def _identity_link(model) -> bool:
    link = getattr(getattr(model, "_loss", None), "link", None)
    return link is not None and type(link).__name__ == "IdentityLink"


def _trees_of(model, kind: str, column: int | None, raw: bool) -> tuple[list[dict], list[float], bool, str]:
    """(trees, weights, float32_inputs, explains) of a supported model, else TreeUnsupportedError."""
    if booster_library(model) is not None:
        return booster_trees(model, kind, column, raw)
    from sklearn import ensemble, tree

    name = type(model).__name__
    raw = raw or kind == "raw"
    if not raw and kind not in ("predict", "proba"):
        raise TreeUnsupportedError(f"{name} (evaluated as a {kind} model) has no tree structure.")
    single = (tree.DecisionTreeRegressor, tree.DecisionTreeClassifier)
    forests = (ensemble.RandomForestRegressor, ensemble.RandomForestClassifier,
               ensemble.ExtraTreesRegressor, ensemble.ExtraTreesClassifier)
    if isinstance(model, single + forests):
        is_clf = hasattr(model, "classes_")
        if raw:
            raise TreeUnsupportedError(f"{name} has no decision_function; explain predict or predict_proba.")
        if is_clf and kind != "proba":
            raise TreeUnsupportedError(f"{name} is a classifier: pass output=<class> to explain predict_proba.")
        members = [model] if isinstance(model, single) else list(model.estimators_)
        trees = [_sk_tree(m, column, is_clf) for m in members]
        what = f"predict_proba[:, {column}]" if is_clf else "predict" if column is None else f"predict[:, {column}]"
        return trees, [1.0 / len(members)] * len(members), True, what
    if isinstance(model, (ensemble.GradientBoostingRegressor, ensemble.GradientBoostingClassifier)):
        is_clf = isinstance(model, ensemble.GradientBoostingClassifier)
        if is_clf and not raw:
            raise TreeUnsupportedError(
                f"{name}.predict_proba is a sigmoid/softmax of the sum of trees, not a sum over leaves; "
                "only its raw decision_function has an exact tree path."
            )
        init = model.init_
        if not (isinstance(init, str) and init == "zero") and not type(init).__name__.startswith("Dummy"):
            raise TreeUnsupportedError(f"{name} with init={type(init).__name__} (not a constant) is not supported.")
        k = 0 if column is None or (is_clf and model.estimators_.shape[1] == 1 and column == 1) else int(column)
        if k >= model.estimators_.shape[1]:
            raise TreeUnsupportedError(f"output={column} is out of range for {name}.")
        trees = [_sk_tree(est, None, False) for est in model.estimators_[:, k]]
        return trees, [float(model.learning_rate)] * len(trees), True, "decision_function" if is_clf else "predict"
    if isinstance(model, (ensemble.HistGradientBoostingRegressor, ensemble.HistGradientBoostingClassifier)):
        is_clf = isinstance(model, ensemble.HistGradientBoostingClassifier)
        if is_clf and not raw:
            raise TreeUnsupportedError(
                f"{name}.predict_proba is a sigmoid/softmax of the sum of trees, not a sum over leaves; "
                "only its raw decision_function has an exact tree path."
            )
        if not is_clf and not _identity_link(model):
            raise TreeUnsupportedError(f"{name} with loss={model.loss!r} predicts through a non-identity link.")
        if getattr(model, "_preprocessor", None) is not None:
            raise TreeUnsupportedError(f"{name} with categorical features is not supported.")
        single = len(model._predictors[0]) == 1
        k = 0 if column is None or (is_clf and single and column == 1) else int(column)
        if k >= len(model._predictors[0]):
            raise TreeUnsupportedError(f"output={column} is out of range for {name}.")
        trees = [_hgb_tree(it[k]) for it in model._predictors]
        return trees, [1.0] * len(trees), False, "decision_function" if is_clf else "predict"
    raise TreeUnsupportedError(
        f"{name} is not a supported tree model (decision trees, random forests, extra trees, "
        "gradient boosting and HistGradientBoosting of scikit-learn; XGBoost, LightGBM, CatBoost)."
    )


def extract_ensemble(model: Any, feature_names, *, kind: str = "predict", column: int | None = None,
                     raw: bool = False) -> TreeEnsemble:
    """Flatten a fitted tree model into a :class:`TreeEnsemble`.

    Parameters
    ----------
    model : estimator
        A fitted scikit-learn tree model (see the module docstring for what is supported).
    feature_names : sequence of str
        Columns of the arrays that will be explained; a model fitted on a DataFrame has its
        columns mapped by name (``feature_names_in_``).
    kind : {"predict", "proba"}
        What the black-box wrapper explains (``ModelFunction``): ``predict``, or
        ``predict_proba[:, column]``.
    column : int, optional
        Output column (class index for ``proba``).
    raw : bool, default False
        Explain the raw ``decision_function`` of a boosted classifier.

    Returns
    -------
    TreeEnsemble

    Raises
    ------
    TreeUnsupportedError
        With the reason, when the model or output has no exact tree path.
    """
    trees, weights, f32, what = _trees_of(model, kind, column, raw)
    names = list(feature_names)
    names_in = fitted_feature_names(model)
    if names_in is not None:
        fmap = np.array([names.index(str(c)) for c in names_in], dtype=np.int64)
    else:
        n_in = int(getattr(model, "n_features_in_", None) or len(names))
        if n_in != len(names):
            raise TreeUnsupportedError(f"the model takes {n_in} features but {len(names)} are explained.")
        fmap = np.arange(len(names), dtype=np.int64)
    offset, parts, roots = 0, {k: [] for k in trees[0]}, []
    for tr, w in zip(trees, weights):
        roots.append(offset)
        for k in ("left", "right"):
            parts[k].append(np.where(tr[k] < 0, -1, tr[k] + offset))
        parts["feature"].append(np.where(tr["feature"] < 0, -1, fmap[np.maximum(tr["feature"], 0)]))
        parts["threshold"].append(tr["threshold"])
        parts["missing_left"].append(tr["missing_left"])
        parts["value"].append(tr["value"] * w)
        offset += tr["left"].size
    arrays = {k: np.ascontiguousarray(np.concatenate(v)) for k, v in parts.items()}
    return TreeEnsemble(
        roots=np.array(roots, dtype=np.int64),
        max_depth=_max_depth(arrays["left"], arrays["right"], np.array(roots)),
        float32_inputs=f32,
        explains=what,
        **arrays,
    )

