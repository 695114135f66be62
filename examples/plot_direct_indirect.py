"""
Direct and indirect effects
===========================

A causal Shapley value says how much setting a feature moves the prediction, through every
path of the graph. ``decompose=True`` splits it into a **direct** part (the model's own use of
the feature) and an **indirect** part (through the feature's descendants, which the
intervention moves): ``direct + indirect == values`` on every row.

The example is the README's five-node chain (X1 → X2 → X3 → X5, X1 → X3, X4 → X5, a hidden
common cause of X1 and X4), with ``y = X3 + 0.5 X5 − 0.8 X2 + 0.3 X1 X4``: the model uses X1
directly (the interaction with X4) and, when X1 is set, through its descendants X2 and X3.
X5 has no descendants, so its value is all direct.
"""

# %%
# Fit a model and explain it with the decomposition
# -------------------------------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.ensemble import HistGradientBoostingRegressor

import causalx as cx
from causalx.plotting import plot_direct_indirect

X, y, scm = cx.datasets.make_lg_chain(2000, random_state=0)
graph = cx.load_graph(cx.datasets.graph_path("lg_chain"))
model = HistGradientBoostingRegressor(max_iter=100, random_state=0).fit(X, y)

explainer = cx.CausalExplainer(
    model, graph, value="causal", n_samples=200, random_state=0
)
exp = explainer.fit(X).explain(X.iloc[:20], decompose=True)
print(
    "direct + indirect == values:",
    np.allclose(exp.direct + exp.indirect, exp.values),
)
print(exp.summary_frame().round(3))

# %%
# The mean absolute direct and indirect part of each feature
# ----------------------------------------------------------
# Each bar ± 2 standard errors; X5 has no descendants, so its indirect part is zero.
fig, ax = plt.subplots(figsize=(7, 3.5), layout="constrained")
plot_direct_indirect(exp, ax=ax)
plt.show()

# %%
# Signed effects: what setting a feature does
# -------------------------------------------
# Shapley values share out one prediction; :meth:`~causalx.explain.CausalExplainer.effects`
# answers "does raising X raise y?": E[f | do(X = q75)] − E[f | do(X = q25)], split the same
# way, with plain SHAP's reading of the same contrast beside it.
effects = explainer.effects(n_draws=1000, random_state=0)
cols = [
    "feature",
    "low",
    "high",
    "total",
    "total_stderr",
    "direct",
    "indirect",
    "marginal",
]
print(effects.to_frame()[cols].round(3).to_string(index=False))
