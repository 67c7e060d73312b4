"""The build manifest: which built file(s) serve each bundle key. Read by the ``{% bundle %}`` tag.

Format (``assetopt-manifest.json`` at the root of the output static dir), documented in
``docs/manifest.md``::

    {"schema": "assetopt.manifest", "version": 1, "static_url": "/static/",
     "bundles": {"<key>": {"kind": "css", "semantics": "all", "sources": ["css/a.css", ...],
                           "files": [{"name": "assetopt/base-1a2b3c4d.0f1e2d3c4b5a.css",
                                      "integrity": "sha384-...", "sources": [...], "size": 1234}],
                           "templates": [["base.html", 12]]}}}

Deterministic: sorted keys, no timestamps. ``load_manifest`` validates every entry and raises
``ManifestError`` naming the file and the entry when something is off.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import AssetoptError

__all__ = ["MANIFEST_NAME", "Manifest", "ManifestBundle", "ManifestFile", "ManifestError", "load_manifest"]

MANIFEST_NAME = "assetopt-manifest.json"
SCHEMA = "assetopt.manifest"
VERSION = 1


class ManifestError(AssetoptError):
    pass


@dataclass(frozen=True, slots=True)
class ManifestFile:
    name: str
    integrity: str
    sources: tuple[str, ...]
    size: int


@dataclass
class ManifestBundle:
    key: str
    kind: str
    semantics: str
    sources: tuple[str, ...]
    files: tuple[ManifestFile, ...]
    templates: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class Manifest:
    bundles: dict[str, ManifestBundle]
    static_url: str = "/static/"

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
                for k, b in sorted(self.bundles.items())
            },
        }

    def dumps(self) -> str:
        return json.dumps(self.as_dict(), indent=1, sort_keys=True, ensure_ascii=False) + "\n"


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
        raise ManifestError(f"manifest version {data.get('version')!r}, this assetopt reads {VERSION}", path=where, hint="rebuild with this version: `assetopt build`")
    bundles: dict[str, ManifestBundle] = {}
    try:
        for key, b in data["bundles"].items():
            files = tuple(ManifestFile(str(f["name"]), str(f["integrity"]), tuple(map(str, f["sources"])), int(f["size"])) for f in b["files"])
            if not files or not all(f.integrity.startswith("sha384-") for f in files):
                raise ValueError(f"bundle {key}: no files or a bad integrity value")
            bundles[key] = ManifestBundle(key, str(b["kind"]), str(b["semantics"]), tuple(map(str, b["sources"])), files, [tuple(t) for t in b.get("templates", [])])  # type: ignore[misc]
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:  # Overflow: int(Infinity)
        raise ManifestError(f"malformed manifest entry: {exc}", path=where, hint="run `assetopt build` again") from None
    return Manifest(bundles=bundles, static_url=str(data.get("static_url", "/static/")))
