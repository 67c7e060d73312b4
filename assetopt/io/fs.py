"""Atomic writes: a temp file in the target's folder, then ``os.replace``. Nothing partial is ever left."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from ..config import Config
from ..errors import AssetoptError

__all__ = ["write_atomic", "write_if_changed", "refuse_overlap", "refuse_output_dir"]

# The process umask, read once (reading it means setting it). mkstemp creates files 0600; a file
# written for nginx or a template read by another user must get the mode a plain open() would give.
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temp file and ``os.replace``. A file that existed keeps
    its permission bits; a new one gets ``0666 & ~umask``, as ``open(path, "wb")`` would give it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o7777
    except OSError:
        mode = 0o666 & ~_UMASK
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write ``data`` atomically unless ``path`` already holds exactly it (its mtime then stays, so
    servers and browsers see no change). Returns whether it wrote."""
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    write_atomic(path, data)
    return True


def refuse_overlap(out: Path, sources: Iterable[Path], what: str, hint: str) -> None:
    """An output folder that is, sits in or holds a source folder would overwrite (or prune) the
    sources: raise, naming both, before anything is written. ``what``: "static source dir"..."""
    target = out.resolve()
    for d in sources:
        src = d.resolve()
        if target == src or target.is_relative_to(src) or src.is_relative_to(target):
            raise AssetoptError(f"the output dir {out} overlaps the {what} {d}: writing there would overwrite the sources", path=str(out), hint=hint)


def refuse_output_dir(out: Path, config: Config, hint: str) -> None:
    """An output folder (``build --out``, ``rewrite --out``, ``optimize --out``) must hold no source:
    not a template or static dir (nor sit in or hold one: the build prunes what it did not write),
    not the project root nor a folder holding it. Raises before anything is written."""
    refuse_overlap(out, config.templates + config.library_templates, "template dir", hint)
    refuse_overlap(out, config.static, "static source dir", hint)
    target, root = out.resolve(), config.project.resolve()
    if root.is_relative_to(target):
        raise AssetoptError(
            f"the output dir {out} is {'the project root' if target == root else 'a folder holding the project'} {root}: writing there would overwrite (or prune) the sources",
            path=str(out),
            hint=hint,
        )
