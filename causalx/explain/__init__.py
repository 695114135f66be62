"""The explainer façade (layer 4): Shapley explanations, signed effects, bootstrap."""

from causalx.explain._bootstrap import BootstrapResult, bootstrap_effects, bootstrap_explanation
from causalx.explain._effects import Effect, EffectsResult, interventional_effects
from causalx.explain._explainer import CausalExplainer
from causalx.explain._owen import owen_values

__all__ = [
    "BootstrapResult",
    "CausalExplainer",
    "Effect",
    "EffectsResult",
    "bootstrap_effects",
    "bootstrap_explanation",
    "interventional_effects",
    "owen_values",
]
