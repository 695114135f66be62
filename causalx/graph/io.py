"""Reading and writing YAML graph specs (``yaml.safe_load`` semantics only).

Every problem with a spec is raised as a :class:`~causalx.exceptions.GraphSpecError` whose
message names the file, the location in the document (``edges[2]``, ``nodes.X3.type``), the
bad value, the accepted values and, where one is close, a suggestion.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from causalx.exceptions import GraphSpecError
from causalx.graph.causal_graph import CausalGraph
from causalx.graph.spec import GraphSpec, NodeSpec, graph_to_dict
from causalx.utils.validation import suggest

__all__ = ["dump_graph", "dumps_graph", "load_graph", "loads_graph"]

_YAML_SUFFIXES = (".yaml", ".yml")
_STD_TAG = "tag:yaml.org,2002:"
_PLAIN_TAGS = {_STD_TAG + t for t in ("str", "int", "float", "bool", "null", "seq", "map", "merge")}


class _SpecLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` (no object construction); duplicate keys are checked on the node tree."""


def _loc_str(loc: tuple[Any, ...] | list[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _fail(source: str, location: str | None, message: str, line: int | None = None) -> GraphSpecError:
    where = [source]
    if line is not None:
        where.append(f"line {line}")
    if location:
        where.append(location)
    return GraphSpecError(f"{', '.join(where)}: {message}", source=source, location=location or (
        f"line {line}" if line is not None else None))


def _check_tree(node: yaml.Node, path: tuple[Any, ...], source: str) -> None:
    """Reject non-plain tags and duplicate mapping keys, reporting where they are."""
    tag = node.tag or ""
    explicit_bad = not tag.startswith(_STD_TAG) or tag.startswith(_STD_TAG + "python/")
    if explicit_bad or (tag not in _PLAIN_TAGS and not isinstance(node, yaml.ScalarNode)):
        raise _fail(
            source, _loc_str(path) or None,
            f"unsupported YAML tag {tag!r}: causalx specs are plain data (mappings, lists, strings, "
            f"numbers); remove the tag.",
            line=node.start_mark.line + 1,
        )
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _STD_TAG + "merge":
                continue
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            line = key_node.start_mark.line + 1
            if key is not None:
                if key in seen:
                    what = "node" if path == ("nodes",) else "key"
                    raise _fail(
                        source, _loc_str((*path, key)),
                        f"duplicate {what} {key!r} (first at line {seen[key]}, again at line {line}); "
                        f"list each {what} once.",
                        line=line,
                    )
                seen[key] = line
            _check_tree(key_node, path, source)
            _check_tree(value_node, (*path, key if key is not None else "?"), source)
    elif isinstance(node, yaml.SequenceNode):
        for i, child in enumerate(node.value):
            _check_tree(child, (*path, i), source)


def _parse_yaml(text: str, source: str) -> Any:
    loader = _SpecLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_tree(node, (), source)
        return loader.construct_document(node)
    except yaml.constructor.ConstructorError as exc:  # e.g. a tag the safe loader cannot build
        mark = exc.problem_mark
        tag = re.search(r"tag '([^']*)'", str(exc.problem or ""))
        raise _fail(
            source, None,
            f"unsupported YAML tag {tag.group(1) if tag else '?'!r}: causalx specs are plain data "
            f"(mappings, lists, strings, numbers); remove the tag.",
            line=mark.line + 1 if mark else None,
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        context = f" ({exc.context})" if exc.context else ""
        line = mark.line + 1 if mark else None
        col = f", column {mark.column + 1}" if mark else ""
        raise GraphSpecError(
            f"{source}, line {line}{col}: YAML syntax error: {exc.problem}{context}. Check the "
            f"indentation, the ':' after each key and the quotes around text with special characters.",
            source=source,
            location=f"line {line}",
        ) from None
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked errors are rare
        raise GraphSpecError(f"{source}: YAML error: {exc}", source=source) from None
    finally:
        loader.dispose()


_TOP_KEYS = tuple(GraphSpec.model_fields)
_NODE_KEYS = tuple(NodeSpec.model_fields)


def _pydantic_message(err: dict[str, Any]) -> tuple[str, str]:
    loc = tuple(err.get("loc", ()))
    where = _loc_str(loc)
    kind = err.get("type", "")
    value = err.get("input")
    msg = str(err.get("msg", ""))
    if len(loc) >= 2 and loc[-1] == "[key]":  # a mapping key of the wrong type (e.g. a number)
        where = _loc_str(loc[:-2]) + f".{loc[-2]}"
        return where, f"the key {value!r} must be a string; quote it in YAML ('{value}')."
    if kind == "extra_forbidden":
        key = loc[-1]
        accepted = _NODE_KEYS if len(loc) == 3 and loc[0] == "nodes" else _TOP_KEYS
        parent = _loc_str(loc[:-1]) or "the top level"
        return where, (
            f"unknown key {key!r} in {parent}; accepted keys are "
            f"{', '.join(repr(k) for k in accepted)}.{suggest(key, accepted)}"
        )
    if kind == "missing":
        key = loc[-1] if loc else "?"
        hint = {
            "causalx": " (the spec version): add 'causalx: 1' as the first line",
            "nodes": ": list the model's features under 'nodes:'",
        }.get(str(key), "")
        return where, f"missing required key {key!r}{hint}."
    if kind == "literal_error":
        expected = str((err.get("ctx") or {}).get("expected", ""))
        choices = re.findall(r"'([^']*)'", expected)
        return where, f"{value!r} is not accepted; accepted values are {expected}.{suggest(value, choices)}"
    if kind == "value_error":
        return where, re.sub(r"^Value error, ", "", msg)
    return where, f"{msg} (got {value!r})."


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
    if not isinstance(text, str):
        raise TypeError(f"loads_graph expects YAML text (str), got {type(text).__name__}; "
                        f"use load_graph(path) for files.")
    data = _parse_yaml(text, source)
    if data is None:
        raise _fail(source, None, "the document is empty; a causalx spec starts with 'causalx: 1' "
                                  "followed by 'nodes:' (and usually 'edges:').")
    if not isinstance(data, dict):
        raise _fail(source, None, f"the document must be a mapping with keys "
                                  f"{', '.join(_TOP_KEYS)}; got a {type(data).__name__}.")
    if "causalx" not in data:  # report the version first: it decides how the rest is read
        raise _fail(source, "causalx", "missing required key 'causalx' (the spec version): add "
                                       "'causalx: 1' as the first line.")
    try:
        spec = GraphSpec.model_validate(data)
    except ValidationError as exc:
        problems = [_pydantic_message(e) for e in exc.errors()]
        location = problems[0][0]
        if len(problems) == 1:
            raise _fail(source, location, problems[0][1]) from None
        lines = "\n".join(f"  - {w}: {m}" for w, m in problems)
        raise GraphSpecError(f"{source}: {len(problems)} problems:\n{lines}", source=source,
                             location=location) from None
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
    return loads_graph(path.read_text(encoding="utf-8"), source=str(path))


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
    data = graph_to_dict(graph)
    data["nodes"] = {n: _FlowDict(a) for n, a in data["nodes"].items()}
    if "components" in data:
        data["components"] = [_FlowList(c) for c in data["components"]]
    return yaml.dump(data, Dumper=_SpecDumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=2**20)


def dump_graph(graph: CausalGraph, path: str | os.PathLike[str]) -> None:
    """Write a graph to a YAML spec file (see :func:`dumps_graph`)."""
    path = Path(path)
    _check_suffix(path, "write")
    path.write_text(dumps_graph(graph), encoding="utf-8")
