"""Hostile and broken inputs (issue 16): each a clear error, exit 2; nothing executed, hung, lost
or written elsewhere. One section per finding of the issue."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from causalx.cli.main import app
from causalx.exceptions import CausalxError, ConfigError, DataValidationError, GraphSpecError, OutputError
from causalx.graph import load_graph, loads_graph
from causalx.study import load_config, loads_config, run_study

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]

SPEC = "causalx: 1\nnodes: [a, b]\nedges: [a -> b]\n"
CONFIG = "causalx: 1\ndata: d.csv\ntarget: y\ngraph: g.yaml\n"
FAST = ("rows: 3\nexplanations: [{value: marginal, n_samples: 10}]\n"
        "diagnostics: {n_boot: 0, n_permutations: 0, n_dependence: 0, discovery: false, manifold: false}\n")


def _timed(fn, *args, limit=2.0, **kwargs):
    t0 = time.perf_counter()
    try:
        return fn(*args, **kwargs)
    finally:
        assert time.perf_counter() - t0 < limit, f"took {time.perf_counter() - t0:.1f} s"


def _spec_error(text: str, match: str | None = None) -> GraphSpecError:
    with pytest.raises(GraphSpecError, match=match) as info:
        _timed(loads_graph, text)
    assert len(str(info.value)) < 1200
    return info.value


def _validate(tmp_path: Path, content: str | bytes):
    path = tmp_path / "spec.yaml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass"))
    t0 = time.perf_counter()
    result = runner.invoke(app, ["validate", str(path)])
    assert time.perf_counter() - t0 < 2.0
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    assert result.output.startswith("error: ")
    return result.output


def _laughs(levels: int = 9, under: str = "foo") -> str:
    lines = ["causalx: 1", "nodes: [a]", f"{under}:", "  l0: &l0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"  l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def _frame() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 80
    t = rng.normal(size=n)
    m = 0.9 * t + 0.4 * rng.normal(size=n)
    z = rng.normal(size=n)
    return pd.DataFrame({"t": t, "m": m, "z": z, "y": 2 * m + 0.3 * t + 0.1 * rng.normal(size=n)})


@pytest.fixture
def study(tmp_path):
    _frame().to_csv(tmp_path / "d.csv", index=False)
    (tmp_path / "g.yaml").write_text("causalx: 1\ntarget: y\nnodes: {t: {}, m: {}, z: {}}\nedges: [t -> m]\n")
    (tmp_path / "run.yaml").write_text(CONFIG + FAST)
    return tmp_path


def _run(study: Path, config: str = "run.yaml", out: str = "out", *args: str):
    return runner.invoke(app, ["run", str(study / config), "--out", str(study / out), "--quiet", *args])


# ---------------------------------------------------------------- 1. denial of service in the spec loader
@pytest.mark.parametrize("under", ["foo", "name"])
def test_1a_billion_laughs_is_refused_quickly(under):
    err = _spec_error(_laughs(9, under), "more than 20,000 values")
    assert err.source == "<string>"


def test_1a_billion_laughs_validate_exits_2(tmp_path):
    assert "alias" in _validate(tmp_path, _laughs(12))


def test_1a_small_aliases_still_work():
    g = loads_graph("causalx: 1\nnodes: [a, b]\nedges: &e [a -> b]\nname: x\n")
    assert g.edges == (("a", "b"),)


@pytest.mark.parametrize("key, arrow", [("edges", "->"), ("confounded", "<->"), ("edges", "")])
def test_1b_edges_with_huge_whitespace_are_linear(key, arrow):
    text = f"causalx: 1\nnodes: [a, b]\n{key}: ['a{' ' * 60000}{arrow}{' ' * 60000}b']\n"
    err = _spec_error(text, "characters long")
    assert err.location == f"{key}[0]"


def test_1b_edge_parser_has_no_backtracking_pattern():
    from causalx.graph._checks import parse_pair

    t0 = time.perf_counter()
    with pytest.raises(ValueError):
        parse_pair("a" + " " * 999 + "b")
    assert parse_pair("  X1   ->  X2 ") == ("X1", "X2") and parse_pair("X2<-X1") == ("X1", "X2")
    assert parse_pair("a <-> b", "confounded") == ("a", "b")
    with pytest.raises(ValueError, match="undirected"):
        parse_pair("a -- b")
    with pytest.raises(ValueError, match="more than one arrow"):
        parse_pair("a -> b -> c")
    assert time.perf_counter() - t0 < 0.5


def test_1_document_size_is_limited():
    _spec_error("causalx: 1\nnodes: [a]\nname: " + "x" * 600_000 + "\n", "at most 500,000")


# ---------------------------------------------------------------- 2. exceptions escaping as tracebacks
@pytest.mark.parametrize("value, match", [
    ("2024-13-45", "not a valid date"),
    ("2001-02-30", "not a valid date"),
    ("!!int abc", "not a valid !!int"),
    ("!!float", "not a valid !!float"),
    ("!!bool maybe", "not a valid !!bool"),
    ("!!timestamp nope", "not a valid date"),
    ("1" * 4400, "integer of 4,400 characters"),
    ("!!int " + "1" * 5000, "integer of 5,000 characters"),
], ids=["month", "day", "int", "float", "bool", "timestamp", "int-4400", "tagged-int-5000"])
def test_2_yaml_constructor_errors_are_located(value, match):
    err = _spec_error(f"causalx: 1\nname: {value}\nnodes: [a]\n", match)
    assert err.location == "name" and "line 2" in str(err)
    with pytest.raises(ConfigError, match=match):
        loads_config(f"{CONFIG}report: {{title: {value}}}\n" if not value.startswith("!!") else
                     f"{CONFIG}random_state: {value}\n")


def test_2_control_characters_are_located():
    err = _spec_error("causalx: 1\nname: a\0b\nnodes: [a]\n", "control character U\\+0000")
    assert "line 2" in str(err)
    with pytest.raises(ConfigError, match="U\\+0000"):
        loads_config(CONFIG + "report: {title: \0}\n")


@pytest.mark.parametrize("text", [
    "causalx: 1\nnodes: " + "[" * 5000 + "]" * 5000 + "\n",
    "causalx: 1\nnodes: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n",
    "causalx: 1\nnodes:\n" + "".join(" " * i + "a:\n" for i in range(900)),
    "causalx: 1\nnodes:\n" + "".join(" " * i + "-\n" for i in range(900)),
], ids=["seq-5000", "map-3000", "block-map-900", "block-seq-900"])
def test_2_deep_nesting_is_refused(text):
    _spec_error(text, "nested more than 50 levels")


@pytest.mark.parametrize("text", ["causalx: 1\nnodes: &a [*a]\n", "causalx: 1\nnodes: [a]\nx: &a {b: [*a]}\n"])
def test_2_self_referencing_alias_is_refused(text):
    _spec_error(text, "recursive anchor")


@pytest.mark.parametrize("constraint", ["-" * 3000 + "a >= 0", "(" * 1000 + "a" + ")" * 1000 + " >= 0",
                                        "-" * 1500 + "a >= 0", "(" * 300 + "a" + ")" * 300 + " >= 0"],
                         ids=["minus-3000", "paren-1000", "minus-1500", "paren-300"])
def test_2_deep_constraints_are_refused(constraint):
    err = _spec_error(f"causalx: 1\nnodes: [a]\nconstraints: ['{constraint}']\n")
    assert err.location == "constraints[0]" and ("nested" in str(err) or "characters" in str(err))


def test_2_non_utf8_file(tmp_path):
    path = tmp_path / "g.yaml"
    path.write_bytes(b"causalx: 1\nname: caf\xe9\nnodes: [a]\n")
    with pytest.raises(GraphSpecError, match="not UTF-8") as info:
        load_graph(path)
    assert "line 2" in str(info.value)
    (tmp_path / "c.yaml").write_bytes(CONFIG.encode() + b"report: {title: \xff}\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(tmp_path / "c.yaml")
    assert "not UTF-8" in _validate(tmp_path, b"causalx: 1\nname: \xe9\nnodes: [a]\n")


@pytest.mark.parametrize("content", [
    "causalx: 1\nname: 2024-13-45\nnodes: [a]\n", "causalx: 1\nname: a\0b\nnodes: [a]\n",
    "causalx: 1\nnodes: &a [*a]\n", "causalx: 1\nnodes: " + "[" * 5000 + "]" * 5000 + "\n",
    "causalx: 1\nnodes: [a]\nconstraints: ['" + "-" * 3000 + "a >= 0']\n",
], ids=["date", "nul", "alias", "deep", "constraint"])
def test_2_validate_never_prints_a_traceback(tmp_path, content):
    _validate(tmp_path, content)


# ---------------------------------------------------------------- 3. a label writes outside --out
@pytest.mark.parametrize("label", ["../../x", "a/b", "..", ".hidden", "a\\b", "x" * 65, "", "a b", "ü"],
                         ids=["dotdot", "slash", "dots", "hidden", "backslash", "long", "empty", "space", "unicode"])
def test_3_unsafe_labels_are_refused_at_config_validation(label):
    with pytest.raises(ConfigError, match="label") as info:
        loads_config(CONFIG + f"explanations: [{{label: {json.dumps(label)}}}]\n")
    assert info.value.location == "explanations[0].label"


def test_3_safe_labels_are_accepted():
    cfg = loads_config(CONFIG + "explanations: [{label: causal_v2.1-b}]\n")
    assert cfg.explanations[0].resolved_label == "causal_v2.1-b"


def test_3_every_output_path_stays_inside_out(tmp_path):
    from causalx.study._output import inside, write_values

    for name in ("../x.csv", "a/../../x.csv", "/etc/x.csv", "sub/x.csv"):
        with pytest.raises(OutputError, match="outside the output folder"):
            inside(tmp_path, name)

    class Exp:
        def to_frame(self, long):
            return pd.DataFrame({"a": [1]})

    with pytest.raises(OutputError):
        write_values(tmp_path / "out", {"../../escaped": Exp()})
    assert not (tmp_path / "escaped.csv").exists() and not list(tmp_path.parent.glob("values_..*"))


def test_3_cli_label_escape_exits_2_before_computing(study):
    (study / "bad.yaml").write_text(CONFIG + FAST.replace("n_samples: 10}", "n_samples: 10, label: ../../x}"))
    result = _run(study, "bad.yaml")
    assert result.exit_code == 2 and "label" in result.output
    assert not (study / "out").exists() and not list(study.parent.glob("**/values_*x.csv"))


# ---------------------------------------------------------------- 4. trust accepts only true
class _Payload:
    """Writes a marker file when unpickled (a stand-in for a malicious pickle)."""

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (Path.write_text, (Path(self.marker), "pwned"))


@pytest.mark.parametrize("trust", ['"yes"', '"on"', '"True"', "1", "yes", "on", '"true"', "!!bool yes"])
def test_4_trust_is_only_the_yaml_boolean_true(study, trust):
    import joblib

    marker = study / "marker.txt"
    joblib.dump(_Payload(str(marker)), study / "evil.joblib")
    (study / "t.yaml").write_text(CONFIG + FAST + f"model: {{path: evil.joblib, trust: {trust}}}\n")
    result = _run(study, "t.yaml")
    assert result.exit_code == 2 and "trust" in result.output, result.output
    assert not marker.exists()


def test_4_trust_true_is_accepted():
    for text in ("true", "True", "TRUE"):
        assert loads_config(CONFIG + f"model: {{path: m.joblib, trust: {text}}}\n").model.trust is True
    assert loads_config(CONFIG + "model: {path: m.joblib}\n").model.trust is False


def test_4_yaml_1_1_words_stay_text():
    g = loads_graph("causalx: 1\nnodes: [NO, on, yes, off]\n")
    assert g.nodes == ("NO", "on", "yes", "off")


# ---------------------------------------------------------------- 5. model files
@pytest.mark.parametrize("content", [b"hello world\n", b"", b"\x80\x04K", b"{\"a\": 1}", bytes(range(7, 71))],
                         ids=["text", "empty", "truncated", "json", "binary"])
def test_5_unloadable_model_files(study, content):
    (study / "m.joblib").write_bytes(content)
    (study / "m.yaml").write_text(CONFIG + FAST + "model: {path: m.joblib, trust: true}\n")
    result = _run(study, "m.yaml")
    assert result.exit_code == 2, result.output
    assert "could not load the model from" in result.output and "m.joblib" in result.output
    assert "Traceback" not in result.output and "Aborted" not in result.output


# ---------------------------------------------------------------- 6. report text
def test_6_dollar_surrogate_and_html_in_user_strings(study):
    frame = _frame().rename(columns={"t": "cost_$_per_$kg", "m": "<img src=x onerror=alert(1)>"})
    frame.to_csv(study / "d.csv", index=False)
    (study / "g.yaml").write_text(
        "causalx: 1\ntarget: y\nnodes:\n  cost_$_per_$kg: {description: '<script>alert(1)</script>'}\n"
        "  '<img src=x onerror=alert(1)>': {}\n  z: {}\nedges: ['cost_$_per_$kg -> <img src=x onerror=alert(1)>']\n")
    (study / "run.yaml").write_text(
        CONFIG + FAST + "report: {title: '<script>alert(1)</script> [click](javascript:alert(1)) $x$'}\n")
    result = _run(study)
    assert result.exit_code == 0, result.output
    md = (study / "out" / "report.md").read_text()
    html = (study / "out" / "report.html").read_text()
    for text in (md, html):
        assert "<script>" not in text and "<img src=x" not in text
    import re

    assert not re.search(r"(?<!\\)\]\(javascript:", md) and "\\](javascript:" in md  # the link is escaped
    assert "&lt;script&gt;" in md and "cost_$_per_$kg" in md
    payload = json.loads((study / "out" / "report.json").read_text())
    assert payload["title"].startswith("<script>")  # JSON keeps the text itself (it is data)


def test_6_lone_surrogates_are_refused_when_reading():
    with pytest.raises(ConfigError, match="lone surrogate U\\+D800") as info:
        loads_config(CONFIG + 'report: {title: "\\ud800"}\n')
    assert info.value.location == "report.title"
    with pytest.raises(GraphSpecError, match="lone surrogate"):
        loads_graph('causalx: 1\nnodes: {a: {description: "x\\udfff"}}\n')


def test_6_writing_never_fails_on_surrogates(tmp_path):
    from causalx.study._output import atomic_write_text

    atomic_write_text(tmp_path / "r.json", json.dumps({"t": "a\ud800"}, ensure_ascii=False))
    assert json.loads((tmp_path / "r.json").read_text()) == {"t": "a\ud800"}
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_6_markdown_escaping():
    from causalx.report._write import _md, _md_cell, _md_code

    assert _md("<script>x</script>") == "&lt;script&gt;x&lt;/script&gt;"
    assert "](" not in _md("[a](javascript:alert(1))").replace("\\](", "")
    assert _md_cell("a|b") == "a\\|b" and _md_code("a`b") == "a\\`b" and _md_code("<x>") == "`<x>`"


def test_6_figures_render_dollar_signs_as_text():
    from causalx.report._write import _png

    src = _png(lambda ax: (ax.set_title("cost_$_per_$kg"), ax.set_xlabel("$\\frac{")), (2, 2))
    assert src.startswith("data:image/png;base64,")


# ---------------------------------------------------------------- 7. data
def _study_error(study: Path, extra: str = "", frame: pd.DataFrame | None = None, csv_text: str | None = None):
    if frame is not None:
        frame.to_csv(study / "d.csv", index=False)
    if csv_text is not None:
        (study / "d.csv").write_text(csv_text)
    (study / "x.yaml").write_text(CONFIG + FAST + extra)
    steps: list[str] = []
    with pytest.raises((ConfigError, DataValidationError)) as info:
        run_study(study / "x.yaml", progress=False, echo=steps.append)
    assert not any("explaining" in s for s in steps), steps  # raised before the expensive work
    assert len(str(info.value)) < 700
    result = _run(study, "x.yaml")
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    return str(info.value)


def _with(frame, col, row, value):
    frame = frame.copy()
    if isinstance(value, str):
        frame[col] = frame[col].astype(object)
    frame.loc[row, col] = value
    return frame


def test_7_inf_in_target(study):
    assert "holds inf in row 3" in _study_error(study, frame=_with(_frame(), "y", 3, np.inf))


def test_7_string_among_numeric_targets(study):
    msg = _study_error(study, frame=_with(_frame(), "y", 4, "n/a" + "x" * 1000))
    assert "numbers and text" in msg and "row 4" in msg and "more characters" in msg


def test_7_constant_feature(study):
    frame = _frame().assign(z=3.0)
    assert "'z' are constant" in _study_error(study, frame=frame)


def test_7_constant_target(study):
    assert "is constant" in _study_error(study, frame=_frame().assign(y=1.0))
    assert "is constant" in _study_error(study, frame=_frame().assign(y="a"))


def test_7_huge_features(study):
    msg = _study_error(study, frame=_frame().assign(z=_frame()["z"] * 1e300))
    assert "'z' has values as large as" in msg and "rescale" in msg


def test_7_bounds_of_random_state_and_n_samples():
    with pytest.raises(ConfigError, match="random_state"):
        loads_config(CONFIG + f"random_state: {2**32}\n")
    assert loads_config(CONFIG + f"random_state: {2**32 - 1}\n").random_state == 2**32 - 1
    for value in ("1e12", "1.0e12", "1000000000000"):
        with pytest.raises(ConfigError, match="n_samples"):
            loads_config(CONFIG + f"explanations: [{{n_samples: {value}}}]\n")


def test_7_duplicated_csv_columns(study):
    text = _frame()[["t", "m", "z", "z", "y"]].to_csv(index=False)
    assert "column name 'z' twice" in _study_error(study, csv_text=text)


def test_7_header_only_csv(study):
    assert "no data rows" in _study_error(study, csv_text="t,m,z,y\n")


def test_7_semicolon_separated_csv(study):
    msg = _study_error(study, csv_text=_frame().to_csv(index=False, sep=";"))
    assert "separated by semicolons" in msg


def test_7_two_rows(study):
    assert "at least 10 rows" in _study_error(study, frame=_frame().iloc[:2])


def test_7_rare_classes(study):
    frame = _frame().assign(y=["a"] * 78 + ["b", "b"])
    assert "class 'b' has only 2 row(s)" in _study_error(study, frame=frame)


class ComplexModel:
    def predict(self, X):
        return np.asarray(X, dtype=float)[:, 0] + 1j


class NoPredict:
    pass


class FailingModel:
    def predict(self, X):
        raise RuntimeError("boom")


@pytest.mark.parametrize("model, match", [(ComplexModel(), "complex numbers"), (NoPredict(), "no predict"),
                                          (FailingModel(), "fails on 5 rows"), ({"a": 1}, "no predict")])
def test_7_bad_models(study, model, match):
    import joblib

    joblib.dump(model, study / "m.joblib")
    assert match in _study_error(study, "model: {path: m.joblib, trust: true}\n")


def test_7_messages_quote_at_most_200_characters():
    with pytest.raises(ConfigError) as info:
        loads_config(CONFIG + f"explanations: [{{value: {'c' * 10_000}}}]\n")
    assert len(str(info.value)) < 800
    with pytest.raises(GraphSpecError) as info:
        loads_graph(f"causalx: 1\nnodes: [a]\nedges: [{'x' * 900} -> a, 'b']\n")
    assert len(str(info.value)) < 800


# ---------------------------------------------------------------- 8. output safety
def test_8_rerun_replaces_the_earlier_run_and_its_stale_values(study):
    assert _run(study).exit_code == 0
    out = study / "out"
    manifest = json.loads((out / "causalx-manifest.json").read_text())
    assert sorted(f["name"] for f in manifest["files"]) == ["report.html", "report.json", "report.md",
                                                            "values_marginal.csv"]
    (study / "run.yaml").write_text(CONFIG + FAST.replace("n_samples: 10}", "n_samples: 10, label: other}"))
    (out / "notes.txt").write_text("mine")
    result = _run(study)
    assert result.exit_code == 0 and "replaced the 4 file(s) of the earlier run" in result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == ["causalx-manifest.json", "notes.txt", "report.html", "report.json", "report.md",
                     "values_other.csv"]


def test_8_report_files_without_a_manifest_are_refused_first(study):
    out = study / "out"
    out.mkdir()
    (out / "report.html").write_text("someone else's")
    t0 = time.perf_counter()
    result = _run(study)
    assert result.exit_code == 2 and "report.html" in result.output and "does not overwrite" in result.output
    assert time.perf_counter() - t0 < 5
    assert (out / "report.html").read_text() == "someone else's"


def test_8_out_is_a_file_or_below_a_file(study):
    for out in ("d.csv", "d.csv/sub"):
        t0 = time.perf_counter()
        result = _run(study, out=out)
        assert result.exit_code == 2 and "--out" in result.output, result.output
        assert time.perf_counter() - t0 < 5
    assert (study / "d.csv").is_file()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can write anywhere")
def test_8_unwritable_out(study):
    locked = study / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        result = _run(study, out="locked/out")
        assert result.exit_code == 2 and "cannot be written" in result.output
    finally:
        locked.chmod(0o700)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("where", ["report", "study"])
def test_8_failures_leave_the_earlier_report_intact(study, monkeypatch, where):
    assert _run(study).exit_code == 0
    before = _snapshot(study / "out")
    if where == "report":  # a failing write of report.html (after JSON and MD were rendered)
        import causalx.report._write as W

        monkeypatch.setattr(W, "_html", lambda *a: (_ for _ in ()).throw(OSError(28, "No space left on device")))
    else:  # the run crashes after the values were written
        import causalx.report as R

        monkeypatch.setattr(R, "write_report", lambda *a: (_ for _ in ()).throw(DataValidationError("crash")))
    result = _run(study)
    assert result.exit_code == 2
    assert _snapshot(study / "out") == before  # no truncated file, no new values beside the old report


def test_8_failure_into_a_new_folder_leaves_nothing(study, monkeypatch):
    import causalx.report as R

    monkeypatch.setattr(R, "write_report", lambda *a: (_ for _ in ()).throw(DataValidationError("crash")))
    assert _run(study, out="new/deeper").exit_code == 2
    assert not (study / "new" / "deeper").exists()


# ---------------------------------------------------------------- 9. interrupts
def test_9_keyboard_interrupt_writes_nothing(study, monkeypatch):
    import causalx.study as S

    def interrupted(cfg, out_dir, **kw):
        (Path(out_dir) / "values_partial.csv").write_text("x")
        raise KeyboardInterrupt

    monkeypatch.setattr(S, "run_study", interrupted)
    result = _run(study)
    assert result.exit_code == 130
    assert "interrupted; no report written" in result.output
    assert not (study / "out").exists()


@pytest.mark.skipif(os.name != "posix", reason="SIGINT")
def test_9_sigint_in_a_real_run(study):
    (study / "slow.yaml").write_text(CONFIG + "rows: 40\nmodel: {cv: 2}\nexplanations: [{value: causal, n_samples: 20000}]\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen([sys.executable, "-m", "causalx.cli.main", "run", str(study / "slow.yaml"), "--out",
                             str(study / "out")], stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            env=env, cwd=str(ROOT), start_new_session=True)  # signals stay in its group
    try:
        for line in proc.stderr:  # wait until the expensive step has started
            if "explaining" in line:
                break
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130
    assert "interrupted; no report written" in err and "Traceback" not in err
    assert not (study / "out").exists()


def test_7_column_lists_are_clipped_in_messages(study):
    wide = pd.concat([_frame(), pd.DataFrame(np.ones((80, 2000)), columns=[f"c{i}" * 5 for i in range(2000)])], axis=1)
    msg = _study_error(study, frame=wide.drop(columns=["y"]))
    assert "is not a column" in msg and "more characters" in msg


def test_7_complex_predictions_are_refused_by_the_model_wrapper():
    from causalx.exceptions import ModelError
    from causalx.values import resolve_model

    with pytest.raises(ModelError, match="complex numbers"):
        resolve_model(ComplexModel(), ["a", "b"])(np.ones((3, 2)))
