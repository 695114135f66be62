"""Mixed data end to end: text, category and bool columns, typed nodes, samplers that stay on support."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, PolynomialFeatures

import causalx as cx
from causalx.exceptions import DataValidationError
from causalx.samplers import GaussianSampler
from causalx.utils import encode_data

SUBSTRATES = ("ITO", "Si", "glass")


def _data(n=300, seed=0):
    rng = np.random.default_rng(seed)
    temp = rng.normal(size=n)
    code = (temp > 0.3).astype(int) + (rng.random(n) < 0.3)
    substrate = np.array(["Si", "glass", "ITO"])[code]
    thick = temp + (substrate == "Si") * 1.0 + 0.3 * rng.normal(size=n)
    X = pd.DataFrame({"temp": temp, "substrate": substrate, "thick": thick})
    y = thick * temp + 2.0 * (substrate == "glass") + 0.1 * rng.normal(size=n)
    return X, y


def _pipeline(X, y):
    """One-hot on the raw text column, degree-2 features (interactions of substrate and the rest), ridge."""
    encode = ColumnTransformer([("oh", OneHotEncoder(), ["substrate"])], remainder="passthrough")
    return make_pipeline(encode, PolynomialFeatures(2), Ridge(alpha=1e-3)).fit(X, y)


GRAPH = cx.CausalGraph(["temp", "substrate", "thick"], ["temp -> substrate", "substrate -> thick", "temp -> thick"])


class Counting:
    """Wraps a model fitted on a frame; counts the rows whose substrate is not a training category."""

    def __init__(self, model, column="substrate", categories=SUBSTRATES):
        self.model, self.column, self.categories = model, column, set(categories)
        self.feature_names_in_ = model.feature_names_in_
        self.n_rows = self.n_unseen = 0
        self.dtypes = None

    def predict(self, frame):
        self.dtypes = frame.dtypes
        self.n_rows += len(frame)
        self.n_unseen += int((~frame[self.column].isin(self.categories)).sum())
        return self.model.predict(frame)


def _brute_force_marginal(model, X_explain, background):
    """Shapley values over the raw columns from the definition: v(S) = mean_z f(x_S, z_S̄)."""
    names = list(background.columns)
    d = len(names)
    out = np.zeros((len(X_explain), d))
    for r in range(len(X_explain)):
        x = X_explain.iloc[[r]]

        def v(S):
            rows = background.copy()
            for j in S:
                rows[names[j]] = x[names[j]].iloc[0]
            return model.predict(rows).mean()

        values = {S: v(S) for k in range(d + 1) for S in itertools.combinations(range(d), k)}
        for i in range(d):
            for S, vs in values.items():
                if i in S:
                    continue
                w = math.factorial(len(S)) * math.factorial(d - len(S) - 1) / math.factorial(d)
                out[r, i] += w * (values[tuple(sorted(S + (i,)))] - vs)
    return out


# ------------------------------------------------------------------------------ the acceptance
def test_marginal_values_of_a_pipeline_equal_brute_force_over_raw_columns():
    X, y = _data()
    model = _pipeline(X, y)
    background, rows = X.iloc[:40], X.iloc[100:104]
    exp = cx.CausalExplainer(model, GRAPH, value="marginal").fit(background).explain(rows)
    expected = _brute_force_marginal(model, rows.reset_index(drop=True), background.reset_index(drop=True))
    np.testing.assert_allclose(exp.values, expected, atol=1e-9, rtol=0)
    np.testing.assert_allclose(exp.output, model.predict(rows), atol=1e-9)
    assert exp.feature_names == ("temp", "substrate", "thick")  # one value per original feature
    assert exp.provenance["categories"] == {"substrate": list(SUBSTRATES)}  # what the codes in exp.data mean
    np.testing.assert_array_equal(exp.data[:, 1], [SUBSTRATES.index(s) for s in rows["substrate"]])


def test_the_model_gets_the_original_dtypes_and_categories():
    X, y = _data(120)
    X = X.assign(substrate=pd.Categorical(X["substrate"], categories=list(SUBSTRATES)),
                 coated=X["temp"] > 0)
    seen = {}

    class Probe:
        feature_names_in_ = np.array(["temp", "substrate", "thick", "coated"], dtype=object)

        def predict(self, frame):
            seen["dtypes"] = frame.dtypes.to_dict()
            seen["categories"] = tuple(frame["substrate"].cat.categories)
            seen["values"] = set(frame["substrate"].astype(str))
            return frame["thick"].to_numpy() + frame["coated"].to_numpy()

    g = cx.CausalGraph(["temp", "substrate", "thick", "coated"], ["temp -> thick"])
    ex = cx.CausalExplainer(Probe(), g, value="marginal", n_samples=30).fit(X)
    exp = ex.explain(X.iloc[:5])
    assert seen["dtypes"] == X.dtypes.to_dict()
    assert seen["categories"] == SUBSTRATES and seen["values"] <= set(SUBSTRATES)
    assert ex.node_types_ == {"temp": "continuous", "substrate": "categorical", "thick": "continuous",
                              "coated": "binary"}
    np.testing.assert_allclose(exp.output, X["thick"].iloc[:5] + X["coated"].iloc[:5])


def test_mechanism_sampler_never_passes_an_unseen_category():
    X, y = _data()
    model = Counting(_pipeline(X, y))
    ex = cx.CausalExplainer(model, GRAPH, value="causal", sampler="mechanism", n_samples=64).fit(X)
    exp = ex.explain(X.iloc[:4])
    assert model.n_rows > 1000  # the sampled rows did reach the model
    assert model.n_unseen == 0
    assert np.all(np.isfinite(exp.values))


def test_a_root_categorical_node_is_sampled_on_support_by_the_mechanism_sampler():
    # substrate as a root: its draws are observed values whatever the regressors of the children
    X, y = _data()
    g = cx.CausalGraph(["temp", "substrate", "thick"], ["substrate -> thick", "temp -> thick"])
    model = Counting(_pipeline(X, y))
    cx.CausalExplainer(model, g, value="causal", sampler="mechanism", n_samples=32).fit(X).explain(X.iloc[:3])
    assert model.n_rows > 0 and model.n_unseen == 0


def test_off_support_codes_are_refused_before_they_reach_the_model():
    X, y = _data(60)
    _, _, enc = encode_data(X)
    book = enc.codebooks[1]
    np.testing.assert_array_equal(book.decode(np.array([0.0, 2.0, 1.0])), np.array(["ITO", "glass", "Si"]))
    for bad in (1.5, -1.0, 3.0):
        with pytest.raises(DataValidationError, match=r"'substrate' has 3 categories .*outside the node's support"):
            book.decode(np.array([0.0, bad]))


# ------------------------------------------------------------------------------ the Gaussian sampler
def test_gaussian_sampler_refuses_a_categorical_node_naming_it():
    X, y = _data()
    with pytest.raises(ValueError, match=r"categorical node\(s\) 'substrate' \(3 categories\).*sampler='mechanism'"
                                         r".*sampler='vae'"):
        cx.CausalExplainer(_pipeline(X, y), GRAPH, value="causal").fit(X)
    # an integer-coded categorical node declared in the spec is refused alike
    codes = X.assign(substrate=pd.Categorical(X["substrate"]).codes.astype(int))
    g = cx.CausalGraph({"temp": {}, "substrate": {"type": "categorical"}, "thick": {}}, GRAPH.edges)
    with pytest.raises(ValueError, match=r"'substrate' \(3 categories\)"):
        GaussianSampler().fit(codes, graph=g)


def _latent_binary(n, rho, threshold, seed):
    """(z1, x) with (z1, z2) standard bivariate normal of correlation rho and x = 1[z2 > threshold]."""
    rng = np.random.default_rng(seed)
    z1 = rng.normal(size=n)
    z2 = rho * z1 + np.sqrt(1 - rho**2) * rng.normal(size=n)
    return np.column_stack([z1, (z2 > threshold).astype(float)])


def test_gaussian_sampler_draws_binary_and_ordinal_nodes_on_their_levels():
    from scipy.stats import norm

    rho, t = 0.8, 0.5
    X = _latent_binary(20000, rho, t, 0)
    g = cx.CausalGraph({"z": {}, "b": {"type": "binary"}}, ["z -> b"])
    s = GaussianSampler().fit(X, graph=g, feature_names=["z", "b"])
    free = s.sample(np.zeros((1, 0)), target=[1], given=[], n_draws=40000, random_state=1)
    assert set(np.unique(free)) == {0.0, 1.0}
    assert abs(free.mean() - X[:, 1].mean()) < 0.01  # the observed frequency, without conditioning
    a = np.array([[-1.5], [0.0], [1.5]])
    cond = s.sample(a, target=[1], given=[0], n_draws=40000, random_state=2).mean(axis=(1, 2))
    exact = norm.sf((t - rho * a[:, 0]) / np.sqrt(1 - rho**2))  # P(b = 1 | z = a) of the simulator
    assert np.all(np.diff(cond) > 0.2)
    np.testing.assert_allclose(cond, exact, atol=0.02)  # measured: 0.0019, 0.2023, 0.8871 against 0.0023, 0.2023, 0.8783
    # the continuous column given the binary one: draws are continuous, conditional means ordered
    zc = s.sample(np.array([[0.0], [1.0]]), target=[0], given=[1], n_draws=20000, random_state=3).mean(axis=(1, 2))
    np.testing.assert_allclose(zc, [X[X[:, 1] == 0, 0].mean(), X[X[:, 1] == 1, 0].mean()], atol=0.1)


def test_gaussian_sampler_keeps_ordinal_draws_on_half_integer_levels():
    rng = np.random.default_rng(0)
    period = rng.choice([2.0, 2.5, 3.0, 4.5], size=3000, p=[0.1, 0.4, 0.3, 0.2])
    x = period + rng.normal(size=3000)
    g = cx.CausalGraph({"period": {"type": "ordinal"}, "x": {}}, ["period -> x"])
    s = GaussianSampler().fit(np.column_stack([period, x]), graph=g, feature_names=["period", "x"])
    draws = s.sample(np.array([[0.0], [5.0]]), target=[0], given=[1], n_draws=5000, random_state=0)
    assert set(np.unique(draws)) <= {2.0, 2.5, 3.0, 4.5}
    assert draws[0].mean() < period.mean() < draws[1].mean()
    free = s.sample(np.zeros((1, 0)), target=[0], given=[], n_draws=50000, random_state=1)[0, :, 0]
    freq = [np.mean(free == v) for v in (2.0, 2.5, 3.0, 4.5)]
    np.testing.assert_allclose(freq, [np.mean(period == v) for v in (2.0, 2.5, 3.0, 4.5)], atol=0.01)


def test_gaussian_sampler_numbers_are_unchanged_without_discrete_nodes():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3)) @ np.array([[1.0, 0.5, 0.0], [0.0, 1.0, 0.3], [0.0, 0.0, 1.0]])
    s = GaussianSampler().fit(X)
    draws = s.sample(X[:2, [0]], target=[1, 2], given=[0], n_draws=50, random_state=0)
    z = np.random.default_rng(0).standard_normal((50, 3))
    cond = s.conditional([1, 2], [0])
    expected = cond.intercept + X[:2, [0]] @ cond.coef.T
    np.testing.assert_allclose(draws, expected[:, None, :] + (z[:, [1, 2]] @ cond.scale.T)[None], atol=1e-12)
    assert s.thresholds_ == {}


# ------------------------------------------------------------------------------ the VAE
def test_vae_typed_heads_take_the_codes_and_stay_on_support():
    pytest.importorskip("torch")
    from causalx.samplers import VAESampler

    X, y = _data(400)
    model = Counting(_pipeline(X, y))
    vae = VAESampler(max_epochs=15, hidden_size=16, latent_dim=4, random_state=0)
    ex = cx.CausalExplainer(model, GRAPH, value="conditional", sampler=vae, n_samples=16).fit(X)
    assert ex.sampler_.feature_types_[1] == "categorical"
    ex.explain(X.iloc[:2])
    assert model.n_rows > 0 and model.n_unseen == 0


# ------------------------------------------------------------------------------ spec vs data
@pytest.mark.parametrize(
    "change, types, match",
    [
        (None, {"substrate": "continuous"}, r"'substrate' holds text with 3 distinct values .*declares it type: "
                                           r"continuous\. Declare it 'categorical'"),
        (None, {"substrate": "binary"}, r"declares it type: binary \(2 levels\)\. Declare it 'categorical'"),
        (None, {"substrate": "ordinal"}, r"without an order but the graph declares it type: ordinal\. Pass it as an "
                                        r"ordered pandas Categorical"),
        ({"thick": lambda X: np.round(X["thick"])}, {"thick": "binary"}, r"'thick' is declared binary .* takes \d+ values"),
        ({"substrate": lambda X: X["substrate"].where(X.index != 3, 7)}, {}, r"'substrate' mixes text and numbers"),
    ],
)
def test_data_and_spec_that_cannot_be_reconciled(change, types, match):
    X, _ = _data(50)
    if change:
        X = X.assign(**{k: f(X) for k, f in change.items()})
    X = X.astype({"substrate": object}) if change and "substrate" in change else X
    with pytest.raises(DataValidationError, match=match):
        encode_data(X, types=types)


def test_the_spec_wins_where_the_data_can_be_read_its_way():
    X, _ = _data(50)
    ordered = X.assign(substrate=pd.Categorical(X["substrate"], categories=["glass", "Si", "ITO"], ordered=True))
    _, _, enc = encode_data(ordered)
    assert enc.types[1] == "ordinal" and enc.codebooks[1].categories == ("glass", "Si", "ITO")
    _, _, enc = encode_data(ordered, types={"substrate": "categorical"})
    assert enc.types[1] == "categorical"
    ints = X.assign(layers=np.arange(50) % 4)
    arr, _, enc = encode_data(ints, types={"layers": "ordinal"})
    assert enc.types[3] == "ordinal" and enc.codebooks[3] is None  # integer codes are their own values
    np.testing.assert_array_equal(arr[:, 3], np.arange(50) % 4)


def test_unseen_category_in_explain_is_an_error_naming_it():
    X, y = _data(80)
    ex = cx.CausalExplainer(_pipeline(X, y), GRAPH, value="marginal").fit(X)
    rows = X.iloc[:2].copy()
    rows.loc[rows.index[0], "substrate"] = "GaAs"
    with pytest.raises(DataValidationError, match=r"'substrate' holds the value\(s\) \['GaAs'\] that the background"):
        ex.explain(rows)
    # an array of codes is accepted (checked against the categories)
    codes, _, _ = encode_data(X.iloc[:2], encoding=ex.encoding_)
    np.testing.assert_allclose(ex.explain(codes).values, ex.explain(X.iloc[:2]).values)
    with pytest.raises(DataValidationError, match="outside the node's support"):
        ex.explain(codes + 0.5)


def test_tree_path_is_not_taken_for_decoded_columns():
    from sklearn.ensemble import RandomForestRegressor

    X, y = _data(100)
    Xc = X.assign(substrate=pd.Categorical(X["substrate"]).codes.astype(float))
    rf = RandomForestRegressor(n_estimators=3, random_state=0).fit(Xc.to_numpy(), y)
    f = lambda frame: rf.predict(frame.assign(substrate=frame["substrate"].cat.codes).to_numpy())  # noqa: E731
    ex = cx.CausalExplainer(f, GRAPH, value="marginal", n_samples=20).fit(
        X.assign(substrate=pd.Categorical(X["substrate"])))
    assert ex.algorithm_ == "blackbox"


def test_effects_set_a_binary_text_node_to_its_levels():
    # glass or not, as text: binary, handled by the Gaussian sampler's thresholds; the effect's
    # settings are the two observed levels, never a code between them
    X, y = _data(300)
    Xb = X.assign(substrate=np.where(X["substrate"] == "glass", "glass", "other"))
    model = Counting(_pipeline(Xb, y), categories=("glass", "other"))
    ex = cx.CausalExplainer(model, GRAPH, value="causal", n_samples=50).fit(Xb)
    assert ex.node_types_["substrate"] == "binary"
    res = ex.effects(n_draws=200)
    assert model.n_unseen == 0 and model.n_rows > 0
    eff = {e.feature: e for e in res}
    assert {eff["substrate"].low, eff["substrate"].high} <= {0.0, 1.0}
