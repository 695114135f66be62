"""Size and power of the conditional-independence tests of ``causalx.diagnostics`` (alpha = 0.05).

Each workload draws (X, Y, Z) with |Z| in {0, 1, 2} and n in {300, 1000, 3000}; ``s`` is the sum
of the Z columns (0 when |Z| = 0) and e1, e2 are independent N(0, 1) unless said otherwise.

size (X ⊥ Y | Z holds; the rejection rate should be about 0.05):
  linear-gaussian   X = s + e1,                          Y = -0.8 s + e2
  quad-exp          X = sum_j Z_j^2 + e1,                Y = exp(s / 2) + e2       (two children)
  heteroscedastic   X = s + (0.5 + |s|) e1,              Y = s + (0.5 + |s|) e2
  laplace           X = s + L1,                          Y = 0.5 s + L2            (Laplace noise)
power (X and Y dependent given Z; higher is better):
  quad-exp+0.5X     X = sum_j Z_j^2 + e1,                Y = exp(s / 2) + 0.5 X + e2
  weak-linear       X = s + e1,                          Y = s + 0.1 X + e2
  zero-cov          X = sum_j Z_j^2 + e1,                Y = exp(s / 2) + 0.7 (e1^2 - 1) + e2
                    (dependence without conditional covariance: GCM and Fisher z are blind)

Candidates: fisherz, gcm (the new default), regression (spline residuals + HSIC, at most 1000
rows), kci and rcit (causal-learn). KCI is cubic in n: it runs on n = 300 only (the library caps
it with ``max_n``; above the cap it sees a 300-row subsample, so larger n would repeat the row).

Usage: ``python benchmarks/ci_tests.py [--reps-scale 1.0] [--jobs 2]`` writes
``docs/ci_tests.md`` (tables) and ``benchmarks/results/ci_tests.json`` (raw rates).
"""

from __future__ import annotations

import os

for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")  # one BLAS thread per worker: the tests are small solves

import argparse
import json
import sys
import time
from multiprocessing import Pool
from pathlib import Path

import numpy as np

ALPHA = 0.05
NS = (300, 1000, 3000)
KS = (0, 1, 2)
SIZE = ("linear-gaussian", "quad-exp", "heteroscedastic", "laplace")
POWER = ("quad-exp+0.5X", "weak-linear", "zero-cov")
#: replications per cell and the sample sizes each candidate runs on
REPS = {"fisherz": 500, "gcm": 500, "regression": 60, "rcit": 40, "kci": 40}
N_OF = {"kci": (300,)}
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's causalx, not an installed one


def simulate(kind: str, n: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """Columns [X, Y, Z_1..Z_k] of one workload."""
    Z = rng.normal(size=(n, k))
    s = Z.sum(1)
    sq = (Z**2).sum(1)
    e1, e2 = rng.normal(size=n), rng.normal(size=n)
    if kind == "linear-gaussian":
        X, Y = s + e1, -0.8 * s + e2
    elif kind == "quad-exp":
        X, Y = sq + e1, np.exp(s / 2) + e2
    elif kind == "heteroscedastic":
        sd = 0.5 + np.abs(s)
        X, Y = s + sd * e1, s + sd * e2
    elif kind == "laplace":
        X, Y = s + rng.laplace(size=n), 0.5 * s + rng.laplace(size=n)
    elif kind == "quad-exp+0.5X":
        X = sq + e1
        Y = np.exp(s / 2) + 0.5 * X + e2
    elif kind == "weak-linear":
        X = s + e1
        Y = s + 0.1 * X + e2
    elif kind == "zero-cov":
        X = sq + e1
        Y = np.exp(s / 2) + 0.7 * (e1**2 - 1) + e2
    else:
        raise ValueError(kind)
    return np.column_stack([X, Y, Z])


def _p_value(method: str, D: np.ndarray, k: int, rng: np.random.Generator) -> float:
    given = list(range(2, 2 + k))
    if method == "rcit":
        from causallearn.utils.cit import CIT

        Ds = (D - D.mean(0)) / D.std(0)
        return float(CIT(Ds, "rcit")(0, 1, given))
    from causalx.diagnostics._citests import ci_test

    max_n = 300 if method == "kci" else 1000
    return ci_test(D, 0, 1, given, method=method, max_n=max_n, rng=rng)[1]


def run_cell(args):
    method, kind, n, k, reps, seed = args
    rng = np.random.default_rng([seed, n, k, (SIZE + POWER).index(kind)])
    rej, secs = 0, 0.0
    for _ in range(reps):
        D = simulate(kind, n, k, rng)
        t0 = time.perf_counter()
        p = _p_value(method, D, k, rng)
        secs += time.perf_counter() - t0
        rej += p <= ALPHA
    return {"method": method, "workload": kind, "n": n, "k": k, "reps": reps,
            "rate": rej / reps, "ms_per_test": 1e3 * secs / reps}


CHOICE = [
    "**Default.** `method=\"auto\"` uses `gcm` for continuous variables (`gsq` when x, y and the",
    "conditioning set are all discrete). Of the candidates it is the one that holds its level on every",
    "size workload (nonlinear two-children, heteroscedastic, Laplace), has the power of Fisher z on",
    "the dependence alternatives with nonzero conditional covariance, and costs about 10 ms per test",
    "at every n. Fisher z misreads the nonlinear two-children case and heteroscedastic noise as",
    "violations; `regression` (residual HSIC) rejects heteroscedastic independence; `kci` and `rcit`",
    "are slower and, at the replications affordable here, not clearly calibrated. GCM's blind spot is",
    "dependence with zero conditional covariance (`zero-cov`): use `kci` (or `regression` when the",
    "noise is homoscedastic) when that kind of violation matters. `fisherz` stays the fast option.",
    "",
]


def _fmt(cell: dict | None) -> str:
    return "—" if cell is None else f"{cell['rate']:.3f}"


def render(rows: list[dict], methods: list[str], wall: float) -> str:
    by = {(r["method"], r["workload"], r["n"], r["k"]): r for r in rows}
    reps = {m: next(r["reps"] for r in rows if r["method"] == m) for m in methods}
    out = [
        "# Conditional-independence tests: size and power",
        "",
        "Generated by `python benchmarks/ci_tests.py` (do not edit by hand). Rejection rates at",
        f"alpha = {ALPHA} of `x ⊥ y | Z` for |Z| in {{0, 1, 2}} and n in {{300, 1000, 3000}}; "
        "the workloads are defined in the script's docstring.",
        "",
        "Replications per cell: " + ", ".join(f"{m} {reps[m]}" for m in methods)
        + ". Monte Carlo standard error of a rate near 0.05: "
        + ", ".join(f"{m} {np.sqrt(0.05 * 0.95 / reps[m]):.3f}" for m in methods) + ".",
        "`kci` (causal-learn, cubic in n) runs on n = 300 only; `regression` subsamples to 1000 rows "
        "(its HSIC is quadratic in n); `gcm` and `fisherz` use every row.",
        "",
    ] + CHOICE + [
        "## Size (the independence holds: about 0.05 is right, clearly more is a false alarm)",
        "",
    ]

    def table(kinds):
        head = "| workload | \\|Z\\| | n | " + " | ".join(methods) + " |"
        lines = [head, "|" + "---|" * (3 + len(methods))]
        for kind in kinds:
            for k in KS:
                for n in NS:
                    cells = [_fmt(by.get((m, kind, n, k))) for m in methods]
                    lines.append(f"| {kind} | {k} | {n} | " + " | ".join(cells) + " |")
        return lines

    out += table(SIZE)
    out += ["", "## Power (X and Y are dependent given Z: higher is better)", ""]
    out += table(POWER)
    out += ["", "## Time per test (ms, mean over all workloads and |Z|, one BLAS thread)", ""]
    out += ["| n | " + " | ".join(methods) + " |", "|" + "---|" * (1 + len(methods))]
    for n in NS:
        cells = []
        for m in methods:
            ms = [r["ms_per_test"] for r in rows if r["method"] == m and r["n"] == n]
            cells.append(f"{np.mean(ms):.1f}" if ms else "—")
        out.append(f"| {n} | " + " | ".join(cells) + " |")
    worst = {}
    for m in methods:
        rates = [r["rate"] for r in rows if r["method"] == m and r["workload"] in SIZE]
        worst[m] = max(rates)
    out += ["", "Worst size over all size cells: " + ", ".join(f"{m} {worst[m]:.3f}" for m in methods) + ".",
            "", f"Total benchmark wall time: {wall / 60:.1f} min.", ""]
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps-scale", type=float, default=1.0, help="multiply every replication count")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--methods", default=",".join(REPS))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(ROOT / "docs" / "ci_tests.md"))
    a = ap.parse_args()
    methods = a.methods.split(",")
    tasks = [(m, kind, n, k, max(5, int(REPS[m] * a.reps_scale)), a.seed)
             for m in methods for kind in SIZE + POWER for k in KS for n in N_OF.get(m, NS)]
    cost = {"kci": 300.0, "rcit": 100.0, "regression": 10.0}
    tasks.sort(key=lambda t: -cost.get(t[0], 1.0) * t[4] * t[2])  # the longest cells first
    t0 = time.perf_counter()
    with Pool(a.jobs) as pool:
        rows = []
        for i, r in enumerate(pool.imap_unordered(run_cell, tasks), 1):
            rows.append(r)
            print(f"[{i}/{len(tasks)}] {r['method']:10s} {r['workload']:16s} k={r['k']} n={r['n']:5d} "
                  f"rate={r['rate']:.3f} {r['ms_per_test']:.1f} ms", flush=True)
    wall = time.perf_counter() - t0
    res_dir = ROOT / "benchmarks" / "results"
    res_dir.mkdir(exist_ok=True)
    (res_dir / "ci_tests.json").write_text(json.dumps(sorted(rows, key=lambda r: (r["method"], r["workload"], r["k"], r["n"])), indent=1))
    Path(a.out).write_text(render(rows, methods, wall))
    print(f"wrote {a.out} ({wall / 60:.1f} min)")


if __name__ == "__main__":
    main()
