"""Quoting user values in messages: at most about 200 characters of any offending value."""

from __future__ import annotations

from typing import Any

__all__ = ["MAX_QUOTE", "clip", "clip_repr"]

#: the most characters of an offending value that a message quotes
MAX_QUOTE = 200


def clip(text: str, limit: int = MAX_QUOTE) -> str:
    """``text`` itself when short, else its first ``limit`` characters and how many were left out.

    Examples
    --------
    >>> clip("abc")
    'abc'
    >>> clip("x" * 300, 10)
    'xxxxxxxxxx... (290 more characters)'
    """
    text = str(text)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit:,} more characters)"


def clip_repr(value: Any, limit: int = MAX_QUOTE) -> str:
    """``repr(value)``, clipped to about ``limit`` characters (and never a huge computation).

    Examples
    --------
    >>> clip_repr("a" * 5, 3)
    "'aaa'... (2 more characters)"
    """
    if isinstance(value, str) and len(value) > limit:  # repr of a prefix only (never of a huge string)
        return f"{repr(value[:limit])}... ({len(value) - limit:,} more characters)"
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a value whose repr fails is still named
        text = f"<{type(value).__name__}>"
    return clip(text, limit)
