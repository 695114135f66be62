"""`causalx run` with a grouped graph: values per group in the result, the CSV files and the report."""

from __future__ import annotations

from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "case_studies" / "simulated_mediator"


def test_run_study_with_groups(tmp_path):
    import pandas as pd

    from causalx.graph import CausalGraph, dump_graph, load_graph
    from causalx.study import loads_config, run_study

    base = load_graph(ROOT / "graphs" / "simulated_mediator.yaml")
    groups = {"process": ["anneal_temp", "furnace_id", "grain_size"], "film": ["dopant_conc", "porosity"]}
    dump_graph(CausalGraph.from_dict({**base.to_dict(), "groups": groups}), tmp_path / "graph.yaml")
    (tmp_path / "data.csv").write_bytes((CASE / "data.csv").read_bytes())
    cfg = loads_config(
        "causalx: 1\ndata: data.csv\ntarget: conductivity\ngraph: graph.yaml\nrows: 4\n"
        "explanations:\n  - {value: marginal, n_samples: 50}\n"
        "  - {value: causal, asymmetric: true, decompose: true, n_samples: 40}\n"
        "diagnostics: {n_boot: 0, n_permutations: 0, n_dependence: 1, manifold: false, discovery: false}\n",
        base_dir=tmp_path)
    out = tmp_path / "out"
    r = run_study(cfg, out_dir=out, progress=False)
    for exp in r.explanations.values():
        assert exp.feature_names == ("process", "film", "cleaning_time")
        assert exp.provenance["groups"] == groups
        np.testing.assert_allclose(exp.values.sum(1), exp.output - exp.base_values, atol=1e-6)
    assert set(r.dependence) == {"cleaning_time"}  # PDP/ALE only for players that are single features
    df = pd.read_csv(out / "values_marginal.csv")
    assert set(df["feature"]) == {"process", "film", "cleaning_time"}
    np.testing.assert_allclose(df["value"].to_numpy(), r.explanations["marginal"].values.ravel())
    from causalx.report import write_report

    write_report(r, tmp_path / "report")
    md = (tmp_path / "report" / "report.md").read_text()
    assert "| process |" in md and "| film |" in md
