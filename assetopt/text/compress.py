"""gzip and brotli of one payload, and the rule that decides whether a compressed copy is worth keeping.

Pure bytes -> bytes: no files, no cache, no pool (``build/precompress.py`` does those). gzip's mtime is
0 and brotli is deterministic, so the same input always gives the same bytes.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable

import brotli

__all__ = ["COMPRESSIBLE", "KEEP_RATIO", "BEST", "FAST", "compress", "fallback_fonts"]

# Not ".map": source maps are fetched by developer tools only, and brotli 11 on them is most of the
# build's time for no user-visible gain (they are still copied and served, uncompressed).
COMPRESSIBLE = frozenset({".css", ".js", ".mjs", ".svg", ".json", ".txt", ".html", ".xml", ".ttf", ".otf", ".eot", ".ico", ".wasm"})
KEEP_RATIO = 0.95


BEST, FAST = 11, 5  # brotli qualities: FAST is ~20x faster and ~8 % bigger


# Font formats a browser takes only when it cannot read WOFF2. Every browser that accepts brotli reads
# WOFF2 (brotli came later), so when a WOFF2 of the same font sits beside one of these, the .br of it is
# fetched only where a stylesheet names this file alone: worth brotli 5, not 11 (11 on Font Awesome's
# three TTFs is ~1.5 s of CPU, a tenth of the example's cold build, for 5-7 % fewer bytes).
_LEGACY_FONTS = (".ttf", ".otf", ".eot")


def fallback_fonts(names: Iterable[str]) -> set[str]:
    """The names among ``names`` (static paths, ``/``-separated) of TTF/OTF/EOT fonts that have a
    ``.woff2`` of the same name in the same folder among ``names``."""
    names = set(names)
    found = set()
    for name in names:
        stem, dot, ext = name.rpartition(".")
        if dot and f".{ext.lower()}" in _LEGACY_FONTS and (f"{stem}.woff2" in names or f"{stem}.WOFF2" in names):
            found.add(name)
    return found


def compress(data: bytes, quality: int = BEST) -> tuple[bytes | None, bytes | None]:
    """(gzip, brotli) of ``data``, each None when not at most 95 % of the original."""
    gz = gzip.compress(data, compresslevel=9, mtime=0)
    br = brotli.compress(data, quality=quality)
    limit = KEEP_RATIO * len(data)
    return (gz if len(gz) <= limit else None, br if len(br) <= limit else None)
