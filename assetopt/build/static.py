"""The static files a build ships beside its bundles: found like collectstatic finds them, copied when
changed (minified with ``minify_static``), with the image step's optimized bytes in place of the sources."""

from __future__ import annotations

from pathlib import Path

from ..io.cache import ContentCache
from ..io.project import Project
from .images import optimize_images
from .manifest import BUNDLE_DIR, MANIFEST_NAME
from .minify import minifies_in_place, minify_static_file
from .options import BuildOptions, BuildResult
from .precompress import write_dropping_siblings

__all__ = ["copy_static", "ship_static", "static_sources"]


def ship_static(project: Project, options: BuildOptions, cache: ContentCache, static_files: list[tuple[str, Path]], result: BuildResult) -> None:
    """The image step and the copy of the other static files (minified with ``minify_static``)."""
    cfg = project.config
    do_images = options.images and cfg.images
    if not (options.copy_static or do_images):
        return
    optimized: dict[str, bytes] = {}
    if do_images:
        from .picture_widths import picture_widths

        optimized, result.manifest.images = optimize_images(
            static_files,
            options.out,
            cache,
            cfg.image_quality,
            cfg.image_widths,
            options.jobs,
            result.images,
            result.warnings,
            extra=picture_widths(project),
        )
    if options.copy_static:
        result.copied = copy_static(project, options.out, result, cache, cfg.minify_static, static_files, optimized)
    else:
        # Django's storage: collectstatic already copied the sources into ``out``; ship the smaller bytes
        for rel, data in sorted(optimized.items()):
            result.images.written += write_dropping_siblings(options.out / rel, data)


def static_sources(project: Project) -> list[tuple[str, Path]]:
    """Every static source file as (relative path, file): first dir wins, like collectstatic."""
    files: list[tuple[str, Path]] = []
    seen: set[str] = set()
    for root in project.config.static:
        for src in sorted(root.rglob("*")):
            if not src.is_file() or any(part.startswith(".") for part in src.relative_to(root).parts):
                continue
            rel = src.relative_to(root).as_posix()
            if rel in seen or rel.startswith(BUNDLE_DIR + "/") or rel == MANIFEST_NAME:
                continue
            seen.add(rel)
            if not src.resolve().is_relative_to(root.resolve()):
                continue  # a symlink out of the static dir: never read
            files.append((rel, src))
    return files


def copy_static(
    project: Project,
    out: Path,
    result: BuildResult,
    cache: ContentCache,
    minify: bool,
    sources: list[tuple[str, Path]] | None = None,
    replaced: dict[str, bytes] | None = None,
) -> int:
    """Copy every static source file into ``out``, when changed; ``replaced`` files (optimized
    images) are written with those bytes instead, so an unchanged rebuild writes nothing."""
    copied = 0
    for rel, src in static_sources(project) if sources is None else sources:
        dest = out / rel
        if replaced and rel in replaced:
            copied += write_dropping_siblings(dest, replaced[rel])
            continue
        if minify and minifies_in_place(rel):
            if write_dropping_siblings(dest, minify_static_file(src.read_bytes(), rel, cache, result.warnings, project.config.js_minifier)):
                copied += 1
            continue
        if write_dropping_siblings(dest, src.read_bytes()):
            copied += 1
    return copied
