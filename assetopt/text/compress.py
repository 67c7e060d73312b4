"""gzip and brotli of one payload, and the rule that decides whether a compressed copy is worth keeping.

Pure bytes -> bytes: no files, no cache, no pool (``build/precompress.py`` does those). gzip's mtime is
0 and brotli is deterministic, so the same input always gives the same bytes.
"""

from __future__ import annotations

import gzip

import brotli

__all__ = ["COMPRESSIBLE", "KEEP_RATIO", "BEST", "FAST", "compress"]

# Not ".map": source maps are fetched by developer tools only, and brotli 11 on them is most of the
# build's time for no user-visible gain (they are still copied and served, uncompressed).
COMPRESSIBLE = frozenset({".css", ".js", ".mjs", ".svg", ".json", ".txt", ".html", ".xml", ".ttf", ".otf", ".eot", ".ico", ".wasm"})
KEEP_RATIO = 0.95


BEST, FAST = 11, 5  # brotli qualities: FAST is ~20x faster and ~8 % bigger


def compress(data: bytes, quality: int = BEST) -> tuple[bytes | None, bytes | None]:
    """(gzip, brotli) of ``data``, each None when not at most 95 % of the original."""
    gz = gzip.compress(data, compresslevel=9, mtime=0)
    br = brotli.compress(data, quality=quality)
    limit = KEEP_RATIO * len(data)
    return (gz if len(gz) <= limit else None, br if len(br) <= limit else None)
