"""Identification of interventional laws P(X_S̄ | do(x_S)) in an ADMG, as sampling programs.

A causal graph with bidirected edges (an ADMG: a DAG over the features plus unobserved common
causes) does not always let the data tell what setting some features does to the others. For a
coalition ``S`` the law of every other feature ``Y = V ∖ S`` under ``do(X_S = x_S)`` is, by
Tian & Pearl's c-component factorisation,

    P(y | do(x_S)) = Π_D Q[D],   D the districts (bidirected-connected sets) of G[Y],

and each ``Q[D] = P(d | do(v ∖ d))`` is identified from the observational distribution when
Tian's ``Identify(D, C, Q[C])`` succeeds, ``C`` being the c-component of G holding ``D``:

* ``Q[C] = Π_{V_i ∈ C} P(v_i | v^(i−1))`` (topological order π; by Tian's lemma the condition
  reduces to ``(T_i ∪ pa(T_i)) ∖ {V_i}``, ``T_i`` the c-component of ``V_i`` in ``G[V^(i)]``);
* with ``A = An(D)`` in ``G[C]``: if ``A = D``, ``Q[D] = Σ_{C ∖ D} Q[C]``; if ``A = C`` the
  law is not identified (a hedge); otherwise recurse on ``Q[A] = Σ_{C∖A} Q[C]`` and the
  c-component of ``G[A]`` holding ``D``.

This module turns the expression into a *sampling program*: draws in topological order, each
``X_i ~ P(X_i | conditioning slots)`` with an observational conditional. A summed-out variable
becomes a fresh draw of a *copy* of it, in its own scope, from its own factor — the front-door
term ``Σ_{x1'} P(x3 | x1', x2) P(x1')`` is ``x1' ~ P(X1)``, ``x3 ~ P(X3 | x1', x2)``. Samplers
execute the program (:class:`causalx.values.IdentifiedFiller`); the identification itself runs
once per distinct coalition (cache by mask).

Why not a library's ID algorithm: DoWhy's ``IDIdentifier`` (and y0's, ananke's) return a nested
sum-product *expression* without an evaluation order or scopes for the re-bound variables; a
sampler needs exactly that, which is Tian's recursion itself. The tests cross-check which laws
are identified against DoWhy's ID algorithm on random ADMGs.

References
----------
.. [1] Tian, J. and Pearl, J. (2002). A general identification condition for causal effects.
   AAAI, 567–573 (the c-component factorisation and ``Identify``).
.. [2] Shpitser, I. and Pearl, J. (2006). Identification of joint interventional distributions
   in recursive semi-Markovian causal models. AAAI, 1219–1226 (completeness; hedges).
.. [3] Huang, Y. and Valtorta, M. (2006). Pearl's calculus of intervention is complete. UAI.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from causalx.exceptions import CausalxError

__all__ = ["ADJUSTMENTS", "Draw", "IdentifiedLaw", "Identifier", "NotIdentifiableError"]

#: how a coalition's law was identified, from the simplest to the most general
ADJUSTMENTS = ("none", "back-door", "front-door", "general")


class NotIdentifiableError(CausalxError, ValueError):
    """P(X_S̄ | do(x_S)) is not identified from the observational distribution under the graph."""


@dataclass(frozen=True)
class Draw:
    """One step of a sampling program: ``slot(node, scope) ~ P(X_node | X_given)``.

    Attributes
    ----------
    node : int
        Column of the drawn variable.
    scope : int
        0 for the variable's value in the interventional world; ``k >= 1`` for the ``k``-th
        independent copy (a summed-out variable of the identified expression).
    given : tuple of (int, int)
        The conditioning slots ``(column, scope)``; scope-0 slots of intervened columns hold
        the intervened values.
    """

    node: int
    scope: int
    given: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class IdentifiedLaw:
    """The sampling program of ``P(X_S̄ | do(x_S))`` for one coalition.

    Attributes
    ----------
    mask : ndarray of shape (d,), bool
        The coalition ``S`` (intervened columns).
    draws : tuple of Draw
        In sampling order (every conditioning slot is drawn or intervened before it is used).
    n_scopes : int
        Number of copy scopes used (0 when nothing is summed out).
    adjustment : {"none", "back-door", "front-door", "general"}
        ``"none"``: every draw conditions on its parents only (the truncated factorisation);
        ``"back-door"``: some draws condition on more than their parents, no copies;
        ``"front-door"``: summed-out variables are drawn as copies; ``"general"``: Tian's
        recursive step was needed.
    """

    mask: np.ndarray
    draws: tuple[Draw, ...]
    n_scopes: int
    adjustment: str


#: Identifier.shared's instances, least recently used first
_SHARED: dict[tuple, Identifier] = {}


@dataclass
class Identifier:
    """Identify every coalition's interventional law in one ADMG (cached by coalition).

    Parameters
    ----------
    n_nodes : int
    edges : iterable of (int, int)
        Directed edges between columns ``(cause, effect)``.
    confounded : iterable of (int, int)
        Bidirected pairs (an unobserved common cause).
    order : sequence of int
        A topological order of the directed edges.
    names : sequence of str, optional
        Column names, for the error messages.

    Examples
    --------
    The front-door graph X1 → X2 → X3 with X1 ↔ X3:

    >>> ident = Identifier(3, [(0, 1), (1, 2)], [(0, 2)], [0, 1, 2], names=["X1", "X2", "X3"])
    >>> law = ident.identify(np.array([True, False, False]))
    >>> law.adjustment, [(s.node, s.scope, s.given) for s in law.draws]
    ('front-door', [(0, 1, ()), (1, 0, ((0, 0),)), (2, 0, ((0, 1), (1, 0)))])

    that is x1' ~ P(X1), x2 ~ P(X2 | x1), x3 ~ P(X3 | x1', x2). A bow is not identified:

    >>> Identifier(2, [(0, 1)], [(0, 1)], [0, 1], names=["X", "Y"]).identify(np.array([True, False]))
    Traceback (most recent call last):
    ...
    causalx.graph.identification.NotIdentifiableError: P(Y | do(X)) is not identifiable ...
    >>> ident.identify(np.array([False, True, False])).adjustment
    'back-door'
    """

    n_nodes: int
    edges: Iterable[tuple[int, int]]
    confounded: Iterable[tuple[int, int]]
    order: Sequence[int]
    names: Sequence[str] | None = None
    _cache: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        d = int(self.n_nodes)
        self.edges = tuple((int(a), int(b)) for a, b in self.edges)
        self.confounded = tuple((int(a), int(b)) for a, b in self.confounded)
        self.order = tuple(int(v) for v in self.order)
        self.names = tuple(self.names) if self.names is not None else tuple(f"X{j}" for j in range(d))
        self._pos = np.empty(d, dtype=np.int64)
        self._pos[list(self.order)] = np.arange(d)
        self._parents = [set() for _ in range(d)]
        for a, b in self.edges:
            self._parents[b].add(a)
        self._bidir = [set() for _ in range(d)]
        for a, b in self.confounded:
            self._bidir[a].add(b)
            self._bidir[b].add(a)
        self._cond = [self._tian_condition(v) for v in range(d)]

    @classmethod
    def from_graph(cls, graph, feature_names: Sequence[str] | None = None) -> Identifier:
        """The identifier of a :class:`~causalx.graph.CausalGraph`, over the columns ``feature_names``."""
        names = tuple(graph.nodes) if feature_names is None else tuple(feature_names)
        col = {n: j for j, n in enumerate(names)}
        return cls(
            len(names),
            [(col[a], col[b]) for a, b in graph.edges],
            [(col[a], col[b]) for a, b in graph.confounded],
            [col[v] for v in graph.topological_order()],
            names=names,
        )

    @classmethod
    def shared(cls, graph, feature_names: Sequence[str] | None = None) -> Identifier:
        """:meth:`from_graph`, one instance per graph (by digest) and column order in this process.

        A law depends on the graph and the coalition alone, so explainers of the same graph (a
        bootstrap's replicates, the explanations of one study) share the cache of identified
        laws instead of identifying every coalition again. The 16 most recent are kept.
        """
        names = tuple(graph.nodes) if feature_names is None else tuple(feature_names)
        key = (graph.digest(), names)
        hit = _SHARED.pop(key, None)
        if hit is None:
            hit = cls.from_graph(graph, names)
        _SHARED[key] = hit  # most recent last
        while len(_SHARED) > 16:
            _SHARED.pop(next(iter(_SHARED)))
        return hit

    def condition(self, node: int) -> tuple[int, ...]:
        """Tian's conditioning set of ``node``: the columns its factor ``P(x_node | ·)`` uses."""
        return self._cond[int(node)]

    # ------------------------------------------------------------------ graph helpers
    def _districts(self, nodes: Iterable[int]) -> list[frozenset[int]]:
        """Bidirected-connected components of the induced subgraph on ``nodes``."""
        left = set(nodes)
        out = []
        while left:
            start = min(left, key=lambda v: self._pos[v])
            comp, stack = {start}, [start]
            while stack:
                for w in self._bidir[stack.pop()] & left:
                    if w not in comp:
                        comp.add(w)
                        stack.append(w)
            left -= comp
            out.append(frozenset(comp))
        return out

    def _ancestors_within(self, targets: frozenset[int], within: frozenset[int]) -> frozenset[int]:
        """Ancestors of ``targets`` (themselves included) in the directed subgraph on ``within``."""
        seen, stack = set(targets), list(targets)
        while stack:
            for p in self._parents[stack.pop()] & within:
                if p not in seen:
                    seen.add(p)
                    stack.append(p)
        return frozenset(seen)

    def _tian_condition(self, v: int) -> tuple[int, ...]:
        """``(T ∪ pa(T)) ∖ {v}`` with ``T`` the c-component of ``v`` in ``G[V^(i)]``: the set
        ``P(x_v | v^(i−1))`` depends on (Tian & Pearl 2002, Lemma 1), in topological order."""
        prefix = frozenset(int(u) for u in self.order[: self._pos[v] + 1])
        comp = next(c for c in self._districts(prefix) if v in c)
        cond = (set(comp) | {p for u in comp for p in self._parents[u]}) - {v}
        return tuple(sorted(cond, key=lambda u: self._pos[u]))

    def _names(self, nodes: Iterable[int]) -> list[str]:
        return [self.names[v] for v in sorted(nodes, key=lambda u: self._pos[u])]

    # ------------------------------------------------------------------ identification
    def identify(self, mask: np.ndarray) -> IdentifiedLaw:
        """The sampling program of ``P(X_S̄ | do(x_S))`` for the coalition ``mask`` (cached).

        Raises
        ------
        NotIdentifiableError
            Naming the coalition, the features whose law is not identified and the
            bidirected edges that make it so.
        """
        mask = np.asarray(mask, dtype=bool)
        key = mask.tobytes()
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        law = self._identify(mask)
        self._cache[key] = law
        return law

    def _identify(self, mask: np.ndarray) -> IdentifiedLaw:
        d = self.n_nodes
        intervened = frozenset(np.flatnonzero(mask).tolist())
        rest = frozenset(range(d)) - intervened
        draws: list[tuple[int, Draw]] = []  # (sort key, draw)
        n_scopes = 0
        general = False
        for district in self._districts(rest):
            comp = next(c for c in self._districts(range(d)) if district <= c)
            program, n_scopes, recursed = self._q_of_district(district, comp, intervened, n_scopes)
            general |= recursed
            for step in program:
                draws.append(((int(self._pos[step.node]), step.scope), step))
        draws.sort(key=lambda t: t[0])
        steps = tuple(s for _, s in draws)
        used_scopes = sorted({s.scope for s in steps if s.scope > 0})
        renumber = {old: new for new, old in enumerate(used_scopes, start=1)}
        steps = tuple(
            Draw(s.node, renumber.get(s.scope, 0), tuple((c, renumber.get(k, 0)) for c, k in s.given))
            for s in steps
        )
        if general:
            adjustment = "general"
        elif used_scopes:
            adjustment = "front-door"
        elif any(set(c for c, _ in s.given) != self._parents[s.node] for s in steps):
            adjustment = "back-door"
        else:
            adjustment = "none"
        m = mask.copy()
        m.setflags(write=False)
        return IdentifiedLaw(mask=m, draws=steps, n_scopes=len(used_scopes), adjustment=adjustment)

    def _q_of_district(self, district, comp, intervened, n_scopes):
        """Draws of ``Q[district]`` from ``Q[comp]`` (Tian's ``Identify``), and the scopes used.

        ``Q[T]`` is held as its factors ``{v: condition}``: ``Π_{v ∈ T} P(x_v | x_condition)``
        where condition nodes inside ``T`` take ``T``'s values and the others their actual
        (intervened or drawn) values. Every c-component of G starts from Tian's factors.
        """
        factors = {v: self._cond[v] for v in comp}
        recursed = False
        T = comp
        while True:
            anc = self._ancestors_within(district, T)
            if anc == district:
                break
            if anc == T:
                raise self._hedge(district, T, intervened)
            # D ⊂ A ⊂ T: Q[A] = Σ_{T∖A} Q[T]. When no factor of A conditions on T ∖ A, the sum
            # drops the factors of T ∖ A, Q[A] keeps A's factors, and the conditionals of Q[A]
            # in topological order are those factors again: Q[T'] for the c-component T' of
            # G[A] holding D is the product of T''s factors (the others now take actual values).
            dropped = T - anc
            if any(u in dropped for v in anc for u in factors[v]):
                raise self._unsupported(district, T, anc, intervened)
            T = next(c for c in self._districts(anc) if district <= c)
            factors = {v: factors[v] for v in T}
            recursed = True
        copy_scope = n_scopes + 1
        last = max(self._pos[v] for v in district)
        members = sorted((v for v in T if self._pos[v] <= last), key=lambda v: self._pos[v])

        def slot(u: int) -> tuple[int, int]:
            return (u, copy_scope) if (u in T and u not in district) else (u, 0)

        program = [Draw(v, slot(v)[1], tuple(slot(u) for u in factors[v])) for v in members]
        # keep a copy only when a kept draw conditions on it (backwards over the program)
        needed = {(v, 0) for v in district}
        kept = []
        for step in reversed(program):
            if (step.node, step.scope) in needed:
                kept.append(step)
                needed.update(g for g in step.given if g[1] > 0)
        kept.reverse()
        used = any(s.scope > 0 for s in kept)
        return kept, (copy_scope if used else n_scopes), recursed

    # ------------------------------------------------------------------ errors
    def _coalition(self, intervened) -> str:
        return "{" + ", ".join(self._names(intervened)) + "}"

    def _pairs_within(self, nodes) -> list[str]:
        return [f"{self.names[a]} <-> {self.names[b]}" for a, b in self.confounded if a in nodes and b in nodes]

    def _hedge(self, district, comp, intervened) -> NotIdentifiableError:
        cut = comp & intervened
        return NotIdentifiableError(
            f"P({', '.join(self._names(district))} | do({', '.join(self._names(intervened)) or '∅'})) is not "
            f"identifiable from observational data (coalition {self._coalition(intervened)}): the "
            f"bidirected edge(s) {', '.join(self._pairs_within(comp))} confound "
            f"{', '.join(self._names(district))} with their own cause(s) {', '.join(self._names(cut))} "
            "(a hedge; Shpitser & Pearl 2006). Causal Shapley values need every coalition's law. "
            "Remove or justify those bidirected edges, declare chain components instead, or pass "
            "causal_semantics='chain' for Heskes et al.'s chain-component approximation."
        )

    def _unsupported(self, district, comp, anc, intervened) -> NotIdentifiableError:
        return NotIdentifiableError(
            f"P({', '.join(self._names(district))} | do({', '.join(self._names(intervened)) or '∅'})) "
            f"(coalition {self._coalition(intervened)}) is identifiable only through Tian's recursive step "
            f"with summed-out variables {', '.join(self._names(comp - anc))} inside the conditionals, which "
            f"causalx cannot sample yet (bidirected edges {', '.join(self._pairs_within(comp))}). Pass "
            "causal_semantics='chain' for the chain-component approximation, or simplify the confounding."
        )
