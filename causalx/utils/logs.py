"""Scoped changes to a logger's level: set for a ``with`` block, restored afterwards.

Third-party libraries (DoWhy) log at INFO level on every call. causalx quiets them only for the
duration of its own call and never changes a logger's level for the rest of the process.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

__all__ = ["logger_level"]


@contextlib.contextmanager
def logger_level(name: str, level: int) -> Iterator[logging.Logger]:
    """Set the level of the logger ``name`` inside a ``with`` block; restore it on exit.

    The previous level (``logging.NOTSET`` when the logger inherited its level) is restored also
    when the block raises. Logger levels are process-wide: threads that log to the same logger
    during the block see the changed level.

    Parameters
    ----------
    name : str
        Logger name, e.g. ``"dowhy"`` (its child loggers inherit the level unless they set one).
    level : int
        A :mod:`logging` level such as ``logging.ERROR``.

    Examples
    --------
    >>> import logging
    >>> log = logging.getLogger("causalx.example")
    >>> with logger_level("causalx.example", logging.ERROR):
    ...     logging.getLevelName(log.level)
    'ERROR'
    >>> log.level == logging.NOTSET
    True
    """
    logger = logging.getLogger(name)
    previous = logger.level
    logger.setLevel(level)
    try:
        yield logger
    finally:
        logger.setLevel(previous)
