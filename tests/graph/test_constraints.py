"""Constraint: the whitelisted linear grammar, evaluation and violation against hand computations."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from causalx.exceptions import DataValidationError, GraphSpecError, UnknownNodeError
from causalx.graph import Constraint

NAMES = ["X1", "X2", "X3"]
X = np.array(
    [
        [1.0, 2.0, 3.0],
        [-1.0, 0.5, 0.0],
        [4.0, -2.0, 10.0],
        [0.0, 0.0, 0.0],
    ]
)


@pytest.mark.parametrize(
    "text, coefficients, constant, op",
    [
        ("X2 >= 0", {"X2": 1.0}, 0.0, ">="),
        ("X3 < X1", {"X3": 1.0, "X1": -1.0}, 0.0, "<"),
        ("2*X1 - X2/4 + 3 <= 1e-3", {"X1": 2.0, "X2": -0.25}, 3.0 - 1e-3, "<="),
        ("-(X1 + 2*(X2 - 1)) == 0.5", {"X1": -1.0, "X2": -2.0}, 2.0 - 0.5, "=="),
        ("X1*3 > .5", {"X1": 3.0}, -0.5, ">"),
        ('"band gap (eV)" >= 0', {"band gap (eV)": 1.0}, 0.0, ">="),
        ("X1 + X2 - X2 > 1", {"X1": 1.0}, -1.0, ">"),
    ],
)
def test_parse_linear_form(text, coefficients, constant, op):
    c = Constraint.parse(text)
    assert c.text == text
    assert c.coefficients == pytest.approx(coefficients)
    assert c.constant == pytest.approx(constant)
    assert c.op == op
    assert c.variables == tuple(coefficients)


def test_chained_comparison():
    c = Constraint.parse("0 <= X1 + 2*X2 <= 10")
    assert len(c.parts) == 2
    assert dict(c.parts[0].coefficients) == {"X1": -1.0, "X2": -2.0} and c.parts[0].op == "<="
    assert dict(c.parts[1].coefficients) == {"X1": 1.0, "X2": 2.0} and c.parts[1].constant == -10.0
    with pytest.raises(ValueError, match="chained comparison"):
        c.coefficients  # noqa: B018
    # hand-computed s = X1 + 2 X2 per row: 5, 0, 0, 0 -> all inside [0, 10]; row 1: -1 + 1 = 0
    assert c.evaluate(X, NAMES).tolist() == [True, True, True, True]
    X2 = np.array([[11.0, 0.0, 0.0], [-3.0, 1.0, 0.0], [20.0, 1.0, 0.0]])
    assert c.evaluate(X2, NAMES).tolist() == [False, False, False]
    np.testing.assert_allclose(c.violation(X2, NAMES), [1.0, 1.0, 12.0])


def test_evaluate_and_violation_against_hand_computation():
    c = Constraint.parse("X3 < X1 + 1")  # X3 - X1 - 1 < 0
    lhs = X[:, 2] - X[:, 0] - 1  # [1, 0, 5, -1]
    assert c.evaluate(X, NAMES).tolist() == [False, False, False, True]
    np.testing.assert_allclose(c.violation(X, NAMES), np.maximum(lhs, 0))
    ge = Constraint.parse("X2 >= 0")
    assert ge.evaluate(X, NAMES).tolist() == [True, True, False, True]
    np.testing.assert_allclose(ge.violation(X, NAMES), [0, 0, 2, 0])
    eq = Constraint.parse("X1 + X2 == 3")
    assert eq.evaluate(X, NAMES).tolist() == [True, False, False, False]
    np.testing.assert_allclose(eq.violation(X, NAMES), [0, 3.5, 1, 3])
    near = X.copy()
    near[1] = [1.0, 2.0 + 1e-12, 0.0]
    assert eq.evaluate(near, NAMES)[1]
    assert not eq.evaluate(near, NAMES, atol=0.0)[1]


def test_evaluate_column_order_and_dataframe():
    pd = pytest.importorskip("pandas")
    c = Constraint.parse("X3 <= X1")
    reordered = X[:, [2, 0, 1]]
    assert c.evaluate(reordered, ["X3", "X1", "X2"]).tolist() == c.evaluate(X, NAMES).tolist()
    df = pd.DataFrame(X, columns=NAMES)
    assert c.evaluate(df).tolist() == [False, False, False, True]
    with pytest.raises(DataValidationError, match="not among the feature names"):
        c.evaluate(X[:, :2], ["X1", "X2"])
    with pytest.raises(DataValidationError, match="2-D"):
        c.evaluate(X[0], NAMES)


@pytest.mark.parametrize(
    "text, pattern",
    [
        ("X1 * X2 > 0", r"not linear"),
        ("X1 / X2 > 0", r"division by an expression containing a node"),
        ("__import__('os')", r"function calls \(__import__\(\.\.\.\)\) are not allowed"),
        ("exp(X1) > 0", r"function calls"),
        ("X1 ** 2 > 0", r"powers"),
        ("X1.real > 0", r"attribute access"),
        ("X1 > 0 and X2 > 0", r"unexpected 'and'"),
        ("X1 = 2", r"use '=='"),
        ("X1 != 2", r"'!=' is not supported"),
        ("X1 + 1", r"missing comparison operator"),
        ("X1 > 1 / 0", r"division by zero"),
        ("(X1 > 0", r"expected '\)'"),
        ("2X1 > 0", r"write the multiplication explicitly"),
        ("1 < 2", r"must involve at least one node"),
        ("X1 >", r"unexpected end"),
        ("", r"Empty constraint"),
        ("X1[0] > 1", r"indexing"),
    ],
)
def test_parse_errors_say_what_is_allowed(text, pattern):
    with pytest.raises(GraphSpecError, match=pattern) as info:
        Constraint.parse(text)
    if text:
        assert "linear expressions" in str(info.value) or "at least one node" in str(info.value)


def test_unknown_node_with_suggestion():
    with pytest.raises(UnknownNodeError, match=r"Unknown node 'band_gp'.*Did you mean 'band_gap'\?"):
        Constraint.parse("band_gp >= 0", nodes=["band_gap", "mass"])
    assert Constraint.parse("band_gap >= 0", nodes=["band_gap"]).variables == ("band_gap",)


def test_never_evaluates_python(monkeypatch):
    import builtins

    def boom(*args, **kwargs):  # pragma: no cover - must not be called
        raise AssertionError("eval was called")

    monkeypatch.setattr(builtins, "eval", boom)
    assert Constraint.parse("X1 + 1 > 0").evaluate(X, NAMES).tolist() == [True, False, True, True]


def test_equality_hash_immutability_pickle():
    a, b = Constraint.parse("X1 >= 0"), Constraint.parse("X1 >= 0")
    assert a == b and hash(a) == hash(b) and a != Constraint.parse("X1 > 0")
    assert pickle.loads(pickle.dumps(a)) == a
    with pytest.raises(AttributeError):
        a.op = "<"
    coefs = a.coefficients
    coefs["X1"] = 5.0
    assert a.coefficients == {"X1": 1.0}
    assert repr(a) == "Constraint('X1 >= 0')" and str(a) == "X1 >= 0"
