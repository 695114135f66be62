"""Bad input gets a clear error naming the value and the fix; sklearn conventions hold."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

import causalx as cx
from causalx.exceptions import DataValidationError, ModelError, NotFittedError
from tests.conftest import LinearModel

NAMES = ["a", "b", "c"]


@pytest.fixture
def setup():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(50, 3)), columns=NAMES)
    graph = cx.CausalGraph(nodes=NAMES, edges=[("a", "b")])
    return X, graph, LinearModel([1.0, 2.0, 3.0])


def _with(X, **changes):
    X = X.copy()
    for k, v in changes.items():
        X[k] = v
    return X


@pytest.mark.parametrize(
    "make_bad, match",
    [
        (lambda X: X.drop(columns="c"), r"lacks the feature column\(s\) \['c'\]"),
        (lambda X: X.rename(columns={"c": "cc"}), r"Did you mean 'cc'"),
        (lambda X: _with(X, b=np.r_[np.nan, X["b"].to_numpy()[1:]]), r"NaN or infinite .*\['b'\].*row 0"),
        (lambda X: _with(X, a=np.r_[np.inf, X["a"].to_numpy()[1:]]), r"NaN or infinite"),
        (lambda X: X.iloc[:0], r"has 0 rows"),
        (lambda X: X.to_numpy()[:, :2], r"2 columns but 3 columns are expected .*\['a', 'b', 'c'\]"),
        (lambda X: X.to_numpy()[:, 0], r"must be 2-D .*reshape"),
    ],
)
def test_bad_background(setup, make_bad, match):
    X, graph, model = setup
    with pytest.raises(DataValidationError, match=match):
        cx.CausalExplainer(model, graph, value="marginal").fit(make_bad(X))


def test_text_column_reaches_a_numeric_model_that_then_fails(setup):
    # text is coded for the samplers and decoded for the model (tests/explain/test_mixed_types.py):
    # a model fitted on numbers says it cannot read it
    from causalx.exceptions import ModelError

    X, graph, model = setup
    with pytest.raises(ModelError, match=r"raised ValueError .*could not convert string to float: 'text'"):
        cx.CausalExplainer(model, graph, value="marginal").fit(_with(X, c="text"))


def test_target_column_is_allowed(setup):
    X, _, model = setup
    graph = cx.CausalGraph(nodes=NAMES, edges=[("a", "b")], target="y")
    exp = cx.CausalExplainer(model, graph, value="marginal").fit(_with(X, y=0.0)).explain(_with(X, y=0.0).iloc[:2])
    assert exp.shape == (2, 3)


def test_extra_columns_are_ignored(setup):
    """One data rule (causalx.utils.check_data): columns that are not features are ignored."""
    X, graph, model = setup
    kw = dict(value="marginal", random_state=0)
    plain = cx.CausalExplainer(model, graph, **kw).fit(X).explain(X.iloc[:3])
    extra = _with(X, sample_id=np.arange(len(X)), label="text")[["label", "c", "sample_id", "a", "b"]]
    wide = cx.CausalExplainer(model, graph, **kw).fit(extra).explain(extra.iloc[:3])
    np.testing.assert_array_equal(wide.values, plain.values)


@pytest.mark.parametrize(
    "params, error, match",
    [
        ({"value": "causual"}, ValueError, r"value='causual' is not supported.*Did you mean 'causal'"),
        ({"method": "exactly"}, ValueError, r"method='exactly'.*'exact'"),
        ({"n_samples": 0}, ValueError, r"n_samples=0 is out of range"),
        ({"n_samples": 2.5}, TypeError, r"n_samples must be an integer"),
        ({"asymmetric": "yes"}, TypeError, r"asymmetric must be True or False"),
        ({"method": "kernel", "asymmetric": True}, ValueError, r"symmetric Shapley values only"),
        ({"sampler": "gausian", "value": "causal"}, ValueError, r"Did you mean 'gaussian'"),
        ({"n_jobs": 0}, ValueError, r"n_jobs must be a non-zero integer"),
    ],
)
def test_bad_options(setup, params, error, match):
    X, graph, model = setup
    with pytest.raises(error, match=match):
        cx.CausalExplainer(model, graph, **params).fit(X)


def test_model_errors(setup):
    X, graph, _ = setup

    def raises(Z):
        raise RuntimeError("boom")

    with pytest.raises(ModelError, match=r"raised RuntimeError .* shape \(2, 3\).*boom"):
        cx.CausalExplainer(raises, graph, value="marginal").fit(X)
    with pytest.raises(ModelError, match=r"shape \(2, 2\) for 2 rows"):
        cx.CausalExplainer(lambda Z: np.zeros((len(Z), 2)), graph, value="marginal").fit(X)
    with pytest.raises(ModelError, match="non-finite"):
        cx.CausalExplainer(lambda Z: np.full(len(Z), np.nan), graph, value="marginal").fit(X)
    with pytest.raises(TypeError, match="must have a predict method"):
        cx.CausalExplainer(object(), graph, value="marginal").fit(X)


def test_sklearn_conventions(setup):
    X, graph, model = setup
    est = cx.CausalExplainer(model, graph, value="marginal", n_samples=30)
    assert est.get_params()["n_samples"] == 30
    c = clone(est)
    assert c.get_params()["value"] == "marginal" and not hasattr(c, "order_")
    with pytest.raises(NotFittedError, match="call fit"):
        est.explain(X)
    est.fit(X)
    assert est.feature_names_in_ == tuple(NAMES) and est.method_ == "exact"
    # the graph given by path works too and reaches the same numbers
    exp = est.explain(X.iloc[:2])
    sliced = exp[:, "b"]
    assert sliced.feature_names == ("b",)
    np.testing.assert_array_equal(sliced.values[:, 0], exp.values[:, 1])
    with pytest.raises(KeyError, match="Did you mean 'b'"):
        exp[:, "bb"]
    frame = exp.to_frame(long=True)
    assert len(frame) == 6 and set(frame.columns) >= {"row", "feature", "value", "stderr"}


def test_graph_from_yaml_path(tmp_path, setup):
    X, graph, model = setup
    path = tmp_path / "g.yaml"
    cx.dump_graph(graph, path)
    a = cx.CausalExplainer(model, path, value="marginal").fit(X).explain(X.iloc[:3])
    b = cx.CausalExplainer(model, graph, value="marginal").fit(X).explain(X.iloc[:3])
    np.testing.assert_array_equal(a.values, b.values)
