"""The build manifest: which built file(s) serve each bundle key. Read by the ``{% bundle %}`` tag.

Format (``assetopt-manifest.json`` at the root of the output static dir), documented in
``docs/manifest.md``::

    {"schema": "assetopt.manifest", "version": 1, "static_url": "/static/",
     "bundles": {"<key>": {"kind": "css", "semantics": "all", "sources": ["css/a.css", ...],
                           "files": [{"name": "assetopt/base-1a2b3c4d.0f1e2d3c4b5a.css",
                                      "integrity": "sha384-...", "sources": [...], "size": 1234}],
                           "templates": [["base.html", 12]]}}}

Optional ``"critical"`` in a CSS bundle (additive, same version): the CSS its pages' first screen uses,
measured in Chromium (``browser/critical.py``), inlined by the tag (``docs/critical-css.md``), with
what it was measured from, so a later build can carry it over while that is unchanged.

Optional ``"images"`` (additive, same version): per source image its displayed size, the shipped file
and every candidate per MIME type (WebP/AVIF, ``srcset`` widths), read by ``{% picture %}``.

Deterministic: sorted keys, no timestamps (but the ``"measured_at"`` of a browser run's critical CSS,
which a build carries over as it is). ``load_manifest`` validates every entry and raises
``ManifestError`` naming the file and the entry when something is off.

``BUNDLE_DIR`` and ``MANIFEST_NAME`` are the names a build reserves in its output; ``integrity`` is the
SRI value each file entry carries.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ManifestError

if TYPE_CHECKING:
    from ..config import Config

__all__ = [
    "BUNDLE_DIR",
    "MANIFEST_NAME",
    "Manifest",
    "ManifestBundle",
    "ManifestFile",
    "ManifestImage",
    "ManifestCandidate",
    "ManifestCritical",
    "ManifestError",
    "integrity",
    "load_manifest",
    "manifest_file",
    "mime_type",
]

_IMAGE_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif", ".webp": "image/webp", ".avif": "image/avif"}


def integrity(data: bytes) -> str:
    """The SRI ``integrity`` value of exactly these bytes."""
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode("ascii")


def mime_type(name: str) -> str:
    """The MIME type an image file's candidates are listed under in the manifest's ``"images"``."""
    return _IMAGE_TYPES.get(Path(name).suffix.lower(), "application/octet-stream")


BUNDLE_DIR = "assetopt"  # bundles live in <out>/assetopt/, so url() rebasing knows their folder
MANIFEST_NAME = "assetopt-manifest.json"
SCHEMA = "assetopt.manifest"
VERSION = 1


def manifest_file(config: Config) -> Path:
    """The manifest of ``config``'s static root, for every reader and writer of the command line:
    ``config.manifest`` when set (``manage.py assetopt`` sets it from ``ASSETOPT["MANIFEST"]``, the
    file collectstatic writes and the tags read), else ``<out>/assetopt-manifest.json``. A command's
    ``--out`` names another static root with its own manifest (``config.with_out``)."""
    return config.manifest if config.manifest is not None else config.out / MANIFEST_NAME


@dataclass(frozen=True, slots=True)
class ManifestFile:
    name: str
    integrity: str
    sources: tuple[str, ...]
    size: int


@dataclass(frozen=True, slots=True)
class ManifestCritical:
    """A CSS bundle's critical CSS: its text (``url()`` relative to the bundle file, as in it), the CSP
    hash of that text (``'sha256-...'``) and the pages and viewports it was measured on.

    What it was measured from (additive, same version; absent in manifests of older assetopt, whose
    critical CSS a build never carries over: ``build/critical_carry.py``): the version of the
    measuring algorithm, the SRI ``integrity`` of the bundle file measured, a digest of every template
    the pages could render, and when (UTC, ISO 8601)."""

    css: str
    hash: str
    pages: tuple[str, ...]
    viewports: tuple[str, ...]
    algorithm: int | None = None
    integrity: str | None = None
    templates_digest: str | None = None
    measured_at: str | None = None


@dataclass
class ManifestBundle:
    key: str
    kind: str
    semantics: str
    sources: tuple[str, ...]
    files: tuple[ManifestFile, ...]
    templates: list[tuple[str, int]] = field(default_factory=list)
    critical: ManifestCritical | None = None  # CSS bundles after a browser run (``"critical"``, additive in v1)


@dataclass(frozen=True, slots=True)
class ManifestCandidate:
    """One file a browser may pick for an image: its name (under the output root), width, bytes."""

    name: str
    width: int
    bytes: int


@dataclass(frozen=True)
class ManifestImage:
    """An optimized image (``"images"`` section): displayed size, the shipped file and every candidate
    per MIME type, widest first; the source format's list starts with ``file`` itself."""

    width: int
    height: int
    file: str
    bytes: int
    candidates: dict[str, tuple[ManifestCandidate, ...]]


@dataclass
class Manifest:
    bundles: dict[str, ManifestBundle]
    static_url: str = "/static/"
    images: dict[str, ManifestImage] = field(default_factory=dict)  # logical path -> entry (additive in v1)

    def as_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "version": VERSION,
            "static_url": self.static_url,
            "bundles": {
                k: {
                    "kind": b.kind,
                    "semantics": b.semantics,
                    "sources": list(b.sources),
                    "files": [{"name": f.name, "integrity": f.integrity, "sources": list(f.sources), "size": f.size} for f in b.files],
                    "templates": [list(t) for t in sorted(b.templates)],
                }
                | ({} if b.critical is None else {"critical": _critical_dict(b.critical)})
                for k, b in sorted(self.bundles.items())
            },
        } | ({"images": self.images_dict()} if self.images else {})  # absent when no image was built

    def images_dict(self) -> dict[str, Any]:
        return {
            path: {
                "width": i.width,
                "height": i.height,
                "file": i.file,
                "bytes": i.bytes,
                "candidates": {mime: [{"name": c.name, "width": c.width, "bytes": c.bytes} for c in cs] for mime, cs in sorted(i.candidates.items())},
            }
            for path, i in sorted(self.images.items())
        }

    def dumps(self) -> str:
        return json.dumps(self.as_dict(), indent=1, sort_keys=True, ensure_ascii=False) + "\n"


_MEASURED_FROM = ("algorithm", "integrity", "templates_digest", "measured_at")


def _critical_dict(c: ManifestCritical) -> dict[str, Any]:
    out: dict[str, Any] = {"css": c.css, "hash": c.hash, "pages": list(c.pages), "viewports": list(c.viewports)}
    return out | {name: getattr(c, name) for name in _MEASURED_FROM if getattr(c, name) is not None}


def _critical_entry(key: str, c: Any) -> ManifestCritical | None:
    if c is None:
        return None
    entry = ManifestCritical(
        str(c["css"]),
        str(c["hash"]),
        tuple(map(str, c["pages"])),
        tuple(map(str, c["viewports"])),
        algorithm=c.get("algorithm"),
        integrity=c.get("integrity"),
        templates_digest=c.get("templates_digest"),
        measured_at=c.get("measured_at"),
    )
    if not entry.hash.startswith("sha256-"):
        raise ValueError(f"bundle {key}: critical hash {entry.hash!r} is not a sha256- CSP hash")
    if entry.algorithm is not None and (type(entry.algorithm) is not int or entry.algorithm < 1):
        raise ValueError(f"bundle {key}: critical algorithm {entry.algorithm!r} is not a positive whole number")
    for name, prefix in (("integrity", "sha384-"), ("templates_digest", "sha256-"), ("measured_at", "")):
        value = getattr(entry, name)
        if value is not None and not (isinstance(value, str) and value.startswith(prefix)):
            raise ValueError(f"bundle {key}: critical {name} {value!r} is not a {prefix or 'date'} string")
    return entry


def load_manifest(path: Path) -> Manifest:
    where = str(path)
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise
    except (OSError, ValueError, RecursionError) as exc:  # RecursionError: absurdly nested JSON
        raise ManifestError(f"unreadable manifest: {exc}", path=where, hint="run `assetopt build` again") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise ManifestError("not an assetopt manifest", path=where, hint="run `assetopt build` again")
    if data.get("version") != VERSION:
        raise ManifestError(
            f"manifest version {data.get('version')!r}, this assetopt reads {VERSION}", path=where, hint="rebuild with this version: `assetopt build`"
        )
    bundles: dict[str, ManifestBundle] = {}
    try:
        for key, b in data["bundles"].items():
            files = tuple(ManifestFile(str(f["name"]), str(f["integrity"]), tuple(map(str, f["sources"])), int(f["size"])) for f in b["files"])
            if not files or not all(f.integrity.startswith("sha384-") for f in files):
                raise ValueError(f"bundle {key}: no files or a bad integrity value")
            bundles[key] = ManifestBundle(
                key,
                str(b["kind"]),
                str(b["semantics"]),
                tuple(map(str, b["sources"])),
                files,
                [tuple(t) for t in b.get("templates", [])],  # type: ignore[misc]
                _critical_entry(key, b.get("critical")),
            )
        images = {str(path): _image_entry(path, i) for path, i in data.get("images", {}).items()}
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:  # Overflow: int(Infinity)
        raise ManifestError(f"malformed manifest entry: {exc}", path=where, hint="run `assetopt build` again") from None
    return Manifest(bundles=bundles, static_url=str(data.get("static_url", "/static/")), images=images)


def _image_entry(path: str, i: Any) -> ManifestImage:
    candidates = {
        str(mime): tuple(ManifestCandidate(str(c["name"]), int(c["width"]), int(c["bytes"])) for c in cs) for mime, cs in i["candidates"].items()
    }
    if any(not cs or any(c.width <= 0 for c in cs) for cs in candidates.values()):
        raise ValueError(f"image {path}: a format without candidates or a width that is not positive")
    return ManifestImage(int(i["width"]), int(i["height"]), str(i["file"]), int(i["bytes"]), candidates)
