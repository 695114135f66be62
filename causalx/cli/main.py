"""``causalx`` command-line interface.

Exit codes: 0 success; 1 the data contradicts the graph (with ``--fail-on-violation``);
2 bad input (graph-spec errors (GraphSpecError), run-config errors (ConfigError), unreadable
files, bad options, an unusable --out); 130 interrupted (Ctrl-C; ``causalx run`` writes nothing).
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from causalx.exceptions import CausalxError, GraphSpecError

app = typer.Typer(
    name="causalx",
    help=(
        "Explain ML models of materials and molecules with your causal knowledge built in.\n\n"
        "Examples:\n\n"
        "  causalx validate graphs/lg_chain.yaml   (or a packaged example by name: causalx validate lg_chain)\n\n"
        "  causalx demo --rows 50\n\n"
        "  causalx check --graph graphs/lg_chain.yaml --data data.csv\n\n"
        "  causalx run case_studies/solar_cell/config.yaml --out report\n\n"
        "  causalx explain --graph G.yaml --data D.csv --target y --value causal --out values.csv\n\n"
        "Exit codes: 0 ok; 1 the data contradict the graph (with --fail-on-violation); "
        "2 bad input (spec, config, data or option errors)."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

EXIT_OK, EXIT_VIOLATION, EXIT_BAD_INPUT = 0, 1, 2


def _fail(message: str, code: int = EXIT_BAD_INPUT) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _print_version(value: bool) -> None:
    if value:
        from causalx._version import __version__

        typer.echo(f"causalx {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_print_version, is_eager=True, help="Print the causalx version and exit."
    ),
) -> None:
    """Explain ML models of materials and molecules with your causal knowledge built in."""


def _spec_file(spec: Path) -> Path:
    """``spec`` itself when it exists, else the packaged example spec of that name (``lg_chain``)."""
    if spec.exists() or spec.parent != Path(".") or spec.suffix not in ("", ".yaml"):
        return spec
    from causalx.datasets import graph_path, list_graphs

    if spec.stem in list_graphs():
        return graph_path(spec.stem)
    if spec.suffix == "":  # a bare name: say which names exist rather than "not a YAML file"
        import difflib

        close = difflib.get_close_matches(spec.stem, list_graphs(), n=1)
        _fail(
            f"no file {str(spec)!r} and no packaged example spec of that name; packaged: "
            f"{', '.join(list_graphs())}." + (f" Did you mean {close[0]!r}?" if close else "")
        )
    return spec


@app.command()
def validate(
    spec: Path = typer.Argument(
        ..., help="Path of a YAML graph spec (causalx: 1), or the name of a packaged example (lg_chain)."
    ),
) -> None:
    """Check a YAML graph spec; exit 0 when valid, 2 with the error's file and location.

    SPEC is a file, or the name of an example shipped with causalx when no such file exists
    (bandgap, lg_chain, solar_cell, ...: causalx.datasets.list_graphs()).

    Example: causalx validate graphs/lg_chain.yaml
    """
    from causalx.graph import load_graph

    spec = _spec_file(spec)
    try:
        graph = load_graph(spec)
    except FileNotFoundError as exc:
        from causalx.datasets import list_graphs

        _fail(f"{exc} (packaged example specs, usable by name: {', '.join(list_graphs())})")
    except (GraphSpecError, CausalxError, OSError) as exc:
        _fail(str(exc))
    comps = graph.components()
    n_conf = sum(c.confounded for c in comps)
    typer.echo(
        f"{spec}: valid causal graph '{graph.name or spec.stem}' with {len(graph.nodes)} nodes, "
        f"{len(graph.edges)} edges, {len(graph.confounded)} confounded pair(s), "
        f"{len(comps)} chain components ({n_conf} confounded), {len(graph.constraints)} constraint(s)"
        + (f", {len(graph.groups)} group(s) of features ({len(graph.players)} players)." if graph.groups else ".")
    )


@app.command()
def demo(
    rows: int = typer.Option(20, "--rows", min=1, help="Number of rows to explain."),
    n_samples: int = typer.Option(500, "--n-samples", min=10, help="Monte Carlo draws per coalition."),
    seed: int = typer.Option(0, "--seed", min=0, help="Random seed."),
) -> None:
    """Explain a gradient-boosted model on the built-in five-node example (the lg_chain graph of the README).

    Fits a HistGradientBoosting model on simulated data with a hidden confounder of X1 and X4,
    then prints the mean |attribution| ± standard error per feature for marginal (plain SHAP),
    conditional, causal and asymmetric causal Shapley values side by side.

    Example: causalx demo --rows 50
    """
    from causalx.cli._demo import run_demo

    try:
        table = run_demo(rows=rows, n_samples=n_samples, seed=seed, echo=typer.echo)
    except CausalxError as exc:
        _fail(str(exc))
    typer.echo(table)


from causalx.cli.check import check  # noqa: E402

app.command()(check)

from causalx.cli.explain_cmd import explain  # noqa: E402
from causalx.cli.run import run  # noqa: E402

app.command()(run)
app.command()(explain)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``causalx`` console script."""
    try:
        app(args=argv, prog_name="causalx", standalone_mode=True)
    except SystemExit as exc:  # typer/click exit
        return int(exc.code or 0)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
