"""Array helpers: column runs and run-wise column assignment against numpy's fancy indexing."""

from __future__ import annotations

import numpy as np
import pytest

from causalx.utils.arrays import assign_columns, column_runs


@pytest.mark.parametrize("seed", range(20))
def test_assign_columns_equals_fancy_assignment(seed):
    rng = np.random.default_rng(seed)
    d = int(rng.integers(1, 12))
    cols = np.sort(rng.choice(d, int(rng.integers(0, d + 1)), replace=False))
    dst = rng.normal(size=(3, 4, d))
    src = rng.normal(size=(3, 4, cols.size))
    expected = dst.copy()
    expected[..., cols] = src
    assign_columns(dst, cols, src)
    np.testing.assert_array_equal(dst, expected)


def test_assign_columns_broadcasts_and_accepts_unsorted_columns():
    dst = np.zeros((2, 3, 5))
    assign_columns(dst, [0, 1, 3], np.array([1.0, 2.0, 3.0]))  # broadcast over the leading axes
    assert (dst[..., [0, 1, 3]] == [1.0, 2.0, 3.0]).all() and (dst[..., [2, 4]] == 0).all()
    dst2 = np.zeros((2, 5))
    assign_columns(dst2, [4, 0], np.array([[1.0, 2.0], [3.0, 4.0]]))  # falls back to fancy indexing
    np.testing.assert_array_equal(dst2[:, [4, 0]], [[1.0, 2.0], [3.0, 4.0]])


def test_column_runs_cover_the_columns_in_order():
    cols = np.array([0, 1, 2, 5, 7, 8])
    runs = column_runs(cols)
    assert runs == [(0, 3, 0, 3), (5, 6, 3, 4), (7, 9, 4, 6)]
    assert np.concatenate([np.arange(a, b) for a, b, _, _ in runs]).tolist() == cols.tolist()
    assert column_runs([]) == []
