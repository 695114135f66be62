"""The VAEAC networks (proposal, prior, decoder), the masked-ELBO loss and the imputation likelihood.

Everything torch lives here or is reached through :func:`import_torch`: torch is imported inside
the functions, never at module level, so importing :mod:`causalx.samplers` stays light.
"""

from __future__ import annotations

import math

__all__ = [
    "DECODER_ACT",
    "LOGVAR_BOUND",
    "deterministic",
    "decode",
    "device_tensors",
    "encoder",
    "import_torch",
    "imputation_iwae",
    "imputation_loglik",
    "layer_specs",
    "linear",
    "loglik",
    "masked_elbo_loss",
    "new_net",
    "prior_context",
    "split",
    "torch_threads",
]

def _silu(x):
    return import_torch().nn.functional.silu(x)


def _relu(x):
    return import_torch().relu(x)


DECODER_ACT = {"silu": _silu, "relu": _relu}

# soft clamp of log-variances to [-LOGVAR_BOUND, LOGVAR_BOUND]: keeps exp() finite early on
LOGVAR_BOUND = 12.0


def import_torch():
    """Return the ``torch`` module, or raise an ``ImportError`` that says how to install it."""
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - torch is a dependency of causalx
        raise ImportError(
            "VAESampler needs PyTorch, which is not installed. Install it with "
            "'pip install torch' (CPU build: see https://pytorch.org/get-started/locally/)."
        ) from exc
    return torch


def layer_specs(s) -> list[tuple[str, int, int, bool]]:
    """``(name, fan_in, fan_out, bias)`` of every linear layer of sampler ``s``'s networks.

    - ``enc*``: the proposal ``q(z | x, S)`` over (encoded row, mask), to ``2 * latent_dim``
      outputs (mean and log-variance); used in training and ``score_samples`` only.
    - ``pri*``: the masked encoder, the prior ``r(z | x_S, S)`` over (observed row with the
      unobserved entries zeroed, mask). Its last hidden layer ``h`` is also a skip connection
      into the decoder (vaeac, Olsen et al. 2022).
    - ``ctx``, ``skip``, ``dz``, ``dec*``, ``out``: the decoder ``p(x_S̄ | z, x_S, S)``. Its
      first hidden layer is ``act(dz(z) + ctx(x_S, S, h))`` and its output
      ``out(hidden) + skip(x_S, S, h)``: ``ctx`` and ``skip`` do not depend on ``z``, so
      sampling computes them once per conditioning row and only ``dz``, ``dec*`` and ``out``
      once per draw.
    """
    d, L, H = s.n_features_in_, int(s.latent_dim), int(s.hidden_size)
    n_in = s._layout["in_feature"].size
    out_dim = s._layout["out_dim"]
    specs = []
    for net, n_out in (("enc", 2 * L), ("pri", 2 * L)):
        width = n_in + d
        for k in range(int(s.n_hidden_layers)):
            specs.append((f"{net}{k}", width, H, True))
            width = H
        specs.append((f"{net}_head", H, n_out, True))
    specs += [("ctx", n_in + d + H, H, True), ("skip", n_in + d + H, out_dim, True), ("dz", L, H, False)]
    specs += [(f"dec{k}", H, H, True) for k in range(int(s.decoder_layers) - 1)]
    specs.append(("out", H, out_dim, True))
    return specs


def new_net(s, seed: int):
    """Build the networks of sampler ``s`` (seeded, on ``s.device_``) and set ``s.net_``.

    ``s.net_`` is a :class:`torch.nn.ParameterDict`: for each layer of :func:`layer_specs`, a
    weight ``<name>_w`` of shape (n_ensemble, fan_in, fan_out) and a bias ``<name>_b`` of
    shape (n_ensemble, 1, fan_out): the ``n_ensemble`` members are evaluated together with
    batched matrix products (one call per layer for all members). Initialisation as
    :class:`torch.nn.Linear`: uniform on ``±1 / sqrt(fan_in)``.
    """
    torch = import_torch()
    M = int(s.n_ensemble)
    params = {}
    with torch.random.fork_rng(devices=[]):  # seed the initialisation without touching global state
        torch.manual_seed(seed)
        for name, fan_in, fan_out, bias in layer_specs(s):
            bound = 1.0 / math.sqrt(fan_in)
            params[f"{name}_w"] = torch.nn.Parameter(torch.empty(M, fan_in, fan_out).uniform_(-bound, bound))
            if bias:
                params[f"{name}_b"] = torch.nn.Parameter(torch.empty(M, 1, fan_out).uniform_(-bound, bound))
    s.net_ = torch.nn.ParameterDict(params).to(s.device_)
    return s.net_


def linear(net, name, x, cols=None):
    """Layer ``name`` of every member on ``x`` (M, m, fan_in) -> (M, m, fan_out).

    ``cols``: only these output columns (a LongTensor), e.g. the heads of the drawn features.
    """
    torch = import_torch()
    w = net[f"{name}_w"]
    b = net[f"{name}_b"] if f"{name}_b" in net else None
    if cols is not None:
        w = w.index_select(2, cols)
        b = None if b is None else b.index_select(2, cols)
    return torch.bmm(x, w) if b is None else torch.baddbmm(b, x, w)


def _mlp(s, net, prefix, x):
    F = import_torch().nn.functional
    for k in range(int(s.n_hidden_layers)):
        x = F.silu(linear(net, f"{prefix}{k}", x))
    return x


def encoder(s, net, inp, mask):
    """The proposal ``q(z | x, S)``: mean and log-variance (M, m, L) from (M, m, ·) inputs."""
    torch = import_torch()
    h = _mlp(s, net, "enc", torch.cat([inp, mask], -1))
    return split(linear(net, "enc_head", h), int(s.latent_dim))


def prior_context(s, net, obs, mask):
    """The prior ``r(z | x_S, S)`` and the decoder's ``z``-free terms, from (M, m, ·) inputs.

    Returns ``(mu_r, logvar_r, ctx, skip)``: (M, m, L) twice, (M, m, H) and (M, m, out_dim).
    """
    torch = import_torch()
    h = _mlp(s, net, "pri", torch.cat([obs, mask], -1))
    mu_r, lv_r = split(linear(net, "pri_head", h), int(s.latent_dim))
    feats = torch.cat([obs, mask, h], -1)
    return mu_r, lv_r, linear(net, "ctx", feats), linear(net, "skip", feats)


def decode(s, net, z, ctx, skip, cols=None):
    """Decoder outputs for ``z`` (M, m, r, L) with context ``ctx`` (M, m, H), ``skip`` (M, m, out).

    Returns (M, m, r, n_out): all likelihood parameters, or the columns ``cols`` only.
    """
    F = import_torch().nn.functional
    M, m, r, L = z.shape
    h = linear(net, "dz", z.reshape(M, m * r, L)).reshape(M, m, r, -1)
    act = DECODER_ACT[getattr(s, "_act", "silu")]
    h = act(h + ctx[:, :, None, :]).reshape(M, m * r, -1)
    for k in range(int(s.decoder_layers) - 1):
        h = act(linear(net, f"dec{k}", h))
    out = linear(net, "out", h, cols).reshape(M, m, r, -1)
    sk = skip if cols is None else skip.index_select(2, cols)
    return out + sk[:, :, None, :]


def device_tensors(s):
    """The layout index arrays of sampler ``s`` as tensors on its device (cached on ``s``)."""
    cache = getattr(s, "_tensor_cache", None)
    if cache is not None and cache["device"] == s.device_:
        return cache
    torch = import_torch()
    lay = s._layout
    dev = s.device_
    cache = {
        "device": dev,
        "in_feature": torch.as_tensor(lay["in_feature"], device=dev),
        "cont_idx": torch.as_tensor(lay["cont_idx"], device=dev),
        "cont_out": torch.as_tensor(lay["cont_out"], device=dev),
        "bin_idx": torch.as_tensor(lay["bin_idx"], device=dev),
        "bin_out": torch.as_tensor(lay["bin_out"], device=dev),
        "column_order": torch.as_tensor(lay["column_order"], device=dev),
    }
    s._tensor_cache = cache
    return cache


def split(h, L: int):
    """Split a (..., 2L) network output into the mean and the soft-clamped log-variance."""
    torch = import_torch()
    mu, raw = h[..., :L], h[..., L:]
    logvar = LOGVAR_BOUND * torch.tanh(raw / LOGVAR_BOUND)
    return mu, logvar


def loglik(s, out, codes):
    """Per-feature log-likelihood (m, d) of the targets ``codes`` under the decoder output."""
    torch = import_torch()
    F = torch.nn.functional
    tc = device_tensors(s)
    parts = []
    if tc["cont_idx"].numel():
        mu = out[:, tc["cont_out"]]
        sd = F.softplus(out[:, tc["cont_out"] + 1]) + float(s.min_scale)
        x = codes[:, tc["cont_idx"]]
        parts.append(-0.5 * ((x - mu) / sd) ** 2 - torch.log(sd) - 0.5 * math.log(2 * math.pi))
    if tc["bin_idx"].numel():
        logits = out[:, tc["bin_out"]]
        y = codes[:, tc["bin_idx"]]
        parts.append(-F.binary_cross_entropy_with_logits(logits, y, reduction="none"))
    for j, start, stop, _ in s._layout["cats"]:
        logp = F.log_softmax(out[:, start:stop], dim=1)
        parts.append(logp.gather(1, codes[:, j : j + 1].long()))
    # parts are in the order continuous, binary, categorical: back to column order
    return torch.cat(parts, 1).index_select(1, tc["column_order"])


def masked_elbo_loss(s, net, inp, codes, mask, eps, kl_weight=1.0):
    """Negative masked ELBO (M, m): -(E_q log p(x_unobserved | z, x_obs) - kl_weight KL(q || r)).

    ``inp`` (m, n_in) and ``codes`` (m, d) are shared by the members; ``mask`` (M, m, d) and
    ``eps`` (M, m, L) are each member's own.
    """
    torch = import_torch()
    M, m, d = mask.shape
    tc = device_tensors(s)
    x = inp.expand(M, *inp.shape)
    obs = x * mask[:, :, tc["in_feature"]]
    mu_q, lv_q = encoder(s, net, x, mask)
    mu_r, lv_r, ctx, skip = prior_context(s, net, obs, mask)
    z = mu_q + torch.exp(0.5 * lv_q) * eps
    out = decode(s, net, z[:, :, None, :], ctx, skip)[:, :, 0]
    ll = loglik(s, out.reshape(M * m, -1), codes.repeat(M, 1)).reshape(M, m, d)
    rec = (ll * (1.0 - mask)).sum(-1)
    kl = 0.5 * (lv_r - lv_q + (torch.exp(lv_q) + (mu_q - mu_r) ** 2) * torch.exp(-lv_r) - 1.0).sum(-1)
    return kl_weight * kl - rec


def imputation_loglik(s, net, inp, codes, mask, eps):
    """Estimate of ``log p(x_S̄ | x_S)`` per row (m,) under the ensemble, from prior draws.

    ``log mean_{members, i} p(x_S̄ | z_i, x_S)`` with ``z_i = mu_r + sigma_r * eps[:, :, i]``
    from each member's prior network (``eps`` of shape (M, m, k, L)): the held-out
    imputation likelihood that early stopping watches (it scores the draws the sampler makes).
    """
    torch = import_torch()
    M, m, k, _ = eps.shape
    d = mask.shape[1]
    tc = device_tensors(s)
    obs = (inp * mask[:, tc["in_feature"]]).expand(M, m, -1)
    mu_r, lv_r, ctx, skip = prior_context(s, net, obs, mask.expand(M, m, d))
    z = mu_r[:, :, None, :] + torch.exp(0.5 * lv_r)[:, :, None, :] * eps
    out = decode(s, net, z, ctx, skip)  # (M, m, k, out_dim)
    ll = loglik(s, out.reshape(M * m * k, -1), codes[None, :, None, :].expand(M, m, k, d).reshape(-1, d))
    ll = (ll.reshape(M, m, k, d) * (1.0 - mask)[None, :, None, :]).sum(-1)
    return torch.logsumexp(ll.permute(1, 0, 2).reshape(m, M * k), 1) - math.log(M * k)


def imputation_iwae(s, net, inp, codes, mask, eps):
    """Importance-weighted estimate of ``log p(x_S̄ | x_S)`` per row (m,) under the ensemble.

    vaeac's validation score: ``z_i = mu_q + sigma_q * eps[:, :, i]`` from each member's
    proposal ``q(z | x, S)`` (``eps`` of shape (M, m, k, L)), weighted by
    ``p(x_S̄ | z_i, x_S) r(z_i | x_S) / q(z_i | x, S)``, then averaged over members and draws.
    Unlike the prior-draw estimate :func:`imputation_loglik`, its downward bias does not grow
    as the decoder sharpens given ``z``, so early stopping on it does not favour a network that
    keeps the information of ``x_S`` out of ``z``.
    """
    torch = import_torch()
    M, m, k, L = eps.shape
    d = mask.shape[1]
    tc = device_tensors(s)
    x = inp.expand(M, m, -1)
    mk = mask.expand(M, m, d)
    obs = x * mask[:, tc["in_feature"]]
    mu_q, lv_q = encoder(s, net, x, mk)
    mu_r, lv_r, ctx, skip = prior_context(s, net, obs, mk)
    z = mu_q[:, :, None, :] + torch.exp(0.5 * lv_q)[:, :, None, :] * eps
    out = decode(s, net, z, ctx, skip)  # (M, m, k, out_dim)
    ll = loglik(s, out.reshape(M * m * k, -1), codes[None, :, None, :].expand(M, m, k, d).reshape(-1, d))
    ll = (ll.reshape(M, m, k, d) * (1.0 - mask)[None, :, None, :]).sum(-1)
    # log r(z) - log q(z); the 2 pi terms cancel
    log_r = -0.5 * (((z - mu_r[:, :, None, :]) ** 2) * torch.exp(-lv_r)[:, :, None, :] + lv_r[:, :, None, :]).sum(-1)
    log_q = -0.5 * (eps**2 + lv_q[:, :, None, :]).sum(-1)
    logw = ll + log_r - log_q
    return torch.logsumexp(logw.permute(1, 0, 2).reshape(m, M * k), 1) - math.log(M * k)


class deterministic:
    """Turn on torch's deterministic algorithms for a block, restoring the previous setting."""

    def __init__(self, torch, enabled=True):
        self.torch = torch
        self.enabled = enabled

    def __enter__(self):
        if not self.enabled:
            return self
        self.prev = self.torch.are_deterministic_algorithms_enabled()
        self.prev_warn = self.torch.is_deterministic_algorithms_warn_only_enabled()
        self.torch.use_deterministic_algorithms(True, warn_only=True)
        return self

    def __exit__(self, *exc):
        if self.enabled:
            self.torch.use_deterministic_algorithms(self.prev, warn_only=self.prev_warn)
        return False


class torch_threads:
    """Set torch's intra-op thread count for a block (``None``: leave it), restoring it after."""

    def __init__(self, torch, n):
        self.torch, self.n = torch, n

    def __enter__(self):
        self.prev = self.torch.get_num_threads()
        if self.n is not None and int(self.n) != self.prev:
            self.torch.set_num_threads(int(self.n))
        return self

    def __exit__(self, *exc):
        if self.torch.get_num_threads() != self.prev:
            self.torch.set_num_threads(self.prev)
        return False
