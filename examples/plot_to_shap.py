"""
The shap plots through ``to_shap()``
====================================

An :class:`~causalx.explanation.Explanation` converts to a :class:`shap.Explanation` with
:meth:`~causalx.explanation.Explanation.to_shap`, so every plot of the ``shap`` package works on
causal Shapley values too — with the standard errors kept (``error_std``). ``part="direct"``
or ``part="indirect"`` converts one part of a decomposed explanation. Needs
``pip install shap``.
"""

# %%
# Causal values of a model of the README's chain
# ----------------------------------------------
import matplotlib.pyplot as plt
import numpy as np
import shap
from sklearn.ensemble import HistGradientBoostingRegressor

import causalx as cx

X, y, _ = cx.datasets.make_lg_chain(1500, random_state=0)
graph = cx.load_graph(cx.datasets.graph_path("lg_chain"))
model = HistGradientBoostingRegressor(max_iter=100, random_state=0).fit(X, y)
explainer = cx.CausalExplainer(
    model, graph, value="causal", asymmetric=True, n_samples=200, random_state=0
)
exp = explainer.fit(X).explain(X.iloc[:60], decompose=True)

sv = exp.to_shap()
print(type(sv).__name__, sv.values.shape, "feature names:", sv.feature_names)
print(
    "efficiency:",
    np.allclose(
        sv.values.sum(1) + sv.base_values, model.predict(X.iloc[:60]), atol=1e-6
    ),
)
print("standard errors kept:", np.array_equal(sv.error_std, exp.stderr))

# %%
# Beeswarm
# --------
shap.plots.beeswarm(sv, show=False)
plt.title("asymmetric causal Shapley values")
plt.tight_layout()
plt.show()

# %%
# Waterfall of one row
# --------------------
shap.plots.waterfall(sv[0], show=False)
plt.tight_layout()
plt.show()

# %%
# Only the indirect part
# ----------------------
# The part of each value that flows through the feature's descendants; X5 has none.
shap.plots.bar(exp.to_shap(part="indirect"), show=False)
plt.title("mean |indirect part|")
plt.tight_layout()
plt.show()
