"""The run config: defaults, and errors naming file, location, bad value, accepted values, suggestion."""

from __future__ import annotations

import joblib
import numpy as np
import pandas as pd
import pytest

from causalx.exceptions import ConfigError, GraphSpecError
from causalx.study import load_config, loads_config, run_study

MINIMAL = "causalx: 1\ndata: d.csv\ntarget: y\ngraph: g.yaml\n"


def test_minimal_config_defaults(tmp_path):
    path = tmp_path / "run.yaml"
    path.write_text(MINIMAL)
    cfg = load_config(path)
    assert [e.resolved_label for e in cfg.explanations] == ["marginal", "conditional", "causal", "causal_asymmetric"]
    assert [e.decompose for e in cfg.explanations] == [False, False, True, True]
    assert cfg.rows == 40 and cfg.random_state == 0 and cfg.model.path is None
    assert cfg.path("data") == tmp_path / "d.csv"  # relative to the config file
    # unset draws resolve per sampler: antithetic pairs for the Gaussian sampler, more for learned ones
    assert [e.draws for e in cfg.explanations] == [200, 64, 64, 64]
    assert [e.model_copy(update={"sampler": "mechanism"}).draws for e in cfg.explanations[1:]] == [150, 150, 150]


@pytest.mark.parametrize(
    "extra, location, pieces",
    [
        ("explanation: []\n", "explanation", ["unknown key 'explanation'", "Did you mean 'explanations'?"]),
        ("explanations: [{value: casual}]\n", "explanations[0].value", ["'casual'", "'marginal'", "Did you mean 'causal'?"]),
        ("diagnostics: {alpah: 0.05}\n", "diagnostics.alpah", ["accepted keys are", "'alpha'", "Did you mean 'alpha'?"]),
        ("explanations: [{value: causal, sampler: gausian}]\n", "explanations[0].sampler", ["Did you mean 'gaussian'?"]),
        ("rows: 0\n", "rows", ["positive count"]),
        ("explanations: [{value: causal}, {value: causal}]\n", "explanations", ["share the label"]),
        ("model: {path: m.joblib, trusted: true}\n", "model.trusted", ["Did you mean 'trust'?"]),
    ],
)
def test_config_errors_name_file_location_and_suggestion(tmp_path, extra, location, pieces):
    path = tmp_path / "bad.yaml"
    path.write_text(MINIMAL + extra)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    msg = str(info.value)
    assert msg.startswith(str(path)), msg
    assert info.value.location == location, msg
    for piece in pieces:
        assert piece in msg, msg


@pytest.mark.parametrize(
    "text, match",
    [
        ("data: d.csv\ntarget: y\ngraph: g.yaml\n", "missing required key 'causalx'"),
        ("causalx: 2\ndata: d.csv\ntarget: y\ngraph: g.yaml\n", "accepted values: 1"),
        ("causalx: 1\ndata: d.csv\ngraph: g.yaml\n", "missing required key 'target'"),
        ("causalx: 1\ndata: !!python/object/apply:os.system ['echo hi']\ntarget: y\ngraph: g\n", "tag"),
        ("", "empty"),
    ],
)
def test_config_error_table(text, match):
    with pytest.raises(ConfigError, match=match) as info:
        loads_config(text)
    assert not isinstance(info.value, GraphSpecError)  # run configs are not graph specs
    assert isinstance(info.value, ValueError) and info.value.source == "<string>"


@pytest.fixture
def tiny_study(tmp_path):
    rng = np.random.default_rng(0)
    a = rng.normal(size=200)
    b = 0.8 * a + rng.normal(size=200)
    pd.DataFrame({"a": a, "b": b, "y": a + 2 * b + 0.1 * rng.normal(size=200)}).to_csv(tmp_path / "d.csv", index=False)
    (tmp_path / "g.yaml").write_text("causalx: 1\ntarget: y\nnodes: {a: {}, b: {}}\nedges: [a -> b]\n")
    light = ("rows: 4\nexplanations: [{value: marginal, n_samples: 30}]\n"
             "diagnostics: {n_boot: 0, n_dependence: 0, manifold: false, discovery: false, n_permutations: 0}\n")
    return tmp_path, light


def test_target_not_a_column_suggests(tiny_study):
    folder, light = tiny_study
    cfg = loads_config(MINIMAL.replace("target: y", "target: Y") + light, source="run.yaml", base_dir=folder)
    with pytest.raises(ConfigError, match=r"run.yaml, target: 'Y' is not a column.*Did you mean 'y'\?"):
        run_study(cfg, progress=False)


def test_pickled_model_needs_trust(tiny_study):
    from sklearn.linear_model import LinearRegression

    folder, light = tiny_study
    df = pd.read_csv(folder / "d.csv")
    joblib.dump(LinearRegression().fit(df[["a", "b"]], df["y"]), folder / "m.joblib")
    cfg = loads_config(MINIMAL + "model: {path: m.joblib}\n" + light, source="run.yaml", base_dir=folder)
    with pytest.raises(ConfigError, match=r"model.trust: .*execute code.*trust: true"):
        run_study(cfg, progress=False)
    cfg = loads_config(MINIMAL + "model: {path: m.joblib, trust: true}\n" + light, source="run.yaml", base_dir=folder)
    res = run_study(cfg, progress=False)
    assert res.model_info["source"].endswith("m.joblib") and res.model_info["cv_score"] is None
    exp = res.explanations["marginal"]
    # linear model, marginal values: phi_j = w_j (x_j - mean_bg x_j), so x_j - phi_j / w_j is one
    # constant per feature (the background mean) across the explained rows
    w = np.asarray(res.model.coef_)
    implied_mean = exp.data - exp.values / w
    np.testing.assert_allclose(implied_mean, implied_mean[:1].repeat(len(exp), 0), atol=1e-8)
    assert np.all(np.abs(implied_mean[0] - df[["a", "b"]].mean().to_numpy()) < 0.5)
