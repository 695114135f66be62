"""Layer rules of docs/architecture.md, enforced by walking every module's imports with ``ast``."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "causalx"

#: module prefix -> layer; a module may import only from its own or lower layers
LAYERS = {
    "causalx._version": 0,
    "causalx.exceptions": 0,
    "causalx._config": 0,
    "causalx._options": 0,
    "causalx.utils": 0,
    "causalx.graph": 1,
    "causalx.explanation": 1,
    "causalx.samplers": 2,
    "causalx.datasets": 2,
    "causalx.shapley": 3,
    "causalx.values": 3,
    "causalx.dependence": 3,
    "causalx.diagnostics": 3,
    "causalx.explain": 4,
    "causalx.study": 4,
    "causalx.plotting": 5,
    "causalx.report": 5,
    "causalx.cli": 6,
    "causalx": 6,  # the package root re-exports the public API (lazily); only the CLI may use it
}

#: third-party packages that must be imported lazily (inside functions), never at module level
HEAVY = {"torch", "matplotlib", "dowhy", "pgmpy", "jinja2", "shap"}
# causalx.shapley is pure numpy: it must know nothing about ML libraries
PURE_NUMPY = {"causalx.shapley": {"sklearn", "pandas", "torch"}}


def _layer(module: str) -> int:
    best = max((p for p in LAYERS if module == p or module.startswith(p + ".")), key=len)
    return LAYERS[best]


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path):
    """Yield (imported module, is_module_level) for every import in the file."""
    tree = ast.parse(path.read_text(), filename=str(path))
    module_level = set(map(id, tree.body))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, id(node) in module_level
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module, id(node) in module_level


FILES = sorted(PACKAGE.rglob("*.py"))
MODULES = {_module_name(p): p for p in FILES}


def _type_checking_lines(path: Path) -> set[int]:
    """Line numbers inside ``if TYPE_CHECKING:`` blocks (imports there never run)."""
    lines: set[int] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def import_graph() -> dict[str, set[str]]:
    """Module -> causalx modules it imports, at module level or inside functions (deferred).

    ``from causalx.x import y`` is an edge to ``causalx.x`` (its ``__init__``, re-exports
    included) and, when ``causalx.x.y`` is a module, to it too. ``import causalx.x.y`` is an
    edge to ``causalx.x.y`` only: the implicit import of the parent packages' ``__init__``
    that every import performs is not counted (each submodule would otherwise be in a cycle
    with its own package). Imports under ``if TYPE_CHECKING:`` never run and are not edges.
    """
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for me, path in MODULES.items():
        skip = _type_checking_lines(path)
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if getattr(node, "lineno", None) in skip:
                continue
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for t in targets:
                if t in MODULES and t != me:
                    graph[me].add(t)
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (each one holds a cycle)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:  # Tarjan's algorithm
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(out)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_layers(path):
    me = _module_name(path)
    my_layer = _layer(me)
    for imported, _ in _imports(path):
        if imported == "causalx" or imported.startswith("causalx."):
            if me == "causalx":
                continue
            assert _layer(imported) <= my_layer, (
                f"{me} (layer {my_layer}) imports {imported} (layer {_layer(imported)}): "
                "lower layers must not import higher ones (docs/architecture.md)."
            )


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_heavy_imports_are_lazy(path):
    me = _module_name(path)
    for imported, top in _imports(path):
        root = imported.split(".")[0]
        if root in HEAVY:
            assert not top, f"{me} imports {imported} at module level; import it inside the function that needs it."
        for prefix, banned in PURE_NUMPY.items():
            if me.startswith(prefix):
                assert root not in banned, f"{me} must stay pure numpy but imports {imported}."


def test_public_names_import():
    import causalx

    for name in causalx.__all__:
        assert getattr(causalx, name) is not None, name


def test_import_is_light():
    code = (
        "import sys, causalx; "
        "heavy = [m for m in ('torch', 'matplotlib', 'dowhy', 'pgmpy', 'shap', 'jinja2') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"import causalx pulled in {out.stdout.strip()}"


#: Known same-layer import cycles outside causalx.graph, owned by other modules; each entry is
#: one strongly connected component (sorted). Remove an entry when its cycle is broken; the
#: test fails on any cycle not listed here, and on a listed one that no longer exists.
KNOWN_CYCLES: list[list[str]] = [
    # empty: every known cycle was broken; a new entry needs a comment saying why it cannot be
]


def test_no_import_cycles():
    """No two modules import each other, directly or through others, even inside functions."""
    graph = import_graph()
    cycles = import_cycles(graph)
    for comp in cycles:  # every cycle stays inside one layer (the layer rule forbids the rest)
        assert len({_layer(m) for m in comp}) == 1, comp
    new = [c for c in cycles if c not in KNOWN_CYCLES]
    assert not new, (
        "import cycles between modules (deferred imports included): "
        + "; ".join(" <-> ".join(c) for c in new)
        + ". Move the shared code to a module both can import, or pass what is needed as an argument."
    )
    gone = [c for c in KNOWN_CYCLES if c not in cycles]
    assert not gone, f"these known cycles are gone; remove them from KNOWN_CYCLES: {gone}"


def test_cycle_detector_finds_deferred_cycles():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert import_cycles(graph) == [["a", "b", "c"]]
    assert import_cycles({"a": {"b"}, "b": set()}) == []
