"""VAE sampler: fit + explain time relative to the Gaussian sampler, and off-manifold shares.

Part 1 times ``CausalExplainer(..., value="conditional")`` with ``sampler="gaussian"`` and
``sampler="vae"`` (fit + explain) on a 10-feature, 2,000-row workload and reports the ratio
(the R package shapr's vaeac is about 90x slower than its Gaussian approach). Both runs happen
side by side in one process, so the ratio is meaningful on a noisy machine; absolute seconds
are not.

Part 2 builds the rows a conditional explanation evaluates (every coalition S of 4 features,
``x_S`` plus draws of ``X_S̄``) on data with a nonlinear manifold and an ordering constraint
(``V = a**3`` with 1 % noise; ``LUMO = HOMO + a positive gap``), without declaring any
constraint, and reports the share of rows off the data manifold (k-nearest-neighbour score,
1 % of real data rows by construction) and the share violating ``LUMO > HOMO`` for marginal,
Gaussian and VAE sampling.

Run:  python benchmarks/bench_vae.py [--rows 20] [--draws 200] [--explicands 50]
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np


def manifold_data(n, rng):
    """V = a**3 with 1 % noise; LUMO = HOMO + 0.3 eV + Gamma(4, 0.05) gap."""
    a = rng.uniform(0.0, 2.0, n)
    v = a**3
    v = v + 0.01 * v.std() * rng.normal(size=n)
    homo = rng.normal(-6.0, 0.5, n)
    lumo = homo + 0.3 + rng.gamma(4.0, 0.05, n)
    return np.column_stack([a, v, homo, lumo])


def coalition_rows(fill, X_explain, n_draws):
    d = X_explain.shape[1]
    out = []
    for m in range(2**d - 1):  # every coalition but the full one
        mask = np.array([(m >> j) & 1 for j in range(d)], dtype=bool)
        rows = np.repeat(X_explain[:, None, :], n_draws, axis=1)
        fill(rows, mask)
        out.append(rows)
    return np.stack(out)


def timing(args) -> list[tuple[str, float, float, float]]:
    import pandas as pd

    import causalx as cx

    d = 10
    names = [f"X{i}" for i in range(d)]
    rng = np.random.default_rng(0)
    B = np.tril(rng.uniform(-0.6, 0.6, size=(d, d)), -1) + np.eye(d)
    X = rng.normal(size=(2000, d)) @ B.T
    w = rng.normal(size=d)

    def model(Z):
        Z = np.asarray(Z, dtype=float)
        return Z @ w + np.sin(Z[:, 0]) * Z[:, 1] + 0.5 * Z[:, 2] ** 2

    graph = cx.CausalGraph(names, components=[names])
    bg = pd.DataFrame(X, columns=names)
    xe = bg.iloc[: args.rows]
    out = []
    for sampler in ("gaussian", "vae"):
        e = cx.CausalExplainer(model, graph, value="conditional", sampler=sampler, n_samples=args.draws,
                               method="permutation" if args.permutation else "auto", random_state=0)
        t0 = time.perf_counter()
        e.fit(bg)
        t1 = time.perf_counter()
        exp = e.explain(xe)
        t2 = time.perf_counter()
        out.append((sampler, t1 - t0, t2 - t1, float(np.abs(exp.values).mean())))
    return out


def shares(args) -> dict[str, tuple[float, float]]:
    from causalx.diagnostics import manifold_report
    from causalx.samplers import GaussianSampler, VAESampler

    names = ["a", "V", "HOMO", "LUMO"]
    X = manifold_data(2000, np.random.default_rng(0))
    X_explain = manifold_data(args.explicands, np.random.default_rng(1))
    K = 20
    bg = X[np.random.default_rng(2).choice(len(X), K, replace=False)]

    def marginal(rows, mask):
        rows[:, :, ~mask] = bg[None][:, :, ~mask]

    def conditional(sampler):
        noise = sampler.draw_noise(K, 0)

        def fill(rows, mask):
            sampler.sample_into(rows, np.flatnonzero(~mask), np.flatnonzero(mask), noise)

        return fill

    t0 = time.perf_counter()
    vae = VAESampler(random_state=0).fit(X, feature_names=names)
    print(f"VAESampler fit on 2000 x 4 manifold data: {time.perf_counter() - t0:.1f} s "
          f"({vae.n_epochs_} epochs, best {vae.best_epoch_})")
    gauss = GaussianSampler().fit(X, feature_names=names)
    res = {}
    for name, fill in [("marginal", marginal), ("gaussian", conditional(gauss)), ("vae", conditional(vae))]:
        rows = coalition_rows(fill, X_explain, K)
        rep = manifold_report(rows, X, feature_names=names, constraints=["LUMO > HOMO"], random_state=0)
        res[name] = (rep.off_manifold_share, rep.constraint_violation_share, rep.n_rows)
    real = manifold_report(manifold_data(5000, np.random.default_rng(3)), X, feature_names=names, random_state=0)
    res["real data"] = (real.off_manifold_share, 0.0, real.n_rows)
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=20, help="explained rows (timing part)")
    ap.add_argument("--draws", type=int, default=200, help="Monte Carlo draws per coalition (timing part)")
    ap.add_argument("--permutation", action="store_true", help="permutation estimator instead of exact")
    ap.add_argument("--explicands", type=int, default=50, help="explained rows (manifold part)")
    args = ap.parse_args()

    import torch

    print(f"python {platform.python_version()}, torch {torch.__version__}, {torch.get_num_threads()} threads")
    print("\n== Part 1: conditional Shapley values, 10 features, 2000 background rows ==")
    rows = timing(args)
    print(f"{'sampler':<10}{'fit s':>9}{'explain s':>11}{'total s':>9}{'mean |phi|':>12}")
    for name, fit, ex, phi in rows:
        print(f"{name:<10}{fit:>9.2f}{ex:>11.2f}{fit + ex:>9.2f}{phi:>12.3f}")
    g, v = rows
    print(f"VAE / Gaussian total time: {(v[1] + v[2]) / (g[1] + g[2]):.1f}x  "
          f"(explain only: {v[2] / g[2]:.1f}x; shapr's vaeac: ~90x)")

    print("\n== Part 2: rows evaluated by the model, V = a^3, LUMO = HOMO + gap, no constraint declared ==")
    res = shares(args)
    print(f"{'sampling':<11}{'rows':>8}{'off-manifold':>14}{'LUMO<=HOMO':>12}")
    for name, (off, viol, n) in res.items():
        print(f"{name:<11}{n:>8d}{off:>14.1%}{viol:>12.1%}")
    print(f"marginal / VAE off-manifold ratio: {res['marginal'][0] / max(res['vae'][0], 1e-12):.1f}x")


if __name__ == "__main__":
    main()
