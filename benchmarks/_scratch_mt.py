"""Scratch: default vs multi-task-evidence variants on bench_large_d games (first budget reaching 2 %)."""
import json, os, sys, time
sys.path.insert(0, os.path.dirname(__file__))
import numpy as np
import bench_large_d as B
import causalx.shapley._adjusted as A

def main():
    d = int(sys.argv[1]); variants = sys.argv[2].split(";"); nb = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    model, bg, X = B.make_case(d)
    n_rows = 3 if d >= 128 else 5
    seeds = 1 if d >= 64 else 2
    rows = X[:n_rows]
    exact = B.exact_values(model, bg, rows)
    lad = B.ladder(d, 2**15)[:nb]
    run = B.run_causalx("auto")
    for var in variants:
        cfg = dict(kv.split("=") for kv in var.split(",")) if var else {}
        A.EVIDENCE_TASKS = cfg.get("ev", "mean"); A.IMPORTANCE = cfg.get("imp", "mean")
        A.ARD_SWEEPS = int(cfg.get("ard", 0)); A.SBL_ITERS = int(cfg.get("sbl", 0)); A.SBL_INIT = float(cfg.get("init", 1.0)); A.CAND_GRID = cfg.get("grid", "default")
        A.WIDE_RHO = tuple(float(v) for v in cfg.get("rho", "0.1/0.3/1.0").split("/")); A.WIDE_P = tuple(float(v) for v in cfg.get("p", "0/1/2").split("/"))
        t0 = time.time(); firsts = []; errs = {}
        for r in range(n_rows):
            scale = np.abs(exact[r]).max()
            for s in range(seeds):
                got = None
                for b in lad:
                    phi, nrows, se, _ = run(model, bg, rows[r], b, s)
                    e = np.abs(phi - exact[r]).max() / scale
                    errs.setdefault(b, []).append(round(float(e), 4))
                    if e <= B.TARGET:
                        got = b; break
                firsts.append(got)
        med = np.median([f if f else 1e9 for f in firsts])
        print(f"d={d} [{var or 'default'}] firsts={firsts} median={med} t={time.time()-t0:.0f}s", flush=True)
        for b, e in errs.items():
            print(f"   b={b}: {e}", flush=True)

main()
