"""Sensitivity of a feature's effect on the prediction to an unobserved common cause (DoWhy).

:func:`confounding_sensitivity` estimates the back-door effect of one feature on the model's
prediction with DoWhy and re-estimates it under a simulated hidden confounder of several
strengths (DoWhy's ``add_unobserved_common_cause`` refuter). DoWhy is an optional dependency,
imported inside the function. DoWhy's refuter draws from numpy's global generator and logs at
INFO level; both are changed for the duration of the call only and restored afterwards.

References
----------
.. [1] Sharma, A., Kiciman, E. (2020). DoWhy: an end-to-end library for causal inference.
   arXiv:2011.04216.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from causalx.diagnostics._data import as_node_array
from causalx.graph import CausalGraph
from causalx.utils import check_interval
from causalx.utils.logs import logger_level
from causalx.utils.random import scoped_global_seed

__all__ = ["SensitivityResult", "confounding_sensitivity"]


@dataclass(frozen=True)
class SensitivityResult:
    """A feature's estimated effect on the prediction under a simulated hidden common cause.

    Attributes
    ----------
    feature : str
    estimate : float
        Back-door linear-regression estimate of the total effect of the feature on the model's
        prediction (adjusting for the graph's back-door set).
    strengths_treatment, strengths_outcome : tuple of float
        Grid of the simulated confounder's (linear) effect on the feature and on the prediction.
    new_effects : ndarray of shape (len(strengths_treatment), len(strengths_outcome))
        Estimate after adding the simulated confounder.
    max_relative_change : float
        ``max |new − estimate| / |estimate|`` over the grid.
    sign_flip : bool
        Whether some grid point changes the sign of the estimate.
    """

    feature: str
    estimate: float
    strengths_treatment: tuple[float, ...]
    strengths_outcome: tuple[float, ...]
    new_effects: np.ndarray
    max_relative_change: float
    sign_flip: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        d = asdict(self)
        d["new_effects"] = self.new_effects.tolist()
        return d


def confounding_sensitivity(
    model,
    graph: CausalGraph,
    data,
    feature: str,
    *,
    strengths: Sequence[float] = (0.05, 0.1, 0.2),
    output: int | str | None = None,
    random_state: int = 0,
) -> SensitivityResult:
    """Sensitivity of a feature's effect on the prediction to an unobserved common cause.

    The model's prediction is added to the data as an outcome node with every feature as a
    parent; DoWhy identifies the back-door estimand of ``feature`` on it from ``graph``
    (bidirected pairs become unobserved nodes), estimates it by linear regression, and re-runs
    the estimate with a simulated confounder of each strength on the grid
    (``refute_estimate(method_name="add_unobserved_common_cause")``).

    Parameters
    ----------
    model : fitted estimator or callable
    graph : CausalGraph
    data : DataFrame of shape (n_samples, n_nodes...)
    feature : str
    strengths : sequence of float, default (0.05, 0.1, 0.2)
        Effect strengths of the simulated confounder, used for the feature and the prediction.
    output : int or str, optional
        Class for ``predict_proba`` models.
    random_state : int, default 0
        DoWhy simulates with numpy's global generator; it is seeded with this value for the
        duration of the call and restored afterwards (:func:`causalx.utils.random.scoped_global_seed`).
        DoWhy's logger is set to ``ERROR`` for the call and restored afterwards too.

    Returns
    -------
    SensitivityResult

    Raises
    ------
    ImportError
        When DoWhy is not installed.
    """
    try:
        import pandas as pd
        from dowhy import CausalModel
    except ImportError as exc:  # pragma: no cover - exercised only without dowhy
        raise ImportError(
            "confounding_sensitivity needs DoWhy: pip install dowhy (or pip install 'causalx[diagnostics]')."
        ) from exc
    import logging
    import warnings

    from causalx.values import resolve_model

    if feature not in graph.nodes:
        from causalx.exceptions import UnknownNodeError
        from causalx.utils import suggest

        raise UnknownNodeError(f"feature={feature!r} is not a node of the graph {list(graph.nodes)}.{suggest(feature, graph.nodes)}")
    check_interval("random_state", random_state, low=0, integer=True)
    X = as_node_array(data, graph)
    f = resolve_model(model, graph.nodes, output)
    frame = pd.DataFrame(X, columns=list(graph.nodes))
    outcome = "__prediction__"
    frame[outcome] = f(X)
    g = graph.to_dowhy(add_latents=True)  # each a <-> b gets a parent U_a_b (no data: unobserved)
    g.add_edges_from((v, outcome) for v in graph.nodes)
    grid = tuple(float(check_interval("strengths", s, low=0)) for s in strengths)
    with warnings.catch_warnings(), logger_level("dowhy", logging.ERROR), scoped_global_seed(int(random_state)):
        warnings.simplefilter("ignore")
        cm = CausalModel(data=frame, treatment=feature, outcome=outcome, graph=g)
        estimand = cm.identify_effect(proceed_when_unidentifiable=True)
        est = cm.estimate_effect(estimand, method_name="backdoor.linear_regression")
        new = np.empty((len(grid), len(grid)))
        for i, st in enumerate(grid):
            for j, so in enumerate(grid):
                ref = cm.refute_estimate(
                    estimand, est, method_name="add_unobserved_common_cause",
                    confounders_effect_on_treatment="linear", confounders_effect_on_outcome="linear",
                    effect_strength_on_treatment=st, effect_strength_on_outcome=so,
                )
                new[i, j] = float(ref.new_effect)
    value = float(est.value)
    rel = float(np.max(np.abs(new - value)) / abs(value)) if value != 0 else float("inf")
    new.setflags(write=False)
    return SensitivityResult(
        feature=feature, estimate=value, strengths_treatment=grid, strengths_outcome=grid,
        new_effects=new, max_relative_change=rel, sign_flip=bool(np.any(np.sign(new) != np.sign(value))),
    )
