"""Saving and loading a fitted VAESampler: tensors and plain containers, read with ``weights_only``."""

from __future__ import annotations

from numbers import Integral

from causalx.samplers.vae._layout import build_layout
from causalx.samplers.vae._network import import_torch, new_net

__all__ = ["FORMAT", "FORMAT_VERSION", "load", "save"]

FORMAT = "causalx.VAESampler"
FORMAT_VERSION = 2


def save(s, path) -> None:
    """Write the fitted sampler ``s`` to ``path`` (see :meth:`VAESampler.save`)."""
    torch = import_torch()
    params = s.get_params(deep=False)
    if not (params["random_state"] is None or isinstance(params["random_state"], Integral)):
        params["random_state"] = None  # a Generator is not portable; the fitted weights are
    params["random_state"] = None if params["random_state"] is None else int(params["random_state"])
    params["feature_types"] = None if params["feature_types"] is None else list(params["feature_types"])
    params["constraints"] = None if params["constraints"] is None else [
        c if isinstance(c, str) else c.text for c in params["constraints"]
    ]
    state = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "params": params,
        "n_features_in": int(s.n_features_in_),
        "feature_names_in": None if s.feature_names_in_ is None else list(s.feature_names_in_),
        "feature_types": list(s.feature_types_),
        "levels": [None if lv is None else torch.as_tensor(lv, dtype=torch.float64) for lv in s.levels_],
        "mean": torch.as_tensor(s.mean_, dtype=torch.float64),
        "scale": torch.as_tensor(s.scale_, dtype=torch.float64),
        "constraints": [c.text for c in s.constraints_],
        "constraint_names": None if s._cnames is None else list(s._cnames),
        "n_epochs": int(s.n_epochs_),
        "diagnostics": getattr(s, "diagnostics_", None),
        "best_epoch": int(s.best_epoch_),
        "loss_curve": [float(v) for v in s.loss_curve_],
        "validation_loss_curve": [float(v) for v in s.validation_loss_curve_],
        "state_dict": {k: v.detach().cpu() for k, v in s.net_.state_dict().items()},
    }
    torch.save(state, path)


def load(cls, path, *, device=None):
    """Read a sampler of class ``cls`` written by :func:`save` (see :meth:`VAESampler.load`)."""
    from causalx.graph import Constraint

    torch = import_torch()
    state = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise ValueError(f"{path!s} was not written by VAESampler.save (format marker missing).")
    if state.get("version") != FORMAT_VERSION:
        raise ValueError(
            f"{path!s} has VAESampler file format version {state.get('version')!r}; this causalx "
            f"reads version {FORMAT_VERSION}."
        )
    params = dict(state["params"])
    if device is not None:
        params["device"] = device
    s = cls(**params)
    s._check_params()
    if s.device != "cpu" and not torch.cuda.is_available():
        raise ValueError(f"device={s.device!r} but CUDA is not available; load with device='cpu'.")
    s.n_features_in_ = int(state["n_features_in"])
    names = state["feature_names_in"]
    s.feature_names_in_ = None if names is None else tuple(names)
    s.feature_types_ = tuple(state["feature_types"])
    s.levels_ = tuple(None if lv is None else lv.numpy().copy() for lv in state["levels"])
    s.mean_ = state["mean"].numpy().copy()
    s.scale_ = state["scale"].numpy().copy()
    s.constraints_ = tuple(Constraint.parse(t) for t in state["constraints"])
    cnames = state["constraint_names"]
    s._cnames = None if cnames is None else tuple(cnames)
    s.n_epochs_ = int(state["n_epochs"])
    s.diagnostics_ = state.get("diagnostics")
    s.best_epoch_ = int(state["best_epoch"])
    s.loss_curve_ = list(state["loss_curve"])
    s.validation_loss_curve_ = list(state["validation_loss_curve"])
    s.device_ = s.device
    s._layout = build_layout(s.feature_types_, s.levels_)
    net = new_net(s, 0)
    net.load_state_dict(state["state_dict"])
    net.eval()
    return s
