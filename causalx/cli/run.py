"""``causalx run CONFIG --out DIR``: the main job, from a run config to a report."""

from __future__ import annotations

from pathlib import Path

import typer

from causalx.exceptions import CausalxError, ConfigError, GraphSpecError

__all__ = ["run"]

EXIT_OK, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 2, 130


def run(
    config: Path = typer.Argument(..., help="YAML run config (causalx: 1) naming data, target and graph."),
    out: Path = typer.Option(Path("report"), "--out", "-o", help="Folder for report.html, report.md, report.json."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress output."),
) -> None:
    """Fit (or load) the model, explain it, test the graph, and write a hypothesis report.

    Writes report.html (one self-contained file), report.md and report.json into --out, plus
    values_<label>.csv with every attribution and causalx-manifest.json listing them. --out is
    checked first; the files appear only when the whole run succeeded. The files of an earlier
    run in --out (those its manifest lists) are replaced; report files without a manifest are
    refused. Exit codes: 0 done; 2 bad input (config, graph, data, model file or --out);
    130 interrupted (nothing written).

    Example: causalx run case_studies/simulated_mediator/config.yaml --out report
    """
    from causalx.report import write_report
    from causalx.study import load_config, run_study
    from causalx.study._output import MANIFEST, StagedOutput

    stage = None
    written: list = []
    try:
        cfg = load_config(config)
        stage = StagedOutput(out)  # --out is checked before any computation
        with stage:
            result = run_study(cfg, out_dir=stage.path, progress=not quiet,
                               echo=None if not quiet else (lambda m: None))
            write_report(result, stage.path)
            written = stage.commit()
        names = {p.name: p for p in written}
        typer.echo(f"{len(result.hypotheses)} hypotheses; top {min(3, len(result.hypotheses))}:")
        for h in result.hypotheses[:3]:
            typer.echo(f"  {h.id} [{h.confidence}] {h.statement}")
        if stage.replaced:
            typer.echo(f"replaced the {len(stage.replaced)} file(s) of the earlier run in {out} "
                       f"(listed in its {MANIFEST})")
        typer.echo(f"wrote {names['report.html']}, {names['report.md']}, {names['report.json']} and "
                   f"{len(names) - 3} values_*.csv, listed in {out / MANIFEST} "
                   f"({result.timings.get('total', 0):.0f} s)")
    except KeyboardInterrupt:
        if written:
            message = f"interrupted after the report was written to {str(out)!r} (complete)"
        else:
            message = "interrupted; no report written" + (f"; {str(out)!r} left as it was" if stage is not None else "")
        typer.echo(f"\n{message}.", err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except (ConfigError, GraphSpecError, CausalxError, OSError) as exc:
        typer.echo(f"error: {_os_message(exc) if isinstance(exc, OSError) else exc}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None


def _os_message(exc: OSError) -> str:
    """A file-system error as one line (``FileNotFoundError`` messages of causalx pass through)."""
    if exc.filename is None or not exc.strerror:
        return str(exc)
    return f"{exc.strerror}: {exc.filename!r}"
