"""The explainer façade (layer 4)."""

from causalx.explain._explainer import CausalExplainer

__all__ = ["CausalExplainer"]
