"""Drawing from the fitted VAE: noise, batched decoding, rejection of constraint violations, scores."""

from __future__ import annotations

import math
import warnings

import numpy as np

from causalx.exceptions import CausalxWarning
from causalx.samplers._base import _check_n_draws
from causalx.samplers.vae._layout import encode, level_index
from causalx.samplers.vae._network import device_tensors, import_torch, loglik, split, torch_threads

__all__ = ["check_noise", "decode_draw", "draw_noise", "log_density", "n_slabs", "sample_into"]

# rows per forward pass in sample_into / score_samples (memory cap: ~ rows * hidden * 4 bytes)
CHUNK_ROWS = 2**17


def n_slabs(s) -> int:
    """Noise slabs per draw: one, plus ``max_tries`` for the redraws of rejection sampling."""
    return 1 + int(s.max_tries) if (s.reject_constraints and s.constraints_) else 1


def draw_noise(s, n_draws: int, rng: np.random.Generator) -> np.ndarray:
    # (K, slabs, latent_dim + d) standard normals: slab 0 for the first draw, slab t for the
    # t-th redraw under rejection; columns :L drive z, column L + j drives feature j.
    return rng.standard_normal((n_draws, n_slabs(s), int(s.latent_dim) + s.n_features_in_))


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


def decode_draw(s, X: np.ndarray, given: np.ndarray, eps: np.ndarray) -> np.ndarray:
    """Draw every column of ``X`` (m, d) given ``X[:, given]``, with noise ``eps`` (m, L + d).

    One forward pass of the prior network and the decoder per chunk of rows.
    """
    torch = import_torch()
    m, d = X.shape
    L = int(s.latent_dim)
    dev = s.device_
    tc = device_tensors(s)
    net = s.net_
    mask_np = np.zeros(d, dtype=np.float32)
    mask_np[given] = 1.0
    mask_in_np = mask_np[s._layout["in_feature"]]
    out = np.empty((m, d))
    Xg = np.zeros_like(X)
    Xg[:, given] = X[:, given]  # the other columns may hold anything (even NaN)
    with torch.no_grad(), torch_threads(torch, s.n_threads):
        for start in range(0, m, CHUNK_ROWS):
            sl = slice(start, start + CHUNK_ROWS)
            inp_np, _ = encode(s, Xg[sl])
            inp = torch.as_tensor(inp_np * mask_in_np, device=dev)
            mask = torch.as_tensor(mask_np, device=dev).expand(inp.shape[0], d)
            e = torch.as_tensor(eps[sl], dtype=torch.float32, device=dev)
            mu_r, lv_r = split(net["prior"](torch.cat([inp, mask], 1)), L)
            z = mu_r + torch.exp(0.5 * lv_r) * e[:, :L]
            h = net["decoder"](torch.cat([z, inp, mask], 1))
            ex = e[:, L:]
            res = torch.zeros(inp.shape[0], d, dtype=torch.float64, device=dev)
            if tc["cont_idx"].numel():
                mu = h[:, tc["cont_out"]]
                sd = torch.nn.functional.softplus(h[:, tc["cont_out"] + 1]) + float(s.min_scale)
                res[:, tc["cont_idx"]] = (mu + sd * ex[:, tc["cont_idx"]]).double()
            if tc["bin_idx"].numel():
                p = torch.sigmoid(h[:, tc["bin_out"]])
                u = torch.special.ndtr(ex[:, tc["bin_idx"]])
                res[:, tc["bin_idx"]] = (u < p).double()
            for j, s0, s1, _ in s._layout["cats"]:
                cum = torch.softmax(h[:, s0:s1], dim=1).cumsum(1)
                u = torch.special.ndtr(ex[:, j : j + 1])
                res[:, j] = (cum < u).sum(1).clamp(max=s1 - s0 - 1).double()
            out[sl] = res.cpu().numpy()
    # back to data units
    for j, t in enumerate(s.feature_types_):
        if t in ("continuous", "ordinal"):
            out[:, j] = out[:, j] * s.scale_[j] + s.mean_[j]
            if t == "ordinal":
                out[:, j] = s.levels_[j][level_index(s.levels_[j], out[:, j])]
        else:
            out[:, j] = s.levels_[j][out[:, j].astype(np.int64)]
    return out


def sample_into(s, rows, target, given, noise) -> None:
    """Fill ``rows[..., target]`` (validated by :meth:`BaseSampler.sample_into`)."""
    n, k, d = rows.shape
    flat = rows.reshape(n * k, d)  # a copy if rows is not contiguous; written back below
    draw_id = np.tile(np.arange(k), n)
    eps = noise[draw_id, 0]
    X = np.asarray(flat, dtype=np.float64)
    drawn = decode_draw(s, X, given, eps)
    X = X.copy()
    X[:, target] = drawn[:, target]
    if s.reject_constraints and s.constraints_:
        _reject(s, X, target, given, noise, draw_id)
    rows[:, :, target] = X[:, target].reshape(n, k, target.size)


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
        redraw = decode_draw(s, X[bad], given, noise[draw_id[bad], t])
        X[np.ix_(bad, target)] = redraw[:, target]
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
    """Importance-weighted log-density of each validated row of ``X`` (see ``score_samples``)."""
    torch = import_torch()
    L, d, dev = int(s.latent_dim), s.n_features_in_, s.device_
    net = s.net_
    out = np.empty(X.shape[0])
    step = max(1, CHUNK_ROWS // int(n_importance))
    with torch.no_grad(), torch_threads(torch, s.n_threads):
        for start in range(0, X.shape[0], step):
            xb = X[start : start + step]
            m = xb.shape[0]
            inp_np, codes_np = encode(s, xb)
            inp = torch.as_tensor(inp_np, device=dev).repeat(int(n_importance), 1)
            codes = torch.as_tensor(codes_np, device=dev).repeat(int(n_importance), 1)
            zero = torch.zeros(inp.shape[0], d, device=dev)
            obs = torch.zeros_like(inp)
            mu_q, lv_q = split(net["encoder"](torch.cat([inp, zero], 1)), L)
            mu_r, lv_r = split(net["prior"](torch.cat([obs, zero], 1)), L)
            e = torch.as_tensor(rng.standard_normal((inp.shape[0], L)), dtype=torch.float32, device=dev)
            z = mu_q + torch.exp(0.5 * lv_q) * e
            h = net["decoder"](torch.cat([z, obs, zero], 1))
            ll = loglik(s, h, codes).sum(1)
            log_r = (-0.5 * ((z - mu_r) ** 2 * torch.exp(-lv_r) + lv_r + math.log(2 * math.pi))).sum(1)
            log_q = (-0.5 * (e**2 + lv_q + math.log(2 * math.pi))).sum(1)
            w = (ll + log_r - log_q).reshape(int(n_importance), m)
            out[start : start + m] = (torch.logsumexp(w, 0) - math.log(int(n_importance))).double().cpu().numpy()
    return out
