"""check_data, the one data validator, and the call sites that all use it with the same rules."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import causalx as cx
from causalx.exceptions import CausalxError, DataValidationError
from causalx.utils import check_data
from tests.conftest import LinearModel

NAMES = ["a", "b", "c"]


def frame(n=5, **columns):
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(n, 3)), columns=NAMES)
    for k, v in columns.items():
        X[k] = v
    return X


def with_values(X, column, rows, value):
    X = X.copy()
    X.loc[X.index[rows], column] = value
    return X


# ---------------------------------------------------------------------------------- error table
@pytest.mark.parametrize(
    "X, kwargs, match",
    [
        # DataFrames: feature columns selected by name
        (frame().drop(columns="c"), {}, r"^X lacks the feature column\(s\) \['c'\]; its columns are \['a', 'b'\]\. Rename"),
        (frame().rename(columns={"c": "cc"}), {}, r"Did you mean 'cc'\?"),
        (pd.DataFrame(np.zeros((5, 3)), columns=["a", "b", "b"]), {"feature_names": ["a", "b"]}, r"duplicated column names \['b'\]"),
        (frame(), {"feature_names": ["a", "a", "b"]}, r"feature_names must be unique; duplicated: \['a'\]"),
        (frame(c="text"), {}, r"non-numeric column\(s\) \{'c': '(object|str)'\}.*accept text, pandas category and bool"),
        (frame(c=pd.Timestamp("2020-01-01")), {}, r"non-numeric column\(s\) \{'c': 'datetime64"),
        # arrays: exactly one column per feature, in order
        (np.array([["1", "x", "2"]] * 5), {}, r"non-numeric column\(s\) \{'a': '<U1', 'b': '<U1', 'c': '<U1'\}"),
        (np.array([[1.0, "x", 2.0]] * 5, dtype=object), {}, r"non-numeric column\(s\) \{'b': 'object'\}"),
        (np.zeros((5, 2)), {}, r"X has 2 columns but 3 columns are expected \(one per feature, in the order \['a', 'b', 'c'\]\)"),
        (np.zeros((5, 2)), {"feature_names": None, "n_features": 3}, r"X has 2 columns but 3 columns are expected \(one per feature\)\."),
        (np.zeros(3), {}, r"X must be 2-D \(n_samples, n_features\), got a 1-D array of shape \(3,\)\. Reshape it: X\.reshape\(1, -1\)"),
        (frame().iloc[0], {}, r"must be 2-D .*1-D .*to_frame\(\)\.T"),
        (np.zeros((2, 5, 3)), {}, r"must be 2-D .*3-D array of shape \(2, 5, 3\)\.$"),
        ([[1.0, 2.0, 3.0], [1.0]], {}, r"could not be read as a 2-D array"),
        (np.zeros((5, 0)), {"feature_names": None}, r"X has no columns"),
        # rows and values
        (np.zeros((1, 3)), {"min_rows": 2}, r"^X has 1 rows; at least 2 rows are needed\. Pass more data\.$"),
        (frame().iloc[:0], {}, r"has 0 rows"),
        (with_values(frame(), "b", [1, 3], np.nan), {},
         r"^X holds NaN or infinite values in column\(s\) \['b'\], in 2 of 5 rows \(the first is row 1, counting from 0\)\. Impute or drop"),
        (with_values(with_values(frame(), "a", [4], np.inf), "c", [2], -np.inf), {}, r"column\(s\) \['a', 'c'\], in 2 of 5 rows \(the first is row 2"),
        (frame(c=pd.array([1, None, 3, 4, 5], dtype="Int64")), {}, r"NaN or infinite values in column\(s\) \['c'\], in 1 of 5 rows"),
        (np.full((5, 3), np.nan), {"what": "X_background"}, r"^X_background holds NaN .*X_background\.dropna\(\)"),
    ],
)
def test_error_table(X, kwargs, match):
    kwargs = {"feature_names": NAMES, **kwargs}
    with pytest.raises(DataValidationError, match=match) as info:
        check_data(X, **kwargs)
    assert isinstance(info.value, ValueError) and isinstance(info.value, CausalxError)


def test_feature_names_must_not_be_a_string():
    with pytest.raises(TypeError, match="sequence of names"):
        check_data(np.zeros((2, 3)), "abc")


# ---------------------------------------------------------------------------------- accepted input
def test_extra_columns_are_ignored_and_features_selected_by_name():
    X = frame(y=1.0, id="row")[["y", "c", "id", "a", "b"]]
    arr, names = check_data(X, NAMES)
    assert names == tuple(NAMES)
    np.testing.assert_array_equal(arr, frame()[NAMES].to_numpy())
    assert arr.flags.c_contiguous and arr.dtype == np.float64


def test_names_default_to_the_frame_columns_and_arrays_have_none():
    assert check_data(frame())[1] == tuple(NAMES)
    assert check_data(pd.DataFrame(np.zeros((2, 2)), columns=[0, 1]))[1] == ("0", "1")
    arr, names = check_data([[1, 2], [3, 4]])
    assert names is None and arr.dtype == np.float64


def test_bool_and_int_columns_are_numeric_and_the_result_is_a_copy():
    X = pd.DataFrame({"a": [True, False], "b": [1, 2], "c": [0.5, 1.5]})
    np.testing.assert_array_equal(check_data(X, NAMES)[0], [[1, 1, 0.5], [0, 2, 1.5]])
    raw = np.zeros((3, 3))
    out = check_data(raw, NAMES)[0]
    out[0, 0] = 1.0
    assert raw[0, 0] == 0.0


def test_finite_false_keeps_nan_and_inf():
    X = np.array([[np.nan, np.inf, 0.0]])
    np.testing.assert_array_equal(check_data(X, NAMES, finite=False)[0], X)


# ---------------------------------------------------------------------------------- every call site
def _call_sites():
    """(site, the data's name in its messages, call(X)) for each user of check_data.

    ``call`` returns the validated array where the site exposes it, else ``None``.
    """
    from causalx.dependence import partial_dependence
    from causalx.dependence._common import as_array
    from causalx.diagnostics import falsify_graph, manifold_report
    from causalx.diagnostics._data import as_node_array
    from causalx.explain._data import to_feature_array
    from causalx.samplers import GaussianSampler

    graph = cx.CausalGraph(NAMES, ["a -> b"])
    model = LinearModel([1.0, 2.0, 3.0])

    def explainer(X):
        cx.CausalExplainer(model, graph, value="marginal").fit(X)

    return [
        ("explain", "X_background", explainer),
        ("explain._data", "X", lambda X: to_feature_array(X, NAMES)),
        ("samplers", "X", lambda X: GaussianSampler().fit(X, feature_names=NAMES) and None),
        ("diagnostics._data", "data", lambda X: as_node_array(X, graph)),
        ("falsify_graph", "data", lambda X: falsify_graph(graph, X, n_permutations=0) and None),
        ("dependence._common", "X", lambda X: as_array(X, NAMES)[0]),
        ("partial_dependence", "X", lambda X: partial_dependence(model, X, "a", feature_names=NAMES) and None),
        ("manifold_report", "X_data", lambda X: manifold_report(np.zeros((2, 3)), X, feature_names=NAMES) and None),
    ]


#: the sites that code text, category and bool columns (causalx.utils.encode_data) instead of refusing them
ACCEPTS_TEXT = {"explain", "diagnostics._data", "falsify_graph"}

BAD = {
    "missing column": lambda X: X.drop(columns="b"),
    "NaN": lambda X: with_values(X, "c", [3], np.nan),
    "strings": lambda X: frame(40, c="text"),
    "string array": lambda X: X.to_numpy().astype(str),
    "1-D": lambda X: X["a"].to_numpy(),
    "too narrow array": lambda X: X.to_numpy()[:, :2],
}


@pytest.mark.parametrize("bad", list(BAD), ids=list(BAD))
def test_every_call_site_gives_the_same_error(bad):
    X = frame(40)
    messages = {}
    for site, what, call in _call_sites():
        if bad == "strings" and site in ACCEPTS_TEXT:
            continue  # text columns are coded there (tests/explain/test_mixed_types.py)
        with pytest.raises(DataValidationError) as info:
            call(BAD[bad](X))
        messages[site] = str(info.value).replace(what, "<data>")
    assert len(set(messages.values())) == 1, messages


def test_every_call_site_ignores_extra_columns():
    X = frame(40)
    wide = frame(40, y=0.0, sample_id="id")[["sample_id", "c", "y", "b", "a"]]
    for site, _, call in _call_sites():
        a, b = call(X), call(wide)  # no error
        if a is not None:
            np.testing.assert_array_equal(a, b, err_msg=site)
            np.testing.assert_array_equal(a, X.to_numpy(), err_msg=site)
