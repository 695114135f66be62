"""Drawing from the fitted VAE: noise, batched decoding, rejection of constraint violations, scores."""

from __future__ import annotations

import math
import warnings

import numpy as np

from causalx.exceptions import CausalxWarning
from causalx.samplers._base import _check_n_draws
from causalx.samplers.vae._layout import encode, level_index
from causalx.utils.arrays import assign_columns
from causalx.samplers.vae._network import DECODER_ACT, decode, encoder, import_torch, linear, loglik, prior_context, torch_threads

__all__ = ["check_noise", "decode_draw", "draw_noise", "latent_plan", "log_density", "n_slabs", "sample_into"]

# rows per forward pass in sample_into / score_samples (memory cap: ~ rows * hidden * 4 bytes)
CHUNK_ROWS = 2**12


def n_slabs(s) -> int:
    """Noise slabs per draw: one, plus ``max_tries`` for the redraws of rejection sampling."""
    return 1 + int(s.max_tries) if (s.reject_constraints and s.constraints_) else 1


def draw_noise(s, n_draws: int, rng: np.random.Generator) -> np.ndarray:
    """(K, slabs, latent_dim + d) standard normals, in antithetic pairs when ``s.antithetic``.

    Slab 0 drives the first draw, slab t the t-th redraw under rejection; columns :L drive z,
    column L + j drives feature j. With ``antithetic``, draw 2i + 1 is the negative of draw
    2i: every draw keeps its distribution, and the pair's errors largely cancel in a mean.

    With ``latent_reuse = R > 1`` the draws come in blocks of ``2 R`` (one ensemble member
    each, see :func:`member_of`) that share one latent noise ``e`` in slab 0: pair ``p`` of
    the block has latent noise ``(e, -e)`` and feature noise ``(x, -x)`` (``p`` even) or
    ``(-x, x)`` (``p`` odd, the ``x`` of pair ``p - 1``), so each latent draw is decoded once
    and read ``R`` times, and a quadruple ``(±e, ±x)`` cancels both noises in a mean (without
    ``antithetic``: each half block of ``R`` draws shares a latent noise, the feature noise is
    the draw's own). The latent and the feature noises that are read come from Latin
    hypercubes over the blocks. Every draw keeps its distribution; only the dependence
    between draws changes.
    """
    L, d = int(s.latent_dim), s.n_features_in_
    shape = (n_slabs(s), L + d)
    R = int(getattr(s, "latent_reuse", 1))
    if R == 1:
        if not s.antithetic:
            return rng.standard_normal((n_draws, *shape))
        half = rng.standard_normal(((n_draws + 1) // 2, *shape))
        return np.stack([half, -half], axis=1).reshape(-1, *shape)[:n_draws]
    n_blocks = -(-n_draws // (2 * R))
    out = rng.standard_normal((n_blocks, 2 * R, *shape))
    # latent noise: one per block (antithetic: e and -e), or one per half block of R draws
    heads = np.array([0]) if s.antithetic else np.array([0, R])
    # feature noise that is read: with antithetic the first draw of each quadruple (the others
    # are its sign flips), else every draw's
    own = np.arange(0, 2 * R, 4) if s.antithetic else np.arange(2 * R)
    # Latin hypercubes over the blocks: each coordinate takes one value from each of its
    # equal-probability strata (in random order), so the few latent draws cover the normal
    # evenly; every draw keeps its N(0, 1) distribution
    out[:, heads, 0, :L] = _latin_normal(rng, n_blocks * heads.size, L).reshape(n_blocks, heads.size, L)
    out[:, own, 0, L:] = _latin_normal(rng, n_blocks * own.size, d).reshape(n_blocks, own.size, d)
    if not s.antithetic:
        out[:, :R, 0, :L] = out[:, :1, 0, :L]  # R draws per latent draw, their own feature noise
        out[:, R:, 0, :L] = out[:, R : R + 1, 0, :L]
        return out.reshape(-1, *shape)[:n_draws]
    e = out[:, :1, 0, :L]  # the latent noise of the block
    sign = np.where(np.arange(2 * R) % 2 == 0, 1.0, -1.0)[None, :, None]  # pairs (e, -e)
    out[:, :, 0, :L] = sign * e
    x = out[:, :, 0, L:].copy()
    pair = np.arange(2 * R) // 2
    src = 2 * (pair - pair % 2)  # the first draw of the quadruple
    # feature noise: (x, -x) for an even pair, (-x, x) for the odd pair after it
    flip = np.where(pair % 2 == 0, 1.0, -1.0) * sign[0, :, 0]
    out[:, :, 0, L:] = flip[None, :, None] * x[:, src]
    # the redraw slabs keep plain antithetic pairs
    if shape[0] > 1:
        rest = out[:, 0::2, 1:]
        out[:, 1::2, 1:] = -rest
    return out.reshape(-1, *shape)[:n_draws]


def _latin_normal(rng: np.random.Generator, n: int, dim: int) -> np.ndarray:
    """(n, dim) standard normals from a Latin hypercube: column j holds one draw from each of
    the n equal-probability strata of N(0, 1), in a random order."""
    from scipy.special import ndtri

    strata = rng.permuted(np.tile(np.arange(n, dtype=float), (dim, 1)), axis=1).T
    u = (strata + rng.random((n, dim))) / n
    return ndtri(np.clip(u, 2.0**-53, 1.0 - 2.0**-53))


def check_noise(s, noise, n_draws: int) -> None:
    shape = (n_slabs(s), int(s.latent_dim) + s.n_features_in_)
    if (
        not isinstance(noise, np.ndarray)
        or noise.ndim != 3
        or noise.shape[1:] != shape
        or not np.issubdtype(noise.dtype, np.floating)
    ):
        got = f"an array of shape {noise.shape}" if isinstance(noise, np.ndarray) else f"an object of type {type(noise).__name__}"
        raise ValueError(
            f"noise for a VAESampler must be the float array of shape (n_draws, {shape[0]}, "
            f"{shape[1]}) returned by its draw_noise, got {got}."
        )
    _check_n_draws(noise.shape[0], n_draws)


def _target_plan(s, target: np.ndarray) -> dict:
    """Which decoder outputs the ``target`` features need, grouped by likelihood type.

    ``cols`` are the columns of the output layer to evaluate (only the targets' heads): the
    means of the continuous targets, then their scales, then the binary logits, then the
    categorical blocks; ``*_pos`` index into ``target``.
    """
    lay = s._layout
    where = {int(j): k for k, j in enumerate(target)}
    cont = [(where[int(j)], int(o)) for j, o in zip(lay["cont_idx"], lay["cont_out"]) if int(j) in where]
    bins = [(where[int(j)], int(o)) for j, o in zip(lay["bin_idx"], lay["bin_out"]) if int(j) in where]
    cols = [o for _, o in cont] + [o + 1 for _, o in cont] + [o for _, o in bins]
    cats = []
    for j, s0, s1, _ in lay["cats"]:
        if int(j) in where:
            cats.append((where[int(j)], len(cols), len(cols) + s1 - s0))
            cols += list(range(s0, s1))
    return {"cols": cols, "cont_pos": [p for p, _ in cont], "bin_pos": [p for p, _ in bins], "cats": cats}


def _act_(s):
    """The decoder activation, applied in place (the hidden tensors are temporaries)."""
    torch = import_torch()
    if getattr(s, "_act", "silu") == "relu":
        return torch.relu_
    return lambda h: torch.nn.functional.silu(h, inplace=True)


def _draw_codes(s, ctx_rows, given, e_z, e_x, target, order=None, affine=None) -> np.ndarray:
    """Draws of the ``target`` features in coded units, (M, u, r, R, n_target) float32, or
    with ``order`` (k,) (positions in the flattened (M, r, R) draws) (u, k, n_target); with
    ``affine`` ``(mean, scale)`` (n_target,) as well, float64 ``mean + scale * code`` (the data
    units of continuous features, applied before the copy out of torch).

    ``ctx_rows`` (M, u, d) hold, for each ensemble member, the conditioning values in the
    ``given`` columns (the others are ignored); ``e_z`` (M, u or 1, r, L) is the noise of
    ``r`` latent draws per conditioning row and ``e_x`` (M, u or 1, r, R, n_target) the
    feature noise of the ``R`` draws read from each latent draw (a size-1 ``u`` axis: the
    same noise for every conditioning row).

    The prior network and the ``z``-free decoder terms run once per conditioning row; the
    decoder after ``z`` once per latent draw. Chunks of about ``CHUNK_ROWS`` decoder rows (small enough to stay in cache),
    under ``torch.inference_mode``, activations in place; only the targets' likelihood heads
    are computed, as ``W^T h^T`` (a product with few output columns is several times slower
    the other way round), and each draw adds its feature noise by broadcasting.
    """
    torch = import_torch()
    F = torch.nn.functional
    M, u, d = ctx_rows.shape
    r, R, L, H = e_z.shape[2], e_x.shape[3], int(s.latent_dim), int(s.hidden_size)
    dev = s.device_
    net = s.net_
    plan = _target_plan(s, target)
    n_cont, n_bin = len(plan["cont_pos"]), len(plan["bin_pos"])
    mask_np = np.zeros(d, dtype=np.float32)
    mask_np[given] = 1.0
    mask_in_np = mask_np[s._layout["in_feature"]]
    Xg = np.zeros((M * u, d))
    Xg[:, given] = ctx_rows.reshape(M * u, d)[:, given]  # the other columns may hold anything (even NaN)
    inp_all = (encode(s, Xg)[0] * mask_in_np).reshape(M, u, -1)
    if order is None:
        out = np.empty((M, u, r, R, target.size), dtype=np.float32)
    else:
        out = np.empty((u, len(order), target.size), dtype=np.float32 if affine is None else np.float64)
    shared = e_z.shape[1] == 1  # the same noise rows for every conditioning row
    step = max(1, CHUNK_ROWS // max(1, r * M))
    act = _act_(s)
    with torch.inference_mode(), torch_threads(torch, s.n_threads):
        cols = torch.as_tensor(plan["cols"], device=dev)
        w_dz = net["dz_w"]  # (M, L, H)
        # the targets' output heads, transposed: (M, n_cols, H) and (M, n_cols, 1)
        w_out = net["out_w"].index_select(2, cols).transpose(1, 2).contiguous()
        b_out = net["out_b"].index_select(2, cols).transpose(1, 2).contiguous()
        ez_all = torch.as_tensor(e_z, dtype=torch.float32, device=dev)
        ex_all = torch.as_tensor(e_x, dtype=torch.float32, device=dev)
        mask_full = torch.as_tensor(mask_np, device=dev)
        cont_pos = torch.as_tensor(plan["cont_pos"], device=dev)
        bin_pos = torch.as_tensor(plan["bin_pos"], device=dev)
        all_cont = n_cont == target.size and plan["cont_pos"] == list(range(n_cont))
        order_t = None if order is None else torch.as_tensor(np.asarray(order, dtype=np.int64), device=dev)
        if affine is not None:
            shift_t, scale_t = (torch.as_tensor(np.asarray(a, dtype=np.float64), device=dev) for a in affine)
        if shared:  # the prior network and the z-free terms for all conditioning rows at once
            prior = prior_context(s, net, torch.as_tensor(inp_all, device=dev), mask_full.expand(M, u, d))
        for start in range(0, u, step):
            stop = min(u, start + step)
            m = stop - start
            if shared:
                mu_r, lv_r, ctx, skip = (t[:, start:stop] for t in prior)
            else:
                inp = torch.as_tensor(inp_all[:, start:stop], device=dev)
                mu_r, lv_r, ctx, skip = prior_context(s, net, inp, mask_full.expand(M, m, d))
            sd_r = torch.exp(0.5 * lv_r)
            skT = skip.index_select(2, cols).transpose(1, 2)  # (M, n_cols, m)
            if shared:
                # z for every (latent draw, conditioning row), then one (r m, L) x (L, H) product
                # per member (faster than folding diag(sd_r) into the weights: a product with an
                # inner dimension of L is slow)
                z = torch.addcmul(mu_r[:, None], sd_r[:, None], ez_all[:, 0, :, None, :])  # (M, r, m, L)
                h = torch.bmm(z.view(M, r * m, L), w_dz).view(M, r, m, H).add_(ctx[:, None])
                ex = ex_all[:, 0][:, None]  # (M, 1, r, R, n_target)
            else:
                z = torch.addcmul(mu_r[:, :, None, :], sd_r[:, :, None, :], ez_all[:, start:stop])
                h = torch.bmm(z.reshape(M, m * r, L), w_dz).view(M, m, r, H).add_(ctx[:, :, None, :])
                ex = ex_all[:, start:stop]  # (M, m, r, R, n_target)
            h = act(h.view(M, -1, H))
            for k in range(int(s.decoder_layers) - 1):
                h = act(linear(net, f"dec{k}", h))
            o = torch.baddbmm(b_out, w_out, h.transpose(1, 2))  # (M, n_cols, rows)
            if shared:  # rows (draw, conditioning row); to (M, m, r, n_cols) views
                o = o.view(M, -1, r, m).add_(skT[:, :, None, :])
                perm = (0, 3, 2, 1)
            else:  # rows (conditioning row, draw)
                o = o.view(M, -1, m, r).add_(skT[:, :, :, None])
                perm = (0, 2, 3, 1)

            def params(a, b):  # a block of the heads as (M, m, r, 1, b - a)
                return o[:, a:b].permute(*perm)[:, :, :, None, :]

            if n_cont:
                mean = params(0, n_cont)
                sd = F.softplus(o[:, n_cont : 2 * n_cont]).add_(float(s.min_scale)).permute(*perm)[:, :, :, None, :]
            if all_cont:  # the common case: no scatter
                res = torch.addcmul(mean, sd, ex)
            else:
                res = torch.empty(M, m, r, R, target.size, device=dev)
                exx = ex.expand(M, m, r, R, target.size)
                if n_cont:
                    res[..., cont_pos] = torch.addcmul(mean, sd, exx[..., cont_pos])
                if n_bin:
                    p = torch.sigmoid(params(2 * n_cont, 2 * n_cont + n_bin))
                    res[..., bin_pos] = (torch.special.ndtr(exx[..., bin_pos]) < p).float()
                for pos, c0, c1 in plan["cats"]:
                    cum = torch.softmax(o[:, c0:c1], dim=1).cumsum(1).permute(*perm)[:, :, :, None, :]
                    uu = torch.special.ndtr(exx[..., pos : pos + 1])
                    res[..., pos] = (cum < uu).sum(-1).clamp(max=c1 - c0 - 1).float()
            if order_t is None:
                out[:, start:stop] = res.cpu().numpy()
            else:  # each conditioning row's draws in draw order
                res = res.transpose(0, 1).reshape(m, -1, target.size).index_select(1, order_t)
                if affine is not None:
                    res = torch.addcmul(shift_t, res.double(), scale_t)
                out[start:stop] = res.cpu().numpy()
    return out


def latent_plan(s, eps: np.ndarray) -> dict:
    """How the draws of one noise set ``eps`` (k, L + d) map onto members and latent draws.

    Per member ``j``: ``latent_draw[j]`` (w_u,) one draw index per distinct latent noise row
    among its draws, ``slots[j]`` (w_u, R) the draws that read each of them and ``valid``
    (w_u, R) which slots are real (the padding repeats a draw of the member); ``member`` and
    ``slot`` (k,) say where draw ``i`` is in the flattened (M, w_u * R) slots. Found by
    comparing the noise rows themselves, so any noise gives the draws it encodes; cached for
    the last noise set (an explanation passes the same one to every coalition).
    """
    k, L, M = eps.shape[0], int(s.latent_dim), int(s.n_ensemble)
    view = eps[:, :L]
    # the same noise array as the last call (address, shape and three moments of its latent
    # noise: a changed or different array will not match)
    w = np.arange(1.0, k + 1.0)
    key = (k, M, int(getattr(s, "latent_reuse", 1)), eps.__array_interface__["data"][0], eps.strides,
           float(view.sum()), float(np.square(view).sum()), float(w @ view.sum(axis=1)))
    cached = getattr(s, "_latent_plan_cache", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    ez = np.ascontiguousarray(view)
    member = member_of(s, np.arange(k))
    per = []  # (first draw of each latent, draws sorted by latent, latent of each, position in its latent)
    for j in range(M):
        g = np.flatnonzero(member == j)
        if g.size == 0:
            per.append((np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64),
                        np.zeros(0, dtype=np.int64)))
            continue
        _, first, inv = np.unique(ez[g], axis=0, return_index=True, return_inverse=True)
        inv = np.asarray(inv).reshape(-1)
        order = np.argsort(inv, kind="stable")
        lat = inv[order]
        starts = np.searchsorted(lat, np.arange(first.size))
        per.append((g[first], g[order], lat, np.arange(lat.size) - starts[lat]))
    w_u = max(p[0].size for p in per)
    R = max(int(p[3].max()) + 1 if p[3].size else 1 for p in per)
    latent_draw = np.zeros((M, w_u), dtype=np.int64)
    slots = np.zeros((M, w_u, R), dtype=np.int64)
    valid = np.zeros((M, w_u, R), dtype=bool)
    for j, (firsts, drawn, lat, pos) in enumerate(per):
        latent_draw[j] = np.resize(firsts, w_u)
        slots[j] = latent_draw[j][:, None]  # padding: the latent's own first draw (or any of the member)
        slots[j, lat, pos] = drawn
        valid[j, lat, pos] = True
    # where each draw's code lands in the (M, w_u * R) output: its member and flat slot
    where_m = np.zeros(k, dtype=np.int64)
    where_p = np.zeros(k, dtype=np.int64)
    jj, qq, rr = np.nonzero(valid)
    where_m[slots[jj, qq, rr]] = jj
    where_p[slots[jj, qq, rr]] = qq * R + rr
    plan = {"latent_draw": latent_draw, "slots": slots, "valid": valid, "member": where_m, "slot": where_p}
    s._latent_plan_cache = (key, plan)
    return plan


def member_of(s, draw: np.ndarray) -> np.ndarray:
    """Ensemble member of each draw index: blocks of ``2 * latent_reuse`` draws (antithetic
    pairs (2i, 2i + 1) with the default ``latent_reuse=1``) share a member."""
    return (draw // (2 * int(getattr(s, "latent_reuse", 1)))) % int(s.n_ensemble)


def _draw_rows(s, X, target, given, eps, draw) -> np.ndarray:
    """One draw of ``X[:, target]`` per row (m, n_target), coded units; noise ``eps`` (m, L + d)."""
    M, L = int(s.n_ensemble), int(s.latent_dim)
    m, d = X.shape
    member = member_of(s, draw)
    groups = [np.flatnonzero(member == j) for j in range(M)]
    width = max(g.size for g in groups)
    if width == 0:
        return np.empty((0, target.size), dtype=np.float32)
    # pad every member's rows to the same count (repeating one of its rows; dropped below)
    take = np.stack([np.resize(g, width) if g.size else np.zeros(width, dtype=np.int64) for g in groups])
    e = eps[take]  # (M, width, L + d)
    codes = _draw_codes(s, X[take], given, e[:, :, None, :L], e[:, :, None, None, L + target], target)
    out = np.empty((m, target.size), dtype=np.float32)
    for j, g in enumerate(groups):
        out[g] = codes[j, : g.size, 0, 0]
    return out


def _to_data_units(s, codes: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Coded draws (..., n_target) of the ``target`` columns back in data units (float64)."""
    types = [s.feature_types_[j] for j in target]
    if all(t == "continuous" for t in types):
        out = codes.astype(np.float64)  # in place after one conversion (no mixed-type temporaries)
        out *= s.scale_[target]
        out += s.mean_[target]
        return out
    out = np.empty(codes.shape, dtype=np.float64)
    for k, (j, t) in enumerate(zip(target, types)):
        if t in ("continuous", "ordinal"):
            col = codes[..., k] * s.scale_[j] + s.mean_[j]
            out[..., k] = s.levels_[j][level_index(s.levels_[j], col)] if t == "ordinal" else col
        else:
            out[..., k] = s.levels_[j][codes[..., k].astype(np.int64)]
    return out


def decode_draw(s, X, target, given, eps, draw) -> np.ndarray:
    """Draw ``X[:, target]`` (m, n_target) given ``X[:, given]``: row i with noise ``eps[i]``
    (m, L + d) as draw number ``draw[i]`` (which picks its ensemble member)."""
    return _to_data_units(s, _draw_rows(s, X, target, given, eps, draw), target)


def sample_into(s, rows, target, given, noise, given_fixed: bool = False) -> None:
    """Fill ``rows[..., target]`` (validated by :meth:`BaseSampler.sample_into`).

    When the conditioning values are the same in every draw of an explicand (conditional
    values: ``x_S`` repeated; ``given_fixed`` says so, else it is checked), the prior network
    runs once per explicand and member, and the draws of all explicands go through the decoder
    together; otherwise (draws that condition on drawn parents) once per row.
    """
    n, k, d = rows.shape
    M, L = int(s.n_ensemble), int(s.latent_dim)
    eps = noise[:, 0]  # (k, L + d): slab 0, the first draw
    if given_fixed or given.size == 0:
        fixed, first = True, rows[:, 0, given]
    else:
        Xg = rows[:, :, given]
        fixed, first = bool((Xg == Xg[:, :1]).all()), Xg[:, 0]
    if fixed:
        # every member decodes its distinct latent draws once, for all explicands together
        plan = latent_plan(s, eps)
        ctx = np.zeros((n, d))
        ctx[:, given] = first
        e_z = eps[plan["latent_draw"], :L][:, None]  # (M, 1, w_u, L)
        e_x = eps[plan["slots"]][..., L + target][:, None]  # (M, 1, w_u, R, n_target)
        order = plan["member"] * (plan["slots"].shape[1] * plan["slots"].shape[2]) + plan["slot"]
        continuous = all(s.feature_types_[j] == "continuous" for j in target)
        affine = (s.mean_[target], s.scale_[target]) if continuous else None
        drawn = _draw_codes(s, np.broadcast_to(ctx, (M, n, d)), given, e_z, e_x, target, order, affine)
        if not continuous:
            drawn = _to_data_units(s, drawn, target)
        assign_columns(rows, target, drawn)  # (n, k, n_target)
    else:
        draw_id = np.tile(np.arange(k), n)  # draw number of each flattened row
        X = np.zeros((n * k, d))
        X[:, given] = Xg.reshape(n * k, given.size)
        assign_columns(rows, target, decode_draw(s, X, target, given, eps[draw_id], draw_id).reshape(n, k, target.size))
    if s.reject_constraints and s.constraints_:
        X = np.array(rows.reshape(n * k, d), dtype=np.float64)
        _reject(s, X, target, given, noise, np.tile(np.arange(k), n))
        assign_columns(rows, target, X[:, target].reshape(n, k, target.size))


# ---------------------------------------------------------------------------------- rejection
def _relevant_constraints(s, target, given):
    names = s._cnames
    known = {names[j] for j in np.concatenate([target, given])}
    tset = {names[j] for j in target}
    return [c for c in s.constraints_ if set(c.variables) <= known and set(c.variables) & tset], names


def _reject(s, X, target, given, noise, draw_id) -> None:
    cons, names = _relevant_constraints(s, target, given)
    if not cons:
        return
    ok = _satisfied(X, names, cons)
    first_rate = float(ok.mean()) if ok.size else 1.0
    for t in range(1, noise.shape[1]):
        bad = np.flatnonzero(~ok)
        if bad.size == 0:
            break
        X[np.ix_(bad, target)] = decode_draw(s, X[bad], target, given, noise[draw_id[bad], t], draw_id[bad])
        ok[bad] = _satisfied(X[bad], names, cons)
    left = int((~ok).sum())
    if first_rate < float(s.min_acceptance) or left:
        texts = ", ".join(repr(c.text) for c in cons)
        warnings.warn(
            f"VAESampler rejection sampling: {first_rate:.1%} of the draws satisfied the "
            f"constraints {texts} at the first try; {left} of {ok.size} rows still violate them "
            f"after max_tries={int(s.max_tries)} redraws (kept as drawn). The constraints "
            "may contradict the data, or the sampler may need more training.",
            CausalxWarning,
            # _reject < sample_into < VAESampler._sample_into < BaseSampler.sample_into
            # < BaseSampler.sample < the user's call
            stacklevel=6,
        )


def _satisfied(X: np.ndarray, names, constraints) -> np.ndarray:
    ok = np.ones(X.shape[0], dtype=bool)
    for c in constraints:
        ok &= c.evaluate(X, names)
    return ok


# ---------------------------------------------------------------------------------- likelihood
def log_density(s, X: np.ndarray, n_importance: int, rng: np.random.Generator) -> np.ndarray:
    """Importance-weighted log-density of each validated row of ``X`` (see ``score_samples``).

    Each ensemble member gives ``n_importance`` weights ``p(x | z) r(z) / q(z | x)``; the
    ensemble's density is the mean over members, so all ``M * n_importance`` weights are
    averaged (in log space).
    """
    torch = import_torch()
    M, L, d, dev = int(s.n_ensemble), int(s.latent_dim), s.n_features_in_, s.device_
    K = int(n_importance)
    net = s.net_
    out = np.empty(X.shape[0])
    step = max(1, CHUNK_ROWS // (K * M))
    with torch.inference_mode(), torch_threads(torch, s.n_threads):
        for start in range(0, X.shape[0], step):
            xb = X[start : start + step]
            m = xb.shape[0]
            inp_np, codes_np = encode(s, xb)
            inp = torch.as_tensor(inp_np, device=dev).repeat(K, 1).expand(M, K * m, -1)
            codes = torch.as_tensor(codes_np, device=dev).repeat(K * M, 1)
            zero = torch.zeros(M, K * m, d, device=dev)
            mu_q, lv_q = encoder(s, net, inp, zero)
            mu_r, lv_r, ctx, skip = prior_context(s, net, torch.zeros_like(inp), zero)
            e = torch.as_tensor(rng.standard_normal((M, K * m, L)), dtype=torch.float32, device=dev)
            z = mu_q + torch.exp(0.5 * lv_q) * e
            h = decode(s, net, z[:, :, None, :], ctx, skip)[:, :, 0]
            ll = loglik(s, h.reshape(M * K * m, -1), codes).sum(1).reshape(M, K * m)
            log_r = (-0.5 * ((z - mu_r) ** 2 * torch.exp(-lv_r) + lv_r + math.log(2 * math.pi))).sum(-1)
            log_q = (-0.5 * (e**2 + lv_q + math.log(2 * math.pi))).sum(-1)
            w = (ll + log_r - log_q).reshape(M * K, m)
            out[start : start + m] = (torch.logsumexp(w, 0) - math.log(M * K)).double().cpu().numpy()
    return out
