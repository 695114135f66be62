"""``causalx run`` and ``causalx explain`` through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from causalx.cli.main import app

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "case_studies" / "simulated_mediator"


@pytest.fixture
def small_study(tmp_path):
    rng = np.random.default_rng(3)
    n = 300
    t = rng.normal(size=n)
    m = 0.9 * t + 0.4 * rng.normal(size=n)
    z = rng.normal(size=n)
    pd.DataFrame({"t": t, "m": m, "z": z, "y": 2 * m + 0.3 * t + 0.1 * rng.normal(size=n)}).to_csv(tmp_path / "d.csv", index=False)
    (tmp_path / "g.yaml").write_text("causalx: 1\ntarget: y\nnodes: {t: {}, m: {}, z: {}}\nedges: [t -> m]\n")
    (tmp_path / "run.yaml").write_text("causalx: 1\ndata: d.csv\ntarget: y\ngraph: g.yaml\n")
    return tmp_path


def test_run_with_only_data_target_graph(small_study):
    from causalx.report import report_schema

    jsonschema = pytest.importorskip("jsonschema")
    out = small_study / "report"
    result = runner.invoke(app, ["run", str(small_study / "run.yaml"), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} >= {"report.html", "report.md", "report.json"}
    payload = json.loads((out / "report.json").read_text())
    jsonschema.validate(payload, report_schema())
    assert list(payload["explanations"]) == ["marginal", "conditional", "causal", "causal_asymmetric"]
    med = [h for h in payload["hypotheses"] if h["kind"] == "mediation"]
    assert med and med[0]["features"][:2] == ["t", "m"]  # t acts on y mostly through m (1.8 of 2.1)


def test_run_reduced_readme_main_job(tmp_path):
    """The README's main job (case study), with fewer rows and draws so that it stays quick."""
    text = (CASE / "config.yaml").read_text().replace("data: data.csv", f"data: {CASE / 'data.csv'}")
    text = text.replace("graph: ../../graphs/simulated_mediator.yaml", f"graph: {ROOT / 'graphs' / 'simulated_mediator.yaml'}")
    text += ("rows: 6\nexplanations: [{value: marginal, n_samples: 60}, {value: conditional, n_samples: 40},"
             " {value: causal, asymmetric: true, decompose: true, n_samples: 40}]\n"
             "diagnostics: {n_boot: 0, n_permutations: 0, n_dependence: 1}\n")
    (tmp_path / "config.yaml").write_text(text)
    result = runner.invoke(app, ["run", str(tmp_path / "config.yaml"), "--out", str(tmp_path / "report")])
    assert result.exit_code == 0, result.output
    assert "furnace_id" in result.output and "dopant_conc" in result.output and "grain_size" in result.output
    assert (tmp_path / "report" / "report.html").stat().st_size > 10_000


@pytest.mark.slow
def test_readme_main_job_full():
    """``causalx run case_studies/simulated_mediator/config.yaml`` exactly as in the README."""
    import tempfile

    with tempfile.TemporaryDirectory() as out:
        result = runner.invoke(app, ["run", str(CASE / "config.yaml"), "--out", out, "--quiet"])
        assert result.exit_code == 0, result.output
        payload = json.loads((Path(out) / "report.json").read_text())
    top = payload["hypotheses"][:4]
    assert len(payload["hypotheses"]) >= 3
    assert {h["kind"] for h in top} >= {"mediation", "proxy", "independence_violated"}


@pytest.mark.parametrize(
    "text, match",
    [
        ("causalx: 1\ndata: d.csv\ntarget: y\ngraph: g.yaml\nexplanation: []\n", "Did you mean 'explanations'"),
        ("causalx: 1\ndata: nope.csv\ntarget: y\ngraph: g.yaml\n", "does not exist"),
        ("causalx: 1\ndata: d.csv\ntarget: why\ngraph: g.yaml\n", "target"),
    ],
)
def test_run_bad_input_exits_2(small_study, text, match):
    (small_study / "bad.yaml").write_text(text)
    result = runner.invoke(app, ["run", str(small_study / "bad.yaml"), "--out", str(small_study / "o"), "--quiet"])
    assert result.exit_code == 2
    assert match in result.output and "bad.yaml" in result.output


def test_run_missing_config_exits_2(tmp_path):
    result = runner.invoke(app, ["run", str(tmp_path / "none.yaml")])
    assert result.exit_code == 2 and "not found" in result.output


def test_explain_writes_values_and_stderr(small_study):
    out = small_study / "values.csv"
    result = runner.invoke(app, ["explain", "--graph", str(small_study / "g.yaml"), "--data", str(small_study / "d.csv"),
                                 "--target", "y", "--value", "marginal", "--n-samples", "50", "--rows", "7",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    df = pd.read_csv(out)
    assert list(df.columns) == ["row", "output", "base_value", "t", "t_stderr", "m", "m_stderr", "z", "z_stderr"]
    assert len(df) == 7
    np.testing.assert_allclose(df[["t", "m", "z"]].sum(axis=1), df["output"] - df["base_value"], atol=1e-6)
    assert (df[["t_stderr", "m_stderr", "z_stderr"]] >= 0).all().all()
    data = pd.read_csv(small_study / "d.csv")
    # marginal values with a background subsample: z (no effect on y) gets far less than m
    assert df["z"].abs().mean() < 0.2 * df["m"].abs().mean()
    assert set(df["row"]) <= set(range(len(data)))


def test_explain_bad_option_exits_2(small_study):
    result = runner.invoke(app, ["explain", "--graph", str(small_study / "g.yaml"), "--data", str(small_study / "d.csv"),
                                 "--target", "y", "--value", "casual"])
    assert result.exit_code == 2 and "Did you mean 'causal'" in result.output


@pytest.mark.parametrize("command", ["run", "explain"])
def test_help_has_examples(command):
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0 and "Example" in result.output


def test_main_help_documents_exit_codes():
    result = runner.invoke(app, ["--help"])
    assert "Exit codes" in result.output and "--fail-on-violation" in result.output
    for cmd in ("run", "explain", "check"):
        assert cmd in result.output
