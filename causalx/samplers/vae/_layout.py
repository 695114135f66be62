"""Column layout of the VAE's input and output, and the encoding of data rows (numpy only).

Continuous and ordinal features are standardised (one input column, a mean and a scale
output), binary features become a level index (one input column, one logit), categorical
features a one-hot block (one input column and one logit per observed level).
"""

from __future__ import annotations

import numpy as np

from causalx.exceptions import DataValidationError

__all__ = ["MAX_LEVELS", "build_layout", "encode", "level_index", "set_standardisation"]

MAX_LEVELS = 256


def set_standardisation(s, X: np.ndarray) -> None:
    """Set ``s.mean_``, ``s.scale_`` and ``s.levels_`` from the background data ``X``."""
    d = X.shape[1]
    mean, scale = np.zeros(d), np.ones(d)
    levels: list[np.ndarray | None] = []
    for j, t in enumerate(s.feature_types_):
        col = X[:, j]
        if t == "continuous":
            levels.append(None)
        else:
            lv = np.unique(col)
            if t == "binary" and lv.size > 2:
                raise DataValidationError(
                    f"Column {_label(s, j)} is declared binary but takes {lv.size} distinct "
                    f"values ({lv[:5].tolist()}...); declare it 'categorical' or 'continuous'."
                )
            if t == "categorical" and lv.size > MAX_LEVELS:
                raise DataValidationError(
                    f"Column {_label(s, j)} is declared categorical but takes {lv.size} "
                    f"distinct values (more than {MAX_LEVELS}); declare it 'continuous' or "
                    "'ordinal'."
                )
            if t == "binary" and lv.size == 1:
                lv = np.array([lv[0], lv[0]])
            levels.append(lv)
        if t in ("continuous", "ordinal"):
            mean[j] = col.mean()
            sd = col.std()
            scale[j] = sd if sd > 0 else 1.0
    s.mean_, s.scale_ = mean, scale
    s.levels_ = tuple(levels)


def _label(s, j: int) -> str:
    return repr(s.feature_names_in_[j]) if s.feature_names_in_ is not None else str(j)


def build_layout(feature_types, levels) -> dict:
    """Column layout of the encoded input and of the decoder output."""
    in_cols: list[int] = []  # encoded input column -> feature
    cont_idx, cont_out, bin_idx, bin_out, cats = [], [], [], [], []
    out_dim = 0
    for j, t in enumerate(feature_types):
        if t in ("continuous", "ordinal"):
            in_cols.append(j)
            cont_idx.append(j)
            cont_out.append(out_dim)
            out_dim += 2
        elif t == "binary":
            in_cols.append(j)
            bin_idx.append(j)
            bin_out.append(out_dim)
            out_dim += 1
        else:
            m = levels[j].size
            in_cols.extend([j] * m)
            cats.append((j, out_dim, out_dim + m, len(in_cols) - m))
            out_dim += m
    grouped = np.array(cont_idx + bin_idx + [c[0] for c in cats], dtype=np.int64)
    column_order = np.empty_like(grouped)
    column_order[grouped] = np.arange(grouped.size)
    return {
        "column_order": column_order,
        "in_feature": np.array(in_cols, dtype=np.int64),
        "cont_idx": np.array(cont_idx, dtype=np.int64),
        "cont_out": np.array(cont_out, dtype=np.int64),
        "bin_idx": np.array(bin_idx, dtype=np.int64),
        "bin_out": np.array(bin_out, dtype=np.int64),
        "cats": cats,
        "out_dim": out_dim,
    }


def level_index(lv: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Index of the nearest observed level ``lv`` (sorted) of each value of ``x``."""
    if lv.size == 1:
        return np.zeros(x.shape, dtype=np.int64)
    return np.searchsorted((lv[1:] + lv[:-1]) / 2, x)


def encode(s, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the network input (m, n_in) and the likelihood targets (m, d), float32."""
    lay = s._layout
    m, d = X.shape
    inp = np.zeros((m, lay["in_feature"].size), dtype=np.float32)
    codes = np.zeros((m, d), dtype=np.float32)
    col = 0
    for j, t in enumerate(s.feature_types_):
        if t in ("continuous", "ordinal"):
            v = (X[:, j] - s.mean_[j]) / s.scale_[j]
            inp[:, col] = v
            codes[:, j] = v
            col += 1
        elif t == "binary":
            v = level_index(s.levels_[j], X[:, j])
            inp[:, col] = v
            codes[:, j] = v
            col += 1
        else:
            k = level_index(s.levels_[j], X[:, j])
            size = s.levels_[j].size
            inp[np.arange(m), col + k] = 1.0
            codes[:, j] = k
            col += size
    return inp, codes
