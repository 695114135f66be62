"""The ground truth a simulator returns beside its data: graphs and true causal effects."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from causalx.graph import CausalGraph

__all__ = ["SimulationTruth", "total_effects"]


@dataclass(frozen=True, eq=False)
class SimulationTruth:
    """What a ground-truth simulator knows and a real data set never tells.

    Attributes
    ----------
    graph : CausalGraph
        The true causal graph over the observed features, with a bidirected edge for every
        pair of features that share an unobserved cause.
    declared_graph : CausalGraph
        The graph a domain expert would draw without knowing the hidden cause (the true
        directed edges, no bidirected ones). Explanations in the case studies use this graph;
        the diagnostics are expected to find what it misses.
    total_effects : pandas.Series
        Average total causal effect on the target of raising each feature by one standard
        deviation of its observed distribution (do-intervention on the true simulator, common
        random numbers, averaged over the sampled population). Zero for features without a
        causal path to the target.
    direct_effects : pandas.Series
        Same, but holding every other feature at its observed value (the natural direct
        effect through unobserved pathways only).
    hidden : pandas.DataFrame
        Latent variables of each row (the hidden confounder and unobserved device/material
        quantities), for inspection only; not model inputs.
    zero_effect : tuple of str
        Features whose true total effect on the target is exactly zero.
    hidden_confounder : str or None
        Name of the unobserved common cause, when it is active.
    confounded_pairs : tuple of (str, str)
        Observed features that the hidden confounder affects jointly.
    simulate : callable
        ``simulate(n, do=None, random_state=None) -> (X, y)``: draw from the simulator, with
        optional interventions ``do={feature: value or array}``.
    notes : dict
        Free-form parameter values of the simulator.
    """

    graph: CausalGraph
    declared_graph: CausalGraph
    total_effects: Any
    direct_effects: Any
    hidden: Any
    zero_effect: tuple[str, ...]
    hidden_confounder: str | None
    confounded_pairs: tuple[tuple[str, str], ...]
    simulate: Callable[..., Any]
    notes: Mapping[str, Any] = field(default_factory=dict)


def total_effects(
    structural: Callable[[dict[str, np.ndarray], Mapping[str, np.ndarray]], tuple[dict[str, np.ndarray], np.ndarray]],
    noise: dict[str, np.ndarray],
    features: list[str],
    *,
    direct: bool = False,
):
    """Average effect on the target of ``do(x_i = x_i + sd_i)`` for every feature ``i``.

    ``structural(noise, do)`` evaluates the simulator on fixed exogenous noise with the
    interventions ``do`` (feature -> array of values) and returns ``(values, y)`` where
    ``values`` maps every feature to its array. With ``direct=True`` every other feature is
    also held at its unintervened value, so only unobserved pathways carry the effect.
    """
    import pandas as pd

    base, y0 = structural(noise, {})
    out = {}
    for f in features:
        sd = float(np.std(base[f]))
        do = {f: base[f] + sd}
        if direct:
            do.update({g: base[g] for g in features if g != f})
        _, y1 = structural(noise, do)
        out[f] = float(np.mean(y1 - y0))
    return pd.Series(out, name="effect_per_sd")
