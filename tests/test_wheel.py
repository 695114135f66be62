"""The package as installed from an index: build a wheel, install it in a fresh venv outside the
repository, and run the console script from a folder that is not the checkout.

Offline: the wheel is built with ``--no-build-isolation`` (the installed setuptools) and installed
with ``--no-deps --no-index`` into a venv with ``--system-site-packages`` (the dependencies already
installed). The editable install of the checkout stays visible there, so the test checks that
``causalx`` imports from the venv, i.e. from the wheel.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from causalx import __version__

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def _run(cmd, *, cwd, env, timeout=600):
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{cmd} exited {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    return proc.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(venv bin folder, cwd outside the repository, environment) with the wheel installed."""
    base = tmp_path_factory.mktemp("wheel")
    assert ROOT not in base.parents, "the wheel test must run outside the checkout"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1", OMP_NUM_THREADS="1", MPLBACKEND="Agg")

    # a copy of what the wheel is built from, so the build writes nothing into the checkout
    src = base / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(ROOT / "causalx", src / "causalx", ignore=shutil.ignore_patterns("__pycache__", "*.py[cod]"))
    dist = base / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", dist, src],
         cwd=base, env=env)
    (wheel,) = dist.glob("causalx-*.whl")

    prefix = base / "venv"
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(prefix)
    bindir = prefix / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / ("python.exe" if os.name == "nt" else "python")
    if sys.prefix != sys.base_prefix:  # the tests run in a venv: --system-site-packages would skip its packages
        site_dir = _run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=base, env=env)
        lines = [f"import site; site.addsitedir({d!r})" for d in site.getsitepackages()]
        (Path(site_dir.strip()) / "_outer_site_packages.pth").write_text("\n".join(lines) + "\n")
    # the system pip, run by the venv's interpreter, installs into the venv
    _run([python, "-m", "pip", "install", "--no-deps", "--no-index", "--ignore-installed", wheel], cwd=base, env=env)
    work = base / "elsewhere"
    work.mkdir()
    return wheel, prefix, bindir, python, work, env


def test_wheel_ships_the_package_data(installed):
    wheel = installed[0]
    names = set(zipfile.ZipFile(wheel).namelist())
    specs = {n for n in names if n.startswith("causalx/datasets/graphs/") and n.endswith(".yaml")}
    assert {Path(n).name for n in specs} == {p.name for p in (ROOT / "causalx" / "datasets" / "graphs").glob("*.yaml")}
    assert {"causalx/py.typed", "causalx/report/templates/report.html.j2", "causalx/report/report.schema.json"} <= names
    assert not any(n.startswith(("graphs/", "tests/", "case_studies/")) for n in names)


def test_venv_imports_the_wheel(installed):
    _, prefix, _, python, work, env = installed
    out = _run([python, "-c", "import causalx, causalx.datasets as d; print(causalx.__file__); "
                "print(causalx.__version__); print(d.graph_path('lg_chain'))"], cwd=work, env=env)
    file, version, spec = out.split("\n")[:3]
    assert Path(file).resolve().is_relative_to(prefix.resolve()), file
    assert version == __version__
    assert Path(spec).resolve().is_relative_to(prefix.resolve()) and Path(spec).is_file(), spec


def test_console_script_version_validate_demo(installed):
    _, prefix, bindir, python, work, env = installed
    causalx = bindir / ("causalx.exe" if os.name == "nt" else "causalx")
    assert _run([causalx, "--version"], cwd=work, env=env).strip() == f"causalx {__version__}"

    spec = _run([python, "-c", "from causalx.datasets import graph_path; print(graph_path('solar_cell'))"],
                cwd=work, env=env).strip()
    assert Path(spec).resolve().is_relative_to(prefix.resolve())
    out = _run([causalx, "validate", spec], cwd=work, env=env)
    assert "valid causal graph 'solar_cell'" in out
    assert "valid causal graph 'lg_chain'" in _run([causalx, "validate", "lg_chain"], cwd=work, env=env)

    out = _run([causalx, "demo", "--rows", "3"], cwd=work, env=env, timeout=900)
    assert "over 3 explained rows" in out
    for label in ("marginal (SHAP)", "conditional", "causal", "causal asym."):
        assert label in out
    for feature in ("X1", "X2", "X3", "X4", "X5"):
        assert f"\n{feature} " in out
