"""``assetopt build``: every ``{% bundle %}`` variant joined, minified, hashed and precompressed.

The I/O around the pure pieces: find bundle blocks in every template (scanning, no rendering), read
their sources, join them with ``bundler``, write the output static root and the manifest, and
precompress. Everything is computed before anything is written, so a failing build leaves the
previous output and manifest as they were; every file is written atomically.

Incremental: joined bundles and compressed bytes are cached by content (``cache.py``); copying static
files compares bytes first. A rebuild with nothing changed writes nothing.

This module runs the steps in order; each lives in its own module: ``blocks`` (which bundles),
``bundles`` (joining every variant), ``static`` (images and the static copy), ``outputs`` (writing,
removing stale bundles, precompressing). ``options`` holds the values a build takes and returns.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import BuildError, BundleWarning
from ..io.cache import ContentCache
from ..io.fs import refuse_output_dir
from ..io.lock import exclusive, lock_path_for
from ..io.project import Project
from ..io.staticfiles import Lookup
from ..templates.bundle_blocks import BundleBlock
from .blocks import declared_block, find_bundle_blocks
from .bundles import join_bundles
from .critical_carry import carry_critical, previous_manifest, templates_digest
from .images import ImageStats
from .manifest import BUNDLE_DIR, Manifest, integrity
from .minify import ScriptMinifier, minifies_in_place, minify_scripts, minify_static_file
from .options import BuildOptions, BuildResult
from .outputs import precompress_outputs, write_outputs
from .static import ship_static, static_sources

__all__ = [
    "BuildOptions",
    "BuildResult",
    "BuildError",
    "ImageStats",
    "build",
    "BUNDLE_DIR",
    "find_bundle_blocks",
    "minifies_in_place",
    "minify_static_file",
    "integrity",
]


def _scripts(project: Project, blocks: list[BundleBlock], options: BuildOptions, static: list[tuple[str, Path]]) -> list[str]:
    """The text of every script this build minifies: the JS bundles' sources (with ``minify``) and the
    static scripts ``minify_static`` ships (when copying). Unreadable ones are reported elsewhere."""
    files: dict[Path, None] = {}
    if options.minify:
        for block in blocks:
            for variant in block.variants:
                for logical in variant.paths if variant.kind == "js" else ():
                    found = project.static.find(logical)
                    if found.status is Lookup.FOUND and found.file is not None:
                        files[found.file] = None
    if options.copy_static and project.config.minify_static:
        files.update((src, None) for rel, src in static if rel.lower().endswith(".js") and minifies_in_place(rel))
    texts = []
    for f in files:
        try:
            texts.append(f.read_bytes().decode("utf-8-sig"))
        except (OSError, UnicodeDecodeError):
            continue  # reported by the main loop
    return texts


def build(project: Project, options: BuildOptions) -> BuildResult:
    """Build every bundle of ``project`` into ``options.out``. Raises ``BuildError`` before writing.

    One build at a time per ``out`` and per cache dir (``io.lock``): a second build waits for the
    first (``options.on_wait`` says so) and fails naming its pid after ``options.lock_timeout``."""
    cfg = project.config
    refuse_output_dir(
        options.out, cfg, 'pass an --out outside the project\'s template and static dirs (e.g. build/static), or set out = "build" in [tool.assetopt]'
    )
    wait = options.on_wait or (lambda _m: None)
    with exclusive(lock_path_for(options.out), str(options.out), timeout=options.lock_timeout, on_wait=wait):
        with exclusive(cfg.cache_dir / ".assetopt-lock", f"the cache {cfg.cache_dir}", timeout=options.lock_timeout, on_wait=wait):
            return _build(project, options)


def _build(project: Project, options: BuildOptions) -> BuildResult:
    cfg = project.config
    cache = ContentCache(cfg.cache_dir)
    blocks, errors = find_bundle_blocks(project)
    blocks += [declared_block(d, cfg.source) for d in cfg.bundles]
    static_files = static_sources(project) if options.copy_static or (options.images and cfg.images) else []
    # Every script once, in parallel: the bundles and minify_static then read the same cache entries.
    scripts_minified = minify_scripts(_scripts(project, blocks, options, static_files), cache, options.jobs, cfg.js_minifier)
    js_minifier = ScriptMinifier(cache, cfg.js_minifier) if options.minify else None
    joined = join_bundles(project, blocks, options, cache, js_minifier, errors)
    if errors:
        raise BuildError(errors)
    notes = [BundleWarning(b.template, lineno, message) for b in blocks for lineno, message in b.notes]
    result = BuildResult(
        manifest=Manifest(bundles=dict(sorted(joined.bundles.items())), static_url=cfg.static_url),
        warnings=notes + joined.warnings,
        cache_hits=joined.hits,
        cache_misses=joined.misses,
        stylesheets_expanded=joined.expanded,
    )
    result.scripts_minified = scripts_minified + (js_minifier.minified if js_minifier else 0)
    if options.write_manifest:  # Django's storage carries it over itself, onto the manifest it writes
        previous, result.critical = previous_manifest(options.manifest_target)
        result.manifest, dropped, kept = carry_critical(previous, result.manifest, lambda: templates_digest(project))
        result.critical += dropped + kept
    ship_static(project, options, cache, static_files, result)
    write_outputs(options, joined.outputs, result)
    if options.precompress:
        precompress_outputs(project, options, cache, blocks, joined.outputs, static_files, result)
    return result
