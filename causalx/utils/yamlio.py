"""The one YAML reader of causalx (graph specs and run configs), layer L0.

``yaml.safe_load`` semantics only: plain mappings, lists, strings, numbers; any tag that would
build an object (``!!python/...``) or a custom tag (``!secret``) is rejected before anything is
constructed, and so are duplicate mapping keys. Every problem is raised as the caller's error
class (:class:`~causalx.exceptions.GraphSpecError` for graph specs,
:class:`~causalx.exceptions.ConfigError` for run configs), with a message that names the file,
the line and the location in the document (``edges[2]``, ``nodes.X3.type``).

The pydantic error dicts of a validated document are worded here too
(:func:`describe_problem`, :func:`raise_problems`), without importing pydantic.

Examples
--------
>>> from causalx.exceptions import GraphSpecError
>>> load_yaml("a: 1\\nb: [x, y]\\n", source="f.yaml", error=GraphSpecError)
{'a': 1, 'b': ['x', 'y']}
>>> load_yaml("a: 1\\na: 2\\n", source="f.yaml", error=GraphSpecError)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
causalx.exceptions.GraphSpecError: f.yaml, line 2, a: duplicate key 'a' (first at line 1, again at line 2)...
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NoReturn

import yaml

from causalx.utils.validation import suggest

__all__ = ["describe_problem", "fail", "load_yaml", "load_yaml_mapping", "loc_str", "raise_problems"]

_STD_TAG = "tag:yaml.org,2002:"
_PLAIN_TAGS = {_STD_TAG + t for t in ("str", "int", "float", "bool", "null", "seq", "map", "merge")}
_PLAIN = "(mappings, lists, strings, numbers); remove the tag."

#: an error class taking ``(message, *, source=, location=)``, e.g. GraphSpecError or ConfigError
ErrorType = Callable[..., Exception]


class _SafeLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` (no object construction); duplicate keys are checked on the node tree."""


def loc_str(loc: Sequence[Any]) -> str:
    """``("edges", 2)`` -> ``"edges[2]"``; ``("nodes", "X3", "type")`` -> ``"nodes.X3.type"``.

    Examples
    --------
    >>> loc_str(("explanations", 1, "value"))
    'explanations[1].value'
    """
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def fail(error: ErrorType, source: str, location: str | None, message: str, line: int | None = None) -> Exception:
    """``error("<source>, line <n>, <location>: <message>", source=..., location=...)`` (to raise)."""
    where = [source]
    if line is not None:
        where.append(f"line {line}")
    if location:
        where.append(location)
    return error(f"{', '.join(where)}: {message}", source=source,
                 location=location or (f"line {line}" if line is not None else None))


def _check_tree(node: yaml.Node, path: tuple[Any, ...], source: str, error: ErrorType, kind: str) -> None:
    """Reject non-plain tags and duplicate mapping keys, reporting where they are."""
    tag = node.tag or ""
    explicit_bad = not tag.startswith(_STD_TAG) or tag.startswith(_STD_TAG + "python/")
    if explicit_bad or (tag not in _PLAIN_TAGS and not isinstance(node, yaml.ScalarNode)):
        raise fail(error, source, loc_str(path) or None,
                   f"unsupported YAML tag {tag!r}: causalx {kind}s are plain data {_PLAIN}",
                   line=node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _STD_TAG + "merge":
                continue
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            line = key_node.start_mark.line + 1
            if key is not None:
                if key in seen:
                    item = "node" if path == ("nodes",) else "key"
                    raise fail(error, source, loc_str((*path, key)),
                               f"duplicate {item} {key!r} (first at line {seen[key]}, again at line {line}); "
                               f"list each {item} once.", line=line)
                seen[key] = line
            _check_tree(key_node, path, source, error, kind)
            _check_tree(value_node, (*path, key if key is not None else "?"), source, error, kind)
    elif isinstance(node, yaml.SequenceNode):
        for i, child in enumerate(node.value):
            _check_tree(child, (*path, i), source, error, kind)


def load_yaml(text: str, *, source: str, error: ErrorType, kind: str = "spec") -> Any:
    """Parse one YAML document with ``yaml.safe_load`` semantics.

    Parameters
    ----------
    text : str
    source : str
        The file name (or ``"<string>"``) used in messages.
    error : exception class
        Raised for every problem; called as ``error(message, source=..., location=...)``.
    kind : str, default="spec"
        What the document is ("spec", "config"), for the messages.

    Returns
    -------
    The plain data (``None`` for an empty document).
    """
    loader = _SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_tree(node, (), source, error, kind)
        return loader.construct_document(node)
    except yaml.constructor.ConstructorError as exc:  # e.g. a tag the safe loader cannot build
        mark = exc.problem_mark
        tag = re.search(r"tag '([^']*)'", str(exc.problem or ""))
        raise fail(error, source, None,
                   f"unsupported YAML tag {tag.group(1) if tag else '?'!r}: causalx {kind}s are plain data {_PLAIN}",
                   line=mark.line + 1 if mark else None) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        context = f" ({exc.context})" if exc.context else ""
        line = mark.line + 1 if mark else None
        col = f", column {mark.column + 1}" if mark else ""
        raise error(
            f"{source}, line {line}{col}: YAML syntax error: {exc.problem}{context}. Check the "
            f"indentation, the ':' after each key and the quotes around text with special characters.",
            source=source,
            location=f"line {line}",
        ) from None
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked errors are rare
        raise error(f"{source}: YAML error: {exc}", source=source) from None
    finally:
        loader.dispose()


def load_yaml_mapping(text: Any, *, source: str, error: ErrorType, kind: str, reader: str,
                      keys: Sequence[str], empty: str) -> dict[str, Any]:
    """:func:`load_yaml` for a causalx document: a mapping whose first key is the version ``causalx``.

    Parameters
    ----------
    text : str
    source, error, kind
        As for :func:`load_yaml`.
    reader : str
        The calling function (``loads_<name>``), named in the ``TypeError`` for non-text input.
    keys : sequence of str
        The accepted top-level keys, listed when the document is not a mapping.
    empty : str
        The message for an empty document.
    """
    if not isinstance(text, str):
        raise TypeError(f"{reader} expects YAML text (str), got {type(text).__name__}; "
                        f"use {reader.replace('loads_', 'load_')}(path) for files.")
    data = load_yaml(text, source=source, error=error, kind=kind)
    if data is None:
        raise fail(error, source, None, empty)
    if not isinstance(data, dict):
        raise fail(error, source, None, f"the {kind} must be a mapping with keys {', '.join(keys)}; "
                                        f"got a {type(data).__name__}.")
    if "causalx" not in data:  # report the version first: it decides how the rest is read
        raise fail(error, source, "causalx", f"missing required key 'causalx' (the {kind} version): add "
                                             f"'causalx: 1' as the first line.")
    return data


def describe_problem(err: Mapping[str, Any], *, accepted: Callable[[tuple[Any, ...]], Sequence[str]],
                     hints: Mapping[str, str] | None = None) -> tuple[str, str]:
    """Word one pydantic error dict as ``(location, message)``.

    Parameters
    ----------
    err : mapping
        One item of ``ValidationError.errors()``.
    accepted : callable
        The accepted keys of the mapping at a location (for unknown keys).
    hints : mapping of str to str, optional
        Extra text after "missing required key 'k'", by key.
    """
    loc = tuple(err.get("loc", ()))
    where = loc_str(loc)
    kind = err.get("type", "")
    value = err.get("input")
    msg = re.sub(r"^Value error, ", "", str(err.get("msg", "")))
    if len(loc) >= 2 and loc[-1] == "[key]":  # a mapping key: of the wrong type, or rejected by a validator
        where = loc_str(loc[:-2]) + f".{loc[-2]}"
        if kind == "value_error":
            return where, msg
        return where, f"the key {value!r} must be a string; quote it in YAML ('{value}')."
    if kind == "extra_forbidden":
        key = loc[-1]
        keys = tuple(accepted(loc))
        parent = loc_str(loc[:-1]) or "the top level"
        return where, (
            f"unknown key {key!r} in {parent}; accepted keys are "
            f"{', '.join(repr(k) for k in keys)}.{suggest(key, keys)}"
        )
    if kind == "missing":
        key = loc[-1] if loc else "?"
        return where, f"missing required key {key!r}{(hints or {}).get(str(key), '')}."
    if kind == "literal_error":
        expected = str((err.get("ctx") or {}).get("expected", ""))
        choices = re.findall(r"'([^']*)'", expected)
        return where, f"{value!r} is not accepted; accepted values are {expected}.{suggest(value, choices)}"
    if kind == "value_error":
        return where, msg
    return where, f"{msg} (got {value!r})."


def raise_problems(problems: Sequence[tuple[str, str]], *, source: str, error: ErrorType) -> NoReturn:
    """Raise one error for the ``(location, message)`` problems of a document (one line each)."""
    location = problems[0][0]
    if len(problems) == 1:
        raise fail(error, source, location, problems[0][1]) from None
    lines = "\n".join(f"  - {w}: {m}" for w, m in problems)
    raise error(f"{source}: {len(problems)} problems:\n{lines}", source=source, location=location) from None
