"""Arbitrary-conditioning variational autoencoder (VAEAC) sampler: on-manifold conditionals.

torch is imported lazily, inside the functions that need it: importing this module (or
:mod:`causalx`) does not import torch.
"""

from __future__ import annotations

import copy
import math
import warnings
from numbers import Integral
from typing import Any

import numpy as np

from causalx.exceptions import CausalxWarning, DataValidationError
from causalx.samplers._base import BaseSampler, _check_n_draws
from causalx.utils import check_interval, check_option, check_random_state

__all__ = ["VAESampler"]

_TYPES = ("continuous", "binary", "categorical", "ordinal")
_MAX_LEVELS = 256
# rows per forward pass in sample_into / score_samples (memory cap: ~ rows * hidden * 4 bytes)
_CHUNK_ROWS = 2**17
_FORMAT = "causalx.VAESampler"
_FORMAT_VERSION = 1
# soft clamp of log-variances to [-_LOGVAR_BOUND, _LOGVAR_BOUND]: keeps exp() finite early on
_LOGVAR_BOUND = 12.0


def _import_torch():
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - torch is a dependency of causalx
        raise ImportError(
            "VAESampler needs PyTorch, which is not installed. Install it with "
            "'pip install torch' (CPU build: see https://pytorch.org/get-started/locally/)."
        ) from exc
    return torch


class VAESampler(BaseSampler):
    """Arbitrary-conditioning VAE: draws ``X_T | X_G = x_G`` that stay on the data manifold.

    One network models every conditional ``P(X_S̄ | x_S)`` at once (Ivanov et al. 2019):

    - a *proposal* (encoder) network ``q(z | x, S)`` that sees the full row,
    - a *prior* network ``r(z | x_S, S)`` that sees the observed features and the mask,
    - a *decoder* ``p(x_S̄ | z, x_S, S)``: Gaussian for continuous and ordinal features
      (standardised inside the sampler), Bernoulli for binary and softmax over the observed
      levels for categorical features (from the graph's node ``type``, or ``feature_types``).

    It is trained on the masked ELBO
    ``E_q[log p(x_S̄ | z, x_S)] - KL(q(z | x, S) || r(z | x_S, S))`` with masks ``S`` drawn from
    the coalitions the explanation will use: half Shapley-kernel-sized and half uniform-sized
    random subsets; with a graph, ``graph_mask_share`` of the masks are instead the conditioning
    sets of the causal chain steps (the parents of a component plus part of it, or only the
    parents for a confounded component). Training stops early on a validation split and the
    best checkpoint is kept.

    A draw (:meth:`sample_into`) is one batched forward pass over all ``n_explicands x n_draws``
    rows: ``z = mu_r + sigma_r * e_z`` from the prior network, then the decoder's mean plus
    ``sigma * e_x`` for continuous features (inverse-CDF draws for discrete ones). ``e_z`` and
    ``e_x`` come from :meth:`draw_noise` and are shared by all coalitions of an explanation
    (common random numbers).

    Parameters
    ----------
    latent_dim : int, default=8
        Dimension of the latent variable ``z``.
    hidden_size : int, default=64
        Width of the hidden layers of the three networks.
    n_hidden_layers : int, default=2
        Number of hidden layers of each network.
    batch_size : int, default=256
        Mini-batch size.
    max_epochs : int, default=200
        Maximum number of passes over the training split.
    patience : int, default=20
        Stop after this many epochs without improvement of the validation loss.
    learning_rate : float, default=2e-3
        Adam learning rate.
    validation_fraction : float in [0, 0.5], default=0.2
        Share of the rows held out for early stopping (``0``: no early stopping, the last epoch
        is kept).
    graph_mask_share : float in [0, 1], default=0.5
        With a graph, the share of training masks taken from the causal chain steps.
    feature_types : sequence of str of length n_features, optional
        Type of each column, one of ``"continuous"``, ``"binary"``, ``"categorical"``,
        ``"ordinal"``; overrides the graph's node ``type`` attributes. Default: the graph's
        types, else continuous. Ordinal features are modelled as continuous and snapped to the
        nearest observed level.
    min_scale : float, default=1e-3
        Lower bound of the decoder's standard deviation, in standardised units.
    reject_constraints : bool, default=False
        Redraw the rows that violate the constraints (the graph's ``constraints`` plus
        ``constraints``) by rejection sampling, at most ``max_tries`` times; a
        :class:`~causalx.exceptions.CausalxWarning` is issued when the acceptance rate of a
        call is below ``min_acceptance`` or some rows still violate a constraint. Only the
        constraints whose variables are all among the target and given columns of a call, and
        that involve a target column, are checked.
    constraints : sequence of str or Constraint, optional
        Extra constraints for ``reject_constraints`` (e.g. ``["LUMO > HOMO"]``).
    max_tries : int, default=20
        Maximum number of redraws of a violating row.
    min_acceptance : float in [0, 1], default=0.5
        Warn when the share of rows accepted at the first draw is below this.
    device : {"cpu", "cuda"} or str, default="cpu"
        torch device for training and sampling (``"cuda:1"`` etc. are accepted).
    n_threads : int or None, default=1
        torch intra-op CPU threads during :meth:`fit`, :meth:`sample_into` and
        :meth:`score_samples` (set for the call, restored after). The networks are small, so one
        thread is usually fastest and keeps results independent of the machine's core count;
        ``None`` leaves torch's setting alone.
    random_state : int, numpy.random.Generator or None, default=None
        Seeds the weights, the masks, the batches and the training noise. With an int, fitting
        twice gives the same network (on the same device and thread settings).

    Attributes
    ----------
    feature_types_ : tuple of str
        Type of each column.
    levels_ : tuple of (ndarray or None)
        Observed levels of binary, categorical and ordinal columns (``None`` for continuous).
    mean_, scale_ : ndarray of shape (n_features,)
        Standardisation of the continuous and ordinal columns (``0`` and ``1`` for others).
    constraints_ : tuple of Constraint
        Constraints enforced when ``reject_constraints`` is true.
    n_epochs_ : int
        Epochs run.
    best_epoch_ : int
        Epoch (1-based) of the kept checkpoint.
    loss_curve_, validation_loss_curve_ : list of float
        Mean training and validation loss (negative masked ELBO per row) per epoch.
    device_ : str
        Device the network lives on.
    net_ : torch.nn.ModuleDict
        The ``encoder``, ``prior`` and ``decoder`` networks.
    n_features_in_ : int
        Number of features.
    feature_names_in_ : tuple of str or None
        Feature names seen in ``fit``.

    See Also
    --------
    GaussianSampler : closed-form multivariate-normal conditionals (fast, linear dependence).
    MechanismSampler : one model per node of the causal DAG (interventional sampling).

    References
    ----------
    .. [1] Ivanov, O., Figurnov, M. and Vetrov, D. (2019). Variational autoencoder with
       arbitrary conditioning. ICLR (Eqs. 3-5: masked ELBO with prior network).
    .. [2] Frye, C., de Mijolla, D., Begley, T., Cowton, L., Stanley, M. and Feige, I. (2021).
       Shapley explainability on the data manifold. ICLR.
    .. [3] Olsen, L. H. B., Glad, I. K., Jullum, M. and Aas, K. (2022). Using Shapley values
       and variational autoencoders to explain predictive models with dependent mixed features.
       JMLR 23(213) (the ``vaeac`` approach of the R package shapr).

    Examples
    --------
    >>> from causalx.samplers import VAESampler, get_sampler
    >>> get_sampler("vae", latent_dim=4)
    VAESampler(latent_dim=4)

    Fitting takes a few seconds (``VAESampler(random_state=0).fit(X, feature_names=names)``);
    then ``sampler.sample(x_given, target, given, n_draws, random_state=0)`` or, inside an
    explanation, ``CausalExplainer(model, graph, value="conditional", sampler="vae")``.
    """

    supports_conditional = True

    def __init__(
        self,
        latent_dim=8,
        hidden_size=64,
        n_hidden_layers=2,
        batch_size=256,
        max_epochs=200,
        patience=20,
        learning_rate=2e-3,
        validation_fraction=0.2,
        graph_mask_share=0.5,
        feature_types=None,
        min_scale=1e-3,
        reject_constraints=False,
        constraints=None,
        max_tries=20,
        min_acceptance=0.5,
        device="cpu",
        n_threads=1,
        random_state=None,
    ):
        self.latent_dim = latent_dim
        self.hidden_size = hidden_size
        self.n_hidden_layers = n_hidden_layers
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.patience = patience
        self.learning_rate = learning_rate
        self.validation_fraction = validation_fraction
        self.graph_mask_share = graph_mask_share
        self.feature_types = feature_types
        self.min_scale = min_scale
        self.reject_constraints = reject_constraints
        self.constraints = constraints
        self.max_tries = max_tries
        self.min_acceptance = min_acceptance
        self.device = device
        self.n_threads = n_threads
        self.random_state = random_state

    # ================================================================== fit
    def _check_params(self) -> None:
        check_interval("latent_dim", self.latent_dim, low=1, integer=True)
        check_interval("hidden_size", self.hidden_size, low=1, integer=True)
        check_interval("n_hidden_layers", self.n_hidden_layers, low=1, integer=True)
        check_interval("batch_size", self.batch_size, low=1, integer=True)
        check_interval("max_epochs", self.max_epochs, low=1, integer=True)
        check_interval("patience", self.patience, low=1, integer=True)
        check_interval("learning_rate", self.learning_rate, low=0.0, closed="right")
        check_interval("validation_fraction", self.validation_fraction, low=0.0, high=0.5)
        check_interval("graph_mask_share", self.graph_mask_share, low=0.0, high=1.0)
        check_interval("min_scale", self.min_scale, low=0.0, closed="right")
        check_interval("max_tries", self.max_tries, low=1, integer=True)
        check_interval("min_acceptance", self.min_acceptance, low=0.0, high=1.0)
        if self.n_threads is not None:
            check_interval("n_threads", self.n_threads, low=1, integer=True)
        if not isinstance(self.reject_constraints, (bool, np.bool_)):
            raise TypeError(f"reject_constraints must be True or False, got {self.reject_constraints!r}.")
        if not isinstance(self.device, str) or not (
            self.device == "cpu" or self.device == "cuda" or self.device.startswith("cuda:")
        ):
            raise ValueError(
                f"device={self.device!r} is not supported. Accepted values are 'cpu', 'cuda' or "
                "'cuda:<index>'."
            )

    def _fit(self, X: np.ndarray, *, graph) -> None:
        self._check_params()
        torch = _import_torch()
        if self.device != "cpu" and not torch.cuda.is_available():
            raise ValueError(
                f"device={self.device!r} but CUDA is not available to torch "
                f"(torch {torch.__version__}); use device='cpu'."
            )
        n, d = X.shape
        names = self._names(graph, d)
        self.feature_types_ = self._resolve_types(graph, names, d)
        self._set_standardisation(X)
        self.constraints_ = self._resolve_constraints(graph, names)
        self._cnames = names
        steps = _graph_steps(graph, names, d)

        rng = check_random_state(self.random_state)
        seed_init, seed_split, seed_train, seed_val = (int(s) for s in rng.integers(0, 2**31 - 1, size=4))
        self.device_ = self.device
        self._build_layout()
        net = self._new_net(seed_init)

        inp, codes = self._encode(X)
        order = np.random.default_rng(seed_split).permutation(n)
        n_val = int(round(float(self.validation_fraction) * n))
        if n - n_val < 1:
            n_val = n - 1
        val_idx, train_idx = np.sort(order[:n_val]), np.sort(order[n_val:])
        with _torch_threads(torch, self.n_threads):
            self._train(net, inp, codes, train_idx, val_idx, steps, seed_train, seed_val)

    def _names(self, graph, d: int) -> tuple[str, ...] | None:
        if self.feature_names_in_ is not None:
            return self.feature_names_in_
        nodes = getattr(graph, "nodes", None)
        if nodes is not None and len(nodes) == d:
            return tuple(nodes)
        return None

    def _resolve_types(self, graph, names, d: int) -> tuple[str, ...]:
        if self.feature_types is not None:
            types = list(self.feature_types) if not isinstance(self.feature_types, str) else None
            if types is None or len(types) != d:
                raise ValueError(
                    f"feature_types must be a sequence of {d} types (one per column), got "
                    f"{self.feature_types!r}."
                )
            return tuple(check_option(f"feature_types[{j}]", t, _TYPES) for j, t in enumerate(types))
        types = ["continuous"] * d
        if graph is not None and names is not None and hasattr(graph, "node_attributes"):
            nodes = set(getattr(graph, "nodes", ()))
            for j, name in enumerate(names):
                if name in nodes:
                    t = graph.node_attributes(name).get("type") or "continuous"
                    types[j] = check_option(f"type of node {name!r}", t, _TYPES)
        return tuple(types)

    def _set_standardisation(self, X: np.ndarray) -> None:
        d = X.shape[1]
        mean, scale = np.zeros(d), np.ones(d)
        levels: list[np.ndarray | None] = []
        for j, t in enumerate(self.feature_types_):
            col = X[:, j]
            if t == "continuous":
                levels.append(None)
            else:
                lv = np.unique(col)
                if t == "binary" and lv.size > 2:
                    raise DataValidationError(
                        f"Column {self._label(j)} is declared binary but takes {lv.size} distinct "
                        f"values ({lv[:5].tolist()}...); declare it 'categorical' or 'continuous'."
                    )
                if t == "categorical" and lv.size > _MAX_LEVELS:
                    raise DataValidationError(
                        f"Column {self._label(j)} is declared categorical but takes {lv.size} "
                        f"distinct values (more than {_MAX_LEVELS}); declare it 'continuous' or "
                        "'ordinal'."
                    )
                if t == "binary" and lv.size == 1:
                    lv = np.array([lv[0], lv[0]])
                levels.append(lv)
            if t in ("continuous", "ordinal"):
                mean[j] = col.mean()
                s = col.std()
                scale[j] = s if s > 0 else 1.0
        self.mean_, self.scale_ = mean, scale
        self.levels_ = tuple(levels)

    def _label(self, j: int) -> str:
        return repr(self.feature_names_in_[j]) if self.feature_names_in_ is not None else str(j)

    def _resolve_constraints(self, graph, names) -> tuple:
        from causalx.graph import Constraint

        out = list(getattr(graph, "constraints", ()) or ()) if graph is not None else []
        for c in self.constraints or ():
            if isinstance(c, str):
                c = Constraint.parse(c, nodes=names) if names is not None else Constraint.parse(c)
            elif not isinstance(c, Constraint):
                raise TypeError(f"constraints must hold strings or Constraint objects, got {c!r}.")
            out.append(c)
        if out and names is None and self.reject_constraints:
            raise ValueError(
                "reject_constraints=True needs feature names to evaluate the constraints; pass "
                "feature_names to fit (or a DataFrame)."
            )
        if names is not None:
            for c in out:
                missing = [v for v in c.variables if v not in names]
                if missing:
                    raise DataValidationError(
                        f"Constraint {c.text!r} names {missing}, which are not among the features {list(names)}."
                    )
        if self.reject_constraints and not out:
            warnings.warn(
                "reject_constraints=True but no constraints were declared (in the graph or in "
                "constraints=); nothing will be rejected.",
                CausalxWarning,
                stacklevel=4,
            )
        return tuple(out)

    # ------------------------------------------------------------------ layout and encoding
    def _build_layout(self) -> None:
        """Column layout of the encoded input and of the decoder output."""
        in_cols: list[int] = []  # encoded input column -> feature
        cont_idx, cont_out, bin_idx, bin_out, cats = [], [], [], [], []
        out_dim = 0
        for j, t in enumerate(self.feature_types_):
            if t in ("continuous", "ordinal"):
                in_cols.append(j)
                cont_idx.append(j)
                cont_out.append(out_dim)
                out_dim += 2
            elif t == "binary":
                in_cols.append(j)
                bin_idx.append(j)
                bin_out.append(out_dim)
                out_dim += 1
            else:
                m = self.levels_[j].size
                in_cols.extend([j] * m)
                cats.append((j, out_dim, out_dim + m, len(in_cols) - m))
                out_dim += m
        grouped = np.array(cont_idx + bin_idx + [c[0] for c in cats], dtype=np.int64)
        column_order = np.empty_like(grouped)
        column_order[grouped] = np.arange(grouped.size)
        self._layout = {
            "column_order": column_order,
            "in_feature": np.array(in_cols, dtype=np.int64),
            "cont_idx": np.array(cont_idx, dtype=np.int64),
            "cont_out": np.array(cont_out, dtype=np.int64),
            "bin_idx": np.array(bin_idx, dtype=np.int64),
            "bin_out": np.array(bin_out, dtype=np.int64),
            "cats": cats,
            "out_dim": out_dim,
        }

    def _level_index(self, j: int, x: np.ndarray) -> np.ndarray:
        lv = self.levels_[j]
        if lv.size == 1:
            return np.zeros(x.shape, dtype=np.int64)
        return np.searchsorted((lv[1:] + lv[:-1]) / 2, x)

    def _encode(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return the network input (m, n_in) and the likelihood targets (m, d), float32."""
        lay = self._layout
        m, d = X.shape
        inp = np.zeros((m, lay["in_feature"].size), dtype=np.float32)
        codes = np.zeros((m, d), dtype=np.float32)
        col = 0
        for j, t in enumerate(self.feature_types_):
            if t in ("continuous", "ordinal"):
                v = (X[:, j] - self.mean_[j]) / self.scale_[j]
                inp[:, col] = v
                codes[:, j] = v
                col += 1
            elif t == "binary":
                v = self._level_index(j, X[:, j])
                inp[:, col] = v
                codes[:, j] = v
                col += 1
            else:
                k = self._level_index(j, X[:, j])
                size = self.levels_[j].size
                inp[np.arange(m), col + k] = 1.0
                codes[:, j] = k
                col += size
        return inp, codes

    # ------------------------------------------------------------------ networks
    def _new_net(self, seed: int):
        torch = _import_torch()
        d, L, H = self.n_features_in_, int(self.latent_dim), int(self.hidden_size)
        n_in = self._layout["in_feature"].size
        out_dim = self._layout["out_dim"]

        def mlp(n_first, n_last):
            layers, width = [], n_first
            for _ in range(int(self.n_hidden_layers)):
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
        self.net_ = net.to(self.device_)
        return self.net_

    def _tensors(self):
        """Layout index tensors on the device (cached)."""
        cache = getattr(self, "_tensor_cache", None)
        if cache is not None and cache["device"] == self.device_:
            return cache
        torch = _import_torch()
        lay = self._layout
        dev = self.device_
        cache = {
            "device": dev,
            "in_feature": torch.as_tensor(lay["in_feature"], device=dev),
            "cont_idx": torch.as_tensor(lay["cont_idx"], device=dev),
            "cont_out": torch.as_tensor(lay["cont_out"], device=dev),
            "bin_idx": torch.as_tensor(lay["bin_idx"], device=dev),
            "bin_out": torch.as_tensor(lay["bin_out"], device=dev),
            "column_order": torch.as_tensor(lay["column_order"], device=dev),
        }
        self._tensor_cache = cache
        return cache

    @staticmethod
    def _split(h, L):
        torch = _import_torch()
        mu, raw = h[:, :L], h[:, L:]
        logvar = _LOGVAR_BOUND * torch.tanh(raw / _LOGVAR_BOUND)
        return mu, logvar

    def _loglik(self, out, codes):
        """Per-feature log-likelihood (m, d) of the targets ``codes`` under the decoder output."""
        torch = _import_torch()
        F = torch.nn.functional
        tc = self._tensors()
        parts = []
        if tc["cont_idx"].numel():
            mu = out[:, tc["cont_out"]]
            sd = F.softplus(out[:, tc["cont_out"] + 1]) + float(self.min_scale)
            x = codes[:, tc["cont_idx"]]
            parts.append(-0.5 * ((x - mu) / sd) ** 2 - torch.log(sd) - 0.5 * math.log(2 * math.pi))
        if tc["bin_idx"].numel():
            logits = out[:, tc["bin_out"]]
            y = codes[:, tc["bin_idx"]]
            parts.append(-F.binary_cross_entropy_with_logits(logits, y, reduction="none"))
        for j, start, stop, _ in self._layout["cats"]:
            logp = F.log_softmax(out[:, start:stop], dim=1)
            parts.append(logp.gather(1, codes[:, j : j + 1].long()))
        # parts are in the order continuous, binary, categorical: back to column order
        return torch.cat(parts, 1).index_select(1, tc["column_order"])

    def _masked_elbo_loss(self, net, inp, codes, mask, eps):
        """Negative masked ELBO per row (m,): -(E_q log p(x_unobserved | z, x_obs) - KL(q || r))."""
        torch = _import_torch()
        L = int(self.latent_dim)
        tc = self._tensors()
        mask_in = mask[:, tc["in_feature"]]
        obs = inp * mask_in
        mu_q, lv_q = self._split(net["encoder"](torch.cat([inp, mask], 1)), L)
        mu_r, lv_r = self._split(net["prior"](torch.cat([obs, mask], 1)), L)
        z = mu_q + torch.exp(0.5 * lv_q) * eps
        out = net["decoder"](torch.cat([z, obs, mask], 1))
        rec = (self._loglik(out, codes) * (1.0 - mask)).sum(1)
        kl = 0.5 * (lv_r - lv_q + (torch.exp(lv_q) + (mu_q - mu_r) ** 2) * torch.exp(-lv_r) - 1.0).sum(1)
        return kl - rec

    # ------------------------------------------------------------------ masks
    def _draw_masks(self, m: int, rng: np.random.Generator, steps) -> np.ndarray:
        """Training masks (m, d), True = observed: the coalition distribution of the explanation."""
        d = self.n_features_in_
        masks = np.zeros((m, d), dtype=bool)
        n_graph = 0
        if steps:
            n_graph = int(rng.binomial(m, float(self.graph_mask_share)))
        n_shap = m - n_graph
        if n_shap:
            if d > 1:
                s = np.arange(1, d)
                kernel = (d - 1) / (s * (d - s))
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

    # ------------------------------------------------------------------ training
    def _train(self, net, inp_np, codes_np, train_idx, val_idx, steps, seed_train, seed_val) -> None:
        from causalx.utils.progress import progress

        torch = _import_torch()
        dev = self.device_
        L = int(self.latent_dim)
        inp = torch.as_tensor(inp_np, device=dev)
        codes = torch.as_tensor(codes_np, device=dev)
        rng = np.random.default_rng(seed_train)
        gen = torch.Generator().manual_seed(seed_train)
        # fixed validation masks and noise (2 per row): a deterministic early-stopping criterion
        val_rng = np.random.default_rng(seed_val)
        n_val = val_idx.size
        if n_val:
            v_rows = np.concatenate([val_idx, val_idx])
            v_mask = torch.as_tensor(self._draw_masks(v_rows.size, val_rng, steps), dtype=torch.float32, device=dev)
            v_eps = torch.randn(v_rows.size, L, generator=torch.Generator().manual_seed(seed_val)).to(dev)
            v_inp, v_codes = inp[torch.as_tensor(v_rows, device=dev)], codes[torch.as_tensor(v_rows, device=dev)]

        opt = torch.optim.Adam(net.parameters(), lr=float(self.learning_rate))
        bs = int(min(self.batch_size, train_idx.size))
        best, best_state, best_epoch, since = math.inf, None, 0, 0
        self.loss_curve_, self.validation_loss_curve_ = [], []
        epoch = 0
        with _deterministic(torch, enabled=dev != "cpu"):  # CPU kernels used here are deterministic
            for epoch in progress(range(1, int(self.max_epochs) + 1), total=int(self.max_epochs), desc="VAESampler.fit"):
                net.train()
                perm = rng.permutation(train_idx)
                masks = torch.as_tensor(self._draw_masks(perm.size, rng, steps), dtype=torch.float32, device=dev)
                eps = torch.randn(perm.size, L, generator=gen).to(dev)
                perm_t = torch.as_tensor(perm, device=dev)
                total = 0.0
                for start in range(0, perm.size, bs):
                    sl = slice(start, start + bs)
                    idx = perm_t[sl]
                    loss = self._masked_elbo_loss(net, inp[idx], codes[idx], masks[sl], eps[sl]).mean()
                    opt.zero_grad(set_to_none=True)
                    loss.backward()
                    opt.step()
                    total += float(loss.detach()) * idx.numel()
                self.loss_curve_.append(total / perm.size)
                if not n_val:
                    continue
                net.eval()
                with torch.no_grad():
                    val = float(self._masked_elbo_loss(net, v_inp, v_codes, v_mask, v_eps).mean())
                self.validation_loss_curve_.append(val)
                if not math.isfinite(val):
                    break
                if not math.isfinite(best) or val < best - 1e-6 * max(1.0, abs(best)):
                    best, best_epoch, since = val, epoch, 0
                    best_state = copy.deepcopy(net.state_dict())
                else:
                    since += 1
                    if since >= int(self.patience):
                        break
        if best_state is not None:
            net.load_state_dict(best_state)
        else:
            best_epoch = epoch
        net.eval()
        self.n_epochs_ = int(epoch)
        self.best_epoch_ = int(best_epoch)

    # ================================================================== sampling
    def _n_slabs(self) -> int:
        return 1 + int(self.max_tries) if (self.reject_constraints and self.constraints_) else 1

    def _draw_noise(self, n_draws: int, rng: np.random.Generator) -> np.ndarray:
        # (K, slabs, latent_dim + d) standard normals: slab 0 for the first draw, slab t for the
        # t-th redraw under rejection; columns :L drive z, column L + j drives feature j.
        return rng.standard_normal((n_draws, self._n_slabs(), int(self.latent_dim) + self.n_features_in_))

    def _check_noise(self, noise, n_draws: int) -> None:
        shape = (self._n_slabs(), int(self.latent_dim) + self.n_features_in_)
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

    def _decode_draw(self, X: np.ndarray, given: np.ndarray, eps: np.ndarray) -> np.ndarray:
        """Draw every column of ``X`` (m, d) given ``X[:, given]``, with noise ``eps`` (m, L + d).

        One forward pass of the prior network and the decoder per chunk of rows.
        """
        torch = _import_torch()
        m, d = X.shape
        L = int(self.latent_dim)
        dev = self.device_
        tc = self._tensors()
        net = self.net_
        mask_np = np.zeros(d, dtype=np.float32)
        mask_np[given] = 1.0
        mask_in_np = mask_np[self._layout["in_feature"]]
        out = np.empty((m, d))
        Xg = np.zeros_like(X)
        Xg[:, given] = X[:, given]  # the other columns may hold anything (even NaN)
        with torch.no_grad(), _torch_threads(torch, self.n_threads):
            for start in range(0, m, _CHUNK_ROWS):
                sl = slice(start, start + _CHUNK_ROWS)
                inp_np, _ = self._encode(Xg[sl])
                inp = torch.as_tensor(inp_np * mask_in_np, device=dev)
                mask = torch.as_tensor(mask_np, device=dev).expand(inp.shape[0], d)
                e = torch.as_tensor(eps[sl], dtype=torch.float32, device=dev)
                mu_r, lv_r = self._split(net["prior"](torch.cat([inp, mask], 1)), L)
                z = mu_r + torch.exp(0.5 * lv_r) * e[:, :L]
                h = net["decoder"](torch.cat([z, inp, mask], 1))
                ex = e[:, L:]
                res = torch.zeros(inp.shape[0], d, dtype=torch.float64, device=dev)
                if tc["cont_idx"].numel():
                    mu = h[:, tc["cont_out"]]
                    sd = torch.nn.functional.softplus(h[:, tc["cont_out"] + 1]) + float(self.min_scale)
                    res[:, tc["cont_idx"]] = (mu + sd * ex[:, tc["cont_idx"]]).double()
                if tc["bin_idx"].numel():
                    p = torch.sigmoid(h[:, tc["bin_out"]])
                    u = torch.special.ndtr(ex[:, tc["bin_idx"]])
                    res[:, tc["bin_idx"]] = (u < p).double()
                for j, s0, s1, _ in self._layout["cats"]:
                    cum = torch.softmax(h[:, s0:s1], dim=1).cumsum(1)
                    u = torch.special.ndtr(ex[:, j : j + 1])
                    res[:, j] = (cum < u).sum(1).clamp(max=s1 - s0 - 1).double()
                out[sl] = res.cpu().numpy()
        # back to data units
        for j, t in enumerate(self.feature_types_):
            if t in ("continuous", "ordinal"):
                out[:, j] = out[:, j] * self.scale_[j] + self.mean_[j]
                if t == "ordinal":
                    out[:, j] = self.levels_[j][self._level_index(j, out[:, j])]
            else:
                out[:, j] = self.levels_[j][out[:, j].astype(np.int64)]
        return out

    def _sample_into(self, rows, target, given, noise) -> None:
        n, k, d = rows.shape
        flat = rows.reshape(n * k, d)  # a copy if rows is not contiguous; written back below
        draw_id = np.tile(np.arange(k), n)
        eps = noise[draw_id, 0]
        X = np.asarray(flat, dtype=np.float64)
        drawn = self._decode_draw(X, given, eps)
        X = X.copy()
        X[:, target] = drawn[:, target]
        if self.reject_constraints and self.constraints_:
            self._reject(X, target, given, noise, draw_id)
        rows[:, :, target] = X[:, target].reshape(n, k, target.size)

    # ------------------------------------------------------------------ rejection
    def _relevant_constraints(self, target, given):
        names = self._cnames
        known = {names[j] for j in np.concatenate([target, given])}
        tset = {names[j] for j in target}
        return [c for c in self.constraints_ if set(c.variables) <= known and set(c.variables) & tset], names

    def _reject(self, X, target, given, noise, draw_id) -> None:
        cons, names = self._relevant_constraints(target, given)
        if not cons:
            return
        ok = _satisfied(X, names, cons)
        first_rate = float(ok.mean()) if ok.size else 1.0
        for t in range(1, noise.shape[1]):
            bad = np.flatnonzero(~ok)
            if bad.size == 0:
                break
            redraw = self._decode_draw(X[bad], given, noise[draw_id[bad], t])
            X[np.ix_(bad, target)] = redraw[:, target]
            ok[bad] = _satisfied(X[bad], names, cons)
        left = int((~ok).sum())
        if first_rate < float(self.min_acceptance) or left:
            texts = ", ".join(repr(c.text) for c in cons)
            warnings.warn(
                f"VAESampler rejection sampling: {first_rate:.1%} of the draws satisfied the "
                f"constraints {texts} at the first try; {left} of {ok.size} rows still violate them "
                f"after max_tries={int(self.max_tries)} redraws (kept as drawn). The constraints "
                "may contradict the data, or the sampler may need more training.",
                CausalxWarning,
                stacklevel=5,
            )

    # ================================================================== likelihood
    def score_samples(self, X, *, n_importance: int = 16, random_state=0) -> np.ndarray:
        """Importance-weighted estimate of the log-density of each full row.

        ``log p(x) ~ log mean_i p(x | z_i) r(z_i) / q(z_i | x)`` with ``z_i ~ q(z | x)`` and
        nothing observed (the unconditional model); continuous features count in standardised
        units, so scores compare rows, not data sets.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to score.
        n_importance : int, default=16
            Importance samples per row.
        random_state : int, numpy.random.Generator or None, default=0
            Seeds the importance samples.

        Returns
        -------
        log_density : ndarray of shape (n_samples,)
            Higher means more typical of the training data.
        """
        self._check_fitted()
        check_interval("n_importance", n_importance, low=1, integer=True)
        torch = _import_torch()
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != self.n_features_in_:
            raise DataValidationError(
                f"X must have shape (n_samples, {self.n_features_in_}), got {X.shape}."
            )
        rng = check_random_state(random_state)
        L, d, dev = int(self.latent_dim), self.n_features_in_, self.device_
        net = self.net_
        out = np.empty(X.shape[0])
        step = max(1, _CHUNK_ROWS // int(n_importance))
        with torch.no_grad(), _torch_threads(torch, self.n_threads):
            for start in range(0, X.shape[0], step):
                xb = X[start : start + step]
                m = xb.shape[0]
                inp_np, codes_np = self._encode(xb)
                inp = torch.as_tensor(inp_np, device=dev).repeat(int(n_importance), 1)
                codes = torch.as_tensor(codes_np, device=dev).repeat(int(n_importance), 1)
                zero = torch.zeros(inp.shape[0], d, device=dev)
                obs = torch.zeros_like(inp)
                mu_q, lv_q = self._split(net["encoder"](torch.cat([inp, zero], 1)), L)
                mu_r, lv_r = self._split(net["prior"](torch.cat([obs, zero], 1)), L)
                e = torch.as_tensor(rng.standard_normal((inp.shape[0], L)), dtype=torch.float32, device=dev)
                z = mu_q + torch.exp(0.5 * lv_q) * e
                h = net["decoder"](torch.cat([z, obs, zero], 1))
                ll = self._loglik(h, codes).sum(1)
                log_r = (-0.5 * ((z - mu_r) ** 2 * torch.exp(-lv_r) + lv_r + math.log(2 * math.pi))).sum(1)
                log_q = (-0.5 * (e**2 + lv_q + math.log(2 * math.pi))).sum(1)
                w = (ll + log_r - log_q).reshape(int(n_importance), m)
                out[start : start + m] = (torch.logsumexp(w, 0) - math.log(int(n_importance))).double().cpu().numpy()
        return out

    # ================================================================== persistence
    def save(self, path) -> None:
        """Write the fitted sampler to ``path`` with :func:`torch.save`.

        Only tensors, numbers, strings and plain containers are written (the network's
        ``state_dict``, the parameters, the standardisation and the feature levels), never
        pickled Python objects, so :meth:`load` can read it with ``weights_only=True``.

        Parameters
        ----------
        path : str or os.PathLike
            Destination file (conventionally ``*.pt``).
        """
        self._check_fitted()
        torch = _import_torch()
        params = self.get_params(deep=False)
        if not (params["random_state"] is None or isinstance(params["random_state"], Integral)):
            params["random_state"] = None  # a Generator is not portable; the fitted weights are
        params["random_state"] = None if params["random_state"] is None else int(params["random_state"])
        params["feature_types"] = None if params["feature_types"] is None else list(params["feature_types"])
        params["constraints"] = None if params["constraints"] is None else [
            c if isinstance(c, str) else c.text for c in params["constraints"]
        ]
        state = {
            "format": _FORMAT,
            "version": _FORMAT_VERSION,
            "params": params,
            "n_features_in": int(self.n_features_in_),
            "feature_names_in": None if self.feature_names_in_ is None else list(self.feature_names_in_),
            "feature_types": list(self.feature_types_),
            "levels": [None if lv is None else torch.as_tensor(lv, dtype=torch.float64) for lv in self.levels_],
            "mean": torch.as_tensor(self.mean_, dtype=torch.float64),
            "scale": torch.as_tensor(self.scale_, dtype=torch.float64),
            "constraints": [c.text for c in self.constraints_],
            "constraint_names": None if self._cnames is None else list(self._cnames),
            "n_epochs": int(self.n_epochs_),
            "best_epoch": int(self.best_epoch_),
            "loss_curve": [float(v) for v in self.loss_curve_],
            "validation_loss_curve": [float(v) for v in self.validation_loss_curve_],
            "state_dict": {k: v.detach().cpu() for k, v in self.net_.state_dict().items()},
        }
        torch.save(state, path)

    @classmethod
    def load(cls, path, *, device=None) -> VAESampler:
        """Read a sampler written by :meth:`save` (with ``torch.load(weights_only=True)``).

        Parameters
        ----------
        path : str or os.PathLike
            File written by :meth:`save`.
        device : str, optional
            Device to put the network on; default: the saved ``device`` parameter.

        Returns
        -------
        VAESampler
            A fitted sampler that draws exactly what the saved one drew for the same noise
            (on the same device).
        """
        from causalx.graph import Constraint

        torch = _import_torch()
        state = torch.load(path, map_location="cpu", weights_only=True)
        if not isinstance(state, dict) or state.get("format") != _FORMAT:
            raise ValueError(f"{path!s} was not written by VAESampler.save (format marker missing).")
        if state.get("version") != _FORMAT_VERSION:
            raise ValueError(
                f"{path!s} has VAESampler file format version {state.get('version')!r}; this causalx "
                f"reads version {_FORMAT_VERSION}."
            )
        params = dict(state["params"])
        if device is not None:
            params["device"] = device
        self = cls(**params)
        self._check_params()
        if self.device != "cpu" and not torch.cuda.is_available():
            raise ValueError(f"device={self.device!r} but CUDA is not available; load with device='cpu'.")
        self.n_features_in_ = int(state["n_features_in"])
        names = state["feature_names_in"]
        self.feature_names_in_ = None if names is None else tuple(names)
        self.feature_types_ = tuple(state["feature_types"])
        self.levels_ = tuple(None if lv is None else lv.numpy().copy() for lv in state["levels"])
        self.mean_ = state["mean"].numpy().copy()
        self.scale_ = state["scale"].numpy().copy()
        self.constraints_ = tuple(Constraint.parse(t) for t in state["constraints"])
        cnames = state["constraint_names"]
        self._cnames = None if cnames is None else tuple(cnames)
        self.n_epochs_ = int(state["n_epochs"])
        self.best_epoch_ = int(state["best_epoch"])
        self.loss_curve_ = list(state["loss_curve"])
        self.validation_loss_curve_ = list(state["validation_loss_curve"])
        self.device_ = self.device
        self._build_layout()
        net = self._new_net(0)
        net.load_state_dict(state["state_dict"])
        net.eval()
        return self

    def __getstate__(self) -> dict[str, Any]:
        state = dict(super().__getstate__())
        state.pop("_tensor_cache", None)  # device tensors rebuilt on demand
        return state


# ---------------------------------------------------------------------------------- helpers
def _graph_steps(graph, names, d: int) -> list[tuple[np.ndarray, np.ndarray, bool]]:
    """The causal chain steps (parents, members, confounded) as column indices, if a graph is given."""
    if graph is None or names is None or not hasattr(graph, "components"):
        return []
    index = {name: j for j, name in enumerate(names)}
    steps = []
    for comp in graph.components():
        if not all(v in index for v in comp.nodes) or not all(p in index for p in comp.parents):
            return []
        steps.append(
            (
                np.array(sorted(index[p] for p in comp.parents), dtype=np.int64),
                np.array([index[v] for v in comp.nodes], dtype=np.int64),
                bool(comp.confounded),
            )
        )
    return steps


def _satisfied(X: np.ndarray, names, constraints) -> np.ndarray:
    ok = np.ones(X.shape[0], dtype=bool)
    for c in constraints:
        ok &= c.evaluate(X, names)
    return ok


class _deterministic:
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


class _torch_threads:
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
