"""Orders over players: symmetric, layered (chain components) and general partial orders.

The orderings averaged over by (asymmetric) Shapley values are the *linear extensions* of a
partial order (Frye et al. 2020). Everything exact here goes through the distributive lattice of
*downsets* (order ideals): a linear extension is a maximal chain ∅ = S_0 ⊂ S_1 ⊂ … ⊂ S_d = N of
downsets, so counts of linear extensions are path counts in that lattice (a dynamic programme
over downsets), and uniform sampling walks the lattice choosing each step with probability
proportional to the number of completions.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import numpy as np

from causalx.exceptions import CausalxWarning, CyclicGraphError
import causalx.shapley._bits as _bits
from causalx.utils import check_random_state

__all__ = ["PartialOrder"]

#: downsets enumerated at most for sampling / counting before falling back (see sample_linear_extensions)
_MAX_LATTICE = 2_000_000
#: accuracy target of the Bubley–Dyer fallback chain (total-variation distance)
_BD_EPSILON = 1e-3


class _Lattice(NamedTuple):
    """The lattice of downsets of an order and its transitions (cover relations).

    ``words``/``masks`` are sorted by key; transitions ``(base, added, player)`` are sorted by
    ``base`` (stable), ``indptr`` is the CSR pointer of that sort. ``log_down[s]`` and
    ``log_up[s]`` are the logs of the numbers of linear extensions of the order restricted to
    downset ``s`` and to its complement.
    """

    words: np.ndarray
    masks: np.ndarray
    keys: np.ndarray
    level: np.ndarray
    base: np.ndarray
    added: np.ndarray
    player: np.ndarray
    indptr: np.ndarray
    log_down: np.ndarray
    log_up: np.ndarray
    log_total: float
    empty: int
    full: int


class PartialOrder:
    """A strict partial order on players ``0 .. n_players - 1`` (immutable).

    Use the constructors :meth:`symmetric`, :meth:`from_layers` and :meth:`from_precedences`.

    Attributes
    ----------
    n_players : int
        Number of players ``d``.
    before : ndarray of shape (d, d), dtype bool
        Transitive closure of the precedence relation: ``before[a, b]`` is True when player
        ``a`` must precede player ``b`` in every ordering.
    is_symmetric : bool
        True when no precedence is imposed (ordinary Shapley values).
    layers : tuple of tuple of int, or None
        The layers (chain components), in order, when the relation is layered: every player of
        an earlier layer precedes every player of a later one and players within a layer are
        unordered. Detected from precedences too. A symmetric order has one layer. ``None``
        for a general (non-layered) partial order.

    References
    ----------
    .. [1] Frye, C., Rowat, C. and Feige, I. (2020). Asymmetric Shapley values: incorporating
       causal knowledge into model-agnostic explainability. NeurIPS 33.

    Examples
    --------
    >>> order = PartialOrder.from_layers([[0], [1, 2]])
    >>> order.n_linear_extensions()
    2
    >>> order.linear_extensions().tolist()
    [[0, 1, 2], [0, 2, 1]]
    >>> PartialOrder.from_precedences(3, [(0, 1), (0, 2)]).layers
    ((0,), (1, 2))
    """

    __slots__ = ("n_players", "before", "is_symmetric", "layers", "_pred_words", "_cache")

    def __init__(self, before: np.ndarray, *, _layers: tuple[tuple[int, ...], ...] | None = None):
        before = np.array(before, dtype=bool)
        if before.ndim != 2 or before.shape[0] != before.shape[1]:
            raise ValueError(f"before must be a square boolean matrix, got shape {before.shape}.")
        d = before.shape[0]
        if d < 1:
            raise ValueError("A partial order needs at least one player (n_players >= 1).")
        closure = _transitive_closure(before)
        if np.any(np.diag(closure)):
            cycle = _find_cycle(before)
            raise CyclicGraphError(
                "The precedences contain a cycle: "
                + " -> ".join(str(c) for c in cycle + cycle[:1])
                + "; a partial order must be acyclic.",
                cycle=[str(c) for c in cycle],
            )
        closure.setflags(write=False)
        layers = _layers if _layers is not None else _detect_layers(closure)
        object.__setattr__(self, "n_players", d)
        object.__setattr__(self, "before", closure)
        object.__setattr__(self, "is_symmetric", not closure.any())
        object.__setattr__(self, "layers", layers)
        object.__setattr__(self, "_pred_words", _bits.pack(closure.T))
        object.__setattr__(self, "_cache", {})

    # ------------------------------------------------------------------ constructors
    @classmethod
    def symmetric(cls, n_players: int) -> PartialOrder:
        """All ``n_players!`` orderings (ordinary Shapley values).

        Examples
        --------
        >>> PartialOrder.symmetric(3).n_linear_extensions()
        6
        """
        d = _check_n_players(n_players)
        return cls(np.zeros((d, d), dtype=bool), _layers=(tuple(range(d)),))

    @classmethod
    def from_layers(cls, layers: Sequence[Sequence[int]]) -> PartialOrder:
        """A layered order (chain components): earlier layers precede later ones.

        Parameters
        ----------
        layers : sequence of sequence of int
            Non-empty layers that partition ``range(d)``.

        Examples
        --------
        >>> PartialOrder.from_layers([[1], [0, 2]]).before.astype(int).tolist()
        [[0, 0, 0], [1, 0, 1], [0, 0, 0]]
        """
        try:
            layer_lists = [[_as_player(p) for p in layer] for layer in layers]
        except TypeError as exc:
            raise ValueError(f"layers must be a sequence of sequences of player indices, got {layers!r}.") from exc
        flat = [p for layer in layer_lists for p in layer]
        if not layer_lists or any(len(layer) == 0 for layer in layer_lists):
            raise ValueError(f"layers must be a non-empty list of non-empty layers, got {layers!r}.")
        d = len(flat)
        if sorted(flat) != list(range(d)):
            dup = sorted({p for p in flat if flat.count(p) > 1})
            missing = sorted(set(range(max(flat) + 1)) - set(flat)) if flat else []
            raise ValueError(
                f"layers must partition the players 0..{d - 1} (each exactly once); got {layers!r}"
                + (f" (repeated: {dup})" if dup else "")
                + (f" (missing: {missing})" if missing else "")
                + "."
            )
        level = np.empty(d, dtype=np.intp)
        for k, layer in enumerate(layer_lists):
            level[layer] = k
        before = level[:, None] < level[None, :]
        return cls(before, _layers=tuple(tuple(sorted(layer)) for layer in layer_lists))

    @classmethod
    def from_precedences(cls, n_players: int, pairs: Iterable[tuple[int, int]]) -> PartialOrder:
        """The order generated by precedences ``(a, b)``, "a before b" (transitively closed).

        Raises
        ------
        causalx.exceptions.CyclicGraphError
            (a ``ValueError``) when the precedences contain a cycle; the message names it.

        Examples
        --------
        >>> bool(PartialOrder.from_precedences(3, [(0, 1), (1, 2)]).before[0, 2])
        True
        """
        d = _check_n_players(n_players)
        before = np.zeros((d, d), dtype=bool)
        for pair in pairs:
            try:
                a, b = pair
            except (TypeError, ValueError) as exc:
                raise ValueError(f"each precedence must be a pair (a, b), got {pair!r}.") from exc
            a, b = _as_player(a), _as_player(b)
            if not (0 <= a < d and 0 <= b < d):
                raise ValueError(f"precedence {pair!r} names a player outside 0..{d - 1}.")
            before[a, b] = True
        return cls(before)

    # ------------------------------------------------------------------ dunder
    def __setattr__(self, name, value):
        raise AttributeError("PartialOrder is immutable.")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PartialOrder):
            return NotImplemented
        return self.n_players == other.n_players and bool(np.array_equal(self.before, other.before))

    def __hash__(self) -> int:
        return hash((self.n_players, np.packbits(self.before).tobytes()))

    def __repr__(self) -> str:
        if self.is_symmetric:
            return f"PartialOrder.symmetric({self.n_players})"
        if self.layers is not None:
            return f"PartialOrder.from_layers({[list(layer) for layer in self.layers]})"
        pairs = [(int(a), int(b)) for a, b in zip(*np.nonzero(_covers(self.before)), strict=True)]
        return f"PartialOrder.from_precedences({self.n_players}, {pairs})"

    def __reduce__(self):
        return (_rebuild, (np.array(self.before), self.layers))

    # ------------------------------------------------------------------ structure
    def downsets(self) -> np.ndarray:
        """All downsets (coalitions closed under predecessors), the empty and full ones included.

        Returns
        -------
        ndarray of shape (k, d), dtype bool
            One downset per row, sorted by their bit code (the empty set first).

        Examples
        --------
        >>> PartialOrder.from_layers([[0], [1, 2]]).downsets().astype(int).tolist()
        [[0, 0, 0], [1, 0, 0], [1, 1, 0], [1, 0, 1], [1, 1, 1]]
        """
        return self._lattice(limit=None).masks.copy()

    def n_downsets(self, limit: int | None = None) -> int | None:
        """Number of downsets; ``None`` when it exceeds ``limit`` (not enumerated beyond it)."""
        if self.layers is not None:
            n = sum(2 ** len(layer) for layer in self.layers) - len(self.layers) + 1
        else:
            words = self._downset_words(limit)
            n = None if words is None else len(words)
        if n is not None and limit is not None and n > limit:
            return None
        return n

    def n_linear_extensions(self) -> int:
        """Exact number of linear extensions (orderings consistent with the order).

        Layered orders: product of the factorials of the layer sizes. General orders: path
        counting over the lattice of downsets (exact Python integer).

        Examples
        --------
        >>> PartialOrder.from_precedences(4, [(0, 1), (2, 3)]).n_linear_extensions()
        6
        """
        if self.layers is not None:
            return math.prod(math.factorial(len(layer)) for layer in self.layers)
        lat = self._lattice(limit=None)
        exact_int64 = self.n_players <= 20  # every count is at most d! < 2**63
        counts = np.zeros(len(lat.masks), dtype=np.int64 if exact_int64 else object)
        counts[lat.empty] = 1
        order = np.argsort(lat.level[lat.base], kind="stable")
        lv = lat.level[lat.base][order]
        bounds = np.searchsorted(lv, np.arange(self.n_players + 1))
        for ell in range(self.n_players):
            sel = order[bounds[ell] : bounds[ell + 1]]
            np.add.at(counts, lat.added[sel], counts[lat.base[sel]])
        return int(counts[lat.full])

    def linear_extensions(self, limit: int = 50_000) -> np.ndarray:
        """Enumerate all linear extensions, lexicographically sorted.

        Parameters
        ----------
        limit : int, default=50_000
            Raise instead of enumerating more than this many orderings.

        Returns
        -------
        ndarray of shape (L, d), dtype int
            Row ``r`` lists the players in the order of the ``r``-th ordering.
        """
        n = self.n_linear_extensions()
        if n > limit:
            raise ValueError(
                f"The order has {n} linear extensions, more than limit={limit}; sample them with "
                "sample_linear_extensions instead."
            )
        d = self.n_players
        before_int = self.before.astype(np.int64)
        prefixes = np.zeros((1, 0), dtype=np.intp)
        placed = np.zeros((1, d), dtype=bool)
        for _ in range(d):
            blocked = ((~placed).astype(np.int64) @ before_int) > 0
            rows, cols = np.nonzero(~placed & ~blocked)
            prefixes = np.concatenate([prefixes[rows], cols[:, None]], axis=1)
            placed = placed[rows]
            placed[np.arange(len(rows)), cols] = True
        return prefixes

    def is_consistent(self, orderings: np.ndarray) -> np.ndarray:
        """Whether each ordering is a permutation of the players that respects the order.

        Parameters
        ----------
        orderings : array-like of shape (n, d), int

        Returns
        -------
        ndarray of shape (n,), dtype bool
        """
        orderings = np.asarray(orderings)
        d = self.n_players
        if orderings.ndim != 2 or orderings.shape[1] != d:
            raise ValueError(f"orderings must have shape (n, {d}), got {orderings.shape}.")
        n = orderings.shape[0]
        is_perm = np.all(np.sort(orderings, axis=1) == np.arange(d), axis=1)
        pos = np.zeros((n, d), dtype=np.intp)
        safe = np.where(is_perm[:, None], orderings, np.arange(d)).astype(np.intp)
        np.put_along_axis(pos, safe, np.broadcast_to(np.arange(d), (n, d)), axis=1)
        a, b = np.nonzero(self.before)
        ok = np.all(pos[:, a] < pos[:, b], axis=1)
        return is_perm & ok

    # ------------------------------------------------------------------ sampling
    def sample_linear_extensions(self, n: int, random_state=None) -> np.ndarray:
        """Draw ``n`` orderings exactly uniformly from the linear extensions.

        * symmetric: uniform permutations;
        * layered: an independent uniform permutation within each layer, layers concatenated;
        * general: a walk up the lattice of downsets that, from downset ``S``, appends a
          minimal remaining player ``j`` with probability ``N_up(S ∪ {j}) / N_up(S)``
          (``N_up`` = number of linear extensions of the remaining players), vectorised over
          the ``n`` samples. This is exactly uniform (each ordering has probability
          ``1 / N_up(∅)``); it is *not* a "random topological sort", which is biased.

        When the order has more than about 2e6 downsets, the lattice is not enumerated and the
        Bubley–Dyer Markov chain is run instead (adjacent transpositions at position ``p`` with
        probability ∝ ``p (d − p)``, lazy), for ``ceil(d³ ln(d / ε))`` steps with
        ``ε = 1e-3``: a generous multiple of the chain's ``O(d³ log(d / ε))`` mixing bound
        (Bubley and Dyer 1999), so the draws are uniform only up to a total-variation distance
        of about ``ε``. A :class:`~causalx.exceptions.CausalxWarning` says so.

        Parameters
        ----------
        n : int
            Number of orderings.
        random_state : int, numpy.random.Generator or None

        Returns
        -------
        ndarray of shape (n, d), dtype int

        References
        ----------
        .. [1] Bubley, R. and Dyer, M. (1999). Faster random generation of linear extensions.
           Discrete Mathematics 201, 81–88.

        Examples
        --------
        >>> order = PartialOrder.from_precedences(3, [(0, 1)])
        >>> bool(order.is_consistent(order.sample_linear_extensions(5, random_state=0)).all())
        True
        """
        n = int(n)
        if n < 0:
            raise ValueError(f"n must be non-negative, got {n}.")
        rng = check_random_state(random_state)
        d = self.n_players
        if self.layers is not None:
            out = np.empty((n, d), dtype=np.intp)
            start = 0
            for layer in self.layers:
                k = len(layer)
                block = np.broadcast_to(np.asarray(layer, dtype=np.intp), (n, k))
                out[:, start : start + k] = rng.permuted(block, axis=1)
                start += k
            return out
        if self.n_downsets(limit=_MAX_LATTICE) is None:
            return self._sample_bubley_dyer(n, rng)
        return self._sample_lattice_walk(n, rng)

    def _sample_lattice_walk(self, n: int, rng: np.random.Generator) -> np.ndarray:
        lat = self._lattice(limit=None)
        # probability of each transition given its base downset, and its cumulative sum per base
        prob = np.exp(lat.log_up[lat.added] - lat.log_up[lat.base])
        cum = np.cumsum(prob)
        start = lat.indptr[:-1]
        group_offset = np.concatenate([[0.0], cum])[start]
        cum = cum - np.repeat(group_offset, np.diff(lat.indptr))
        deg = np.diff(lat.indptr)
        # normalise each group to end exactly at 1 (removes float drift)
        last = lat.indptr[1:] - 1
        has = deg > 0
        totals = np.repeat(np.where(has, cum[np.where(has, last, 0)], 1.0), deg)
        cum = cum / totals
        max_deg = int(deg.max()) if len(deg) else 0
        state = np.full(n, lat.empty, dtype=np.intp)
        out = np.empty((n, self.n_players), dtype=np.intp)
        for step in range(self.n_players):
            u = rng.random(n)
            s0, dg = lat.indptr[state], deg[state]
            offset = np.zeros(n, dtype=np.intp)
            for c in range(max_deg - 1):
                valid = c < dg - 1
                idx = s0 + np.where(valid, c, 0)
                offset += valid & (cum[idx] <= u)
            t = s0 + offset
            out[:, step] = lat.player[t]
            state = lat.added[t]
        return out

    def _sample_bubley_dyer(self, n: int, rng: np.random.Generator) -> np.ndarray:
        d = self.n_players
        n_steps = math.ceil(d**3 * math.log(d / _BD_EPSILON))
        warnings.warn(
            f"The order has more than {_MAX_LATTICE} downsets, too many to sample linear extensions "
            f"exactly; running the Bubley-Dyer Markov chain for {n_steps} steps instead (uniform up "
            f"to a total-variation distance of about {_BD_EPSILON}).",
            CausalxWarning,
            stacklevel=3,
        )
        start = np.argsort(self.before.sum(axis=0), kind="stable")  # |pred| increases along chains
        orders = np.tile(start.astype(np.intp), (n, 1))
        p = np.arange(1, d)
        q = p * (d - p) / (p * (d - p)).sum()
        rows = np.arange(n)
        chunk = 4096
        for done in range(0, n_steps, chunk):
            m = min(chunk, n_steps - done)
            positions = rng.choice(d - 1, size=(m, n), p=q)
            coins = rng.random((m, n)) < 0.5
            for k in range(m):
                pos = positions[k]
                a, b = orders[rows, pos], orders[rows, pos + 1]
                swap = coins[k] & ~self.before[a, b]
                orders[rows[swap], pos[swap]] = b[swap]
                orders[rows[swap], pos[swap] + 1] = a[swap]
        return orders

    # ------------------------------------------------------------------ lattice
    def _downset_words(self, limit: int | None) -> np.ndarray | None:
        """Downsets as packed words (unsorted); None when there are more than ``limit``."""
        if "words" in self._cache:
            words = self._cache["words"]
            return None if (limit is not None and len(words) > limit) else words
        if self._cache.get("too_many", 0) and limit is not None and limit <= self._cache["too_many"]:
            return None
        d = self.n_players
        if self.is_symmetric:
            if limit is not None and 2**d > limit:
                self._cache["too_many"] = max(self._cache.get("too_many", 0), limit)
                return None
            if d > 62:
                raise ValueError(f"Cannot enumerate the 2**{d} coalitions of {d} players.")
            words = np.arange(2**d, dtype=np.uint64)[:, None]
        else:
            topo = np.argsort(self.before.sum(axis=0), kind="stable")
            bit = _bits.pack(np.eye(d, dtype=bool))
            words = np.zeros((1, _bits.n_words(d)), dtype=np.uint64)
            for j in topo:
                pj = self._pred_words[j]
                ok = np.all((words & pj) == pj, axis=1)
                words = np.concatenate([words, words[ok] | bit[j]])
                if limit is not None and len(words) > limit:
                    self._cache["too_many"] = max(self._cache.get("too_many", 0), limit)
                    return None
        self._cache["words"] = words
        return words

    def _lattice(self, limit: int | None) -> _Lattice:
        if "lattice" in self._cache:
            lat = self._cache["lattice"]
            if limit is not None and len(lat.masks) > limit:
                raise _TooManyDownsets(len(lat.masks))
            return lat
        words = self._downset_words(limit)
        if words is None:
            raise _TooManyDownsets(None)
        lat = _build_lattice(words, self._pred_words, self.n_players)
        self._cache["lattice"] = lat
        return lat


class _TooManyDownsets(Exception):
    """Internal: the lattice of downsets exceeds the requested limit."""

    def __init__(self, n: int | None):
        super().__init__(n)
        self.n = n


def _build_lattice(words: np.ndarray, pred_words: np.ndarray, d: int) -> _Lattice:
    k_all = _bits.keys(words)
    order = np.argsort(k_all, kind="stable")
    words = words[order]
    keys = k_all[order]
    masks = _bits.unpack(words, d)
    level = masks.sum(axis=1).astype(np.intp)
    bit = _bits.pack(np.eye(d, dtype=bool))
    bases, addeds, players = [], [], []
    for j in range(d):
        pj = pred_words[j]
        ok = np.all((words & pj) == pj, axis=1) & np.all((words & bit[j]) == 0, axis=1)
        b = np.flatnonzero(ok)
        a = _bits.lookup(keys, _bits.keys(words[b] | bit[j]))
        bases.append(b)
        addeds.append(a)
        players.append(np.full(len(b), j, dtype=np.intp))
    base = np.concatenate(bases).astype(np.intp)
    added = np.concatenate(addeds).astype(np.intp)
    player = np.concatenate(players)
    srt = np.argsort(base, kind="stable")
    base, added, player = base[srt], added[srt], player[srt]
    indptr = np.zeros(len(words) + 1, dtype=np.intp)
    np.cumsum(np.bincount(base, minlength=len(words)), out=indptr[1:])
    empty = int(np.flatnonzero(level == 0)[0])
    full = int(np.flatnonzero(level == d)[0])
    log_down = _log_path_counts(base, added, level, d, empty, forward=True)
    log_up = _log_path_counts(base, added, level, d, full, forward=False)
    for arr in (words, masks, keys, level, base, added, player, indptr, log_down, log_up):
        arr.setflags(write=False)
    return _Lattice(
        words=words,
        masks=masks,
        keys=keys,
        level=level,
        base=base,
        added=added,
        player=player,
        indptr=indptr,
        log_down=log_down,
        log_up=log_up,
        log_total=float(log_down[full]),
        empty=empty,
        full=full,
    )


def _log_path_counts(base, added, level, d, source, *, forward):
    """Log number of lattice paths from ``source`` (∅ when forward, N otherwise) to each downset.

    Counts are propagated level by level in float64 with one scale factor per level (so no
    overflow for any d that can be enumerated), using ``bincount`` only.
    """
    k = len(level)
    # group transitions and downsets by level (16-bit keys: numpy's stable sort is a radix sort)
    t_order = np.argsort(level[base].astype(np.int16), kind="stable")
    t_bounds = np.searchsorted(level[base][t_order], np.arange(d + 1))
    s_order = np.argsort(level.astype(np.int16), kind="stable")
    s_bounds = np.searchsorted(level[s_order], np.arange(d + 2))
    mant = np.zeros(k)
    log_scale = np.zeros(d + 1)
    mant[source] = 1.0
    levels = range(d) if forward else range(d - 1, -1, -1)
    for ell in levels:
        sel = t_order[t_bounds[ell] : t_bounds[ell + 1]]
        src, dst = (base[sel], added[sel]) if forward else (added[sel], base[sel])
        acc = np.bincount(dst, weights=mant[src], minlength=k)
        nxt = ell + 1 if forward else ell
        prv = ell if forward else ell + 1
        targets = s_order[s_bounds[nxt] : s_bounds[nxt + 1]]  # every downset of that level is reached
        top = acc[targets].max()
        mant[targets] = acc[targets] / top
        log_scale[nxt] = log_scale[prv] + math.log(top)
    with np.errstate(divide="ignore"):
        return np.log(mant) + log_scale[level]


def count_downsets(before: np.ndarray) -> int:
    """Exact number of downsets of a (transitively closed) order, without enumerating them.

    Uses ``D(P) = D(P \\ ↑x) + D(P \\ ↓x)`` (downsets without / with ``x``), the product rule over
    the connected components of the comparability graph, and memoisation on the remaining set.
    """
    d = len(before)
    up = [sum(1 << int(b) for b in np.flatnonzero(before[a])) | (1 << a) for a in range(d)]
    down = [sum(1 << int(a) for a in np.flatnonzero(before[:, b])) | (1 << b) for b in range(d)]
    memo: dict[int, int] = {}

    def members(s: int):
        while s:
            low = s & -s
            yield low.bit_length() - 1
            s ^= low

    def count(s: int) -> int:
        if s == 0:
            return 1
        if s in memo:
            return memo[s]
        comp, frontier = 0, s & -s
        while frontier:
            comp |= frontier
            nxt = 0
            for j in members(frontier):
                nxt |= (up[j] | down[j]) & s
            frontier = nxt & ~comp
        if comp != s:
            result = count(comp) * count(s & ~comp)
        else:
            x = max(members(s), key=lambda j: ((up[j] | down[j]) & s).bit_count())
            result = count(s & ~up[x]) + count(s & ~down[x])
        memo[s] = result
        return result

    return count((1 << d) - 1)


def _transitive_closure(rel: np.ndarray) -> np.ndarray:
    closure = rel.copy()
    for k in range(len(closure)):
        closure |= closure[:, k : k + 1] & closure[k : k + 1, :]
    return closure


def _covers(closure: np.ndarray) -> np.ndarray:
    """Transitive reduction of a (closed) strict order."""
    implied = (closure.astype(np.int64) @ closure.astype(np.int64)) > 0
    return closure & ~implied


def _find_cycle(rel: np.ndarray) -> list[int]:
    """One cycle of the directed graph ``rel`` (list of players, first not repeated)."""
    d = len(rel)
    color = [0] * d
    stack_pos: dict[int, int] = {}
    path: list[int] = []

    def visit(u: int) -> list[int] | None:
        color[u] = 1
        stack_pos[u] = len(path)
        path.append(u)
        for v in np.flatnonzero(rel[u]):
            v = int(v)
            if color[v] == 1:
                return path[stack_pos[v] :]
            if color[v] == 0:
                found = visit(v)
                if found is not None:
                    return found
        color[u] = 2
        path.pop()
        return None

    for s in range(d):
        if color[s] == 0:
            found = visit(s)
            if found is not None:
                return found
    return []  # pragma: no cover - only called when a cycle exists


def _detect_layers(closure: np.ndarray) -> tuple[tuple[int, ...], ...] | None:
    n_pred = closure.sum(axis=0)
    distinct = np.unique(n_pred)
    level = np.searchsorted(distinct, n_pred)
    if not np.array_equal(closure, level[:, None] < level[None, :]):
        return None
    return tuple(tuple(int(p) for p in np.flatnonzero(level == k)) for k in range(len(distinct)))


def _check_n_players(n_players) -> int:
    if isinstance(n_players, bool) or not isinstance(n_players, (int, np.integer)) or n_players < 1:
        raise ValueError(f"n_players must be a positive integer, got {n_players!r}.")
    return int(n_players)


def _as_player(p) -> int:
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)):
        raise TypeError(f"player indices must be integers, got {p!r}.")
    return int(p)


def _rebuild(before, layers):
    return PartialOrder(before, _layers=layers)
