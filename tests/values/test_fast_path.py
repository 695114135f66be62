"""The optimised game loop (reused buffer, column-major rows framed without a copy, one BLAS
thread in the Gaussian draws) against a straightforward per-coalition reference (issue 17)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression

import causalx as cx
from causalx.graph._columns import chain_components
from causalx.samplers import GaussianSampler
from causalx.values._model import ModelFunction
from causalx.values.games import CausalFiller, Game


def _setup(frame: bool):
    rng = np.random.default_rng(5)
    names = ["a", "b", "c", "d"]
    B = np.tril(rng.uniform(-0.8, 0.8, (4, 4)), -1) + np.eye(4)
    X = pd.DataFrame(rng.normal(size=(400, 4)) @ B.T, columns=names)
    y = X.to_numpy() @ np.array([1.0, -2.0, 0.5, 3.0]) + np.sin(X["a"].to_numpy())
    model = LinearRegression().fit(X if frame else X.to_numpy(), y)
    graph = cx.CausalGraph(names, components=[["a"], ["b", "c"], ["d"]])
    sampler = GaussianSampler().fit(X.to_numpy())
    noise = sampler.draw_noise(64, np.random.default_rng(1))
    comps = chain_components(graph, names)
    return X.to_numpy()[:7], model, sampler, noise, comps, names


def _reference(game, model, X, filler, masks, frame, names):
    n, d = X.shape
    out = np.empty((n, len(masks), game.n_replicates))
    for j, mask in enumerate(masks):
        rows = np.empty((n, filler.n_draws, d))
        rows[:, :, mask] = X[:, None, mask]
        filler.fill(rows, mask)
        flat = rows.reshape(-1, d)
        preds = model.predict(pd.DataFrame(flat, columns=names) if frame else flat)
        out[:, j, :] = game._reduce(preds.reshape(n, filler.n_draws))
    return out


@pytest.mark.parametrize("frame", [True, False])
@pytest.mark.parametrize("budget", [2**16, 2**28])
def test_game_matches_reference(frame, budget):
    X, model, sampler, noise, comps, names = _setup(frame)
    f = ModelFunction(model, names)
    assert f.prefers_columns is frame
    filler = CausalFiller(sampler, noise, 64, comps)
    game = Game(f, X, filler, n_replicates=4)
    masks = np.array([m for m in itertools.product([False, True], repeat=4) if 0 < sum(m) < 4])
    with cx.config_context(max_batch_bytes=budget):  # small: several chunks and blocks of rows
        got = game(masks)
    ref = _reference(game, model, X, filler, masks, frame, names)
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-12)


def test_model_function_column_major_is_the_copy():
    X, model, *_ , names = _setup(True)
    f = ModelFunction(model, names)
    rows = np.random.default_rng(2).normal(size=(1000, 4))
    # the old path framed X[:, index] (a column-major copy); a column-major X is framed as is
    np.testing.assert_array_equal(f(np.asfortranarray(rows)), f(rows))
    permuted = ModelFunction(LinearRegression().fit(pd.DataFrame(rows[:, ::-1], columns=names[::-1]), rows[:, 0]), names)
    assert not permuted.prefers_columns
    np.testing.assert_allclose(permuted(np.asfortranarray(rows)), rows[:, 0], atol=1e-10)


class _Plain(GaussianSampler):
    """A Gaussian sampler that ignores given_fixed: the general path, the reference of the fast ones."""

    def sample_into(self, rows, target, given, noise, *, given_fixed=False):
        super().sample_into(rows, target, given, noise)  # drops the promise


def test_conditional_filler_tells_the_sampler_x_s_repeats():
    """The conditional game passes given_fixed=True (x_S is written into every draw), and the
    values equal those of a sampler that ignores the promise (the general path), to rounding (the
    Gaussian's conditional mean is then one product per explicand instead of one per draw)."""
    X, model, sampler, noise, _, _ = _setup(frame=False)
    calls = []

    class Spy(GaussianSampler):
        def _sample_into_fixed(self, rows, target, given, noise):
            calls.append(given.size)
            assert (rows[:, :, given] == rows[:, :1, given]).all()
            super()._sample_into_fixed(rows, target, given, noise)

    graph = cx.CausalGraph(["a", "b", "c", "d"], components=[["a", "b", "c", "d"]])
    spy, plain = _spy_and_plain(Spy(), model, graph, "conditional", X)
    assert calls and all(c > 0 for c in calls)
    np.testing.assert_allclose(spy, plain, rtol=1e-12, atol=1e-12)


def test_causal_filler_marks_the_intervened_columns_as_fixed():
    """The causal game passes the coalition's mask as given_fixed (x_S repeats over the draws, the
    earlier components' draws do not): the sampler sees both kinds, the marked ones really
    repeat, and the values equal those of a sampler that ignores the mask, to rounding."""
    X, model, _, _, _, _ = _setup(frame=False)
    kinds = []

    class Spy(GaussianSampler):
        def _sample_into_partial(self, rows, target, given, noise, fixed):
            kinds.append((int(fixed.sum()), int((~fixed).sum())))
            assert (rows[:, :, given[fixed]] == rows[:, :1, given[fixed]]).all()
            assert not (rows[:, :, given[~fixed]] == rows[:, :1, given[~fixed]]).all()
            super()._sample_into_partial(rows, target, given, noise, fixed)

    graph = cx.CausalGraph(["a", "b", "c", "d"], components=[["a", "b"], ["c"], ["d"]])
    spy, plain = _spy_and_plain(Spy(), model, graph, "causal", X)
    assert kinds and all(f > 0 and v > 0 for f, v in kinds)
    np.testing.assert_allclose(spy, plain, rtol=1e-12, atol=1e-12)


def _spy_and_plain(spy, model, graph, value, X):
    """The values of the first 3 rows of X with the spying sampler and with one ignoring the masks."""
    Xb = np.random.default_rng(5).normal(size=(300, 4)).cumsum(axis=1)
    return [cx.CausalExplainer(model.predict, graph, value=value, sampler=s, method="exact", n_samples=64,
                               random_state=0).fit(Xb).explain(X[:3]).values for s in (spy, _Plain())]
