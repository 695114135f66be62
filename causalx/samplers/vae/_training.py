"""Training of the VAE: the coalition masks it learns on and the early-stopped Adam loop."""

from __future__ import annotations

import copy
import math

import numpy as np

from causalx.samplers.vae._network import deterministic, import_torch, masked_elbo_loss

__all__ = ["draw_masks", "graph_steps", "train"]


def graph_steps(graph, names) -> list[tuple[np.ndarray, np.ndarray, bool]]:
    """The causal chain steps ``(parents, members, confounded)`` as column indices.

    Empty without a graph, without feature names, or when a graph node has no column (then
    the masks are the Shapley-kernel ones only). The translation is
    :func:`causalx.graph.chain_components`, shared with the mechanism sampler and the games.
    """
    if graph is None or names is None or not hasattr(graph, "components"):
        return []
    from causalx.graph import chain_components

    try:
        components = chain_components(graph, names)
    except KeyError:  # a graph node without a column
        return []
    return [(c.parents, c.members, c.confounded) for c in components]


def draw_masks(s, m: int, rng: np.random.Generator, steps) -> np.ndarray:
    """Training masks (m, d), True = observed: the coalition distribution of the explanation."""
    d = s.n_features_in_
    masks = np.zeros((m, d), dtype=bool)
    n_graph = 0
    if steps:
        n_graph = int(rng.binomial(m, float(s.graph_mask_share)))
    n_shap = m - n_graph
    if n_shap:
        if d > 1:
            size = np.arange(1, d)
            kernel = (d - 1) / (size * (d - size))
            kernel = np.concatenate([[0.0], kernel / kernel.sum()])  # sizes 0..d-1
            uniform = np.full(d, 1.0 / d)  # sizes 0..d-1 (as in permutation sampling)
            probs = 0.5 * kernel + 0.5 * uniform
            sizes = rng.choice(d, size=n_shap, p=probs)
        else:
            sizes = np.zeros(n_shap, dtype=np.int64)
        # a uniform subset of each size: the `size` smallest of d uniform keys
        keys = rng.random((n_shap, d))
        ranks = keys.argsort(axis=1).argsort(axis=1)
        masks[:n_shap] = ranks < sizes[:, None]
    if n_graph:
        which = rng.integers(0, len(steps), size=n_graph)
        for i, (parents, members, confounded) in enumerate(steps):
            rows = n_shap + np.flatnonzero(which == i)
            if rows.size == 0:
                continue
            masks[np.ix_(rows, parents)] = True
            if not confounded and members.size > 1:
                # observe a uniform-sized part of the component, leaving at least one member out
                sizes = rng.integers(0, members.size, size=rows.size)
                keys = rng.random((rows.size, members.size))
                ranks = keys.argsort(axis=1).argsort(axis=1)
                masks[np.ix_(rows, members)] = ranks < sizes[:, None]
    return masks


def train(s, net, inp_np, codes_np, train_idx, val_idx, steps, seed_train, seed_val) -> None:
    """Fit ``net`` on the masked ELBO; keep the best validation checkpoint.

    Sets ``s.loss_curve_``, ``s.validation_loss_curve_``, ``s.n_epochs_`` and ``s.best_epoch_``.
    """
    from causalx.utils.progress import progress

    torch = import_torch()
    dev = s.device_
    L = int(s.latent_dim)
    inp = torch.as_tensor(inp_np, device=dev)
    codes = torch.as_tensor(codes_np, device=dev)
    rng = np.random.default_rng(seed_train)
    gen = torch.Generator().manual_seed(seed_train)
    # fixed validation masks and noise (2 per row): a deterministic early-stopping criterion
    val_rng = np.random.default_rng(seed_val)
    n_val = val_idx.size
    if n_val:
        v_rows = np.concatenate([val_idx, val_idx])
        v_mask = torch.as_tensor(draw_masks(s, v_rows.size, val_rng, steps), dtype=torch.float32, device=dev)
        v_eps = torch.randn(v_rows.size, L, generator=torch.Generator().manual_seed(seed_val)).to(dev)
        v_inp, v_codes = inp[torch.as_tensor(v_rows, device=dev)], codes[torch.as_tensor(v_rows, device=dev)]

    opt = torch.optim.Adam(net.parameters(), lr=float(s.learning_rate))
    bs = int(min(s.batch_size, train_idx.size))
    best, best_state, best_epoch, since = math.inf, None, 0, 0
    s.loss_curve_, s.validation_loss_curve_ = [], []
    epoch = 0
    with deterministic(torch, enabled=dev != "cpu"):  # CPU kernels used here are deterministic
        for epoch in progress(range(1, int(s.max_epochs) + 1), total=int(s.max_epochs), desc="VAESampler.fit"):
            net.train()
            perm = rng.permutation(train_idx)
            masks = torch.as_tensor(draw_masks(s, perm.size, rng, steps), dtype=torch.float32, device=dev)
            eps = torch.randn(perm.size, L, generator=gen).to(dev)
            perm_t = torch.as_tensor(perm, device=dev)
            total = 0.0
            for start in range(0, perm.size, bs):
                sl = slice(start, start + bs)
                idx = perm_t[sl]
                loss = masked_elbo_loss(s, net, inp[idx], codes[idx], masks[sl], eps[sl]).mean()
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                total += float(loss.detach()) * idx.numel()
            s.loss_curve_.append(total / perm.size)
            if not n_val:
                continue
            net.eval()
            with torch.no_grad():
                val = float(masked_elbo_loss(s, net, v_inp, v_codes, v_mask, v_eps).mean())
            s.validation_loss_curve_.append(val)
            if not math.isfinite(val):
                break
            if not math.isfinite(best) or val < best - 1e-6 * max(1.0, abs(best)):
                best, best_epoch, since = val, epoch, 0
                best_state = copy.deepcopy(net.state_dict())
            else:
                since += 1
                if since >= int(s.patience):
                    break
    if best_state is not None:
        net.load_state_dict(best_state)
    else:
        best_epoch = epoch
    net.eval()
    s.n_epochs_ = int(epoch)
    s.best_epoch_ = int(best_epoch)
