"""The collected files ``post_process`` rewrites in ``STATIC_ROOT`` before Django hashes them.

``MINIFY_STATIC`` minifies each collected CSS/JS/SVG file in place, as ``assetopt build`` ships it; an
image the image step does not replace this run gets its source's bytes back. Both write only bytes that
changed, and both read the source, never the collected copy (which collectstatic may have skipped).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ...build.minify import minifies_in_place, minify_scripts, minify_static_file
from ...errors import BundleWarning
from ...images import OPTIMIZABLE
from ...io.cache import ContentCache
from ...io.fs import write_if_changed

__all__ = ["minify_collected", "restore_images"]


def _texts(blobs: Iterator[bytes]) -> list[str]:
    """The blobs that decode as UTF-8 (the others ship unminified, with minify_static_file's warning)."""
    out = []
    for blob in blobs:
        try:
            out.append(blob.decode("utf-8-sig"))
        except UnicodeDecodeError:
            continue
    return out


def minify_collected(
    root: Any, paths: dict[str, tuple[Any, str]], ours: set[str], cache: ContentCache, enabled: bool, js_minifier: str
) -> tuple[list[BundleWarning], list[str]]:
    """``MINIFY_STATIC``: each collected CSS/JS/SVG file rewritten in ``STATIC_ROOT`` as the build
    ships it, and ``paths`` pointed at that copy (Django hashes the file ``paths`` names, which is
    otherwise the source).

    Always minified from the source, never from the collected copy: collectstatic skips copying
    a source older than its collected copy, and the copy we rewrote is newer than its source. So
    an unchanged source costs a cache hit and no write, and a changed one is minified again
    whether or not Django copied it. Off, a copy an earlier run minified gets the source's bytes
    back (Django would skip it as "not modified" and leave it minified). ``root`` is the storage of
    ``STATIC_ROOT``; returns the warnings and the names of the files rewritten."""
    warnings: list[BundleWarning] = []
    minified: list[str] = []
    names = [n for n in sorted(paths) if n not in ours and minifies_in_place(n)]
    originals: dict[str, bytes] = {}
    for name in names:
        storage, path = paths[name]
        with storage.open(path) as fh:
            originals[name] = fh.read()
    if enabled:  # every script on the process pool first, as ``assetopt build`` does (same cache entries)
        minify_scripts(_texts(data for n, data in originals.items() if n.lower().endswith(".js")), cache, js_minifier=js_minifier)
    for name in names:
        data = originals[name]
        shipped = minify_static_file(data, name, cache, warnings, js_minifier) if enabled else data
        if write_if_changed(Path(root.path(name)), shipped):
            minified.append(name)
        if enabled:
            paths[name] = (root, name)
    return warnings, minified


def restore_images(root: Any, paths: dict[str, tuple[Any, str]], replaced: set[str]) -> None:
    """A collected image the image step does not replace this run (``IMAGES`` turned off, or a
    re-encode no longer kept) gets its source's bytes back: Django skips a source older than its
    collected copy, so an earlier run's re-encode would stay under the plain name. The sizes
    decide (a lossy re-encode of the same size is not a case worth reading every image for).
    ``root`` is the storage of ``STATIC_ROOT``."""
    for name, (storage, path) in paths.items():
        if name in replaced or storage is root or posixpath.splitext(name)[1].lower() not in OPTIMIZABLE:
            continue
        copy = Path(root.path(name))
        try:
            if copy.stat().st_size == storage.size(path):
                continue
        except (OSError, NotImplementedError):
            pass
        with storage.open(path) as fh:
            write_if_changed(copy, fh.read())
