"""Issue 17, point 4: ``causalx run`` on 200,000 rows x 10 features with the default config.

A nonlinear SCM over 10 descriptors (11 edges), the built-in HistGradientBoosting model and the
default explanations, diagnostics and report; prints the step times, the graph verdict and the
hypotheses (to check that the report says the same with and without the subsampling).

    PYTHONPATH=. python benchmarks/bench_large_data.py [--rows 200000] [--max-rows 10000] [--cli]

``--max-rows 0`` tests every row (the graph tests are then the slow step: > 20 minutes).
``--cli`` also times the named workload itself, the ``causalx run config.yaml`` command (a fresh
process that also writes the report), on the same files.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

GRAPH = """causalx: 1
name: large10
target: y
nodes: [x0, x1, x2, x3, x4, x5, x6, x7, x8, x9]
edges: [x0 -> x2, x1 -> x3, x0 -> x3, x2 -> x4, x3 -> x5, x4 -> x5, x6 -> x7, x5 -> x7, x7 -> x8, x8 -> x9, x2 -> x9]
"""


def simulate(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    X = np.empty((n, 10))
    e = rng.normal(size=(n, 11))
    X[:, 0] = e[:, 0]
    X[:, 1] = e[:, 1]
    X[:, 2] = 0.8 * X[:, 0] + 0.5 * e[:, 2]
    X[:, 3] = 0.6 * X[:, 1] - 0.4 * X[:, 0] + 0.6 * e[:, 3]
    X[:, 4] = np.tanh(X[:, 2]) + 0.5 * e[:, 4]
    X[:, 5] = 0.5 * X[:, 3] + 0.5 * X[:, 4] + 0.5 * e[:, 5]
    X[:, 6] = e[:, 6]
    X[:, 7] = 0.7 * X[:, 6] + 0.5 * X[:, 5] + 0.5 * e[:, 7]
    X[:, 8] = 0.5 * X[:, 7] + 0.7 * e[:, 8]
    X[:, 9] = 0.3 * X[:, 8] + 0.4 * X[:, 2] + 0.8 * e[:, 9]
    y = X[:, 0] + np.sin(X[:, 2]) + 0.5 * X[:, 4] * X[:, 5] + 0.8 * X[:, 7] - 0.5 * X[:, 9] + 0.3 * e[:, 10]
    df = pd.DataFrame(X, columns=[f"x{i}" for i in range(10)])
    df["y"] = y
    return df


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--max-rows", type=int, default=None, help="diagnostics.max_rows (default: the config default)")
    ap.add_argument("--cli", action="store_true", help="also time the `causalx run` command on the same files")
    args = ap.parse_args()
    from causalx.study import loads_config, run_study

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        simulate(args.rows).to_csv(tmp / "data.csv", index=False)
        (tmp / "graph.yaml").write_text(GRAPH)
        text = "causalx: 1\ndata: data.csv\ntarget: y\ngraph: graph.yaml\n"
        if args.max_rows is not None:
            text += f"diagnostics: {{max_rows: {'null' if args.max_rows == 0 else args.max_rows}}}\n"
        (tmp / "config.yaml").write_text(text)
        t0 = time.perf_counter()
        r = run_study(loads_config(text, base_dir=tmp), progress=False,
                      echo=lambda m: print(f"{time.perf_counter() - t0:7.1f} s  {m}", flush=True))
        if args.cli:
            exe = shutil.which("causalx")
            if exe is None:
                raise SystemExit("--cli needs the causalx command on PATH (pip install -e .)")
            t1 = time.perf_counter()
            subprocess.run([exe, "run", str(tmp / "config.yaml"), "--out", str(tmp / "report"), "-q"], check=True)
            print(f"causalx run (a fresh process; report written): {time.perf_counter() - t1:.1f} s wall", flush=True)
    print(json.dumps(r.timings, indent=1))
    d = r.diagnostics
    print(f"graph falsified: {d.falsified} ({sum(t.rejected for t in d.falsification.tests)} of "
          f"{len(d.falsification.tests)} rejected; {d.n_rows_tested} of {d.n_rows} rows tested)")
    for h in r.hypotheses:
        print(f"  [{h.confidence}] {h.kind}: {h.statement[:100]}")


if __name__ == "__main__":
    main()
