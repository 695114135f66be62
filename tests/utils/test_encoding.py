"""encode_data: text, category and bool columns as codes that decode back to the same frame."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from causalx.exceptions import DataValidationError
from causalx.utils import encode_data


def _frame():
    return pd.DataFrame({
        "x": [0.5, 1.5, 2.5, 3.5, 4.5],
        "text_obj": pd.Series(["b", "a", "c", "a", "b"], dtype=object),
        "text_str": pd.Series(["lo", "hi", "hi", "lo", "lo"], dtype="str"),
        "cat": pd.Categorical(["m", "s", "l", "m", "m"], categories=["s", "m", "l"], ordered=True),
        "cat_unordered": pd.Categorical(["u", "v", "w", "u", "w"]),
        "flag": [True, False, True, True, False],
        "nullable_flag": pd.array([True, False, False, True, True], dtype="boolean"),
        "n": [1, 2, 3, 2, 1],
    })


def test_codes_decode_to_the_original_frame():
    frame = _frame()
    X, names, enc = encode_data(frame)
    assert names == tuple(frame.columns)
    np.testing.assert_array_equal(X[:, 0], frame["x"])
    np.testing.assert_array_equal(X[:, 1], [1, 0, 2, 0, 1])  # sorted text: a, b, c
    np.testing.assert_array_equal(X[:, 3], [1, 0, 2, 1, 1])  # the category's own order s < m < l
    np.testing.assert_array_equal(X[:, 7], frame["n"])  # integers are their own codes
    assert enc.types == ("continuous", "categorical", "binary", "ordinal", "categorical", "binary", "binary",
                         "continuous")
    assert enc.encoded == (1, 2, 3, 4, 5, 6)
    back = pd.DataFrame({n: enc.decode_column(j, X[:, j]) for j, n in enumerate(names)})
    # every column but the numeric ones keeps its dtype; numbers are float64 as before
    pd.testing.assert_frame_equal(back, frame.astype({"n": np.float64}), check_dtype=True)


def test_rows_coded_with_the_background_encoding():
    frame = _frame()
    _, _, enc = encode_data(frame)
    rows = frame.iloc[[4, 0]].reset_index(drop=True)
    rows["cat_unordered"] = pd.Categorical(["w", "u"], categories=["w", "u"])  # other category order
    X, _, same = encode_data(rows, encoding=enc)
    assert same is enc
    np.testing.assert_array_equal(X[:, 4], [2, 0])  # coded by value, with the background's categories


@pytest.mark.parametrize(
    "change, match",
    [
        ({"text_obj": ["b", "a", None, "a", "b"]}, r"NaN or infinite values in column\(s\) \['text_obj'\]"),
        ({"text_obj": ["b", "a", "z", "a", "b"]}, r"'text_obj' holds the value\(s\) \['z'\]"),
        ({"x": ["a", "b", "c", "d", "e"]}, r"'x' holds text values but the background data held numbers"),
    ],
)
def test_coding_rows_errors(change, match):
    _, _, enc = encode_data(_frame())
    with pytest.raises(DataValidationError, match=match):
        encode_data(_frame().assign(**change), encoding=enc)


def test_numeric_frames_take_the_old_path():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(20, 3)), columns=list("abc"))
    X, names, enc = encode_data(frame)
    np.testing.assert_array_equal(X, frame.to_numpy())
    assert enc.is_identity and enc.types == ("continuous",) * 3
