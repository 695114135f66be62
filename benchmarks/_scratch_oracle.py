import os, sys
sys.path.insert(0, os.path.dirname(__file__))
import numpy as np
import bench_large_d as B
import causalx.shapley._adjusted as A
d = int(sys.argv[1]); mode = sys.argv[2]
model, bg, X = B.make_case(d)
rows = X[:5]; exact = B.exact_values(model, bg, rows)
run = B.run_causalx("auto")
for b in [66, 93, 132]:
    out = []; logs = []
    for r in range(5):
        for s in range(2):
            A._LOG.clear()
            if mode == "oracle":
                A._ORACLE["imp"] = np.abs(exact[r])
            elif mode.startswith("pow"):
                A._ORACLE["imp"] = np.abs(exact[r]); A.HEREDITY_GRID = (float(mode[3:]),)
            phi, *_ = run(model, bg, rows[r], b, s)
            out.append(round(float(np.abs(phi - exact[r]).max() / np.abs(exact[r]).max()), 4)); logs.append(A._LOG[-1] if A._LOG else None)
    print(b, out, sum(o <= .02 for o in out)); print("   ", logs)
