"""Property-based fuzzing of the YAML loaders (issue 16 acceptance): mutated graph specs and run
configs raise only causalx's own exceptions, each with a message, within 2 s; the CLI prints no
traceback for them and exits 0 or 2. Bounded: a fixed number of examples, derandomized."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from causalx.cli.main import app
from causalx.exceptions import CausalxError
from causalx.graph import loads_graph
from causalx.study import loads_config

SPEC = """causalx: 1
name: fuzz
target: y
nodes:
  X1: {unit: eV, description: band gap, type: continuous}
  X2: {}
  X3: {type: binary}
edges: [X1 -> X2, X2 <- X3]
confounded: [X1 <-> X3]
components: [[X1, X3], [X2]]
constraints: ['X2 >= 0', '0 <= X1 + 2*X3 <= 10']
"""

CONFIG = """causalx: 1
data: data.csv
target: y
graph: graph.yaml
model: {path: model.joblib, trust: false, task: auto, cv: 5}
explanations:
  - {value: causal, asymmetric: true, decompose: true, n_samples: 200, label: causal_a}
  - {value: marginal}
rows: 40
diagnostics: {alpha: 0.01, method: auto, n_boot: 5, dependence_features: [X1]}
report: {title: My study, top_hypotheses: 10}
random_state: 0
"""

#: fragments that broke the loaders before issue 16, and YAML syntax in general
HOSTILE = [
    "&a", "*a", "&a [*a]", "<<: *a", "!!int abc", "!!float", "!!bool maybe", "!!timestamp nope", "!!python/object:os.system",
    "!secret", "2024-13-45", "2001-02-30", "1" * 4400, "\x00", "\x07", "\ufeff", '"\\ud800"', "[" * 60, "{a: " * 60,
    "- " * 60, "-" * 300, "(" * 80, " " * 3000, "->", "<->", "<-", "--", ":", ": ", "- ", "#", "'", '"', "\n", "\t",
    "yes", "on", "~", "null", ".inf", "1e12", "-1", str(2**40), "?", "|", ">", "%YAML 1.1\n---\n", "---\n", "...",
    "X1", "X1 -> X1", "a -> b -> c", "label: ../../x", "trust: 'yes'", "\\", "`", "$x$", "<script>",
]


@st.composite
def mutated(draw, base: str) -> str:
    text = base
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["insert", "delete", "replace", "duplicate"]))
        pos = draw(st.integers(0, len(text)))
        if op == "delete":
            end = draw(st.integers(pos, min(len(text), pos + 40)))
            text = text[:pos] + text[end:]
        elif op == "duplicate":
            end = draw(st.integers(pos, min(len(text), pos + 80)))
            text = text[:pos] + text[pos:end] * draw(st.integers(2, 50)) + text[pos:]
        else:
            piece = draw(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12)))
            end = pos if op == "insert" else draw(st.integers(pos, min(len(text), pos + 10)))
            text = text[:pos] + piece + text[end:]
    return text


FUZZ = settings(max_examples=120, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _only_causalx_errors(load, text: str) -> None:
    t0 = time.perf_counter()
    try:
        load(text)
    except CausalxError as exc:
        assert str(exc).strip(), f"{type(exc).__name__} without a message"
    elapsed = time.perf_counter() - t0
    assert elapsed < 2.0, f"{elapsed:.2f} s for {text[:200]!r}"


@FUZZ
@given(mutated(SPEC))
def test_fuzz_graph_spec_loader(text):
    _only_causalx_errors(loads_graph, text)


@FUZZ
@given(mutated(CONFIG))
def test_fuzz_run_config_loader(text):
    _only_causalx_errors(loads_config, text)


runner = CliRunner()


@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.data_too_large])
@given(mutated(SPEC))
def test_fuzz_cli_validate_never_prints_a_traceback(tmp_path_factory, text):
    path = Path(tmp_path_factory.mktemp("fuzz")) / "spec.yaml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code in (0, 2), (result.output, result.exception)
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert result.output.startswith("error: ")


@pytest.mark.parametrize("text", [SPEC, CONFIG])
def test_fuzz_bases_are_valid(text):
    (loads_graph if text is SPEC else loads_config)(text)


@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.data_too_large])
@given(mutated(CONFIG))
def test_fuzz_cli_run_never_prints_a_traceback(tmp_path_factory, text):
    folder = Path(tmp_path_factory.mktemp("fuzzrun"))
    (folder / "run.yaml").write_bytes(text.encode("utf-8", "surrogatepass"))
    result = runner.invoke(app, ["run", str(folder / "run.yaml"), "--out", str(folder / "out"), "--quiet"])
    assert result.exit_code == 2, (result.output, result.exception)  # no data file: always bad input
    assert "Traceback" not in result.output and result.output.startswith("error: ")
    assert not (folder / "out").exists()
