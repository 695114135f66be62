"""Shapley core (layer L3): orders, plans and estimators over a batched game ``v(masks)``.

Pure numpy/scipy: nothing here knows about models, samplers or graphs. A *game* is a callable
``game(masks) -> values`` with ``masks`` of shape ``(m, d)`` (bool) and ``values`` of shape
``(n, m, B)``: ``n`` explicands, ``m`` coalitions, ``B`` Monte Carlo replicates.

* :class:`PartialOrder` — symmetric, layered or general orders; exact uniform sampling of their
  linear extensions.
* :func:`exact_plan`, :func:`permutation_plan`, :func:`apply_plan` — linear transition plans.
* :func:`kernel_masks`, :func:`kernel_solve` — unbiased KernelSHAP (symmetric values).
* ``method="regression"`` (:mod:`causalx.shapley._regression`) — paired regression KernelSHAP
  with exactly enumerated border sizes and jackknife standard errors, per layer for layered
  orders.
* ``method="adjusted"`` (:mod:`causalx.shapley._adjusted`) — regression-adjusted Monte Carlo:
  a kernel surrogate of order ≤ 4 with exact Shapley values plus paired regression KernelSHAP
  on the residual, per layer; what ``method="auto"`` uses beyond the exact method.
* :func:`tree_shapley` — exact marginal values from a tree ensemble's structure.
* :func:`estimate_shapley` — the dispatcher (exact / permutation / kernel / regression / adjusted, and the
  direct/indirect split) with caching and adaptive stopping; :func:`resolve_method` — what
  ``method="auto"`` resolves to.
"""

from causalx.shapley._estimate import AUTO_EXACT_MAX, estimate_shapley, n_coalitions_needed, resolve_method
from causalx.shapley._kernel import kernel_masks, kernel_solve
from causalx.shapley._order import PartialOrder
from causalx.shapley._plan import ShapleyPlan, ShapleyResult, apply_plan, exact_plan, permutation_plan
from causalx.shapley._tree import TreeEnsemble, tree_marginal_shapley, tree_shapley

__all__ = [
    "AUTO_EXACT_MAX",
    "PartialOrder",
    "ShapleyPlan",
    "ShapleyResult",
    "TreeEnsemble",
    "apply_plan",
    "estimate_shapley",
    "exact_plan",
    "kernel_masks",
    "kernel_solve",
    "n_coalitions_needed",
    "permutation_plan",
    "resolve_method",
    "tree_marginal_shapley",
    "tree_shapley",
]
