"""Sampling estimators at large d: model rows needed to reach max |error| <= 2 % of max |φ|.

Issue 17 (points 2, 3): one marginal game per d — a scikit-learn GradientBoostingRegressor
(100 trees of depth 4) fitted on 1,000 rows of correlated descriptors (Gaussian, Toeplitz
correlation 0.5^|i−j|; target linear + pairwise + one three-way interaction + non-linear
terms), 40 background rows, 5 explained rows — and the same game for every method: v(S) =
mean over the 40 background rows of f(x_S, b_S̄). Exact values from causalx's tree path
(``algorithm="tree"``, same background rows).

Methods (each explains one row at a time; ``rows`` = model rows the method evaluated for it):

* causalx default (``method="auto"`` → ``"adjusted"`` at these d: regression-adjusted Monte
  Carlo, an order-≤4 kernel surrogate with exact Shapley values plus paired KernelSHAP on the
  residual), fixed budget ``max_evals = b`` coalitions and ``tol=1e-9`` (the whole budget is used);
* causalx ``method="regression"`` (paired KernelSHAP with exact border sizes; the previous
  default) and ``method="permutation"`` (antithetic), ``max_evals = b``;
* shap 0.51 ``PermutationExplainer`` (``max_evals = b``) and ``KernelExplainer``
  (``nsamples = b``, ``l1_reg=False``: no feature selection) with an ``Independent`` masker of
  the same 40 rows;
* shapiq ``KernelSHAP`` (``pairing_trick=True``), ``SVARM``, ``StratifiedSamplingSV`` and
  ``PermutationSamplingSV`` with ``budget = b`` on the identical game callable.

Budget ladder: ``b`` = 2d+2 · √2^k, until the row's max |error| ≤ 2 % of the row's max |φ|
(then the ladder stops for that row and seed) or the cap (d ≤ 64: 2^15 coalitions; d = 128:
2^14; SVARM and StratifiedSamplingSV, far from the target at d = 32 already: 2^12), 5 rows
× 2 seeds at d ≤ 32, 5 rows × 1 seed at d = 64, 3 rows × 1 seed at d = 128 — to keep the whole
run near 20 min on one core. Reported:
the median over rows × seeds of the model rows at the first budget that reached the target
(a row that never reached it counts as "> cap" and the median is reported as a lower bound
when more than half did not).

Also measured: the default estimator's standard-error calibration on the d = 32 game
(coverage of ±1.96 se intervals over all entries, rows and seeds at a few budgets) and the
share of entries with stderr == 0 but error > 0.

shapiq is a benchmark-only dependency; run this script with an interpreter that has it, e.g.

    python -m venv /work/venv-shapiq --system-site-packages && /work/venv-shapiq/bin/pip install shapiq
    OMP_NUM_THREADS=1 PYTHONPATH=. /work/venv-shapiq/bin/python benchmarks/bench_large_d.py

Options: ``--dims 16,32,64,128``, ``--seeds 2``, ``--quick`` (d = 16, 32; one seed; 2 rows),
``--methods causalx`` (a subset by name), ``--reuse-peers OLD.json`` (copy the peers' cells from an
earlier run of the same games instead of rerunning them; each reused cell is marked
``"reused_from"`` in the json and the table says so), ``--sample 8x2`` (rows × seeds at every d,
a wider sample than the default's, to see the spread of the medians; no calibration; use with
``--out``), ``--game-seed K`` (another draw of the data, the model and the background rows;
0, the default, is the reference game).
Writes ``benchmarks/results/large_d.json`` and prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
from _common import Counted

N_BG = 40
TARGET = 0.02


def make_case(d: int, seed: int = 0):
    from sklearn.ensemble import GradientBoostingRegressor

    rng = np.random.default_rng(1000 + d + seed)
    cov = 0.5 ** np.abs(np.subtract.outer(np.arange(d), np.arange(d)))
    # Cholesky, not numpy's default SVD: singular vectors are unique only up to sign, which
    # LAPACK builds may choose differently (the SVD draw gave other results on another machine)
    X = rng.multivariate_normal(np.zeros(d), cov, size=1200, method="cholesky")
    w = rng.normal(size=d)
    y = (X @ w + X[:, 0] * X[:, 1] + np.sin(2 * X[:, 2]) + 0.5 * X[:, 3] ** 2 + X[:, 4] * X[:, 5] * X[:, 6]
         + 0.1 * rng.normal(size=len(X)))
    model = GradientBoostingRegressor(n_estimators=100, max_depth=4, random_state=0).fit(X[:1000], y[:1000])
    return model, X[1000 : 1000 + N_BG], X[1100:1110]


def graph_of(d):
    import causalx as cx

    return cx.CausalGraph(nodes=[f"X{i}" for i in range(d)], edges=[])


def exact_values(model, bg, rows):
    import causalx as cx

    ex = cx.CausalExplainer(model, graph_of(bg.shape[1]), value="marginal", algorithm="tree",
                            n_samples=len(bg), random_state=0).fit(bg)
    return ex.explain(rows).values


class RowGame:
    """v(S) = mean_b f(x_S, b_S̄) for one explained row: the shapiq game callable."""

    def __init__(self, model, bg, x):
        self.f, self.bg, self.x = Counted(model), bg, x

    def __call__(self, coalitions):
        c = np.atleast_2d(np.asarray(coalitions, dtype=bool))
        rows = np.where(c[:, None, :], self.x[None, None, :], self.bg[None, :, :])
        return self.f(rows.reshape(-1, len(self.x))).reshape(len(c), len(self.bg)).mean(axis=1)


# ------------------------------------------------------------------------------- methods
def run_causalx(method, n_replicates=16):
    def run(model, bg, x, budget, seed):
        import causalx as cx

        f = Counted(model)
        ex = cx.CausalExplainer(f, graph_of(bg.shape[1]), value="marginal", algorithm="blackbox", method=method,
                                n_samples=len(bg), max_evals=int(budget), tol=1e-9, random_state=seed,
                                n_replicates=n_replicates).fit(bg)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            e = ex.explain(x[None, :])
        return e.values[0], f.rows, e.stderr[0], e.provenance.get("method")

    return run


def run_shap_permutation(model, bg, x, budget, seed):
    import shap

    f = Counted(model)
    masker = shap.maskers.Independent(bg, max_samples=len(bg))
    out = shap.explainers.PermutationExplainer(f, masker, seed=seed)(x[None, :], max_evals=int(budget), silent=True)
    return out.values[0], f.rows, None, None


def run_shap_kernel(model, bg, x, budget, seed):
    import shap

    f = Counted(model)
    np.random.seed(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        vals = shap.KernelExplainer(f, bg).shap_values(x[None, :], nsamples=int(budget), l1_reg=False, silent=True)
    return np.asarray(vals)[0], f.rows, None, None


def run_shapiq(name):
    def run(model, bg, x, budget, seed):
        from shapiq.approximator import SVARM, KernelSHAP, PermutationSamplingSV, StratifiedSamplingSV

        d = len(x)
        cls = dict(kernel=KernelSHAP, svarm=SVARM, stratified=StratifiedSamplingSV, permutation=PermutationSamplingSV)[name]
        kw = dict(pairing_trick=True) if name == "kernel" else {}
        game = RowGame(model, bg, x)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            iv = cls(d, random_state=seed, **kw).approximate(int(budget), game)
        return np.asarray(iv.get_n_order_values(1), dtype=float), game.f.rows, None, None

    return run


METHODS = {
    "causalx default (auto → adjusted)": run_causalx("auto"),
    "causalx regression (paired KernelSHAP; previous default)": run_causalx("regression"),
    "causalx permutation (antithetic)": run_causalx("permutation"),
    "shap PermutationExplainer": run_shap_permutation,
    "shap KernelExplainer": run_shap_kernel,
    "shapiq KernelSHAP (paired)": run_shapiq("kernel"),
    "shapiq SVARM": run_shapiq("svarm"),
    "shapiq StratifiedSamplingSV": run_shapiq("stratified"),
    "shapiq PermutationSamplingSV": run_shapiq("permutation"),
}


def ladder(d, cap):
    b, out = 2 * d + 2, []
    while b <= cap:
        out.append(int(b))
        b *= math.sqrt(2)
    return out


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--dims", default="16,32,64,128")
    p.add_argument("--seeds", type=int, default=2, help="seeds at d <= 32 (one above)")
    p.add_argument("--rows", type=int, default=5)
    p.add_argument("--methods", default="")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--reuse-peers", default="", help="earlier results json whose peer cells are copied")
    p.add_argument("--game-seed", type=int, default=0, help="another draw of the data, model and background (0: the reference game)")
    p.add_argument("--sample", default="", help="ROWSxSEEDS at every d (e.g. 8x2; a wider sample than the "
                   "default's, for the spread of the medians); skips the calibration")
    p.add_argument("--out", default=str(Path(__file__).parent / "results" / "large_d.json"))
    args = p.parse_args(argv)
    dims = [16, 32] if args.quick else [int(v) for v in args.dims.split(",")]
    methods = {k: v for k, v in METHODS.items() if not args.methods or any(s in k for s in args.methods.split(","))}
    old = json.loads(Path(args.reuse_peers).read_text()) if args.reuse_peers else None
    if old is not None and old.get("game_seed", 0) != args.game_seed:
        p.error(f"--reuse-peers {args.reuse_peers} holds game seed {old.get('game_seed', 0)}, not {args.game_seed}")
    t_start = time.perf_counter()
    results = dict(target=TARGET, n_background=N_BG, game_seed=args.game_seed, machine=dict(platform=platform.platform(), python=sys.version.split()[0]),
                   cases=[], calibration=[])
    for d in dims:
        model, bg, X = make_case(d, args.game_seed)
        n_rows = 2 if args.quick else (3 if d >= 128 else args.rows)
        seeds = 1 if (args.quick or d >= 64) else args.seeds
        if args.sample:
            n_rows, seeds = (int(v) for v in args.sample.lower().split("x"))
            if not 1 <= n_rows <= len(X):
                p.error(f"--sample {args.sample}: at most {len(X)} explained rows per game")
        cap = 2**14 if d >= 128 else 2**15
        slow_cap = 2**12  # SVARM, StratifiedSamplingSV: far from the target at d = 32 already (module docstring)
        rows = X[:n_rows]
        exact = exact_values(model, bg, rows)
        case = dict(d=d, n_rows=n_rows, n_seeds=seeds, cap=cap, methods={})
        if old is not None:  # the peers' cells of the same game from an earlier run (marked)
            prev = next((c for c in old["cases"] if c["d"] == d), None)
            if prev is not None and (prev["n_rows"], prev["n_seeds"]) == (n_rows, seeds):
                for name, cell in prev["methods"].items():
                    if not name.startswith("causalx"):
                        case["methods"][name] = dict(cell, reused_from=args.reuse_peers)
        for name, fn in methods.items():
            t0 = time.perf_counter()
            needed, errs_at = [], []
            for r in range(n_rows):
                scale = float(np.abs(exact[r]).max())
                for s in range(seeds):
                    got = None
                    for b in ladder(d, slow_cap if ("SVARM" in name or "Stratified" in name) else cap):
                        phi, n_model_rows, _, _ = fn(model, bg, rows[r], b, s)
                        err = float(np.abs(phi - exact[r]).max()) / scale
                        if err <= TARGET:
                            got = (b, n_model_rows, err)
                            break
                    needed.append(got)
            reached = [g[1] for g in needed if g is not None]
            n_fail = sum(g is None for g in needed)
            vals = sorted(reached + [math.inf] * n_fail)
            med = float(np.median(vals)) if vals else math.inf
            case["methods"][name] = dict(median_rows=med, cap=(slow_cap if ("SVARM" in name or "Stratified" in name) else cap), reached=len(reached), runs=len(needed),
                                         rows=[g[1] if g else None for g in needed],
                                         budgets=[g[0] if g else None for g in needed],
                                         seconds=time.perf_counter() - t0)
            print(f"[d={d}] {name}: median rows {med:,.0f} ({len(reached)}/{len(needed)} reached) "
                  f"{time.perf_counter() - t0:.1f}s", file=sys.stderr, flush=True)
        results["cases"].append(case)
        if d == 32 and not args.quick and not args.sample and (not args.methods or "default" in args.methods or "causalx" in args.methods):
            results["calibration"] = calibration(model, bg, X, exact_values(model, bg, X))
    results["seconds"] = time.perf_counter() - t_start
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=1))
    print(table(results))


def calibration(model, bg, X, exact):
    """Coverage of ±1.96 se of the default and the regression estimator on the d = 32 game, 10 rows × 8 seeds.

    ``n_replicates=1``: the reference values use the same 40 background rows, so the error has
    no background-sampling part; the default stderr (16 replicates) adds that Monte Carlo error
    of v(S) in quadrature and would cover the error nearly always. With one replicate the
    stderr is the estimator's own (jackknife) error, the part this checks.
    """
    out = []
    for method, b in [(m, b) for m in ("auto", "regression") for b in (128, 256, 512)]:
        run = run_causalx(method, n_replicates=1)
        inside, zero_bad, n = 0, 0, 0
        for r in range(len(X)):
            for s in range(8):
                phi, _, se, used = run(model, bg, X[r], b, 100 + s)
                err = np.abs(phi - exact[r])
                inside += int(np.sum(err <= 1.96 * se))
                zero_bad += int(np.sum((se == 0) & (err > 1e-12)))
                n += err.size
        out.append(dict(method=used, budget=b, coverage=inside / n, zero_se_nonzero_error=zero_bad / n, entries=n))
        print(f"[calibration] {used} budget {b}: coverage {inside / n:.3f}, zero-se share {zero_bad / n:.4f}", file=sys.stderr)
    return out


def table(results) -> str:
    names = sorted({k for c in results["cases"] for k in c["methods"]}, key=lambda k: (not k.startswith("causalx"), list(METHODS).index(k) if k in METHODS else 99))
    head = "| method | " + " | ".join(f"d={c['d']}" for c in results["cases"]) + " |"
    lines = [head, "|---|" + "---:|" * len(results["cases"])]
    for name in names:
        cells = []
        for c in results["cases"]:
            m = c["methods"].get(name)
            if m is None:
                cells.append("")
                continue
            v = m["median_rows"]
            cells.append((f"{v:,.0f}" if np.isfinite(v) else f"> {m['cap'] * N_BG:,}")
                         + (f" ({m['reached']}/{m['runs']})" if m["reached"] < m["runs"] else "")
                         + (" (reused)" if m.get("reused_from") else ""))
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    ratio = []
    for c in results["cases"]:
        default = next((k for k in c["methods"] if k.startswith("causalx default")), None)
        ours = c["methods"][default]["median_rows"] if default else math.inf
        peers = [m["median_rows"] for k, m in c["methods"].items() if not k.startswith("causalx")]
        best = min(peers) if peers else math.inf
        ratio.append(f"{best / ours:.2f}" if np.isfinite(ours) and np.isfinite(best) else "")
    lines.append("| best peer / causalx default | " + " | ".join(ratio) + " |")
    for cal in results.get("calibration", []):
        lines.append(f"\ncalibration ({cal.get('method', 'default')}, d=32, budget {cal['budget']}): coverage of ±1.96 se "
                     f"{cal['coverage']:.3f}, stderr = 0 with error > 0: {cal['zero_se_nonzero_error']:.4f}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
