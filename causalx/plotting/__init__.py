"""Figures (layer L5): computed result objects in, a matplotlib ``Axes`` out.

Every function takes ``ax=None`` (a new figure is made when omitted), returns the ``Axes`` it
drew on, and never calls ``plt.show()``. matplotlib is imported only when a function is called.

- :func:`plot_graph` -- the causal graph, nodes sized and coloured by mean |attribution|.
- :func:`plot_attribution_bars` -- marginal / conditional / causal side by side, with error bars.
- :func:`plot_beeswarm` -- one dot per explained row and feature, coloured by the feature value.
- :func:`plot_direct_indirect` -- direct and indirect parts of causal attributions.
- :func:`plot_dependence` -- PDP with ICE curves and the ALE, on one y scale.
- :func:`plot_waterfall` -- one row's prediction built from the base value, feature by feature.
- :func:`plot_falsification` -- the implied-independence tests as a table.
"""

from causalx.plotting._plots import (
    plot_attribution_bars,
    plot_beeswarm,
    plot_dependence,
    plot_direct_indirect,
    plot_falsification,
    plot_graph,
    plot_waterfall,
)

__all__ = [
    "plot_attribution_bars",
    "plot_beeswarm",
    "plot_dependence",
    "plot_direct_indirect",
    "plot_falsification",
    "plot_graph",
    "plot_waterfall",
]
