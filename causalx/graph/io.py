"""Reading and writing YAML graph specs (``yaml.safe_load`` semantics only).

Every problem with a spec is raised as a :class:`~causalx.exceptions.GraphSpecError` whose
message names the file, the location in the document (``edges[2]``, ``nodes.X3.type``), the
bad value, the accepted values and, where one is close, a suggestion.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from causalx.exceptions import GraphSpecError
from causalx.graph.causal_graph import CausalGraph
from causalx.graph.spec import GraphSpec, NodeSpec
from causalx.utils.yamlio import describe_problem, fail, load_yaml_mapping, raise_problems, read_yaml_file

__all__ = ["dump_graph", "dumps_graph", "load_graph", "loads_graph"]

_YAML_SUFFIXES = (".yaml", ".yml")
_STD_TAG = "tag:yaml.org,2002:"
_TOP_KEYS = tuple(GraphSpec.model_fields)
_NODE_KEYS = tuple(NodeSpec.model_fields)
_HINTS = {
    "causalx": " (the spec version): add 'causalx: 1' as the first line",
    "nodes": ": list the model's features under 'nodes:'",
}


def _accepted_keys(loc: tuple[Any, ...]) -> tuple[str, ...]:
    return _NODE_KEYS if len(loc) == 3 and loc[0] == "nodes" else _TOP_KEYS


def _fail(source: str, location: str | None, message: str) -> GraphSpecError:
    return fail(GraphSpecError, source, location, message)  # type: ignore[return-value]


def loads_graph(text: str, *, source: str = "<string>") -> CausalGraph:
    """Read a graph from YAML spec text.

    Parameters
    ----------
    text : str
        A causalx graph spec, version 1 (see :mod:`causalx.graph.spec`).
    source : str, default="<string>"
        Name used in error messages (the file name when reading a file).

    Returns
    -------
    CausalGraph

    Raises
    ------
    GraphSpecError
        Anything wrong with the spec; the message names ``source``, the location, the bad
        value, the accepted values and a suggestion where one exists.

    Examples
    --------
    >>> g = loads_graph('''
    ... causalx: 1
    ... target: y
    ... nodes: {X1: {}, X2: {unit: eV}}
    ... edges: [X1 -> X2]
    ... constraints: [X2 >= 0]
    ... ''')
    >>> g.parents("X2"), g.node_attributes("X2"), g.target
    (('X1',), {'unit': 'eV'}, 'y')
    >>> loads_graph("causalx: 1\\nnodes: {X1: {}}\\nedge: []")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    causalx.exceptions.GraphSpecError: <string>, edge: unknown key 'edge' ... Did you mean 'edges'?
    """
    data = load_yaml_mapping(
        text, source=source, error=GraphSpecError, kind="spec", reader="loads_graph", keys=_TOP_KEYS,
        empty="the document is empty; a causalx spec starts with 'causalx: 1' followed by 'nodes:' "
              "(and usually 'edges:').",
    )
    try:
        spec = GraphSpec.model_validate(data)
    except ValidationError as exc:
        problems = [describe_problem(e, accepted=_accepted_keys, hints=_HINTS) for e in exc.errors()]
        raise_problems(problems, source=source, error=GraphSpecError)
    try:
        return spec.to_graph()
    except GraphSpecError as exc:
        if exc.source is not None:
            raise
        message = str(exc)
        if exc.location and message.startswith(f"{exc.location}: "):
            message = message[len(exc.location) + 2:]
        raise _fail(source, exc.location, message) from exc
    except (ValueError, TypeError, KeyError) as exc:
        location = getattr(exc, "location", None)
        message = str(exc) if not isinstance(exc, KeyError) or not exc.args else str(exc.args[0])
        if location and message.startswith(f"{location}: "):
            message = message[len(location) + 2:]
        error = _fail(source, location, message)
        if hasattr(exc, "cycle"):
            error.cycle = list(exc.cycle)  # type: ignore[attr-defined]
        raise error from exc


def _check_suffix(path: Path, action: str) -> None:
    suffix = path.suffix.lower()
    if suffix in _YAML_SUFFIXES:
        return
    if suffix in (".dag", ".dagitty"):
        hint = "for DAGitty text use CausalGraph.from_dagitty(Path(path).read_text())"
    else:
        hint = "rename the file or convert it to a causalx YAML spec"
    raise GraphSpecError(
        f"{path}: cannot {action} a file with suffix {suffix!r}; graph specs are YAML files "
        f"({', '.join(_YAML_SUFFIXES)}); {hint}.",
        source=str(path),
    )


def load_graph(path: str | os.PathLike[str]) -> CausalGraph:
    """Read a graph from a YAML spec file.

    Parameters
    ----------
    path : str or path-like
        A ``.yaml`` or ``.yml`` file.

    Returns
    -------
    CausalGraph

    Raises
    ------
    FileNotFoundError
        No file at ``path``.
    GraphSpecError
        The file is not a valid spec (see :func:`loads_graph`).

    See Also
    --------
    dump_graph : the inverse; ``load_graph(p)`` after ``dump_graph(g, p)`` equals ``g``.
    """
    path = Path(path)
    _check_suffix(path, "load")
    if not path.is_file():
        raise FileNotFoundError(f"Graph spec file not found: '{path}' (resolved to '{path.resolve()}').")
    return loads_graph(read_yaml_file(path, error=GraphSpecError, kind="spec"), source=str(path))


class _FlowList(list):
    pass


class _FlowDict(dict):
    pass


class _SpecDumper(yaml.SafeDumper):
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # PyYAML writes some non-printable characters (e.g. U+0085) unquoted and reads them back
    # differently; double quotes escape them so that load(dump(g)) == g.
    style = None if value.isprintable() else '"'
    return dumper.represent_scalar(_STD_TAG + "str", value, style=style)


_SpecDumper.add_representer(str, _represent_str)
_SpecDumper.add_representer(
    _FlowList, lambda d, v: d.represent_sequence(_STD_TAG + "seq", v, flow_style=True)
)
_SpecDumper.add_representer(
    _FlowDict, lambda d, v: d.represent_mapping(_STD_TAG + "map", v.items(), flow_style=True)
)


def dumps_graph(graph: CausalGraph) -> str:
    """Write a graph as YAML spec text (version 1).

    Edges are written as ``"a -> b"``, confounded pairs as ``"a <-> b"``, constraints by their
    original text; node attributes are kept. ``loads_graph(dumps_graph(g)) == g``.

    Examples
    --------
    >>> from causalx.graph import CausalGraph
    >>> print(dumps_graph(CausalGraph({"X1": {}, "X2": {"unit": "eV"}}, ["X1 -> X2"], target="y")), end="")
    causalx: 1
    target: y
    nodes:
      X1: {}
      X2: {unit: eV}
    edges:
    - X1 -> X2
    """
    if not isinstance(graph, CausalGraph):
        raise TypeError(f"dumps_graph expects a CausalGraph, got {type(graph).__name__}.")
    data = graph.to_dict()
    data["nodes"] = {n: _FlowDict(a) for n, a in data["nodes"].items()}
    if "components" in data:
        data["components"] = [_FlowList(c) for c in data["components"]]
    if "groups" in data:
        data["groups"] = {g: _FlowList(m) for g, m in data["groups"].items()}
    return yaml.dump(data, Dumper=_SpecDumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=2**20)


def dump_graph(graph: CausalGraph, path: str | os.PathLike[str]) -> None:
    """Write a graph to a YAML spec file (see :func:`dumps_graph`)."""
    path = Path(path)
    _check_suffix(path, "write")
    path.write_text(dumps_graph(graph), encoding="utf-8")
