"""Rules that turn explanations and diagnostics into ranked, hedged, testable hypotheses.

Interpretation of a model only *generates* causal hypotheses; experiments must confirm them.
Every statement here is therefore hedged ("the model's use of X is consistent with X acting on
y mostly through Z"), carries the numbers behind it with their uncertainty, lists what could
make it wrong, and proposes an experiment that would support or refute it. No rule ever states
that a feature causes the target.

The rules read *signed interventional effects* (:mod:`causalx.explain._effects`): the change of
the model's output when a feature is set from its 25th to its 75th percentile along the graph,
split into a direct part and a part through its descendants, each with a standard error. Row
means of Shapley values are not effects, and asymmetric credit is handed from a mediator to its
causes by design, so neither is read as evidence of an effect.

Rules
-----
``proxy``
    Plain SHAP (marginal or conditional values) credits the feature, but its total effect is
    negligible (within two standard errors, or under 10 % of the largest effect).
``null_effect``
    Neither credited nor with a relevant effect.
``mediation``
    A relevant effect whose part through the descendants is larger than the direct part.
``cancellation``
    Direct and indirect parts of opposite sign, each outside two standard errors; the sign of
    the net effect is stated.
``under_credited_cause``
    A relevant total effect that plain SHAP's reading (the same contrast with the other features
    marginal) misses by half or more, or reads with the opposite sign.
``independence_violated``
    A declared independence the data contradict (a hidden common cause or a missing edge).

Confidence follows the evidence: each kind of caveat touching the features (near-collinearity,
falsified implications or suspected confounding nearby, an effect within error, off-manifold
evaluations, a graph rejected broadly) lowers the score once, and caveats are listed ranked.
Suggested experiments follow the nodes' ``role``: controls are set, properties are compared
across matched materials, measured quantities are never set (their settable causes are, or
samples are stratified), and no experiment holds fixed what it measures.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from causalx.explanation import Explanation
from causalx.graph import CausalGraph

__all__ = ["HYPOTHESIS_KINDS", "Hypothesis", "generate_hypotheses"]

HYPOTHESIS_KINDS = (
    "proxy", "under_credited_cause", "mediation", "cancellation", "independence_violated", "null_effect",
)

#: a feature matters when its largest mean |attribution| reaches this share of the largest one
MIN_SHARE = 0.05


@dataclass(frozen=True)
class Hypothesis:
    """One testable hypothesis generated from a study's results.

    Attributes
    ----------
    id : str
        ``"H1"``, ``"H2"``, ... in rank order.
    kind : str
        One of :data:`HYPOTHESIS_KINDS`.
    statement : str
        Hedged wording; never a causal claim.
    evidence : dict
        The numbers behind the statement, each with its uncertainty where one exists.
    confidence : {"low", "medium", "high"}
    score : float
        Numeric confidence in [0, 1] used for ranking.
    caveats : tuple of str
        Confounding flags, falsified implications, off-manifold shares, effects within error.
    suggested_experiment : str
        What to intervene on, what to hold fixed, and what result would support or refute it.
    features : tuple of str
        The features the hypothesis is about (first: the main one).
    """

    id: str
    kind: str
    statement: str
    evidence: dict[str, Any]
    confidence: str
    score: float
    caveats: tuple[str, ...]
    suggested_experiment: str
    features: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "id": self.id, "kind": self.kind, "statement": self.statement, "evidence": _jsonable(self.evidence),
            "confidence": self.confidence, "score": round(float(self.score), 4), "caveats": list(self.caveats),
            "suggested_experiment": self.suggested_experiment, "features": list(self.features),
        }


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, (np.floating, float)):
        return float(obj) if math.isfinite(float(obj)) else None
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    return obj


def _confidence(score: float) -> str:
    return "high" if score >= 0.75 else "medium" if score >= 0.5 else "low"


def _fmt(x: float) -> str:
    return f"{x:.3g}"


def _sfmt(x: float) -> str:
    return f"{x:+.3g}"


def _se(x: float) -> str:
    """A standard error after ±: two significant digits (the report's rule, ``fmt_se``)."""
    return f"{x:.2g}"


def _join(names) -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


#: an effect is relevant when it reaches this share of the largest effect (and is outside 2 stderr)
REL_EFFECT = 0.1
#: a feature is credited by plain SHAP when its mean |value| reaches this share of the largest one
REL_CREDIT = 0.1
#: mean |φ| per unit of q25 -> q75 contrast for a linear model of a Gaussian feature: sqrt(2/π) / 1.349
CREDIT_PER_CONTRAST = math.sqrt(2 / math.pi) / 1.3490

# caveat severities (higher first in the ranked list) and the score penalty each carries; the
# "_near" kinds are the same evidence about a mediator or source rather than the main feature
_SEVERITY = {"collinear": 5, "falsified": 4, "suspected": 4, "within_error": 3, "graph_falsified": 3,
             "falsified_near": 2, "suspected_near": 2, "manifold": 2, "declared": 1, "general": 0}
_PENALTY = {"collinear": 0.25, "falsified": 0.15, "suspected": 0.15, "within_error": 0.2, "graph_falsified": 0.1,
            "falsified_near": 0.05, "suspected_near": 0.05, "manifold": 0.1, "declared": 0.05, "general": 0.0}


@dataclass(frozen=True)
class _Stats:
    """Per-feature summary of one explanation."""

    label: str
    mean_abs: np.ndarray  # (d,)
    se: np.ndarray  # (d,) standard error of mean_abs (Monte Carlo, inflated by the bootstrap)


def _stats(label: str, exp: Explanation, inflate: np.ndarray | None = None) -> _Stats:
    n = max(len(exp), 1)
    se = np.sqrt((np.asarray(exp.stderr) ** 2).sum(0)) / n
    if inflate is not None:
        se = np.maximum(se, inflate)
    return _Stats(label, np.abs(exp.values).mean(0), se)


class _Context:
    def __init__(self, graph, explanations, effects, diagnostics, bootstrap, bootstrap_label, manifold, target):
        self.graph = graph
        self.exps = dict(explanations)
        self.effects = effects
        self.diag = diagnostics
        self.boot = bootstrap
        self.boot_label = bootstrap_label
        self.manifold = dict(manifold or {})
        self.target = target or graph.target or "the target"
        first = next(iter(self.exps.values()))
        self.names = tuple(first.feature_names)
        # players: with groups, a rule may be about a whole family of features (a group)
        from causalx.graph.groups import group_precedences, players

        self.grouped = bool(graph.groups)
        self.members = {p: tuple(m) for p, m in players(graph)}
        self.owner = {n: p for p, m in self.members.items() for n in m}
        self.porder = {p: i for i, p in enumerate(self.members)}
        self.pgraph = None
        if self.grouped:
            import networkx as nx

            pg = nx.DiGraph()
            pg.add_nodes_from(self.members)
            pg.add_edges_from(group_precedences(graph))  # edges and the component order, between groups
            self.pgraph = pg
        inflate = None
        if bootstrap is not None:
            nb = bootstrap.total_stderr.shape[0]
            inflate = np.sqrt((bootstrap.total_stderr**2).mean(0)) / math.sqrt(max(nb, 1))
        self.stats = {lab: _stats(lab, e, inflate if lab == bootstrap_label else None) for lab, e in self.exps.items()}
        self.assoc = [lab for lab, e in self.exps.items() if e.provenance.get("value") in ("marginal", "conditional")]
        self.marginal = next((lab for lab in self.assoc if self.exps[lab].provenance.get("value") == "marginal"), None)
        credit_labels = self.assoc or list(self.exps)
        self.top_credit = max(float(self.stats[lab].mean_abs.max()) for lab in credit_labels) or 1.0
        self.top_effect = (max(abs(e.total) for e in effects) if effects is not None and len(effects) else 0.0) or 1.0
        self.suspected = tuple(diagnostics.suspected_confounding) if diagnostics is not None else ()
        self.rejected = tuple(diagnostics.falsification.rejected) if diagnostics is not None else ()
        self.collinear = set(diagnostics.near_collinear()) if diagnostics is not None and hasattr(
            diagnostics, "near_collinear") else set()
        self.pairs = tuple(getattr(diagnostics, "collinear_pairs", ())) if diagnostics is not None else ()
        fals = diagnostics.falsification if diagnostics is not None else None
        self.reject_rate = (len(fals.rejected) / max(1, len(fals.tests))) if fals is not None and hasattr(
            fals, "tests") else 0.0

    def j(self, name: str) -> int:
        return self.names.index(name)

    def is_group(self, name: str) -> bool:
        """Whether ``name`` is a player with several members (or a group named apart from its node)."""
        return self.members.get(name, (name,)) != (name,)

    def mem(self, name: str) -> tuple[str, ...]:
        return self.members.get(name, (name,))

    def _players_of(self, nodes, exclude) -> list[str]:
        out = {self.owner.get(n, n) for n in nodes} - {exclude}
        return sorted(out, key=lambda p: self.porder.get(p, 0))

    def ancestors(self, f: str) -> list[str]:
        """Ancestors of ``f``; with groups, the players holding an ancestor of a member."""
        if not self.grouped:
            return list(self.graph.ancestors(f))
        import networkx as nx

        return sorted(nx.ancestors(self.pgraph, self.owner.get(f, f)), key=self.porder.get)

    def descendants(self, f: str) -> list[str]:
        if not self.grouped:
            return list(self.graph.descendants(f))
        import networkx as nx

        return sorted(nx.descendants(self.pgraph, self.owner.get(f, f)), key=self.porder.get)

    def touching(self, f: str, pairs) -> list:
        """The pairs (of nodes) with one end among ``f``'s members and the other outside them."""
        m = set(self.mem(f))
        return [pr for pr in pairs if len(set(pr) & m) == 1]

    def partner(self, f: str, pair) -> str:
        """The player at the other end of a node pair touching ``f``."""
        m = set(self.mem(f))
        other = pair[1] if pair[0] in m else pair[0]
        return self.owner.get(other, other) if self.grouped else other

    def credit(self, name: str) -> tuple[float, float, str | None]:
        """Largest associational mean |value| of ``name``, its stderr and the label."""
        if not self.assoc:
            return 0.0, 0.0, None
        best = max(self.assoc, key=lambda lab: self.stats[lab].mean_abs[self.j(name)])
        return float(self.stats[best].mean_abs[self.j(name)]), float(self.stats[best].se[self.j(name)]), best

    def role(self, name: str) -> str | None:
        if self.is_group(name):  # a group has a role when all its members share it
            roles = {self.graph.node_attributes(m).get("role") for m in self.mem(name)}
            return roles.pop() if len(roles) == 1 else None
        return self.graph.node_attributes(name).get("role")

    def unit(self, name: str) -> str:
        if self.is_group(name):
            return ""
        u = self.graph.node_attributes(name).get("unit")
        return f" {u}" if u else ""

    # ---------------------------------------------------------------- caveats
    def caveats(self, features, labels=(), *, skip_pair=None, effect=None) -> list[tuple[str, str]]:
        """``(kind, text)`` caveats, collapsed per kind and ranked by severity (:data:`_SEVERITY`).

        ``features[0]`` is the main feature: evidence against the graph around it weighs more
        than the same evidence around the others (its mediators or sources).
        """
        out: list[tuple[str, str]] = []
        feats = list(dict.fromkeys(features))
        main = feats[0] if feats else None
        nodes = {n for f in feats for n in self.mem(f)}
        main_nodes = set(self.mem(main)) if main is not None else set()
        rejected = [t for t in self.rejected if set((t.x, t.y)) & nodes
                    and (skip_pair is None or {t.x, t.y} != set(skip_pair))]
        suspected = [s for s in self.suspected if set(s.pair) & nodes
                     and (skip_pair is None or set(s.pair) != set(skip_pair))]
        for f in feats:
            if self.is_group(f):
                out.extend(self._group_caveats(f))
                continue
            if f in self.collinear:
                partners = [b if a == f else a for a, b, r in self.pairs if f in (a, b)]
                near = f" (|r| > 0.99 with {_join(partners)})" if partners else " (variance inflation above 100)"
                out.append(("collinear", f"{f} is nearly collinear with other features{near}: the data cannot "
                                         f"separate their effects, the model may use either, and PC's suggested "
                                         f"edges around {f} are unreliable."))
            for a, b in self.graph.confounded:
                if f in (a, b):
                    other = b if f == a else a
                    out.append(("declared", f"{f} is declared to share a hidden common cause with {other}; the "
                                            f"effect rests on that declaration."))
        if suspected:
            on_main = any(set(s.pair) & main_nodes for s in suspected)
            pairs = "; ".join(f"{s.pair[0]} and {s.pair[1]} (partial r = {s.strength:+.2f})" for s in suspected)
            out.append(("suspected" if on_main else "suspected_near",
                        f"Suspected confounding: {pairs} are dependent although the graph declares them "
                        f"independent; effects involving them may mix in an unmeasured cause."))
        if rejected:
            on_main = any({t.x, t.y} & main_nodes for t in rejected)
            worst = min(rejected, key=lambda t: t.p_adjusted)
            near = _join([f for f in feats if any({t.x, t.y} & set(self.mem(f)) for t in rejected)])
            more = f" and {len(rejected) - 1} more" if len(rejected) > 1 else ""
            out.append(("falsified" if on_main else "falsified_near",
                        f"The data contradict implied independences near {near}: {worst} (adjusted p = "
                        f"{worst.p_adjusted:.2g}){more}; the graph may be wrong there."))
        if self.reject_rate > 0.25:
            out.append(("graph_falsified", f"The data reject {self.reject_rate:.0%} of the graph's implied "
                                           "independences: the graph as a whole is doubtful, and so is every "
                                           "effect read from it."))
        if effect is not None and not effect.is_distinguishable():
            out.append(("within_error", f"The total effect of {effect.feature} ({_sfmt(effect.total)} ± "
                                        f"{_se(effect.total_stderr)}) is within two standard errors of zero."))
        for lab in labels:
            rep = self.manifold.get(lab)
            if rep is not None and (rep["off_manifold_share"] > 0.1 or rep["constraint_violation_share"] > 0.01):
                out.append(("manifold", f"{rep['off_manifold_share']:.0%} of the rows the {lab} values evaluated "
                                        f"the model on lie off the data manifold "
                                        f"({rep['constraint_violation_share']:.0%} violate a declared constraint): "
                                        "those attributions extrapolate the model."))
        seen, ranked = set(), []
        for kind, text in sorted(out, key=lambda kt: -_SEVERITY[kt[0]]):
            if text not in seen:
                seen.add(text)
                ranked.append((kind, text))
        return ranked

    def _group_caveats(self, f: str) -> list[tuple[str, str]]:
        """Collinearity with features outside the group and declared confounding, for a group."""
        out = []
        pairs = self.touching(f, [(a, b) for a, b, _ in self.pairs])
        if pairs:
            others = _join(dict.fromkeys(self.partner(f, pr) for pr in pairs))
            out.append(("collinear", f"Members of {f} are nearly collinear (|r| > 0.99) with features outside it "
                                     f"({others}): the data cannot separate the family's effect from theirs."))
        for pr in self.touching(f, self.graph.confounded):
            out.append(("declared", f"{f} is declared to share a hidden common cause with {self.partner(f, pr)}; "
                                    f"the effect rests on that declaration."))
        return out

    def scored(self, base: float, caveats) -> float:
        """The rule's score less one penalty per kind of caveat."""
        kinds = {k for k, _ in caveats}
        return float(np.clip(base - sum(_PENALTY[k] for k in kinds), 0.05, 0.99))

    # ---------------------------------------------------------------- experiments
    def _hold_phrase(self, names, measuring=()) -> str:
        """How to keep ``names`` fixed, by role; nodes being measured are never held fixed."""
        names = [n for n in dict.fromkeys(names) if n not in set(measuring)]
        if not names:
            return ""
        groups: dict[str, list[str]] = {"control": [], "property": [], "measured": [], None: []}
        fams = [n for n in names if self.is_group(n)]
        names = [n for n in names if not self.is_group(n)]
        for n in names:
            groups[self.role(n) if self.role(n) in groups else None].append(n)
        parts = []
        if groups["control"]:
            its = "its usual setting" if len(groups["control"]) == 1 else "their usual settings"
            parts.append(f"keeping {_join(groups['control'])} at {its}")
        if groups["property"]:
            parts.append(f"comparing samples matched on {_join(groups['property'])}")
        if groups["measured"]:
            parts.append(f"stratifying on the measured {_join(groups['measured'])}")
        if groups[None]:
            parts.append(f"holding {_join(groups[None])} fixed (or matched, where they cannot be set)")
        if fams:
            parts.append(f"comparing samples matched on the families {_join(fams)}")
        return "; ".join(parts)

    def vary(self, f: str, effect=None, hold=(), measure=()) -> str:
        """The first sentence of an experiment on ``f``, worded by its role."""
        measure = [m for m in dict.fromkeys(measure) if m != f]
        what = _join(measure + [self.target]) if measure else self.target
        if self.is_group(f):
            held = self._hold_phrase(hold, measuring=measure)
            held = f", {held}," if held else ""
            return (f"{f} is a family of {len(self.mem(f))} related features, changed together only by choosing "
                    f"other samples: compare samples that differ mainly in {f} (its members from their lower to "
                    f"their upper quartiles) but are otherwise alike{held} and measure {what}.")
        lv = "" if effect is None else f" (about {_fmt(effect.low)} and {_fmt(effect.high)}{self.unit(f)})"
        role = self.role(f)
        if role == "measured":
            causes = [a for a in self.graph.ancestors(f) if self.role(a) == "control"]
            held = self._hold_phrase([h for h in hold if h not in causes], measuring=[*measure, f])
            held = f" ({held})" if held else ""
            via = (f"intervene on its settable cause(s) {_join(causes)} and measure {f} together with {what}"
                   if causes else f"compare samples stratified by {f}{lv} and measure {what}")
            return f"{f} is measured on the sample and cannot be set directly: {via}{held}."
        held = self._hold_phrase(hold, measuring=measure)
        held = f", {held}," if held else ""
        if role == "control":
            return f"Set {f} to two levels{lv}{held} and measure {what}."
        if role == "property":
            return (f"{f} is a property of the material or molecule, so it is changed only by choosing another "
                    f"one: compare samples that differ in {f}{lv} but are otherwise alike{held} and measure {what}.")
        return (f"If {f} can be set directly, set it to two levels{lv}{held} and measure {what}; if it cannot, "
                f"compare samples that differ in {f} but are otherwise alike.")

    def mediators(self, f: str) -> list[str]:
        """Descendants of ``f`` through which its indirect effect plausibly flows (the model uses them)."""
        desc = self.descendants(f)
        if self.effects is None or not desc:
            return desc[:3]
        use = {d: abs(self.effects[d].direct) for d in desc}
        total = sum(use.values()) or 1.0
        picked = [d for d in sorted(desc, key=lambda d: -use[d]) if use[d] >= 0.2 * total]
        return picked or sorted(desc, key=lambda d: -use[d])[:1]

    def paths(self, f: str, to) -> list[str]:
        import networkx as nx

        dag = self.pgraph if self.grouped else self.graph.to_networkx()
        return [" -> ".join(p) for d in to for p in itertools.islice(nx.all_simple_paths(dag, f, d), 3)]

    def effect_text(self, e) -> str:
        if getattr(e, "members", ()):
            return (f"shifting the {len(e.members)} members of {e.feature} together from their 25th to their 75th "
                    f"percentiles changes the model's {self.target} by {_sfmt(e.total)} ± {_se(e.total_stderr)}")
        u = self.unit(e.feature)
        return (f"setting {e.feature} from {_fmt(e.low)} to {_fmt(e.high)}{u} changes the model's {self.target} by "
                f"{_sfmt(e.total)} ± {_se(e.total_stderr)}")


def _hyp(c: _Context, kind, stmt, evidence, base, caveats, experiment, features) -> Hypothesis:
    score = c.scored(base, caveats)
    return Hypothesis("", kind, stmt, evidence, _confidence(score), score, tuple(t for _, t in caveats), experiment,
                      tuple(dict.fromkeys(features)))


# ------------------------------------------------------------------------------ rules
def _effect_rules(c: _Context) -> list[Hypothesis]:
    """Proxy, null effect, mediation, cancellation and under-credited cause, from signed effects."""
    out = []
    if c.effects is None:
        return out
    have = {e.feature for e in c.effects}
    for f in (n for n in c.names if n in have):  # the players: features, or groups of features
        e = c.effects[f]
        A, A_se, la = c.credit(f)
        credited = la is not None and A >= REL_CREDIT * c.top_credit
        relevant = e.is_distinguishable() and abs(e.total) >= REL_EFFECT * c.top_effect
        evidence = {"feature": f, "effect": e.to_dict(), "credit_label": la, "credit_mean_abs": A,
                    "credit_stderr": A_se, "top_effect": c.top_effect}
        sources = c.ancestors(f)
        sources += [c.partner(f, s.pair) for s in c.suspected if s.pair in c.touching(f, [s.pair])]
        sources += [c.partner(f, pr) for pr in c.touching(f, c.graph.confounded)]
        sources = list(dict.fromkeys(sources))
        # plain SHAP's credit on the scale of a q25 -> q75 contrast: for a linear model and Gaussian
        # x, mean |φ| = |w| σ sqrt(2/π) and the contrast is |w| 1.349 σ, a ratio of 0.59
        credit_contrast = A / CREDIT_PER_CONTRAST
        negligible = (not e.is_distinguishable()) or abs(e.total) <= 0.25 * credit_contrast
        evidence["credit_as_contrast"] = credit_contrast
        if credited and negligible and sources:
            src = _join(sources)
            cav = c.caveats([f, *sources], [la], effect=None)
            strength = min(1.0, A / (0.3 * c.top_credit))
            base = 0.55 + 0.35 * strength
            stmt = (f"{la.capitalize()} Shapley values credit {f} (mean |value| {_fmt(A)} ± {_se(A_se)}, about "
                    f"{_fmt(credit_contrast)} on the scale of a q25 → q75 contrast), but {c.effect_text(e)}. The "
                    f"credit is consistent with {f} standing in for {src} rather than acting on {c.target} itself.")
            exp = (c.vary(f, e, hold=sources) + f" No change in {c.target} beyond noise supports the proxy "
                   f"hypothesis; a change of about {_fmt(abs(e.marginal))} (plain SHAP's reading) refutes it.")
            out.append(_hyp(c, "proxy", stmt, {**evidence, "sources": sources}, base, cav, exp, (f, *sources)))
            continue
        if not credited and not relevant:
            cav = c.caveats([f], effect=None)
            cav.append(("general", "An effect smaller than its uncertainty, or outside the range studied, cannot "
                                   "be excluded."))
            if e.is_distinguishable():  # outside its error, but under REL_EFFECT of the largest effect
                stmt = (f"Neither the model's use of {f} nor its effect is large: {c.effect_text(e)}, under "
                        f"{REL_EFFECT:.0%} of the largest effect ({_fmt(c.top_effect)}), and plain SHAP's mean "
                        f"|value| is {_fmt(A)}.")
            else:
                stmt = (f"Neither the model's use of {f} nor its effect is distinguishable from zero: "
                        f"{c.effect_text(e)}, and plain SHAP's mean |value| is {_fmt(A)}.")
            exp = c.vary(f, e) + (f" Widen the range beyond the data: no change beyond noise supports this; a "
                                  f"clear change refutes it.")
            # confidence grows as the effect's upper bound (|total| + 2 stderr) falls below the
            # relevance threshold: a tightly bounded null is evidence, a noisy one is not
            bound = (abs(e.total) + 2 * e.total_stderr) / c.top_effect
            base = 0.4 + 0.35 * max(0.0, 1.0 - bound / REL_EFFECT)
            out.append(_hyp(c, "null_effect", stmt, {**evidence, "upper_bound_share": bound}, base, cav, exp, (f,)))
            continue
        if not relevant:
            continue
        meds = c.mediators(f)
        d_sig = abs(e.direct) > 2 * e.direct_stderr
        i_sig = abs(e.indirect) > 2 * e.indirect_stderr
        evidence.update(mediators=meds, paths=c.paths(f, meds))
        # cancellation: direct and indirect parts of opposite sign, both clearly non-zero
        if (d_sig and i_sig and e.direct * e.indirect < 0
                and min(abs(e.direct), abs(e.indirect)) >= 0.3 * max(abs(e.direct), abs(e.indirect))):
            cav = c.caveats([f, *meds], effect=e)
            cancel = 1 - abs(e.total) / (abs(e.direct) + abs(e.indirect))
            base = 0.6 + 0.3 * cancel
            net = "raises" if e.total > 0 else "lowers"
            stmt = (f"{f}'s direct and indirect effects point in opposite directions: {c.effect_text(e)}, the sum "
                    f"of a direct part {_sfmt(e.direct)} ± {_se(e.direct_stderr)} and a part through "
                    f"{_join(meds)} of {_sfmt(e.indirect)} ± {_se(e.indirect_stderr)}. On balance, raising {f} "
                    f"{net} the predicted {c.target}; the model's direct use of {f} has the "
                    f"{'positive' if e.direct > 0 else 'negative'} sign.")
            exp = (c.vary(f, e, hold=meds) + f" Then repeat with {_join(meds)} kept from responding (or matched): "
                   f"a change of sign {'+' if e.direct > 0 else '-'} and about {_fmt(abs(e.direct))} supports the "
                   f"cancellation hypothesis; no change refutes it.")
            out.append(_hyp(c, "cancellation", stmt, evidence, base, cav, exp, (f, *meds)))
        elif i_sig and abs(e.indirect) > abs(e.direct) and e.total * e.indirect > 0:
            share = abs(e.indirect) / (abs(e.direct) + abs(e.indirect))
            cav = c.caveats([f, *meds], effect=e)
            base = 0.5 + 0.4 * share * min(1.0, abs(e.total) / (0.3 * c.top_effect))
            stmt = (f"The model's response to {f} is consistent with {f} acting on {c.target} mostly through "
                    f"{_join(meds)}: {c.effect_text(e)}, of which {_sfmt(e.indirect)} ± {_se(e.indirect_stderr)} "
                    f"({share:.0%}) flows through its descendants and {_sfmt(e.direct)} ± "
                    f"{_se(e.direct_stderr)} is the model's direct use of {f}.")
            exp = (c.vary(f, e, measure=meds) + f" If most of the change in {c.target} disappears in samples matched "
                   f"on {_join(meds)}, mediation is supported; an unchanged effect refutes it.")
            out.append(_hyp(c, "mediation", stmt, {**evidence, "indirect_share": share},
                            base, cav, exp, (f, *meds)))
        # plain SHAP under-credits (or misreads the direction of) a cause
        if abs(e.marginal) <= 0.5 * abs(e.total) or e.marginal * e.total < 0:
            flipped = e.marginal * e.total < 0 and abs(e.marginal) > 2 * e.marginal_stderr
            cav = c.caveats([f], [c.marginal] if c.marginal else [], effect=e)
            base = 0.55 + 0.35 * min(1.0, (abs(e.total) - abs(e.marginal)) / max(abs(e.total), 1e-12)) \
                + (0.05 if flipped else 0.0)
            reading = (f"points the other way ({_sfmt(e.marginal)} ± {_se(e.marginal_stderr)})" if flipped else
                       f"is only {_sfmt(e.marginal)} ± {_se(e.marginal_stderr)}")
            stmt = (f"Plain SHAP under-credits {f} as a cause: {c.effect_text(e)} along the graph, while the same "
                    f"contrast with the other features held at their observed mix (plain SHAP's and the PDP's "
                    f"reading) {reading}; the difference is the effect through {_join(meds) or 'its descendants'}.")
            exp = c.vary(f, e, measure=meds) + (f" A change in {c.target} of about {_sfmt(e.total)} supports the "
                                                f"hypothesis; a change near {_sfmt(e.marginal)} refutes it.")
            out.append(_hyp(c, "under_credited_cause", stmt, evidence, base, cav, exp, (f, *meds)))
    return out


def _independence_rules(c: _Context) -> list[Hypothesis]:
    out = []
    if c.diag is None:
        return out
    alpha = c.diag.falsification.alpha
    test = getattr(c.diag.falsification, "method", None)
    items = [(s.pair, s.given, s.strength, s.p_value, s.suggestion) for s in c.suspected]
    if not items:  # falsified implications without a suspected pair
        items = [((t.x, t.y), t.given, t.partial_correlation, t.p_adjusted, "") for t in c.rejected]
    for (a, b), given, r, p, suggestion in items:
        strength = abs(r) if math.isfinite(r) else 0.0
        base = 0.6 + 0.35 * min(1.0, strength / 0.5)
        if p > alpha / 10:
            base -= 0.1
        cond = f" given {_join(given)}" if given else ""
        stmt = (f"The graph declares {a} and {b} independent{cond}, but the data show a dependence (partial "
                f"correlation {r:+.2f}, adjusted p = {p:.2g}). This is consistent with a hidden common cause of "
                f"{a} and {b} or with a missing edge between them.")
        first = c.vary(a, None, hold=given, measure=[b])
        exp = (f"{first} If {b} no longer varies with {a}, a hidden common cause (not an edge {a} -> {b}) is "
               f"supported. Record candidate common causes (e.g. batch, supplier, processing history) and check "
               f"whether adjusting for them removes the dependence; if it does not, a direct edge is more plausible.")
        cav = c.caveats([a, b], skip_pair=(a, b))
        cav.append(("general", f"Until it is resolved, the effects of {a} and {b} may each absorb part of the "
                               f"other's or of the unmeasured cause."))
        if {a, b} & c.collinear:
            base -= 0.2
        out.append(_hyp(c, "independence_violated", stmt,
                        {"pair": [a, b], "given": list(given), "partial_correlation": r, "p_adjusted": p,
                         "alpha": alpha, "graph_suggestion": suggestion, "test": test},
                        base, [kv for kv in cav if kv[0] not in ("suspected", "falsified", "suspected_near", "falsified_near")],
                        exp, (a, b)))
    return out


def generate_hypotheses(
    graph: CausalGraph,
    explanations: Mapping[str, Explanation],
    *,
    effects=None,
    diagnostics=None,
    bootstrap=None,
    bootstrap_label: str | None = None,
    manifold: Mapping[str, Any] | None = None,
    target: str | None = None,
) -> tuple[Hypothesis, ...]:
    """Apply every rule and rank the hypotheses by score.

    Parameters
    ----------
    graph : CausalGraph
    explanations : mapping of str to Explanation
        Explanations of the same rows, keyed by label; their ``provenance["value"]`` tells the
        rules which are associational (marginal, conditional: plain SHAP's credit).
    effects : EffectsResult, optional
        Signed interventional effects (:func:`causalx.explain.interventional_effects`); the
        proxy, null-effect, mediation, cancellation and under-credited-cause rules read them
        (never row means of Shapley values). Without it only the independence rule runs.
    diagnostics : DiagnosticsResult, optional
        Falsification, suspected confounding, collinearity: they lower the confidence of the
        hypotheses they touch and are listed among their caveats.
    bootstrap : BootstrapResult, optional
        Bootstrap of the explanation ``bootstrap_label`` (widens the uncertainty of its credit).
    bootstrap_label : str, optional
    manifold : mapping of str to dict, optional
        Off-manifold shares of the rows each explanation evaluated the model on.
    target : str, optional
        Name of the predicted quantity (default: ``graph.target``).

    Returns
    -------
    tuple of Hypothesis
        Highest score first, with ids ``H1``, ``H2``, ...

    Examples
    --------
    A proxy: plain SHAP credits ``b`` although setting it changes nothing.

    >>> import numpy as np
    >>> from causalx.explain import Effect, EffectsResult
    >>> from causalx.explanation import Explanation
    >>> from causalx.graph import CausalGraph
    >>> g = CausalGraph(["a", "b"], ["a -> b"], target="y")
    >>> shap = Explanation(values=np.array([[0.5, 1.0], [-0.5, -1.0]]), base_values=np.zeros(2),
    ...                    stderr=np.full((2, 2), 0.01), data=np.zeros((2, 2)), feature_names=("a", "b"),
    ...                    output=np.array([1.5, -1.5]), provenance={"value": "marginal"})
    >>> eff = EffectsResult((Effect("a", -1, 1, 2.0, 0.01, 2.0, 0.01, 0.0, 0.0, 1.0, 0.01),
    ...                      Effect("b", -1, 1, 0.0, 0.01, 0.0, 0.01, 0.0, 0.0, 2.0, 0.01)), (0.25, 0.75), 1000)
    >>> [(h.kind, h.features[0]) for h in generate_hypotheses(g, {"marginal": shap}, effects=eff)]
    [('proxy', 'b'), ('under_credited_cause', 'a')]
    """
    if not explanations:
        raise ValueError("generate_hypotheses needs at least one explanation.")
    c = _Context(graph, explanations, effects, diagnostics, bootstrap, bootstrap_label, manifold, target)
    hyps = _effect_rules(c) + _independence_rules(c)
    hyps.sort(key=lambda h: -h.score)
    return tuple(replace(h, id=f"H{i + 1}", score=float(round(h.score, 4))) for i, h in enumerate(hyps))
