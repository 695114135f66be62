"""``run_study``: from a run config to explanations, diagnostics and ranked hypotheses."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from causalx._config import config_context
from causalx.exceptions import ConfigError, DataValidationError
from causalx.explanation import Explanation
from causalx.graph import CausalGraph, load_graph
from causalx.study._checks import (check_classes, check_feature_values, check_model, check_table, check_target,
                                   load_model_file)
from causalx.study.config import RunConfig, load_config
from causalx.study.hypotheses import Hypothesis, generate_hypotheses
from causalx.utils._text import clip, clip_repr
from causalx.utils.progress import log_line as _log_line
from causalx.utils.progress import progress as _progress
from causalx.utils.validation import suggest

__all__ = ["StudyResult", "run_study"]

#: up to this many data rows, explanations with the mechanism sampler use uncertainty="refit"
#: (8 refits of the sampler inside explain: about 9x the explain time)
_REFIT_MAX_ROWS = 5000
#: an explanation planned to call the model on more rows than this runs in worker processes
_PARALLEL_MODEL_ROWS = 1_000_000
#: the built-in model is fitted with all cores (at most 4) on at least this many rows: its OpenMP
#: regions (histograms over the rows) are then long enough to gain (200,000 rows: 1.6 s instead of
#: 2.5 s per fit on 2 cores); smaller fits, and every model call, use one thread
_THREADED_FIT_ROWS = 20_000
#: ALE reads at most this many data rows (a seeded sample of larger data: 20 quantile bins of
#: 1,000 rows each; the report's figure caption says so)
_ALE_MAX_ROWS = 20_000


def _fit_threads(n_rows: int) -> int:
    return min(os.cpu_count() or 1, 4) if n_rows >= _THREADED_FIT_ROWS else 1


def _replicate_threads(cfg: RunConfig, n_boot: int) -> int:
    """Threads for the bootstrap replicates: ``cfg.n_jobs``, else all cores (at most 4); one in a
    study that already runs in a worker process. The values do not depend on it."""
    import multiprocessing

    if multiprocessing.parent_process() is not None:
        return 1
    return max(1, min(int(cfg.n_jobs) if cfg.n_jobs is not None else min(os.cpu_count() or 1, 4), n_boot))


def _n_jobs(cfg: RunConfig, spec, n_explained: int, d: int) -> int:
    """``cfg.n_jobs``, else all cores (at most 4) for a symmetric explanation of many model rows.

    The planned rows: explained rows x draws x coalitions (exact up to 2**12) x (1 + d/2 with the
    direct/indirect split); the values are identical for every ``n_jobs`` (the draws are made before
    the rows are split), so this only changes the time.
    """
    if cfg.n_jobs is not None:
        return int(cfg.n_jobs)
    import multiprocessing

    # marginal values are cheap, asymmetric ones visit few coalitions; and a study that already
    # runs in a worker process (a pool of studies) does not start workers of its own
    if spec.value == "marginal" or spec.asymmetric or multiprocessing.parent_process() is not None:
        return 1
    rows = n_explained * spec.draws * min(2**d, 4096) * ((1 + d / 2) if spec.decompose else 1)
    return min(os.cpu_count() or 1, 4) if rows > _PARALLEL_MODEL_ROWS else 1


@dataclass(frozen=True, eq=False)
class StudyResult:
    """Everything ``causalx run`` computed; the report reads it and computes nothing.

    Attributes
    ----------
    config : RunConfig
    graph : CausalGraph
    model_info : dict
        ``name``, ``task`` ("regression" or "classification"), ``source`` ("built-in" or the
        file), ``cv_score`` (mean), ``cv_score_std``, ``cv_scoring``, ``n_train``, ``output``.
    explanations : dict of str to Explanation
        Keyed by label (``marginal``, ``conditional``, ``causal``, ``causal_asymmetric``...).
    diagnostics : DiagnosticsResult or None
        Falsification, suspected confounding, suggested edges, variance inflation.
    disagreements : tuple of AttributionDisagreement
    bootstrap : BootstrapResult or None
        Bootstrap of the explanation ``bootstrap_label`` on its first ``bootstrap_rows`` rows.
    bootstrap_label : str or None
    dependence : dict of str to dict
        Per feature: ``{"pdp": DependenceResult (with ICE curves), "ale": ALEResult}``.
    manifold : dict of str to dict
        Per explanation label (``ManifoldReport.to_dict()``, from the explanation's provenance):
        off-manifold and constraint-violation shares of the rows its
        value function evaluates the model on.
    hypotheses : tuple of Hypothesis
        Ranked, highest score first.
    effects : EffectsResult or None
        Signed interventional effects of every feature on the model output (q25 → q75), with
        direct/indirect parts and plain SHAP's reading (:func:`causalx.explain.interventional_effects`);
        with groups, one per group (all its members shifted together).
    data_info : dict
        ``path``, ``n_rows``, ``n_explained``, ``explained_rows``, ``columns``.
    timings : dict of str to float
        Seconds per step.
    warnings : tuple of str
        Steps that were skipped, with the reason.
    """

    config: RunConfig
    graph: CausalGraph
    model_info: dict[str, Any]
    explanations: dict[str, Explanation]
    diagnostics: Any
    disagreements: tuple
    bootstrap: Any
    bootstrap_label: str | None
    dependence: dict[str, dict[str, Any]]
    manifold: dict[str, Any]
    hypotheses: tuple[Hypothesis, ...]
    data_info: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    model: Any = field(default=None, repr=False)
    effects: Any = None

    @property
    def title(self) -> str:
        """The report title (config ``report.title``, else from the graph's name)."""
        return self.config.report.title or f"causalx study: {self.graph.name or Path(self.config.graph).stem}"


# ------------------------------------------------------------------------------ loading
def _shared_refit(model):
    """``refit(X_boot, y_boot)`` for the bootstraps: a clone of ``model`` fitted on the resample,
    remembered by the resample's contents, so the values' and the effects' bootstraps (the same
    resamples) fit each resample's model once."""
    import hashlib

    from sklearn.base import clone

    fitted: dict[str, Any] = {}

    def refit(Xb, yb):
        h = hashlib.blake2b(digest_size=16)
        for part in (Xb, yb):
            arr = part.to_numpy() if hasattr(part, "to_numpy") else np.asarray(part)
            h.update(str((arr.shape, arr.dtype)).encode())
            h.update(np.ascontiguousarray(arr).tobytes() if arr.dtype != object else repr(arr.tolist()).encode())
        key = h.hexdigest()
        if key not in fitted:
            import threading

            from threadpoolctl import threadpool_limits

            # on a bootstrap's worker thread the replicates are the parallel units: one thread each
            threads = _fit_threads(len(Xb)) if threading.current_thread() is threading.main_thread() else 1
            with threadpool_limits(threads, user_api="openmp"):
                fitted[key] = clone(model).fit(Xb, yb)
        return fitted[key]

    return refit


def _read_data(cfg: RunConfig):
    import pandas as pd

    path = cfg.path("data")
    if not path.is_file():
        raise ConfigError(f"{cfg.source}, data: data file {str(path)!r} does not exist (paths are relative "
                             f"to the config's folder).", source=cfg.source, location="data")
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            frame = pd.read_parquet(path)
        elif suffix in (".csv", ".txt"):
            frame = pd.read_csv(path)
        else:
            raise ConfigError(
                f"{cfg.source}, data: {str(path)!r} has suffix {suffix!r}; accepted data files are CSV "
                f"('.csv') and Parquet ('.parquet').", source=cfg.source, location="data")
    except ImportError as exc:
        raise ConfigError(f"{cfg.source}, data: reading Parquet needs pyarrow (pip install pyarrow): {exc}",
                             source=cfg.source, location="data") from exc
    except (OSError, ValueError) as exc:
        if isinstance(exc, ConfigError):
            raise
        raise ConfigError(f"{cfg.source}, data: could not read {str(path)!r}: {exc}", source=cfg.source,
                             location="data") from exc
    frame.columns = [str(c) for c in frame.columns]
    check_table(path, frame, source=cfg.source, name=str(cfg.data))
    return frame


def _check_columns(cfg: RunConfig, graph: CausalGraph, frame) -> None:
    cols = list(frame.columns)
    if cfg.target not in cols:
        same = [c for c in cols if c.lower() == cfg.target.lower()]
        hint = f" Did you mean {same[0]!r}?" if same else suggest(cfg.target, cols)
        raise ConfigError(
            f"{cfg.source}, target: {clip_repr(cfg.target)} is not a column of {cfg.data!r}; its columns are "
            f"{clip(str(cols))}.{hint}", source=cfg.source, location="target")
    if cfg.target in graph.nodes:
        raise ConfigError(
            f"{cfg.source}, target: {cfg.target!r} is a node of the graph {cfg.graph!r}; the target is the "
            f"model's output, not a feature: remove it from the graph's nodes.", source=cfg.source, location="target")
    missing = [n for n in graph.nodes if n not in cols]
    if missing:
        hints = "".join(suggest(m, cols) for m in missing[:3])
        raise ConfigError(
            f"{cfg.source}, graph: the graph's node(s) {clip(str(missing))} are not columns of {cfg.data!r} "
            f"(columns: {clip(str(cols))}).{hints}", source=cfg.source, location="graph")
    if frame[cfg.target].isna().any():
        raise DataValidationError(f"{cfg.data}: the target column {cfg.target!r} has missing values; "
                                  "drop or impute those rows first.")


def _is_classification(cfg: RunConfig, y) -> bool:
    import pandas as pd

    if cfg.model.task != "auto":
        return cfg.model.task == "classification"
    if not pd.api.types.is_numeric_dtype(y) or pd.api.types.is_bool_dtype(y):
        return True
    return y.nunique() <= 2


def _model(cfg: RunConfig, X, y, rng_seed: int, echo: Callable[[str], None]):
    """The fitted model and its description (built-in with CV score, or loaded with trust)."""
    if cfg.model.path is not None:
        path = cfg.path("model")
        if not cfg.model.trust:
            raise ConfigError(
                f"{cfg.source}, model.trust: loading {str(path)!r} would run code stored in the file "
                "(pickle/joblib files execute code when loaded). Set 'trust: true' under 'model:' only "
                "if you created the file or trust its source; accepted values: true.",
                source=cfg.source, location="model.trust")
        if not path.is_file():
            raise ConfigError(f"{cfg.source}, model.path: model file {str(path)!r} does not exist.",
                                 source=cfg.source, location="model.path")
        model = load_model_file(path, source=cfg.source)
        check_model(model, X, source=cfg.source, path=path)
        task = "classification" if hasattr(model, "predict_proba") and hasattr(model, "classes_") else "regression"
        info = {"name": type(model).__name__, "task": task, "source": str(path), "cv_score": None,
                "cv_score_std": None, "cv_scoring": None, "n_train": None}
        return model, info
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score

    classification = _is_classification(cfg, y)
    if classification:
        check_classes(y, name=str(cfg.data), target=cfg.target, cv=cfg.model.cv, source=cfg.source)
        model = HistGradientBoostingClassifier(random_state=rng_seed)
        folds = StratifiedKFold(cfg.model.cv, shuffle=True, random_state=rng_seed)
        scoring = "roc_auc" if y.nunique() == 2 else "accuracy"
    else:
        model = HistGradientBoostingRegressor(random_state=rng_seed)
        folds = KFold(cfg.model.cv, shuffle=True, random_state=rng_seed)
        scoring = "r2"
    from threadpoolctl import threadpool_limits

    with threadpool_limits(_fit_threads(len(X)), user_api="openmp"):
        scores = cross_val_score(model, X, y, cv=folds, scoring=scoring)
        model.fit(X, y)
    info = {"name": type(model).__name__, "task": "classification" if classification else "regression",
            "source": "built-in", "cv_score": float(np.mean(scores)), "cv_score_std": float(np.std(scores)),
            "cv_scoring": scoring, "cv_folds": int(cfg.model.cv), "n_train": int(len(y))}
    echo(f"[causalx]   model: {info['name']}, {cfg.model.cv}-fold CV {scoring} = {info['cv_score']:.3f} ± {info['cv_score_std']:.3f}")
    return model, info


def _rows(cfg: RunConfig, n: int) -> np.ndarray:
    if isinstance(cfg.rows, list):
        bad = [(i, r) for i, r in enumerate(cfg.rows) if r >= n]
        if bad:
            i, r = bad[0]
            raise ConfigError(f"{cfg.source}, rows[{i}]: row index {r} is out of range; the data have {n} "
                                 f"rows (indices 0 to {n - 1}).", source=cfg.source, location=f"rows[{i}]")
        return np.asarray(cfg.rows, dtype=int)
    k = min(int(cfg.rows), n)
    return np.sort(np.random.default_rng(cfg.random_state).choice(n, k, replace=False))


def _explained_line(label: str, exp: Explanation, seconds: float) -> str:
    """What was actually computed, read from the explanation's provenance (not from the config)."""
    p = exp.provenance
    parts = [f"value={p.get('value')}", f"sampler={p.get('sampler')}", f"method={p.get('method')}"]
    if p.get("asymmetric"):
        parts.append("asymmetric")
    if exp.direct is not None:
        parts.append("decomposed")
    if p.get("n_model_evals") is not None:
        parts.append(f"{p['n_model_evals']} model evaluations")
    return f"{label}: " + ", ".join(parts) + f" ({seconds:.1f} s)"


# ------------------------------------------------------------------------------ the pipeline
def run_study(
    config: RunConfig | str | os.PathLike[str],
    *,
    out_dir: str | os.PathLike[str] | None = None,
    progress: bool = True,
    echo: Callable[[str], None] | None = None,
) -> StudyResult:
    """Fit (or load) the model, explain it several ways, diagnose the graph, generate hypotheses.

    Parameters
    ----------
    config : RunConfig or path
        A run config, or the path of its YAML file (see :mod:`causalx.study.config`).
    out_dir : path, optional
        When given, the attributions of each explanation are written there as
        ``values_<label>.csv`` (long form: row, feature, value, stderr, data[, direct, indirect]).
        The report itself is written by :func:`causalx.report.write_report` (a higher layer).
    progress : bool, default True
        Show progress bars for the long steps and a line per step (on stderr).
    echo : callable, optional
        Where step messages go (default: stderr when ``progress`` is on, else nowhere).

    Returns
    -------
    StudyResult

    Raises
    ------
    ConfigError
        A config file that is not a valid run config (see :func:`~causalx.study.load_config`).
    ConfigError
        A bad graph spec; also (for now) a missing data, graph or model file, a target or node
        that is not a data column, and other problems found while running the config.

    Notes
    -----
    The study runs with one OpenMP thread (``threadpoolctl``): the model is called many times
    on batches and tree ensembles open one short parallel region per tree, which on a few busy
    cores costs more than it saves.
    """
    cfg = config if isinstance(config, RunConfig) else load_config(config)
    if echo is None:
        echo = _log_line if progress else (lambda m: None)
    timings: dict[str, float] = {}
    skipped: list[str] = []

    @contextlib.contextmanager
    def step(name: str, message: str):
        echo(f"[causalx] {message} ...")
        t0 = time.perf_counter()
        yield
        timings[name] = round(time.perf_counter() - t0, 3)

    t_start = time.perf_counter()
    from threadpoolctl import threadpool_limits

    # threadpool_limits only limits OpenMP runtimes already loaded: load scikit-learn's (through
    # its histogram gradient boosting) first, or the first study of a process fits and calls the
    # model with every core (measured on 2 busy cores: 104 s for the model step instead of 2.7 s).
    import sklearn.ensemble._hist_gradient_boosting.gradient_boosting  # noqa: F401

    # Model calls are many short OpenMP regions (one per tree for HistGradientBoosting); on a
    # few busy cores their threads mostly wait for each other, so a single thread is faster.
    with config_context(show_progress=bool(progress)), threadpool_limits(1, user_api="openmp"):
        with step("load", "loading graph and data"):
            gpath = cfg.path("graph")
            if not gpath.is_file():
                raise ConfigError(f"{cfg.source}, graph: graph spec {str(gpath)!r} does not exist (paths are "
                                     "relative to the config's folder).", source=cfg.source, location="graph")
            graph = load_graph(gpath)
            frame = _read_data(cfg)
            _check_columns(cfg, graph, frame)
            X = frame[list(graph.nodes)]
            y = frame[cfg.target]
            from causalx.explain._data import to_feature_codes

            check_target(y, name=str(cfg.data), target=cfg.target)
            arr, encoding = to_feature_codes(X, graph, what=str(cfg.data), min_rows=10)
            check_feature_values(arr, graph.nodes, name=str(cfg.data))
            text = [graph.nodes[j] for j in encoding.encoded
                    if encoding.codebooks[j].kind == "text"]
            if text and cfg.model.path is None:  # the built-in gradient boosting reads pandas categories
                X = X.astype({c: "category" for c in text})
        with step("model", "fitting the model (with cross-validation)" if cfg.model.path is None else "loading the model"):
            model, model_info = _model(cfg, X, y, cfg.random_state, echo)
        output = None
        if model_info["task"] == "classification" and hasattr(model, "classes_"):
            output = 1 if len(model.classes_) == 2 else 0
            model_info["output"] = f"predict_proba of class {model.classes_[output]!r}"
        else:
            model_info["output"] = "predict"
        idx = _rows(cfg, len(frame))
        Xe = X.iloc[idx].reset_index(drop=True)

        from causalx.explain import CausalExplainer

        explanations: dict[str, Explanation] = {}
        explainers: dict[str, Any] = {}
        explanation_cfgs = list(cfg.explanations)
        categorical = [n for n, t in zip(graph.nodes, encoding.types) if t == "categorical"]
        if categorical and "explanations" not in cfg.model_fields_set:
            # the default explanations' Gaussian sampler refuses categorical nodes: draw along the
            # graph with the mechanism sampler (classifiers for discrete nodes) instead
            explanation_cfgs = [e if e.value == "marginal" else e.model_copy(update={"sampler": "mechanism"})
                                for e in explanation_cfgs if e.value != "conditional"]
            skipped.append(
                f"the default explanations use sampler: mechanism, because the Gaussian sampler cannot model "
                f"the categorical node(s) {', '.join(categorical)}; the default conditional explanation was "
                "left out (the mechanism sampler draws along the graph only; configure "
                "'{value: conditional, sampler: vae}' to get it)")
            echo(f"[causalx]   {skipped[-1]}")
        specs = {e.resolved_label: e for e in explanation_cfgs}
        with step("explain", f"explaining {len(idx)} rows {len(specs)} ways"):
            for label, spec in _progress(list(specs.items()), desc="explanations"):
                t0 = time.perf_counter()
                # a learned sampler's learning error goes into the standard errors where it is affordable
                refit = spec.sampler == "mechanism" and spec.value == "causal" and len(X) <= _REFIT_MAX_ROWS
                ex = CausalExplainer(model, graph, value=spec.value, sampler=spec.sampler,
                                     causal_semantics=spec.causal_semantics, asymmetric=spec.asymmetric,
                                     method=spec.method, n_samples=spec.draws, output=output,
                                     uncertainty="refit" if refit else "mc",
                                     n_jobs=_n_jobs(cfg, spec, len(idx), len(graph.nodes)),
                                     random_state=cfg.random_state)
                ex.fit(X)
                decompose = spec.decompose and spec.value != "conditional" and ex.method_ != "kernel"
                explanations[label] = ex.explain(Xe, decompose=decompose)
                explainers[label] = ex
                timings[f"explain:{label}"] = round(time.perf_counter() - t0, 3)
                echo(f"[causalx]   {_explained_line(label, explanations[label], timings[f'explain:{label}'])}")

        dcfg = cfg.diagnostics
        diagnostics = None
        with step("diagnostics", "testing the graph against the data"):
            from causalx.diagnostics import diagnose

            try:
                diagnostics = diagnose(graph, X, alpha=dcfg.alpha, method=dcfg.method, correction=dcfg.correction,
                                       n_permutations=dcfg.n_permutations, discovery=dcfg.discovery,
                                       max_rows=dcfg.max_rows, random_state=cfg.random_state)
            except ImportError as exc:  # causal-learn missing: run without PC
                skipped.append(f"suggested edges skipped: {exc}")
                diagnostics = diagnose(graph, X, alpha=dcfg.alpha, method=dcfg.method, correction=dcfg.correction,
                                       n_permutations=dcfg.n_permutations, discovery=False,
                                       max_rows=dcfg.max_rows, random_state=cfg.random_state)

        disagreements: tuple = ()
        from causalx.diagnostics import attribution_disagreement

        picked: dict[str, Explanation] = {}
        for kind in ("marginal", "conditional", "causal"):
            lab = next((lab for lab, e in explanations.items() if e.provenance.get("value") == kind), None)
            if lab is not None:
                picked[lab] = explanations[lab]
        if len(picked) >= 2:
            disagreements = attribution_disagreement(picked, graph)

        boot, boot_label = None, None
        # one refit per resample, shared by the values' and the effects' bootstraps (same resamples)
        boot_refit = _shared_refit(model) if cfg.model.path is None else None
        if dcfg.n_boot >= 2:
            boot_label = next((lab for lab, e in explanations.items() if e.provenance.get("value") == "causal"),
                              next(iter(explanations)))
            with step("bootstrap", f"bootstrapping the {boot_label} values ({dcfg.n_boot} replicates)"):
                from causalx.explain import bootstrap_explanation

                nb = min(dcfg.bootstrap_rows, len(Xe))
                done = explanations[boot_label]
                # an exact explanation's rows do not depend on the other rows explained: its first nb
                # rows are the bootstrap's point estimate (no second explanation of them)
                point = done[:nb] if done.provenance.get("method") == "exact" else None
                boot = bootstrap_explanation(explainers[boot_label], X, Xe.iloc[:nb], n_boot=dcfg.n_boot,
                                             refit=boot_refit, y=y if boot_refit is not None else None,
                                             random_state=cfg.random_state, point=point,
                                             n_jobs=_replicate_threads(cfg, dcfg.n_boot), prefer="threads")

        dependence: dict[str, dict[str, Any]] = {}
        feats = dcfg.dependence_features
        if feats is None:
            ref = next((e for e in explanations.values() if e.provenance.get("value") == "causal"),
                       next(iter(explanations.values())))
            order = np.argsort(-ref.mean_abs())
            # PDP/ALE are per feature: with groups, the top players that are single nodes
            feats = [ref.feature_names[i] for i in order if ref.feature_names[i] in graph.nodes][: dcfg.n_dependence]
        for i, f in enumerate(feats):
            if f not in graph.nodes:
                raise ConfigError(
                    f"{cfg.source}, diagnostics.dependence_features[{i}]: {f!r} is not a node of the graph; "
                    f"accepted values: {list(graph.nodes)}.{suggest(f, graph.nodes)}",
                    source=cfg.source, location=f"diagnostics.dependence_features[{i}]")
        textual = [graph.nodes[j] for j in encoding.encoded if encoding.codebooks[j].kind != "bool"]
        if feats and textual:  # bool columns read as 0/1 there, text and categories do not
            skipped.append(f"PDP/ICE/ALE skipped: they need numeric or bool columns, and {', '.join(textual)} "
                           "hold text or categories")
            feats = []
        if feats:
            with step("dependence", f"PDP/ICE/ALE for {', '.join(feats)}"):
                from causalx.dependence import accumulated_local_effects, partial_dependence

                Xd = X.sample(min(len(X), 300), random_state=cfg.random_state)
                Xa = X if len(X) <= _ALE_MAX_ROWS else X.sample(_ALE_MAX_ROWS, random_state=cfg.random_state)
                for f in _progress(feats, desc="dependence"):
                    pdp = partial_dependence(model, Xd, f, graph=graph, grid_resolution=dcfg.grid_resolution,
                                             individual=True, output=output, random_state=cfg.random_state)
                    ale = accumulated_local_effects(model, Xa, f, feature_names=graph.nodes, output=output)
                    dependence[f] = {"pdp": pdp, "ale": ale}

        # each explanation reports, in its provenance, the constraint-violation and off-manifold
        # shares of a sample of the rows its value function evaluated the model on
        manifold: dict[str, Any] = {}
        if dcfg.manifold:
            manifold = {label: exp.provenance["manifold"] for label, exp in explanations.items()
                        if exp.provenance.get("manifold") is not None}

        effects = None
        causal_ex = sorted((ex for ex in explainers.values() if ex.value == "causal"),
                           key=lambda ex: bool(ex.asymmetric))
        categorical = [n for n, t in zip(graph.nodes, encoding.types) if t == "categorical"]
        if not causal_ex and categorical:  # the default Gaussian do() refuses categorical nodes
            skipped.append(f"signed effects skipped: the default Gaussian do() cannot model the categorical "
                           f"node(s) {', '.join(categorical)}; configure a causal explanation with sampler: "
                           "mechanism or vae")
        else:
            with step("effects", "signed interventional effects (q25 -> q75)"):
                if not causal_ex:  # no causal explanation configured: the graph's Gaussian do() still answers
                    causal_ex = [CausalExplainer(model, graph, value="causal", output=output,
                                                 random_state=cfg.random_state).fit(X)]
                if dcfg.n_boot >= 2:  # standard errors with the resampling error of the model and sampler
                    from causalx.explain import bootstrap_effects

                    # the same resamples as the values' bootstrap above (same random_state): its fitted models
                    effects = bootstrap_effects(causal_ex[0], X, n_boot=dcfg.n_boot, refit=boot_refit,
                                                y=y if boot_refit is not None else None, random_state=cfg.random_state,
                                                n_jobs=_replicate_threads(cfg, dcfg.n_boot), prefer="threads")
                else:
                    effects = causal_ex[0].effects()

        with step("hypotheses", "generating hypotheses"):
            hypotheses = generate_hypotheses(graph, explanations, effects=effects, diagnostics=diagnostics,
                                             bootstrap=boot,
                                             bootstrap_label=boot_label, manifold=manifold, target=cfg.target)
    timings["total"] = round(time.perf_counter() - t_start, 3)
    result = StudyResult(
        config=cfg, graph=graph, model_info=model_info, explanations=explanations, diagnostics=diagnostics,
        disagreements=disagreements, bootstrap=boot, bootstrap_label=boot_label, dependence=dependence,
        manifold=manifold, hypotheses=hypotheses,
        data_info={"path": str(cfg.data), "n_rows": int(len(frame)), "n_explained": int(len(idx)),
                   "explained_rows": [int(i) for i in idx], "columns": list(frame.columns), "target": cfg.target},
        timings=timings, warnings=tuple(skipped), model=model, effects=effects,
    )
    if out_dir is not None:
        from causalx.study._output import write_values

        write_values(out_dir, explanations)  # each path checked to stay inside out_dir
    return result
