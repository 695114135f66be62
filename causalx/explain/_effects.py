"""Signed interventional effects of each feature on the model's output, with direct/indirect parts.

Shapley values answer "how is this prediction shared out"; a scientist also asks "what does
setting this knob do?". For feature ``i`` and two settings ``low < high`` (by default its 25th
and 75th percentiles in the background data):

    total    = E[f(X) | do(x_i = high)] − E[f(X) | do(x_i = low)]
    direct   = E[f(X^low with x_i := high)] − E[f(X^low)],   X^low ~ P(X | do(x_i = low))
    indirect = total − direct

The direct part holds ``i``'s descendants at their values under ``low`` (the effect through the
model's own use of ``x_i``); the indirect part is what flows through the descendants. Both
worlds are drawn with the same noise (common random numbers) from the explainer's fitted
sampler and causal semantics, so a contrast has a small Monte Carlo error; each standard error
is the spread of the per-draw contrasts over ``sqrt(n_draws)`` (with the explainer's antithetic
draws, of the pairs' mean contrasts over ``sqrt(n_pairs)``). Row means of Shapley values are
*not* effects: a value is a share of one prediction, an effect is a contrast of interventions.

Beside each, ``marginal`` is the same contrast with the other features drawn from their
marginal distribution (background rows), which is what plain (interventional) SHAP and the PDP
read: ``E_z[f(x_i = high, z_{-i})] − E_z[f(x_i = low, z_{-i})]``. Where ``total`` and ``marginal``
differ in sign or size, plain SHAP's reading of the feature differs from the graph's.

**Groups.** When the graph declares feature groups, the effects are per *player* (each group,
and each ungrouped feature as itself). A group's effect shifts *every member jointly* from its
own ``low`` quantile to its own ``high`` quantile:

    total = E[f(X) | do(x_G = q75_G)] − E[f(X) | do(x_G = q25_G)],   q_G = (q_j for j in G)

so it reads "moving the whole family of descriptors from its lower to its upper quartile
together", with ``direct`` holding the group's descendants outside the group at their values
under ``low``. Members that are strongly anti-correlated are rarely at their own upper
quartiles together, so a group's contrast can leave the data's support; the per-member settings
are kept in ``member_low`` / ``member_high``. A group has no single unit, so ``low``, ``high``
and ``per_unit`` are NaN for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from causalx.utils import check_interval

__all__ = ["Effect", "EffectsResult", "interventional_effects"]


@dataclass(frozen=True)
class Effect:
    """The signed interventional effect of one feature (see the module docstring).

    Attributes
    ----------
    feature : str
    low, high : float
        The two settings compared.
    total, direct, indirect : float
        ``total == direct + indirect``, in units of the model output.
    total_stderr, direct_stderr, indirect_stderr : float
        Monte Carlo standard errors.
    marginal, marginal_stderr : float
        The same contrast with the other features marginal (plain SHAP's / the PDP's reading).
    unit : str or None
        The feature's unit from the graph spec.
    per_unit, per_unit_stderr : float
        ``total / (high − low)``: the effect of one unit of the feature.
    """

    feature: str
    low: float
    high: float
    total: float
    total_stderr: float
    direct: float
    direct_stderr: float
    indirect: float
    indirect_stderr: float
    marginal: float
    marginal_stderr: float
    unit: str | None = None
    per_unit: float = float("nan")
    per_unit_stderr: float = float("nan")
    members: tuple[str, ...] = ()
    member_low: tuple[float, ...] = ()
    member_high: tuple[float, ...] = ()
    #: for a text, ``category`` or bool column: the categories its ``low``/``high`` codes stand for
    low_label: str | None = None
    high_label: str | None = None

    @property
    def is_group(self) -> bool:
        """Whether this is the joint effect of a feature group (``members`` non-empty)."""
        return bool(self.members)

    @property
    def setting(self) -> tuple:
        """The two settings compared: ``(low, high)``, or the members' tuples for a group."""
        return (self.member_low, self.member_high) if self.members else (self.low, self.high)

    @property
    def z(self) -> float:
        """``total / total_stderr``: how many standard errors the effect is from zero."""
        return self.total / self.total_stderr if self.total_stderr > 0 else (np.inf if self.total else 0.0)

    def is_distinguishable(self, k: float = 2.0) -> bool:
        """Whether ``|total|`` exceeds ``k`` standard errors."""
        return abs(self.total) > k * self.total_stderr

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (the ``effects`` entries of report.json)."""
        out: dict[str, Any] = {}
        for k in ("feature", "low", "high", "total", "total_stderr", "direct", "direct_stderr", "indirect",
                  "indirect_stderr", "marginal", "marginal_stderr", "unit", "per_unit", "per_unit_stderr"):
            v = getattr(self, k)
            if isinstance(v, float) and not np.isfinite(v):
                v = None
            out[k] = v
        if self.low_label is not None:
            out["low_label"], out["high_label"] = self.low_label, self.high_label
        if self.members:
            out["members"] = list(self.members)
            out["member_low"] = [float(v) for v in self.member_low]
            out["member_high"] = [float(v) for v in self.member_high]
        return out


@dataclass(frozen=True)
class EffectsResult:
    """Signed effects of every feature, with how they were computed.

    Attributes
    ----------
    effects : tuple of Effect
        In the graph's node order; one per player (group or ungrouped feature) when the graph
        declares groups.
    quantiles : (float, float)
    n_draws : int
    provenance : dict
        ``value`` ("causal"), ``sampler``, ``causal_semantics``, ``graph_digest``.
    """

    effects: tuple[Effect, ...]
    quantiles: tuple[float, float]
    n_draws: int
    provenance: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, feature: str) -> Effect:
        for e in self.effects:
            if e.feature == feature:
                return e
        raise KeyError(f"no effect for {feature!r}; features are {[e.feature for e in self.effects]}.")

    def __iter__(self):
        return iter(self.effects)

    def __len__(self) -> int:
        return len(self.effects)

    def to_frame(self):
        """A DataFrame with one row per feature."""
        import pandas as pd

        return pd.DataFrame([e.to_dict() for e in self.effects])

    def to_list(self) -> list[dict[str, Any]]:
        """``[Effect.to_dict(), ...]``."""
        return [e.to_dict() for e in self.effects]


def interventional_effects(explainer, *, quantiles=(0.25, 0.75), n_draws: int = 4000,
                           random_state=None, settings=None) -> EffectsResult:
    """Signed interventional effects of every feature on the model output (module docstring).

    Parameters
    ----------
    explainer : CausalExplainer
        Fitted with ``value="causal"``: its graph, sampler and causal semantics define do().
    quantiles : (float, float), default (0.25, 0.75)
        The settings ``low`` and ``high`` are these quantiles of each feature in the background.
    n_draws : int, default 4000
        Monte Carlo draws per setting (shared by the two settings and the direct contrast); also
        the most data rows plain SHAP's reading (``marginal``) averages over (a seeded subsample
        of larger data).
    random_state : int, Generator or None
        Seed of the draws; by default the explainer's noise seed.
    settings : sequence of (low, high), optional
        The two settings per player, instead of the quantiles (bootstrap replicates reuse the
        point estimate's, :attr:`Effect.setting`); for a group, ``low`` and ``high`` are
        sequences over its members.

    Returns
    -------
    EffectsResult

    Examples
    --------
    A chain a → b with b = 2a + noise and a model f = b: setting a moves f only through b.

    >>> import numpy as np, pandas as pd
    >>> import causalx as cx
    >>> rng = np.random.default_rng(0)
    >>> a = rng.normal(size=2000)
    >>> X = pd.DataFrame({"a": a, "b": 2 * a + 0.1 * rng.normal(size=2000)})
    >>> g = cx.CausalGraph(["a", "b"], ["a -> b"])
    >>> ex = cx.CausalExplainer(lambda Z: Z[:, 1], g, value="causal").fit(X)
    >>> e = interventional_effects(ex)["a"]
    >>> bool(abs(e.total - 2 * (e.high - e.low)) < 0.02), round(e.direct, 6)
    (True, 0.0)
    """
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(explainer)
    if explainer.value != "causal":
        raise ValueError(
            f"interventional_effects needs an explainer fitted with value='causal' (its sampler defines "
            f"do()), got value={explainer.value!r}."
        )
    check_interval("n_draws", n_draws, low=2, integer=True)
    lo_q, hi_q = (float(q) for q in quantiles)
    if not 0.0 <= lo_q < hi_q <= 1.0:
        raise ValueError(f"quantiles must satisfy 0 <= low < high <= 1, got {quantiles!r}.")
    from causalx.graph.groups import players

    names = list(explainer.feature_names_in_)
    col = {n: j for j, n in enumerate(names)}
    d = len(names)
    ref = explainer.reference_data_
    plist = [(p, tuple(m)) for p, m in players(explainer.graph_) if all(x in col for x in m)]
    if settings is None:
        q_lo, q_hi = np.quantile(ref, lo_q, axis=0), np.quantile(ref, hi_q, axis=0)
        types = getattr(explainer, "node_types_", {})
        for j, name in enumerate(names):  # a discrete node is set to observed levels, not between them
            if types.get(name, "continuous") != "continuous":
                q_lo[j], q_hi[j] = np.quantile(ref[:, j], [lo_q, hi_q], method="inverted_cdf")
        sets = [([q_lo[col[m]] for m in mem], [q_hi[col[m]] for m in mem]) for _, mem in plist]
    else:
        settings = list(settings)
        if len(settings) != len(plist):
            raise ValueError(f"settings needs one (low, high) per player ({len(plist)}), got {len(settings)}.")
        sets = [(np.atleast_1d(np.asarray(lo, dtype=float)), np.atleast_1d(np.asarray(hi, dtype=float)))
                for lo, hi in settings]
    f = explainer.model_
    seed = explainer.seeds_.noise if random_state is None else random_state
    filler = explainer._filler(n_draws, seed)
    K = filler.n_draws
    # plain SHAP's reading averages over the data rows: at most K of them (a seeded subsample of
    # larger data, so 200,000 rows cost as much as K; its Monte Carlo error is in marginal_stderr)
    ref_marg = ref
    if ref.shape[0] > K:
        ref_marg = ref[np.sort(np.random.default_rng(0).choice(ref.shape[0], K, replace=False))]
    effects = []
    for (name, mem), (lo_v, hi_v) in zip(plist, sets):
        idx = [col[m] for m in mem]
        lo_v, hi_v = np.asarray(lo_v, dtype=float), np.asarray(hi_v, dtype=float)
        mask = np.zeros(d, dtype=bool)
        mask[idx] = True
        worlds = np.zeros((2, K, d))
        worlds[0][:, idx], worlds[1][:, idx] = lo_v, hi_v
        filler.fill(worlds, mask)
        switched = worlds[0].copy()
        switched[:, idx] = hi_v
        preds = f(np.concatenate([worlds.reshape(2 * K, d), switched])).reshape(3, K)
        tot, dir_ = preds[1] - preds[0], preds[2] - preds[0]
        ind = tot - dir_
        # plain SHAP's reading: the other features from the background rows
        bg = np.repeat(ref_marg[None], 2, axis=0)
        bg[0][:, idx], bg[1][:, idx] = lo_v, hi_v
        pm = f(bg.reshape(-1, d)).reshape(2, -1)
        marg = pm[1] - pm[0]
        paired = bool(getattr(filler, "antithetic", False))
        se = [_stderr_of_mean(v, paired) for v in (tot, dir_, ind)] + [_stderr_of_mean(marg, False)]
        single = mem == (name,)
        if single:
            low, high = float(lo_v[0]), float(hi_v[0])
            span = high - low
            unit = explainer.graph_.node_attributes(name).get("unit")
            extra = _labels(explainer, col[name], low, high)
        else:
            low = high = span = float("nan")
            unit = None
            extra = {"members": mem, "member_low": tuple(float(v) for v in lo_v),
                     "member_high": tuple(float(v) for v in hi_v)}
        effects.append(Effect(
            feature=name, low=low, high=high,
            total=float(tot.mean()), total_stderr=se[0], direct=float(dir_.mean()), direct_stderr=se[1],
            indirect=float(ind.mean()), indirect_stderr=se[2], marginal=float(marg.mean()), marginal_stderr=se[3],
            unit=unit, per_unit=float(tot.mean() / span) if span > 0 else float("nan"),
            per_unit_stderr=se[0] / span if span > 0 else float("nan"), **extra,
        ))
    prov = {"value": "causal", "sampler": explainer._provenance_sampler(),
            "causal_semantics": explainer.causal_semantics_, "graph_digest": explainer.graph_digest_}
    return EffectsResult(tuple(effects), (lo_q, hi_q), int(K), prov)


def _stderr_of_mean(v: np.ndarray, paired: bool) -> float:
    """Standard error of ``v.mean()``; with ``paired`` (antithetic draws ``2k``, ``2k + 1``) the
    pairs' means are the independent units (an odd last draw is a unit of its own, weighted as
    half a pair)."""
    if not paired or v.size < 4:
        return float(np.std(v, ddof=1) / np.sqrt(v.size)) if v.size > 1 else float("nan")
    k = v.size // 2
    units = 0.5 * (v[0:2 * k:2] + v[1:2 * k:2])
    # v.mean() = (2 * sum(units) + odd) / size: the units' spread, scaled to the mean over all draws
    return float(np.std(units, ddof=1) * np.sqrt(k) * 2 / v.size) if k > 1 else float("nan")


def _labels(explainer, j: int, low: float, high: float) -> dict[str, str]:
    """``low_label``/``high_label`` when column ``j`` holds the codes of a text/category/bool column."""
    encoding = getattr(explainer, "encoding_", None)
    if encoding is None or j not in encoding.encoded:
        return {}
    cats = encoding.codebooks[j].categories
    out = {}
    for key, code in (("low_label", low), ("high_label", high)):
        k = int(round(code))
        if not (0 <= k < len(cats) and abs(code - k) < 1e-9):
            return {}
        out[key] = str(cats[k])
    return out
