"""Small simulators with known structural equations and do(), for benchmarking hypotheses.

Each simulator plants one or two known structures (a proxy, a mediator, a cancellation, a null
feature, hidden confounders, nonlinear mechanisms, a latent mediator) and returns a
:class:`TruthSimulator`: the observational data, the graph a scientist would declare (with node
roles), the true graph *including the hidden variables*, the planted structures the hypotheses
should find, and ``do(assignments, n, rng) -> (X, y)``, which simulates the structural equations
under intervention (hidden variables included). Calling ``do`` twice with the same seed draws the
same exogenous noise (common random numbers), so contrasts of interventions have a small Monte
Carlo error.

:func:`true_effect` computes the true total, direct and indirect effects of a feature on the
real target ``y`` between two settings, with the definitions of
:mod:`causalx.explain._effects` applied to the true SCM::

    total    = E[y | do(x_i = high)] − E[y | do(x_i = low)]
    direct   = E[y | do(x_i = high, D = D^low)] − E[y | do(x_i = low)]
    indirect = total − direct

where ``D`` are the *observed* descendants of ``x_i`` in the true graph and ``D^low`` their
values in the world ``do(x_i = low)`` (draw by draw). Hidden descendants are not held: a
mediator the data do not contain is part of the direct path, as it is for a model fitted on
the data. :func:`judge_hypothesis` says whether a generated hypothesis is true of the simulator
(duck-typed: it reads ``kind``, ``features`` and ``evidence``, so this module imports nothing
from :mod:`causalx.study`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
import re
from typing import Any

import numpy as np

from causalx.graph import CausalGraph
from causalx.utils.random import check_random_state

__all__ = [
    "Planted", "TrueEffect", "TruthSimulator", "judge_hypothesis", "make_truth_simulators", "true_effect",
    "TRUTH_SIMULATORS", "evaluate", "experiment_problems", "write_study",
]

#: a true total effect below this share of sd(y) is negligible
NEGLIGIBLE = 0.05


@dataclass(frozen=True)
class Planted:
    """A planted structure: a hypothesis ``kind`` about ``features`` the rules should find.

    ``kinds`` lists the hypothesis kinds that count as finding it (e.g. a planted proxy is
    found by a ``proxy`` hypothesis); ``features`` is one feature (the hypothesis' first
    feature) or, for ``independence_violated``, the pair (in either order).
    """

    kinds: tuple[str, ...]
    features: tuple[str, ...]
    note: str = ""

    @property
    def label(self) -> str:
        return f"{'/'.join(self.kinds)}({', '.join(self.features)})"

    def matches(self, hyp) -> bool:
        if hyp.kind not in self.kinds:
            return False
        if hyp.kind == "independence_violated":
            pair = set(hyp.evidence.get("pair", hyp.features[:2]))
            return pair == set(self.features) if len(self.features) == 2 else set(self.features) <= pair
        return tuple(hyp.features[:1]) == tuple(self.features[:1])


@dataclass(frozen=True, eq=False)
class TruthSimulator:
    """One simulator with its ground truth (see the module docstring).

    Attributes
    ----------
    name : str
    X : pandas.DataFrame
        Observational data, columns ``features`` (the declared graph's nodes).
    y : ndarray
        The target.
    target : str
    graph : CausalGraph
        The graph a scientist would declare (roles where natural, ``target`` set).
    true_edges : tuple of (str, str)
        Every directed edge of the true SCM, over features, hidden variables and ``target``.
    hidden : tuple of str
        The hidden variables (nodes of ``true_edges`` that are neither features nor the target).
    planted : tuple of Planted
        Structures the hypotheses should find.
    do : callable
        ``do(assignments, n, rng) -> (X, y)``: ``n`` draws of the SCM with the features (or hidden
        variables) in ``assignments`` set to a scalar or a length-``n`` array; the same ``rng``
        seed gives the same noise.
    description : str
    """

    name: str
    X: Any
    y: np.ndarray
    target: str
    graph: CausalGraph
    true_edges: tuple[tuple[str, str], ...]
    hidden: tuple[str, ...]
    planted: tuple[Planted, ...]
    do: Callable[..., tuple[Any, np.ndarray]]
    description: str = ""
    notes: Mapping[str, Any] = field(default_factory=dict)

    @property
    def features(self) -> tuple[str, ...]:
        return tuple(self.graph.nodes)

    def true_dag(self):
        """The true SCM as a networkx DiGraph (features, hidden variables and the target)."""
        import networkx as nx

        g = nx.DiGraph()
        g.add_nodes_from([*self.features, *self.hidden, self.target])
        g.add_edges_from(self.true_edges)
        return g

    def true_graph(self) -> CausalGraph:
        """The true graph over features and hidden variables (no target), for d-separation."""
        nodes = [*self.features, *self.hidden]
        return CausalGraph(nodes, [e for e in self.true_edges if self.target not in e])

    def has_path_to_target(self, feature: str) -> bool:
        import networkx as nx

        return nx.has_path(self.true_dag(), feature, self.target)

    def observed_descendants(self, feature: str) -> list[str]:
        import networkx as nx

        desc = nx.descendants(self.true_dag(), feature)
        return [f for f in self.features if f in desc]

    def sd_y(self, n: int = 50_000, seed: int = 987) -> float:
        _, y = self.do({}, n, seed)
        return float(np.std(y))


@dataclass(frozen=True)
class TrueEffect:
    feature: str
    low: float
    high: float
    total: float
    direct: float
    indirect: float
    sd_y: float


def true_effect(sim: TruthSimulator, feature: str, low: float, high: float, *, n: int = 40_000,
                seed: int = 12345, sd_y: float | None = None) -> TrueEffect:
    """True total/direct/indirect effect of ``feature`` on the real target (module docstring)."""
    X_lo, y_lo = sim.do({feature: low}, n, seed)
    _, y_hi = sim.do({feature: high}, n, seed)
    held = {d: np.asarray(X_lo[d], dtype=float) for d in sim.observed_descendants(feature)}
    _, y_dir = sim.do({feature: high, **held}, n, seed)
    total = float(np.mean(y_hi - y_lo))
    direct = float(np.mean(y_dir - y_lo))
    return TrueEffect(feature, float(low), float(high), total, direct, total - direct,
                      sim.sd_y() if sd_y is None else float(sd_y))


def judge_hypothesis(sim: TruthSimulator, hyp, truth: Mapping[str, TrueEffect]) -> tuple[bool, str]:
    """Whether ``hyp`` is true of the simulator, and why (a short reason).

    ``truth`` maps each feature to its :class:`TrueEffect` at the settings the report used.
    """
    f = hyp.features[0] if hyp.features else None
    kind = hyp.kind
    if kind == "independence_violated":
        a, b = hyp.evidence["pair"]
        given = list(hyp.evidence.get("given", ()))
        sep = sim.true_graph().is_d_separated(a, b, given)
        cond = f" given {given}" if given else ""
        return (not sep, f"{a} and {b} are {'d-separated' if sep else 'd-connected'}{cond} in the true graph")
    t = truth[f]
    neg = NEGLIGIBLE * t.sd_y
    tot = f"true total {t.total:+.3g} ({t.total / t.sd_y:+.2f} sd(y)), direct {t.direct:+.3g}, indirect {t.indirect:+.3g}"
    if kind == "proxy":
        ok = (not sim.has_path_to_target(f)) or abs(t.total) < neg
        return ok, ("no directed path to y" if not sim.has_path_to_target(f) else tot)
    if kind == "null_effect":
        return abs(t.total) < neg, tot
    stated = hyp.evidence.get("effect", {})
    if kind == "mediation":  # also states the sign of the total effect
        ok = (abs(t.total) >= neg and abs(t.indirect) > abs(t.direct)
              and np.sign(t.total) == np.sign(stated.get("total", t.total)))
        return ok, f"{tot}; stated total {stated.get('total', float('nan')):+.3g}"
    if kind == "cancellation":  # also states the net sign and the sign of the direct part
        ok = (t.direct * t.indirect < 0 and min(abs(t.direct), abs(t.indirect)) >= neg
              and np.sign(t.total) == np.sign(stated.get("total", t.total))
              and np.sign(t.direct) == np.sign(stated.get("direct", t.direct)))
        return ok, (f"{tot}; stated total {stated.get('total', float('nan')):+.3g}, direct "
                    f"{stated.get('direct', float('nan')):+.3g}")
    if kind == "under_credited_cause":
        ok = abs(t.total) >= neg and np.sign(t.total) == np.sign(stated["total"])
        return ok, f"{tot}; stated total {stated['total']:+.3g}"
    raise ValueError(f"unknown hypothesis kind {kind!r}")


# ------------------------------------------------------------------------------ helpers
def _ppf_laplace(u):
    return -np.sign(u - 0.5) * np.log1p(-2 * np.abs(u - 0.5))


def _sim(name, description, features, hidden, target, nodes, declared_edges, true_edges, planted, equations,
         noises, *, confounded=(), n=3000, random_state=0, notes=None) -> TruthSimulator:
    """Build a TruthSimulator from ``equations(e, put) -> y`` (``e``: noise dict; ``put(name, value)``
    stores a variable unless it is intervened on and returns the stored value)."""
    import pandas as pd

    def do(assignments: Mapping[str, Any], n_rows: int, rng=None):
        rng = check_random_state(rng)
        z = rng.standard_normal((len(noises), int(n_rows)))
        e = dict(zip(noises, z))
        v: dict[str, np.ndarray] = {}
        unknown = set(assignments) - set(features) - set(hidden)
        if unknown:
            raise KeyError(f"{name}: cannot intervene on {sorted(unknown)}; variables are {[*features, *hidden]}.")

        def put(var, value):
            if var in assignments:
                v[var] = np.broadcast_to(np.asarray(assignments[var], dtype=float), (int(n_rows),)).copy()
            else:
                v[var] = np.asarray(value, dtype=float) * np.ones(int(n_rows))
            return v[var]

        y = equations(e, put, v)
        return pd.DataFrame({f: v[f] for f in features}), np.asarray(y, dtype=float)

    X, y = do({}, n, random_state)
    graph = CausalGraph(nodes, declared_edges, confounded=confounded, target=target, name=name)
    return TruthSimulator(name, X, y, target, graph, tuple(true_edges), tuple(hidden), tuple(planted), do,
                          description, dict(notes or {}))


def _node(role=None, **kw):
    out = {"type": "continuous", **kw}
    if role:
        out["role"] = role
    return out


# ------------------------------------------------------------------------------ simulators
def make_proxy_sim(n: int = 3000, random_state=0) -> TruthSimulator:
    """(1) A planted proxy: ``humidity`` is a by-product of ``temp`` with no path to ``y``."""
    feats = ("temp", "pressure", "humidity", "ratio")

    def eq(e, put, v):
        t = put("temp", e["temp"])
        p = put("pressure", e["pressure"])
        put("humidity", 0.9 * t + 0.45 * e["humidity"])
        r = put("ratio", 0.5 * t + 0.8 * e["ratio"])
        return 1.2 * t + 0.8 * r + 0.8 * p + 0.5 * e["y"]

    nodes = {"temp": _node("control"), "pressure": _node("control"), "humidity": _node("measured"),
             "ratio": _node("measured")}
    edges = [("temp", "humidity"), ("temp", "ratio")]
    true = [*edges, ("temp", "y"), ("ratio", "y"), ("pressure", "y")]
    return _sim("proxy", "humidity is caused by temp and causes nothing (a planted proxy)", feats, (), "y", nodes,
                edges, true, [Planted(("proxy", "null_effect"), ("humidity",))], eq, (*feats, "y"), n=n,
                random_state=random_state)


def make_mediator_sim(n: int = 3000, random_state=0) -> TruthSimulator:
    """(2) A mediator: ``dose -> grain -> y`` carries most of ``dose``'s effect; little direct."""
    feats = ("dose", "grain", "time", "purity")

    def eq(e, put, v):
        d = put("dose", e["dose"])
        g = put("grain", 1.0 * d + 0.6 * e["grain"])
        t = put("time", e["time"])
        p = put("purity", e["purity"])
        return 0.15 * d + 1.2 * g + 0.7 * t - 0.5 * p + 0.5 * e["y"]

    nodes = {"dose": _node("control"), "grain": _node("measured"), "time": _node("control"),
             "purity": _node("property")}
    edges = [("dose", "grain")]
    true = [*edges, ("dose", "y"), ("grain", "y"), ("time", "y"), ("purity", "y")]
    return _sim("mediator", "dose acts on y mostly through grain", feats, (), "y", nodes, edges, true,
                [Planted(("mediation",), ("dose",))], eq, (*feats, "y"), n=n, random_state=random_state)


def make_cancellation_sim(n: int = 3000, random_state=0) -> TruthSimulator:
    """(3) Cancellation: ``x`` raises ``y`` directly (+1.0) and lowers it through ``m`` (-0.65)."""
    feats = ("x", "m", "w", "v")

    def eq(e, put, v_):
        x = put("x", e["x"])
        m = put("m", 1.0 * x + 0.6 * e["m"])
        w = put("w", e["w"])
        vv = put("v", 0.5 * w + 0.8 * e["v"])
        return 1.0 * x - 0.65 * m + 0.8 * w + 0.6 * vv + 0.4 * e["y"]

    nodes = {"x": _node("control"), "m": _node("measured"), "w": _node("control"), "v": _node("measured")}
    edges = [("x", "m"), ("w", "v")]
    true = [*edges, ("x", "y"), ("m", "y"), ("w", "y"), ("v", "y")]
    return _sim("cancellation", "x's direct (+) and indirect (through m, -) effects oppose", feats, (), "y", nodes,
                edges, true, [Planted(("cancellation",), ("x",))], eq, (*feats, "y"), n=n,
                random_state=random_state)


def make_null_sim(n: int = 3000, random_state=0) -> TruthSimulator:
    """(4) A null feature: ``z`` is independent of everything and does not act on ``y``."""
    feats = ("a", "b", "c", "z")

    def eq(e, put, v):
        a = put("a", e["a"])
        b = put("b", 0.6 * a + 0.8 * e["b"])
        c = put("c", e["c"])
        put("z", e["z"])
        return 1.0 * a + 0.7 * b - 0.6 * c + 0.5 * e["y"]

    nodes = {"a": _node("property"), "b": _node("measured"), "c": _node("control"), "z": _node("control")}
    edges = [("a", "b")]
    true = [*edges, ("a", "y"), ("b", "y"), ("c", "y")]
    return _sim("null", "z is an independent feature without effect", feats, (), "y", nodes, edges, true,
                [Planted(("null_effect",), ("z",))], eq, (*feats, "y"), n=n, random_state=random_state)


def make_confounded_sim(n: int = 3000, random_state=0) -> TruthSimulator:
    """(5) Hidden confounders: ``U1`` (omitted by the graph) drives ``a`` and ``b``; ``U2``
    (declared as ``c <-> d``) drives ``c`` and ``d``. Neither acts on ``y``."""
    feats = ("a", "b", "c", "d", "e")

    def eq(e, put, v):
        u1 = put("U1", e["U1"])
        u2 = put("U2", e["U2"])
        a = put("a", 0.7 * u1 + 0.7 * e["a"])
        b = put("b", 0.7 * u1 + 0.7 * e["b"])
        c = put("c", 0.7 * u2 + 0.7 * e["c"])
        d = put("d", 0.7 * u2 + 0.7 * e["d"])
        ee = put("e", 0.6 * c + 0.8 * e["e"])
        return 1.0 * a + 0.6 * b + 0.8 * c - 0.5 * d + 0.6 * ee + 0.5 * e["y"]

    nodes = {k: _node("control") for k in feats}
    nodes["e"] = _node("measured")
    edges = [("c", "e")]
    true = [*edges, ("U1", "a"), ("U1", "b"), ("U2", "c"), ("U2", "d"),
            ("a", "y"), ("b", "y"), ("c", "y"), ("d", "y"), ("e", "y")]
    return _sim("confounded", "a and b share an omitted hidden cause; c and d a declared one", feats,
                ("U1", "U2"), "y", nodes, edges, true,
                [Planted(("independence_violated",), ("a", "b"))], eq, ("U1", "U2", *feats, "y"),
                confounded=[("c", "d")], n=n, random_state=random_state)


def make_nonlinear_sim(n: int = 3000, random_state=0) -> TruthSimulator:
    """(6) Nonlinear mechanisms, non-Gaussian noise: ``x1`` (uniform) acts through ``x2 = sin``;
    a product ``x1 * x3`` whose average is zero; a heavy-tailed null feature ``x5``."""
    from scipy.special import ndtr
    from scipy.stats import t as student_t

    feats = ("x1", "x2", "x3", "x4", "x5")

    def eq(e, put, v):
        x1 = put("x1", 4.0 * ndtr(e["x1"]) - 2.0)  # uniform on (-2, 2)
        x2 = put("x2", np.sin(1.2 * x1) + 0.3 * _ppf_laplace(ndtr(e["x2"])))
        x3 = put("x3", e["x3"])
        x4 = put("x4", 0.5 * x3 ** 2 + 0.4 * _ppf_laplace(ndtr(e["x4"])))
        put("x5", student_t.ppf(ndtr(e["x5"]), 3))
        return 1.5 * x2 + 0.6 * x1 * x3 + 0.8 * np.tanh(x4) + 0.4 * _ppf_laplace(ndtr(e["y"]))

    nodes = {"x1": _node("control"), "x2": _node("measured"), "x3": _node("control"), "x4": _node("measured"),
             "x5": _node("control")}
    edges = [("x1", "x2"), ("x3", "x4")]
    true = [*edges, ("x2", "y"), ("x1", "y"), ("x3", "y"), ("x4", "y")]
    return _sim("nonlinear", "sines, products and non-Gaussian noise; x1 acts through x2", feats, (), "y", nodes,
                edges, true, [Planted(("mediation",), ("x1",))], eq, (*feats, "y"), n=n, random_state=random_state)


def make_latent_mediator_sim(n: int = 3000, random_state=0) -> TruthSimulator:
    """(7) A latent mediator: ``x1 -> L -> {x2, x3}`` with ``L`` not in the data; the graph
    declares ``x1 -> x2`` and ``x1 -> x3``, which implies the false ``x2 ⊥ x3 | x1``."""
    feats = ("x1", "x2", "x3", "x4")

    def eq(e, put, v):
        x1 = put("x1", e["x1"])
        lat = put("L", 0.8 * x1 + 0.6 * e["L"])
        x2 = put("x2", 0.9 * lat + 0.45 * e["x2"])
        x3 = put("x3", 0.7 * lat + 0.7 * e["x3"])
        x4 = put("x4", e["x4"])
        return 0.3 * x1 + 1.0 * x2 + 0.6 * x3 + 0.7 * x4 + 0.5 * e["y"]

    nodes = {"x1": _node("control"), "x2": _node("measured"), "x3": _node("measured"), "x4": _node("control")}
    edges = [("x1", "x2"), ("x1", "x3")]
    true = [("x1", "L"), ("L", "x2"), ("L", "x3"), ("x1", "y"), ("x2", "y"), ("x3", "y"), ("x4", "y")]
    return _sim("latent_mediator", "a hidden mediator L between x1 and its measured children x2, x3", feats,
                ("L",), "y", nodes, edges, true,
                [Planted(("mediation",), ("x1",)), Planted(("independence_violated",), ("x2", "x3"))], eq,
                ("L", *feats, "y"), n=n, random_state=random_state)


def make_solar_truth(n: int = 2000, random_state=0) -> TruthSimulator:
    """(8) :func:`~causalx.datasets.make_solar_cell` (confounded) as a TruthSimulator.

    The declared graph omits the hidden contamination; ``humidity`` is a planted proxy of
    ``growth_temp``; ``anneal_time`` raises efficiency through ``log_lifetime`` and lowers it
    through the hidden series resistance (a cancellation with a latent direct path).
    """
    from causalx.datasets._solar import SOLAR_FEATURES, make_solar_cell, solar_cell_graph

    X, y, truth = make_solar_cell(n, confounded=True, random_state=random_state)
    graph = solar_cell_graph(confounded=False)

    def do(assignments, n_rows, rng=None):
        Xd, yd = truth.simulate(int(n_rows), do=dict(assignments), random_state=check_random_state(rng))
        return Xd, np.asarray(yd, dtype=float)

    target = "efficiency"
    hidden = ("contamination", "series_resistance", "shunt_resistance")
    true = [*graph.edges,
            ("contamination", "growth_temp"), ("contamination", "log_lifetime"), ("contamination", "log_srv"),
            ("contamination", "shunt_resistance"), ("anneal_time", "series_resistance"),
            ("series_resistance", target), ("shunt_resistance", target),
            *((f, target) for f in ("log_lifetime", "log_mobility", "log_diffusion_length", "log_srv",
                                    "thickness", "dopant_flow"))]
    planted = [Planted(("proxy", "null_effect"), ("humidity",)), Planted(("cancellation",), ("anneal_time",)),
               Planted(("independence_violated",), ("log_srv",),
                       "the omitted contamination links log_srv to growth_temp and log_lifetime")]
    return TruthSimulator("solar_cell", X[list(SOLAR_FEATURES)], np.asarray(y, dtype=float), target, graph,
                          tuple(true), hidden, tuple(planted), do,
                          "make_solar_cell (confounded): contamination omitted from the declared graph")


#: name -> factory(n=..., random_state=...)
TRUTH_SIMULATORS: dict[str, Callable[..., TruthSimulator]] = {
    "proxy": make_proxy_sim,
    "mediator": make_mediator_sim,
    "cancellation": make_cancellation_sim,
    "null": make_null_sim,
    "confounded": make_confounded_sim,
    "nonlinear": make_nonlinear_sim,
    "latent_mediator": make_latent_mediator_sim,
    "solar_cell": make_solar_truth,
}


def make_truth_simulators(names: Sequence[str] | None = None, *, random_state=0) -> list[TruthSimulator]:
    """The simulators named (default: all of :data:`TRUTH_SIMULATORS`)."""
    return [TRUTH_SIMULATORS[k](random_state=random_state) for k in (names or TRUTH_SIMULATORS)]


# ------------------------------------------------------------------------------ running and judging
#: the run config of the benchmark: plain SHAP and decomposed causal values, no permutations or bootstrap
STUDY_CONFIG = """causalx: 1
data: data.csv
target: {target}
graph: graph.yaml
explanations:
  - {{value: marginal}}
  - {{value: causal, decompose: true}}
diagnostics: {{n_permutations: 0, n_boot: 0, n_dependence: 0}}
random_state: {seed}
"""


def write_study(sim: TruthSimulator, folder, *, seed: int = 0, extra: str = "") -> Any:
    """Write ``data.csv``, ``graph.yaml`` and ``config.yaml`` (:data:`STUDY_CONFIG` + ``extra``
    YAML lines) for ``sim`` into ``folder``; return the config path."""
    from pathlib import Path

    from causalx.graph import dump_graph

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    frame = sim.X.copy()
    frame[sim.target] = sim.y
    frame.to_csv(folder / "data.csv", index=False)
    dump_graph(sim.graph, folder / "graph.yaml")
    path = folder / "config.yaml"
    path.write_text(STUDY_CONFIG.format(target=sim.target, seed=seed) + extra, encoding="utf-8")
    return path


_SET = re.compile(r"(?:\bSet |\bset it\b|intervene on its settable cause\(s\) |keeping |holding )")


def experiment_problems(sim: TruthSimulator, hyp) -> list[str]:
    """Role problems of a suggested experiment: a measured node set (or kept at a setting), or a
    node both measured and held fixed."""
    text = hyp.suggested_experiment
    graph = sim.graph
    measured = [n for n in graph.nodes if graph.role(n) == "measured"]
    out = []
    for sentence in re.split(r"(?<=\.)\s", text):
        for m in measured:
            pat = re.escape(m)
            if re.search(rf"\bSet {pat}\b", sentence) or re.search(rf"If {pat} can be set directly", sentence):
                out.append(f"sets the measured {m}")
            for held in re.findall(r"(?:keeping|holding) ([^;,.()]*?)(?: at | fixed)", sentence):
                if re.search(rf"\b{pat}\b", held):
                    out.append(f"holds the measured {m} at a setting")
            for cause in re.findall(r"intervene on its settable cause\(s\) (.*?) and measure", sentence):
                if re.search(rf"\b{pat}\b", cause):
                    out.append(f"intervenes on the measured {m}")
        measured_here = re.findall(r"\bmeasure ([^.;(,]*)", sentence)
        held_here = (re.findall(r"(?:keeping|holding) ([^;,.()]*?)(?: at | fixed)", sentence)
                     + re.findall(r"comparing samples matched on ([^;,.()]*)", sentence))
        for n in graph.nodes:
            pat = rf"\b{re.escape(n)}\b"
            if any(re.search(pat, s) for s in measured_here) and any(re.search(pat, s) for s in held_here):
                out.append(f"measures {n} and holds it fixed")
    return list(dict.fromkeys(out))


def evaluate(sim: TruthSimulator, result, *, n_truth: int = 40_000) -> dict[str, Any]:
    """Judge every hypothesis of a :class:`~causalx.study.StudyResult` against ``sim``.

    Returns a dict with ``hypotheses`` (one row per hypothesis: id, kind, confidence, features,
    statement, true, reason, experiment problems), ``effects`` (one row per feature: estimated and
    true total, direct, indirect at the report's settings, in units of y and of sd(y)),
    ``planted`` (label -> found at medium/high) and ``sd_y``.
    """
    sd = sim.sd_y()
    truth = {}
    effects = []
    for e in result.effects:
        t = true_effect(sim, e.feature, e.low, e.high, n=n_truth, sd_y=sd)
        truth[e.feature] = t
        effects.append({"feature": e.feature, "low": e.low, "high": e.high, "est_total": e.total,
                        "est_total_stderr": e.total_stderr, "est_direct": e.direct, "est_indirect": e.indirect,
                        "est_marginal": e.marginal, "true_total": t.total, "true_direct": t.direct,
                        "true_indirect": t.indirect, "true_total_sd": t.total / sd,
                        "strong": abs(t.total) >= 0.15 * sd,
                        "sign_right": bool(np.sign(e.total) == np.sign(t.total)),
                        "rel_error": abs(e.total - t.total) / abs(t.total) if t.total else float("nan")})
    hyps = []
    for h in result.hypotheses:
        ok, why = judge_hypothesis(sim, h, truth)
        hyps.append({"id": h.id, "kind": h.kind, "confidence": h.confidence, "score": h.score,
                     "features": list(h.features), "statement": h.statement, "true": bool(ok), "reason": why,
                     "experiment": h.suggested_experiment, "experiment_problems": experiment_problems(sim, h)})
    planted = {p.label: any(p.matches(h) and h.confidence in ("medium", "high") for h in result.hypotheses)
               for p in sim.planted}
    return {"simulator": sim.name, "sd_y": sd, "hypotheses": hyps, "effects": effects, "planted": planted}
