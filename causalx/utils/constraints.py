"""Declarative parameter constraints (scikit-learn's ``_parameter_constraints`` style).

An estimator declares, per parameter, a list of accepted alternatives; :func:`validate_params`
checks them all at once, with the messages of :func:`~causalx.utils.validation.check_option`
and :func:`~causalx.utils.validation.check_interval`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from causalx.utils.validation import check_interval, check_option

__all__ = ["Boolean", "InstanceOf", "Interval", "NonZeroInt", "Options", "validate_params"]


@dataclass(frozen=True)
class Options:
    """The parameter must be one of ``values`` (a tuple from :mod:`causalx._options`)."""

    values: tuple

    def check(self, name: str, value: Any) -> None:
        if isinstance(value, str) or value is None or not isinstance(value, (list, dict, set)):
            check_option(name, value, self.values)
        else:
            raise TypeError(f"{name} must be one of {', '.join(map(repr, self.values))}, got {value!r}.")


@dataclass(frozen=True)
class Interval:
    """The parameter must be a number in ``[low, high]`` (see :func:`check_interval`)."""

    low: float | None = None
    high: float | None = None
    integer: bool = False
    closed: str = "both"

    def check(self, name: str, value: Any) -> None:
        check_interval(name, value, low=self.low, high=self.high, integer=self.integer, closed=self.closed)


@dataclass(frozen=True)
class Boolean:
    """The parameter must be ``True`` or ``False``."""

    def check(self, name: str, value: Any) -> None:
        import numpy as np

        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{name} must be True or False, got {value!r}.")


@dataclass(frozen=True)
class NonZeroInt:
    """A worker count: a non-zero integer (``-1`` for all cores)."""

    def check(self, name: str, value: Any) -> None:
        import numpy as np

        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value == 0:
            raise ValueError(f"{name} must be a non-zero integer (-1 for all cores), got {value!r}.")


@dataclass(frozen=True)
class InstanceOf:
    """The parameter must be an instance of ``types`` (``what`` words the expectation)."""

    types: tuple
    what: str

    def check(self, name: str, value: Any) -> None:
        if not isinstance(value, self.types):
            raise TypeError(f"{name} must be {self.what}, got {value!r} of type {type(value).__name__}.")


def validate_params(params: dict[str, Any], constraints: dict[str, list]) -> None:
    """Check every parameter against its list of accepted constraints (scikit-learn style).

    Each entry of ``constraints`` is a list of alternatives: constraint objects
    (:class:`Options`, :class:`Interval`, :class:`Boolean`, ...) or ``None`` (the value may be
    ``None``). A value passes when one alternative accepts it; otherwise the error of the
    first constraint is raised, naming the parameter, the bad value and what is accepted.
    Parameters without an entry are not checked (``"no_validation"``).

    Examples
    --------
    >>> validate_params({"tol": 0.1, "n": None}, {"tol": [Interval(0, None)], "n": [Interval(1, integer=True), None]})
    >>> validate_params({"value": "causual"}, {"value": [Options(("marginal", "causal"))]})
    Traceback (most recent call last):
    ...
    ValueError: value='causual' is not supported. Accepted values are 'marginal', 'causal'. Did you mean 'causal'?
    """
    for name, alternatives in constraints.items():
        if alternatives == "no_validation" or name not in params:
            continue
        value = params[name]
        if value is None and None in alternatives:
            continue
        checks = [c for c in alternatives if c is not None]
        first_error = None
        for c in checks:
            try:
                c.check(name, value)
                break
            except (TypeError, ValueError) as exc:
                first_error = first_error or exc
        else:
            if first_error is not None:
                raise first_error
