"""The explainer façade (layer 4)."""

from causalx.explain._explainer import CausalExplainer

__all__ = ["CausalExplainer"]

from causalx.explain._bootstrap import BootstrapResult, bootstrap_explanation  # noqa: E402

__all__ += ["BootstrapResult", "bootstrap_explanation"]
