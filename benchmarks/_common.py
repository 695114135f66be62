"""Helpers shared by the benchmark scripts (imported as ``_common``: a script's folder is first on sys.path)."""

from __future__ import annotations

import time

import numpy as np


class Counted:
    """``predict`` that counts the rows it is called on."""

    def __init__(self, model):
        self.model, self.rows = model, 0

    def __call__(self, X):
        X = np.asarray(X)
        self.rows += X.shape[0]
        return self.model.predict(X)


def timed(fn, repeats=1):
    """The best wall time of ``repeats`` calls of ``fn`` and the last result."""
    best, out = np.inf, None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out
