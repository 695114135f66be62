"""Units on the axes and labels of the plots (the report's figures)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("matplotlib")


def _explanation():
    from causalx.explanation import Explanation

    values = np.array([[0.5, -2.0, 0.1]])
    return Explanation(values=values, stderr=np.zeros_like(values), base_values=np.array([1.0]),
                       data=np.array([[300.0, 0.25, 7.0]]), feature_names=("T", "c", "n"),
                       output=np.array([-0.4]), provenance={"value": "causal"})


def test_waterfall_labels_carry_the_feature_units_and_the_target_unit():
    from matplotlib.figure import Figure

    from causalx.plotting import plot_waterfall

    ax = Figure().subplots()
    plot_waterfall(_explanation(), 0, ax=ax, target_unit="mS/cm", units={"T": "K", "c": "mol/L", "n": None})
    labels = [t.get_text() for t in ax.get_yticklabels()]
    # largest |value| on top: c, then T, then n (no unit declared)
    assert labels == ["n = 7", "T = 300 K", "c = 0.25 mol/L"]
    # the x axis: the prediction in the target's unit, from the base value to f(x) = 1 + 0.5 - 2 + 0.1
    assert ax.get_xlabel() == "prediction (mS/cm): base value 1 (dotted) → f(x) -0.4 (solid)"
    plot_waterfall(_explanation(), 0, ax=(ax := Figure().subplots()))
    assert [t.get_text() for t in ax.get_yticklabels()][-1] == "c = 0.25" and ax.get_xlabel().startswith("prediction:")
