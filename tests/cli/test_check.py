"""``causalx check`` through typer's CliRunner: text, json, exit codes."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from causalx.cli.main import app
from causalx.datasets import make_linear_scm
from causalx.graph import dump_graph

runner = CliRunner()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("check")
    scm = make_linear_scm(["A", "B", "C", "D"], {("A", "B"): 0.8, ("B", "C"): 0.7, ("A", "D"): 0.5},
                          confounders=[("C", "D", 0.8)])
    X = scm.sample(800, random_state=0)
    X["y"] = X["C"] + X["D"]
    X.to_csv(d / "data.csv", index=False)
    dump_graph(scm.graph(declare_confounding=True), d / "true.yaml")
    dump_graph(scm.graph(declare_confounding=False), d / "wrong.yaml")
    X.drop(columns=["D"]).to_csv(d / "missing.csv", index=False)
    (d / "bad.yaml").write_text("causalx: 1\nnodes: {A: {}}\nedges: [A -> Z]\n")
    return d


def _run(*args):
    return runner.invoke(app, ["check", *map(str, args)])


def test_text_output_true_graph(files):
    r = _run("--graph", files / "true.yaml", "--data", files / "data.csv", "--n-permutations", "10",
             "--fail-on-violation")
    assert r.exit_code == 0, r.output
    assert "Implied independencies" in r.output and "not falsified" in r.output
    assert "C ⊥ A | B" in r.output
    assert "(auto: gcm test" in r.output  # the test that ran is named in the summary line and the table


def test_json_output_and_fail_on_violation(files):
    r = _run("--graph", files / "wrong.yaml", "--data", files / "data.csv", "--format", "json",
             "--n-permutations", "10")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["falsified"] is True
    assert out["summary"]["method"] == "auto" and out["summary"]["methods_used"] == ["gcm"]
    rows = out["implied_independencies"]
    assert rows and set(rows[0]) >= {"x", "y", "given", "p_value", "rejected"}
    assert ["C", "D"] in [s["pair"] for s in out["suspected_confounding"]]
    assert all("p_value" in s and "strength" in s for s in out["suspected_confounding"])
    assert isinstance(out["suggested_edges"], list)
    r = _run("--graph", files / "wrong.yaml", "--data", files / "data.csv", "--fail-on-violation",
             "--no-discovery", "--n-permutations", "0")
    assert r.exit_code == 1
    assert "Suspected confounding" in r.output and "C <-> D" in r.output


@pytest.mark.parametrize("case,needle", [
    ("missing_column", "lacks the feature column"),
    ("missing_file", "does not exist"),
    ("bad_spec", "Z"),
    ("bad_format", "--format"),
])
def test_bad_input_exits_2(files, case, needle):
    args = {
        "missing_column": ("--graph", files / "true.yaml", "--data", files / "missing.csv"),
        "missing_file": ("--graph", files / "true.yaml", "--data", files / "nope.csv"),
        "bad_spec": ("--graph", files / "bad.yaml", "--data", files / "data.csv"),
        "bad_format": ("--graph", files / "true.yaml", "--data", files / "data.csv", "--format", "xml"),
    }[case]
    r = _run(*args)
    assert r.exit_code == 2, r.output
    assert needle in r.output


def test_help_has_example():
    r = runner.invoke(app, ["check", "--help"])
    assert r.exit_code == 0 and "causalx check --graph" in r.output


def test_check_reads_text_columns_as_categorical(tmp_path):
    # substrate (text) depends on temp (Si on cold runs, glass on hot ones); the graph omits the edge
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    n = 600
    temp = rng.normal(size=n)
    substrate = np.where(temp > 0.5, "glass", np.where(temp < -0.5, "Si", "ITO"))
    thick = temp + (substrate == "Si") + 0.3 * rng.normal(size=n)
    pd.DataFrame({"temp": temp, "substrate": substrate, "thick": thick}).to_csv(tmp_path / "d.csv", index=False)
    (tmp_path / "g.yaml").write_text("causalx: 1\nnodes: {temp: {}, substrate: {}, thick: {}}\n"
                                     "edges: [temp -> thick, substrate -> thick]\n")
    r = _run("--graph", tmp_path / "g.yaml", "--data", tmp_path / "d.csv", "--format", "json",
             "--n-permutations", "0")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    (t,) = [t for t in out["implied_independencies"] if {t["x"], t["y"]} == {"temp", "substrate"}]
    assert t["method"] == "gcm" and t["rejected"]  # the GCM on the level indicators
    assert out["falsified"] is True
