"""Hypothesis rules on hand-made explanations with known structure, and on the case study."""

from __future__ import annotations

import re

import numpy as np
import pytest

from causalx.explanation import Explanation
from causalx.graph import CausalGraph
from causalx.study import generate_hypotheses

# a causal claim: "<name> causes ...", "... is caused by ...", "proves", "is the cause"
FORBIDDEN = re.compile(r"\b(?!its\b)\w+ causes \w|\bcaused by\b|\bproves?\b|\bis the cause\b", re.I)


def _exp(values, names, *, se=0.01, direct=None, indirect=None, **prov):
    values = np.asarray(values, dtype=float)
    n, d = values.shape
    kw = {}
    if direct is not None:
        kw = dict(direct=np.asarray(direct, float), indirect=np.asarray(indirect, float),
                  direct_stderr=np.full((n, d), se), indirect_stderr=np.full((n, d), se))
    return Explanation(values=values, base_values=np.zeros(n), stderr=np.full((n, d), se), data=np.zeros((n, d)),
                       feature_names=tuple(names), output=values.sum(1), provenance=prov, **kw)


def test_proxy_and_mediation_rules_on_known_structure():
    # t -> m, t -> p ; the model uses m and p; causal values move p's credit to its cause t
    g = CausalGraph(["t", "m", "p"], ["t -> m", "t -> p"], target="y")
    sign = np.array([1.0, -1.0, 1.0, -1.0])[:, None]
    marginal = _exp(sign * [0.1, 1.0, 0.6], g.nodes, value="marginal")
    direct = sign * [0.1, 0.5, 0.0]
    indirect = sign * [1.2, 0.0, 0.0]
    causal = _exp(direct + indirect, g.nodes, direct=direct, indirect=indirect, value="causal", asymmetric=True)
    hs = generate_hypotheses(g, {"marginal": marginal, "causal_asymmetric": causal})
    kinds = {h.kind: h for h in hs}
    assert set(kinds) >= {"proxy", "mediation"}
    proxy = kinds["proxy"]
    assert proxy.features[0] == "p" and "t" in proxy.features
    assert proxy.evidence["associational_mean_abs"] == pytest.approx(0.6)
    assert proxy.evidence["causal_mean_abs"] == pytest.approx(0.0)
    med = kinds["mediation"]
    assert med.features[0] == "t" and med.evidence["mediators"] == ["m"]  # m used 0.5, p used 0.0
    assert med.evidence["indirect_share"] == pytest.approx(1.2 / 1.3)
    assert "mostly through m" in med.statement
    assert [h.id for h in hs] == [f"H{i + 1}" for i in range(len(hs))]
    assert [h.score for h in hs] == sorted((h.score for h in hs), reverse=True)
    for h in hs:
        assert not FORBIDDEN.search(h.statement), h.statement
        assert h.suggested_experiment and h.confidence in ("low", "medium", "high")


def test_cancellation_rule():
    g = CausalGraph(["a", "b"], ["a -> b"], target="y")
    sign = np.array([1.0, -1.0, 1.0, -1.0, 1.0, -1.0])[:, None]
    direct = sign * [1.0, 0.8]
    indirect = sign * [-0.8, 0.0]
    causal = _exp(direct + indirect, g.nodes, direct=direct, indirect=indirect, value="causal")
    hs = generate_hypotheses(g, {"causal": causal})
    canc = [h for h in hs if h.kind == "cancellation"]
    assert len(canc) == 1 and canc[0].features[:2] == ("a", "b")
    assert canc[0].evidence["opposite_rows"] == pytest.approx(1.0)


def test_null_rule_within_error():
    g = CausalGraph(["a", "z"], [], target="y")
    rng = np.random.default_rng(0)
    vals = np.column_stack([rng.normal(0, 1, 20), rng.normal(0, 0.001, 20)])
    exp = _exp(vals, g.nodes, se=0.05, value="causal")
    hs = generate_hypotheses(g, {"causal": exp})
    null = [h for h in hs if h.kind == "null_effect"]
    assert [h.features for h in null] == [("z",)]
    assert null[0].evidence["within_error"] is True
    assert "within its uncertainty of zero" in null[0].statement


def test_independence_rule_from_diagnostics():
    from causalx.datasets import make_linear_scm
    from causalx.diagnostics import diagnose

    scm = make_linear_scm(["A", "B", "C"], {("A", "B"): 1.0}, confounders=[("A", "C", 1.0)])
    g = scm.graph(declare_confounding=False)
    X = scm.sample(600, random_state=0)
    diag = diagnose(g, X, n_permutations=0, discovery=False)
    exp = _exp(np.ones((3, 3)), g.nodes, value="marginal")
    hs = generate_hypotheses(g, {"marginal": exp}, diagnostics=diag)
    ind = [h for h in hs if h.kind == "independence_violated"]
    assert len(ind) == 1 and set(ind[0].features) == {"A", "C"}
    assert "hidden common cause" in ind[0].statement and ind[0].confidence == "high"
