"""Distribution models that fill in the features a coalition leaves out (layer L2).

A sampler is fitted to background data, then :meth:`BaseSampler.sample_into` fills the missing
columns of a block of model-input rows in place, given the known ones, with the same noise
(common random numbers) for every coalition of one explanation.

- :class:`GaussianSampler` -- multivariate normal, closed-form cached conditionals
  (``value="conditional"`` and ``value="causal"``).
- :class:`MechanismSampler` -- one structural equation per node of the causal DAG, chosen by
  held-out fit (linear, spline, boosting, neighbours; classifiers for discrete nodes), with
  out-of-fold noise (interventional sampling along the DAG, ``value="causal"``).
- :class:`VAESampler` -- arbitrary-conditioning VAE (torch, imported lazily): on-manifold
  conditionals for ``value="conditional"`` and ``value="causal"``.
"""

from __future__ import annotations

from causalx._options import SAMPLERS
from causalx.samplers._base import BaseSampler
from causalx.samplers.gaussian import GaussianSampler
from causalx.samplers.mechanism import MechanismSampler
from causalx.samplers.vae import VAESampler
from causalx.utils import check_option

__all__ = ["BaseSampler", "GaussianSampler", "MechanismSampler", "VAESampler", "get_sampler"]

_SAMPLERS = {"gaussian": GaussianSampler, "mechanism": MechanismSampler, "vae": VAESampler}
# the names are declared once, in causalx._options; this table only maps them to classes
if tuple(_SAMPLERS) != SAMPLERS:  # pragma: no cover - a development-time consistency check
    raise ImportError(
        f"causalx.samplers maps {tuple(_SAMPLERS)} but causalx._options.SAMPLERS declares {SAMPLERS}; "
        "keep the two in step."
    )


def get_sampler(sampler, **params) -> BaseSampler:
    """Return a sampler instance from a name, or pass an instance through.

    Parameters
    ----------
    sampler : {"gaussian", "mechanism", "vae"} or BaseSampler
        A sampler name, or an (unfitted or fitted) sampler instance, returned as is.
    **params
        Constructor parameters for a named sampler. With an instance, a clone with these
        parameters set is returned instead of the instance itself.

    Returns
    -------
    BaseSampler
        A sampler (not fitted, unless a fitted instance was passed without ``params``).

    Raises
    ------
    ValueError
        For an unknown name (listing the accepted names).
    TypeError
        For anything that is neither a name nor a :class:`BaseSampler`.

    Examples
    --------
    >>> from causalx.samplers import get_sampler
    >>> get_sampler("gaussian", shrinkage=0.1)
    GaussianSampler(shrinkage=0.1)
    >>> get_sampler("gausian")
    Traceback (most recent call last):
    ...
    ValueError: sampler='gausian' is not supported. Accepted values are 'gaussian', 'mechanism', 'vae'. Did you mean 'gaussian'?
    """
    if isinstance(sampler, BaseSampler):
        if not params:
            return sampler
        from sklearn.base import clone

        return clone(sampler).set_params(**params)
    if isinstance(sampler, str):
        return _SAMPLERS[check_option("sampler", sampler, SAMPLERS)](**params)
    raise TypeError(
        f"sampler must be one of {', '.join(repr(s) for s in SAMPLERS)} or a BaseSampler "
        f"instance, got {sampler!r} of type {type(sampler).__name__}."
    )
