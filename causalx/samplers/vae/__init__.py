"""Arbitrary-conditioning variational autoencoder (VAEAC) sampler: on-manifold conditionals.

torch is imported lazily, inside the functions that need it: importing this package (or
:mod:`causalx`) does not import torch.

Modules
-------
_sampler
    :class:`VAESampler`: parameters, ``fit`` and the :class:`~causalx.samplers.BaseSampler` hooks.
_layout
    Column layout of the network's input and output; encoding of data rows (numpy).
_network
    The proposal, prior and decoder networks and the masked-ELBO loss (torch).
_training
    Training masks (Shapley-kernel and causal-chain coalitions) and the early-stopped loop.
_sampling
    Noise, batched decoding, rejection of constraint violations, importance-weighted scores.
_persistence
    ``save`` / ``load`` with ``torch.load(weights_only=True)``.
"""

from causalx.samplers.vae._sampler import VAESampler

__all__ = ["VAESampler"]
