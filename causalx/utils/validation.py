"""Parameter validation helpers: one place that words every "bad option" message."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from numbers import Integral, Real
from typing import Any

__all__ = ["check_interval", "check_option", "suggest"]


def suggest(value: Any, choices: Iterable[Any]) -> str:
    """Return ``" Did you mean 'x'?"`` for the closest choice, or ``""`` when none is close."""
    choices = [str(c) for c in choices]
    close = difflib.get_close_matches(str(value), choices, n=1, cutoff=0.6)
    return f" Did you mean {close[0]!r}?" if close else ""


def check_option(name: str, value: Any, allowed: Iterable[Any]) -> Any:
    """Check that ``value`` is one of ``allowed``; raise a ``ValueError`` naming both otherwise.

    Examples
    --------
    >>> check_option("method", "exact", ["exact", "permutation"])
    'exact'
    """
    allowed = list(allowed)
    if value not in allowed:
        raise ValueError(
            f"{name}={value!r} is not supported. Accepted values are "
            f"{', '.join(repr(a) for a in allowed)}.{suggest(value, allowed)}"
        )
    return value


def check_interval(
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    integer: bool = False,
    closed: str = "both",
) -> Any:
    """Check that ``value`` is a number in an interval (``closed`` in both/left/right/neither).

    Examples
    --------
    >>> check_interval("n_samples", 10, low=1, integer=True)
    10
    """
    kind = Integral if integer else Real
    if isinstance(value, bool) or not isinstance(value, kind):
        raise TypeError(
            f"{name} must be {'an integer' if integer else 'a real number'}, got {value!r} "
            f"of type {type(value).__name__}."
        )
    lo_ok = low is None or (value >= low if closed in ("both", "left") else value > low)
    hi_ok = high is None or (value <= high if closed in ("both", "right") else value < high)
    if not (lo_ok and hi_ok):
        left = "[" if closed in ("both", "left") else "("
        right = "]" if closed in ("both", "right") else ")"
        lo = "-inf" if low is None else low
        hi = "inf" if high is None else high
        raise ValueError(f"{name}={value!r} is out of range; it must lie in {left}{lo}, {hi}{right}.")
    return value
