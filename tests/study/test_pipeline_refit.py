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


def test_worker_processes_do_not_change_the_values(tmp_path):
    """``n_jobs`` splits the explained rows between processes; the draws are made before the split."""
    import numpy as np
    import pandas as pd

    from causalx.study import loads_config, run_study
    from causalx.study.pipeline import _n_jobs

    rng = np.random.default_rng(5)
    a = rng.normal(size=300)
    b = 0.7 * a + rng.normal(size=300)
    pd.DataFrame({"a": a, "b": b, "y": a * b + b}).to_csv(tmp_path / "d.csv", index=False)
    (tmp_path / "g.yaml").write_text("causalx: 1\ntarget: y\nnodes: [a, b]\nedges: [a -> b]\n")
    base = ("causalx: 1\ndata: d.csv\ntarget: y\ngraph: g.yaml\nrows: 6\n"
            "explanations: [{value: causal, n_samples: 50, decompose: true}]\n"
            "diagnostics: {n_boot: 0, n_dependence: 0, discovery: false, n_permutations: 0}\n")
    one = run_study(loads_config(base + "n_jobs: 1\n", base_dir=tmp_path), progress=False)
    two = run_study(loads_config(base + "n_jobs: 2\n", base_dir=tmp_path), progress=False)
    e1, e2 = one.explanations["causal"], two.explanations["causal"]
    np.testing.assert_array_equal(e1.values, e2.values)
    np.testing.assert_array_equal(e1.stderr, e2.stderr)
    # the automatic choice: serial below 5 million planned model rows, parallel above
    cfg = loads_config(base, base_dir=tmp_path)
    spec = cfg.explanations[0]
    assert _n_jobs(cfg, spec, 6, 2) == 1
    assert _n_jobs(cfg, spec.model_copy(update={"n_samples": 150}), 40, 10) >= min(2, __import__("os").cpu_count())
    assert _n_jobs(cfg, spec.model_copy(update={"n_samples": 150, "asymmetric": True}), 40, 10) == 1
