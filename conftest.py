"""Root pytest configuration: applies to the tests and to the doctests in causalx/."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True, scope="session")
def _one_thread_per_worker():
    """pytest-xdist runs one worker per core: keep BLAS/OpenMP pools (HistGradientBoosting,
    numpy) to one thread each, or two workers oversubscribe the machine many times over."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        yield
