"""Layer rules of DESIGN.md §5, enforced by walking every module's imports with ``ast``."""

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
                "lower layers must not import higher ones (DESIGN.md §5)."
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
