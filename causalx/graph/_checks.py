"""Checks of one item of a graph (a node name, a node type or role, an edge), written once.

Both entry points call these: the pydantic spec models (:mod:`causalx.graph.spec`, for YAML,
where pydantic supplies the location such as ``edges[2]``) and the :class:`CausalGraph`
constructor (for Python callers, which prefixes the location itself). They raise a plain
``ValueError`` whose message does not name the location. Checks that need the whole graph
(unknown nodes, duplicates, cycles, components) are invariants of the constructor.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from causalx._options import NODE_ROLES, NODE_TYPES
from causalx.utils._text import clip_repr
from causalx.utils.validation import suggest

__all__ = ["NODE_ATTRIBUTES", "NODE_ROLES", "NODE_TYPES", "check_group", "check_name", "check_node_role", "check_node_type",
           "check_unique_nodes", "parse_edge", "parse_pair"]

#: Node attribute keys a graph accepts, in the order they are written out (the fields of NodeSpec).
NODE_ATTRIBUTES = ("unit", "description", "type", "role")

_ARROWS = ("<->", "->", "<-")
#: the longest edge text parsed (node names are short; a longer item is refused before any work)
MAX_EDGE_CHARS = 1000


def _split_arrow(text: str) -> tuple[str, str, str] | None:
    """``(a, arrow, b)`` around the first arrow of ``text`` (stripped), or ``None`` without one.

    One left-to-right scan (no backtracking pattern): the arrow is the first ``<->``, ``->``,
    ``<-`` or ``--``, the longest one where several start at the same position.
    """
    for i in range(len(text) - 1):
        two = text[i:i + 2]
        if text.startswith("<->", i):
            arrow = "<->"
        elif two in ("->", "<-", "--"):
            arrow = two
        else:
            continue
        return text[:i].strip(), arrow, text[i + len(arrow):].strip()
    return None


def _or_list(values: Sequence[str]) -> str:
    shown = [repr(v) for v in values]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"


def check_name(name: str) -> str:
    """A node name that is not empty, has no surrounding whitespace, arrows or control characters.

    Examples
    --------
    >>> check_name("band gap")
    'band gap'
    >>> check_name("a -> b")
    Traceback (most recent call last):
    ...
    ValueError: node name 'a -> b' contains an arrow ('->', '<-', '<->' or '--'); rename the node.
    """
    problem = None
    if not name.strip():
        problem = "is empty"
    elif name != name.strip():
        problem = "has leading or trailing whitespace"
    elif any(arr in name for arr in (*_ARROWS, "--")):
        problem = "contains an arrow ('->', '<-', '<->' or '--')"
    elif not name.isprintable():
        problem = "contains a non-printable character (newline, tab, ...)"
    if problem:
        raise ValueError(f"node name {clip_repr(name)} {problem}; rename the node.")
    return name


def check_group(name: Any, members: Any) -> tuple[str, list[str]]:
    """One item of ``groups``: a valid name and a non-empty list of distinct node names.

    Whether the members are nodes, and in one group only, needs the whole graph (the
    constructor checks it, :func:`causalx.graph.groups.parse_groups`).

    Examples
    --------
    >>> check_group("composition", ["x_Fe", "x_Ni"])
    ('composition', ['x_Fe', 'x_Ni'])
    >>> check_group("processing", [])
    Traceback (most recent call last):
    ...
    ValueError: group 'processing' is empty; list its member nodes or remove it.
    """
    if not isinstance(name, str):
        raise TypeError(f"group names must be strings, got {name!r} of type {type(name).__name__}.")
    try:
        check_name(name)
    except ValueError as exc:
        raise ValueError(str(exc).replace("node name", "group name").replace("rename the node", "rename the group")) from None
    if isinstance(members, str) or not isinstance(members, Sequence):
        raise TypeError(f"group {name!r} must be a list of node names, got {clip_repr(members)}; write "
                        f"[{members}] for a single node.")
    out = []
    for j, m in enumerate(members):
        if not isinstance(m, str):
            raise TypeError(f"member {j} of group {name!r} is {m!r}; node names are strings (quote it in YAML).")
        if m in out:
            raise ValueError(f"group {name!r} lists {m!r} twice; list each member once.")
        out.append(m)
    if not out:
        raise ValueError(f"group {name!r} is empty; list its member nodes or remove it.")
    return name, out


def check_unique_nodes(names: Sequence[str]) -> None:
    """Raise for the first node listed twice."""
    seen: dict[str, int] = {}
    for i, n in enumerate(names):
        if n in seen:
            raise ValueError(f"duplicate node {n!r} in nodes (positions {seen[n]} and {i}); list each node once.")
        seen[n] = i


def check_node_type(value: Any) -> Any:
    """``None`` or one of :data:`~causalx._options.NODE_TYPES` (the ``type`` node attribute).

    Examples
    --------
    >>> check_node_type("continous")
    Traceback (most recent call last):
    ...
    ValueError: 'continous' is not accepted; accepted values are 'continuous', 'binary', 'categorical' or 'ordinal'. Did you mean 'continuous'?
    """
    return _check_choice(value, NODE_TYPES)


def check_node_role(value: Any) -> Any:
    """``None`` or one of :data:`~causalx._options.NODE_ROLES` (the ``role`` node attribute).

    ``control``: set by the experimenter (a recipe parameter, a designed condition);
    ``measured``: measured on the sample, never set directly; ``property``: intrinsic to the
    chosen material or molecule, changed only by choosing another one.

    Examples
    --------
    >>> check_node_role("controll")
    Traceback (most recent call last):
    ...
    ValueError: 'controll' is not accepted; accepted values are 'control', 'measured' or 'property'. Did you mean 'control'?
    """
    return _check_choice(value, NODE_ROLES)


def _check_choice(value: Any, accepted: Sequence[str]) -> Any:
    if value is not None and value not in accepted:
        raise ValueError(f"{value!r} is not accepted; accepted values are {_or_list(accepted)}."
                         f"{suggest(value, accepted)}")
    return value


def parse_pair(item: Any, kind: str = "edge") -> tuple[str, str]:
    """Parse one edge (``"a -> b"``, ``"b <- a"`` or ``[a, b]``) or confounded pair (``"a <-> b"``).

    Parameters
    ----------
    item : str or sequence of two str
    kind : {'edge', 'confounded'}

    Returns
    -------
    tuple of (str, str)
        ``(cause, effect)`` for an edge; the two endpoints as written for a confounded pair.

    Raises
    ------
    ValueError
        The item is not a pair, or uses the wrong arrow.

    Examples
    --------
    >>> parse_pair("X1 -> X2"), parse_pair("X2 <- X1"), parse_pair(["X1", "X2"])
    (('X1', 'X2'), ('X1', 'X2'), ('X1', 'X2'))
    >>> parse_pair("X1 <-> X4", kind="confounded")
    ('X1', 'X4')
    """
    want = "a -> b" if kind == "edge" else "a <-> b"
    if isinstance(item, str):
        shown = clip_repr(item)
        if len(item) > MAX_EDGE_CHARS:
            raise ValueError(f"{shown} is {len(item):,} characters long; an edge is two node names and an "
                             f"arrow ({want!r}), at most {MAX_EDGE_CHARS} characters.")
        parts = _split_arrow(item)
        if parts is None or not parts[0] or not parts[2] or "\n" in parts[0] or "\n" in parts[2]:
            raise ValueError(
                f"{shown} is not {'an edge' if kind == 'edge' else 'a confounded pair'}: write "
                f"{want!r} (or a pair [a, b])."
            )
        a, arrow, b = parts
        if any(arr in a or arr in b for arr in (*_ARROWS, "--")):
            raise ValueError(f"{shown} holds more than one arrow; write one pair per item ({want!r}).")
        if arrow == "--":
            raise ValueError(
                f"{shown} is an undirected edge, which causalx does not support: orient it "
                f"('{a} -> {b}') or, for an unobserved common cause, write '{a} <-> {b}' under confounded."
            )
        if kind == "edge":
            if arrow == "<->":
                raise ValueError(
                    f"{shown} is a bidirected edge; list it under 'confounded' (an unobserved common "
                    f"cause), and keep 'edges' for directed edges 'a -> b'."
                )
            return (a, b) if arrow == "->" else (b, a)
        if arrow != "<->":
            raise ValueError(
                f"{shown} is a directed edge; confounded pairs are written {want!r} "
                f"(directed edges belong under 'edges')."
            )
        return (a, b)
    if isinstance(item, Sequence) and len(item) == 2 and all(isinstance(v, str) for v in item):
        return (item[0], item[1])
    raise ValueError(
        f"{clip_repr(item)} is not {'an edge' if kind == 'edge' else 'a confounded pair'}: write {want!r} "
        f"or a pair of two node names [a, b]."
    )


def parse_edge(item: Any, kind: str = "edge") -> tuple[str, str]:
    """:func:`parse_pair`, rejecting a pair that joins a node to itself.

    Examples
    --------
    >>> parse_edge("X1 -> X1")
    Traceback (most recent call last):
    ...
    ValueError: 'X1 -> X1' joins node 'X1' to itself; self-loops are not allowed.
    """
    a, b = parse_pair(item, kind)
    if a == b:
        text = f"{a} -> {b}" if kind == "edge" else f"{a} <-> {b}"
        raise ValueError(f"{text!r} joins node {a!r} to itself; self-loops are not allowed.")
    return a, b
