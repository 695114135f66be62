"""Shapley core (layer L3): orders, plans and estimators over a batched game ``v(masks)``.

Pure numpy/scipy: nothing here knows about models, samplers or graphs. A *game* is a callable
``game(masks) -> values`` with ``masks`` of shape ``(m, d)`` (bool) and ``values`` of shape
``(n, m, B)``: ``n`` explicands, ``m`` coalitions, ``B`` Monte Carlo replicates.

* :class:`PartialOrder` — symmetric, layered or general orders; exact uniform sampling of their
  linear extensions.
* :func:`exact_plan`, :func:`permutation_plan`, :func:`apply_plan` — linear transition plans.
* :func:`kernel_masks`, :func:`kernel_solve` — unbiased KernelSHAP (symmetric values).
* :func:`estimate_shapley` — the dispatcher with caching and adaptive stopping.
"""

from causalx.shapley._estimate import estimate_shapley, n_coalitions_needed
from causalx.shapley._kernel import kernel_masks, kernel_solve
from causalx.shapley._order import PartialOrder
from causalx.shapley._plan import ShapleyPlan, ShapleyResult, apply_plan, exact_plan, permutation_plan

__all__ = [
    "PartialOrder",
    "ShapleyPlan",
    "ShapleyResult",
    "apply_plan",
    "estimate_shapley",
    "exact_plan",
    "kernel_masks",
    "kernel_solve",
    "n_coalitions_needed",
    "permutation_plan",
]
