"""Explicit randomness: every stochastic function takes ``random_state``.

causalx draws only from ``numpy.random.Generator`` objects made by :func:`check_random_state`
or :func:`spawn_generators`; it never draws from numpy's global generator. The one call to
``np.random.seed`` is inside :func:`scoped_global_seed`, under which causalx runs third-party
code that draws from the global generator and takes no generator argument (DoWhy's refuters, in
:func:`causalx.diagnostics.confounding_sensitivity`); it restores the caller's global state
(``np.random.get_state()``) on exit.
"""

from __future__ import annotations

import contextlib
import numbers
from collections.abc import Iterator

import numpy as np

__all__ = ["check_random_state", "scoped_global_seed", "spawn_generators"]


def check_random_state(random_state: int | np.random.Generator | np.random.SeedSequence | None) -> np.random.Generator:
    """Turn ``None``, an int, a ``SeedSequence`` or a ``Generator`` into a ``Generator``.

    An existing ``Generator`` is returned as is (it is advanced by the caller's draws).

    Examples
    --------
    >>> g = check_random_state(0)
    >>> bool(g.random() == check_random_state(0).random())
    True
    """
    if random_state is None:
        return np.random.default_rng()
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.SeedSequence):
        return np.random.default_rng(random_state)
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(f"random_state must be a non-negative integer, got {random_state}.")
        return np.random.default_rng(int(random_state))
    raise TypeError(
        "random_state must be None, a non-negative int, a numpy SeedSequence or a numpy "
        f"Generator, got {random_state!r} of type {type(random_state).__name__}."
    )


def spawn_generators(random_state, n: int) -> list[np.random.Generator]:
    """Return ``n`` independent generators derived from ``random_state``.

    The children depend only on ``random_state`` and ``n``, never on how the work is split
    between processes, so parallel results equal sequential ones.
    """
    rng = check_random_state(random_state)
    seed = int(rng.integers(0, 2**63 - 1))
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(n)]


@contextlib.contextmanager
def scoped_global_seed(seed: int) -> Iterator[None]:
    """Seed numpy's global generator inside a ``with`` block; restore its state on exit.

    For third-party code that draws from ``np.random.*`` and takes no generator. The state the
    caller had (``np.random.get_state()``) is restored also when the block raises. The global
    generator is process-wide: other threads drawing from it during the block share the seeded
    stream.

    Parameters
    ----------
    seed : int
        Passed to ``np.random.seed``.

    Examples
    --------
    >>> before = np.random.get_state()[1].copy()
    >>> with scoped_global_seed(0):
    ...     a = np.random.random()
    >>> with scoped_global_seed(0):
    ...     b = np.random.random()
    >>> bool(a == b), bool(np.array_equal(np.random.get_state()[1], before))
    (True, True)
    """
    state = np.random.get_state()
    np.random.seed(seed)  # scoped: the caller's state is restored below
    try:
        yield
    finally:
        np.random.set_state(state)
