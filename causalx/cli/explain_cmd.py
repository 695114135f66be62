"""``causalx explain``: Shapley values and their standard errors as a CSV file."""

from __future__ import annotations

from pathlib import Path

import typer

from causalx._options import METHODS, SAMPLERS, VALUES
from causalx.exceptions import CausalxError, ConfigError

__all__ = ["explain"]

EXIT_BAD_INPUT = 2
_VALUES, _SAMPLERS, _METHODS = VALUES, SAMPLERS, METHODS


def _one_of(values: tuple[str, ...]) -> str:
    return f"{', '.join(values[:-1])} or {values[-1]}"


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(EXIT_BAD_INPUT)


def explain(
    graph: Path = typer.Option(..., "--graph", "-g", help="YAML graph spec (causalx: 1)."),
    data: Path = typer.Option(..., "--data", "-d", help="CSV file with the graph's nodes and the target."),
    target: str = typer.Option(..., "--target", "-t", help="Column the model predicts."),
    value: str = typer.Option("causal", "--value", help=f"{_one_of(VALUES)}."),
    sampler: str = typer.Option("gaussian", "--sampler", help=f"{_one_of(SAMPLERS)}."),
    asymmetric: bool = typer.Option(False, "--asymmetric/--symmetric", help="Only orderings consistent with the graph."),
    method: str = typer.Option("auto", "--method", help=f"{_one_of(METHODS)}."),
    n_samples: int = typer.Option(200, "--n-samples", min=1, help="Monte Carlo draws per coalition."),
    rows: int = typer.Option(50, "--rows", min=1, help="Explain a seeded sample of this many rows."),
    model: Path | None = typer.Option(None, "--model", help="A saved model (joblib); default: fit HistGradientBoosting."),
    trust: bool = typer.Option(False, "--trust", help="Allow loading --model (pickles execute code)."),
    out: Path = typer.Option(Path("values.csv"), "--out", "-o", help="CSV file to write."),
    seed: int = typer.Option(0, "--seed", min=0, help="Random seed."),
) -> None:
    """Explain a model's predictions; write the values and standard errors as CSV.

    One row per explained data row: row (its index in the data), output, base_value, then
    <feature> and <feature>_stderr for every feature. Exit codes: 0 done; 2 bad input.

    Example: causalx explain --graph graphs/simulated_mediator.yaml --data case_studies/simulated_mediator/data.csv --target conductivity --value causal --out values.csv
    """
    from causalx.study import RunConfig, run_study
    from causalx.utils import suggest

    for name, got, allowed in (("--value", value, _VALUES), ("--sampler", sampler, _SAMPLERS), ("--method", method, _METHODS)):
        if got not in allowed:
            _fail(f"{name} {got!r} is not accepted; use one of {', '.join(allowed)}.{suggest(got, allowed)}")
    if trust and model is None:
        _fail("--trust only applies to --model PATH.")
    if out.is_dir():
        _fail(f"--out {str(out)!r} is a folder; name the CSV file to write, e.g. --out {str(out / 'values.csv')!r}.")
    if out.parent.exists() and not out.parent.is_dir():
        _fail(f"--out {str(out)!r}: {str(out.parent)!r} is a file, not a folder.")
    try:
        cfg = RunConfig.model_validate({
            "causalx": 1, "data": str(data.resolve()), "target": target, "graph": str(graph.resolve()),
            "model": {"path": str(model.resolve()), "trust": trust} if model is not None else {},
            "explanations": [{"value": value, "sampler": sampler, "asymmetric": asymmetric, "method": method,
                              "n_samples": n_samples}],
            "rows": rows, "random_state": seed, "source": "causalx explain",
            "diagnostics": {"n_boot": 0, "n_dependence": 0, "manifold": False, "discovery": False,
                            "n_permutations": 0},
        })
        result = run_study(cfg, progress=False)
    except (ConfigError, CausalxError, OSError, ValueError) as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        typer.echo("\ninterrupted; nothing written.", err=True)
        raise typer.Exit(130) from None
    import pandas as pd

    exp = next(iter(result.explanations.values()))
    frame = pd.DataFrame({"row": result.data_info["explained_rows"], "output": exp.output,
                          "base_value": exp.base_values})
    for j, f in enumerate(exp.feature_names):
        frame[f] = exp.values[:, j]
        frame[f"{f}_stderr"] = exp.stderr[:, j]
    from causalx.study._output import atomic_write_text

    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(out, frame.to_csv(index=False))  # complete or not at all
    except OSError as exc:
        _fail(f"could not write {str(out)!r}: {exc.strerror or exc}.")
    typer.echo(f"wrote {out}: {len(frame)} rows × {len(exp.feature_names)} features ({value} values"
               f"{', asymmetric' if asymmetric else ''}), model {result.model_info['name']}.")
