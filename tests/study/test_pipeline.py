"""run_study on the simulated case study: numbers against what the simulation implies."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "case_studies" / "simulated_mediator"

REDUCED = """
rows: 12
explanations:
  - {value: marginal, n_samples: 100}
  - {value: conditional, n_samples: 60}
  - {value: causal, asymmetric: true, decompose: true, n_samples: 60}
diagnostics: {n_boot: 0, n_permutations: 5, n_dependence: 1}
"""


@pytest.fixture(scope="session")
def case_study_result():
    """``run_study`` on the case-study data with fewer rows and draws (about 10 s)."""
    from causalx.study import loads_config, run_study

    text = (CASE / "config.yaml").read_text() + REDUCED
    cfg = loads_config(text, source="reduced.yaml", base_dir=CASE)
    return run_study(cfg, progress=False)


def test_case_study_result(case_study_result, tmp_path):
    r = case_study_result
    assert list(r.explanations) == ["marginal", "conditional", "causal_asymmetric"]
    assert r.model_info["cv_scoring"] == "r2" and r.model_info["cv_score"] > 0.9  # noise sd 0.25 vs signal sd ~1.4
    for exp in r.explanations.values():
        assert exp.shape == (12, 6)
        np.testing.assert_allclose(exp.values.sum(1), exp.output - exp.base_values, atol=1e-6)
    # the hidden contamination makes dopant_conc and porosity dependent: the graph is falsified there
    assert r.diagnostics.falsified
    assert [set(s.pair) for s in r.diagnostics.suspected_confounding] == [{"dopant_conc", "porosity"}]
    # marginal sampling breaks the furnace-temperature link; conditional sampling keeps it
    assert r.manifold["marginal"]["off_manifold_share"] > 3 * r.manifold["conditional"]["off_manifold_share"]
    assert set(r.dependence) == {"anneal_temp"}  # the top causal feature
    assert r.data_info["n_explained"] == 12
    # every stage is timed, and the stages are disjoint parts of the total (the explain stage
    # holds one entry per explanation); each value is rounded to 1 ms
    stages = {k: v for k, v in r.timings.items() if k != "total" and not k.startswith("explain:")}
    per_explanation = [v for k, v in r.timings.items() if k.startswith("explain:")]
    assert {"explain"} <= set(stages) and len(per_explanation) == len(r.explanations)
    assert sum(stages.values()) <= r.timings["total"] + 1e-3 * len(stages)
    assert sum(per_explanation) <= r.timings["explain"] + 1e-3 * len(per_explanation)


def test_out_dir_writes_values(tmp_path):
    from causalx.study import loads_config, run_study

    cfg = loads_config((CASE / "config.yaml").read_text() + "rows: 3\nexplanations: [{value: marginal, n_samples: 20}]\n"
                       "diagnostics: {n_boot: 0, n_dependence: 0, manifold: false, discovery: false, n_permutations: 0}\n",
                       base_dir=CASE)
    r = run_study(cfg, out_dir=tmp_path, progress=False)
    import pandas as pd

    df = pd.read_csv(tmp_path / "values_marginal.csv")
    assert len(df) == 3 * 6 and set(df["feature"]) == set(r.graph.nodes)
    np.testing.assert_allclose(df["value"].to_numpy(), r.explanations["marginal"].values.ravel())


# a causal claim: "<name> causes ...", "... is caused by ...", "proves", "is the cause"
FORBIDDEN = re.compile(r"\b(?!its\b)\w+ causes \w|\bcaused by\b|\bproves?\b|\bis the cause\b", re.I)


def test_case_study_hypotheses_name_mediator_proxy_confounder(case_study_result):
    hs = case_study_result.hypotheses
    assert len(hs) >= 3
    top = hs[:4]
    kinds = {h.kind: h for h in top}
    assert "mediation" in kinds and kinds["mediation"].features[:2] == ("anneal_temp", "grain_size")
    assert "proxy" in kinds and kinds["proxy"].features[0] == "furnace_id"
    assert "independence_violated" in kinds and set(kinds["independence_violated"].features) == {"dopant_conc", "porosity"}
    # the simulation: 84% of the temperature's effect runs through grain size (0.06*0.25 vs 0.005 per K)
    assert 0.6 < kinds["mediation"].evidence["indirect_share"] < 0.97
    for h in hs:
        assert not FORBIDDEN.search(h.statement), h.statement


def test_ale_reads_a_seeded_sample_of_large_data(monkeypatch, case_study_result):
    """Above _ALE_MAX_ROWS data rows the ALE reads a seeded sample (the same as computing it on
    that sample directly) and the figure caption says so; below it, every row."""
    import pandas as pd

    from causalx.dependence import accumulated_local_effects
    from causalx.report._write import _ale_sample
    from causalx.study import loads_config, run_study
    from causalx.study import pipeline

    full = case_study_result.dependence["anneal_temp"]["ale"]
    n = case_study_result.data_info["n_rows"]
    assert full.counts.sum() == n and _ale_sample(full, n) == ""
    monkeypatch.setattr(pipeline, "_ALE_MAX_ROWS", 100)
    cfg = loads_config((CASE / "config.yaml").read_text() + "rows: 2\nexplanations: [{value: marginal, n_samples: 20}]\n"
                       "diagnostics: {n_boot: 0, n_dependence: 1, manifold: false, discovery: false, "
                       "n_permutations: 0, dependence_features: [anneal_temp]}\n", base_dir=CASE)
    r = run_study(cfg, progress=False)
    ale = r.dependence["anneal_temp"]["ale"]
    assert ale.counts.sum() == 100
    X = pd.read_csv(CASE / cfg.data)[list(r.graph.nodes)]
    again = accumulated_local_effects(r.model, X.sample(100, random_state=cfg.random_state), "anneal_temp",
                                      feature_names=r.graph.nodes)
    np.testing.assert_allclose(ale.effect, again.effect, rtol=0, atol=1e-12)
    assert _ale_sample(ale, n) == f" The ALE reads a seeded sample of 100 of the {n:,} data rows."


def test_large_fits_use_the_cores_small_ones_one_thread(monkeypatch):
    from causalx.study import pipeline

    monkeypatch.setattr(pipeline.os, "cpu_count", lambda: 8)
    assert pipeline._fit_threads(pipeline._THREADED_FIT_ROWS - 1) == 1
    assert pipeline._fit_threads(pipeline._THREADED_FIT_ROWS) == 4
    monkeypatch.setattr(pipeline.os, "cpu_count", lambda: None)
    assert pipeline._fit_threads(10**6) == 1
