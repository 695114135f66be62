"""Linear constraints on features, parsed by a small whitelisted grammar (never ``eval``).

A constraint states a physical fact that every sample must satisfy, e.g. ``X2 >= 0`` (a band
gap is non-negative) or ``0 <= X1 + 2*X2 <= 10``. The grammar accepts comparisons of *linear*
expressions only::

    constraint := expr (op expr)+            op in  <  <=  >  >=  ==
    expr       := term (("+" | "-") term)*
    term       := unary (("*" | "/") unary)*  at most one factor may contain a node;
                                              a divisor must be a number
    unary      := ("+" | "-") unary | primary
    primary    := NUMBER | NAME | "quoted name" | "(" expr ")"

``NAME`` is ``[A-Za-z_][A-Za-z0-9_]*``; names with other characters are written in double
quotes. Function calls, products of nodes, powers, attribute access and anything else are
rejected with a message saying what is allowed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from causalx.exceptions import DataValidationError, GraphSpecError, UnknownNodeError
from causalx.utils._text import clip_repr
from causalx.utils.validation import suggest

__all__ = ["Constraint", "LinearInequality"]

_OPS = ("<=", ">=", "==", "<", ">")

_ALLOWED = (
    "A constraint compares linear expressions: numbers, node names, '+', '-', "
    "number*expression, expression*number, expression/number and parentheses, joined by "
    "<, <=, >, >= or == (chains such as '0 <= X1 <= 10' are allowed). Names that are not "
    "plain identifiers go in double quotes."
)

_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<quoted>"(?:[^"\\]|\\.)*")
  | (?P<power>\*\*)
  | (?P<op><=|>=|==|!=|<|>|=)
  | (?P<punct>[-+*/()])
    """,
    re.VERBOSE,
)


#: the longest constraint text parsed, and the deepest nesting of parentheses and signs
MAX_CONSTRAINT_CHARS = 2000
MAX_NESTING = 50


def _syntax_error(text: str, pos: int, what: str) -> GraphSpecError:
    start = max(0, pos - 60)
    window = text[start:pos + 60]  # a long text is shown around the position only
    pointer = f"\n    {window}\n    {' ' * (pos - start)}^"
    return GraphSpecError(f"Invalid constraint {clip_repr(text, 120)}: {what} at position {pos}.{pointer}\n{_ALLOWED}")


def _tokenize(text: str) -> list[tuple[str, str, int]]:
    tokens: list[tuple[str, str, int]] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if m is None:
            for (k1, v1, p1), (k2, v2, _) in zip(tokens, tokens[1:]):
                if k1 == "name" and (k2, v2) == ("punct", "("):
                    raise _syntax_error(text, p1, f"function calls ({v1}(...)) are not allowed")
            ch = text[pos]
            if ch == ".":
                what = "attribute access ('.') is not allowed"
            elif ch in "[]{}":
                what = f"indexing or literals ({ch!r}) are not allowed"
            elif ch == "'":
                what = "single quotes are not allowed; quote names with double quotes"
            else:
                what = f"unexpected character {ch!r}"
            raise _syntax_error(text, pos, what)
        kind = m.lastgroup
        value = m.group()
        if kind == "power":
            raise _syntax_error(text, pos, "powers ('**') are not allowed (the expression must be linear)")
        if kind == "op" and value in ("=", "!="):
            hint = "use '==' for equality" if value == "=" else "'!=' is not supported"
            raise _syntax_error(text, pos, f"{value!r} is not a comparison operator here; {hint}")
        if kind == "number" and pos + len(value) < len(text) and (
            text[pos + len(value)].isalpha() or text[pos + len(value)] == "_"
        ):
            raise _syntax_error(
                text, pos, f"a number directly followed by a name ({text[pos:pos + len(value) + 1]!r}...); "
                "write the multiplication explicitly, e.g. 2*X1"
            )
        if kind != "ws":
            if kind == "quoted":
                value = re.sub(r"\\(.)", r"\1", value[1:-1])
                if not value:
                    raise _syntax_error(text, pos, "empty quoted name")
                kind = "name"
            tokens.append((kind, value, pos))
        pos = m.end()
    tokens.append(("end", "", len(text)))
    return tokens


class _Linear:
    """A linear form ``sum(coef[v] * v) + const`` built while parsing."""

    __slots__ = ("coef", "const")

    def __init__(self, coef: dict[str, float] | None = None, const: float = 0.0):
        self.coef = dict(coef or {})
        self.const = float(const)

    @property
    def is_constant(self) -> bool:
        return not self.coef

    def scale(self, k: float) -> _Linear:
        return _Linear({v: c * k for v, c in self.coef.items()}, self.const * k)

    def add(self, other: _Linear, sign: float = 1.0) -> _Linear:
        coef = dict(self.coef)
        for v, c in other.coef.items():
            coef[v] = coef.get(v, 0.0) + sign * c
        return _Linear(coef, self.const + sign * other.const)


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = _tokenize(text)
        self.i = 0
        self.names: list[str] = []  # in order of first appearance
        self.depth = 0  # nesting of parentheses and unary signs (bounded: no RecursionError)

    def nest(self, tok: tuple[str, str, int]) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.error(f"more than {MAX_NESTING} nested parentheses or signs; simplify the expression", tok)

    def peek(self) -> tuple[str, str, int]:
        return self.tokens[self.i]

    def next(self) -> tuple[str, str, int]:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def error(self, what: str, tok: tuple[str, str, int] | None = None) -> GraphSpecError:
        tok = tok or self.peek()
        return _syntax_error(self.text, tok[2], what)

    def parse(self) -> list[tuple[_Linear, str, _Linear]]:
        exprs = [self.expr()]
        ops: list[str] = []
        while self.peek()[0] == "op":
            ops.append(self.next()[1])
            exprs.append(self.expr())
        tok = self.peek()
        if tok[0] != "end":
            if tok[0] == "punct" and tok[1] == "(":
                raise self.error("function calls or implicit multiplication are not allowed")
            raise self.error(f"unexpected {tok[1]!r}")
        if not ops:
            raise self.error("missing comparison operator (<, <=, >, >= or ==)", tok)
        return [(exprs[k], ops[k], exprs[k + 1]) for k in range(len(ops))]

    def expr(self) -> _Linear:
        left = self.term()
        while self.peek()[0] == "punct" and self.peek()[1] in "+-":
            sign = 1.0 if self.next()[1] == "+" else -1.0
            left = left.add(self.term(), sign)
        return left

    def term(self) -> _Linear:
        left = self.unary()
        while self.peek()[0] == "punct" and self.peek()[1] in "*/":
            op_tok = self.next()
            right = self.unary()
            if op_tok[1] == "*":
                if left.is_constant:
                    left = right.scale(left.const)
                elif right.is_constant:
                    left = left.scale(right.const)
                else:
                    raise self.error(
                        "a product of two expressions that contain nodes is not linear; "
                        "only number*expression or expression*number is allowed",
                        op_tok,
                    )
            else:
                if not right.is_constant:
                    raise self.error("division by an expression containing a node is not linear; "
                                     "only expression/number is allowed", op_tok)
                if right.const == 0:
                    raise self.error("division by zero", op_tok)
                left = left.scale(1.0 / right.const)
        return left

    def unary(self) -> _Linear:
        tok = self.peek()
        if tok[0] == "punct" and tok[1] in "+-":
            self.next()
            self.nest(tok)
            inner = self.unary()
            self.depth -= 1
            return inner if tok[1] == "+" else inner.scale(-1.0)
        return self.primary()

    def primary(self) -> _Linear:
        tok = self.next()
        kind, value, _ = tok
        if kind == "number":
            number = float(value)
            if not math.isfinite(number):
                raise self.error(f"number {value!r} is not finite", tok)
            return _Linear(const=number)
        if kind == "name":
            if self.peek()[0] == "punct" and self.peek()[1] == "(":
                raise self.error(f"function calls ({value}(...)) are not allowed", self.peek())
            if value not in self.names:
                self.names.append(value)
            return _Linear({value: 1.0})
        if kind == "punct" and value == "(":
            self.nest(tok)
            inner = self.expr()
            self.depth -= 1
            close = self.next()
            if close[0] != "punct" or close[1] != ")":
                raise self.error("expected ')'", close)
            return inner
        if kind == "end":
            raise self.error("unexpected end of the expression", tok)
        raise self.error(f"unexpected {value!r}", tok)


def _compare(values: np.ndarray, op: str, atol: float) -> np.ndarray:
    if op == "<":
        return values < 0
    if op == "<=":
        return values <= 0
    if op == ">":
        return values > 0
    if op == ">=":
        return values >= 0
    return np.abs(values) <= atol


def _distance(values: np.ndarray, op: str, atol: float) -> np.ndarray:
    if op in ("<", "<="):
        return np.maximum(values, 0.0)
    if op in (">", ">="):
        return np.maximum(-values, 0.0)
    return np.where(np.abs(values) <= atol, 0.0, np.abs(values))


@dataclass(frozen=True)
class LinearInequality:
    """One normalised comparison ``sum_j coefficients[j] * x_j + constant  op  0``.

    Attributes
    ----------
    coefficients : tuple of (str, float)
        Non-zero coefficients, in order of first appearance of the node in the text.
    constant : float
    op : {'<', '<=', '>', '>=', '=='}
    """

    coefficients: tuple[tuple[str, float], ...]
    constant: float
    op: str

    def linear_value(self, X: np.ndarray, columns: Mapping[str, int]) -> np.ndarray:
        """Left-hand side ``sum_j c_j x_j + constant`` for every row, shape (n_samples,)."""
        out = np.full(X.shape[0], self.constant, dtype=float)
        for name, c in self.coefficients:
            out += c * X[:, columns[name]]
        return out


class Constraint:
    """A linear constraint on feature values, such as ``X2 >= 0`` or ``0 <= X1 + 2*X2 <= 10``.

    Build one with :meth:`Constraint.parse`. A chained comparison ``a <= b <= c`` is one
    constraint made of two :class:`LinearInequality` parts (``a - b <= 0`` and ``b - c <= 0``);
    the sample satisfies it when it satisfies every part.

    Attributes
    ----------
    text : str
        The original text (what :func:`~causalx.graph.dump_graph` writes back).
    parts : tuple of LinearInequality
        The normalised comparisons; one part unless the text is a chained comparison.
    coefficients : dict of str to float
        Coefficients of the (single) part ``sum_j c_j x_j + constant op 0``. For a chained
        comparison use :attr:`parts`; reading it then raises ``ValueError``.
    constant : float
        Constant of the single part (same rule).
    op : str
        Operator of the single part (same rule).
    variables : tuple of str
        Node names the constraint involves, in order of first appearance.

    Examples
    --------
    >>> import numpy as np
    >>> c = Constraint.parse("0 <= X1 + 2*X2 <= 10")
    >>> c.variables
    ('X1', 'X2')
    >>> X = np.array([[1.0, 2.0], [5.0, 3.0], [-1.0, 0.0]])
    >>> c.evaluate(X, ["X1", "X2"])
    array([ True, False, False])
    >>> c.violation(X, ["X1", "X2"])
    array([0., 1., 1.])
    >>> Constraint.parse("X2 >= 0.5e-1").coefficients, Constraint.parse("X2 >= 0.5e-1").constant
    ({'X2': 1.0}, -0.05)
    """

    __slots__ = ("_text", "_parts", "_variables")

    def __init__(self, text: str, parts: Sequence[LinearInequality]):
        parts = tuple(parts)
        if not parts or not all(isinstance(p, LinearInequality) for p in parts):
            raise TypeError("parts must be a non-empty sequence of LinearInequality; use Constraint.parse(text).")
        object.__setattr__(self, "_text", str(text).strip())
        object.__setattr__(self, "_parts", parts)
        names: list[str] = []
        for p in parts:
            for name, _ in p.coefficients:
                if name not in names:
                    names.append(name)
        object.__setattr__(self, "_variables", tuple(names))

    def __setattr__(self, key, value):
        raise AttributeError(f"Constraint is immutable; cannot set {key!r}.")

    def __delattr__(self, key):
        raise AttributeError(f"Constraint is immutable; cannot delete {key!r}.")

    def __reduce__(self):
        return (Constraint, (self._text, self._parts))

    @classmethod
    def parse(cls, text: str, nodes: Iterable[str] | None = None) -> Constraint:
        """Parse a constraint from text.

        Parameters
        ----------
        text : str
            E.g. ``"X2 >= 0"``, ``"X3 < X5"``, ``"0 <= X1 + 2*X2 <= 10"``,
            ``'"band gap (eV)" >= 0'``.
        nodes : iterable of str, optional
            The graph's node names; when given, every name in ``text`` must be one of them.

        Returns
        -------
        Constraint

        Raises
        ------
        GraphSpecError
            The text is not a comparison of linear expressions (the message says what is
            allowed and points at the offending position).
        UnknownNodeError
            ``nodes`` is given and the text names something else.

        Examples
        --------
        >>> Constraint.parse("X3 < X5").coefficients
        {'X3': 1.0, 'X5': -1.0}
        >>> Constraint.parse("X1 * X2 > 0")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        causalx.exceptions.GraphSpecError: Invalid constraint 'X1 * X2 > 0': a product of two ...
        """
        if not isinstance(text, str):
            raise TypeError(f"A constraint must be a string such as 'X2 >= 0', got {text!r} "
                            f"of type {type(text).__name__}.")
        if not text.strip():
            raise GraphSpecError(f"Empty constraint {text!r}. {_ALLOWED}")
        if len(text) > MAX_CONSTRAINT_CHARS:
            raise GraphSpecError(f"Invalid constraint {clip_repr(text, 120)}: {len(text):,} characters; a constraint "
                                 f"is a short linear comparison (at most {MAX_CONSTRAINT_CHARS} characters).")
        parser = _Parser(text)
        comparisons = parser.parse()
        if nodes is not None:
            nodes = list(nodes)
            known = set(nodes)
            for name in parser.names:
                if name not in known:
                    raise UnknownNodeError(
                        f"Unknown node {clip_repr(name)} in constraint {clip_repr(text.strip())}: the graph's nodes are "
                        f"{', '.join(repr(n) for n in nodes)}.{suggest(name, nodes)}"
                    )
        parts = []
        for left, op, right in comparisons:
            diff = left.add(right, -1.0)
            coefs = tuple((name, float(diff.coef[name])) for name in parser.names
                          if name in diff.coef and diff.coef[name] != 0.0)
            parts.append(LinearInequality(coefs, float(diff.const), op))
        if not any(p.coefficients for p in parts) or any(not p.coefficients for p in parts):
            raise GraphSpecError(
                f"Invalid constraint {text.strip()!r}: every comparison must involve at least one "
                f"node (after simplification); a comparison of numbers only is always true or always false."
            )
        return cls(text, parts)

    # ------------------------------------------------------------------ accessors
    @property
    def text(self) -> str:
        return self._text

    @property
    def parts(self) -> tuple[LinearInequality, ...]:
        return self._parts

    @property
    def variables(self) -> tuple[str, ...]:
        return self._variables

    def _single(self, attr: str) -> LinearInequality:
        if len(self._parts) != 1:
            raise ValueError(
                f"Constraint {self._text!r} is a chained comparison with {len(self._parts)} parts; "
                f"{attr!r} is defined per part: use .parts[k].{attr}."
            )
        return self._parts[0]

    @property
    def coefficients(self) -> dict[str, float]:
        return dict(self._single("coefficients").coefficients)

    @property
    def constant(self) -> float:
        return self._single("constant").constant

    @property
    def op(self) -> str:
        return self._single("op").op

    # ------------------------------------------------------------------ evaluation
    def _prepare(self, X, feature_names) -> tuple[np.ndarray, dict[str, int]]:
        if feature_names is None:
            columns = getattr(X, "columns", None)
            if columns is None:
                raise TypeError("feature_names is required when X is not a pandas DataFrame.")
            feature_names = list(columns)
        feature_names = [str(f) for f in feature_names]
        X = np.asarray(X, dtype=float)
        if X.ndim != 2:
            raise DataValidationError(
                f"X must be a 2-D array of shape (n_samples, n_features), got shape {X.shape}; "
                "reshape a single sample with X.reshape(1, -1)."
            )
        if X.shape[1] != len(feature_names):
            raise DataValidationError(
                f"X has {X.shape[1]} columns but {len(feature_names)} feature_names were given."
            )
        columns = {name: j for j, name in enumerate(feature_names)}
        missing = [v for v in self._variables if v not in columns]
        if missing:
            raise DataValidationError(
                f"Constraint {self._text!r} needs column(s) {missing} that are not among the "
                f"feature names {feature_names}.{suggest(missing[0], feature_names)}"
            )
        return X, columns

    def evaluate(self, X, feature_names: Sequence[str] | None = None, *, atol: float = 1e-9) -> np.ndarray:
        """Whether each row satisfies the constraint.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        feature_names : sequence of str of length n_features, optional
            Column names of ``X``; taken from ``X.columns`` when ``X`` is a DataFrame.
        atol : float, default=1e-9
            Tolerance of ``==`` comparisons (``|lhs - rhs| <= atol``). Inequalities are exact.

        Returns
        -------
        ndarray of bool of shape (n_samples,)
            True where the row satisfies every part.
        """
        X, columns = self._prepare(X, feature_names)
        ok = np.ones(X.shape[0], dtype=bool)
        for p in self._parts:
            ok &= _compare(p.linear_value(X, columns), p.op, atol)
        return ok

    def violation(self, X, feature_names: Sequence[str] | None = None, *, atol: float = 1e-9) -> np.ndarray:
        """How far each row is from satisfying the constraint (0 where it is satisfied).

        For each part the distance is ``max(lhs, 0)`` for ``<``/``<=``, ``max(-lhs, 0)`` for
        ``>``/``>=`` and ``|lhs|`` for ``==`` (0 within ``atol``), in the units of the linear
        form; a chained constraint reports the largest distance over its parts. A point exactly
        on the boundary of a strict inequality is not satisfied yet has violation 0.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        feature_names : sequence of str of length n_features, optional
        atol : float, default=1e-9

        Returns
        -------
        ndarray of float of shape (n_samples,)
        """
        X, columns = self._prepare(X, feature_names)
        out = np.zeros(X.shape[0], dtype=float)
        for p in self._parts:
            out = np.maximum(out, _distance(p.linear_value(X, columns), p.op, atol))
        return out

    # ------------------------------------------------------------------ dunder
    def __eq__(self, other) -> bool:
        if not isinstance(other, Constraint):
            return NotImplemented
        return self._text == other._text and self._parts == other._parts

    def __hash__(self) -> int:
        return hash((self._text, self._parts))

    def __repr__(self) -> str:
        return f"Constraint({self._text!r})"

    def __str__(self) -> str:
        return self._text
