"""The one YAML reader of causalx (graph specs and run configs), layer L0.

``yaml.safe_load`` semantics only: plain mappings, lists, strings, numbers; any tag that would
build an object (``!!python/...``) or a custom tag (``!secret``) is rejected before anything is
constructed, and so are duplicate mapping keys. Every problem is raised as the caller's error
class (:class:`~causalx.exceptions.GraphSpecError` for graph specs,
:class:`~causalx.exceptions.ConfigError` for run configs), with a message that names the file,
the line and the location in the document (``edges[2]``, ``nodes.X3.type``).

Booleans are those of YAML 1.2 (``true``/``false`` in any case style): ``yes``, ``no``, ``on``,
``off`` stay text (``NO`` is a molecule; ``trust: on`` does not allow loading a model). Hostile
documents are refused with the same located errors, in well under a second: more than
:data:`MAX_DOCUMENT_CHARS` characters, nesting deeper than :data:`MAX_DEPTH`, more than
:data:`MAX_NODES` values once aliases are expanded ("billion laughs"), recursive aliases, control
characters, lone surrogates, non-UTF-8 files and scalars PyYAML cannot build (``2024-13-45``,
``!!int abc``, integers of thousands of digits).

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

from causalx.utils._text import clip, clip_repr
from causalx.utils.validation import suggest

__all__ = ["MAX_DEPTH", "MAX_DOCUMENT_CHARS", "MAX_NODES", "describe_problem", "fail", "load_yaml",
           "load_yaml_mapping", "loc_str", "raise_problems", "read_yaml_file"]

_STD_TAG = "tag:yaml.org,2002:"
_PLAIN_TAGS = {_STD_TAG + t for t in ("str", "int", "float", "bool", "null", "seq", "map", "merge")}
_PLAIN = "(mappings, lists, strings, numbers); remove the tag."
_SURROGATE = re.compile("[\ud800-\udfff]")

#: an error class taking ``(message, *, source=, location=)``, e.g. GraphSpecError or ConfigError
ErrorType = Callable[..., Exception]


#: the largest document (characters) read; causalx specs and configs are a few kilobytes
MAX_DOCUMENT_CHARS = 500_000
#: the deepest nesting of lists and mappings accepted
MAX_DEPTH = 50
#: the most nodes a document may have once its aliases (``*name``) are expanded
MAX_NODES = 20_000


_TOO_MANY = (f"the document holds more than {MAX_NODES:,} values (counting every use of an alias "
             f"'*name' as a copy of its node); causalx documents are small: split the data or use fewer aliases.")

class _TooDeep(Exception):
    """Raised by the scanner or composer at a node nested deeper than :data:`MAX_DEPTH`."""

    def __init__(self, mark: Any):
        super().__init__()
        self.mark = mark


class _TooMany(_TooDeep):
    """Raised by the composer at the value after the first :data:`MAX_NODES`."""


class _SafeLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` (no object construction) that refuses documents nested too deeply.

    Duplicate keys, tags and the size of the alias expansion are checked on the node tree.
    """

    _depth = 0
    _count = 0

    def fetch_flow_collection_start(self, TokenClass):  # type: ignore[no-untyped-def]  # noqa: N803
        # the scanner keeps one entry per open '[' / '{': refuse deep flow nesting while scanning
        if self.flow_level >= MAX_DEPTH:
            raise _TooDeep(self.get_mark())
        super().fetch_flow_collection_start(TokenClass)

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        self._depth += 1
        self._count += 1
        try:
            if self._count > MAX_NODES:
                raise _TooMany(self.peek_event().start_mark)
            if self._depth > MAX_DEPTH:
                raise _TooDeep(self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1



# YAML 1.2 booleans: only true/false (any case style), so that 'on', 'no' or 'NO' (a molecule) stay
# text, and a switch such as model.trust is set by the word true only.
_SafeLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _STD_TAG + "bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_SafeLoader.add_implicit_resolver(_STD_TAG + "bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                                  list("tTfF"))


def _construct_bool(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> bool:
    value = str(loader.construct_scalar(node))
    if value not in ("true", "True", "TRUE", "false", "False", "FALSE"):
        raise ValueError(value)
    return value.lower() == "true"


_SafeLoader.add_constructor(_STD_TAG + "bool", _construct_bool)


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


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _measure(root: yaml.Node, source: str, error: ErrorType) -> None:
    """Refuse recursive aliases, and documents too large or too deep once aliases are expanded.

    One pass over the distinct nodes (without a stack frame per level): an aliased node is
    measured once, so "billion laughs" documents are refused in microseconds.
    """
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    state: dict[int, int] = {}  # 1 on the current path, 2 measured
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        kids = _children(node)
        if done:
            size[key] = 1 + sum(size[id(c)] for c in kids)
            depth[key] = 1 + max((depth[id(c)] for c in kids), default=0)
            state[key] = 2
            if size[key] > MAX_NODES:
                raise fail(error, source, None, _TOO_MANY, line=_line(node))
            if depth[key] > MAX_DEPTH:
                raise fail(error, source, None,
                           f"lists and mappings are nested more than {MAX_DEPTH} levels deep (counting "
                           f"aliases); causalx documents are a few levels deep.", line=_line(node))
            continue
        if state.get(key) == 2:
            continue
        if state.get(key) == 1:
            raise fail(error, source, None,
                       "an alias refers to a node that contains it (a recursive anchor); causalx "
                       "documents are plain trees: write the values out.", line=_line(node))
        state[key] = 1
        stack.append((node, True))
        stack.extend((c, False) for c in kids)


def _construct_scalar(loader: yaml.SafeLoader, node: yaml.ScalarNode, path: tuple[Any, ...], source: str,
                      error: ErrorType) -> None:
    """Build one scalar now, so that a value PyYAML cannot build is reported where it is."""
    try:
        value = loader.construct_object(node)
    except yaml.constructor.ConstructorError:
        raise
    except Exception as exc:  # noqa: BLE001 - PyYAML raises ValueError, KeyError, IndexError, ...
        kind = node.tag[len(_STD_TAG):] if node.tag.startswith(_STD_TAG) else node.tag
        text = clip_repr(node.value)
        if kind == "timestamp":
            why = (f"{text} reads as a date but is not a valid date or time"
                   f"{f' ({clip(str(exc))})' if isinstance(exc, ValueError) else ''}; quote it to keep it "
                   f"as text (\"...\") or write a valid date such as 2024-01-31")
        elif kind == "int" and len(node.value) > 4000:
            why = f"an integer of {len(node.value):,} characters is too long; causalx reads numbers of normal size"
        elif kind in ("int", "float", "bool", "null"):
            accepted = {"int": "an integer such as 3", "float": "a number such as 0.5",
                        "bool": "true or false", "null": "null or ~"}[kind]
            why = f"{text} is not a valid !!{kind}: write {accepted}, or drop the tag '!!{kind}'"
        else:
            why = f"cannot read {text} as !!{kind} ({type(exc).__name__}); fix or quote the value"
        raise fail(error, source, loc_str(path) or None, why + ".", line=_line(node)) from None
    if isinstance(value, str) and _SURROGATE.search(value):
        ch = _SURROGATE.search(value).group()  # type: ignore[union-attr]
        raise fail(error, source, loc_str(path) or None,
                   f"the text {clip_repr(value)} contains the lone surrogate U+{ord(ch):04X}, which is "
                   f"not a character and cannot be written to a file; remove the '\\u{ord(ch):04x}' escape.",
                   line=_line(node))


def _check_tree(node: yaml.Node, path: tuple[Any, ...], source: str, error: ErrorType, kind: str,
                loader: yaml.SafeLoader | None = None, seen_nodes: set[int] | None = None) -> None:
    """Reject non-plain tags, duplicate mapping keys and unreadable scalars, reporting where they are.

    Each distinct node is checked once (an aliased node at its first use); :func:`_measure` has
    bounded the depth, so the recursion is shallow.
    """
    if seen_nodes is None:
        seen_nodes = set()
    if id(node) in seen_nodes:
        return
    seen_nodes.add(id(node))
    tag = node.tag or ""
    explicit_bad = not tag.startswith(_STD_TAG) or tag.startswith(_STD_TAG + "python/")
    if explicit_bad or (tag not in _PLAIN_TAGS and not isinstance(node, yaml.ScalarNode)):
        raise fail(error, source, loc_str(path) or None,
                   f"unsupported YAML tag {clip_repr(tag)}: causalx {kind}s are plain data {_PLAIN}",
                   line=_line(node))
    if isinstance(node, yaml.ScalarNode):
        if loader is not None:
            _construct_scalar(loader, node, path, source, error)
    elif isinstance(node, yaml.MappingNode):
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
                               f"duplicate {item} {clip_repr(key)} (first at line {seen[key]}, again at line "
                               f"{line}); list each {item} once.", line=line)
                seen[key] = line
            _check_tree(key_node, path, source, error, kind, loader, seen_nodes)
            _check_tree(value_node, (*path, key if key is not None else "?"), source, error, kind, loader,
                        seen_nodes)
    elif isinstance(node, yaml.SequenceNode):
        for i, child in enumerate(node.value):
            _check_tree(child, (*path, i), source, error, kind, loader, seen_nodes)


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

    Notes
    -----
    Hostile documents are refused with the same error class: more than
    :data:`MAX_DOCUMENT_CHARS` characters, lists and mappings nested more than
    :data:`MAX_DEPTH` levels, more than :data:`MAX_NODES` values once aliases are expanded, a
    recursive alias, control characters, lone surrogates and scalars PyYAML cannot build
    (``2024-13-45``, ``!!int abc``).
    """
    if len(text) > MAX_DOCUMENT_CHARS:
        raise fail(error, source, None,
                   f"the document has {len(text):,} characters; causalx reads {kind}s of at most "
                   f"{MAX_DOCUMENT_CHARS:,} (they are a few kilobytes).")
    loader = None
    try:
        loader = _SafeLoader(text)
        node = loader.get_single_node()
        if node is None:
            return None
        _measure(node, source, error)
        _check_tree(node, (), source, error, kind, loader)
        return loader.construct_document(node)
    except _TooMany as exc:
        raise fail(error, source, None, _TOO_MANY, line=exc.mark.line + 1 if exc.mark is not None else None) from None
    except _TooDeep as exc:
        line = exc.mark.line + 1 if exc.mark is not None else None
        raise fail(error, source, None, f"lists and mappings are nested more than {MAX_DEPTH} levels deep; "
                                        f"causalx {kind}s are a few levels deep.", line=line) from None
    except RecursionError:  # pragma: no cover - the limits above come first
        raise fail(error, source, None, f"the document is nested too deeply to read; causalx {kind}s "
                                        "are a few levels deep.") from None
    except yaml.reader.ReaderError as exc:
        pos = exc.position
        line = text.count("\n", 0, pos) + 1
        col = pos - (text.rfind("\n", 0, pos) + 1) + 1
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
        raise error(
            f"{source}, line {line}, column {col}: the document contains the control character U+{code:04X}, "
            f"which YAML does not allow; remove it (inside double quotes, write it as an escape such as "
            f"\"\\x{code:02x}\" if you need it).", source=source, location=f"line {line}") from None
    except yaml.constructor.ConstructorError as exc:  # e.g. a tag the safe loader cannot build
        mark = exc.problem_mark
        tag = re.search(r"tag '([^']*)'", str(exc.problem or ""))
        if tag:
            message = f"unsupported YAML tag {clip_repr(tag.group(1))}: causalx {kind}s are plain data {_PLAIN}"
        else:
            context = f" ({exc.context})" if exc.context else ""
            message = f"YAML error: {clip(str(exc.problem))}{context}."
        raise fail(error, source, None, message, line=mark.line + 1 if mark else None) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        context = f" ({exc.context})" if exc.context else ""
        line = mark.line + 1 if mark else None
        col = f", column {mark.column + 1}" if mark else ""
        raise error(
            f"{source}, line {line}{col}: YAML syntax error: {clip(str(exc.problem))}{context}. Check the "
            f"indentation, the ':' after each key and the quotes around text with special characters.",
            source=source,
            location=f"line {line}",
        ) from None
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked errors are rare
        raise error(f"{source}: YAML error: {clip(str(exc))}", source=source) from None
    finally:
        if loader is not None:
            loader.dispose()


def read_yaml_file(path: Any, *, error: ErrorType, kind: str = "spec") -> str:
    """The text of a YAML file, read as UTF-8; a file too large or not UTF-8 raises ``error``.

    ``FileNotFoundError`` / ``IsADirectoryError`` / ``PermissionError`` pass through (the callers
    word them).
    """
    from pathlib import Path

    path = Path(path)
    source = str(path)
    with path.open("rb") as fh:
        data = fh.read(4 * MAX_DOCUMENT_CHARS + 1)
    if len(data) > 4 * MAX_DOCUMENT_CHARS:
        raise fail(error, source, None, f"the file is larger than {4 * MAX_DOCUMENT_CHARS:,} bytes; causalx "
                                        f"{kind}s are a few kilobytes of YAML.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise fail(error, source, None,
                   f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); save it "
                   f"as UTF-8 (most editors: 'Save with encoding').", line=line) from None
    return text[1:] if text.startswith("\ufeff") else text


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
        return where, f"the key {clip_repr(value)} must be a string; quote it in YAML ('{clip(str(value))}')."
    if kind == "extra_forbidden":
        key = loc[-1]
        keys = tuple(accepted(loc))
        parent = loc_str(loc[:-1]) or "the top level"
        return where, (
            f"unknown key {clip_repr(key)} in {parent}; accepted keys are "
            f"{', '.join(repr(k) for k in keys)}.{suggest(key, keys)}"
        )
    if kind == "missing":
        key = loc[-1] if loc else "?"
        return where, f"missing required key {key!r}{(hints or {}).get(str(key), '')}."
    if kind == "literal_error":
        expected = str((err.get("ctx") or {}).get("expected", ""))
        choices = re.findall(r"'([^']*)'", expected)
        return where, f"{clip_repr(value)} is not accepted; accepted values are {expected}.{suggest(value, choices)}"
    if kind == "value_error":
        return where, msg
    return where, f"{clip(msg)} (got {clip_repr(value)})."


def raise_problems(problems: Sequence[tuple[str, str]], *, source: str, error: ErrorType) -> NoReturn:
    """Raise one error for the ``(location, message)`` problems of a document (one line each)."""
    location = problems[0][0]
    if len(problems) == 1:
        raise fail(error, source, location, problems[0][1]) from None
    lines = "\n".join(f"  - {w}: {m}" for w, m in problems)
    raise error(f"{source}: {len(problems)} problems:\n{lines}", source=source, location=location) from None
