"""Byte counts as a browser would receive them: raw, and the gzip (9) / brotli (11) siblings the build serves.

Brotli at quality 11 costs about half a second per 300 KB, so results are cached on disk, keyed by the
SHA-256 of the content (never by mtime), and uncached files are measured in parallel (``io/pool.py``).
A corrupt cache entry is ignored and rewritten, never trusted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..io.cache import ContentCache
from ..io.pool import Task, cached_map
from ..text.compress import COMPRESSIBLE, compress

__all__ = ["Sizes", "measure", "measure_files", "is_minified"]

_STEP = "sizes-3"  # 3: one cache entry per content (was one sizes-v2.json); the 95 % rule, no source maps
_INLINE_BELOW = 64 * 1024  # smaller files are measured in this process: a worker costs more


@dataclass(frozen=True, slots=True)
class Sizes:
    raw: int
    gzip: int
    br: int
    minified: bool | None = None  # None when not CSS/JS

    def as_dict(self) -> dict[str, int]:
        return {"raw": self.raw, "gzip": self.gzip, "br": self.br}


def is_minified(data: bytes, suffix: str) -> bool | None:
    """True when whitespace/comment minification would save less than 7 % (already minified)."""
    if suffix not in (".css", ".js"):
        return None
    if not data:
        return True
    text = data.decode("utf-8", errors="replace")
    if suffix == ".css":
        import rcssmin

        small = rcssmin.cssmin(text, keep_bang_comments=True)
    else:
        import rjsmin

        small = rjsmin.jsmin(text, keep_bang_comments=True)
    return len(small.encode("utf-8")) >= 0.93 * len(data)


def measure(data: bytes, suffix: str) -> Sizes:
    """Sizes as served: the gzip/brotli siblings ``build`` would write (same formats, same 95 % rule,
    ``precompress.compress``), else the raw bytes."""
    if suffix in COMPRESSIBLE and data:
        gz, br = compress(data)
        raw = len(data)
        return Sizes(raw, len(gz) if gz is not None else raw, len(br) if br is not None else raw, is_minified(data, suffix))
    return Sizes(len(data), len(data), len(data), is_minified(data, suffix) if data else None)


def _measure_path(path: str) -> bytes:
    data = Path(path).read_bytes()
    sizes = measure(data, Path(path).suffix.lower())
    return json.dumps([sizes.raw, sizes.gzip, sizes.br, sizes.minified]).encode("utf-8")


def _unpack(payload: bytes) -> Sizes | None:
    try:
        raw, gz, br, minified = json.loads(payload)
    except (ValueError, TypeError):
        return None
    if not all(isinstance(x, int) and not isinstance(x, bool) for x in (raw, gz, br)):
        return None
    return Sizes(raw, gz, br, minified if isinstance(minified, bool) else None)


def measure_files(files: Iterable[Path], cache_dir: Path | None = None, jobs: int | None = None) -> dict[Path, Sizes]:
    """Sizes for each file, from the cache when its content was measured before."""
    tasks: dict[Path, Task[str]] = {}
    for f in sorted(set(files)):
        data = f.read_bytes()
        suffix = f.suffix.lower()
        # Only compression costs anything: a big image is measured by its length, in this process.
        cost = len(data) if suffix in COMPRESSIBLE else 0
        tasks[f] = Task(hashlib.sha256(data).hexdigest() + suffix, str(f), cost)
    payloads, _ = cached_map(
        _measure_path, tasks.values(), ContentCache(cache_dir), _STEP, jobs=jobs, inline_below=_INLINE_BELOW, valid=lambda p: _unpack(p) is not None
    )
    out = {}
    for f, task in tasks.items():
        sizes = _unpack(payloads[task.key])
        assert sizes is not None  # cached_map returns only payloads it accepted, or fresh ones
        out[f] = sizes
    return out
