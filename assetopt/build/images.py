"""The build's image step: optimized images in the output root, WebP/AVIF siblings and ``srcset`` widths.

Images are optimized in place in ``out`` (never in the sources) and get siblings a ``<picture>`` can
list, all derived from the source's name:

- ``img/photo.jpg`` -> ``img/photo.webp``, ``img/photo.avif`` (full size);
- ``img/photo.480w.jpg``, ``img/photo.480w.avif`` (a PNG: ``.480w.png``, ``.480w.webp``) for each
  configured width under the displayed width (``image_widths``, plus the widths its ``{% picture %}``
  ``sizes`` ask for, ``picture_widths.py``): AVIF (JPEG) or WebP (PNG) only for a format that has the
  full-size variant, each copy kept only when smaller than the next wider one of its format and,
  for AVIF/WebP, than the source format's copy of its width (``imaging/resize.py``).

A generated name that a source file already has, or that two images would share (``photo.jpg`` and
``photo.png`` both want ``photo.webp``), is skipped with a warning: never guessed, never overwriting
what the sources ship. A width copy of an earlier build that is no longer produced is removed.

Cached by content (source bytes, quality and widths), misses decoded in a process pool, largest first,
each cached as it completes (``io/pool.py``): a rebuild with nothing changed decodes nothing and writes
nothing, and a killed build keeps the images it finished. Pillow stays in ``images.py``.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BundleWarning
from ..images import ENCODER_SETTINGS, OPTIMIZABLE, VARIANT_SUFFIXES, optimize_responsive
from ..io.cache import ContentCache, sha256
from ..io.fs import write_if_changed
from ..io.pool import Task, cached_map
from .manifest import ManifestCandidate, ManifestImage, mime_type

__all__ = ["ImageStats", "optimize_images", "mime_type", "width_name", "IMAGE_STEP"]

IMAGE_STEP = "image-5"  # bump when images.py or imaging/ change what they write (its quality numbers are in the key)
_WIDTH_RE = re.compile(r"\.[0-9]+w\.(?:jpe?g|png|webp|avif)$", re.IGNORECASE)


@dataclass
class ImageStats:
    """The image step. ``variants`` maps each image (relative to ``out``) to its sibling WebP/AVIF
    files, for a ``<picture>`` rewrite: ``img/photo.jpg`` -> ``("img/photo.webp", "img/photo.avif")``;
    ``widths`` to its downscaled copies (``img/photo.480w.jpg``, ``img/photo.480w.webp`` ...)."""

    files: int = 0  # JPEG/PNG/GIF files seen
    processed: int = 0  # decoded and encoded in this run (cache misses): 0 on a rebuild with nothing changed
    bytes_before: int = 0
    bytes_after: int = 0
    variants: dict[str, tuple[str, ...]] = field(default_factory=dict)
    widths: dict[str, tuple[str, ...]] = field(default_factory=dict)
    written: int = 0  # variant and width files written or replaced
    removed: list[str] = field(default_factory=list)  # variants/widths of earlier builds no longer produced
    replaced: list[str] = field(default_factory=list)  # images shipped re-encoded (their own name)

    @property
    def optimized(self) -> int:
        """Images shipped re-encoded (under 95 % of the source)."""
        return len(self.replaced)

    def generated(self) -> list[str]:
        """Every file this step wrote beside the images (sorted): what a static storage must hash."""
        return sorted({n for names in (*self.variants.values(), *self.widths.values()) for n in names})


def width_name(rel: str, width: int, suffix: str | None = None) -> str:
    """``img/photo.jpg`` at 480 px -> ``img/photo.480w.jpg`` (or ``.480w.webp`` with ``suffix``)."""
    stem, own = posixpath.splitext(rel)
    return f"{stem}.{width}w{suffix or own}"


def _image_job(job: tuple[str, str, int, tuple[int, ...]]) -> bytes:
    path, suffix, quality, widths = job
    found = optimize_responsive(Path(path).read_bytes(), suffix, quality=quality, widths=widths)
    parts = ([("data", found.result.data)] if found.result.kept else []) + sorted(found.variants.items())
    for width, copies in sorted(found.widths.items()):
        for part, blob in sorted(copies.items()):
            # the source's own format is "w480", the modern ones "w480.webp": names are the build's job
            parts.append((f"w{width}" + (part if part in VARIANT_SUFFIXES else ""), blob))
    head = {"error": found.result.error, "note": found.result.note, "display": found.display, "parts": [[name, len(blob)] for name, blob in parts]}
    return json.dumps(head, sort_keys=True).encode("utf-8") + b"\n" + b"".join(blob for _, blob in parts)


@dataclass(frozen=True)
class _Done:
    error: str | None
    parts: dict[str, bytes]
    display: tuple[int, int] | None


def _unpack_image(payload: bytes) -> _Done | None:
    head, sep, rest = payload.partition(b"\n")
    try:
        meta = json.loads(head)
        parts: dict[str, bytes] = {}
        pos = 0
        for name, n in meta["parts"]:
            parts[str(name)] = rest[pos : pos + int(n)]
            pos += int(n)
        error = meta["error"]
        display = meta["display"]
        size = (int(display[0]), int(display[1])) if display is not None else None
    except (ValueError, KeyError, TypeError, IndexError):
        return None
    return _Done(error if isinstance(error, str) else None, parts, size) if sep and pos == len(rest) else None


def _succeeded(payload: bytes) -> bool:
    unpacked = _unpack_image(payload)
    return unpacked is not None and unpacked.error is None


def _planned(rel: str, done: _Done) -> list[tuple[str, str, int | None]]:
    """(output name, part, width or None for full size) of every file the image wants beside it."""
    stem = posixpath.splitext(rel)[0]
    out: list[tuple[str, str, int | None]] = [(stem + s, s, None) for s in VARIANT_SUFFIXES]
    for part in done.parts:
        if part.startswith("w"):
            width_text, _, modern = part[1:].partition(".")
            out.append((width_name(rel, int(width_text), "." + modern if modern else None), part, int(width_text)))
    return out


def optimize_images(
    sources: list[tuple[str, Path]],
    out: Path,
    cache: ContentCache,
    quality: int,
    widths: tuple[int, ...],
    jobs: int | None,
    stats: ImageStats,
    warnings: list[BundleWarning],
    extra: Mapping[str, tuple[int, ...]] | None = None,
) -> tuple[dict[str, bytes], dict[str, ManifestImage]]:
    """Optimize every JPEG/PNG/GIF source; write and prune the variants and width copies (at
    ``widths``, and for an image in ``extra`` at its widths there too: ``picture_widths.py``).

    Returns the bytes to ship in place of the sources that got smaller, and the manifest entry of
    every image that could be read (its size, the shipped file and every candidate per format)."""
    images = [(rel, src) for rel, src in sources if posixpath.splitext(rel)[1].lower() in OPTIMIZABLE]
    names = {rel for rel, _ in sources}
    keys: dict[str, str] = {}
    tasks: list[Task[tuple[str, str, int, tuple[int, ...]]]] = []
    for rel, src in images:
        data = src.read_bytes()
        stats.files += 1
        stats.bytes_before += len(data)
        own = tuple(sorted(set(widths) | set(extra[rel]))) if extra and rel in extra else widths
        key = sha256(f"{sha256(data)}-q{quality}-w{','.join(map(str, own))}-{ENCODER_SETTINGS}".encode())
        keys[rel] = key
        tasks.append(Task(key, (str(src), posixpath.splitext(rel)[1], quality, own), len(data)))
    # Failures are not cached: they are cheap (refused at the header or at the first bad byte) and a
    # fixed Pillow or a re-saved file should be tried again.
    payloads, stats.processed = cached_map(
        _image_job, tasks, cache, IMAGE_STEP, jobs=jobs, valid=lambda p: _unpack_image(p) is not None, keep=_succeeded
    )
    done: dict[str, _Done] = {}
    for rel, key in keys.items():
        unpacked = _unpack_image(payloads[key])
        assert unpacked is not None  # cached_map returns only payloads it accepted, or fresh ones
        done[rel] = unpacked
    # Who claims each generated name: a name wanted by two images is nobody's.
    claims: dict[str, list[str]] = {}
    for rel, _ in images:
        for name, _, _ in _planned(rel, done[rel]):
            claims.setdefault(name, []).append(rel)
    replaced: dict[str, bytes] = {}
    entries: dict[str, ManifestImage] = {}
    produced_all: set[str] = set()
    for rel, src in images:
        item = done[rel]
        if item.error is not None:
            warnings.append(BundleWarning(rel, None, f"image not optimized, copied as it is: {item.error}"))
        if "data" in item.parts:
            replaced[rel] = item.parts["data"]
            stats.replaced.append(rel)
        shipped = len(item.parts["data"]) if "data" in item.parts else src.stat().st_size
        stats.bytes_after += shipped
        full: list[str] = []
        scaled: list[str] = []
        candidates: dict[str, list[ManifestCandidate]] = {}
        if item.display is not None:
            candidates[mime_type(rel)] = [ManifestCandidate(rel, item.display[0], shipped)]
        for name, part, width in _planned(rel, item):
            what = f"{posixpath.splitext(name)[1]} variant" if width is None else f"{width}px copy"
            if name in names:
                if part in item.parts:
                    warnings.append(BundleWarning(rel, None, f"no {what}: {name} is a source file"))
                continue  # never overwrite or remove what the sources ship
            if part in item.parts and len(claims[name]) == 1:
                stats.written += write_if_changed(out / name, item.parts[part])
                (full if width is None else scaled).append(name)
                if item.display is not None:
                    candidates.setdefault(mime_type(name), []).append(ManifestCandidate(name, width or item.display[0], len(item.parts[part])))
                continue
            if part in item.parts:
                others = ", ".join(r for r in claims[name] if r != rel)
                warnings.append(BundleWarning(rel, None, f"no {what}: {name} would also be the {'variant' if width is None else 'copy'} of {others}"))
            if width is None and (out / name).is_file():  # written by an earlier build, no longer produced
                (out / name).unlink()
                stats.removed.append(name)
        produced_all.update(full + scaled)
        if full:
            stats.variants[rel] = tuple(full)
        if scaled:
            stats.widths[rel] = tuple(scaled)
        if item.display is not None:
            ordered = {m: tuple(sorted(c, key=lambda c: (-c.width, c.name))) for m, c in candidates.items()}
            entries[rel] = ManifestImage(width=item.display[0], height=item.display[1], file=rel, bytes=shipped, candidates=ordered)
    stats.removed += _prune_widths(out, names, produced_all)
    return replaced, entries


def _prune_widths(out: Path, names: set[str], produced: set[str]) -> list[str]:
    """Width copies (``*.<N>w.<ext>``) of earlier builds that this build did not produce.

    Only names of that exact shape are candidates, and never a source file's name; Django's hashed
    copies (``photo.480w.<hash>.jpg``) do not match and stay, like every file Django hashed."""
    removed = []
    for folder, dirs, files in os.walk(out):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))  # the cache may live in out/.assetopt-cache
        for filename in sorted(files):
            if not _WIDTH_RE.search(filename):
                continue
            path = Path(folder) / filename
            rel = path.relative_to(out).as_posix()
            if rel in names or rel in produced or not path.is_file():
                continue
            path.unlink()
            removed.append(rel)
    return removed
