"""Normalise "the model" once: an object with ``predict``, ``predict_proba`` + ``output``, or a callable.

Everything above this module sees a function ``f(X: ndarray (r, d)) -> ndarray (r,)`` that
counts its evaluations and turns any failure of the user's model into a :class:`ModelError`.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from causalx.exceptions import ModelError

__all__ = ["ModelFunction", "fitted_feature_names", "resolve_model"]


class ModelFunction:
    """A model reduced to ``f(X) -> (r,)`` with evaluation counting and clear errors.

    Parameters
    ----------
    model : estimator, torch.nn.Module or callable
        An object with ``predict``; or with ``predict_proba`` (then ``output`` selects the
        class column); or a ``torch.nn.Module`` (evaluated without gradients, in float32, on
        the device of its parameters, in batches of ``torch_batch_rows`` rows; put it in
        ``eval()`` mode first when it has dropout or batch norm); or a callable
        ``f(X) -> array of shape (r,)``.
    feature_names : sequence of str
        Column names, in the order of the columns of the arrays ``f`` receives.
    output : int or str, optional
        For classifiers: the class index (or class label, looked up in ``model.classes_``)
        whose probability is explained. For regressors with several outputs: the output index.
        With ``raw=True``: the class of a multi-class margin (None or 1 for a binary one).
    raw : bool, default False
        Explain the raw margin (the sum of trees, before the sigmoid/softmax or other link):
        ``decision_function`` (scikit-learn), ``predict(output_margin=True)`` (XGBoost),
        ``predict(raw_score=True)`` (LightGBM), ``predict(prediction_type="RawFormulaVal")``
        (CatBoost).
    encoding : causalx.utils.DataEncoding, optional
        How text, ``category`` and bool columns were coded (:func:`causalx.utils.encode_data`).
        When it codes some column, every call decodes the codes back: the model gets a
        DataFrame with the original dtypes and categories (a scikit-learn Pipeline with a
        OneHotEncoder on a text column just works), in the columns it was fitted on. A code
        that is not one of a column's categories (a sampler that drew outside the node's
        support) is an error. A torch module gets the codes.

    Attributes
    ----------
    torch_batch_rows : int
        Rows per forward pass of a torch module (bounds the memory of its activations).
    """

    torch_batch_rows = 2**16

    def __init__(self, model: Any, feature_names: Sequence[str], output: int | str | None = None,
                 raw: bool = False, encoding: Any = None):
        self.model = model
        self.encoding = None if encoding is None or encoding.is_identity else encoding
        self.feature_names = list(feature_names)
        self.output = output
        self.raw = bool(raw)
        self.n_evals = 0
        self._kind, self._column = self._resolve()
        # scikit-learn scans every input of predict for NaN and inf. causalx has validated the
        # explained rows and builds every row it evaluates, and it checks the predictions
        # below, so that scan is skipped (it was ~10 % of an explanation of a linear model)
        self._assume_finite = self._kind in ("predict", "proba", "raw") and _is_sklearn_estimator(model)
        # models fitted on DataFrames warn (or fail) when given bare arrays: give them frames
        names_in = fitted_feature_names(model)
        self._needs_frame = names_in is not None
        if self._needs_frame:
            missing = sorted(set(map(str, names_in)) - set(self.feature_names))
            if missing:
                raise ModelError(
                    f"The model was fitted on columns {missing} that are not features of the "
                    f"causal graph {self.feature_names}. Add them to the graph, or refit the model "
                    "on the graph's features only."
                )
            self._frame_columns = [str(c) for c in names_in]
            self._frame_index = [self.feature_names.index(c) for c in self._frame_columns]
            # the usual case, the model's columns in the graph's order: frame the rows without a copy
            self._frame_identity = self._frame_index == list(range(len(self.feature_names)))
        if self.encoding is not None and self._kind != "torch":
            if not self._needs_frame:  # e.g. a callable: it gets the frame in the graph's order
                self._frame_columns = list(self.feature_names)
                self._frame_index = list(range(len(self.feature_names)))
            self._needs_frame = True
            self._frame_identity = False

    @property
    def prefers_columns(self) -> bool:
        """True when column-major rows (in the graph's order) reach the model without a copy."""
        if self.encoding is not None:  # decoded column by column: contiguous columns are cheapest
            return self._kind != "torch"
        return bool(self._needs_frame and self._frame_identity)

    @property
    def kind(self) -> str:
        """How the model is called: ``"predict"``, ``"proba"``, ``"raw"`` (the margin), ``"torch"`` or
        ``"callable"``."""
        return self._kind

    @property
    def column(self) -> int | None:
        """The output column explained (class index for ``"proba"``), or None."""
        return self._column

    def _resolve(self) -> tuple[str, int | None]:
        model, output = self.model, self.output
        if self.raw:
            if _booster_library(model) is None and not hasattr(model, "decision_function"):
                raise ValueError(
                    f"raw=True explains a raw margin: {type(model).__name__} has no decision_function and is "
                    "not an XGBoost, LightGBM or CatBoost model."
                )
            if output is None:
                return "raw", None
            classes = list(getattr(model, "classes_", []))
            if isinstance(output, str) or (classes and output in classes and not isinstance(output, (int, np.integer))):
                if output not in classes:
                    raise ValueError(f"output={output!r} is not a class of the model; classes are {classes}.")
                return "raw", classes.index(output)
            if not isinstance(output, (int, np.integer)) or output < 0:
                raise ValueError(f"output must be a class index or label, got {output!r}.")
            return "raw", int(output)
        if _is_torch_module(model):
            if output is not None and (not isinstance(output, (int, np.integer)) or output < 0):
                raise ValueError(f"output must be a column index of the module's output, got {output!r}.")
            return "torch", None if output is None else int(output)
        has_proba = hasattr(model, "predict_proba")
        if output is not None and has_proba:
            classes = list(getattr(model, "classes_", []))
            if isinstance(output, str) or (classes and output in classes and not isinstance(output, (int, np.integer))):
                if output not in classes:
                    raise ValueError(f"output={output!r} is not a class of the model; classes are {classes}.")
                return "proba", classes.index(output)
            if not isinstance(output, (int, np.integer)) or output < 0:
                raise ValueError(f"output must be a class index or label, got {output!r}.")
            if classes and output >= len(classes):
                raise ValueError(
                    f"output={output} is out of range: the model has {len(classes)} classes {classes}."
                )
            return "proba", int(output)
        if hasattr(model, "predict"):
            if hasattr(model, "classes_") and output is None and has_proba:
                raise ValueError(
                    "The model is a classifier: explaining its hard class labels is rarely what you want. "
                    "Pass output=<class index or label> to explain the probability of that class."
                )
            return "predict", None if output is None else int(output)
        if callable(model):
            return "callable", None if output is None else int(output)
        raise TypeError(
            f"The model must have a predict method, predict_proba with output=, or be callable; got "
            f"an object of type {type(model).__name__}."
        )

    def __call__(self, X: np.ndarray) -> np.ndarray:
        """Evaluate the model on ``X`` of shape (r, d); return shape (r,) float64."""
        r = X.shape[0]
        if r == 0:
            return np.empty(0)
        arg: Any = X
        if self.encoding is not None and self._kind != "torch":
            import pandas as pd

            decode = self.encoding.decode_column
            arg = pd.DataFrame({c: decode(j, X[:, j]) for c, j in zip(self._frame_columns, self._frame_index)},
                               copy=False)
        elif self._needs_frame:
            import pandas as pd

            # X[:, index] is a column-major copy: a column-major X in the model's order is framed
            # as it is (the same layout, so the same numbers, without the copy)
            cols = X if self._frame_identity and X.flags.f_contiguous else X[:, self._frame_index]
            arg = pd.DataFrame(cols, columns=self._frame_columns, copy=False)
        try:
            with _sklearn_assume_finite() if self._assume_finite else contextlib.nullcontext():
                out = self._call_model(X, arg)
        except Exception as exc:  # the user's model failed: say where and on what
            raise ModelError(
                f"The model ({type(self.model).__name__}) raised {type(exc).__name__} when evaluated on "
                f"an array of shape {X.shape} with columns {self.feature_names}: {exc}"
            ) from exc
        out = np.asarray(out)
        if self._kind == "raw" and out.ndim == 1 and self._column not in (None, 1):
            raise ModelError(
                f"The model has a single raw margin (the log-odds of class 1 of a binary classifier); "
                f"output={self._column} is not it. Pass output=None or 1."
            )
        if out.ndim == 2 and self._column is not None:
            if self._column >= out.shape[1]:
                raise ModelError(f"output={self._column} but the model returns {out.shape[1]} columns.")
            out = out[:, self._column]
        elif out.ndim == 2 and out.shape[1] == 1:
            out = out[:, 0]
        if out.shape != (r,):
            raise ModelError(
                f"The model returned an array of shape {out.shape} for {r} rows; expected ({r},). "
                "For multi-output or probabilistic models pass output=<column index>."
            )
        if np.iscomplexobj(out):  # astype would drop the imaginary part silently
            raise ModelError(
                f"The model returned complex numbers (e.g. {out.ravel()[0].item()!r}); causalx explains "
                "real-valued predictions: return the real part or the magnitude explicitly.")
        try:
            out = out.astype(np.float64, copy=False)
        except (TypeError, ValueError) as exc:
            raise ModelError(f"The model returned non-numeric predictions of dtype {out.dtype}.") from exc
        if not np.all(np.isfinite(out)):
            bad = int((~np.isfinite(out)).sum())
            raise ModelError(f"The model returned {bad} non-finite predictions (NaN or inf) out of {r}.")
        self.n_evals += r
        return out

    def _call_model(self, X: np.ndarray, arg: Any):
        """The model's own output on ``X`` (framed as ``arg`` where it needs a frame)."""
        if self._kind == "torch":
            return self._torch_forward(X)
        if self._kind == "proba":
            return self.model.predict_proba(arg)
        if self._kind == "predict":
            return self.model.predict(arg)
        if self._kind == "raw":
            return self._raw_margin(arg)
        return self.model(arg)

    def _raw_margin(self, arg):
        """The sum of trees before the link, in each library's own words."""
        lib = _booster_library(self.model)
        if lib == "xgboost":
            return self.model.predict(arg, output_margin=True)
        if lib == "lightgbm":
            return self.model.predict(arg, raw_score=True)
        if lib == "catboost":
            return self.model.predict(arg, prediction_type="RawFormulaVal")
        return self.model.decision_function(arg)

    def _torch_forward(self, X: np.ndarray) -> np.ndarray:
        """Batched no-grad float32 forward pass on the module's device."""
        import torch

        param = next(self.model.parameters(), None)
        device = param.device if param is not None else torch.device("cpu")
        out = []
        with torch.no_grad():
            for lo in range(0, X.shape[0], self.torch_batch_rows):
                batch = torch.as_tensor(X[lo : lo + self.torch_batch_rows], dtype=torch.float32).to(device)
                out.append(self.model(batch).detach().to("cpu", torch.float64).numpy())
        return np.concatenate(out, axis=0)


def _booster_library(model: Any) -> str | None:
    """``"xgboost"``, ``"lightgbm"`` or ``"catboost"`` for a model of that library (not imported)."""
    root = type(model).__module__.split(".")[0]
    return root if root in ("xgboost", "lightgbm", "catboost") else None


def fitted_feature_names(model: Any) -> list[str] | None:
    """The column names a model was fitted on (``feature_names_in_``; CatBoost's named
    ``feature_names_``), or None for a model fitted on a bare array."""
    names = getattr(model, "feature_names_in_", None)
    if names is not None:
        return [str(c) for c in names]
    if _booster_library(model) == "catboost":
        names = getattr(model, "feature_names_", None)
        if names and [str(c) for c in names] != [str(i) for i in range(len(names))]:
            return [str(c) for c in names]
    return None


def _is_torch_module(model: Any) -> bool:
    """True for a ``torch.nn.Module`` (without importing torch: a module implies torch is loaded)."""
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(model, torch.nn.Module)


def resolve_model(model: Any, feature_names: Sequence[str], output: int | str | None = None,
                  raw: bool = False, encoding: Any = None) -> ModelFunction:
    """Return a :class:`ModelFunction` for ``model`` (see there)."""
    if isinstance(model, ModelFunction):
        return model
    return ModelFunction(model, feature_names, output, raw=raw, encoding=encoding)


def _is_sklearn_estimator(model: Any) -> bool:
    """Whether ``model`` is a scikit-learn estimator (its input checks honour ``assume_finite``)."""
    base = sys.modules.get("sklearn.base")
    return base is not None and isinstance(model, base.BaseEstimator)


def _sklearn_assume_finite():
    import sklearn

    return sklearn.config_context(assume_finite=True)
