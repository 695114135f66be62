"""
Groups of descriptors
=====================

A materials table often holds dozens of descriptors whose causal structure is known only at the
level of *families*: the composition is chosen first, it sets the structure, and the processing
comes last. Per descriptor, causal Shapley values then need many orderings of many players and
take long; and the knowledge does not say which descriptor inside a family causes which.

Declaring the families as ``groups`` makes each family one player: a coalition of families is
the union of their columns, the value function is unchanged, and with three families the exact
estimator needs only 2^3 = 8 coalitions. The components can name the groups.
"""

# %%
# A table of 15 descriptors in three families
# -------------------------------------------
# Each family's descriptors are correlated among themselves; each family is caused by the
# previous one. The property depends on descriptors of every family.
import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor

import causalx as cx

rng = np.random.default_rng(0)
families = {"composition": 6, "structure": 5, "processing": 4}
blocks, names, prev = [], [], None
for fam, k in families.items():
    block = 0.7 * rng.normal(size=(1500, 1)) + 0.7 * rng.normal(size=(1500, k))
    if prev is not None:
        block += prev @ rng.uniform(-0.5, 0.5, size=(prev.shape[1], k))
    names += [f"{fam[:4]}_{i}" for i in range(k)]
    blocks.append(block)
    prev = block
X = pd.DataFrame(np.hstack(blocks), columns=names)
# the property depends directly on the composition and the processing, not on the structure
y = X["comp_0"] - 0.5 * X["comp_3"] + 0.8 * X["proc_1"] + 0.3 * np.sin(X["proc_2"]) + 0.1 * rng.normal(size=1500)
model = HistGradientBoostingRegressor(max_iter=100, random_state=0).fit(X, y)

# %%
# The graph: families as groups, ordered by components
# -----------------------------------------------------
# The same graph written as a YAML spec::
#
#     groups:
#       composition: [comp_0, ..., comp_5]
#       structure: [stru_0, ..., stru_4]
#       processing: [proc_0, ..., proc_3]
#     components: [[composition], [structure], [processing]]
groups = {fam: [n for n in names if n.startswith(fam[:4])] for fam in families}
graph = cx.CausalGraph(names, components=[["composition"], ["structure"], ["processing"]], groups=groups)
print(graph, graph.players)

# %%
# Marginal and causal values per family
# -------------------------------------
# Marginal values (interventional SHAP) credit each family for its own direct use by the model;
# causal values (Heskes et al. 2020) also credit the composition for what it does through the
# families downstream of it.
rows = X.iloc[:40]
explanations = {}
for value in ("marginal", "causal"):
    ex = cx.CausalExplainer(model, graph, value=value, n_samples=300, random_state=0).fit(X)
    explanations[value] = ex.explain(rows)
    exp = explanations[value]
    print(f"{value:8s} method={exp.provenance['method']}, {exp.provenance['n_coalitions']} coalitions, "
          f"efficiency gap {np.abs(exp.values.sum(1) - (exp.output - exp.base_values)).max():.1e}")
table = pd.DataFrame({v: e.mean_abs() for v, e in explanations.items()}, index=list(graph.players))
print(table.round(3))

# %%
# The structure family carries no marginal credit (the model barely uses it), and the causal
# values move credit from the processing to the composition, which causes it.
import matplotlib.pyplot as plt

from causalx.plotting import plot_attribution_bars

ax = plot_attribution_bars(explanations)
ax.set_title("Mean |Shapley value| per family of descriptors")
plt.tight_layout()

# %%
# Causal values split into direct and indirect parts per family
# -------------------------------------------------------------
exp = cx.CausalExplainer(model, graph, value="causal", n_samples=300, random_state=0).fit(X).explain(
    rows, decompose=True)
print(pd.DataFrame({"total": exp.mean_abs(), "direct": np.abs(exp.direct).mean(0),
                    "indirect": np.abs(exp.indirect).mean(0)}, index=list(exp.feature_names)).round(3))

# %%
# The structure family's causal credit is indirect: it acts on the property only through the
# processing, which it causes.
#
# Values per descriptor inside the families (Owen values)
# -------------------------------------------------------
# :func:`causalx.explain.owen_values` gives each descriptor a value for the same game; the
# members of a family sum to the family's value.
from causalx.explain import owen_values

ex = cx.CausalExplainer(model, graph, value="marginal", n_samples=200, random_state=0).fit(X)
owen = owen_values(ex, rows.iloc[:10])
family = ex.explain(rows.iloc[:10])
print(pd.Series(owen.mean_abs(), index=list(owen.feature_names)).round(3).head(6))
print("composition: sum of members", owen.values[:, :6].sum(1)[:3].round(3),
      "family value", family.values[:, 0][:3].round(3))
