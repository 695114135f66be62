"""The command line: exit codes, messages, and the demo."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from causalx.cli.main import app, main

runner = CliRunner()
GRAPHS = sorted((Path(__file__).resolve().parents[2] / "graphs").glob("*.yaml"))


def test_help_lists_commands_with_examples():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for word in ("validate", "demo", "Examples"):
        assert word in result.output


@pytest.mark.parametrize("spec", GRAPHS, ids=lambda p: p.name)
def test_validate_shipped_graphs(spec):
    result = runner.invoke(app, ["validate", str(spec)])
    assert result.exit_code == 0, result.output
    assert "valid causal graph" in result.output


@pytest.mark.parametrize(
    "text, match",
    [
        ("causalx: 1\nnodes: {A: {}, B: {}}\nedges: [A -> C]\n", r"edges\[0\].*'C'"),
        ("causalx: 2\nnodes: {A: {}}\n", r"causalx"),
        ("causalx: 1\nnodes: {A: {}, B: {}}\nedges: [A -> B, B -> A]\n", r"A -> B -> A|B -> A -> B"),
        ("causalx: 1\nnodes: {A: {}}\nedgez: []\n", r"edges"),
        ("causalx: 1\nnodes: !!python/object/apply:os.system ['echo hi']\n", r"tag"),
    ],
)
def test_validate_bad_spec_exits_2_with_location(tmp_path, text, match):
    import re

    path = tmp_path / "bad.yaml"
    path.write_text(text)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "bad.yaml" in result.output
    assert re.search(match, result.output), result.output


def test_validate_missing_file_exits_2(tmp_path):
    assert main(["validate", str(tmp_path / "nope.yaml")]) == 2


def test_demo_prints_a_table():
    result = runner.invoke(app, ["demo", "--rows", "2", "--n-samples", "40"])
    assert result.exit_code == 0, result.output
    for label in ("marginal (SHAP)", "conditional", "causal asym."):
        assert label in result.output
    assert "X5" in result.output
