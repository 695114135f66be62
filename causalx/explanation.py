"""Result objects: frozen, sliceable sets of parallel arrays that plots and reports read."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from causalx.utils.arrays import readonly_array

from causalx.exceptions import UnknownNodeError
from causalx.utils.validation import suggest

__all__ = ["Explanation"]




@dataclass(frozen=True, eq=False)
class Explanation:
    """Shapley attributions of a set of explained rows, with their uncertainty and provenance.

    Parameters
    ----------
    values : ndarray of shape (n_rows, n_features)
        The attribution of each feature for each explained row.
    base_values : ndarray of shape (n_rows,)
        ``v(empty set)``: the expected model output the attributions start from. Efficiency:
        ``values.sum(1) == f(x) - base_values``.
    stderr : ndarray of shape (n_rows, n_features)
        Standard error of each value (estimator sampling and Monte Carlo error together).
    data : ndarray of shape (n_rows, n_features)
        The explained rows, in ``feature_names`` order.
    feature_names : tuple of str
        The players (the graph's feature nodes).
    output : ndarray of shape (n_rows,)
        The model output ``f(x)`` of each explained row.
    direct, indirect : ndarray of shape (n_rows, n_features) or None
        With ``explain(X, decompose=True)``: the direct and indirect parts,
        ``direct + indirect == values``.
    provenance : dict
        How the numbers were made: ``value``, ``sampler``, ``method``, ``asymmetric``,
        ``n_model_evals``, ``random_state``, ``graph_digest``, ``versions`` and more.

    Examples
    --------
    >>> import numpy as np
    >>> exp = Explanation(values=np.array([[1.0, -0.5]]), base_values=np.array([2.0]),
    ...                   stderr=np.zeros((1, 2)), data=np.array([[3.0, 4.0]]),
    ...                   feature_names=("a", "b"), output=np.array([2.5]))
    >>> float(exp[:, "a"].values[0, 0])
    1.0
    """

    values: np.ndarray
    base_values: np.ndarray
    stderr: np.ndarray
    data: np.ndarray
    feature_names: tuple[str, ...]
    output: np.ndarray
    direct: np.ndarray | None = None
    indirect: np.ndarray | None = None
    direct_stderr: np.ndarray | None = None
    indirect_stderr: np.ndarray | None = None
    provenance: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("values", "base_values", "stderr", "data", "output", "direct", "indirect",
                     "direct_stderr", "indirect_stderr"):
            object.__setattr__(self, name, readonly_array(getattr(self, name)))
        object.__setattr__(self, "feature_names", tuple(str(f) for f in self.feature_names))
        n, d = self.values.shape
        if len(self.feature_names) != d:
            raise ValueError(f"{d} value columns but {len(self.feature_names)} feature names.")
        for name in ("stderr", "data", "direct", "indirect", "direct_stderr", "indirect_stderr"):
            a = getattr(self, name)
            if a is not None and a.shape != (n, d):
                raise ValueError(f"{name} has shape {a.shape}, expected {(n, d)}.")
        for name in ("base_values", "output"):
            if getattr(self, name).shape != (n,):
                raise ValueError(f"{name} has shape {getattr(self, name).shape}, expected {(n,)}.")

    # ------------------------------------------------------------------ shape and slicing
    @property
    def shape(self) -> tuple[int, int]:
        """``(n_rows, n_features)``."""
        return self.values.shape

    @property
    def n_rows(self) -> int:
        """Number of explained rows (``n_samples`` of the explainer is Monte Carlo draws, not rows)."""
        return int(self.values.shape[0])

    def __len__(self) -> int:
        return self.values.shape[0]

    def _feature_index(self, key: Any) -> Any:
        if isinstance(key, str):
            if key not in self.feature_names:
                raise UnknownNodeError(
                    f"Unknown feature {key!r}; the explanation has features "
                    f"{list(self.feature_names)}.{suggest(key, self.feature_names)}"
                )
            return [self.feature_names.index(key)]
        if isinstance(key, (list, tuple)) and key and all(isinstance(k, str) for k in key):
            return [self._feature_index(k)[0] for k in key]
        if isinstance(key, (int, np.integer)):
            return [int(key)]
        return key

    def __getitem__(self, key: Any) -> Explanation:
        """Slice by rows and features: ``exp[0]``, ``exp[:10]``, ``exp[:, "X2"]``, ``exp[:, ["a", "b"]]``.

        The result is always an :class:`Explanation` (2-D arrays), never a bare array.
        """
        rows, cols = (key if isinstance(key, tuple) else (key, slice(None)))
        if isinstance(rows, (int, np.integer)):
            rows = [int(rows)]
        cols = self._feature_index(cols)
        names = np.array(self.feature_names, dtype=object)[cols]

        def cut2(a):
            return None if a is None else a[rows][:, cols]

        return dataclasses.replace(
            self,
            values=cut2(self.values),
            base_values=self.base_values[rows],
            stderr=cut2(self.stderr),
            data=cut2(self.data),
            feature_names=tuple(np.atleast_1d(names)),
            output=self.output[rows],
            direct=cut2(self.direct),
            indirect=cut2(self.indirect),
            direct_stderr=cut2(self.direct_stderr),
            indirect_stderr=cut2(self.indirect_stderr),
            provenance=dict(self.provenance, sliced=True),
        )

    # ------------------------------------------------------------------ summaries
    def mean_abs(self) -> np.ndarray:
        """Mean absolute attribution per feature, shape ``(n_features,)``."""
        return np.abs(self.values).mean(axis=0)

    def efficiency_gap(self) -> np.ndarray:
        """``values.sum(1) - (output - base_values)``; zero up to rounding for every estimator."""
        return self.values.sum(axis=1) - (self.output - self.base_values)

    def to_frame(self, *, long: bool = False):
        """Return the values as a pandas DataFrame.

        Parameters
        ----------
        long : bool, default False
            ``False``: one row per explained row, one column per feature (values only).
            ``True``: one row per (row, feature) with columns ``row``, ``feature``, ``value``,
            ``stderr``, ``data`` and, when present, ``direct`` and ``indirect``.
        """
        import pandas as pd

        if not long:
            return pd.DataFrame(self.values, columns=list(self.feature_names))
        n, d = self.shape
        out = {
            "row": np.repeat(np.arange(n), d),
            "feature": np.tile(np.array(self.feature_names, dtype=object), n),
            "value": self.values.ravel(),
            "stderr": self.stderr.ravel(),
            "data": self.data.ravel(),
        }
        if self.direct is not None:
            out["direct"] = self.direct.ravel()
            out["indirect"] = self.indirect.ravel()
        return pd.DataFrame(out)

    def summary_frame(self):
        """Per-feature summary: mean |value|, mean value, and the standard error of the mean."""
        import pandas as pd

        n = len(self)
        df = pd.DataFrame(
            {
                "mean_abs": np.abs(self.values).mean(0),
                "mean": self.values.mean(0),
                "mean_stderr": np.sqrt((self.stderr**2).sum(0)) / max(n, 1),
            },
            index=pd.Index(self.feature_names, name="feature"),
        )
        if self.direct is not None:
            df["mean_direct"] = self.direct.mean(0)
            df["mean_indirect"] = self.indirect.mean(0)
        return df.sort_values("mean_abs", ascending=False)

    def to_shap(self, part: str = "values"):
        """Return a ``shap.Explanation`` with the values, base values, data, names and errors.

        Parameters
        ----------
        part : {"values", "direct", "indirect"}, default "values"
            Which attribution to hand to shap's plots: the values, or (for a decomposed
            explanation) their direct or indirect part. The matching standard errors go into
            shap's ``error_std``; ``direct + indirect == values``, so the two parts' plots add up.

        Raises
        ------
        ImportError
            When shap is not installed (``pip install shap``).
        ValueError
            For ``part="direct"``/``"indirect"`` on an explanation computed without
            ``decompose=True``.
        """
        from causalx.utils import check_option

        check_option("part", part, ("values", "direct", "indirect"))
        if part != "values" and self.direct is None:
            raise ValueError(
                f"part={part!r} needs a decomposed explanation: explain(X, decompose=True) with value='causal'."
            )
        try:
            import shap
        except ImportError as exc:  # pragma: no cover - exercised only without shap
            raise ImportError(
                "Explanation.to_shap() needs the 'shap' package: pip install 'causalx[shap]' (or pip install shap)"
            ) from exc
        values = {"values": self.values, "direct": self.direct, "indirect": self.indirect}[part]
        errors = {"values": self.stderr, "direct": self.direct_stderr, "indirect": self.indirect_stderr}[part]
        return shap.Explanation(
            values=np.array(values),
            base_values=np.array(self.base_values),
            data=np.array(self.data),
            feature_names=list(self.feature_names),
            error_std=None if errors is None else np.array(errors),
        )

    def __repr__(self) -> str:
        p = self.provenance
        return (
            f"Explanation(n_rows={self.shape[0]}, n_features={self.shape[1]}, "
            f"value={p.get('value')!r}, sampler={p.get('sampler')!r}, method={p.get('method')!r}, "
            f"asymmetric={p.get('asymmetric')!r}, decomposed={self.direct is not None})"
        )
