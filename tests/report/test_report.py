"""report.html / report.md / report.json: schema, content, escaping, self-containment, browser."""

from __future__ import annotations

import base64
import json
import re
import shutil
import struct
import subprocess

import numpy as np
import pandas as pd
import pytest

jsonschema = pytest.importorskip("jsonschema")


def _png_size(src: str) -> tuple[int, int]:
    assert src.startswith("data:image/png;base64,")
    raw = base64.b64decode(src.split(",", 1)[1])
    assert raw[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", raw[16:24])


@pytest.fixture(scope="module")
def study_result(tmp_path_factory):
    """A small study with every part: t -> m -> y (mediator), p a proxy of t, a <-> b hidden."""
    from causalx.study import loads_config, run_study

    folder = tmp_path_factory.mktemp("study")
    rng = np.random.default_rng(5)
    n = 400
    t = rng.normal(size=n)
    m = t + 0.3 * rng.normal(size=n)
    p = t + 0.1 * rng.normal(size=n)
    u = rng.normal(size=n)
    a, b = u + 0.5 * rng.normal(size=n), u + 0.5 * rng.normal(size=n)
    y = 2 * m + a - b + 0.1 * rng.normal(size=n)
    pd.DataFrame({"t": t, "m": m, "p": p, "a": a, "b": b, "y": y}).to_csv(folder / "d.csv", index=False)
    (folder / "g.yaml").write_text("causalx: 1\nname: toy\ntarget: y\nnodes: {t: {unit: K}, m: {}, p: {}, a: {}, b: {}}\n"
                                   "edges: [t -> m, t -> p]\nconstraints: [a >= -10]\n")
    cfg = loads_config("causalx: 1\ndata: d.csv\ntarget: y\ngraph: g.yaml\nrows: 8\n"
                       "explanations: [{value: marginal, n_samples: 60}, {value: conditional, n_samples: 40},"
                       " {value: causal, asymmetric: true, decompose: true, n_samples: 40}]\n"
                       "diagnostics: {n_boot: 2, bootstrap_rows: 2, n_permutations: 3, n_dependence: 1}\n",
                       base_dir=folder)
    return run_study(cfg, progress=False)


@pytest.fixture(scope="module")
def written(study_result, tmp_path_factory):
    from causalx.report import write_report

    out = tmp_path_factory.mktemp("report")
    return study_result, write_report(study_result, out)


def test_three_files_and_schema(written):
    from causalx.report import report_schema

    result, paths = written
    assert {p.name for p in paths.values()} == {"report.html", "report.md", "report.json"}
    payload = json.loads(paths["json"].read_text())
    jsonschema.validate(payload, report_schema())
    assert {"graph", "model", "explanations", "diagnostics", "hypotheses"} <= set(payload)
    # numbers match the computed objects (recomputed here independently)
    for label, exp in result.explanations.items():
        got = {r["feature"]: r["mean_abs"] for r in payload["explanations"][label]["features"]}
        want = dict(zip(exp.feature_names, np.abs(exp.values).mean(0)))
        assert got == pytest.approx(want)
    assert [h["id"] for h in payload["hypotheses"]] == [h.id for h in result.hypotheses]
    assert payload["diagnostics"]["falsified"] is True  # a and b share the hidden u
    assert payload["diagnostics"]["bootstrap"]["n_boot"] == 2
    assert {h["kind"] for h in payload["hypotheses"]} >= {"mediation", "independence_violated"}
    assert payload["model"]["cv_score"] == pytest.approx(result.model_info["cv_score"])
    md = paths["md"].read_text()
    assert md.startswith("# ") and result.hypotheses[0].statement in md


def test_per_mask_sampler_diagnostic_in_all_three_files(written):
    """The Gaussian sampler's held-out fit per mask: JSON record, Markdown and HTML tables."""
    result, paths = written
    payload = json.loads(paths["json"].read_text())
    label = next(lab for lab, e in result.explanations.items() if e.provenance.get("sampler") == "gaussian")
    diag = result.explanations[label].provenance["sampler_diagnostic"]
    assert payload["explanations"][label]["sampler_diagnostic"]["masks"] == diag["masks"]
    m = diag["masks"][0]
    md = paths["md"].read_text()
    assert "| feature | given | score | marginal | skill |" in md
    assert f"| {m['target']} | all others | {m['score']:.4g} (CRPS) | {m['baseline']:.4g} | {m['skill']:.4g} |" in md
    html = paths["html"].read_text()
    assert "<th>feature</th><th>given</th><th>score</th><th>marginal</th><th>skill</th>" in html
    assert f"<td>{m['target']}</td><td>all others</td><td>{m['score']:.4g} (CRPS)</td>" in html


def test_schema_rejects_a_broken_payload(written):
    from causalx.report import report_schema

    _, paths = written
    payload = json.loads(paths["json"].read_text())
    payload["hypotheses"][0]["confidence"] = "certain"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(payload, report_schema())
    del payload["graph"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(payload, report_schema())


def test_html_is_self_contained_with_every_figure(written):
    result, paths = written
    html = paths["html"].read_text()
    assert not re.search(r'(src|href)\s*=\s*"(https?:|//|file:)', html)
    srcs = re.findall(r'<img src="([^"]+)"', html)
    # graph, bars, beeswarm, waterfall, direct/indirect, one dependence panel, falsification table
    assert len(srcs) == 6 + len(result.dependence)
    alts = re.findall(r'<img src="[^"]+" alt="([^"]*)"', html)
    assert len(alts) == len(srcs) and all(len(a) > 20 for a in alts)  # every figure has alt text
    for src in srcs:
        w, h = _png_size(src)
        assert w > 100 and h > 50
    for h in result.hypotheses:
        assert h.id in html
    # answer first: the question, the effects table, the top hypotheses and the health line before the figures
    answer = html[html.index('id="answer"'): html.index('id="figures"')]
    assert "What changes the y" in answer and "Health of the evidence" in answer
    for h in result.hypotheses[:3]:
        assert f'href="#{h.id}"' in answer
    payload = json.loads(paths["json"].read_text())
    for hid, fig in payload["summary"]["hypothesis_figures"].items():  # every hypothesis links to a drawn figure
        assert fig is None or f'<figure id="{fig}">' in html
    assert "efficiency gap" not in html


def test_markdown_and_html_print_the_same_numbers(written):
    """One rounding rule: every signed effect ± s.e. and every p-value reads the same in both reports."""
    import html as html_lib

    result, paths = written
    payload = json.loads(paths["json"].read_text())
    md = paths["md"].read_text()
    page = html_lib.unescape(re.sub(r"<[^>]+>", " ", re.sub(r'src="[^"]+"', "", paths["html"].read_text())))
    assert len(payload["hypotheses"]) <= result.config.report.top_hypotheses  # the HTML shows all of them here
    pm = re.compile(r"[+-]\d[\d.e+-]* ± \d[\d.e+-]*")
    assert set(pm.findall(md)) == set(pm.findall(page))
    assert len(set(pm.findall(md))) >= len(payload["effects"])

    md_rows = [r for r in md.splitlines() if r.startswith("| ") and "⊥" in r]
    md_p = sorted(tuple(c.strip() for c in r.strip("| ").split(" | ")[1:4]) for r in md_rows)
    html_rows = re.findall(r"<tr[^>]*><td>[^<]*⊥.*?</tr>", paths["html"].read_text())
    html_p = sorted(tuple(re.findall(r"<td>([^<]*)</td>", r)[1:4]) for r in html_rows)
    assert md_p and md_p == html_p
    # every hypothesis in the Markdown, with the suspected-confounding, suggested-edge and unit sections
    for h in payload["hypotheses"]:
        assert f"### {h['id']}" in md
    for section in ("## The answer first", "### Suspected confounding", "### Suggested edges",
                    "## Causal graph and units", "Health of the evidence"):
        assert section in md
    assert "| t | K |" in md


def _tiny_result(tmp_path, description):
    from causalx.study import loads_config, run_study

    rng = np.random.default_rng(1)
    a = rng.normal(size=150)
    b = a + rng.normal(size=150)
    pd.DataFrame({"a": a, "b": b, "y": a - b + 0.1 * rng.normal(size=150)}).to_csv(tmp_path / "d.csv", index=False)
    (tmp_path / "g.yaml").write_text(
        "causalx: 1\ntarget: y\nnodes:\n  a: {description: " + json.dumps(description) + "}\n  b: {}\nedges: [a -> b]\n")
    cfg = loads_config("causalx: 1\ndata: d.csv\ntarget: y\ngraph: g.yaml\nrows: 4\n"
                       "explanations: [{value: marginal, n_samples: 30}, {value: causal, n_samples: 30, decompose: true}]\n"
                       "diagnostics: {n_boot: 0, n_dependence: 1, discovery: false, n_permutations: 0}\n"
                       "report: {title: '<b>A & B</b>'}\n", base_dir=tmp_path)
    return run_study(cfg, progress=False)


def test_user_strings_are_escaped(tmp_path):
    from causalx.report import write_report

    evil = "<script>alert('x')</script> band gap"
    result = _tiny_result(tmp_path, evil)
    html = write_report(result, tmp_path / "out")["html"].read_text()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; band gap" in html
    assert "&lt;b&gt;A &amp; B&lt;/b&gt;" in html
    payload = json.loads((tmp_path / "out" / "report.json").read_text())
    assert payload["graph"]["nodes"][0]["description"] == evil  # JSON keeps the raw text


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

CHECK = """<script>
window.addEventListener('load', function () {
  var imgs = Array.prototype.slice.call(document.images);
  var bad = imgs.filter(function (i) { return !(i.complete && i.naturalWidth > 0 && i.src.indexOf('data:') === 0); });
  var noalt = imgs.filter(function (i) { return !i.alt; });
  var wide = Array.prototype.slice.call(document.querySelectorAll('body *')).filter(function (e) {
    var r = e.getBoundingClientRect(); return r.right > document.documentElement.clientWidth + 1; });
  var p = document.createElement('pre'); p.id = 'cx-check';
  p.textContent = 'CXCHECK images=' + imgs.length + ' broken=' + bad.length + ' noalt=' + noalt.length +
    ' inner=' + window.innerWidth + ' scroll=' + document.documentElement.scrollWidth +
    ' client=' + document.documentElement.clientWidth + ' wide=' + wide.length +
    (wide.length ? ' first=' + wide[0].tagName : '');
  document.body.appendChild(p);
});
</script></body>"""


def _chromium(tmp_path, *extra):
    return [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
            f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
            "--virtual-time-budget=5000", *extra]


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary (apt-get install chromium)")
def test_report_in_headless_chromium(written, tmp_path):
    """At 1400 px: every figure loads and has alt text, nothing is wider than the page, no console error,
    and the screenshot is taken (a visual check; docs/report_top.png is one such screenshot)."""
    result, paths = written
    html = paths["html"].read_text()
    n_img = html.count("<img ")
    page = tmp_path / "checked.html"
    page.write_text(html.replace("</body>", CHECK))
    cmd = _chromium(tmp_path, "--window-size=1400,1000", "--dump-dom", page.as_uri())
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=90)
    assert "CXCHECK" in proc.stdout, proc.stderr[-2000:]
    check = re.search(r'<pre id="cx-check">CXCHECK ([^<]*)</pre>', proc.stdout).group(1)
    fields = dict(kv.split("=", 1) for kv in check.split() if "=" in kv)
    assert fields["images"] == str(n_img) and fields["broken"] == "0" and fields["noalt"] == "0", check
    assert int(fields["inner"]) == 1400, check
    assert int(fields["scroll"]) <= int(fields["client"]), f"horizontal overflow: {check}"
    assert fields["wide"] == "0", f"an element reaches past the right edge: {check}"
    assert "Uncaught" not in proc.stderr and "ERROR:CONSOLE" not in proc.stderr, proc.stderr[-2000:]
    # the unmodified report, too, loads without console errors, and renders to a 1400 px screenshot
    shot = tmp_path / "report.png"
    proc = subprocess.run(_chromium(tmp_path, "--window-size=1400,2400", f"--screenshot={shot}", paths["html"].as_uri()),
                          capture_output=True, text=True, timeout=90)
    assert "Uncaught" not in proc.stderr and "ERROR:CONSOLE" not in proc.stderr, proc.stderr[-2000:]
    raw = shot.read_bytes()
    assert raw[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", raw[16:24]) == (1400, 2400)
    proc = subprocess.run(_chromium(tmp_path, "--window-size=1400,1000", "--dump-dom", paths["html"].as_uri()),
                          capture_output=True, text=True, timeout=90)
    assert "Hypotheses" in proc.stdout and "The answer first" in proc.stdout


def test_every_plot_returns_axes(study_result, monkeypatch):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from causalx import plotting as P

    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("plt.show() called"))
    r = study_result
    exps = r.explanations
    causal = exps["causal_asymmetric"]
    fig, axes = plt.subplots(2, 3, figsize=(12, 7))
    ax = P.plot_attribution_bars(exps, ax=axes[0, 0])
    assert ax is axes[0, 0]
    heights = np.array([p.get_height() for p in ax.patches])
    expected = np.concatenate([e.mean_abs() for e in exps.values()])
    np.testing.assert_allclose(np.sort(heights), np.sort(expected))
    assert P.plot_graph(r.graph, causal, suspected=[("a", "b")], ax=axes[0, 1]) is axes[0, 1]
    assert P.plot_beeswarm(causal, ax=axes[0, 2]) is axes[0, 2]
    assert len(axes[0, 2].collections) == len(causal.feature_names)
    ax = P.plot_direct_indirect(causal, ax=axes[1, 0])
    assert len(ax.patches) == 2 * len(causal.feature_names)
    f, d = next(iter(r.dependence.items()))
    assert P.plot_dependence(d["pdp"], d["ale"], ax=axes[1, 1]).get_xlabel() == f
    assert P.plot_falsification(r.diagnostics.falsification, ax=axes[1, 2]) is axes[1, 2]
    with pytest.raises(ValueError, match="decompose=True"):
        P.plot_direct_indirect(exps["marginal"])
    plt.close("all")


def test_console_names_what_was_computed_and_draws_no_bar_off_a_terminal(tmp_path, capsys):
    """Piped stderr: log lines only (no carriage-return bar redraws), each explanation line read from
    the provenance (a tree model explained marginally uses the background rows and the tree path)."""
    from causalx.study import loads_config, run_study

    rng = np.random.default_rng(2)
    a = rng.normal(size=120)
    b = a + rng.normal(size=120)
    pd.DataFrame({"a": a, "b": b, "y": a - b}).to_csv(tmp_path / "d.csv", index=False)
    (tmp_path / "g.yaml").write_text("causalx: 1\ntarget: y\nnodes: {a: {}, b: {}}\nedges: [a -> b]\n")
    cfg = loads_config("causalx: 1\ndata: d.csv\ntarget: y\ngraph: g.yaml\nrows: 3\n"
                       "explanations: [{value: marginal, n_samples: 20}, {value: causal, n_samples: 20}]\n"
                       "diagnostics: {n_boot: 0, n_dependence: 1, discovery: false, n_permutations: 0}\n",
                       base_dir=tmp_path)
    result = run_study(cfg, progress=True)
    err = capsys.readouterr().err
    assert "\r" not in err and "it/s" not in err
    for label, exp in result.explanations.items():
        p = exp.provenance
        line = next(ln for ln in err.splitlines() if ln.strip().startswith(f"[causalx]   {label}:"))
        assert f"sampler={p['sampler']}" in line and f"method={p['method']}" in line
    assert "sampler=background" in err and "method=tree" in err


def test_target_unit_comes_from_the_config_else_from_the_graph():
    from types import SimpleNamespace

    from causalx.graph import CausalGraph
    from causalx.report._write import _target_unit

    def result(config_unit, graph_target="kappa", graph_unit="mS/cm"):
        cfg = SimpleNamespace(target="kappa", report=SimpleNamespace(target_unit=config_unit))
        return SimpleNamespace(config=cfg, graph=CausalGraph(["a"], target=graph_target, target_unit=graph_unit))

    assert _target_unit(result(None)) == "mS/cm"             # the spec's unit
    assert _target_unit(result("S/m")) == "S/m"              # the run config's wins when given
    assert _target_unit(result(None, graph_unit=None)) is None
    assert _target_unit(result(None, graph_target=None)) == "mS/cm"
    assert _target_unit(result(None, graph_target="other")) is None  # the spec's unit is another target's


def test_figures_are_shown_at_half_their_pixel_size(written):
    """High-DPI PNG (200 dpi): the page displays each at half its pixels, so it is 2x sharp."""
    _, paths = written
    html = paths["html"].read_text()
    imgs = re.findall(r'<img src="([^"]+)" alt="[^"]*" width="(\d+)" height="(\d+)">', html)
    assert imgs and len(imgs) == len(re.findall(r"<img ", html))
    for src, w, h in imgs:
        pw, ph = _png_size(src)
        assert (int(w), int(h)) == (pw // 2, ph // 2) and pw >= 1000  # 200 dpi: >= 5 inches wide
    # the figures come after the answer and the hypotheses (answer first)
    assert html.index('id="answer"') < html.index('id="hypotheses"') < html.index('id="figures"')


def test_the_graph_specs_target_unit_heads_every_table_of_target_values(study_result, tmp_path):
    """A ``target_unit`` in the graph spec (none in the run config) reaches the HTML and Markdown tables."""
    import dataclasses

    from causalx.report import write_report

    assert study_result.config.report.target_unit is None
    result = dataclasses.replace(study_result, graph=study_result.graph.replace(target_unit="mS/cm"))
    paths = write_report(result, tmp_path)
    html, md = paths["html"].read_text(), paths["md"].read_text()
    payload = json.loads(paths["json"].read_text())
    assert payload["graph"]["target_unit"] == "mS/cm"
    assert "<th>total effect [mS/cm]</th>" in html and "<th>plain SHAP reading [mS/cm]</th>" in html
    for label in result.explanations:
        assert f"<th>{label} [mS/cm]</th>" in html and f"| {label} \\[mS/cm\\] |" in md
    assert "| total effect \\[mS/cm\\] |" in md and "(in mS/cm)" in md
    # the run config's unit wins when it gives one
    cfg = result.config.model_copy(update={"report": result.config.report.model_copy(update={"target_unit": "S/m"})})
    html2 = write_report(dataclasses.replace(result, config=cfg), tmp_path / "b")["html"].read_text()
    assert "<th>total effect [S/m]</th>" in html2 and "mS/cm]" not in html2


def test_a_subsampled_graph_test_is_said_in_the_summary_and_both_diagnostics_sections(tmp_path):
    from causalx.report import write_report
    from causalx.study import loads_config, run_study

    rng = np.random.default_rng(2)
    a = rng.normal(size=400)
    b = a + rng.normal(size=400)
    c = rng.normal(size=400)
    pd.DataFrame({"a": a, "b": b, "c": c, "y": a - b + c}).to_csv(tmp_path / "d.csv", index=False)
    (tmp_path / "g.yaml").write_text("causalx: 1\ntarget: y\nnodes: [a, b, c]\nedges: [a -> b]\n")
    cfg = loads_config("causalx: 1\ndata: d.csv\ntarget: y\ngraph: g.yaml\nrows: 3\n"
                       "explanations: [{value: marginal, n_samples: 20}]\n"
                       "diagnostics: {n_boot: 0, n_dependence: 0, discovery: false, n_permutations: 0, max_rows: 100}\n",
                       base_dir=tmp_path)
    result = run_study(cfg, progress=False)
    assert (result.diagnostics.n_rows, result.diagnostics.n_rows_tested) == (400, 100)
    write_report(result, tmp_path / "out")
    phrase = "tested on a seeded subsample of 100 of 400 rows"
    payload = json.loads((tmp_path / "out" / "report.json").read_text())
    assert phrase in payload["summary"]["health"]["text"]
    assert payload["diagnostics"]["n_rows_tested"] == 100
    html = (tmp_path / "out" / "report.html").read_text()
    md = (tmp_path / "out" / "report.md").read_text()
    assert html.count(phrase) == 2 and md.count(phrase) >= 1
