"""Drawing from the fitted VAE: noise, batched decoding, rejection of constraint violations, scores."""

from __future__ import annotations

import math
import warnings

import numpy as np

from causalx.exceptions import CausalxWarning
from causalx.samplers._base import _check_n_draws
from causalx.samplers.vae._layout import encode, level_index
from causalx.samplers.vae._network import DECODER_ACT, decode, encoder, import_torch, linear, loglik, prior_context, torch_threads

__all__ = ["check_noise", "decode_draw", "draw_noise", "log_density", "n_slabs", "sample_into"]

# rows per forward pass in sample_into / score_samples (memory cap: ~ rows * hidden * 4 bytes)
CHUNK_ROWS = 2**17


def n_slabs(s) -> int:
    """Noise slabs per draw: one, plus ``max_tries`` for the redraws of rejection sampling."""
    return 1 + int(s.max_tries) if (s.reject_constraints and s.constraints_) else 1


def draw_noise(s, n_draws: int, rng: np.random.Generator) -> np.ndarray:
    """(K, slabs, latent_dim + d) standard normals, in antithetic pairs when ``s.antithetic``.

    Slab 0 drives the first draw, slab t the t-th redraw under rejection; columns :L drive z,
    column L + j drives feature j. With ``antithetic``, draw 2i + 1 is the negative of draw
    2i: every draw keeps its distribution, and the pair's errors largely cancel in a mean.
    """
    shape = (n_slabs(s), int(s.latent_dim) + s.n_features_in_)
    if not s.antithetic:
        return rng.standard_normal((n_draws, *shape))
    half = rng.standard_normal(((n_draws + 1) // 2, *shape))
    return np.stack([half, -half], axis=1).reshape(-1, *shape)[:n_draws]


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


def _draw_codes(s, ctx_rows, given, e_z, e_x, target) -> np.ndarray:
    """Draws of the ``target`` features in coded units, (M, u, r, n_target) float32.

    ``ctx_rows`` (M, u, d) hold, for each ensemble member, the conditioning values in the
    ``given`` columns (the others are ignored); ``e_z`` (M, u or 1, r, L) and ``e_x``
    (M, u or 1, r, n_target) are the noise of ``r`` draws per conditioning row.

    The prior network and the ``z``-free decoder terms run once per conditioning row; per
    draw only the decoder after ``z`` runs, with the first layer folded per row:
    ``dz(mu_r + sigma_r * e) + ctx = e @ (diag(sigma_r) W) + (mu_r W + ctx)``, one batched
    product. Chunks of about ``CHUNK_ROWS`` draws, under ``torch.inference_mode``; only the
    targets' likelihood heads are computed.
    """
    torch = import_torch()
    F = torch.nn.functional
    M, u, d = ctx_rows.shape
    r, L, H = e_z.shape[2], int(s.latent_dim), int(s.hidden_size)
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
    out = np.empty((M, u, r, target.size), dtype=np.float32)
    step = max(1, CHUNK_ROWS // max(1, r * M))
    act = DECODER_ACT[getattr(s, '_act', 'silu')]
    with torch.inference_mode(), torch_threads(torch, s.n_threads):
        cols = torch.as_tensor(plan["cols"], device=dev)
        w_dz = net["dz_w"]  # (M, L, H)
        # output heads of the targets: means / scales of continuous, then the rest, each
        # block contiguous (activations on whole tensors, no strided slices)
        w_out = net["out_w"].index_select(2, cols)
        b_out = net["out_b"].index_select(2, cols)
        ez_all = torch.as_tensor(e_z, dtype=torch.float32, device=dev)
        ex_all = torch.as_tensor(e_x, dtype=torch.float32, device=dev)
        shared = ez_all.shape[1] == 1  # the same r noise rows for every conditioning row
        mask_full = torch.as_tensor(mask_np, device=dev)
        cont_pos = torch.as_tensor(plan["cont_pos"], device=dev)
        bin_pos = torch.as_tensor(plan["bin_pos"], device=dev)
        all_cont = n_cont == target.size and plan["cont_pos"] == list(range(n_cont))
        blocks = [(0, n_cont), (n_cont, 2 * n_cont), (2 * n_cont, cols.numel())]
        heads = [(w_out[..., a:b].contiguous(), b_out[..., a:b]) for a, b in blocks]
        for start in range(0, u, step):
            stop = min(u, start + step)
            m = stop - start
            inp = torch.as_tensor(inp_all[:, start:stop], device=dev)
            mu_r, lv_r, ctx, skip = prior_context(s, net, inp, mask_full.expand(M, m, d))
            sd_r = torch.exp(0.5 * lv_r)
            if shared:
                # first decoder layer folded per conditioning row: e @ (diag(sd_r) W) + (mu_r W + ctx),
                # one (r, L) x (L, m H) product per member; rows ordered (draw, conditioning row)
                A = (sd_r[..., None] * w_dz[:, None]).permute(0, 2, 1, 3).reshape(M, L, m * H)
                c = (torch.bmm(mu_r, w_dz) + ctx)[:, None]  # (M, 1, m, H)
                h = torch.bmm(ez_all[:, 0], A).view(M, r, m, H).add_(c)
                ex = ex_all[:, 0, :, None, :]  # (M, r, 1, n_target)
                sk = skip.index_select(2, cols)[:, None]  # (M, 1, m, n_cols)
            else:
                z = torch.addcmul(mu_r[:, :, None, :], sd_r[:, :, None, :], ez_all[:, start:stop])
                h = torch.bmm(z.reshape(M, m * r, L), w_dz).view(M, m, r, H).add_(ctx[:, :, None, :])
                ex = ex_all[:, start:stop]  # (M, m, r, n_target)
                sk = skip.index_select(2, cols)[:, :, None]  # (M, m, 1, n_cols)
            shape = h.shape[:3]
            h = act(h.reshape(M, -1, H))
            for k in range(int(s.decoder_layers) - 1):
                h = act(linear(net, f"dec{k}", h))

            def head(i):
                a, b = blocks[i]
                w, bias = heads[i]
                return torch.baddbmm(bias, h, w).view(*shape, b - a).add_(sk[..., a:b])

            if n_cont:
                sd = F.softplus(head(1)).add_(float(s.min_scale))
                mean = head(0)
            if all_cont:  # the common case: no scatter
                res = torch.addcmul(mean, sd, ex)
            else:
                res = torch.empty(*shape, target.size, device=dev)
                exx = ex.expand(*shape, target.size)
                rest = head(2) if blocks[2][1] > blocks[2][0] else None
                if n_cont:
                    res[..., cont_pos] = torch.addcmul(mean, sd, exx[..., cont_pos])
                if n_bin:
                    p = torch.sigmoid(rest[..., :n_bin])
                    res[..., bin_pos] = (torch.special.ndtr(exx[..., bin_pos]) < p).float()
                for pos, c0, c1 in plan["cats"]:
                    c0, c1 = c0 - 2 * n_cont, c1 - 2 * n_cont
                    cum = torch.softmax(rest[..., c0:c1], dim=-1).cumsum(-1)
                    uu = torch.special.ndtr(exx[..., pos : pos + 1])
                    res[..., pos] = (cum < uu).sum(-1).clamp(max=c1 - c0 - 1).float()
            if shared:
                res = res.transpose(1, 2)  # (M, m, r, n_target)
            out[:, start:stop] = res.cpu().numpy()
    return out


def member_of(s, draw: np.ndarray) -> np.ndarray:
    """Ensemble member of each draw index: antithetic pairs (2i, 2i + 1) share a member."""
    return (draw // 2) % int(s.n_ensemble)


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
    codes = _draw_codes(s, X[take], given, e[:, :, None, :L], e[:, :, None, L + target], target)
    out = np.empty((m, target.size), dtype=np.float32)
    for j, g in enumerate(groups):
        out[g] = codes[j, : g.size, 0]
    return out


def _to_data_units(s, codes: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Coded draws (m, n_target) of the ``target`` columns back in data units (float64)."""
    types = [s.feature_types_[j] for j in target]
    if all(t == "continuous" for t in types):
        return codes * s.scale_[target] + s.mean_[target]
    out = np.empty(codes.shape, dtype=np.float64)
    for k, (j, t) in enumerate(zip(target, types)):
        if t in ("continuous", "ordinal"):
            col = codes[:, k] * s.scale_[j] + s.mean_[j]
            out[:, k] = s.levels_[j][level_index(s.levels_[j], col)] if t == "ordinal" else col
        else:
            out[:, k] = s.levels_[j][codes[:, k].astype(np.int64)]
    return out


def decode_draw(s, X, target, given, eps, draw) -> np.ndarray:
    """Draw ``X[:, target]`` (m, n_target) given ``X[:, given]``: row i with noise ``eps[i]``
    (m, L + d) as draw number ``draw[i]`` (which picks its ensemble member)."""
    return _to_data_units(s, _draw_rows(s, X, target, given, eps, draw), target)


def sample_into(s, rows, target, given, noise) -> None:
    """Fill ``rows[..., target]`` (validated by :meth:`BaseSampler.sample_into`).

    When the conditioning values are the same in every draw of an explicand (conditional
    values: ``x_S`` repeated), the prior network runs once per explicand and member, and the
    draws of all explicands go through the decoder together; otherwise (draws that condition
    on drawn parents) once per row.
    """
    n, k, d = rows.shape
    M, L = int(s.n_ensemble), int(s.latent_dim)
    eps = noise[:, 0]  # (k, L + d): slab 0, the first draw
    Xg = rows[:, :, given]
    draw_id = np.tile(np.arange(k), n)
    if given.size == 0 or bool((Xg == Xg[:, :1]).all()):
        # draw k belongs to member (k // 2) % M: pad k to whole rounds of 2M draws (wrapping
        # the noise), group the draws by member, and undo the grouping with one reshape
        Q = -(-k // (2 * M))
        e = eps[np.arange(2 * M * Q) % k].reshape(Q, M, 2, -1).transpose(1, 0, 2, 3).reshape(M, 2 * Q, -1)
        ctx = np.zeros((n, d))
        ctx[:, given] = Xg[:, 0]
        codes = _draw_codes(s, np.broadcast_to(ctx, (M, n, d)), given, e[:, None, :, :L], e[:, None, :, L + target], target)
        codes = codes.reshape(M, n, Q, 2, target.size).transpose(1, 2, 0, 3, 4).reshape(n, 2 * Q * M, target.size)
        flat = codes[:, :k]
        drawn = _to_data_units(s, flat.reshape(n * k, target.size), target)
    else:
        X = np.zeros((n * k, d))
        X[:, given] = Xg.reshape(n * k, given.size)
        drawn = decode_draw(s, X, target, given, eps[draw_id], draw_id)
    if s.reject_constraints and s.constraints_:
        X = np.array(rows.reshape(n * k, d), dtype=np.float64)
        X[:, target] = drawn
        _reject(s, X, target, given, noise, draw_id)
        drawn = X[:, target]
    rows[:, :, target] = drawn.reshape(n, k, target.size)


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
