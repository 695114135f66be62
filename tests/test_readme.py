"""The README's Python example runs verbatim in the environment its first command creates.

That environment has the main dependencies only, so the optional extras (shap, DoWhy, pgmpy,
numba, the boosting libraries) are blocked while the snippet runs.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXTRAS = ("shap", "dowhy", "pgmpy", "xgboost", "lightgbm", "catboost", "y0", "distributed")


def _snippet() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks, "the README has no Python example"
    return blocks[0]


def test_readme_python_example_runs_without_the_extras(tmp_path):
    block = "import sys\n" + "".join(f"sys.modules[{m!r}] = None\n" for m in EXTRAS) + _snippet()
    script = tmp_path / "readme_example.py"
    script.write_text(block, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    out = subprocess.run([sys.executable, str(script)], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
