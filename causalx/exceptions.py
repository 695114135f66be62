"""Exceptions and warnings raised by causalx.

Every error raised for bad user input subclasses both :class:`CausalxError` and the built-in
exception a Python user would expect (``ValueError``, ``KeyError``, ``TypeError``), so that
``except ValueError`` keeps working and ``except CausalxError`` catches everything from causalx.
"""

from __future__ import annotations

__all__ = [
    "CausalxError",
    "CausalxWarning",
    "ConfigError",
    "ConvergenceWarning",
    "CyclicGraphError",
    "DataValidationError",
    "GraphSpecError",
    "ModelError",
    "NotFittedError",
    "OutputError",
    "TreeUnsupportedError",
    "UnknownNodeError",
]


class CausalxError(Exception):
    """Base class of every exception raised by causalx."""


class CausalxWarning(UserWarning):
    """Base class of every warning issued by causalx."""


class ConvergenceWarning(CausalxWarning):
    """A sampling estimator stopped before reaching its requested precision."""


class UnknownNodeError(KeyError, CausalxError):
    """A node name that the causal graph does not contain."""

    def __str__(self) -> str:  # KeyError quotes its message; show it plainly
        return str(self.args[0]) if self.args else ""


class CyclicGraphError(ValueError, CausalxError):
    """The directed edges of a causal graph form a cycle.

    Attributes
    ----------
    cycle : list of str
        The nodes of one cycle, in order (the first node is not repeated at the end).
    """

    def __init__(self, message: str, cycle: list[str] | None = None):
        super().__init__(message)
        self.cycle = list(cycle) if cycle is not None else []


class GraphSpecError(ValueError, CausalxError):
    """A YAML graph specification that cannot be accepted.

    Attributes
    ----------
    source : str or None
        The file name, or ``"<string>"`` for text.
    location : str or None
        Where in the document the problem is, e.g. ``"edges[2]"``.
    """

    def __init__(self, message: str, *, source: str | None = None, location: str | None = None):
        super().__init__(message)
        self.source = source
        self.location = location


class ConfigError(ValueError, CausalxError):
    """A run config (``causalx run``) that cannot be accepted.

    Attributes
    ----------
    source : str or None
        The file name, or ``"<string>"`` for text.
    location : str or None
        Where in the document the problem is, e.g. ``"explanations[1].value"``.
    """

    def __init__(self, message: str, *, source: str | None = None, location: str | None = None):
        super().__init__(message)
        self.source = source
        self.location = location


class DataValidationError(ValueError, CausalxError):
    """Data that cannot be used: missing columns, NaN/inf, non-numeric values, empty tables."""


class ModelError(ValueError, CausalxError):
    """The model to explain raised, or returned predictions of the wrong shape or type."""


class NotFittedError(ValueError, AttributeError, CausalxError):
    """An estimator was used before ``fit`` was called.

    It has the bases of scikit-learn's ``NotFittedError`` (ValueError, AttributeError), so
    ``except ValueError`` catches both; importing sklearn here would slow ``import causalx``.
    """


class TreeUnsupportedError(ValueError, CausalxError):
    """The model (or the requested output) has no exact tree path; the reason is the message."""


class OutputError(ValueError, CausalxError):
    """An output folder (``causalx run --out``) that cannot be written, or holds files of unknown origin."""
