"""causalx run with the mechanism sampler: refit uncertainty by default, the diagnostic in the report."""

from __future__ import annotations

from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "case_studies" / "simulated_mediator"


def test_mechanism_explanation_has_refit_stderr_and_report_lines(tmp_path):
    from causalx.report import write_report
    from causalx.study import loads_config, run_study

    cfg = loads_config((CASE / "config.yaml").read_text()
                       + "rows: 2\nexplanations: [{value: causal, sampler: mechanism, n_samples: 30}]\n"
                       "diagnostics: {n_boot: 0, n_dependence: 0, manifold: false, discovery: false, n_permutations: 0}\n",
                       base_dir=CASE)
    r = run_study(cfg, progress=False)
    exp = next(iter(r.explanations.values()))
    u = exp.provenance["uncertainty"]
    assert u["kind"] == "refit" and u["n_refits"] == 8
    np.testing.assert_allclose(np.asarray(exp.stderr) ** 2,
                               np.asarray(u["mc_stderr"]) ** 2 + np.asarray(u["learning_stderr"]) ** 2, rtol=1e-9)
    write_report(r, tmp_path)
    md = (tmp_path / "report.md").read_text()
    assert "mechanisms chosen by held-out fit" in md and "learning part" in md
