"""Byte counts as a browser would receive them: raw, and the gzip (9) / brotli (11) siblings the build serves.

Brotli at quality 11 costs about half a second per 300 KB, so results are cached on disk, keyed by the
SHA-256 of the content (never by mtime), and uncached files are measured in parallel. A corrupt cache
file is ignored and rewritten, never trusted.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..io.fs import write_atomic
from ..text.compress import COMPRESSIBLE, compress

__all__ = ["Sizes", "measure", "measure_files", "is_minified"]

_CACHE_NAME = "sizes-v2.json"  # v2: the precompression rules (95 %, no source maps)


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


def _measure_path(path: str) -> tuple[str, str, Sizes]:
    data = Path(path).read_bytes()
    suffix = Path(path).suffix.lower()
    return path, hashlib.sha256(data).hexdigest() + suffix, measure(data, suffix)


def _load_cache(cache_dir: Path | None) -> dict[str, list[int | bool | None]]:
    if cache_dir is None:
        return {}
    try:
        data = json.loads((cache_dir / _CACHE_NAME).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, list) and len(v) == 4}


def _save_cache(cache_dir: Path, cache: dict[str, list[int | bool | None]]) -> None:
    write_atomic(cache_dir / _CACHE_NAME, json.dumps(cache, sort_keys=True).encode("utf-8"))


def measure_files(files: Iterable[Path], cache_dir: Path | None = None, jobs: int | None = None) -> dict[Path, Sizes]:
    """Sizes for each file, from the cache when its content was measured before."""
    files = sorted(set(files))
    cache = _load_cache(cache_dir)
    result: dict[Path, Sizes] = {}
    todo: list[Path] = []
    for f in files:
        data = f.read_bytes()
        key = hashlib.sha256(data).hexdigest() + f.suffix.lower()
        hit = cache.get(key)
        if hit is not None and all(isinstance(x, int) for x in hit[:3]):
            result[f] = Sizes(int(hit[0]), int(hit[1]), int(hit[2]), hit[3] if isinstance(hit[3], bool) else None)  # type: ignore[arg-type]
            if result[f].raw == len(data):
                continue
        todo.append(f)
    if todo:
        heavy = [f for f in todo if f.suffix.lower() in COMPRESSIBLE and f.stat().st_size > 64 * 1024]
        light = [f for f in todo if f not in set(heavy)]
        measured = [_measure_path(str(f)) for f in light]
        workers = jobs or os.cpu_count() or 1
        if len(heavy) > 1 and workers > 1:
            with ProcessPoolExecutor(max_workers=min(workers, len(heavy))) as pool:
                measured.extend(pool.map(_measure_path, [str(f) for f in heavy]))
        else:
            measured.extend(_measure_path(str(f)) for f in heavy)
        for path, key, sizes in measured:
            result[Path(path)] = sizes
            cache[key] = [sizes.raw, sizes.gzip, sizes.br, sizes.minified]
        if cache_dir is not None:
            _save_cache(cache_dir, cache)
    return result
