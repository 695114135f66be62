"""Coalitions as packed bit words: the keys used to deduplicate and look up masks.

A coalition of ``d`` players is stored as ``W = ceil(d / 64)`` little-endian ``uint64`` words
(player ``j`` is bit ``j % 64`` of word ``j // 64``). :func:`keys` turns word rows into a 1-D
array that sorts, ``np.unique``-s and ``np.searchsorted``-s consistently (plain ``uint64`` when
``W == 1``, a fixed-size void view otherwise), so no Python loop touches individual masks.
"""

from __future__ import annotations

import numpy as np

__all__ = ["keys", "lookup", "mask_keys", "n_words", "pack", "unpack"]


def n_words(n_players: int) -> int:
    """Number of ``uint64`` words that hold ``n_players`` bits."""
    return max(1, -(-n_players // 64))


def pack(masks: np.ndarray) -> np.ndarray:
    """Pack boolean masks of shape ``(m, d)`` into words of shape ``(m, W)``, dtype ``uint64``."""
    masks = np.asarray(masks, dtype=bool)
    m, d = masks.shape
    w = n_words(d)
    packed = np.packbits(masks, axis=1, bitorder="little")
    buf = np.zeros((m, 8 * w), dtype=np.uint8)
    buf[:, : packed.shape[1]] = packed
    return buf.view("<u8").astype(np.uint64, copy=False)


def unpack(words: np.ndarray, n_players: int) -> np.ndarray:
    """Inverse of :func:`pack`: words ``(m, W)`` to boolean masks ``(m, n_players)``."""
    words = np.ascontiguousarray(words, dtype="<u8")
    bits = np.unpackbits(words.view(np.uint8), axis=1, bitorder="little")
    return bits[:, :n_players].astype(bool)


def keys(words: np.ndarray) -> np.ndarray:
    """One sortable key per row of ``words`` (shape ``(m,)``)."""
    words = np.ascontiguousarray(words, dtype=np.uint64)
    if words.shape[1] == 1:
        return words[:, 0]
    return words.view(np.dtype((np.void, 8 * words.shape[1]))).ravel()


def mask_keys(masks: np.ndarray) -> np.ndarray:
    """Keys of boolean masks ``(m, d)``; equal masks get equal keys."""
    return keys(pack(masks))


def lookup(sorted_keys: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Positions of ``query`` keys in ``sorted_keys`` (every query key must be present)."""
    pos = np.searchsorted(sorted_keys, query)
    return pos.astype(np.intp, copy=False)
