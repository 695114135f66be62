"""The run config of ``causalx run``: one YAML file naming the data, the target and the graph.

::

    causalx: 1                       # config version; anything else is rejected
    data: data.csv                   # CSV or Parquet, relative to this file
    target: conductivity             # the column the model predicts
    graph: ../../graphs/simulated_mediator.yaml
    # everything below is optional
    model: {path: model.joblib, trust: true}   # default: HistGradientBoosting, 5-fold CV score
    explanations:                    # default: marginal, conditional, causal, causal asymmetric
      - {value: causal, asymmetric: true, decompose: true, n_samples: 200}
    rows: 40                         # a seeded sample of 40 rows, or a list of row indices
    diagnostics: {alpha: 0.01, method: auto, n_boot: 5, dependence_features: [grain_size]}
    report: {title: My study, top_hypotheses: 10}
    random_state: 0

YAML is read with ``yaml.safe_load`` semantics (no tags; :mod:`causalx.utils.yamlio`, the same
reader as graph specs) into pydantic models that forbid unknown keys; every problem is a
:class:`~causalx.exceptions.ConfigError` naming the file, the location
(``explanations[1].value``), the bad value, the accepted values and a suggestion. The accepted
values of every option come from :mod:`causalx._options`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError, field_validator

from causalx._options import CausalSemantics, CIMethod, Correction, Method, SamplerName, Task, Value
from causalx.exceptions import ConfigError
from causalx.utils.yamlio import describe_problem, fail, load_yaml_mapping, raise_problems, read_yaml_file

__all__ = [
    "CONFIG_VERSION",
    "DiagnosticsConfig",
    "ExplanationConfig",
    "ModelConfig",
    "ReportConfig",
    "RunConfig",
    "load_config",
    "loads_config",
]

#: The only run-config version this release reads.
CONFIG_VERSION = 1

#: An explanation label names its file ``values_<label>.csv``: letters, digits, '_', '-', '.'
#: (not first), at most 64 characters, so that it cannot leave the output folder.
LABEL_PATTERN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}")
#: Draws per coalition when ``n_samples`` is unset: the Gaussian sampler draws antithetic pairs
#: (32 pairs have a 3x smaller Monte Carlo error than 150 independent draws on the 10-descriptor
#: gradient-boosting benchmark, docs/benchmarks.md); the learned samplers draw independently.
DEFAULT_DRAWS = {"gaussian": 64, "other": 150}

#: Upper bounds of the counts (a typo such as ``n_samples: 1e12`` is refused, not attempted).
MAX_SAMPLES = 100_000
MAX_SEED = 2**32 - 1

_Strict = ConfigDict(extra="forbid", frozen=True)


class ExplanationConfig(BaseModel):
    """One explanation to compute (the options of :class:`~causalx.CausalExplainer`)."""

    model_config = _Strict

    value: Value = "causal"
    sampler: SamplerName = "gaussian"
    causal_semantics: CausalSemantics = "auto"
    asymmetric: bool = False
    method: Method = "auto"
    #: Monte Carlo draws per coalition; unset: :data:`DEFAULT_DRAWS` for the sampler
    n_samples: int | None = Field(None, ge=1, le=MAX_SAMPLES)
    decompose: bool = False
    label: str | None = None

    @field_validator("label")
    @classmethod
    def _check_label(cls, value: str | None) -> str | None:
        if value is not None and not LABEL_PATTERN.fullmatch(value):
            from causalx.utils._text import clip_repr

            raise ValueError(
                f"label {clip_repr(value)} is not accepted: a label names the file values_<label>.csv, so it "
                "may hold only letters, digits, '_', '-' and '.' (not first), at most 64 characters, "
                "e.g. 'causal_vae'")
        return value

    @property
    def draws(self) -> int:
        """``n_samples``, else the default for the sampler (:data:`DEFAULT_DRAWS`).

        >>> ExplanationConfig().draws, ExplanationConfig(sampler="mechanism").draws, ExplanationConfig(n_samples=9).draws
        (64, 150, 9)
        """
        if self.n_samples is not None:
            return int(self.n_samples)
        return DEFAULT_DRAWS["gaussian" if self.sampler == "gaussian" else "other"]

    @property
    def resolved_label(self) -> str:
        """``label``, or the value name with ``_asymmetric`` / ``_<sampler>`` suffixes."""
        if self.label:
            return self.label
        out = self.value
        if self.value != "marginal" and self.sampler != "gaussian":
            out += f"_{self.sampler}"
        if self.asymmetric:
            out += "_asymmetric"
        return out


def default_explanations() -> list[ExplanationConfig]:
    """Marginal (plain SHAP), conditional, causal and asymmetric causal, causal ones decomposed."""
    return [
        ExplanationConfig(value="marginal", n_samples=200),
        ExplanationConfig(value="conditional"),
        ExplanationConfig(value="causal", decompose=True),
        ExplanationConfig(value="causal", asymmetric=True, decompose=True),
    ]


class ModelConfig(BaseModel):
    """The model to explain: the built-in default (``path`` unset) or a saved model file."""

    model_config = _Strict

    path: str | None = None
    #: only the YAML boolean ``true`` (not "yes", "True" or 1): it allows running code in the file
    trust: StrictBool = False
    task: Task = "auto"
    cv: int = Field(5, ge=2, le=20)


class DiagnosticsConfig(BaseModel):
    """Falsification, confounding, bootstrap, dependence and manifold settings."""

    model_config = _Strict

    alpha: float = Field(0.01, gt=0, lt=1)
    method: CIMethod = "auto"
    correction: Correction = "holm"
    n_permutations: int = Field(20, ge=0, le=10_000)
    discovery: bool = True
    n_boot: int = Field(5, ge=0, le=1_000)
    bootstrap_rows: int = Field(8, ge=1, le=10_000)
    dependence_features: list[str] | None = None
    n_dependence: int = Field(3, ge=0, le=100)
    grid_resolution: int = Field(20, ge=2, le=1_000)
    manifold: bool = True
    #: the graph tests, the confounding screen and PC run on a seeded subsample of at most this
    #: many rows (the report says so); ``null`` tests every row
    max_rows: int | None = Field(10_000, ge=20, le=10_000_000)


class ReportConfig(BaseModel):
    """Report title and how many hypotheses to show."""

    model_config = _Strict

    title: str | None = None
    top_hypotheses: int = Field(10, ge=1, le=10_000)
    target_unit: str | None = Field(None, max_length=40,
                                    description="Unit of the target (axes and tables of the report), e.g. '%'.")


class RunConfig(BaseModel):
    """A ``causalx run`` config (version 1). Paths are relative to ``base_dir``.

    Examples
    --------
    >>> cfg = RunConfig.model_validate({"causalx": 1, "data": "d.csv", "target": "y", "graph": "g.yaml"})
    >>> [e.resolved_label for e in cfg.explanations]
    ['marginal', 'conditional', 'causal', 'causal_asymmetric']
    >>> cfg.rows, cfg.model.path is None
    (40, True)
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    causalx: int
    data: str
    target: str
    graph: str
    model: ModelConfig = Field(default_factory=ModelConfig)
    explanations: list[ExplanationConfig] = Field(default_factory=default_explanations, min_length=1)
    rows: int | list[int] = 40
    diagnostics: DiagnosticsConfig = Field(default_factory=DiagnosticsConfig)
    report: ReportConfig = Field(default_factory=ReportConfig)
    random_state: int = Field(0, ge=0, le=MAX_SEED)
    #: worker processes of a large explanation (rows split between them; the values do not depend
    #: on it); unset: all cores, at most 4, for symmetric explanations of more than a million model rows
    n_jobs: int | None = Field(None, ge=1, le=64)
    base_dir: str = Field(".", exclude=True, description="Directory the relative paths refer to.")
    source: str = Field("<string>", exclude=True, description="File name used in messages.")

    @field_validator("causalx", mode="before")
    @classmethod
    def _check_version(cls, value: Any) -> int:
        if type(value) is not int or value != CONFIG_VERSION:
            raise ValueError(
                f"unsupported config version causalx: {value!r}; accepted values: {CONFIG_VERSION} "
                f"(write 'causalx: {CONFIG_VERSION}')"
            )
        return value

    @field_validator("rows")
    @classmethod
    def _check_rows(cls, value: Any) -> Any:
        if isinstance(value, int) and value < 1:
            raise ValueError(f"rows must be a positive count or a list of row indices, got {value!r}")
        if isinstance(value, list):
            if not value:
                raise ValueError("rows is an empty list; give a count (e.g. 'rows: 40') or row indices")
            bad = [v for v in value if v < 0]
            if bad:
                raise ValueError(f"row indices must be >= 0, got {bad[:3]}")
        return value

    @field_validator("explanations")
    @classmethod
    def _unique_labels(cls, value: list[ExplanationConfig]) -> list[ExplanationConfig]:
        labels = [e.resolved_label for e in value]
        dup = sorted({lab for lab in labels if labels.count(lab) > 1})
        if dup:
            raise ValueError(f"two explanations share the label(s) {dup}; give each a distinct 'label:'")
        return value

    def path(self, name: str) -> Path:
        """The file named by ``data``, ``graph`` or ``model.path``, resolved against ``base_dir``."""
        raw = self.model.path if name == "model" else getattr(self, name)
        p = Path(raw)
        return p if p.is_absolute() else Path(self.base_dir) / p


_SECTIONS: dict[str, type[BaseModel]] = {
    "model": ModelConfig, "diagnostics": DiagnosticsConfig, "report": ReportConfig,
    "explanations": ExplanationConfig,
}


def _accepted_keys(loc: tuple[Any, ...]) -> tuple[str, ...]:
    section = _SECTIONS.get(str(loc[0])) if len(loc) > 1 else None
    model = section or RunConfig
    return tuple(k for k, f in model.model_fields.items() if not f.exclude)


_HINTS = {
    "causalx": " (the config version): add 'causalx: 1' as the first line",
    "data": ": name the CSV or Parquet file, e.g. 'data: data.csv' (relative to the config)",
    "target": ": name the column the model predicts, e.g. 'target: conductivity'",
    "graph": ": name the YAML graph spec, e.g. 'graph: graph.yaml'",
}


def _message(err: dict[str, Any]) -> tuple[str, str]:
    loc = tuple(err.get("loc", ()))
    # pydantic adds the member type of a union to the location (rows.int, rows.list[int]): drop it
    loc = tuple(p for p in loc if not (isinstance(p, str) and p in ("int", "list[int]")))
    if loc[-1:] == ("trust",) and err.get("type") == "bool_type":
        from causalx.utils._text import clip_repr

        return "model.trust", (f"{clip_repr(err.get('input'))} is not accepted; write the YAML boolean true "
                               "(unquoted) to allow loading the model file, or false.")
    return describe_problem(dict(err, loc=loc), accepted=_accepted_keys, hints=_HINTS)


def loads_config(text: str, *, source: str = "<string>", base_dir: str | os.PathLike[str] = ".") -> RunConfig:
    """Read a run config from YAML text.

    Parameters
    ----------
    text : str
    source : str, default "<string>"
        Name used in error messages.
    base_dir : path, default "."
        Directory the relative paths in the config refer to.

    Returns
    -------
    RunConfig

    Raises
    ------
    ConfigError
        With the file, location, bad value, accepted values and a suggestion.

    Examples
    --------
    >>> cfg = loads_config("causalx: 1\\ndata: d.csv\\ntarget: y\\ngraph: g.yaml\\nrows: 10\\n")
    >>> cfg.rows, cfg.diagnostics.alpha
    (10, 0.01)
    >>> loads_config("causalx: 1\\ndata: d.csv\\ntarget: y\\ngraph: g.yaml\\n"
    ...              "explanations: [{value: casual}]\\n")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    causalx.exceptions.ConfigError: <string>, explanations[0].value: 'casual' is not accepted; ... Did you mean 'causal'?
    """
    data = load_yaml_mapping(
        text, source=source, error=ConfigError, kind="config", reader="loads_config",
        keys=_accepted_keys(()),
        empty="the config is empty; a run config holds at least 'causalx: 1', 'data:', 'target:' and 'graph:'.",
    )
    for key in ("base_dir", "source"):
        if key in data:
            accepted = _accepted_keys(())
            raise fail(ConfigError, source, key, f"unknown key {key!r} in the top level; accepted keys are "
                                                 f"{', '.join(repr(k) for k in accepted)}.")
    try:
        return RunConfig.model_validate({**data, "base_dir": str(base_dir), "source": source})
    except ValidationError as exc:
        raise_problems([_message(e) for e in exc.errors()], source=source, error=ConfigError)


def load_config(path: str | os.PathLike[str]) -> RunConfig:
    """Read a run config file; relative paths in it refer to the file's directory.

    Raises
    ------
    FileNotFoundError
        No file at ``path``.
    ConfigError
        The file is not a valid run config (see :func:`loads_config`).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Run config file not found: '{path}' (resolved to '{path.resolve()}').")
    return loads_config(read_yaml_file(path, error=ConfigError, kind="config"), source=str(path), base_dir=path.parent)
