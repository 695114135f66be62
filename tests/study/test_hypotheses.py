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


def _eff(feature, total, direct, marginal, se=0.01, low=-1.0, high=1.0, unit=None):
    from causalx.explain import Effect

    return Effect(feature, low, high, total, se, direct, se, total - direct, se, marginal, se, unit,
                  total / (high - low), se / (high - low))


def _effects(*effects):
    from causalx.explain import EffectsResult

    return EffectsResult(tuple(effects), (0.25, 0.75), 1000)


def test_rules_read_signed_effects_not_credit():
    """t -> m -> y and t -> p: the model uses m and p; t acts only through m; p is a proxy of t."""
    g = CausalGraph(["t", "m", "p"], ["t -> m", "t -> p"], target="y")
    sign = np.array([1.0, -1.0, 1.0, -1.0])[:, None]
    marginal = _exp(sign * [0.1, 1.0, 0.6], g.nodes, value="marginal")
    eff = _effects(_eff("t", 2.0, 0.1, 0.1), _eff("m", 1.7, 1.7, 1.7), _eff("p", 0.02, 0.02, 0.02))
    hs = generate_hypotheses(g, {"marginal": marginal}, effects=eff)
    kinds = {}
    for h in hs:
        kinds.setdefault(h.kind, h)
    assert set(kinds) >= {"proxy", "mediation", "under_credited_cause"}
    proxy = kinds["proxy"]
    assert proxy.features[0] == "p" and "t" in proxy.features
    assert proxy.evidence["credit_mean_abs"] == pytest.approx(0.6)
    med = kinds["mediation"]
    assert med.features[0] == "t" and med.evidence["mediators"] == ["m"]
    assert med.evidence["indirect_share"] == pytest.approx(1.9 / 2.0)
    assert "+2 ± 0.01" in med.statement  # the signed effect with its error
    under = kinds["under_credited_cause"]
    assert under.features[0] == "t"
    assert [h.id for h in hs] == [f"H{i + 1}" for i in range(len(hs))]
    assert [h.score for h in hs] == sorted((h.score for h in hs), reverse=True)
    for h in hs:
        assert not FORBIDDEN.search(h.statement), h.statement
        assert h.suggested_experiment and h.confidence in ("low", "medium", "high")


def test_a_mediator_with_its_own_effect_is_not_a_proxy():
    """The misfire the rebuild fixes: asymmetric credit is small for a mediator by design."""
    g = CausalGraph(["size", "capacity_driver"], ["size -> capacity_driver"], target="y")
    marginal = _exp([[0.8, 0.5], [-0.8, -0.5]], g.nodes, value="marginal")
    asym = _exp([[1.2, 0.05], [-1.2, -0.05]], g.nodes, value="causal", asymmetric=True)
    eff = _effects(_eff("size", 2.0, 1.2, 1.2), _eff("capacity_driver", 0.9, 0.9, 0.9))
    hs = generate_hypotheses(g, {"marginal": marginal, "causal_asymmetric": asym}, effects=eff)
    assert not [h for h in hs if h.kind == "proxy" and h.features[0] == "capacity_driver"]


def test_cancellation_rule_states_the_sign():
    g = CausalGraph(["a", "b"], ["a -> b"], target="y")
    marginal = _exp([[1.0, 0.8], [-1.0, -0.8]], g.nodes, value="marginal")
    eff = _effects(_eff("a", -0.6, 1.0, 1.0), _eff("b", -1.6, -1.6, -1.6))
    hs = generate_hypotheses(g, {"marginal": marginal}, effects=eff)
    canc = [h for h in hs if h.kind == "cancellation"]
    assert len(canc) == 1 and canc[0].features[:2] == ("a", "b")
    assert "raising a lowers the predicted y" in canc[0].statement
    assert "positive sign" in canc[0].statement


def test_null_rule_and_effect_within_error():
    g = CausalGraph(["a", "z"], [], target="y")
    rng = np.random.default_rng(0)
    vals = np.column_stack([rng.normal(0, 1, 20), rng.normal(0, 0.001, 20)])
    exp = _exp(vals, g.nodes, se=0.05, value="marginal")
    eff = _effects(_eff("a", 1.5, 1.5, 1.5), _eff("z", 0.001, 0.001, 0.001, se=0.01))
    hs = generate_hypotheses(g, {"marginal": exp}, effects=eff)
    null = [h for h in hs if h.kind == "null_effect"]
    assert [h.features for h in null] == [("z",)]
    assert null[0].confidence != "high"


def test_roles_shape_the_experiments():
    """Controls are set; a measured node is never set nor held fixed while it is measured."""
    g = CausalGraph({"temp": {"role": "control", "unit": "degC"}, "life": {"role": "measured"},
                     "mat": {"role": "property"}}, ["temp -> life", "mat -> life"], target="eff")
    marginal = _exp([[0.1, 1.0, 0.3], [-0.1, -1.0, -0.3]], g.nodes, value="marginal")
    eff = _effects(_eff("temp", 2.0, 0.1, 0.1, unit="degC"), _eff("life", 1.8, 1.8, 1.8),
                   _eff("mat", 1.0, 0.2, 0.2))
    hs = generate_hypotheses(g, {"marginal": marginal}, effects=eff)
    for h in hs:
        text = h.suggested_experiment
        assert not re.search(r"\bSet life\b", text), text
        assert "holding life" not in text and "keeping life" not in text, text
        if h.features[0] == "temp":
            assert text.startswith("Set temp to two levels (about -1 and 1 degC)"), text
        if h.features[0] == "mat":
            assert "property of the material" in text, text
        if h.features[0] == "life":
            assert "measured on the sample and cannot be set" in text and "temp" in text, text
    no_roles = CausalGraph(["temp", "life"], ["temp -> life"], target="eff")
    hs = generate_hypotheses(no_roles, {"marginal": _exp([[0.1, 1.0], [-0.1, -1.0]], no_roles.nodes,
                                                         value="marginal")},
                             effects=_effects(_eff("temp", 2.0, 0.1, 0.1), _eff("life", 1.8, 1.8, 1.8)))
    assert all("If " in h.suggested_experiment for h in hs if h.kind != "independence_violated")


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
    assert "hidden common cause" in ind[0].statement and ind[0].confidence in ("high", "medium")


def test_rules_apply_to_groups_of_features():
    """Every player is a group: the doctest's proxy / under-credited pair, one family each.

    B's members are children of A's; plain SHAP credits B although shifting B changes nothing,
    and reads half of A's effect: the same two hypotheses as for single features, naming the
    families, with a hedged experiment on compositions that differ mainly in the family.
    """
    from causalx.explain import Effect, EffectsResult

    g = CausalGraph(["a1", "a2", "b1", "b2"], ["a1 -> b1", "a2 -> b2"], target="y",
                    groups={"A": ["a1", "a2"], "B": ["b1", "b2"]})
    shap = Explanation(values=np.array([[0.5, 1.0], [-0.5, -1.0]]), base_values=np.zeros(2),
                       stderr=np.full((2, 2), 0.01), data=np.full((2, 2), np.nan), feature_names=("A", "B"),
                       output=np.array([1.5, -1.5]), provenance={"value": "marginal"})
    nan = float("nan")
    grp = {"A": ("a1", "a2"), "B": ("b1", "b2")}
    eff = EffectsResult(tuple(
        Effect(name, nan, nan, t, 0.01, t, 0.01, 0.0, 0.0, m, 0.01, members=grp[name], member_low=(-1.0, -1.0),
               member_high=(1.0, 1.0)) for name, t, m in (("A", 2.0, 1.0), ("B", 0.0, 2.0))), (0.25, 0.75), 1000)
    hyps = generate_hypotheses(g, {"marginal": shap}, effects=eff)
    assert [(h.kind, h.features) for h in hyps] == [("proxy", ("B", "A")), ("under_credited_cause", ("A", "B"))]
    proxy = hyps[0]
    assert "B standing in for A" in proxy.statement
    assert "shifting the 2 members of B together" in proxy.statement
    assert "differ mainly in B" in proxy.suggested_experiment
    assert "matched on the families A" in proxy.suggested_experiment
    assert "nan" not in proxy.statement + proxy.suggested_experiment + hyps[1].statement


def test_group_mediators_follow_the_component_order():
    """A chain graph over groups (components, no edges): A's descendants are the later group B."""
    from causalx.explain import Effect, EffectsResult

    g = CausalGraph(["a1", "a2", "b1", "b2"], components=[["a1", "a2"], ["b1", "b2"]], target="y",
                    groups={"A": ["a1", "a2"], "B": ["b1", "b2"]})
    shap = Explanation(values=np.array([[1.0, 0.5], [-1.0, -0.5]]), base_values=np.zeros(2),
                       stderr=np.full((2, 2), 0.01), data=np.full((2, 2), np.nan), feature_names=("A", "B"),
                       output=np.array([1.5, -1.5]), provenance={"value": "marginal"})
    nan = float("nan")
    eff = EffectsResult((
        Effect("A", nan, nan, 2.0, 0.01, 0.5, 0.01, 1.5, 0.01, 1.9, 0.01, members=("a1", "a2"),
               member_low=(0.0, 0.0), member_high=(1.0, 1.0)),
        Effect("B", nan, nan, 1.0, 0.01, 1.0, 0.01, 0.0, 0.0, 1.0, 0.01, members=("b1", "b2"),
               member_low=(0.0, 0.0), member_high=(1.0, 1.0))), (0.25, 0.75), 1000)
    hyps = generate_hypotheses(g, {"marginal": shap}, effects=eff)
    med = next(h for h in hyps if h.kind == "mediation")
    assert med.features == ("A", "B")
    assert "mostly through B:" in med.statement
    assert med.evidence["paths"] == ["A -> B"]


def test_null_effect_wording_for_a_small_but_distinguishable_effect():
    """b's effect (+0.1 ± 0.01) is ten standard errors from zero but 5 % of a's: the null-effect
    hypothesis calls it small, not indistinguishable from zero."""
    from causalx.explain import Effect, EffectsResult

    g = CausalGraph(["a", "b"], target="y")
    shap = Explanation(values=np.array([[1.0, 0.01], [-1.0, -0.01]]), base_values=np.zeros(2),
                       stderr=np.full((2, 2), 0.001), data=np.zeros((2, 2)), feature_names=("a", "b"),
                       output=np.array([1.01, -1.01]), provenance={"value": "marginal"})
    eff = EffectsResult((Effect("a", -1, 1, 2.0, 0.01, 2.0, 0.01, 0.0, 0.0, 2.0, 0.01),
                         Effect("b", -1, 1, 0.1, 0.01, 0.1, 0.01, 0.0, 0.0, 0.1, 0.01)), (0.25, 0.75), 1000)
    null = [h for h in generate_hypotheses(g, {"marginal": shap}, effects=eff) if h.kind == "null_effect"]
    assert [h.features for h in null] == [("b",)]
    assert "nor its effect is large" in null[0].statement and "under 10% of the largest effect (2)" in null[0].statement
    assert "distinguishable from zero" not in null[0].statement
