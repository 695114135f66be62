"""Value functions v(S) as batched games over an explained set of rows.

A game maps a batch of coalitions (boolean masks of shape (m, d)) to an array of shape
(n_explicands, m, n_replicates): the Monte Carlo estimate of

* ``marginal``:     v(S) = E_{X ~ P(X)}[f(x_S, X_S̄)]                (interventional SHAP)
* ``conditional``:  v(S) = E_{X ~ P(X | X_S = x_S)}[f(x_S, X_S̄)]   (observational)
* ``causal``:       v(S) = E_{X ~ P(X | do(X_S = x_S))}[f(x_S, X_S̄)] (Heskes et al. 2020), from
  the chain components (:class:`CausalFiller`) or, for an ADMG, from the identified law
  (:class:`IdentifiedFiller`)

split into ``n_replicates`` independent batch means (their spread is the Monte Carlo error).
The model is called on one large array per chunk of (coalitions × explicands × draws), sized
from the memory budget ``config_context(max_batch_bytes=...)``; there is no Python loop per row
or per draw. The same noise (common random numbers) is used for every coalition, so the
differences v(S ∪ i) − v(S) that Shapley values are made of have low variance.

Rows that do not depend on the explicand (the empty coalition: its draws come from P(X) for
every value function) are evaluated once; the full coalition is f(x), one row per explicand.

With ``groups`` (a membership matrix, players × features) the players are groups of features
(:mod:`causalx.graph.groups`): a coalition of players is the union of its members' columns,
filled by the same feature-level fillers, and a transition ``S -> S ∪ {i}`` sets all of group
``i``'s columns.
"""

from __future__ import annotations

import numpy as np

from causalx._config import get_config
from causalx.graph import ChainComponent
from causalx.samplers.gaussian import one_blas_thread
from causalx.utils.arrays import assign_columns, replicate_groups
from causalx.values._model import ModelFunction

__all__ = ["CausalFiller", "ConditionalFiller", "Game", "IdentifiedFiller", "MarginalFiller"]


# ---------------------------------------------------------------------------------- fillers
class MarginalFiller:
    """Fill absent features from background rows: draw k of the game is background row k."""

    antithetic = False  # draws are background rows, independent units

    def __init__(self, background: np.ndarray):
        self.background = np.ascontiguousarray(background, dtype=np.float64)

    @property
    def n_draws(self) -> int:
        return self.background.shape[0]

    def fill(self, rows: np.ndarray, mask: np.ndarray) -> None:
        absent = np.flatnonzero(~mask)
        if absent.size:
            rows[:, :, absent] = self.background[None, :, absent]


class ConditionalFiller:
    """Fill absent features from the sampler's observational conditional P(X_S̄ | x_S).

    ``rows[i, :, S]`` must hold ``x_S`` of explicand ``i`` in every draw (the game writes it so):
    the sampler is told so and conditions once per explicand.
    """

    def __init__(self, sampler, noise, n_draws: int, *, antithetic: bool = False):
        self.sampler, self.noise, self.n_draws = sampler, noise, n_draws
        #: the noise came from ``draw_noise(..., antithetic=True)``: pairs are the independent units
        self.antithetic = bool(antithetic)

    def fill(self, rows: np.ndarray, mask: np.ndarray) -> None:
        absent = np.flatnonzero(~mask)
        if absent.size:
            # the game wrote x_S into every draw of an explicand: the sampler may read it once
            self.sampler.sample_into(rows, absent, np.flatnonzero(mask), self.noise, given_fixed=True)


class CausalFiller:
    """Fill absent features from P(X_S̄ | do(X_S = x_S)), component by component (Heskes Thm 1).

    For each chain component τ in topological order, the absent members τ ∩ S̄ are drawn
    jointly from P(X_{τ∩S̄} | X_pa(τ) [, x_{τ∩S} when τ is unconfounded]); a confounded
    component ignores its own intervened members.

    Samplers that draw along the DAG (``supports_conditional = False``, the mechanism sampler)
    instead receive, in a confounded component, the intervened members that are direct causes
    of the drawn ones: their structural equations take the intervened value, while the jointly
    drawn residuals keep the confounding (the do-operator on the SCM itself).
    """

    def __init__(self, sampler, noise, n_draws: int, components: tuple[ChainComponent, ...], *,
                 antithetic: bool = False):
        self.sampler, self.noise, self.n_draws, self.components = sampler, noise, n_draws, tuple(components)
        #: the noise came from ``draw_noise(..., antithetic=True)``: pairs are the independent units
        self.antithetic = bool(antithetic)
        self._along_dag = not getattr(sampler, "supports_conditional", True)

    def transition_is_value(self, masks: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Which transitions ``S -> S ∪ C`` leave every other absent column's draw unchanged.

        ``masks`` (m, d) are the coalitions S and ``cols`` (m, d) the columns C set by each
        transition (absent in S). Filling S draws C too; a transition is *inert* when no draw of
        another absent column reads a column of C (it is not in the ``given`` set of any draw)
        and C is not drawn jointly with other absent columns. Then the draws of X_{S̄∖C} under
        the fill of S and of S ∪ C are the same calls on the same inputs (the same numbers under
        the shared noise), so u(S, C) = v(S ∪ C): the transition's indirect part is exactly 0.
        Vectorised over the transitions (one pass per chain component).
        """
        masks = np.asarray(masks, dtype=bool)
        cols = np.asarray(cols, dtype=bool)
        ok = np.ones(masks.shape[0], dtype=bool)
        for comp in self.components:
            absent = ~masks[:, comp.members]  # (m, k): the drawn members of this component
            active = absent.any(axis=1)
            if not active.any():
                continue
            reads = np.zeros_like(masks)
            reads[:, comp.parents] = True
            if not comp.confounded:
                reads[:, comp.members] = ~absent
            elif self._along_dag:
                # the present members that are direct causes of a drawn one (see fill)
                reads[:, comp.members] = ~absent & ((absent.astype(np.int32) @ comp.inner.T.astype(np.int32)) > 0)
            set_here = cols[:, comp.members] & absent
            joint = set_here.any(axis=1) & (absent & ~cols[:, comp.members]).any(axis=1)
            read = (reads & cols).any(axis=1)
            ok &= ~(active & (read | joint))
        return ok

    def fill(self, rows: np.ndarray, mask: np.ndarray) -> None:
        for comp in self.components:
            present = mask[comp.members]
            target = comp.members[~present]
            if target.size == 0:
                continue
            if not comp.confounded:
                given = np.concatenate([comp.parents, comp.members[present]])
            elif self._along_dag:
                causes = present & comp.inner[:, ~present].any(axis=1)
                given = np.concatenate([comp.parents, comp.members[causes]])
            else:
                given = comp.parents
            # the present columns hold x_S in every draw: a sampler may condition on them once
            self.sampler.sample_into(rows, target, np.sort(given), self.noise, given_fixed=mask)


class IdentifiedFiller:
    """Fill absent features from the *identified* law P(X_S̄ | do(X_S = x_S)) of an ADMG.

    For each coalition the :class:`~causalx.graph.identification.Identifier` gives a sampling
    program (cached by mask): draws in topological order, each ``X_v ~ P(X_v | X_cond)`` with
    Tian's conditioning set of ``v``, and fresh *copies* (own scope) of the variables the
    identified expression sums out — the front-door term ``Σ_{x1'} P(x3 | x1', x2) P(x1')`` is
    ``x1' ~ P(X1)`` then ``x3 ~ P(X3 | x1', x2)``. A draw of the world (scope 0) uses the shared
    noise (common random numbers across coalitions, as every filler); copy scope ``k`` uses
    its own noise, drawn once per explanation from the ``k``-th child of ``noise_seed``.

    Parameters
    ----------
    sampler : BaseSampler
        Fitted; :meth:`~causalx.samplers.BaseSampler.sample_factor_into` draws one factor.
    noise : object
        ``sampler.draw_noise(n_draws, ...)``: the noise of the world's draws.
    n_draws : int
    identifier : causalx.graph.identification.Identifier
    noise_seed : numpy.random.SeedSequence
        Parent of the copies' noise seeds.
    antithetic : bool, default False
        ``noise`` holds antithetic pairs; the copies' noise is drawn the same way.
    """

    def __init__(self, sampler, noise, n_draws: int, identifier, noise_seed: np.random.SeedSequence, *,
                 antithetic: bool = False):
        self.sampler, self.noise, self.n_draws = sampler, noise, n_draws
        self.identifier, self.noise_seed = identifier, noise_seed
        #: the noise (and every copy's) came from ``draw_noise(..., antithetic=True)``
        self.antithetic = bool(antithetic)
        self._copy_noise: dict[int, object] = {}

    def copy_noise(self, scope: int):
        """The noise of copy scope ``scope`` (>= 1), the same in every coalition and process."""
        hit = self._copy_noise.get(scope)
        if hit is None:
            seq = np.random.SeedSequence(self.noise_seed.entropy, spawn_key=(*self.noise_seed.spawn_key, scope))
            hit = self._copy_noise[scope] = self.sampler.draw_noise(self.n_draws, np.random.default_rng(seq),
                                                                    antithetic=self.antithetic)
        return hit

    def transition_is_value(self, masks: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Which transitions ``S -> S ∪ C`` leave every other absent column's draw unchanged.

        True where the programs of S and S ∪ C draw every column outside C by the same steps
        (same node, conditioning slots and order), none of them reads a column of C, and
        neither program sums anything out: the draws of X_{S̄∖C} are then the same calls on the
        same inputs, so u(S, C) = v(S ∪ C) (see :meth:`CausalFiller.transition_is_value`). For a
        DAG this holds when no absent column has a parent in C. One comparison of two cached
        programs per transition.
        """
        masks = np.asarray(masks, dtype=bool)
        cols = np.asarray(cols, dtype=bool)
        ok = np.zeros(masks.shape[0], dtype=bool)
        for t in range(masks.shape[0]):
            law, c = self.identifier.identify(masks[t]), cols[t]
            if law.n_scopes:
                continue
            nxt = self.identifier.identify(masks[t] | c)
            if nxt.n_scopes:
                continue
            rest = tuple(step for step in law.draws if not c[step.node])
            ok[t] = rest == tuple(nxt.draws) and not any(c[col] for step in rest for col, _ in step.given)
        return ok

    def fill(self, rows: np.ndarray, mask: np.ndarray) -> None:
        law = self.identifier.identify(mask)
        copies: dict[int, np.ndarray] = {}
        scratch = None
        for step in law.draws:
            node = np.array([step.node])
            given = np.array(sorted(c for c, _ in step.given), dtype=np.int64)
            noise = self.noise if step.scope == 0 else self.copy_noise(step.scope)
            if step.scope == 0 and all(k == 0 for _, k in step.given):
                self.sampler.sample_factor_into(rows, node, given, noise)
                continue
            if scratch is None:
                scratch = np.empty_like(rows)
            for c, k in step.given:
                scratch[:, :, c] = rows[:, :, c] if k == 0 else copies[k][:, :, c]
            self.sampler.sample_factor_into(scratch, node, given, noise)
            dest = rows if step.scope == 0 else copies.setdefault(step.scope, np.empty_like(rows))
            dest[:, :, step.node] = scratch[:, :, step.node]


# ---------------------------------------------------------------------------------- the game
class Game:
    """A batched value function over the explained rows ``X`` (see the module docstring).

    Parameters
    ----------
    f : ModelFunction
        The model, reduced to ``f(X) -> (r,)``.
    X : ndarray of shape (n_explicands, n_features)
        The explained rows.
    filler : MarginalFiller, ConditionalFiller or CausalFiller
        How absent features are filled in.
    n_replicates : int
        Number of batch means returned per value (>= 1, at most the number of draws; with a
        filler whose ``antithetic`` is true, at most the number of pairs, and each batch holds
        whole pairs).
    n_jobs : int
        Worker processes (joblib); the explained rows are split between them. Results do not
        depend on ``n_jobs``: the noise is drawn once, before the split.
    record : int
        Keep an evenly strided sample of about this many of the rows the model is evaluated on
        (``recorded_rows``), for manifold diagnostics. 0 keeps none.
    backend : {"local", "dask"}
        ``"dask"``: blocks of explained rows are tasks of the active ``distributed.Client``;
        the game without its explained rows (model, filler, fitted sampler, shared noise) is
        scattered to the workers once and reused by every later call. Results are identical
        to ``n_jobs=1`` (each explained row's values do not depend on how rows are blocked).
    groups : ndarray of shape (n_players, n_features), bool, optional
        Players as groups of columns (each column in exactly one group); the masks passed to
        the game are then over the players. None: one player per column.
    """

    def __init__(
        self, f: ModelFunction, X: np.ndarray, filler, n_replicates: int = 16, n_jobs: int = 1, record: int = 0,
        backend: str = "local", groups: np.ndarray | None = None,
    ):
        self.f = f
        self.n_jobs = int(n_jobs)
        self.backend = backend
        self._shipped = None
        self.record = int(record)
        self._recorded: list[np.ndarray] = []
        self.X = np.ascontiguousarray(X, dtype=np.float64)
        self.groups = None if groups is None else self._check_groups(groups, self.X.shape[1])
        self._group_cols = None if groups is None else [np.flatnonzero(g) for g in self.groups]
        self.filler = filler
        self.n_draws = int(filler.n_draws)
        # antithetic draws: pairs are the independent units, and each replicate holds whole pairs
        paired = bool(getattr(filler, "antithetic", False))
        units = (self.n_draws + 1) // 2 if paired else self.n_draws
        self.n_replicates = int(max(1, min(n_replicates, units)))
        self._groups = replicate_groups(self.n_draws, self.n_replicates, paired=paired)
        self._starts = np.searchsorted(self._groups, np.arange(self.n_replicates))
        self._sizes = np.bincount(self._groups, minlength=self.n_replicates).astype(float)
        self._cache_empty: np.ndarray | None = None
        self._cache_full: np.ndarray | None = None
        self._coalitions: dict[bytes, np.ndarray] = {}

    @staticmethod
    def _check_groups(groups, d: int) -> np.ndarray:
        groups = np.asarray(groups, dtype=bool)
        if groups.ndim != 2 or groups.shape[1] != d or not np.array_equal(groups.sum(axis=0), np.ones(d)):
            raise ValueError(f"groups must be a (n_players, {d}) boolean membership matrix with each column in "
                             f"exactly one group, got shape {groups.shape}.")
        return groups

    @property
    def n_explicands(self) -> int:
        return self.X.shape[0]

    @property
    def n_features(self) -> int:
        return self.X.shape[1]

    @property
    def n_players(self) -> int:
        return self.X.shape[1] if self.groups is None else self.groups.shape[0]

    @property
    def n_model_evals(self) -> int:
        return self.f.n_evals

    @property
    def recorded_rows(self) -> np.ndarray:
        """A strided sample of the model-evaluated rows (coalitions other than empty/full), (r, d)."""
        if not self._recorded:
            return np.empty((0, self.n_features))
        rows = np.concatenate(self._recorded, axis=0)
        if rows.shape[0] > self.record:
            rows = rows[np.linspace(0, rows.shape[0] - 1, self.record).astype(int)]
        return rows

    @property
    def coalitions_evaluated(self) -> np.ndarray:
        """The distinct coalitions whose fill was drawn (empty included, full excluded), (c, d) bool,
        over the features (a group coalition as the union of its members)."""
        if not self._coalitions:
            return np.zeros((0, self.n_features), dtype=bool)
        return np.stack(list(self._coalitions.values()))

    def _keep(self, flat: np.ndarray, n_total_masks: int) -> None:
        if self.record <= 0:
            return
        # an even share per chunk, so every part of the coalition space is represented
        quota = max(1, int(np.ceil(4 * self.record * flat.shape[0] / max(1, n_total_masks * self.n_explicands * self.n_draws))))
        step = max(1, flat.shape[0] // quota)
        self._recorded.append(flat[::step].copy())

    # -------------------------------------------------------------- public batched calls
    def __call__(self, masks: np.ndarray) -> np.ndarray:
        """Values of the coalitions ``masks`` (m, d) bool: shape (n_explicands, m, n_replicates)."""
        masks = np.asarray(masks, dtype=bool)
        return self._evaluate(masks, np.full(masks.shape[0], -1))

    def transition_is_value(self, masks: np.ndarray, players: np.ndarray) -> np.ndarray:
        """Boolean ``(m,)``: transitions ``(S, i)`` whose ``u(S, i)`` is exactly ``v(S ∪ {i})``.

        True where filling S and filling S ∪ {i} draw the other absent features in the same way
        (:meth:`CausalFiller.transition_is_value`), e.g. a DAG node whose children are all in S:
        its effect cannot pass through an absent feature, so its indirect part is 0. The
        estimators then reuse ``v(S ∪ {i})`` instead of evaluating the model on new rows. False
        everywhere for fillers without that analysis (identified ADMG laws).
        """
        masks = np.asarray(masks, dtype=bool)
        players = np.asarray(players, dtype=int)
        probe = getattr(self.filler, "transition_is_value", None)
        if not callable(probe) or masks.shape[0] == 0:
            return np.zeros(masks.shape[0], dtype=bool)
        cols = np.zeros(masks.shape, dtype=bool)
        cols[np.arange(masks.shape[0]), players] = True
        if self.groups is not None:  # player coalitions and players -> their columns
            masks = (masks.astype(np.int32) @ self.groups.astype(np.int32)) > 0
            cols = (cols.astype(np.int32) @ self.groups.astype(np.int32)) > 0
        return np.asarray(probe(masks, cols), dtype=bool)

    def transitions(self, masks: np.ndarray, players: np.ndarray) -> np.ndarray:
        """u(S, i) = E_{X ~ P(· | do(x_S))}[f(X with X_i := x_i)] for each (S, i): (n, T, B).

        This is the middle term of the direct/indirect split (docs/architecture.md, "The game protocol"): with D the players
        after i, u(S, i) = E[f(X_D, x_{S∪i}) | do(x_S)]; direct = u − v(S), indirect = v(S∪i) − u.
        """
        masks = np.asarray(masks, dtype=bool)
        return self._evaluate(masks, np.asarray(players, dtype=int))

    # -------------------------------------------------------------- internals
    def _reduce(self, preds: np.ndarray) -> np.ndarray:
        """(..., K) predictions -> (..., B) replicate values.

        Replicate b is the overall mean plus the deviation of group b's mean from the average
        group mean: the replicates average exactly to the mean over all K draws (also when the
        groups differ in size), and their spread is the spread of the group means.
        """
        overall = preds.mean(axis=-1, keepdims=True)
        if self.n_replicates == 1:
            return overall
        # the groups are contiguous blocks of draws: one pass with reduceat
        means = np.add.reduceat(preds, self._starts, axis=-1) / self._sizes
        return overall + (means - means.mean(axis=-1, keepdims=True))

    def _full(self) -> np.ndarray:
        if self._cache_full is None:
            self._cache_full = self.f(self.X)
        return self._cache_full

    def _empty(self) -> np.ndarray:
        # with no feature present the draws do not depend on the explicand: evaluate once
        if self._cache_empty is None:
            d = self.n_features
            rows = np.broadcast_to(self.X[:1, None, :], (1, self.n_draws, d)).copy()
            self.filler.fill(rows, np.zeros(d, dtype=bool))
            self._cache_empty = self._reduce(self.f(rows.reshape(-1, d)).reshape(1, -1))[0]
        return self._cache_empty

    def _evaluate(self, masks: np.ndarray, players: np.ndarray) -> np.ndarray:
        n, p, K, B = self.n_explicands, self.n_players, self.n_draws, self.n_replicates
        out = np.empty((n, masks.shape[0], B))
        full = masks.all(axis=1) | ((masks.sum(axis=1) == p - 1) & (players >= 0) & ~masks[np.arange(len(masks)), np.maximum(players, 0)])
        empty = ~masks.any(axis=1) & (players < 0)
        d = self.n_features
        player_masks = masks
        if self.groups is not None:  # player coalitions -> feature coalitions; a player -> its columns
            masks = (masks.astype(np.uint8) @ self.groups.astype(np.uint8)) > 0
        if full.any():
            out[:, full, :] = self._full()[:, None, None]
        if empty.any():
            out[:, empty, :] = self._empty()[None, None, :]
        todo = np.flatnonzero(~(full | empty))
        for t in np.flatnonzero(~full):
            self._coalitions.setdefault(masks[t].tobytes(), masks[t].copy())
        if todo.size == 0:
            return out
        if (self.n_jobs != 1 or self.backend == "dask") and n > 1:
            out[:, todo, :] = self._evaluate_parallel(player_masks[todo], players[todo])
            return out
        budget_rows = max(1, get_config()["max_batch_bytes"] // (8 * d))
        block = int(max(1, min(n, budget_rows // K)))
        per_chunk = int(max(1, budget_rows // (block * K)))
        buf = None
        columns = bool(getattr(self.f, "prefers_columns", False))
        for start in range(0, n, block):
            xb = self.X[start : start + block]
            nb = xb.shape[0]
            for c0 in range(0, todo.size, per_chunk):
                idx = todo[c0 : c0 + per_chunk]
                marginal = isinstance(self.filler, MarginalFiller) and np.all(players[idx] < 0)
                if marginal:
                    # the whole chunk in one pass: x where present, the background row where absent
                    rows = np.where(masks[idx][:, None, None, :], xb[None, :, None, :],
                                    self.filler.background[None, None, :, :])
                else:
                    # one buffer for every chunk of this call (no fresh pages per chunk); a
                    # contiguous prefix of it holds this chunk's rows
                    if buf is None:
                        buf = np.empty(min(per_chunk, todo.size) * block * K * d)
                    part = buf[: idx.size * nb * K * d]
                    if columns:  # feature-major: the model gets the (r, d) column-major block as is
                        rows = part.reshape(d, idx.size, nb, K).transpose(1, 2, 3, 0)
                    else:
                        rows = part.reshape(idx.size, nb, K, d)
                    with one_blas_thread():  # the fillers' skinny products: one limit per chunk
                        for j, t in enumerate(idx):  # loop over coalitions of a chunk; vectorised over rows × draws
                            present = np.flatnonzero(masks[t])
                            assign_columns(rows[j], present, xb[:, None, present])  # the filler writes the rest
                            self.filler.fill(rows[j], masks[t])
                            if players[t] >= 0:
                                cols = players[t] if self.groups is None else self._group_cols[players[t]]
                                rows[j][:, :, cols] = xb[:, None, cols]
                flat = part.reshape(d, -1).T if columns and not marginal else rows.reshape(-1, d)
                self._keep(flat, todo.size)
                preds = self.f(flat).reshape(idx.size, nb, K)
                out[start : start + nb, idx, :] = self._reduce(preds).transpose(1, 0, 2)
        return out

    def _evaluate_parallel(self, masks: np.ndarray, players: np.ndarray) -> np.ndarray:
        if self.backend == "dask":
            results = self._evaluate_dask(masks, players)
        else:
            from joblib import Parallel, delayed, effective_n_jobs

            n_workers = min(effective_n_jobs(self.n_jobs), self.n_explicands)
            blocks = np.array_split(np.arange(self.n_explicands), n_workers)
            results = Parallel(n_jobs=n_workers)(
                delayed(_evaluate_block)(self, self.X[b], masks, players) for b in blocks
            )
        self.f.n_evals += sum(r[1] for r in results)
        for r in results:
            self._recorded.extend(r[2])
        return np.concatenate([r[0] for r in results], axis=0)


    def _evaluate_dask(self, masks: np.ndarray, players: np.ndarray) -> list:
        """Blocks of explained rows as tasks of the active Dask client; the game is shipped once."""
        import copy

        try:
            from distributed import get_client
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("backend='dask' needs dask.distributed: pip install 'causalx[dask]'.") from exc
        try:
            client = get_client()
        except ValueError as exc:
            raise RuntimeError(
                "backend='dask' found no active Dask client: create one first, e.g. "
                "`from distributed import Client; client = Client(scheduler_address)`."
            ) from exc
        if self._shipped is None:
            shell = copy.copy(self)  # everything but the explained rows and local caches
            shell.X, shell._recorded, shell._cache_full, shell._shipped = self.X[:0], [], None, None
            self._shipped = client.scatter(shell, broadcast=True)
        n_tasks = min(self.n_explicands, max(1, 2 * sum(client.nthreads().values())))
        blocks = np.array_split(np.arange(self.n_explicands), n_tasks)
        futures = [client.submit(_evaluate_block, self._shipped, self.X[b], masks, players, pure=False)
                   for b in blocks]
        return client.gather(futures)

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_shipped"] = None  # a Dask future is local to this process
        return state


def _evaluate_block(game: Game, X: np.ndarray, masks: np.ndarray, players: np.ndarray):
    """Worker: evaluate ``masks`` for a block of explained rows (runs in a joblib process)."""
    import copy

    sub = copy.copy(game)
    sub.X, sub.n_jobs, sub.backend, sub._shipped = np.ascontiguousarray(X), 1, "local", None
    sub.f = copy.copy(game.f)
    sub.f.n_evals = 0
    sub._cache_full = None
    sub._recorded = []
    out = sub._evaluate(masks, players)
    return out, sub.f.n_evals, sub._recorded
