"""Evidence to judge an explanation (layer L3): graph falsification, confounding diagnostics,
suggested edges. Every output is a hypothesis for the scientist, never a silent correction.

- :func:`falsify_graph` -- test the graph's implied conditional independencies.
- :func:`suspected_confounding`, :func:`attribution_disagreement`, :func:`correlation_clusters`,
  :func:`variance_inflation`, :func:`importance_bias`, :func:`confounding_sensitivity`.
- :func:`suggest_edges` -- PC (causal-learn) against the declared graph.
- :func:`manifold_report` -- share of model-evaluated rows that violate constraints or lie
  off the data manifold (k-nearest-neighbour or VAE density score).
- :func:`diagnose` -- falsification + suspected confounding + suggested edges in one
  :class:`DiagnosticsResult` (what ``causalx check`` prints).
"""

from causalx.diagnostics._diagnose import DiagnosticsResult, diagnose
from causalx.diagnostics.collinearity import (
    CorrelationClusters,
    VarianceInflation,
    correlation_clusters,
    variance_inflation,
)
from causalx.diagnostics.confounding import SuspectedConfounding, suspected_confounding
from causalx.diagnostics.disagreement import AttributionDisagreement, GraphPath, attribution_disagreement
from causalx.diagnostics.discovery import SuggestedEdge, suggest_edges
from causalx.diagnostics.falsify import (
    FalsificationResult,
    ImpliedIndependenceTest,
    PermutationBaseline,
    adjust_pvalues,
    falsify_graph,
)
from causalx.diagnostics.importance_bias import ImportanceBias, importance_bias
from causalx.diagnostics.manifold import ManifoldReport, constraint_violations, manifold_report
from causalx.diagnostics.sensitivity import SensitivityResult, confounding_sensitivity

__all__ = [
    "AttributionDisagreement",
    "CorrelationClusters",
    "DiagnosticsResult",
    "FalsificationResult",
    "GraphPath",
    "ImpliedIndependenceTest",
    "ImportanceBias",
    "ManifoldReport",
    "PermutationBaseline",
    "SensitivityResult",
    "SuggestedEdge",
    "SuspectedConfounding",
    "VarianceInflation",
    "adjust_pvalues",
    "attribution_disagreement",
    "confounding_sensitivity",
    "constraint_violations",
    "correlation_clusters",
    "diagnose",
    "falsify_graph",
    "importance_bias",
    "manifold_report",
    "suggest_edges",
    "suspected_confounding",
    "variance_inflation",
]
