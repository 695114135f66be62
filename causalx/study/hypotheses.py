"""Rules that turn explanations and diagnostics into ranked, hedged, testable hypotheses.

Interpretation of a model only *generates* causal hypotheses; experiments must confirm them.
Every statement here is therefore hedged ("the model's use of X is consistent with X acting on
y mostly through Z"), carries the numbers behind it with their uncertainty, lists what could
make it wrong, and proposes an experiment that would support or refute it. No rule ever states
that a feature causes the target.

Rules
-----
``proxy``
    A feature that associational (marginal or conditional) Shapley values credit but whose
    causal attribution is about zero once its causes are accounted for.
``under_credited_cause``
    A cause whose causal attribution is much larger than its plain (marginal) SHAP value.
``mediation``
    A large indirect share of a causal attribution; the mediators on the directed paths are named.
``cancellation``
    Direct and indirect parts of opposite sign.
``independence_violated``
    A declared independence the data contradict (a hidden common cause or a missing edge).
``null_effect``
    A feature whose attribution is within its uncertainty of zero.
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


def _join(names) -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


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
    def __init__(self, graph, explanations, diagnostics, bootstrap, bootstrap_label, manifold, target):
        self.graph = graph
        self.exps = dict(explanations)
        self.diag = diagnostics
        self.boot = bootstrap
        self.boot_label = bootstrap_label
        self.manifold = dict(manifold or {})
        self.target = target or graph.target or "the target"
        first = next(iter(self.exps.values()))
        self.names = tuple(first.feature_names)
        inflate = None
        if bootstrap is not None:
            nb = bootstrap.total_stderr.shape[0]
            inflate = np.sqrt((bootstrap.total_stderr**2).mean(0)) / math.sqrt(max(nb, 1))
        self.stats = {lab: _stats(lab, e, inflate) for lab, e in self.exps.items()}
        self.top = max(float(s.mean_abs.max()) for s in self.stats.values()) or 1.0

        def pick(pred, prefer_asym=True):
            labs = [lab for lab, e in self.exps.items() if pred(e.provenance)]
            labs.sort(key=lambda lab: (bool(self.exps[lab].provenance.get("asymmetric")) != prefer_asym))
            return labs[0] if labs else None

        self.causal = pick(lambda p: p.get("value") == "causal")
        self.decomposed = next(
            (lab for lab in sorted(self.exps, key=lambda lab: not self.exps[lab].provenance.get("asymmetric"))
             if self.exps[lab].provenance.get("value") == "causal" and self.exps[lab].direct is not None),
            None,
        )
        self.assoc = [lab for lab, e in self.exps.items() if e.provenance.get("value") in ("marginal", "conditional")]
        self.marginal = next((lab for lab in self.assoc if self.exps[lab].provenance.get("value") == "marginal"), None)
        self.suspected = tuple(diagnostics.suspected_confounding) if diagnostics is not None else ()
        self.rejected = tuple(diagnostics.falsification.rejected) if diagnostics is not None else ()

    def j(self, name: str) -> int:
        return self.names.index(name)

    def val(self, label: str, name: str) -> tuple[float, float]:
        s = self.stats[label]
        return float(s.mean_abs[self.j(name)]), float(s.se[self.j(name)])

    # ---------------------------------------------------------------- caveats
    def caveats(self, features, labels=(), *, skip_pair=None) -> list[str]:
        out = []
        for f in features:
            for a, b in self.graph.confounded:
                if f in (a, b):
                    other = b if f == a else a
                    out.append(f"{f} is declared to share a hidden common cause with {other}; its causal "
                               f"attribution rests on that declaration.")
            for s in self.suspected:
                if f in s.pair and (skip_pair is None or set(s.pair) != set(skip_pair)):
                    other = s.pair[1] if f == s.pair[0] else s.pair[0]
                    out.append(f"Suspected confounding: {f} and {other} are dependent although the graph "
                               f"declares them independent (partial r = {s.strength:+.2f}); attributions "
                               f"involving {f} may mix in the effect of an unmeasured cause.")
            for t in self.rejected:
                if f in (t.x, t.y) and (skip_pair is None or {t.x, t.y} != set(skip_pair)):
                    out.append(f"The data contradict the implied independence {t} (adjusted p = "
                               f"{t.p_adjusted:.2g}); the graph may be wrong near {f}.")
        for lab in labels:
            rep = self.manifold.get(lab)
            if rep is not None and (rep["off_manifold_share"] > 0.1 or rep["constraint_violation_share"] > 0.01):
                out.append(f"{rep['off_manifold_share']:.0%} of the rows the {lab} values evaluated the model on "
                           f"lie off the data manifold ({rep['constraint_violation_share']:.0%} violate a declared "
                           f"constraint): those attributions extrapolate the model.")
        return list(dict.fromkeys(out))

    def hold_fixed(self, feature: str, extra=()) -> list[str]:
        keep = list(self.graph.parents(feature))
        for a, b in self.graph.confounded:
            if feature in (a, b):
                keep.append(b if feature == a else a)
        for s in self.suspected:
            if feature in s.pair:
                keep.append(s.pair[1] if feature == s.pair[0] else s.pair[0])
        keep += list(extra)
        return [k for k in dict.fromkeys(keep) if k != feature]


# ------------------------------------------------------------------------------ rules
def _proxy_rules(c: _Context) -> list[Hypothesis]:
    out = []
    if c.causal is None or not c.assoc:
        return out
    for f in c.names:
        A, la = max((c.val(lab, f)[0], lab) for lab in c.assoc)
        A_se = c.val(la, f)[1]
        C, C_se = c.val(c.causal, f)
        if A < MIN_SHARE * c.top:
            continue
        if C <= 0.25 * A:
            causes = list(c.graph.ancestors(f))
            partners = [s.pair[1] if f == s.pair[0] else s.pair[0] for s in c.suspected if f in s.pair]
            sources = causes + [p for p in partners if p not in causes]
            gap = 1 - C / A
            score = 0.5 + 0.4 * gap * min(1.0, A / (0.2 * c.top))
            src = _join(sources) if sources else "correlated features"
            stmt = (
                f"The credit {la} Shapley values give {f} (mean |value| {_fmt(A)} ± {_fmt(A_se)}) largely "
                f"disappears once its causes are accounted for ({c.causal} values: {_fmt(C)} ± {_fmt(C_se)}). "
                f"The model's use of {f} is consistent with {f} acting as a proxy for {src} rather than "
                f"having an effect of its own on {c.target}."
            )
            hold = c.hold_fixed(f, extra=sources)
            exp = (
                f"Intervene on {f} (assign it independently of its usual setting) while holding "
                f"{_join(hold) if hold else 'the other process variables'} fixed, and measure {c.target}. "
                f"No change beyond measurement noise supports the proxy hypothesis; a change comparable "
                f"to the {la} attribution ({_fmt(A)}) refutes it."
            )
            out.append(Hypothesis(
                "", "proxy", stmt,
                {"feature": f, "associational_label": la, "associational_mean_abs": A, "associational_stderr": A_se,
                 "causal_label": c.causal, "causal_mean_abs": C, "causal_stderr": C_se, "relative_gap": gap,
                 "causes": causes},
                _confidence(score), score, tuple(c.caveats([f], [la])), exp, (f, *sources),
            ))
    return out


def _mediators(c: _Context, f: str, exp: Explanation) -> list[tuple[str, float, list[str]]]:
    """Descendants of ``f`` ranked by the model's direct use of them, with the paths from ``f``."""
    import networkx as nx

    dag = c.graph.to_networkx()
    use = np.abs(exp.direct).mean(0)
    rows = []
    for d in c.graph.descendants(f):
        paths = [" -> ".join(p) for p in itertools.islice(nx.all_simple_paths(dag, f, d), 5)]
        rows.append((d, float(use[c.j(d)]), paths))
    rows.sort(key=lambda r: -r[1])
    total = sum(r[1] for r in rows) or 1.0
    return [r for r in rows if r[1] >= 0.2 * total] or rows[:1]


def _decomposition_rules(c: _Context) -> list[Hypothesis]:
    out = []
    if c.decomposed is None:
        return out
    lab = c.decomposed
    e = c.exps[lab]
    D, I = np.asarray(e.direct), np.asarray(e.indirect)
    Dse = np.asarray(e.direct_stderr) if e.direct_stderr is not None else np.zeros_like(D)
    Ise = np.asarray(e.indirect_stderr) if e.indirect_stderr is not None else np.zeros_like(I)
    n = max(len(e), 1)
    for f in c.names:
        j = c.j(f)
        if not c.graph.descendants(f):
            continue
        tot, tot_se = c.val(lab, f)
        if tot < MIN_SHARE * c.top:
            continue
        d_abs, i_abs = float(np.abs(D[:, j]).mean()), float(np.abs(I[:, j]).mean())
        d_se = float(np.sqrt((Dse[:, j] ** 2).sum()) / n)
        i_se = float(np.sqrt((Ise[:, j] ** 2).sum()) / n)
        share = i_abs / (d_abs + i_abs) if d_abs + i_abs > 0 else 0.0
        share_se = math.hypot(i_se, d_se) / (d_abs + i_abs) if d_abs + i_abs > 0 else float("nan")
        meds = _mediators(c, f, e)
        med_names = [m[0] for m in meds]
        paths = [p for m in meds for p in m[2]]
        evidence_base = {
            "feature": f, "label": lab, "total_mean_abs": tot, "total_stderr": tot_se,
            "direct_mean_abs": d_abs, "direct_stderr": d_se, "indirect_mean_abs": i_abs,
            "indirect_stderr": i_se, "indirect_share": share, "indirect_share_stderr": share_se,
            "mediators": med_names, "paths": paths,
            "mediator_direct_use": {m[0]: m[1] for m in meds},
        }
        if c.marginal is not None:
            M, M_se = c.val(c.marginal, f)
            evidence_base.update(marginal_mean_abs=M, marginal_stderr=M_se)
        else:
            M = None
        if share >= 0.5:
            score = 0.5 + 0.45 * min(1.0, share) * min(1.0, tot / (0.2 * c.top))
            stmt = (
                f"The model's use of {f} is consistent with {f} acting on {c.target} mostly through "
                f"{_join(med_names)} (indirect share {share:.0%} ± {share_se:.0%} of its {lab} attribution; "
                f"direct part {_fmt(d_abs)} ± {_fmt(d_se)}, indirect part {_fmt(i_abs)} ± {_fmt(i_se)}; "
                f"paths {'; '.join(paths)})."
            )
            if M is not None and M <= 0.5 * tot:
                stmt += (f" Plain SHAP (marginal values, {_fmt(M)}) credits {f} with only the model's direct "
                         f"use of it and under-credits it as a cause.")
            hold = c.hold_fixed(f)
            exp = (
                f"Vary {f} between two levels{' holding ' + _join(hold) + ' fixed' if hold else ''}, once "
                f"letting {_join(med_names)} respond and once holding {_join(med_names)} fixed (or selecting "
                f"samples with matched {_join(med_names)}). If most of the change in {c.target} disappears when "
                f"{_join(med_names)} is held fixed, the mediation hypothesis is supported; an unchanged "
                f"effect refutes it."
            )
            labels = [c.marginal] if M is not None and M <= 0.5 * tot else []
            out.append(Hypothesis("", "mediation", stmt, evidence_base, _confidence(score), score,
                                  tuple(c.caveats([f, *med_names], labels)), exp, (f, *med_names)))
        elif M is not None and tot >= MIN_SHARE * c.top and M <= 0.5 * tot:
            score = 0.45 + 0.3 * (1 - M / tot)
            stmt = (
                f"Plain SHAP (marginal values) gives {f} {_fmt(M)}, but its {lab} attribution is "
                f"{_fmt(tot)} ± {_fmt(tot_se)}: the model's reliance on {f}'s effects ({_join(med_names)}) is "
                f"consistent with {f} being a cause that SHAP under-credits."
            )
            exp = (f"Vary {f} while holding {_join(c.hold_fixed(f)) or 'the other settings'} fixed and measure "
                   f"{_join(med_names)} and {c.target}: a change in {c.target} of about the causal attribution "
                   f"supports the hypothesis; none refutes it.")
            out.append(Hypothesis("", "under_credited_cause", stmt, evidence_base, _confidence(score), score,
                                  tuple(c.caveats([f], [c.marginal])), exp, (f, *med_names)))
        # cancellation: direct and indirect parts of opposite sign, both clearly non-zero
        md, mi = float(D[:, j].mean()), float(I[:, j].mean())
        md_se = float(np.sqrt((Dse[:, j] ** 2).sum()) / n + D[:, j].std() / math.sqrt(n))
        mi_se = float(np.sqrt((Ise[:, j] ** 2).sum()) / n + I[:, j].std() / math.sqrt(n))
        opposite_rows = float(np.mean(np.sign(D[:, j]) * np.sign(I[:, j]) < 0))
        if (md * mi < 0 and abs(md) > 2 * md_se and abs(mi) > 2 * mi_se
                and min(abs(md), abs(mi)) >= 0.3 * max(abs(md), abs(mi))) or (
                opposite_rows >= 0.6 and min(d_abs, i_abs) >= 0.3 * max(d_abs, i_abs)):
            net = float(e.values[:, j].mean())
            cancel = 1 - abs(md + mi) / (abs(md) + abs(mi)) if abs(md) + abs(mi) > 0 else 0.0
            score = 0.45 + 0.35 * max(cancel, opposite_rows)
            stmt = (
                f"{f}'s direct and indirect contributions point in opposite directions (mean direct "
                f"{md:+.3g} ± {md_se:.2g}, mean indirect through {_join(med_names)} {mi:+.3g} ± {mi_se:.2g}; "
                f"opposite in {opposite_rows:.0%} of rows). Its modest net attribution ({net:+.3g}) is "
                f"consistent with a direct effect of {f} on {c.target} partly cancelled by an effect through "
                f"{_join(med_names)}."
            )
            exp = (f"Vary {f} while holding {_join(med_names)} fixed: an effect on {c.target} larger than the "
                   f"net attribution, of sign {'+' if md > 0 else '-'}, supports the cancellation hypothesis; "
                   f"no effect refutes it.")
            out.append(Hypothesis(
                "", "cancellation", stmt,
                {"feature": f, "label": lab, "mean_direct": md, "mean_direct_stderr": md_se, "mean_indirect": mi,
                 "mean_indirect_stderr": mi_se, "opposite_rows": opposite_rows, "mediators": med_names},
                _confidence(score), score, tuple(c.caveats([f, *med_names])), exp, (f, *med_names),
            ))
    return out


def _independence_rules(c: _Context) -> list[Hypothesis]:
    out = []
    if c.diag is None:
        return out
    alpha = c.diag.falsification.alpha
    items = [(s.pair, s.given, s.strength, s.p_value, s.suggestion) for s in c.suspected]
    if not items:  # falsified implications without a suspected pair
        items = [((t.x, t.y), t.given, t.partial_correlation, t.p_adjusted, "") for t in c.rejected]
    for (a, b), given, r, p, suggestion in items:
        strength = abs(r) if math.isfinite(r) else 0.0
        score = 0.55 + 0.4 * min(1.0, strength / 0.5)
        if p > alpha / 10:
            score -= 0.1
        cond = f" given {_join(given)}" if given else ""
        stmt = (
            f"The graph declares {a} and {b} independent{cond}, but the data show a partial correlation of "
            f"{r:+.2f} (adjusted p = {p:.2g}). This is consistent with a hidden common cause of {a} and {b} "
            f"(an unmeasured process variable, e.g. a contamination or a batch effect) or with a missing "
            f"edge between them."
        )
        exp = (
            f"Set {a} deliberately (independently of the usual recipe) while holding "
            f"{_join(c.hold_fixed(a, extra=given)) or 'the other settings'} fixed and measure {b}: if {b} no "
            f"longer varies with {a}, a hidden common cause (not an edge {a} -> {b}) is supported. Measure "
            f"candidate common causes (e.g. precursor purity, contamination, batch) and check whether "
            f"adjusting for them removes the dependence; if it does not, a direct edge is more plausible."
        )
        caveats = c.caveats([a, b], skip_pair=(a, b))
        caveats.append(f"Until it is resolved, the attributions of {a} and {b} may each absorb part of the "
                       f"other's effect or of the unmeasured cause.")
        out.append(Hypothesis(
            "", "independence_violated", stmt,
            {"pair": [a, b], "given": list(given), "partial_correlation": r, "p_adjusted": p, "alpha": alpha,
             "graph_suggestion": suggestion},
            _confidence(score), score, tuple(caveats), exp, (a, b),
        ))
    return out


def _null_rules(c: _Context) -> list[Hypothesis]:
    out = []
    label = c.causal or next(iter(c.exps))
    exp_ = c.exps[label]
    total = float(c.stats[label].mean_abs.sum()) or 1.0
    for f in c.names:
        j = c.j(f)
        m, se = c.val(label, f)
        if c.boot is not None and label == c.boot_label:
            row_se = float(np.sqrt((c.boot.total_stderr[:, j] ** 2).mean()))
            m_boot = float(np.abs(c.boot.values[:, j]).mean())
            within = m_boot <= 2 * row_se
            basis = f"bootstrap ({c.boot.replicates.shape[0]} replicates)"
        else:
            row_se = float(np.sqrt((np.asarray(exp_.stderr)[:, j] ** 2).mean()))
            within = m <= 2 * row_se
            basis = "Monte Carlo"
        share = m / total
        if not within and share >= 0.02:
            continue
        if max(c.val(lab, f)[0] for lab in c.exps) >= MIN_SHARE * c.top:
            continue  # some explanation credits it clearly: not a null feature
        score = 0.3 + (0.15 if within else 0.05)
        what = (f"within its uncertainty of zero (mean |value| {_fmt(m)} against a typical {basis} standard "
                f"error of {_fmt(row_se)} per row)" if within else
                f"negligible ({share:.1%} of the total attribution; mean |value| {_fmt(m)} ± {_fmt(se)})")
        stmt = (f"The model's attribution to {f} is {what}: the data give no evidence that the model uses {f} "
                f"to predict {c.target} in the range studied.")
        exp = (f"Vary {f} over a wider range than in the data, holding "
               f"{_join(c.hold_fixed(f)) or 'the other settings'} fixed: no change in {c.target} beyond "
               f"measurement noise supports this; a clear change refutes it (the observed range may be too narrow).")
        cav = c.caveats([f])
        cav.append("Small effects within error: an effect smaller than the uncertainty cannot be excluded.")
        out.append(Hypothesis(
            "", "null_effect", stmt,
            {"feature": f, "label": label, "mean_abs": m, "stderr": se, "row_stderr": row_se, "share": share,
             "within_error": bool(within), "uncertainty": basis},
            _confidence(score), score, tuple(cav), exp, (f,),
        ))
    return out


def generate_hypotheses(
    graph: CausalGraph,
    explanations: Mapping[str, Explanation],
    *,
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
        Explanations of the same rows, keyed by label; their ``provenance["value"]`` and
        ``["asymmetric"]`` tell the rules which is marginal, conditional or causal.
    diagnostics : DiagnosticsResult, optional
        Falsification and suspected confounding.
    bootstrap : BootstrapResult, optional
        Bootstrap of the explanation ``bootstrap_label`` (widens the uncertainty).
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
    >>> import numpy as np
    >>> from causalx.explanation import Explanation
    >>> from causalx.graph import CausalGraph
    >>> g = CausalGraph(["a", "b"], ["a -> b"], target="y")
    >>> mk = lambda v, **p: Explanation(values=np.array(v), base_values=np.zeros(2), stderr=np.full((2, 2), 0.01),
    ...                                 data=np.zeros((2, 2)), feature_names=("a", "b"), output=np.array(v).sum(1),
    ...                                 provenance=p)
    >>> hs = generate_hypotheses(g, {"marginal": mk([[0.0, 1.0], [0.0, -1.0]], value="marginal"),
    ...                              "causal": mk([[1.0, 0.0], [-1.0, 0.0]], value="causal", asymmetric=True)})
    >>> [(h.id, h.kind, h.features[0]) for h in hs]
    [('H1', 'proxy', 'b')]
    """
    if not explanations:
        raise ValueError("generate_hypotheses needs at least one explanation.")
    c = _Context(graph, explanations, diagnostics, bootstrap, bootstrap_label, manifold, target)
    hyps = _decomposition_rules(c) + _proxy_rules(c) + _independence_rules(c) + _null_rules(c)
    hyps.sort(key=lambda h: -h.score)
    return tuple(replace(h, id=f"H{i + 1}", score=float(round(h.score, 4))) for i, h in enumerate(hyps))
