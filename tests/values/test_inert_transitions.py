"""Transitions u(S, i) that equal v(S ∪ {i}) exactly, and the model rows they save.

``Game.transition_is_value`` flags the transitions S -> S ∪ {i} whose middle term of the
direct/indirect split needs no model call: filling S and S ∪ {i} draw every other absent
feature by the same calls on the same inputs (no absent feature's draw reads i). The checks
here are independent of that analysis:

* against the game itself: for every (S, i) of a small graph, ``game.transitions`` (rows
  filled for S, then i set to x_i) is compared with ``game(S ∪ {i})`` — with common random
  numbers and a model that reads every feature they coincide bit for bit exactly when the
  transition is inert, so the flags must equal that equality, both ways;
* against the graph: on a DAG the flags are "no absent node other than i has i as a parent",
  computed from networkx;
* end to end: an explanation with ``decompose=True`` gives the same values, direct and
  indirect parts as one with the shortcut switched off, with fewer model rows.
"""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import causalx as cx
from causalx.values.games import Game

EDGES = [("a", "c"), ("b", "c"), ("c", "d"), ("a", "e"), ("d", "f"), ("e", "f")]
NODES = ["a", "b", "c", "d", "e", "f"]


def _data(n=600, seed=0):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=n), rng.normal(size=n)
    c = 0.7 * a - 0.5 * b + 0.5 * rng.normal(size=n)
    d = 0.8 * c + 0.5 * rng.normal(size=n)
    e = -0.6 * a + 0.6 * rng.normal(size=n)
    f_ = 0.5 * d + 0.4 * e + 0.5 * rng.normal(size=n)
    return pd.DataFrame({"a": a, "b": b, "c": c, "d": d, "e": e, "f": f_})


def _model(X):
    X = np.asarray(X, dtype=float)
    return np.sin(X[:, 0]) + X[:, 1] * X[:, 2] + np.tanh(X[:, 3]) + 0.3 * X[:, 4] ** 2 + X[:, 5] * X[:, 0]


def _all_transitions(d):
    masks, players = [], []
    for bits in itertools.product([False, True], repeat=d):
        m = np.array(bits)
        for i in np.flatnonzero(~m):
            if m.sum() < d - 1:  # S ∪ {i} = everything is f(x) on both sides
                masks.append(m)
                players.append(i)
    return np.array(masks), np.array(players)


def _game(explainer, X) -> Game:
    return explainer._game(np.asarray(X, dtype=float))


def _flags_and_equality(explainer, X):
    game = _game(explainer, X)
    masks, players = _all_transitions(game.n_players)
    flags = game.transition_is_value(masks, players)
    u = game.transitions(masks, players)
    nxt = masks.copy()
    nxt[np.arange(len(masks)), players] = True
    v = game(nxt)
    equal = np.all(u == v, axis=(0, 2))
    return masks, players, flags, equal


@pytest.mark.parametrize("sampler", ["gaussian", "mechanism"])
def test_dag_flags_are_the_parent_rule_and_the_exact_equality(sampler):
    df = _data()
    graph = cx.CausalGraph(nodes=NODES, edges=EDGES)
    ex = cx.CausalExplainer(_model, graph, value="causal", sampler=sampler, n_samples=40, check_manifold=False)
    ex.fit(df)
    masks, players, flags, equal = _flags_and_equality(ex, df.iloc[:3])
    g = nx.DiGraph(EDGES)
    rule = np.array([not any((not m[NODES.index(ch)]) for ch in g.successors(NODES[i])) for m, i in zip(masks, players)])
    np.testing.assert_array_equal(flags, rule)
    assert 0.2 < flags.mean() < 0.9
    assert np.all(equal[flags])  # inert: the same numbers, bit for bit
    if sampler == "gaussian":  # every conditioning column moves the Gaussian draw: equality only when inert
        np.testing.assert_array_equal(flags, equal)


def test_admg_identified_flags_match_the_exact_equality():
    # hidden confounders a <-> b and b <-> d (b -> c -> d: a front-door law with copies)
    df = _data(seed=1)
    graph = cx.CausalGraph(nodes=NODES, edges=EDGES, confounded=[("a", "b"), ("b", "d")])
    ex = cx.CausalExplainer(_model, graph, value="causal", causal_semantics="identified", n_samples=40,
                            check_manifold=False).fit(df)
    assert ex.causal_semantics_ == "identified"
    masks, players, flags, equal = _flags_and_equality(ex, df.iloc[:3])
    assert flags.any() and not flags.all()
    assert np.all(equal[flags])
    # laws that sum a variable out (front-door copies) are left to the model (conservative);
    # among the others the flags are exactly the equality
    nxt = masks.copy()
    nxt[np.arange(len(masks)), players] = True
    copies = np.array([ex.identifier_.identify(m).n_scopes > 0 or ex.identifier_.identify(n).n_scopes > 0
                       for m, n in zip(masks, nxt)])
    assert copies.any() and not copies.all()
    np.testing.assert_array_equal(flags[~copies], equal[~copies])


@pytest.mark.parametrize("confounded", [False, True])
def test_chain_components_flags_match_the_exact_equality(confounded):
    df = _data(seed=2)
    conf = [("c", "e")] + ([("a", "b"), ("d", "f")] if confounded else [])
    graph = cx.CausalGraph(nodes=NODES, components=[["a", "b"], ["c", "e"], ["d", "f"]], confounded=conf)
    ex = cx.CausalExplainer(_model, graph, value="causal", causal_semantics="chain", n_samples=40,
                            check_manifold=False).fit(df)
    masks, players, flags, equal = _flags_and_equality(ex, df.iloc[:3])
    assert flags.any() and not flags.all()
    assert np.all(equal[flags])
    # i drawn jointly with another absent member is left to the model (conservative: a
    # Cholesky draw can coincide when i comes last in the block); elsewhere flags == equality
    member_of = {j: comp.members for comp in ex.components_ for j in comp.members}
    alone = np.array([not np.any(~m[member_of[i]] & (member_of[i] != i)) for m, i in zip(masks, players)])
    np.testing.assert_array_equal(flags[alone], equal[alone])


@pytest.mark.parametrize(("asymmetric", "method"), [(False, "exact"), (False, "permutation"), (True, "exact")])
def test_decomposition_unchanged_with_fewer_model_rows(monkeypatch, asymmetric, method):
    df = _data(seed=3)
    graph = cx.CausalGraph(nodes=NODES, edges=EDGES)

    def run():
        ex = cx.CausalExplainer(_model, graph, value="causal", asymmetric=asymmetric, method=method, n_samples=60,
                                n_permutations=8 if method == "permutation" else None, check_manifold=False)
        return ex.fit(df).explain(df.iloc[:4], decompose=True)

    fast = run()
    monkeypatch.setattr(Game, "transition_is_value", lambda self, masks, players: np.zeros(len(masks), dtype=bool))
    slow = run()
    for part in ("values", "direct", "indirect", "stderr"):
        np.testing.assert_allclose(getattr(fast, part), getattr(slow, part), rtol=0, atol=1e-12)
    if asymmetric:  # orderings follow the DAG: a node's children come after it, only the leaf f (always
        # last, S ∪ {f} = everything) is inert, so nothing is saved here
        assert fast.provenance["n_model_evals"] == slow.provenance["n_model_evals"]
    else:
        assert fast.provenance["n_model_evals"] < 0.8 * slow.provenance["n_model_evals"]
    # leaf f has no children: its indirect part is 0 in every row, exactly
    assert np.all(fast.indirect[:, NODES.index("f")] == 0.0)
