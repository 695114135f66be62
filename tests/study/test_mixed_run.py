"""``causalx run`` on a CSV with a text column and a pickled Pipeline that one-hot encodes it."""

from __future__ import annotations

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

GRAPH = """causalx: 1
name: substrates
nodes:
  temp: {}
  substrate: {}
  thick: {}
edges: [temp -> thick, substrate -> thick]
"""


def _write_case(tmp_path, n=150):
    rng = np.random.default_rng(0)
    temp = rng.normal(size=n)
    substrate = rng.choice(["Si", "glass", "ITO"], size=n)
    thick = temp + 1.0 * (substrate == "Si") + 0.3 * rng.normal(size=n)
    y = 2.0 * thick - 1.5 * (substrate == "glass") + 0.1 * rng.normal(size=n)
    frame = pd.DataFrame({"temp": temp, "substrate": substrate, "thick": thick, "y": y})
    frame.to_csv(tmp_path / "data.csv", index=False)
    X = pd.read_csv(tmp_path / "data.csv")[["temp", "substrate", "thick"]]  # text as pandas reads it
    model = make_pipeline(ColumnTransformer([("oh", OneHotEncoder(), ["substrate"])], remainder="passthrough"),
                          Ridge(alpha=1e-6)).fit(X, y)
    joblib.dump(model, tmp_path / "model.joblib")
    (tmp_path / "graph.yaml").write_text(GRAPH)
    return model, X


CONFIG = """causalx: 1
data: data.csv
target: y
graph: graph.yaml
model: {path: model.joblib, trust: true}
rows: 5
explanations:
  - {value: marginal, n_samples: 200}
diagnostics: {n_boot: 0, n_permutations: 0, n_dependence: 1}
"""


def test_run_accepts_text_columns_with_a_pipeline_model(tmp_path):
    from causalx.study import loads_config, run_study

    model, X = _write_case(tmp_path)
    cfg = loads_config(CONFIG, base_dir=tmp_path)
    r = run_study(cfg, progress=False)
    exp = r.explanations["marginal"]
    assert exp.feature_names == ("temp", "substrate", "thick")
    rows = X.iloc[r.data_info["explained_rows"]]
    np.testing.assert_allclose(exp.output, model.predict(rows), atol=1e-9)
    # a linear model of one-hot columns: the marginal value of substrate is its coefficient part
    # at the row minus its background mean (all 150 rows are the background here)
    oh = model[:-1].transform(X)[:, :3] @ model[-1].coef_[:3]
    row_oh = model[:-1].transform(rows)[:, :3] @ model[-1].coef_[:3]
    np.testing.assert_allclose(exp.values[:, 1], row_oh - oh.mean(), atol=1e-9)
    # the graph's tests read substrate as categorical: the substrate-temp independence is a GCM with indicators
    tests = {frozenset((t.x, t.y)): t for t in r.diagnostics.falsification.tests}
    assert tests[frozenset(("temp", "substrate"))].method == "gcm"
    assert any("PDP/ICE/ALE skipped" in w for w in r.warnings)
    assert any("signed effects skipped" in w and "substrate" in w for w in r.warnings)


def test_run_with_the_builtin_model_reads_text_as_categories(tmp_path):
    from causalx.study import loads_config, run_study

    _write_case(tmp_path)
    text = CONFIG.replace("model: {path: model.joblib, trust: true}\n", "model: {cv: 3}\n")
    r = run_study(loads_config(text, base_dir=tmp_path), progress=False)
    assert r.model_info["cv_score"] > 0.8
    exp = r.explanations["marginal"]
    np.testing.assert_allclose(exp.values.sum(1), exp.output - exp.base_values, atol=1e-6)
    assert np.abs(exp.values[:, 1]).mean() > 0.1  # the substrate matters (-1.5 for glass, +2 via Si)


@pytest.mark.parametrize("sampler", ["gaussian"])
def test_run_names_the_categorical_node_when_the_gaussian_sampler_is_asked_for(tmp_path, sampler):
    from causalx.study import loads_config, run_study

    _write_case(tmp_path)
    text = CONFIG.replace("  - {value: marginal, n_samples: 200}", f"  - {{value: causal, sampler: {sampler}}}")
    with pytest.raises(ValueError, match=r"categorical node\(s\) 'substrate' \(3 categories\).*sampler='mechanism'"):
        run_study(loads_config(text, base_dir=tmp_path), progress=False)


def test_default_explanations_switch_to_the_mechanism_sampler_on_a_categorical_node(tmp_path, monkeypatch):
    """The default config's Gaussian sampler refuses a categorical node: the default causal values use
    the mechanism sampler, never pass an unseen substrate to the model, and the run says so."""
    from causalx.study import loads_config, run_study

    model, X = _write_case(tmp_path)
    seen: list[set] = []

    class Counting:
        def predict(self, Z):
            seen.append(set(Z["substrate"]))
            return model.predict(Z)

    import causalx.study.pipeline as pipeline

    monkeypatch.setattr(pipeline, "load_model_file", lambda path, source=None: Counting())
    text = ("causalx: 1\ndata: data.csv\ntarget: y\ngraph: graph.yaml\n"
            "model: {path: model.joblib, trust: true}\nrows: 3\n"
            "diagnostics: {n_boot: 0, n_permutations: 0, n_dependence: 0, discovery: false}\n")
    r = run_study(loads_config(text, base_dir=tmp_path), progress=False)
    assert set(r.explanations) == {"marginal", "causal_mechanism", "causal_mechanism_asymmetric"}
    assert all(e.provenance["sampler"] == "mechanism" for k, e in r.explanations.items() if k != "marginal")
    assert any("sampler: mechanism" in w and "substrate" in w for w in r.warnings)
    assert seen and set().union(*seen) <= {"Si", "glass", "ITO"}
    # the effects table names the substrates compared, not their codes; so does the waterfall
    eff = r.effects["substrate"]
    cats = r.explanations["marginal"].provenance["categories"]["substrate"]
    assert eff.low_label == cats[int(eff.low)] and eff.high_label == cats[int(eff.high)]
    from causalx.report import write_report

    write_report(r, tmp_path / "out")
    md = (tmp_path / "out" / "report.md").read_text()
    assert f"| substrate | {eff.low_label} → {eff.high_label} |" in md
    import matplotlib

    matplotlib.use("Agg")
    from causalx.plotting import plot_waterfall

    exp = r.explanations["marginal"]
    ax = plot_waterfall(exp, row=0)
    code = int(exp.data[0, list(exp.feature_names).index("substrate")])
    assert f"substrate = {cats[code]}" in [t.get_text() for t in ax.get_yticklabels()]
    for e in r.explanations.values():  # efficiency against the model called directly
        np.testing.assert_allclose(e.values.sum(1) + e.base_values, model.predict(X.iloc[r.data_info["explained_rows"]]),
                                   atol=1e-8)
