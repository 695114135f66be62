"""The report's sampler diagnostic lines, from a real explanation's provenance."""

from __future__ import annotations

import numpy as np

import causalx as cx
from causalx.report._write import _sampler_lines


def test_sampler_lines_show_the_choice_skill_and_refit_parts():
    rng = np.random.default_rng(0)
    x1 = rng.normal(size=300)
    X = np.column_stack([x1, np.sin(2 * x1) + 0.2 * rng.normal(size=300)])
    g = cx.CausalGraph(nodes=["a", "b"], edges=[("a", "b")])
    exp = cx.CausalExplainer(lambda Z: Z[:, 1], g, sampler="mechanism", n_samples=200, uncertainty="refit",
                             n_refits=2).fit(X).explain(X[:3])
    p = exp.provenance
    payload = {"causal": {"sampler_diagnostic": p["sampler_diagnostic"], "uncertainty": p["uncertainty"]}}
    text = "\n".join(_sampler_lines(payload))
    node = p["sampler_diagnostic"]["nodes"]["b"]
    assert f"| b | a | {node['model']} |" in text and "(crps)" in text
    assert f"{100 * p['manifold']['off_manifold_share']:.1f} % of the evaluated rows off the data manifold" in text
    assert "2 refits" in text and "learning part" in text
    assert not any(line.startswith("| a |") for line in text.splitlines())  # a root has no mechanism row
