"""Value functions (marginal, conditional, causal) as batched games, the model wrapper, and the
reading of tree models for the exact tree estimator (:func:`causalx.shapley.tree_shapley`)."""

from causalx.values._model import ModelFunction, resolve_model
from causalx.values._tree import TreeUnsupportedError, extract_ensemble
from causalx.values.games import CausalFiller, ConditionalFiller, Game, IdentifiedFiller, MarginalFiller

__all__ = [
    "CausalFiller",
    "ConditionalFiller",
    "Game",
    "IdentifiedFiller",
    "MarginalFiller",
    "ModelFunction",
    "TreeUnsupportedError",
    "extract_ensemble",
    "resolve_model",
]
