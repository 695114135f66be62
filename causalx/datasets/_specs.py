"""The example graph specs shipped inside the package (``causalx/datasets/graphs/*.yaml``).

They are package data, found with :mod:`importlib.resources`, so they are there in an installed
wheel as well as in a source checkout (where the top-level ``graphs/`` is a link to this folder).
The real-data loaders and the CLI read their graphs from here: one copy of each graph.
"""

from __future__ import annotations

import difflib
from importlib import resources
from pathlib import Path

from causalx.graph import CausalGraph, load_graph

__all__ = ["graph_path", "list_graphs"]

_PACKAGE = "causalx.datasets"
_FOLDER = "graphs"
_SUFFIX = ".yaml"


def _folder():
    return resources.files(_PACKAGE).joinpath(_FOLDER)


def list_graphs() -> tuple[str, ...]:
    """Names of the packaged example graph specs, sorted (the file names without ``.yaml``).

    Examples
    --------
    >>> "lg_chain" in list_graphs()
    True
    """
    return tuple(sorted(p.name[: -len(_SUFFIX)] for p in _folder().iterdir() if p.name.endswith(_SUFFIX)))


def graph_path(name: str) -> Path:
    """File of a packaged example graph spec, for :func:`causalx.load_graph` or ``causalx validate``.

    Parameters
    ----------
    name : str
        One of :func:`list_graphs` (``"lg_chain"``; a trailing ``.yaml`` is accepted).

    Returns
    -------
    pathlib.Path
        The spec inside the installed package.

    Raises
    ------
    ValueError
        ``name`` is not a packaged spec; the message lists the available names.

    Examples
    --------
    >>> import causalx as cx
    >>> cx.load_graph(graph_path("lg_chain")).nodes
    ('X1', 'X2', 'X3', 'X4', 'X5')
    """
    if not isinstance(name, str):
        raise TypeError(f"graph_path() takes the name of a packaged spec as a str, got {type(name).__name__}.")
    stem = name[: -len(_SUFFIX)] if name.endswith(_SUFFIX) else name
    available = list_graphs()
    if stem not in available:
        close = difflib.get_close_matches(stem, available, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(
            f"No packaged graph spec named {name!r}. Available: {', '.join(available)}.{hint}"
        )
    return Path(str(_folder().joinpath(stem + _SUFFIX)))


def _packaged_graph(name: str) -> CausalGraph:
    """The packaged spec ``name`` as a graph (what the dataset loaders return)."""
    return load_graph(graph_path(name))
