"""Precompressed siblings for text assets: ``x.css.gz`` (gzip 9, mtime 0) and ``x.css.br`` (brotli 11).

A sibling is kept only when it is at most 95 % of the original (whitenoise's rule), so servers never
pick a variant that saves nothing. gzip's mtime is 0 and brotli is deterministic, so the same input
always gives the same bytes. Compressed bytes are cached by content: an unchanged file costs a hash.

whitenoise serves these siblings as they are; nginx with ``gzip_static on``/``brotli_static on`` too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..io.cache import ContentCache, sha256
from ..io.fs import write_if_changed
from ..io.pool import Task, cached_map
from ..text.compress import BEST, COMPRESSIBLE, FAST, compress

__all__ = ["precompress_tree", "PrecompressStats", "write_dropping_siblings", "SIBLING_SUFFIXES"]

SIBLING_SUFFIXES = (".gz", ".br")

_STEP = "precompress-1"
# Smaller files compress in this process: a worker round trip costs more than gzip+brotli on them.
_INLINE_BELOW = 4096


def _compress_job(job: tuple[bytes, int]) -> bytes:
    return _pack(*compress(*job))


@dataclass
class PrecompressStats:
    files: int = 0
    compressed: int = 0  # files compressed in this run (cache misses)
    bytes_compressed: int = 0  # their input bytes: what gzip and brotli were fed this run
    written: int = 0  # sibling files written or replaced
    removed: int = 0  # stale siblings removed


def _pack(gz: bytes | None, br: bytes | None) -> bytes:
    def part(b: bytes | None) -> bytes:
        return b"-" if b is None else b"+" + len(b).to_bytes(8, "big") + b

    return part(gz) + part(br)


def _unpack(blob: bytes) -> tuple[bytes | None, bytes | None] | None:
    out: list[bytes | None] = []
    pos = 0
    for _ in range(2):
        if pos >= len(blob):
            return None
        if blob[pos : pos + 1] == b"-":
            out.append(None)
            pos += 1
            continue
        n = int.from_bytes(blob[pos + 1 : pos + 9], "big")
        out.append(blob[pos + 9 : pos + 9 + n])
        pos += 9 + n
    return (out[0], out[1]) if pos == len(blob) else None


def write_dropping_siblings(path: Path, data: bytes) -> bool:
    """``write_if_changed``, but a changed file first loses its ``.gz``/``.br``: a build killed
    before ``precompress_tree`` then leaves a file without siblings (servers send it as it is),
    never beside siblings of its old bytes (servers would send the old content)."""
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    for suffix in SIBLING_SUFFIXES:
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    return write_if_changed(path, data)


def _sync(path: Path, data: bytes | None, stats: PrecompressStats) -> None:
    if data is None:
        if path.exists():
            path.unlink()
            stats.removed += 1
        return
    if write_if_changed(path, data):
        stats.written += 1


def precompress_tree(files: Iterable[Path], cache: ContentCache, jobs: int | None = None, fast: frozenset[Path] = frozenset()) -> PrecompressStats:
    """Write ``.gz``/``.br`` beside each compressible file; unchanged files cost a hash and a compare.

    Files in ``fast`` get brotli quality 5 instead of 11: the build passes the sources that only
    bundles use, which browsers fetch only while bundling is rolled back."""
    stats = PrecompressStats()
    tasks: dict[Path, Task[tuple[bytes, int]]] = {}
    for f in sorted(set(files)):
        if f.suffix.lower() not in COMPRESSIBLE:
            continue
        stats.files += 1
        data = f.read_bytes()
        quality = FAST if f in fast else BEST
        key = sha256(data) + (f"-q{quality}" if quality != BEST else "")
        tasks[f] = Task(key, (data, quality), len(data))
    computed: list[Task[tuple[bytes, int]]] = []
    payloads, stats.compressed = cached_map(
        _compress_job, tasks.values(), cache, _STEP, jobs=jobs, inline_below=_INLINE_BELOW, valid=lambda p: _unpack(p) is not None, computed=computed
    )
    stats.bytes_compressed = sum(len(t.arg[0]) for t in computed)
    results = {f: _unpack(payloads[t.key]) for f, t in tasks.items()}
    for f, found in results.items():
        assert found is not None  # cached_map returned only payloads _unpack accepts, or fresh ones
        gz, br = found
        _sync(f.with_name(f.name + ".gz"), gz, stats)
        _sync(f.with_name(f.name + ".br"), br, stats)
    return stats
