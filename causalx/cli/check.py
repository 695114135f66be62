"""``causalx check``: does the data contradict the graph? Falsification + confounding + PC."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from causalx._options import CI_METHODS
from causalx.exceptions import CausalxError

__all__ = ["check"]

EXIT_OK, EXIT_VIOLATION, EXIT_BAD_INPUT = 0, 1, 2
_FORMATS = ("text", "json")
_METHODS = CI_METHODS


def _fail(message: str, code: int = EXIT_BAD_INPUT) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
    return "\n".join(out)


def _render_text(res, graph_name: str) -> str:
    f = res.falsification
    parts = [f"causalx check: graph '{graph_name}', {f.n_samples} rows", "", str(f), ""]
    if f.tests:
        rows = [[str(t), f"{t.partial_correlation:+.3f}", f"{t.p_value:.3g}", f"{t.p_adjusted:.3g}",
                 "REJECTED" if t.rejected else "ok", t.method] for t in f.tests]
        parts += ["Implied independencies", _table(["implication", "partial r", "p", "p adj", "verdict", "test"], rows), ""]
    else:
        parts += ["The graph implies no testable independence (it is complete); nothing to falsify.", ""]
    if res.suspected_confounding:
        rows = [[f"{s.pair[0]} - {s.pair[1]}", ", ".join(s.given) or "-", f"{s.strength:+.3f}", f"{s.p_value:.3g}", s.suggestion]
                for s in res.suspected_confounding]
        parts += ["Suspected confounding (hypotheses)", _table(["pair", "given", "partial r", "p adj", "suggestion"], rows), ""]
    else:
        parts += ["Suspected confounding: none at this alpha.", ""]
    if res.suggested_edges:
        rows = [[s.kind, f"{s.a} {s.orientation} {s.b}", s.evidence] for s in res.suggested_edges]
        parts += ["Suggested edges from PC (hypotheses, not applied)", _table(["kind", "edge", "evidence"], rows), ""]
    else:
        parts += ["Suggested edges from PC: none.", ""]
    high = res.variance_inflation.flagged()
    if high:
        parts.append(f"High variance inflation (VIF > 10): {', '.join(high)}.")
    return "\n".join(parts).rstrip() + "\n"


def check(
    graph: Path = typer.Option(..., "--graph", "-g", help="YAML graph spec (causalx: 1)."),
    data: Path = typer.Option(..., "--data", "-d", help="CSV file whose columns include every graph node."),
    alpha: float = typer.Option(0.01, "--alpha", help="Level of the tests after multiple-testing correction."),
    output_format: str = typer.Option("text", "--format", help="Output format: text or json."),
    method: str = typer.Option("auto", "--method", help=f"CI test: {', '.join(CI_METHODS)}. auto: gsq when all variables are "
                                "discrete, else gcm (generalised covariance measure on spline residuals, robust to "
                                "nonlinearity); fisherz is the fast linear-Gaussian test."),
    correction: str = typer.Option("holm", "--correction", help="Multiple testing: holm, bh, bonferroni, none."),
    n_permutations: int = typer.Option(50, "--n-permutations", min=0, help="Random relabelled graphs of the baseline."),
    discovery: bool = typer.Option(True, "--discovery/--no-discovery", help="Run PC for suggested edges."),
    fail_on_violation: bool = typer.Option(False, "--fail-on-violation", help="Exit 1 when the data contradict the graph."),
    seed: int = typer.Option(0, "--seed", min=0, help="Random seed."),
) -> None:
    """Test the graph against the data: implied independencies, suspected confounding, PC edges.

    Exit codes: 0 it ran; 1 the data contradict the graph (only with --fail-on-violation);
    2 bad input (spec error, missing file or column, bad option).

    Example: causalx check --graph graphs/lg_chain.yaml --data data.csv --alpha 0.01 --format json
    """
    import pandas as pd

    from causalx.diagnostics import diagnose
    from causalx.explain._data import to_feature_codes
    from causalx.graph import load_graph
    from causalx.utils import suggest

    if output_format not in _FORMATS:
        _fail(f"--format {output_format!r} is not supported; use one of {', '.join(_FORMATS)}.{suggest(output_format, _FORMATS)}")
    if method not in _METHODS:
        _fail(f"--method {method!r} is not supported; use one of {', '.join(_METHODS)}.{suggest(method, _METHODS)}")
    if not 0 < alpha < 1:
        _fail(f"--alpha {alpha} must lie strictly between 0 and 1, e.g. --alpha 0.01.")
    try:
        g = load_graph(graph)
    except (CausalxError, FileNotFoundError, IsADirectoryError, OSError) as exc:
        _fail(str(exc))
    try:
        frame = pd.read_csv(data)
    except FileNotFoundError:
        _fail(f"data file {str(data)!r} does not exist; pass the path of a CSV file with --data.")
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        _fail(f"could not read {str(data)!r} as CSV: {exc}")
    frame.columns = [str(c) for c in frame.columns]
    extra = [c for c in frame.columns if c not in g.nodes and c != g.target]
    try:
        to_feature_codes(frame.drop(columns=extra), g, what=str(data), min_rows=10)  # text columns are coded
    except CausalxError as exc:
        _fail(str(exc))
    try:
        res = diagnose(g, frame, alpha=alpha, method=method, correction=correction,
                       n_permutations=n_permutations, discovery=discovery, random_state=seed)
    except (CausalxError, ValueError) as exc:
        _fail(str(exc))
    if output_format == "json":
        payload = res.to_dict()
        payload = {"graph": g.name or graph.stem, "data": str(data), **payload}
        if extra:
            payload["ignored_columns"] = extra
        typer.echo(json.dumps(payload, indent=2))
    else:
        text = _render_text(res, g.name or graph.stem)
        if extra:
            text += f"Ignored column(s) not in the graph: {', '.join(extra)}.\n"
        typer.echo(text, nl=False)
    if fail_on_violation and res.falsified:
        raise typer.Exit(EXIT_VIOLATION)
