"""Optional progress bars (tqdm), off unless ``config_context(show_progress=True)``.

Bars are drawn only on a terminal: when stderr (where they go) is redirected to a file or a
pipe, a bar's carriage-return redraws would interleave with the log lines, so none is drawn and
the log lines alone tell the progress. :func:`log_line` prints a log line above an active bar.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

from causalx._config import get_config

T = TypeVar("T")

__all__ = ["bars_enabled", "log_line", "progress"]


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # closed or replaced streams
        return False


def bars_enabled() -> bool:
    """Whether :func:`progress` draws bars: progress switched on and stderr is a terminal."""
    return bool(get_config()["show_progress"]) and _isatty(sys.stderr)


def log_line(message: str) -> None:
    """Print ``message`` on stderr; above the active bar (``tqdm.write``) when bars are drawn."""
    if bars_enabled():
        try:
            from tqdm.auto import tqdm

            tqdm.write(message, file=sys.stderr)
            return
        except ImportError:  # pragma: no cover - tqdm is a dependency
            pass
    print(message, file=sys.stderr, flush=True)


def progress(iterable: Iterable[T], *, total: int | None = None, desc: str | None = None) -> Iterator[T]:
    """Wrap ``iterable`` in a tqdm bar when progress display is switched on and stderr is a terminal."""
    if not bars_enabled():
        yield from iterable
        return
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover - tqdm is a dependency
        yield from iterable
        return
    yield from tqdm(iterable, total=total, desc=desc, leave=False, file=sys.stderr)
