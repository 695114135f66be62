"""Mixed data at the boundary: text, ``category`` and bool columns as integer codes (layer L0).

Everything below the explainer works on float arrays. A DataFrame column that is not numeric
(``object`` / ``str`` text, a pandas ``category``, ``bool``) is replaced by its integer codes
``0 .. k-1`` and its :class:`Codebook` (the categories in code order and the original dtype) is
recorded, so that the model wrapper can hand the model rows with the **original dtypes and
categories** (:meth:`Codebook.decode`). Numeric columns pass through unchanged (their values
are their own codes), so data without such columns take exactly the old path.

Each column also gets a node type, one of :data:`causalx._options.NODE_TYPES`:

==========================================  =====================================================
column                                      type when the graph is silent
==========================================  =====================================================
``bool``                                    ``binary``
ordered ``category``                        ``ordinal``
text or unordered ``category``, 2 levels    ``binary``
text or unordered ``category``, >2 levels   ``categorical``
integer or float                            ``continuous``
==========================================  =====================================================

A type declared in the graph wins over the inferred one; data that cannot be read as the
declared type (text declared ``continuous``, three levels declared ``binary``, unordered text
declared ``ordinal``) is an error that names the column and the fix. A numeric column declared
discrete keeps its values: they are its levels (integer codes, or ordered numbers such as a
half-integer period for an ordinal node).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from causalx._options import NODE_TYPES
from causalx.exceptions import DataValidationError

__all__ = ["Codebook", "DataEncoding", "encode_data", "is_discrete_type"]

_DISCRETE = ("binary", "categorical", "ordinal")
_SHOW = 6  # categories quoted in an error message


def is_discrete_type(node_type: str | None) -> bool:
    """True for ``binary``, ``categorical`` and ``ordinal``."""
    return node_type in _DISCRETE


def _quote(values: Sequence[Any]) -> str:
    vals = list(values)
    more = f", ... ({len(vals)} in all)" if len(vals) > _SHOW else ""
    return "[" + ", ".join(repr(v) for v in vals[:_SHOW]) + more + "]"


@dataclass(frozen=True, eq=False)
class Codebook:
    """The categories of one encoded column, in code order, and how to rebuild the column.

    Attributes
    ----------
    name : str
        The column.
    categories : tuple
        The original values; code ``i`` stands for ``categories[i]``.
    kind : {"category", "text", "bool"}
        What the column was: a pandas ``category``, text (``object`` or ``str`` dtype), or bool.
    ordered : bool
        Whether the categories have an order (an ordered pandas ``category``; bool).
    dtype : object
        The original dtype (a ``CategoricalDtype``, ``object``, ``str``, ``bool``...).
    """

    name: str
    categories: tuple
    kind: str
    ordered: bool
    dtype: Any = field(repr=False)

    @property
    def n_levels(self) -> int:
        return len(self.categories)

    def _lookup(self):
        """The categories as an array of the original dtype (taken from by :meth:`decode`)."""
        cached = self.__dict__.get("_values")
        if cached is None:
            import pandas as pd

            if self.kind == "category":
                cached = self.dtype
            elif isinstance(self.dtype, np.dtype):
                cached = np.array(self.categories, dtype=self.dtype)
            else:  # an extension dtype (pandas str, nullable boolean)
                cached = pd.array(list(self.categories), dtype=self.dtype)
            object.__setattr__(self, "_values", cached)
        return cached

    def codes_of(self, values, what: str) -> np.ndarray:
        """The codes of ``values`` (array-like of original values); an unseen value is an error."""
        import pandas as pd

        vals = pd.Series(values).reset_index(drop=True)
        cats = list(self.categories)
        index = pd.Index(cats, dtype=object)
        codes = index.get_indexer(vals.astype(object)).astype(np.float64)
        bad = (codes < 0) & vals.notna().to_numpy()
        if bad.any():
            unseen = list(dict.fromkeys(vals[bad].tolist()))
            raise DataValidationError(
                f"{what} column {self.name!r} holds the value(s) {_quote(unseen)} that the background data "
                f"do not have; its categories are {_quote(cats)}. Explain rows whose categories were "
                "seen in fit(), or add rows with them to the background data."
            )
        codes[~vals.notna().to_numpy()] = np.nan
        return codes

    def decode(self, codes: np.ndarray):
        """The column of original values for float ``codes`` (integers in ``[0, n_levels)``)."""
        ic = codes.astype(np.intp)
        if ic.size and (ic.min() < 0 or ic.max() >= self.n_levels or not np.array_equal(ic, codes)):
            bad = codes[(ic != codes) | (ic < 0) | (ic >= self.n_levels)]
            raise DataValidationError(
                f"The {self.kind} column {self.name!r} has {self.n_levels} categories (codes 0 to "
                f"{self.n_levels - 1}) but received the value {float(bad[0])!r} ({bad.size} such values): the "
                "sampler drew values outside the node's support. Use a sampler that models discrete nodes "
                "(sampler='mechanism' with discrete mechanisms, or 'vae'), or value='marginal'."
            )
        import pandas as pd

        lookup = self._lookup()
        if self.kind == "category":
            return pd.Categorical.from_codes(ic, dtype=lookup)
        if isinstance(lookup, np.ndarray):  # a Series keeps the dtype (pandas would infer str from object)
            return pd.Series(lookup.take(ic), dtype=self.dtype, copy=False)
        return lookup.take(ic)


@dataclass(frozen=True, eq=False)
class DataEncoding:
    """How the columns of one data set map to float codes; see the module docstring.

    Attributes
    ----------
    feature_names : tuple of str or None
    codebooks : tuple of (Codebook or None)
        Per column; ``None`` for a numeric column (its values are its codes).
    types : tuple of str
        Per column, the node type (declared, else inferred).
    levels : tuple of (ndarray or None)
        Per discrete column, its observed codes (sorted); ``None`` for a continuous one.
    """

    feature_names: tuple[str, ...] | None
    codebooks: tuple[Codebook | None, ...]
    types: tuple[str, ...]
    levels: tuple[np.ndarray | None, ...] = ()

    @property
    def encoded(self) -> tuple[int, ...]:
        """The columns that carry a codebook (text, category or bool)."""
        return tuple(j for j, c in enumerate(self.codebooks) if c is not None)

    @property
    def is_identity(self) -> bool:
        """True when no column is encoded (the float array is the data as given)."""
        return not self.encoded

    def node_types(self) -> dict[str, str]:
        """``{feature name: type}``."""
        names = self.feature_names or tuple(str(j) for j in range(len(self.types)))
        return dict(zip(names, self.types))

    def decode_column(self, j: int, column: np.ndarray):
        """Column ``j`` of float rows as the model expects it (original values for encoded ones)."""
        book = self.codebooks[j]
        return column if book is None else book.decode(column)


def _frame_columns(frame, names, what):
    """Select the feature columns of a frame by name (the errors of ``check_data``)."""
    from causalx.utils.validation import _select_columns

    return _select_columns(frame, names, what)


def _kind(dtype) -> str | None:
    """``"category"``, ``"bool"``, ``"text"`` or None (numeric) for a pandas column dtype."""
    import pandas as pd

    if isinstance(dtype, pd.CategoricalDtype):
        return "category"
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_complex_dtype(dtype):
        return "complex"
    if pd.api.types.is_numeric_dtype(dtype):
        return None
    if pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype):
        return "text"
    return "other"


def _sorted_levels(values: list) -> list:
    try:
        return sorted(values)
    except TypeError:  # mixed types: a stable order by their text
        return sorted(values, key=lambda v: (type(v).__name__, str(v)))


def _new_codebook(name: str, col, kind: str) -> Codebook:
    if kind == "category":
        dtype = col.dtype
        return Codebook(name, tuple(dtype.categories.tolist()), "category", bool(dtype.ordered), dtype)
    if kind == "bool":
        dtype = col.dtype
        return Codebook(name, (False, True), "bool", True, dtype)
    values = col.dropna().unique().tolist()
    non_text = [v for v in values if not isinstance(v, (str, bytes))]
    if non_text and len(non_text) < len(values):
        raise DataValidationError(
            f"column {name!r} mixes text and numbers (e.g. {non_text[0]!r} and "
            f"{next(v for v in values if isinstance(v, (str, bytes)))!r}); clean the column so that it holds "
            "one kind of value."
        )
    return Codebook(name, tuple(_sorted_levels(values)), "text", False, col.dtype)


def _declared_type(types: Mapping[str, str | None] | None, name: str) -> str | None:
    if types is None:
        return None
    t = types.get(name)
    if t is not None and t not in NODE_TYPES:
        raise ValueError(f"type of node {name!r} is {t!r}; accepted values are {', '.join(map(repr, NODE_TYPES))}.")
    return t


def _reconcile_encoded(book: Codebook, declared: str | None, what: str) -> str:
    """The type of an encoded column: the declared one when the data can be read so."""
    k = book.n_levels
    if book.kind == "bool":
        inferred = "binary"
    elif book.kind == "category" and book.ordered:
        inferred = "ordinal"
    else:
        inferred = "binary" if k == 2 else "categorical"
    if declared is None:
        return inferred
    desc = {"bool": "True/False values", "category": f"a pandas category with {k} categories",
            "text": f"text with {k} distinct values {_quote(book.categories)}"}[book.kind]
    if declared == "continuous":
        raise DataValidationError(
            f"{what} column {book.name!r} holds {desc} but the graph declares it type: continuous. Declare it "
            f"{inferred!r} (type: {inferred}), or pass the column as numbers."
        )
    if declared == "binary" and k > 2:
        raise DataValidationError(
            f"{what} column {book.name!r} holds {desc} but the graph declares it type: binary (2 levels). "
            "Declare it 'categorical', or merge its levels."
        )
    if declared == "ordinal" and not book.ordered and k > 2:
        raise DataValidationError(
            f"{what} column {book.name!r} holds {desc} without an order but the graph declares it type: "
            "ordinal. Pass it as an ordered pandas Categorical (pd.Categorical(values, categories=[low, ..., "
            "high], ordered=True)) or as integer codes, or declare it 'categorical'."
        )
    return declared


def _reconcile_numeric(name: str, col: np.ndarray, declared: str | None, what: str) -> str:
    """A numeric column takes the declared type; its observed values are its levels (integer
    codes, or any ordered numbers for an ordinal node such as a half-integer period)."""
    if declared == "binary":
        levels = np.unique(col[np.isfinite(col)])
        if levels.size > 2:
            raise DataValidationError(
                f"{what} column {name!r} is declared binary in the graph but takes {levels.size} values "
                f"{_quote(levels.tolist())}; declare it 'categorical' or 'ordinal' (or 'continuous')."
            )
    return declared or "continuous"


def encode_data(
    X,
    feature_names: Sequence[str] | None = None,
    *,
    what: str = "X",
    min_rows: int = 1,
    n_features: int | None = None,
    encoding: DataEncoding | None = None,
    types: Mapping[str, str | None] | None = None,
) -> tuple[np.ndarray, tuple[str, ...] | None, DataEncoding]:
    """Validate mixed-type data and return float codes, the names and the encoding.

    :func:`causalx.utils.validation.check_data` for data whose DataFrame columns may be text,
    pandas ``category`` or bool: those become integer codes (see the module docstring).

    Parameters
    ----------
    X : DataFrame or array-like of shape (n_samples, n_features)
    feature_names : sequence of str, optional
    what : str, default="X"
        How the data are called in error messages.
    min_rows : int, default=1
    n_features : int, optional
        Columns an array must have when ``feature_names`` is not given.
    encoding : DataEncoding, optional
        The encoding of the background data: text and categories are coded with its codebooks
        (a value it has not seen is an error), and an array is read as codes (checked against
        its categories). Default: a new encoding is built from ``X``.
    types : mapping of str to str or None, optional
        Declared node types (the graph's ``type`` attributes); they win over the inferred ones.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), float64
    feature_names : tuple of str or None
    encoding : DataEncoding

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"t": [1.0, 2.0, 3.0], "s": ["Si", "glass", "Si"]})
    >>> X, names, enc = encode_data(frame)
    >>> X.tolist(), enc.types, enc.codebooks[1].categories
    ([[1.0, 0.0], [2.0, 1.0], [3.0, 0.0]], ('continuous', 'binary'), ('Si', 'glass'))
    """
    from causalx.utils.validation import _check_feature_names, check_data

    names = None if feature_names is None else _check_feature_names(feature_names)
    is_frame = hasattr(X, "columns") and hasattr(X, "to_numpy")
    if not is_frame:
        arr, names = check_data(X, names, what=what, min_rows=min_rows, n_features=n_features)
        if encoding is not None:
            for j in encoding.encoded:  # an array holds the codes themselves
                encoding.codebooks[j].decode(arr[:, j])
            return arr, names, encoding
        types_out = tuple(_reconcile_numeric(n, arr[:, j], _declared_type(types, n), what)
                          for j, n in enumerate(names or ()))
        if names is None:
            types_out = ("continuous",) * arr.shape[1]
        return arr, names, _finish(names, (None,) * arr.shape[1], types_out, arr)
    sub, names = _frame_columns(X, names, what)
    kinds = [_kind(dt) for dt in sub.dtypes]
    bad = {n: str(dt) for n, dt, k in zip(names, sub.dtypes, kinds) if k in ("complex", "other")}
    if bad:
        raise DataValidationError(
            f"{what} has column(s) {bad} (column: dtype) that are neither numbers, text, bool nor a pandas "
            "category; convert them first."
        )
    if encoding is not None and encoding.feature_names is not None and tuple(encoding.feature_names) != names:
        raise DataValidationError(f"{what} has the features {list(names)}, expected {list(encoding.feature_names)}.")
    n, d = sub.shape
    arr = np.empty((n, d))
    books: list[Codebook | None] = []
    for j, (name, kind) in enumerate(zip(names, kinds)):
        col = sub.iloc[:, j]
        if encoding is not None:
            book = encoding.codebooks[j]
            if book is None:
                if kind is not None and kind != "bool":
                    raise DataValidationError(
                        f"{what} column {name!r} holds {kind} values but the background data held numbers there; "
                        "pass the column as numbers, as in fit()."
                    )
                arr[:, j] = col.to_numpy(dtype=np.float64, na_value=np.nan)
            else:
                arr[:, j] = book.codes_of(col, what)
            books.append(book)
            continue
        if kind is None:
            arr[:, j] = col.to_numpy(dtype=np.float64, na_value=np.nan)
            books.append(None)
        else:
            book = _new_codebook(name, col, kind)
            arr[:, j] = book.codes_of(col, what)
            books.append(book)
    arr, _ = check_data(arr, names, what=what, min_rows=min_rows)
    if encoding is not None:
        return arr, names, encoding
    types_out = tuple(
        _reconcile_encoded(b, _declared_type(types, nm), what) if b is not None
        else _reconcile_numeric(nm, arr[:, j], _declared_type(types, nm), what)
        for j, (nm, b) in enumerate(zip(names, books))
    )
    return arr, names, _finish(names, tuple(books), types_out, arr)


def _finish(names, books, types, arr) -> DataEncoding:
    levels = tuple(np.unique(arr[:, j]) if is_discrete_type(t) else None for j, t in enumerate(types))
    for lv in levels:
        if lv is not None:
            lv.setflags(write=False)
    return DataEncoding(names, books, types, levels)
