"""Every named option of causalx, declared once (layer L0).

Each option is a :data:`typing.Literal` alias; the tuple of its accepted values is derived from
the alias (``typing.get_args``), never written again. The explainer's
``_parameter_constraints``, the run config's pydantic models, the CLI's choices, the graph spec
and the samplers all read these names, so adding a value here adds it everywhere (and the
error messages list it).

Examples
--------
>>> from causalx._options import VALUES, METHODS
>>> VALUES
('marginal', 'conditional', 'causal')
>>> METHODS
('auto', 'exact', 'permutation', 'kernel', 'regression', 'adjusted')
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = [
    "ALGORITHMS",
    "BACKENDS",
    "CAUSAL_SEMANTICS",
    "CI_METHODS",
    "CI_TESTS",
    "CORRECTIONS",
    "DISCOVERY_TESTS",
    "ESTIMATORS",
    "MECHANISM_CANDIDATES",
    "METHODS",
    "NODE_ROLES",
    "NODE_TYPES",
    "PERMUTATION_SAMPLINGS",
    "SAMPLERS",
    "TASKS",
    "UNCERTAINTIES",
    "VALUES",
    "Algorithm",
    "Backend",
    "CausalSemantics",
    "CIMethod",
    "CITest",
    "Correction",
    "DiscoveryTest",
    "MechanismCandidate",
    "Method",
    "NodeRole",
    "NodeType",
    "PermutationSampling",
    "SamplerName",
    "Task",
    "Uncertainty",
    "Value",
]

#: what v(S) is: E over P(X_S̄), P(X_S̄ | x_S) or P(X_S̄ | do(x_S))
Value = Literal["marginal", "conditional", "causal"]
#: the distribution model that fills absent features (a BaseSampler instance is accepted too)
SamplerName = Literal["gaussian", "mechanism", "vae"]
#: candidate models of the mechanism sampler's continuous nodes (selected by held-out CRPS)
MechanismCandidate = Literal["linear", "spline", "boosting", "knn"]
#: what an explanation's stderr covers: the estimator / Monte Carlo error only, or also the
#: learning error of the sampler (refits on bootstrap resamples of the background)
Uncertainty = Literal["mc", "refit"]
#: the Shapley estimator ("auto" resolves to one of the others)
Method = Literal["auto", "exact", "permutation", "kernel", "regression", "adjusted"]
#: how the permutation estimator draws orderings
PermutationSampling = Literal["antithetic", "stratified"]
#: how marginal values are computed: from a tree model's structure, or by model evaluations
Algorithm = Literal["auto", "tree", "blackbox"]
#: where model evaluations run
Backend = Literal["local", "dask"]
#: node types of the graph spec
NodeType = Literal["continuous", "binary", "categorical", "ordinal"]
#: node roles of the graph spec: what an experimenter can do to a node. ``control`` is set by the
#: experimenter (a recipe parameter, a designed condition); ``measured`` is measured on the sample
#: (lifetime, mobility, particle size) and never set directly; ``property`` is intrinsic to the
#: chosen material or molecule and changes only by choosing another one
NodeRole = Literal["control", "measured", "property"]
#: conditional-independence tests (``"auto"`` picks one per test from the data types)
CITest = Literal["gcm", "fisherz", "regression", "kci", "chi2", "gsq"]
CIMethod = Literal["auto", "gcm", "fisherz", "regression", "kci", "chi2", "gsq"]
#: the tests causal-learn's PC accepts for the suggested edges
DiscoveryTest = Literal["fisherz", "kci", "chisq", "gsq"]
#: multiple-testing corrections of the falsification report
Correction = Literal["holm", "bh", "bonferroni", "none"]
#: how value="causal" reads do(): "identified" laws of the ADMG (Tian–Pearl / ID), Heskes et al.'s
#: chain-component approximation ("chain", shapr-compatible), or "auto": chain for declared
#: chain components, identified otherwise
CausalSemantics = Literal["auto", "identified", "chain"]
#: the kind of model a run config fits
Task = Literal["auto", "regression", "classification"]

VALUES: tuple[str, ...] = get_args(Value)
SAMPLERS: tuple[str, ...] = get_args(SamplerName)
METHODS: tuple[str, ...] = get_args(Method)
#: the estimators ``method="auto"`` can resolve to, plus the tree path's own name
ESTIMATORS: tuple[str, ...] = tuple(m for m in METHODS if m != "auto") + ("tree",)
PERMUTATION_SAMPLINGS: tuple[str, ...] = get_args(PermutationSampling)
ALGORITHMS: tuple[str, ...] = get_args(Algorithm)
BACKENDS: tuple[str, ...] = get_args(Backend)
NODE_TYPES: tuple[str, ...] = get_args(NodeType)
NODE_ROLES: tuple[str, ...] = get_args(NodeRole)
CI_TESTS: tuple[str, ...] = get_args(CITest)
CI_METHODS: tuple[str, ...] = get_args(CIMethod)
DISCOVERY_TESTS: tuple[str, ...] = get_args(DiscoveryTest)
CORRECTIONS: tuple[str, ...] = get_args(Correction)
TASKS: tuple[str, ...] = get_args(Task)
CAUSAL_SEMANTICS: tuple[str, ...] = get_args(CausalSemantics)
MECHANISM_CANDIDATES: tuple[str, ...] = get_args(MechanismCandidate)
UNCERTAINTIES: tuple[str, ...] = get_args(Uncertainty)
