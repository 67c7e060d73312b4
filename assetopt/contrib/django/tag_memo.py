"""What the template tags keep between renders, so a render costs next to nothing.

- the manifest, per file version (inode, size, mtimes): read again only when rebuilt;
- ``static()`` of a built file, per name and manifest version: the storage is asked once per file;
- ``{% picture %}``'s markup per rendered ``<img>``, the paths it names and the manifest version.

Each memo is a bounded LRU; Django's ``setting_changed`` (``override_settings``) clears them when a
setting a URL depends on changes. Never writes a file; reads only the manifest.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.templatetags.static import static
from django.test.signals import setting_changed

from ...build.manifest import Manifest, load_manifest
from ...errors import ManifestError

__all__ = ["read_manifest", "manifest_version", "url_function", "remember", "rendered"]

logger = logging.getLogger("assetopt")
_manifests: dict[Path, tuple[tuple[int, ...], Manifest | None]] = {}
# Request-time memos (design: the tags must cost next to nothing per render). Keys hold the manifest
# file's version and everything the output is computed from; setting_changed clears them.
MEMO_SIZE = 4096
rendered: OrderedDict[tuple[Any, ...], str | None] = OrderedDict()  # {% picture %}: markup, or None = its inner markup
_urls: OrderedDict[tuple[Any, ...], str | ValueError] = OrderedDict()  # static() of a built file: the storage asked once


def _clear_caches(*, setting: str, **_kwargs: Any) -> None:
    """``override_settings`` (or anything else that sends ``setting_changed``) of what a URL or the
    manifest depends on: what the tags memoized was computed with the old value."""
    if setting in ("STATIC_URL", "STATIC_ROOT", "STORAGES", "ASSETOPT", "DEBUG"):
        rendered.clear()
        _urls.clear()


setting_changed.connect(_clear_caches)


def remember(cache: OrderedDict[Any, Any], key: Any, value: Any) -> Any:
    """Store ``value`` in a bounded LRU ``cache`` (the least recently used entry goes)."""
    cache[key] = value
    if len(cache) > MEMO_SIZE:
        cache.popitem(last=False)
    return value


def url_function(manifest_path: Path | None) -> Callable[[str], str]:
    """``static()``, asked of the storage once per name and manifest version (a failure too: the
    ``ValueError`` of a name a hashed storage lacks is raised again from the memo)."""
    version = (manifest_path, manifest_version(manifest_path))

    def url(name: str) -> str:
        key = (version, name)
        hit = _urls.get(key)
        if hit is None:
            try:
                hit = static(name)
            except ValueError as exc:
                hit = exc
            remember(_urls, key, hit)
        if isinstance(hit, ValueError):
            raise hit
        return hit

    return url


def manifest_version(path: Path | None) -> tuple[int, ...] | None:
    """The version (inode, size, mtimes) ``_read_manifest`` last read ``path`` at: part of every
    memo key, so a rebuilt manifest is never answered from what the old one gave."""
    hit = _manifests.get(path) if path is not None else None
    return hit[0] if hit is not None else None


def read_manifest(path: Path | None) -> Manifest | None:
    """The manifest at ``path`` (cached per file version); None when absent or unusable."""
    if path is None:
        return None
    try:
        st = path.stat()
    except OSError:
        return None
    # mtime alone can stay the same across a rebuild (coarse clocks, copies that keep mtimes); an
    # atomic replace always gives a new inode, and any write or utime a new ctime.
    version = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    hit = _manifests.get(path)
    if hit is not None and hit[0] == version:
        return hit[1]
    try:
        manifest: Manifest | None = load_manifest(path)
    except (ManifestError, OSError) as exc:
        logger.warning("assetopt: %s", exc)
        manifest = None
    _manifests[path] = (version, manifest)
    return manifest
