"""A content-addressed cache for per-file build work (minified text, compressed bytes).

Entries are keyed by what produced them (the SHA-256 of the input plus the name and version of the
step), never by mtime. Each entry stores the SHA-256 of its own payload and is checked on every read:
a corrupted, truncated or foreign entry is treated as a miss and rebuilt, never trusted.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from .fs import write_atomic

__all__ = ["ContentCache", "sha256"]

_MAGIC = b"assetopt-cache-1\n"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class ContentCache:
    def __init__(self, root: Path | None) -> None:
        self.root = root
        self.hits = 0
        self.misses = 0

    def _path(self, step: str, key: str) -> Path:
        assert self.root is not None
        return self.root / step / key[:2] / key

    def get(self, step: str, key: str) -> bytes | None:
        if self.root is None:
            self.misses += 1
            return None
        try:
            blob = self._path(step, key).read_bytes()
        except OSError:
            self.misses += 1
            return None
        head, sep, payload = blob[len(_MAGIC) :].partition(b"\n")
        if not blob.startswith(_MAGIC) or not sep or head.decode("ascii", "replace") != sha256(payload):
            self.misses += 1
            return None
        self.hits += 1
        return payload

    def put(self, step: str, key: str, payload: bytes) -> None:
        if self.root is None:
            return
        write_atomic(self._path(step, key), _MAGIC + sha256(payload).encode("ascii") + b"\n" + payload)
