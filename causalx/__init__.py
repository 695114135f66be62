"""causalx: explain machine-learning models with the scientist's causal knowledge built in.

Marginal, conditional, asymmetric and causal Shapley values over a declared causal graph,
with uncertainty on every number.

Heavy dependencies (torch, matplotlib, dowhy, pgmpy) are imported only when a feature that
needs them is used; the public names below are resolved lazily so ``import causalx`` is fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from causalx._version import __version__

_LAZY = {
    "CausalGraph": "causalx.graph",
    "Component": "causalx.graph",
    "load_graph": "causalx.graph",
    "loads_graph": "causalx.graph",
    "dump_graph": "causalx.graph",
    "dumps_graph": "causalx.graph",
    "Explanation": "causalx.explanation",
    "CausalExplainer": "causalx.explain",
    "config_context": "causalx._config",
    "get_config": "causalx._config",
    "set_config": "causalx._config",
    "exceptions": "causalx.exceptions",
    "datasets": "causalx.datasets",
}

__all__ = sorted(_LAZY) + ["__version__"]

if TYPE_CHECKING:  # pragma: no cover
    from causalx._config import config_context, get_config, set_config
    from causalx.explain import CausalExplainer
    from causalx.explanation import Explanation
    from causalx.graph import CausalGraph, Component, dump_graph, dumps_graph, load_graph, loads_graph


def __getattr__(name: str):
    if name in _LAZY:
        module = importlib.import_module(_LAZY[name])
        value = module if module.__name__.endswith(name) else getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'causalx' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_LAZY))
