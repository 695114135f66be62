"""Array helpers shared by the frozen result objects."""

from __future__ import annotations

import numpy as np

__all__ = ["readonly_array"]


def readonly_array(a) -> np.ndarray | None:
    """A float64 copy of ``a`` that cannot be written to (``None`` passes through).

    Examples
    --------
    >>> r = readonly_array([1, 2])
    >>> r.flags.writeable, r.dtype
    (False, dtype('float64'))
    """
    if a is None:
        return None
    a = np.array(a, dtype=float, copy=True)
    a.setflags(write=False)
    return a
