"""The study's bootstraps share one model fit per resample.

``bootstrap_explanation`` and ``bootstrap_effects`` with the same ``random_state`` draw the same
resamples; the pipeline's memoising refit then fits each resample's model once. Checked by
recording the resamples each bootstrap asks to refit (independently of the memo) and by
counting the fits behind the memo.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.linear_model import LinearRegression

import causalx as cx
from causalx.explain import bootstrap_effects, bootstrap_explanation
from causalx.study.pipeline import _shared_refit


class CountingLR(LinearRegression):
    fits = 0

    def fit(self, X, y, sample_weight=None):
        type(self).fits += 1
        return super().fit(X, y, sample_weight)


def _case(n=400, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n)
    b = 0.8 * a + 0.6 * rng.normal(size=n)
    c = 0.5 * b + rng.normal(size=n)
    X = pd.DataFrame({"a": a, "b": b, "c": c})
    y = X.to_numpy() @ [1.0, -0.5, 0.3] + 0.1 * rng.normal(size=n)
    return X, y, cx.CausalGraph(nodes=["a", "b", "c"], edges=["a -> b", "b -> c"])


def test_both_bootstraps_use_the_same_resamples_and_one_fit_each():
    X, y, graph = _case()
    model = LinearRegression().fit(X, y)
    seen = {"values": [], "effects": []}

    def recorder(kind, inner):
        def refit(Xb, yb):
            seen[kind].append(Xb.to_numpy().copy())
            return inner(Xb, yb)
        return refit

    CountingLR.fits = 0
    shared = _shared_refit(CountingLR())
    ex = cx.CausalExplainer(model, graph, value="causal", n_samples=100, check_manifold=False)
    ex.fit(X)
    bootstrap_explanation(ex, X, X.iloc[:2], n_boot=4, refit=recorder("values", shared), y=y, random_state=3)
    bootstrap_effects(ex, X, n_boot=4, refit=recorder("effects", shared), y=y, random_state=3, n_draws=200)
    assert len(seen["values"]) == len(seen["effects"]) == 4
    for a, b in zip(seen["values"], seen["effects"]):
        np.testing.assert_array_equal(a, b)
    assert len({a.tobytes() for a in seen["values"]}) == 4  # four different resamples
    assert CountingLR.fits == 4  # not 8


def test_shared_refit_returns_the_fit_of_that_resample():
    X, y, _ = _case(seed=1)
    CountingLR.fits = 0
    refit = _shared_refit(CountingLR())
    m1 = refit(X.iloc[:200], y[:200])
    m2 = refit(X.iloc[200:], y[200:])
    again = refit(X.iloc[:200].copy(), y[:200].copy())
    assert again is m1 and m2 is not m1 and CountingLR.fits == 2
    ref = LinearRegression().fit(X.iloc[200:], y[200:])
    np.testing.assert_allclose(m2.coef_, ref.coef_, rtol=1e-12)


def test_bootstrap_point_from_the_rows_of_an_exact_explanation_is_the_fresh_one():
    X, y, graph = _case(seed=2)
    model = LinearRegression().fit(X, y)
    ex = cx.CausalExplainer(model, graph, value="causal", method="exact", n_samples=200, check_manifold=False).fit(X)
    done = ex.explain(X.iloc[:6], decompose=True)  # as the study explains: more rows, decomposed
    fresh = cx.CausalExplainer(**ex.get_params(deep=False)).fit(X).explain(X.iloc[:3])
    np.testing.assert_allclose(done[:3].values, fresh.values, rtol=0, atol=1e-12)
    np.testing.assert_allclose(done[:3].stderr, fresh.stderr, rtol=0, atol=1e-12)
    a = bootstrap_explanation(ex, X, X.iloc[:3], n_boot=3, random_state=1, point=done[:3])
    b = bootstrap_explanation(ex, X, X.iloc[:3], n_boot=3, random_state=1)
    for part in ("values", "lower", "upper", "total_stderr"):
        np.testing.assert_allclose(getattr(a, part), getattr(b, part), rtol=0, atol=1e-12)
    import pytest

    with pytest.raises(ValueError, match="point explains 6 rows but X_explain has 3"):
        bootstrap_explanation(ex, X, X.iloc[:3], n_boot=3, point=done)


def test_threaded_replicates_give_the_serial_results_and_share_the_fits():
    """n_jobs=2, prefer="threads" (the study's setting): identical replicates, one fit per resample
    shared by both bootstraps (the memo lives in this process), each fit on a worker thread."""
    import threading

    import pytest

    X, y, graph = _case(seed=4)
    model = LinearRegression().fit(X, y)
    ex = cx.CausalExplainer(model, graph, value="causal", n_samples=40, n_jobs=2, check_manifold=False).fit(X)
    serial = bootstrap_explanation(ex, X, X.iloc[:3], n_boot=4, refit=_shared_refit(CountingLR()), y=y,
                                   random_state=7)
    serial_eff = bootstrap_effects(ex, X, n_boot=4, refit=_shared_refit(CountingLR()), y=y, random_state=7,
                                   n_draws=100)
    CountingLR.fits = 0
    where = []

    class WhereLR(CountingLR):
        def fit(self, X, y, sample_weight=None):
            where.append(threading.current_thread() is threading.main_thread())
            return super().fit(X, y, sample_weight)

    shared = _shared_refit(WhereLR())
    par = bootstrap_explanation(ex, X, X.iloc[:3], n_boot=4, refit=shared, y=y, random_state=7, n_jobs=2,
                                prefer="threads")
    par_eff = bootstrap_effects(ex, X, n_boot=4, refit=shared, y=y, random_state=7, n_draws=100, n_jobs=2,
                                prefer="threads")
    np.testing.assert_array_equal(par.replicates, serial.replicates)
    for a, b in zip(par_eff, serial_eff):
        assert (a.total, a.total_stderr, a.direct_stderr) == (b.total, b.total_stderr, b.direct_stderr)
    assert len(where) == 4 and not any(where)  # four fits, none on the main thread
    with pytest.raises(ValueError, match="prefer='thread' is not supported"):
        bootstrap_explanation(ex, X, X.iloc[:3], n_boot=2, n_jobs=2, prefer="thread")
