"""`causalx --version`, and `causalx validate` with the name of a packaged example spec."""

from __future__ import annotations

from typer.testing import CliRunner

from causalx import __version__
from causalx.cli.main import app, main
from causalx.datasets import graph_path

runner = CliRunner()


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"causalx {__version__}"
    assert main(["--version"]) == 0


def test_help_mentions_version():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0 and "--version" in result.output


def test_validate_packaged_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no graphs/ here: the name resolves to the package
    for arg in ("lg_chain", "lg_chain.yaml"):
        result = runner.invoke(app, ["validate", arg])
        assert result.exit_code == 0, result.output
        assert str(graph_path("lg_chain")) in result.output and "valid causal graph 'lg_chain'" in result.output


def test_validate_prefers_an_existing_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lg_chain.yaml").write_text("causalx: 1\nname: mine\nnodes: {A: {}}\n")
    result = runner.invoke(app, ["validate", "lg_chain.yaml"])
    assert result.exit_code == 0, result.output
    assert "'mine'" in result.output


def test_validate_unknown_name_lists_packaged_specs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["validate", "lg_chai"])
    assert result.exit_code == 2
    assert "lg_chain" in result.output and "Did you mean 'lg_chain'" in result.output
    result = runner.invoke(app, ["validate", "nothere.yaml"])
    assert result.exit_code == 2
    assert "not found" in result.output and "solar_cell" in result.output
