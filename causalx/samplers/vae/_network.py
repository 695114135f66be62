"""The VAEAC networks (proposal, prior, decoder) and the masked-ELBO loss.

Everything torch lives here or is reached through :func:`import_torch`: torch is imported inside
the functions, never at module level, so importing :mod:`causalx.samplers` stays light.
"""

from __future__ import annotations

import math

__all__ = [
    "LOGVAR_BOUND",
    "deterministic",
    "device_tensors",
    "import_torch",
    "loglik",
    "masked_elbo_loss",
    "new_net",
    "split",
    "torch_threads",
]

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


def new_net(s, seed: int):
    """Build the three networks of sampler ``s`` (seeded, on ``s.device_``) and set ``s.net_``.

    The encoder ``q(z | x, S)`` and the prior ``r(z | x_S, S)`` map (encoded row, mask) to
    ``2 * latent_dim`` outputs (mean and log-variance); the decoder maps (z, observed row, mask)
    to the likelihood parameters of the layout (``s._layout["out_dim"]``).
    """
    torch = import_torch()
    d, L, H = s.n_features_in_, int(s.latent_dim), int(s.hidden_size)
    n_in = s._layout["in_feature"].size
    out_dim = s._layout["out_dim"]

    def mlp(n_first, n_last):
        layers, width = [], n_first
        for _ in range(int(s.n_hidden_layers)):
            layers += [torch.nn.Linear(width, H), torch.nn.SiLU()]
            width = H
        layers.append(torch.nn.Linear(width, n_last))
        return torch.nn.Sequential(*layers)

    with torch.random.fork_rng(devices=[]):  # seed the initialisation without touching global state
        torch.manual_seed(seed)
        net = torch.nn.ModuleDict(
            {
                "encoder": mlp(n_in + d, 2 * L),
                "prior": mlp(n_in + d, 2 * L),
                "decoder": mlp(L + n_in + d, out_dim),
            }
        )
    s.net_ = net.to(s.device_)
    return s.net_


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
    """Split a (m, 2L) network output into the mean and the soft-clamped log-variance."""
    torch = import_torch()
    mu, raw = h[:, :L], h[:, L:]
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


def masked_elbo_loss(s, net, inp, codes, mask, eps):
    """Negative masked ELBO per row (m,): -(E_q log p(x_unobserved | z, x_obs) - KL(q || r))."""
    torch = import_torch()
    L = int(s.latent_dim)
    tc = device_tensors(s)
    mask_in = mask[:, tc["in_feature"]]
    obs = inp * mask_in
    mu_q, lv_q = split(net["encoder"](torch.cat([inp, mask], 1)), L)
    mu_r, lv_r = split(net["prior"](torch.cat([obs, mask], 1)), L)
    z = mu_q + torch.exp(0.5 * lv_q) * eps
    out = net["decoder"](torch.cat([z, obs, mask], 1))
    rec = (loglik(s, out, codes) * (1.0 - mask)).sum(1)
    kl = 0.5 * (lv_r - lv_q + (torch.exp(lv_q) + (mu_q - mu_r) ** 2) * torch.exp(-lv_r) - 1.0).sum(1)
    return kl - rec


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
