"""Explicit randomness: every stochastic function takes ``random_state``.

Nothing in causalx calls ``np.random.seed`` or the global ``np.random.*`` functions.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["check_random_state", "spawn_generators"]


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
