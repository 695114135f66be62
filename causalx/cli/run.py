"""``causalx run CONFIG --out DIR``: the main job, from a run config to a report."""

from __future__ import annotations

from pathlib import Path

import typer

from causalx.exceptions import CausalxError, ConfigError, GraphSpecError

__all__ = ["run"]

EXIT_OK, EXIT_BAD_INPUT = 0, 2


def run(
    config: Path = typer.Argument(..., help="YAML run config (causalx: 1) naming data, target and graph."),
    out: Path = typer.Option(Path("report"), "--out", "-o", help="Folder for report.html, report.md, report.json."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress output."),
) -> None:
    """Fit (or load) the model, explain it, test the graph, and write a hypothesis report.

    Writes report.html (one self-contained file), report.md and report.json into --out, plus
    values_<label>.csv with every attribution. Exit codes: 0 done; 2 bad input (config, graph,
    data or model file).

    Example: causalx run case_studies/simulated_mediator/config.yaml --out report
    """
    from causalx.report import write_report
    from causalx.study import run_study

    try:
        result = run_study(config, out_dir=out, progress=not quiet,
                           echo=None if not quiet else (lambda m: None))
        paths = write_report(result, out)
    except (ConfigError, GraphSpecError, CausalxError, FileNotFoundError, IsADirectoryError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    typer.echo(f"{len(result.hypotheses)} hypotheses; top {min(3, len(result.hypotheses))}:")
    for h in result.hypotheses[:3]:
        typer.echo(f"  {h.id} [{h.confidence}] {h.statement}")
    typer.echo(f"wrote {paths['html']}, {paths['md']}, {paths['json']} ({result.timings.get('total', 0):.0f} s)")
