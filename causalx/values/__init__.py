"""Value functions (marginal, conditional, causal) as batched games, and the model wrapper."""

from causalx.values._model import ModelFunction, resolve_model
from causalx.values.games import CausalFiller, ConditionalFiller, Game, MarginalFiller, Step

__all__ = ["CausalFiller", "ConditionalFiller", "Game", "MarginalFiller", "ModelFunction", "Step", "resolve_model"]
