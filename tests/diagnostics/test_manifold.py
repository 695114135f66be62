"""manifold_report: constraint violations and off-manifold shares of model-evaluated rows."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from causalx.diagnostics import ManifoldReport, constraint_violations, manifold_report
from causalx.exceptions import DataValidationError
from causalx.graph import Constraint

NAMES = ["a", "V", "HOMO", "LUMO"]


def manifold_data(n, rng):
    """V = a**3 with 1 % noise; LUMO = HOMO + a positive gap (0.3 eV + Gamma(4, 0.05))."""
    a = rng.uniform(0.0, 2.0, n)
    v = a**3
    v = v + 0.01 * v.std() * rng.normal(size=n)
    homo = rng.normal(-6.0, 0.5, n)
    lumo = homo + 0.3 + rng.gamma(4.0, 0.05, n)
    return np.column_stack([a, v, homo, lumo])


def all_coalitions(d):
    """Every coalition except the full one (whose row is the explicand itself), as (m, d) bool."""
    return np.array([[(m >> j) & 1 for j in range(d)] for m in range(2**d - 1)], dtype=bool)


def sampler_rows(sampler, X_explain, n_draws, random_state=0):
    """The rows a conditional explanation evaluates: x_S plus sampler draws of X_S̄, every S."""
    noise = sampler.draw_noise(n_draws, random_state)
    out = []
    for mask in all_coalitions(X_explain.shape[1]):
        rows = np.repeat(X_explain[:, None, :], n_draws, axis=1)
        sampler.sample_into(rows, np.flatnonzero(~mask), np.flatnonzero(mask), noise)
        out.append(rows)
    return np.stack(out)


def marginal_rows(X_explain, background):
    """The rows marginal (interventional) SHAP evaluates: x_S plus a background row for S̄."""
    out = []
    for mask in all_coalitions(X_explain.shape[1]):
        rows = np.repeat(X_explain[:, None, :], background.shape[0], axis=1)
        rows[:, :, ~mask] = background[None][:, :, ~mask]
        out.append(rows)
    return np.stack(out)


@pytest.fixture(scope="module")
def data():
    return manifold_data(2000, np.random.default_rng(0))


# ---------------------------------------------------------------------------------- calibration
def test_real_rows_are_about_one_percent_off(data):
    fresh = manifold_data(3000, np.random.default_rng(11))
    rep = manifold_report(fresh, data, feature_names=NAMES, random_state=0)
    assert rep.method == "knn" and rep.n_rows == 3000 and rep.quantile == 0.99
    assert rep.off_manifold_share < 0.03  # 1 % by construction (plus calibration noise)
    assert rep.scores.shape == (3000,) and np.array_equal(rep.off_manifold, rep.scores > rep.threshold)


def test_report_is_deterministic_and_frozen(data):
    rows = marginal_rows(data[:10], data[100:120])
    a = manifold_report(rows, data, feature_names=NAMES, random_state=3)
    b = manifold_report(rows, data, feature_names=NAMES, random_state=3)
    assert isinstance(a, ManifoldReport) and a == b and a.n_rows == rows.size // 4
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.threshold = 0.0
    d = a.to_dict()
    assert set(d) == {"n_rows", "constraint_violation_share", "constraint_shares", "off_manifold_share",
                      "threshold", "method", "quantile"}


def test_constraint_shares():
    rows = np.array([[0.0, 1.0, -6.0, -5.0], [0.0, 1.0, -6.0, -7.0], [0.0, -1.0, -6.0, -7.0], [1, 1, 1, 2]])
    X = manifold_data(200, np.random.default_rng(0))
    rep = manifold_report(rows, X, feature_names=NAMES, constraints=["LUMO > HOMO", Constraint.parse("V >= 0")])
    assert rep.constraint_shares == {"LUMO > HOMO": 0.5, "V >= 0": 0.25}
    assert rep.constraint_violation_share == 0.5
    np.testing.assert_array_equal(rep.violates, [False, True, True, False])
    v = constraint_violations(rows, feature_names=NAMES, constraints=["LUMO > HOMO"])
    np.testing.assert_array_equal(v["LUMO > HOMO"], [False, True, True, False])
    assert manifold_report(rows, X, feature_names=NAMES).constraint_violation_share == 0.0


def test_non_finite_rows_are_off(data):
    rows = data[:3].copy()
    rows[1, 2] = np.nan
    rep = manifold_report(rows, data, feature_names=NAMES, random_state=0)
    assert rep.off_manifold[1] and np.isinf(rep.scores[1])


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(rows=np.zeros((3, 3))), DataValidationError, "4 columns"),
        (dict(X_data=np.zeros((5, 4))), DataValidationError, "too few"),
        (dict(score="kde"), ValueError, "'knn', 'vae'"),
        (dict(score=object()), TypeError, "fitted VAESampler"),
        (dict(quantile=1.0), ValueError, "quantile"),
        (dict(constraints=["Z > 0"]), KeyError, "Unknown node 'Z'"),
    ],
)
def test_errors(data, kwargs, exc, match):
    args = dict(rows=data[:5], X_data=data)
    args.update(kwargs)
    rows, X = args.pop("rows"), args.pop("X_data")
    with pytest.raises(exc, match=match):
        manifold_report(rows, X, feature_names=NAMES, **args)


# ---------------------------------------------------------------------------------- the acceptance test
def test_vae_rows_stay_on_manifold_marginal_rows_do_not(data):
    """Issue 4 acceptance: no constraint declared; VAE <= 5 % off and >= 4x below marginal."""
    pytest.importorskip("torch")
    from causalx.samplers import GaussianSampler, VAESampler

    X_explain = manifold_data(30, np.random.default_rng(1))  # held-out explicands
    K = 20
    background = data[np.random.default_rng(2).choice(len(data), K, replace=False)]
    vae = VAESampler(random_state=0).fit(data, feature_names=NAMES)
    gauss = GaussianSampler().fit(data, feature_names=NAMES)
    shares = {}
    for name, rows in [
        ("marginal", marginal_rows(X_explain, background)),
        ("gaussian", sampler_rows(gauss, X_explain, K)),
        ("vae", sampler_rows(vae, X_explain, K)),
    ]:
        rep = manifold_report(rows, data, feature_names=NAMES, constraints=["LUMO > HOMO"], random_state=0)
        shares[name] = (rep.off_manifold_share, rep.constraint_violation_share)
    print("off-manifold and LUMO > HOMO violation shares:", shares)  # reported with -s
    # measured (seed 0): marginal 0.39 / 0.12, gaussian 0.08 / 0.00, vae ~0.01 / 0.00. Over the
    # VAE seeds 0-4 the VAE's off-manifold share is 0.006-0.027 (mean 0.015, sd 0.0076: mean +
    # 4 sd = 0.046) and it violates LUMO > HOMO on no row. This test keeps the default schedule
    # (2-5 s): 80 epochs at learning rate 5e-3 is faster but one seed in five lands at 0.11 off.
    assert shares["vae"][0] <= 0.05
    assert shares["marginal"][0] >= 4 * shares["vae"][0]
    assert shares["marginal"][1] > 0.05 and shares["vae"][1] < 0.01


def test_vae_likelihood_score(data):
    pytest.importorskip("torch")
    from causalx.samplers import VAESampler

    fresh = manifold_data(300, np.random.default_rng(5))
    shuffled = np.column_stack([fresh[:, 0], np.random.default_rng(6).permutation(fresh[:, 1]), fresh[:, 2:]])
    vae = VAESampler(random_state=0, max_epochs=40).fit(data)
    on = manifold_report(fresh, data, feature_names=NAMES, score=vae, random_state=0)
    off = manifold_report(shuffled, data, feature_names=NAMES, score=vae, random_state=0)
    assert on.method == "vae"
    knn = manifold_report(shuffled, data, feature_names=NAMES, random_state=0)
    # shuffling V breaks V = a**3 for most rows (measured: VAE score 0.36 off, kNN 0.6 off,
    # real rows < 0.05); a small V that happens to fit its new a stays on the manifold
    assert on.off_manifold_share < 0.1
    assert off.off_manifold_share > max(0.2, 3 * on.off_manifold_share)
    assert knn.off_manifold_share > 0.2
    with pytest.raises(ValueError, match="fitted on"):
        manifold_report(fresh[:, :3], data[:, :3], feature_names=NAMES[:3], score=vae)
