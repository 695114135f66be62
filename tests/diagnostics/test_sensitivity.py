"""DoWhy sensitivity leaves the process as it found it: dowhy's logger level and numpy's global state."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from causalx.datasets import make_linear_scm
from causalx.diagnostics import confounding_sensitivity
from causalx.utils.logs import logger_level
from causalx.utils.random import scoped_global_seed


def _same_state(a, b) -> bool:
    return a[0] == b[0] and np.array_equal(a[1], b[1]) and tuple(a[2:]) == tuple(b[2:])


@pytest.mark.parametrize("level", [logging.NOTSET, logging.WARNING, logging.DEBUG])
def test_sensitivity_restores_dowhy_logger_and_global_rng(level):
    pytest.importorskip("dowhy")
    scm = make_linear_scm(["A", "B", "C"], {("A", "B"): 0.8, ("B", "C"): 0.5}, confounders=[("A", "C", 0.5)])
    X = scm.sample(300, random_state=0)
    log = logging.getLogger("dowhy")
    old = log.level
    log.setLevel(level)
    try:
        np.random.seed(123)
        np.random.standard_normal()  # a cached Gaussian half is part of the state, too
        before = np.random.get_state()
        res = confounding_sensitivity(lambda Z: Z[:, 1] + Z[:, 2], scm.graph(), X, "B", strengths=(0.1,))
        assert log.level == level
        assert _same_state(np.random.get_state(), before)
        assert res.new_effects.shape == (1, 1) and np.isfinite(res.estimate)
    finally:
        log.setLevel(old)


def test_scoped_helpers_restore_on_error():
    log = logging.getLogger("causalx.test.scoped")
    log.setLevel(logging.INFO)
    before = np.random.get_state()
    with pytest.raises(RuntimeError, match="boom"):
        with logger_level("causalx.test.scoped", logging.ERROR), scoped_global_seed(0):
            assert log.level == logging.ERROR
            np.random.random(3)
            raise RuntimeError("boom")
    assert log.level == logging.INFO
    assert _same_state(np.random.get_state(), before)
    with scoped_global_seed(7):
        a = np.random.random(2)
    with scoped_global_seed(7):
        b = np.random.random(2)
    np.testing.assert_array_equal(a, b)
