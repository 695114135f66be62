"""The output folder of ``causalx run``: checked first, written in full or not at all.

:class:`StagedOutput` checks ``--out`` before any computation (a file, a folder that cannot be
created or written, report files of unknown origin), gives the run a hidden staging folder
inside ``--out`` to write into, and on :meth:`~StagedOutput.commit` moves the complete set of
files into place and writes ``causalx-manifest.json`` listing them. A run that fails or is
interrupted leaves ``--out`` exactly as it was.

Stale files: the files listed in the manifest of an earlier run in the same folder are
*replaced*: removed when this run commits, so no ``values_<label>.csv`` of an earlier run is
left beside the new report. Report files (``report.*``, ``values_*.csv``) without a manifest
are *refused* (they were not written by a causalx run that finished, or were written by
hand): the run stops before computing anything and names them. Other files in the folder are
never touched.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from causalx.exceptions import OutputError

__all__ = ["MANIFEST", "StagedOutput", "atomic_write_text", "inside", "write_values"]

MANIFEST = "causalx-manifest.json"
_OURS = re.compile(r"(report\.(html|md|json)|values_.*\.csv)")
_STAGING_PREFIX = ".causalx-partial-"


def inside(folder: str | os.PathLike[str], name: str) -> Path:
    """``folder / name``, refusing a name that would resolve outside ``folder``.

    Examples
    --------
    >>> inside("out", "values_causal.csv").name
    'values_causal.csv'
    >>> inside("out", "../x.csv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    causalx.exceptions.OutputError: refusing to write '../x.csv': it resolves outside the output folder ...
    """
    root = Path(folder).resolve()
    path = (root / name).resolve()
    if path.parent != root or os.sep in name or (os.altsep and os.altsep in name):
        raise OutputError(f"refusing to write {name!r}: it resolves outside the output folder {str(root)!r} "
                          "(file names of a run are plain names inside --out).")
    return Path(folder) / name


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` as UTF-8 to a temporary file beside ``path`` and rename it into place.

    Characters UTF-8 cannot encode (lone surrogates) are written as ``\\udxxx`` escapes; a
    reader never sees a truncated file.
    """
    path = Path(path)
    data = text.encode("utf-8", errors="backslashreplace")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600 files; give the usual permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_values(out_dir: str | os.PathLike[str], explanations: Mapping[str, Any]) -> list[Path]:
    """``values_<label>.csv`` (long form) of each explanation, each path checked to stay in ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for label, exp in explanations.items():
        path = inside(out, f"values_{label}.csv")
        atomic_write_text(path, exp.to_frame(long=True).to_csv(index=False))
        paths.append(path)
    return paths


def _read_manifest(out: Path) -> list[str]:
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        names = [f["name"] for f in data["files"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise OutputError(f"--out {str(out)!r}: its {MANIFEST} cannot be read ({type(exc).__name__}); remove "
                          "the folder's report files and the manifest, or choose another --out.") from None
    return [n for n in names if isinstance(n, str) and "/" not in n and "\\" not in n and n not in ("", ".", "..")]


class StagedOutput:
    """An output folder checked now, written into a staging folder, committed in one step.

    Parameters
    ----------
    out : path
        The ``--out`` folder; created if needed (and removed again when the run fails and it
        was created by this run).

    Raises
    ------
    OutputError
        ``out`` is a file, cannot be created or written, or holds report files without a
        manifest of the causalx run that wrote them.
    """

    def __init__(self, out: str | os.PathLike[str]):
        self.out = Path(out)
        self.replaced: list[str] = []
        out = self.out
        if out.exists() and not out.is_dir():
            raise OutputError(f"--out {str(out)!r} is a file, not a folder; name a folder for the report "
                              "(it is created if needed).")
        self._earlier: list[str] = []
        if out.is_dir():
            try:
                present = {p.name for p in out.iterdir() if p.is_file()}
            except OSError as exc:
                raise OutputError(f"--out {str(out)!r} cannot be read: {exc.strerror or exc}.") from None
            if MANIFEST in present:
                self._earlier = [n for n in _read_manifest(out) if n in present]
            unknown = sorted(n for n in present if _OURS.fullmatch(n) and n not in self._earlier)
            if unknown:
                shown = ", ".join(unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
                raise OutputError(
                    f"--out {str(out)!r} already holds report files ({shown}) that no {MANIFEST} of an "
                    "earlier causalx run lists; causalx does not overwrite files it did not write: remove them "
                    "or choose another (new or empty) --out folder.")
        self.created = not out.exists()
        try:
            out.mkdir(parents=True, exist_ok=True)
            self.path = Path(tempfile.mkdtemp(prefix=_STAGING_PREFIX, dir=out))
        except OSError as exc:
            self._remove_created()
            raise OutputError(f"--out {str(out)!r} cannot be written: {exc.strerror or exc}; choose a folder "
                              "you can write to.") from None
        self.committed = False

    def _remove_created(self) -> None:
        if getattr(self, "created", False):
            try:
                self.out.rmdir()  # only if still empty
            except OSError:
                pass

    def abort(self) -> None:
        """Remove the staging folder (and ``out`` when this run created it); ``out`` is as before."""
        if hasattr(self, "path"):
            shutil.rmtree(self.path, ignore_errors=True)
        self._remove_created()

    def commit(self) -> list[Path]:
        """Move the staged files into ``out``, remove the earlier run's other files, write the manifest."""
        staged = sorted(p for p in self.path.iterdir() if p.is_file())
        new = {p.name for p in staged}
        entries = []
        for p in staged:
            data = p.read_bytes()
            entries.append({"name": p.name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()})
        from causalx._version import __version__

        manifest = {"causalx_version": __version__, "written": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    "files": entries}
        (self.out / MANIFEST).unlink(missing_ok=True)  # no manifest describes a half-moved set
        for name in self._earlier:
            if name not in new:
                inside(self.out, name).unlink(missing_ok=True)
        self.replaced = list(self._earlier)
        final = []
        for p in staged:
            target = inside(self.out, p.name)
            os.replace(p, target)
            final.append(target)
        atomic_write_text(self.out / MANIFEST, json.dumps(manifest, indent=2))
        shutil.rmtree(self.path, ignore_errors=True)
        self.committed = True
        return final

    def __enter__(self) -> StagedOutput:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if not self.committed:
            self.abort()
