"""
Categorical features and scikit-learn Pipelines
===============================================

Materials data often carry text columns: the substrate a film was grown on, the precursor
vendor, the furnace. A scikit-learn ``Pipeline`` one-hot encodes them itself, and causalx
hands it rows with the **original columns**: the text stays text, a pandas ``category``
keeps its categories, a bool stays bool. One Shapley value per original feature comes back
(not one per one-hot column), and the causal graph keeps one node per feature.

Node types are inferred from the dtypes when the graph is silent (text with three or more
values: ``categorical``; two values or bool: ``binary``; an ordered ``category``:
``ordinal``), and a type declared in the graph wins. The samplers never invent a category:
the Gaussian sampler handles binary and ordinal nodes with latent thresholds and refuses
categorical ones, naming them.
"""

# %%
# Data: growth temperature, substrate (text) and film thickness
# --------------------------------------------------------------
# The substrate depends on the temperature (hot runs go on glass); the thickness depends on
# both; the measured mobility on all three, with a substrate-specific temperature slope.
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, PolynomialFeatures

import causalx as cx

rng = np.random.default_rng(0)
n = 400
temp = rng.normal(size=n)
substrate = np.array(["Si", "glass", "ITO"])[(temp > 0.3).astype(int) + (rng.random(n) < 0.3)]
thick = temp + 1.0 * (substrate == "Si") + 0.3 * rng.normal(size=n)
mobility = thick * temp + 2.0 * (substrate == "glass") + 0.1 * rng.normal(size=n)
X = pd.DataFrame({"temp": temp, "substrate": substrate, "thick": thick})
print(X.dtypes)

# %%
# A Pipeline that encodes the text column itself
# ----------------------------------------------
model = make_pipeline(
    ColumnTransformer([("onehot", OneHotEncoder(), ["substrate"])], remainder="passthrough"),
    PolynomialFeatures(2),
    Ridge(alpha=1e-3),
).fit(X, mobility)

graph = cx.CausalGraph(["temp", "substrate", "thick"],
                       ["temp -> substrate", "substrate -> thick", "temp -> thick"])

# %%
# Marginal values over the raw columns
# ------------------------------------
# The explainer codes the text as integers for its games and decodes them for the model; the
# values equal brute-force Shapley values over the raw columns.
explainer = cx.CausalExplainer(model, graph, value="marginal", n_samples=200).fit(X)
print("node types:", explainer.node_types_)
exp = explainer.explain(X.iloc[:5])
print(pd.DataFrame(exp.values, columns=exp.feature_names).round(3))

# %%
# The Gaussian sampler and a categorical node
# -------------------------------------------
# A multivariate normal has no reading of unordered categories: the sampler refuses, names the
# node and suggests the samplers that model discrete nodes.
try:
    cx.CausalExplainer(model, graph, value="causal").fit(X)
except ValueError as err:
    print(str(err)[:160], "...")

# %%
# A binary node is drawn on its two levels
# ----------------------------------------
# Here the substrate is reduced to "glass or not" (a bool column): the Gaussian sampler reads it
# through a latent normal cut at a threshold, so its draws are always True or False, and the
# model receives bools.
Xb = X.assign(substrate=X["substrate"] == "glass")
model_b = make_pipeline(PolynomialFeatures(2), Ridge(alpha=1e-3)).fit(Xb, mobility)
causal = cx.CausalExplainer(model_b, graph, value="causal", n_samples=200).fit(Xb)
print("node types:", causal.node_types_)
draws = causal.sampler_.sample(np.array([[-1.0], [1.0]]), target=[1], given=[0], n_draws=2000, random_state=0)
print("levels drawn:", np.unique(draws), " P(glass | temp = -1, +1):", draws.mean(axis=(1, 2)).round(2))
print(pd.DataFrame(causal.explain(Xb.iloc[:5]).values, columns=graph.nodes).round(3))
