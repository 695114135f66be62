"""Sphinx configuration of the causalx documentation.

Build it (from the repository root) with::

    python -m pip install -e ".[docs]" && python -m sphinx -W --keep-going -b html docs docs/_build/html

The gallery (``examples/plot_*.py``) is executed at build time by sphinx-gallery; the API
reference is generated from the docstrings (numpydoc) of every public name, read from each
module's ``__all__`` when the build starts, so a new public function appears without editing
these files.
"""

from __future__ import annotations

import os
import re
import sys
import warnings
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))  # document this checkout, not an installed copy
sys.path.insert(1, str(DOCS))  # _gallery_order
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import causalx  # noqa: E402

project = "causalx"
author = "causalx developers"
copyright = "causalx developers, BSD-3-Clause"
version = release = causalx.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "_gallery_order.py", "**/make_figures.py", "auto_examples/*.ipynb", "auto_examples/*.py",
                    "auto_examples/*.zip", "auto_examples/*.md5", "auto_examples/*.json"]

# ---------------------------------------------------------------- HTML
html_theme = "pydata_sphinx_theme"
html_title = f"causalx {release}"
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 1,
    "header_links_before_dropdown": 6,
    "navigation_with_keys": False,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_sidebars = {"index": [], "getting_started": []}
toc_object_entries_show_parents = "hide"  # the page's TOC lists ``parents()``, not ``CausalGraph.parents()``
html_show_sourcelink = False
html_context = {"default_mode": "light"}

# ---------------------------------------------------------------- Markdown pages (myst)
myst_enable_extensions = ["dollarmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# ---------------------------------------------------------------- API reference
autodoc_default_options = {"members": True, "inherited-members": False, "show-inheritance": False}
autodoc_typehints = "none"  # numpydoc sections carry the types
autosummary_generate = False  # the pages are written below, from __all__
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = False
numpydoc_validation_checks: set[str] = set()

#: the reference pages: (module, title, one-line summary)
API_MODULES = [
    ("causalx.graph", "Graphs", "The causal graph, its YAML spec and its constraints."),
    ("causalx.explain", "Explainer and effects", "The explainer (the one entry point), signed effects, bootstrap."),
    ("causalx.explanation", "Explanation", "The result object of every explanation."),
    ("causalx.values", "Value functions", "The games v(S): marginal, conditional, causal, identified fillers."),
    ("causalx.samplers", "Samplers", "Conditional and interventional samplers."),
    ("causalx.shapley", "Shapley estimators", "Exact, permutation, kernel and tree estimators of a game."),
    ("causalx.dependence", "Dependence", "PDP, ICE, ALE and permutation importance."),
    ("causalx.diagnostics", "Diagnostics", "Falsification, confounding, collinearity, manifold, sensitivity."),
    ("causalx.study", "Studies", "``causalx run``: the config, the pipeline, the hypotheses."),
    ("causalx.report", "Report", "report.html, report.md and report.json."),
    ("causalx.plotting", "Plotting", "Every plot takes ``ax=`` and returns the Axes."),
    ("causalx.datasets", "Datasets", "Simulators with known do() and the packaged case-study data."),
    ("causalx.exceptions", "Exceptions", "Errors and warnings."),
]


def _write_api_pages() -> None:
    """docs/api/*.rst from each module's ``__all__`` (regenerated at every build; not committed)."""
    import importlib

    out = DOCS / "api"
    out.mkdir(exist_ok=True)
    toc = []
    for modname, title, summary in API_MODULES:
        mod = importlib.import_module(modname)
        names = list(getattr(mod, "__all__", []))
        slug = modname.split(".", 1)[1]
        toc.append(slug)
        lines = [f"{title}", "=" * len(title), "", f".. currentmodule:: {modname}", "",
                 f"``{modname}`` — {summary}", "", ".. autosummary::", "   :nosignatures:", ""]
        lines += [f"   {n}" for n in names if isinstance(getattr(mod, n), type) or callable(getattr(mod, n))]
        lines += ["", f".. automodule:: {modname}", "   :no-members:", ""]
        for n in names:
            obj = getattr(mod, n)
            kind = ("autoclass" if isinstance(obj, type) else "autofunction" if callable(obj)
                    else "autodata")
            lines += [f".. {kind}:: {n}", ""]
            if kind == "autodata":
                lines += ["   :no-value:", ""]
        text = "\n".join(lines)
        path = out / f"{slug}.rst"
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    top = ["API reference", "=============", "",
           "Every public name of causalx, by subpackage (the pages in the sidebar), generated from "
           "the docstrings.", "", "causalx", "-------", "", ".. automodule:: causalx", "   :no-members:", "",
           "The top-level names are lazy aliases of these objects:", "",
           ".. list-table::", "   :header-rows: 1", "", "   * - ``causalx.``", "     - object"]
    for n in causalx.__all__:
        if n == "__version__":
            continue
        obj = getattr(causalx, n)
        home = next((m for m, _, _ in API_MODULES
                     if getattr(importlib.import_module(m), n, None) is obj and n in importlib.import_module(m).__all__),
                    None)
        if isinstance(obj, type(causalx)):
            ref = f":mod:`{obj.__name__}`"
        elif home is None:  # documented on this page (the configuration functions)
            ref = f":func:`causalx.{n}`"
        else:
            ref = f":{'class' if isinstance(obj, type) else 'func'}:`{home}.{n}`"
        top += [f"   * - ``{n}``", f"     - {ref}"]
    top += ["", "Configuration", "-------------", "", ".. autofunction:: causalx.config_context", "",
            ".. autofunction:: causalx.get_config", "", ".. autofunction:: causalx.set_config", "",
            ".. toctree::", "   :maxdepth: 1", "   :hidden:", ""] + [f"   {s}" for s in toc]
    text = "\n".join(top) + "\n"
    path = out / "index.rst"
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


_write_api_pages()

# ---------------------------------------------------------------- docstring and page fixes
_LITERAL = re.compile(r"(``.*?``|`[^`]*`)")
_BARS = re.compile(r"(?<![\\|])\|(?=[^\s|])([^|`]*?[^\s|\\])\|(?!\|)")


def _escape_bars(text: str) -> str:
    """``mean |value|`` reads as plain text in a docstring; reST would take ``|value|`` for a
    substitution, which causalx never uses: escape the bars outside literals and roles."""
    parts = _LITERAL.split(text)
    return "".join(p if i % 2 else _BARS.sub(r"\\|\1\\|", p) for i, p in enumerate(parts))


def _keep_literals_whole(text: str) -> str:
    """autosummary ends a summary at the first ``". "``, even inside an inline literal such as
    ``0 .. n - 1``; a zero-width word joiner after the period keeps the literal whole."""
    parts = _LITERAL.split(text)
    return "".join(p.replace(". ", ".\u2060 ") if i % 2 else p for i, p in enumerate(parts))


def _process_docstring(app, what, name, obj, options, lines):
    lines[:] = [_keep_literals_whole(_escape_bars(line)) for line in lines]


def _skip_member(app, what, name, obj, skip, options):
    # scikit-learn adds set_*_request methods (metadata routing) to every estimator subclass
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


#: the repository on GitHub; links from the Markdown pages to files outside docs/ point there
REPO_URL = "https://github.com/causalx/causalx/blob/main/"
_MD_LINK = re.compile(r"\]\((?!https?:|#|mailto:)([^)\s]+)\)")


def _source_read(app, docname, source):
    """Markdown links to repository files outside docs/ (``../../case_studies/x/README.md``)
    become links to the repository; links inside the site are left to myst."""
    here = (DOCS / docname).parent

    def fix(m):
        target = m.group(1)
        path = (here / target.split("#")[0]).resolve()
        if DOCS in path.parents or path == DOCS or not path.exists():
            return m.group(0)
        return f"]({REPO_URL}{path.relative_to(ROOT).as_posix()})"

    if app.env.doc2path(docname).suffix == ".md":
        source[0] = _MD_LINK.sub(fix, source[0])


def setup(app):
    app.connect("autodoc-process-docstring", _process_docstring)
    app.connect("autodoc-skip-member", _skip_member)
    app.connect("source-read", _source_read)

# ---------------------------------------------------------------- gallery
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",  # every examples/plot_*.py is executed
    "within_subsection_order": "_gallery_order.ExampleOrder",  # docs/_gallery_order.py
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": True,
    "plot_gallery": "True",
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    "capture_repr": ("_repr_html_", "__repr__"),
    "min_reported_time": 1,
    "reset_modules": ("matplotlib",),
    "show_memory": False,
    "show_signature": False,
}

warnings.filterwarnings("ignore", category=UserWarning, message="Matplotlib is currently using agg")
