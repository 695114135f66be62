"""Optional progress bars (tqdm), off unless ``config_context(show_progress=True)``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

from causalx._config import get_config

T = TypeVar("T")

__all__ = ["progress"]


def progress(iterable: Iterable[T], *, total: int | None = None, desc: str | None = None) -> Iterator[T]:
    """Wrap ``iterable`` in a tqdm bar when progress display is switched on."""
    if not get_config()["show_progress"]:
        yield from iterable
        return
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover - tqdm is a dependency
        yield from iterable
        return
    yield from tqdm(iterable, total=total, desc=desc, leave=False)
