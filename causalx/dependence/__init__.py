"""Standard what-if explanations (layer L3): PDP, ICE (plain and interventional), ALE and
permutation importance, returning frozen result objects that plotting reads."""

from causalx.dependence._results import ALEResult, DependenceResult, ImportanceResult
from causalx.dependence.ale import accumulated_local_effects, ale_bins
from causalx.dependence.importance import permutation_importance
from causalx.dependence.pdp import ice, make_grid, partial_dependence

__all__ = [
    "ALEResult",
    "DependenceResult",
    "ImportanceResult",
    "accumulated_local_effects",
    "ale_bins",
    "ice",
    "make_grid",
    "partial_dependence",
    "permutation_importance",
]
