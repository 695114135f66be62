"""Truth benchmark, fast version: hypotheses of ``run_study`` judged against simulators with known do().

The full benchmark is ``benchmarks/hypotheses.py`` (every simulator, several seeds, results in
``docs/hypotheses_benchmark.md``). Here: the simulators' ground truth itself (closed forms,
common random numbers, d-separation with the hidden variables), the judge on hand-made
hypotheses, and the pipeline on one simulator with assertions that must hold and can fail.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from causalx.datasets._truth_sims import (
    TRUTH_SIMULATORS, evaluate, experiment_problems, judge_hypothesis, true_effect, write_study,
)


# ------------------------------------------------------------------------------ the ground truth
@pytest.mark.parametrize("name", list(TRUTH_SIMULATORS))
def test_simulators_shape_roles_and_crn(name):
    sim = TRUTH_SIMULATORS[name](random_state=3)
    assert list(sim.X.columns) == list(sim.graph.nodes) and len(sim.y) == len(sim.X)
    assert 4 <= len(sim.features) <= 10 and 2000 <= len(sim.y) <= 4000
    assert sim.graph.target == sim.target and sim.planted
    assert any(sim.graph.role(f) == "measured" for f in sim.features)
    # common random numbers: the same seed gives the same draws; an intervention changes only
    # the intervened feature's descendants
    X1, y1 = sim.do({}, 500, 7)
    X2, y2 = sim.do({}, 500, 7)
    np.testing.assert_array_equal(y1, y2)
    f = sim.features[0]
    X3, _ = sim.do({f: 1.5}, 500, 7)
    assert np.all(X3[f] == 1.5)
    desc = set(sim.observed_descendants(f))
    for g in sim.features:
        if g != f and g not in desc:
            np.testing.assert_array_equal(X3[g], X1[g])


def test_true_effects_match_closed_form():
    """Linear SCMs: total, direct and indirect are the path coefficients times (high − low)."""
    med = TRUTH_SIMULATORS["mediator"]()
    t = true_effect(med, "dose", -1.0, 1.0, n=5000)
    assert t.total == pytest.approx(2 * (0.15 + 1.2 * 1.0), abs=1e-9)  # noise cancels exactly (CRN)
    assert t.direct == pytest.approx(2 * 0.15, abs=1e-9)
    can = TRUTH_SIMULATORS["cancellation"]()
    t = true_effect(can, "x", 0.0, 1.0, n=5000)
    assert (t.direct, t.indirect) == pytest.approx((1.0, -0.65), abs=1e-9)
    # a hidden mediator is part of the direct path (observed descendants held, hidden ones respond)
    lat = TRUTH_SIMULATORS["latent_mediator"]()
    t = true_effect(lat, "x1", 0.0, 1.0, n=5000)
    assert t.total == pytest.approx(0.3 + 0.8 * (0.9 * 1.0 + 0.7 * 0.6), abs=1e-9)
    assert t.direct == pytest.approx(0.3, abs=1e-9)
    # the proxy has no directed path to y
    prox = TRUTH_SIMULATORS["proxy"]()
    assert not prox.has_path_to_target("humidity") and prox.has_path_to_target("temp")
    assert true_effect(prox, "humidity", -1.0, 1.0, n=2000).total == 0.0


def test_true_graph_with_hidden_variables():
    conf = TRUTH_SIMULATORS["confounded"]()
    assert conf.graph.is_d_separated("a", "b")  # the declared graph omits U1
    assert not conf.true_graph().is_d_separated("a", "b")
    lat = TRUTH_SIMULATORS["latent_mediator"]()
    assert lat.graph.is_d_separated("x2", "x3", "x1")  # declared: x1 -> x2, x1 -> x3
    assert not lat.true_graph().is_d_separated("x2", "x3", "x1")  # L is their common parent


def _hyp(kind, features, **evidence):
    return SimpleNamespace(kind=kind, features=tuple(features), evidence=evidence, suggested_experiment="")


def test_judge_on_hand_made_hypotheses():
    sim = TRUTH_SIMULATORS["cancellation"]()
    sd = sim.sd_y()
    truth = {f: true_effect(sim, f, -0.7, 0.7, n=4000, sd_y=sd) for f in sim.features}
    assert judge_hypothesis(sim, _hyp("cancellation", ["x", "m"]), truth)[0]
    assert not judge_hypothesis(sim, _hyp("mediation", ["x", "m"]), truth)[0]  # |indirect| < |direct|
    assert not judge_hypothesis(sim, _hyp("proxy", ["w"]), truth)[0]
    assert not judge_hypothesis(sim, _hyp("null_effect", ["m"]), truth)[0]
    assert judge_hypothesis(sim, _hyp("under_credited_cause", ["x"], effect={"total": 0.5}), truth)[0]
    assert not judge_hypothesis(sim, _hyp("under_credited_cause", ["x"], effect={"total": -0.5}), truth)[0]
    # declared independent, truly independent
    assert not judge_hypothesis(sim, _hyp("independence_violated", ["x", "w"], pair=["x", "w"], given=[]), truth)[0]
    conf = TRUTH_SIMULATORS["confounded"]()
    assert judge_hypothesis(conf, _hyp("independence_violated", ["a", "b"], pair=["a", "b"], given=[]), {})[0]


def test_experiment_role_checker():
    sim = TRUTH_SIMULATORS["mediator"]()  # grain is measured
    bad = SimpleNamespace(suggested_experiment="Set grain to two levels, keeping time at its usual setting, and "
                                                "measure y.")
    assert experiment_problems(sim, bad) == ["sets the measured grain"]
    held = SimpleNamespace(suggested_experiment="Set dose to two levels, holding grain fixed (or matched, where "
                                                 "they cannot be set), and measure grain and y.")
    assert set(experiment_problems(sim, held)) == {"holds the measured grain at a setting",
                                                   "measures grain and holds it fixed"}
    good = SimpleNamespace(suggested_experiment="grain is measured on the sample and cannot be set directly: "
                                                 "intervene on its settable cause(s) dose and measure grain "
                                                 "together with y.")
    assert experiment_problems(sim, good) == []


# ------------------------------------------------------------------------------ the pipeline
# Reduced run: 2,000 rows, 12 explained rows, fewer Monte Carlo draws, 2-fold CV. The
# hypotheses read the effects (4,000 draws regardless) and the marginal credit of the rows.
FAST = "model: {cv: 2}\nrows: 12\n"


@pytest.fixture(scope="module")
def cancellation_run(tmp_path_factory):
    from causalx.study import load_config, run_study

    sim = TRUTH_SIMULATORS["cancellation"](n=2000, random_state=0)
    path = write_study(sim, tmp_path_factory.mktemp("truth_cancellation"), extra=FAST)
    result = run_study(load_config(path), progress=False)
    return sim, result, evaluate(sim, result, n_truth=20_000)


def test_cancellation_effects_and_hypotheses(cancellation_run):
    sim, result, ev = cancellation_run
    eff = {e["feature"]: e for e in ev["effects"]}
    # every planted effect here is strong (|true| >= 0.3 sd(y)); the sign must be right
    assert all(e["strong"] for e in eff.values())
    assert all(e["sign_right"] for e in eff.values()), eff
    # linear SCM, Gaussian noise: the Gaussian sampler's do() is right, so the error is the model's
    # (HistGradientBoosting on 2,000 rows; m is correlated 0.86 with x, and the model shares their
    # effects out imperfectly). Measured on simulator seeds 0, 1, 2: median 0.106, 0.106, 0.068;
    # max 0.316, 0.309, 0.314 (always m). Bounds with margin: median < 0.2, max < 0.5.
    errs = [e["rel_error"] for e in eff.values()]
    assert np.median(errs) < 0.2 and max(errs) < 0.5
    # the planted cancellation of x (direct +1.0, through m -0.65) is found at medium/high
    assert ev["planted"]["cancellation(x)"]
    # no high-confidence hypothesis is false here (measured on seeds 0, 1, 2: the only hypothesis is
    # the cancellation of x, at high confidence, and it is true)
    high = [h for h in ev["hypotheses"] if h["confidence"] == "high"]
    assert high and all(h["true"] for h in high), [(h["kind"], h["features"], h["reason"]) for h in high]
    # roles are declared: no experiment sets the measured m or v, or holds fixed what it measures
    assert not [h["experiment_problems"] for h in ev["hypotheses"] if h["experiment_problems"]]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["proxy", "mediator", "confounded", "latent_mediator"])
def test_truth_benchmark_slow(name, tmp_path):
    """Full-size runs: strong effects have the right sign; the planted proxy is never called a cause
    at high confidence; precision of high-confidence hypotheses at least 0.75 per simulator."""
    from causalx.study import load_config, run_study

    sim = TRUTH_SIMULATORS[name](random_state=0)
    result = run_study(load_config(write_study(sim, tmp_path, extra="model: {cv: 2}\n")), progress=False)
    ev = evaluate(sim, result)
    assert all(e["sign_right"] for e in ev["effects"] if e["strong"])
    causes = {"mediation", "cancellation", "under_credited_cause"}
    assert not [h for h in ev["hypotheses"] if h["kind"] in causes and h["confidence"] == "high"
                and not sim.has_path_to_target(h["features"][0])]
    high = [h["true"] for h in ev["hypotheses"] if h["confidence"] == "high"]
    assert not high or np.mean(high) >= 0.75
