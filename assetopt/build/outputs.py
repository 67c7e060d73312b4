"""What a build writes last: its bundles and manifest (each only when changed), the removal of bundles
no manifest names any more, and the ``.gz``/``.br`` beside what it wrote."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

from ..io.cache import ContentCache
from ..io.project import Project
from ..templates.bundle_blocks import BundleBlock
from ..text.compress import fallback_fonts
from .bundle_only import bundle_only_sources
from .manifest import BUNDLE_DIR, MANIFEST_NAME
from .options import BuildOptions, BuildResult
from .precompress import precompress_tree, write_dropping_siblings

__all__ = ["precompress_outputs", "remove_stale", "write_outputs"]


def write_outputs(options: BuildOptions, outputs: dict[str, bytes], result: BuildResult) -> None:
    """The bundles and the manifest, each written only when changed; bundles no manifest names go."""
    out = options.out
    for name, data in sorted(outputs.items()):
        if write_dropping_siblings(out / name, data):
            result.written.append(name)
    if options.write_manifest:
        manifest_bytes = result.manifest.dumps().encode("utf-8")
        target = options.manifest_target
        if write_dropping_siblings(target, manifest_bytes):
            result.written.append(target.relative_to(out).as_posix() if target.is_relative_to(out) else str(target))
    result.removed = remove_stale(out / BUNDLE_DIR, {posixpath.basename(n) for n in outputs}, keep_hashed_copies=not options.hashed_names)


def precompress_outputs(
    project: Project,
    options: BuildOptions,
    cache: ContentCache,
    blocks: list[BundleBlock],
    outputs: dict[str, bytes],
    static_files: list[tuple[str, Path]],
    result: BuildResult,
) -> None:
    """``.gz``/``.br`` beside what this build wrote (not whatever else lives under ``out``); sources
    only bundles use get the fast brotli quality (browsers fetch them only while rolled back), and so
    do TTF/OTF/EOT fonts with a WOFF2 beside them (``fallback_fonts``)."""
    out = options.out
    to_compress = [out / n for n in outputs]
    if options.copy_static:
        to_compress += [out / rel for rel, _ in static_files] + [out / n for n in result.images.generated()]
        to_compress += [out / MANIFEST_NAME] if options.write_manifest and options.manifest_target == out / MANIFEST_NAME else []
    decided = bundle_only_sources(project, {p for b in blocks for v in b.variants for p in v.paths}, cache)
    result.templates_parsed = decided.parsed
    fast = frozenset(out / p for p in decided.paths | fallback_fonts(rel for rel, _ in static_files))
    result.precompress = precompress_tree([f for f in to_compress if not f.name.endswith((".gz", ".br"))], cache, options.jobs, fast)


_HASHED_COPY_RE = re.compile(r"\.[0-9a-f]{12}\.(?:css|js)$")


def remove_stale(folder: Path, keep: set[str], keep_hashed_copies: bool = False) -> list[str]:
    """Bundles of earlier builds that no manifest entry names any more (and their .gz/.br).

    With ``keep_hashed_copies`` (unhashed names, hashed by Django's storage), ``x.<12 hex>.css``
    copies stay, as every file Django hashed does: pages served during a deploy still load them."""
    removed: list[str] = []
    if not folder.is_dir():
        return removed
    for f in sorted(folder.iterdir()):
        base = f.name.removesuffix(".gz").removesuffix(".br")
        if keep_hashed_copies and _HASHED_COPY_RE.search(base):
            continue
        if f.is_file() and base not in keep:
            f.unlink()
            removed.append(f"{BUNDLE_DIR}/{f.name}")
    return removed
