"""Training of the VAE: the coalition masks it learns on and the early-stopped Adam loop."""

from __future__ import annotations

import copy
import math

import numpy as np

from causalx.samplers.vae._network import deterministic, import_torch, imputation_iwae, masked_elbo_loss

__all__ = [
    "EMA_DECAY",
    "KL_WARMUP_EPOCHS",
    "LR_FLOOR_DIVISOR",
    "VAL_DRAWS",
    "draw_masks",
    "graph_steps",
    "paired",
    "train",
]

#: epochs over which the weight of the KL term grows from 0 to 1
KL_WARMUP_EPOCHS = 10

#: decay of the exponential moving average of the weights (per optimiser step)
EMA_DECAY = 0.99

#: the learning rate is never halved below ``learning_rate / LR_FLOOR_DIVISOR``
LR_FLOOR_DIVISOR = 16

#: proposal draws per validation row in the imputation likelihood that early stopping watches
VAL_DRAWS = 10


def graph_steps(graph, names) -> list[tuple[np.ndarray, np.ndarray, bool]]:
    """The causal chain steps ``(parents, members, confounded)`` as column indices.

    Empty without a graph, without feature names, or when a graph node has no column (then
    the masks are the Shapley-coalition ones only). The translation is
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
        # uniform over the coalition sizes 0..d-1: the weight exact Shapley values give each
        # size (size d has nothing to impute); the complement of each mask is added in training
        sizes = rng.integers(0, d, size=n_shap)
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


def paired(masks: np.ndarray) -> np.ndarray:
    """``masks`` (m, d) stacked over their complements (2m, d): vaeac's paired sampling."""
    return np.concatenate([masks, ~masks])


def train(s, net, inp_np, codes_np, train_idx, val_idx, steps, seed_train, seed_val) -> None:
    """Fit ``net`` on the masked ELBO; keep the best checkpoint on held-out imputation likelihood.

    Each mini-batch holds every row twice, with a mask and with its complement (paired
    sampling). After each epoch the validation rows are scored by the importance-weighted
    imputation likelihood of proposal draws (:func:`imputation_iwae`, fixed masks and noise;
    the prior-draw estimate used before grew more biased as the decoder sharpened and stopped
    training right after the KL warm-up); the learning rate is halved after ``lr_patience``
    epochs without improvement (down to ``learning_rate / 16``), training stops after
    ``patience``, and the best checkpoint is kept. Sets ``s.loss_curve_``,
    ``s.validation_loss_curve_``, ``s.n_epochs_`` and ``s.best_epoch_``.
    """
    from causalx.utils.progress import progress

    torch = import_torch()
    dev = s.device_
    L = int(s.latent_dim)
    inp = torch.as_tensor(inp_np, device=dev)
    codes = torch.as_tensor(codes_np, device=dev)
    rng = np.random.default_rng(seed_train)
    gen = torch.Generator().manual_seed(seed_train)
    # fixed validation masks (two paired draws per row) and prior noise: a deterministic
    # early-stopping criterion
    val_rng = np.random.default_rng(seed_val)
    n_val = val_idx.size
    M = int(s.n_ensemble)
    if n_val:
        v_rows = np.tile(val_idx, 4)
        v_mask_np = np.concatenate([paired(draw_masks(s, n_val, val_rng, steps)) for _ in range(2)])
        v_mask = torch.as_tensor(v_mask_np, dtype=torch.float32, device=dev)
        v_gen = torch.Generator().manual_seed(seed_val)
        v_eps = torch.randn(M, v_rows.size, max(1, VAL_DRAWS // M), L, generator=v_gen).to(dev)
        v_idx = torch.as_tensor(v_rows, device=dev)
        v_inp, v_codes = inp[v_idx], codes[v_idx]
        # rows whose mask observes everything have nothing to impute: they count 0

    opt = torch.optim.Adam(net.parameters(), lr=float(s.learning_rate))
    # validation and the kept checkpoint use an exponential moving average of the weights
    params = list(net.parameters())
    beta = EMA_DECAY
    ema = [p.detach().clone() for p in params]
    bs = int(min(s.batch_size, train_idx.size))
    lr_patience = max(1, int(s.patience) // 4)
    best, best_state, best_epoch, since, since_lr = math.inf, None, 0, 0, 0
    s.loss_curve_, s.validation_loss_curve_ = [], []
    epoch = 0
    with deterministic(torch, enabled=dev != "cpu"):  # CPU kernels used here are deterministic
        for epoch in progress(range(1, int(s.max_epochs) + 1), total=int(s.max_epochs), desc="VAESampler.fit"):
            net.train()
            # KL warm-up: the weight of KL(q || r) grows linearly over the first epochs, so that
            # the decoder learns to use z before the prior pulls the proposal onto itself
            kl_weight = min(1.0, epoch / KL_WARMUP_EPOCHS)
            perm = rng.permutation(train_idx)
            # each member its own masks and noise (the rows are shared)
            masks_np = draw_masks(s, M * perm.size, rng, steps).reshape(M, perm.size, -1)
            masks = torch.as_tensor(masks_np, dtype=torch.float32, device=dev)
            eps = torch.randn(M, 2 * perm.size, L, generator=gen).to(dev)
            perm_t = torch.as_tensor(perm, device=dev)
            total = 0.0
            for start in range(0, perm.size, bs):
                sl = slice(start, start + bs)
                idx = perm_t[sl]
                m = torch.cat([masks[:, sl], 1.0 - masks[:, sl]], 1)
                xi, ci = inp[idx].repeat(2, 1), codes[idx].repeat(2, 1)
                nb = idx.numel()
                e = torch.cat([eps[:, start : start + nb], eps[:, perm.size + start : perm.size + start + nb]], 1)
                loss = masked_elbo_loss(s, net, xi, ci, m, e, kl_weight).mean(1).sum()
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                with torch.no_grad():
                    torch._foreach_mul_(ema, beta)
                    torch._foreach_add_(ema, [p.detach() for p in params], alpha=1.0 - beta)
                total += float(loss.detach()) / M * idx.numel()
            s.loss_curve_.append(total / perm.size)
            if not n_val:
                continue
            net.eval()
            with torch.no_grad():
                live = [p.detach().clone() for p in params]
                torch._foreach_copy_([p.data for p in params], ema)  # evaluate the averaged weights
                val = -float(imputation_iwae(s, net, v_inp, v_codes, v_mask, v_eps).mean())
            s.validation_loss_curve_.append(val)
            if not math.isfinite(val):
                break
            # early stopping starts once the KL weight is 1 (the criterion is not comparable before)
            warm = epoch >= KL_WARMUP_EPOCHS
            improved = warm and (not math.isfinite(best) or val < best - 1e-6 * max(1.0, abs(best)))
            if improved:
                best, best_epoch, since, since_lr = val, epoch, 0, 0
                best_state = copy.deepcopy(net.state_dict())
            with torch.no_grad():
                torch._foreach_copy_([p.data for p in params], live)
            if warm and not improved:
                since += 1
                since_lr += 1
                if since >= int(s.patience):
                    break
                if since_lr >= lr_patience:
                    since_lr = 0
                    floor = float(s.learning_rate) / LR_FLOOR_DIVISOR
                    for group in opt.param_groups:
                        group["lr"] = max(floor, group["lr"] * 0.5)
    if best_state is not None:
        net.load_state_dict(best_state)
    else:  # no validation split: the averaged weights of the last epoch
        with torch.no_grad():
            torch._foreach_copy_([p.data for p in params], ema)
        best_epoch = epoch
    net.eval()
    s.n_epochs_ = int(epoch)
    s.best_epoch_ = int(best_epoch)
