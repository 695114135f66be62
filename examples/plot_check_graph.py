"""
Checking a graph against the data
=================================

A graph is an assumption. Every graph implies conditional independencies (X ⊥ Y | Z) that the
data can contradict. :func:`causalx.diagnostics.diagnose` tests each of them (with a multiple
testing correction), names pairs that look confounded — with the bidirected edge to add — and
suggests edges found by the PC algorithm. On the command line:
``causalx check --graph G.yaml --data D.csv``.

Here the data come from the README's chain, whose X1 and X4 share a hidden cause; the first
graph omits it.
"""

# %%
# A graph that forgets the hidden common cause
# --------------------------------------------
import matplotlib.pyplot as plt

import causalx as cx
from causalx.diagnostics import diagnose
from causalx.plotting import plot_falsification

X, _, scm = cx.datasets.make_lg_chain(3000, random_state=0)
true_graph = scm.graph(target=None)
naive = true_graph.replace(confounded=[], components=None)
print(naive, "\nimplied:", [str(i) for i in naive.implied_independencies()])

result = diagnose(
    naive, X, alpha=0.01, n_permutations=0, discovery=False, random_state=0
)
fals = result.falsification
print(
    f"falsified: {result.falsified} ({fals.n_rejected} of {len(fals.tests)} implied independencies rejected)"
)
for s in result.suspected_confounding:
    print("suspected confounding:", s.pair, "->", s.suggestion)

# %%
fig, ax = plt.subplots(figsize=(7, 2.6), layout="constrained")
plot_falsification(fals, ax=ax)
plt.show()

# %%
# Declaring the hidden common cause
# ---------------------------------
# With ``X1 <-> X4`` declared the graph implies fewer independencies, and the data no longer
# contradict any of them.
result = diagnose(
    true_graph, X, alpha=0.01, n_permutations=0, discovery=False, random_state=0
)
fals = result.falsification
print(
    f"falsified: {result.falsified} ({fals.n_rejected} of {len(fals.tests)} rejected)"
)
cols = ["x", "y", "given", "partial_correlation", "p_adjusted", "rejected"]
print(fals.to_frame()[cols].round(4).to_string(index=False))
