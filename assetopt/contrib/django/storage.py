"""The collectstatic hook: ``STORAGES["staticfiles"]["BACKEND"] = "assetopt.contrib.django.storage.AssetoptManifestStaticFilesStorage"``.

``post_process`` (design decision 7), in this order:

1. builds every ``{% bundle %}`` variant into ``STATIC_ROOT/assetopt/`` under *unhashed* names and
   adds them to collectstatic's ``paths``;
2. images (``ASSETOPT["IMAGES"]``, with the build): optimized images replace their collected copies,
   and their WebP/AVIF and ``srcset`` width files are added to ``paths`` too, so Django hashes them all;
3. ``ASSETOPT["MINIFY_STATIC"]``: each collected CSS/JS/SVG file (not ``*.min.*``, not a bundle) is
   replaced in ``STATIC_ROOT`` by the bytes ``assetopt build`` ships for it (``minify_static_file``,
   the same function), and ``paths`` points Django at that copy. So the hashed file and its
   ``.gz``/``.br`` are the minified bytes, and Django's ``url()`` rewriting runs on the minified CSS
   (rcssmin keeps ``url()``). A file the minifier would damage (or not UTF-8, or an SVG svgmin
   refuses) ships unminified, with a warning naming it in collectstatic's output (stderr);
4. hands everything to ``ManifestStaticFilesStorage``, which hashes the bundles like any file (once:
   the build did not hash them) and rewrites ``url()``s to hashed names; then django-compressor's
   offline compression when the project uses it (``compress.py``);
5. precompresses every text file of ``STATIC_ROOT`` (``.gz``/``.br``, cached by content);
6. writes ``assetopt-manifest.json`` last, with each bundle's SRI ``integrity`` computed from the
   file Django serves (the hashed copy, whose ``url()``s Django rewrote), not from the build's copy;
   critical CSS the manifest it replaces had (``manage.py assetopt critical``) is carried over while
   that integrity and every template are what it was measured from, else dropped, with a logged
   line each way (``build/critical_carry.py``).

Incremental: the build, the minifying and the compression are cached by content and write only what
changed, and Django's habit of deleting and re-saving every CSS/JS file and ``staticfiles.json`` on
each run is turned into "rewrite only when the bytes differ". A second run with nothing changed
rewrites no file. A minified copy is newer than its source, so collectstatic skips re-copying it
("not modified"); step 3 therefore always minifies from the source, never from the collected copy.

Errors are yielded as ``(path, None, error)``; collectstatic raises the first, and its message names
the template or CSS file to fix (``missing_refs.py`` finds the reference behind Django's "could not be
found"). On an error the previous manifests stay, so the site keeps serving the previous build.

This module holds the storage and the order of the steps; step 3, and giving back the source bytes of
an image step 2 no longer replaces, live in ``collected.py``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Generator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
from django.contrib.staticfiles.utils import matches_patterns
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile, File
from django.core.management.base import CommandError

from ...build import (
    BUNDLE_DIR,
    BuildOptions,
    BuildResult,
    build,
    integrity,
)
from ...build.bundle_only import bundle_only_sources
from ...build.critical_carry import carry_critical, previous_manifest, templates_digest
from ...build.manifest import MANIFEST_NAME, Manifest, ManifestFile
from ...build.precompress import PrecompressStats, precompress_tree
from ...errors import AssetoptError, BuildError, BundleWarning, StaticReferenceError
from ...io.cache import ContentCache
from ...io.css_spans import cached_inert_spans
from ...io.fs import write_if_changed
from ...io.project import Project
from ...text.compress import fallback_fonts
from ...text.css import in_spans, inert_spans
from . import compress as offline_compress
from . import conf
from .collected import minify_collected, restore_images
from .missing_refs import explain_missing
from .project import config_from_settings

__all__ = ["AssetoptManifestStaticFilesStorage", "StaticReferenceError"]

logger = logging.getLogger("assetopt")


def _as_command_error(error: Exception) -> CommandError:
    """collectstatic raises the exception we yield; ``manage.py`` prints a ``CommandError`` as one
    paragraph and exits 1, anything else as a traceback."""
    if isinstance(error, CommandError):
        return error
    if isinstance(error, (AssetoptError, ImproperlyConfigured)):
        wrapped = CommandError(str(error))
    else:
        wrapped = CommandError(f"{type(error).__name__}: {error}")
    wrapped.__cause__ = error
    return wrapped


def _noting(steps: Generator[tuple[str, str | None, Any], None, bool], written: list[str]) -> Generator[tuple[str, str | None, Any], None, bool]:
    """``steps`` passed through, with the name of each file it reports written added to ``written``."""
    while True:
        try:
            item = next(steps)
        except StopIteration as stop:
            return bool(stop.value)
        if item[2] is True and item[1] is not None:
            written.append(item[1])
        yield item


def _log_warnings(warnings: list[BundleWarning]) -> None:
    """Warnings go to the ``assetopt`` logger: collectstatic prints them (stderr) and carries on."""
    for warning in warnings:
        where = f"{warning.path}:{warning.lineno}" if warning.lineno else warning.path
        logger.warning("assetopt: %s: %s", where, warning.message)


class AssetoptManifestStaticFilesStorage(ManifestStaticFilesStorage):
    """``ManifestStaticFilesStorage`` that builds assetopt's bundles and precompresses the result."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deferred: set[str] | None = None  # deletes Django asked for during post_process
        self._spans_cache: ContentCache | None = None  # the build cache while post_process rewrites url()s
        self.last_build: BuildResult | None = None
        self.last_precompress: PrecompressStats | None = None
        self.last_minified: list[str] = []  # collected files rewritten by the MINIFY_STATIC step
        self.last_critical: list[str] = []  # critical CSS carried over from the manifest replaced, or dropped (why)

    # ------------------------------------------------------------------------------ post_process

    def post_process(self, paths: dict[str, tuple[Any, str]], dry_run: bool = False, **options: Any) -> Iterator[tuple[str, str | None, Any]]:
        """Every error we yield is a ``CommandError`` whose message names the file, the line and the fix."""
        for name, processed_path, processed in self._post_process_steps(paths, dry_run=dry_run, **options):
            if isinstance(processed, Exception):
                processed = _as_command_error(processed)
            yield name, processed_path, processed

    def _post_process_steps(self, paths: dict[str, tuple[Any, str]], dry_run: bool = False, **options: Any) -> Iterator[tuple[str, str | None, Any]]:
        if dry_run:
            yield from super().post_process(paths, dry_run=dry_run, **options)
            return
        reserved = [p for p in paths if p.startswith(BUNDLE_DIR + "/") or p == MANIFEST_NAME]
        for p in reserved:
            yield (
                p,
                None,
                StaticReferenceError(
                    f"the static file {p} is in assetopt's output folder {BUNDLE_DIR}/ (or is its manifest): it would be overwritten or deleted",
                    path=p,
                    hint="rename or move it",
                ),
            )
        if reserved:
            return
        try:
            config = config_from_settings()
        except ImproperlyConfigured as exc:
            yield "settings.ASSETOPT", None, exc
            return
        project = Project(config)
        try:
            result = build(
                project, BuildOptions(out=Path(self.location), hashed_names=False, copy_static=False, precompress=False, write_manifest=False)
            )
        except BuildError as exc:
            if len(exc.errors) > 1:
                logger.error("assetopt: %s", exc)  # collectstatic raises the first; the log lists them all
            for error in exc.errors:
                yield error.path or "{% bundle %}", None, error
            return
        self.last_build = result
        _log_warnings(result.warnings)
        bundle_files = {f.name: bundle for bundle in result.manifest.bundles.values() for f in bundle.files}
        for name in bundle_files:
            paths[name] = (self, name)
            yield name, name, True
        # Images: Django hashes the optimized copy in STATIC_ROOT (not the source), and the WebP/AVIF
        # and width files join staticfiles.json, so ``static()`` in {% picture %} finds them.
        for name in result.images.replaced:
            paths[name] = (self, name)
        restore_images(self, paths, set(result.images.replaced))
        for name in result.images.generated():
            paths[name] = (self, name)
            yield name, name, True
        sources = dict(paths)  # the files as authored: explain_missing reports lines of these, not of minified ones
        cache = ContentCache(config.cache_dir)
        ours = set(bundle_files) | set(result.images.replaced) | set(result.images.generated())
        minify_warnings, self.last_minified = minify_collected(self, paths, ours, cache, config.minify_static, config.js_minifier)
        _log_warnings(minify_warnings)

        self._deferred = set()
        self._spans_cache = cache
        completed = False
        try:
            for original, processed_path, processed in super().post_process(paths, dry_run=dry_run, **options):
                if isinstance(processed, Exception):
                    processed = explain_missing(original, processed, sources, result.manifest, self._patterns)
                yield original, processed_path, processed
            completed = True
        finally:
            pending, self._deferred, self._spans_cache = self._deferred, None, None
            if completed:  # on failure Django's deletes are dropped: the previous build stays whole
                for name in sorted(pending):
                    super().delete(name)
        if not completed:
            return
        compressed: list[str] = []  # what django-compressor's offline step wrote: served as it is
        if offline_compress.compressor_active():  # after Django's hashing, before precompression: docs/compressor.md
            if not (yield from _noting(offline_compress.offline_step(Path(self.location), project), compressed)):
                return  # a {% compress %} block the manifest lacks: nothing more is published

        manifest = self._served_manifest(result.manifest)
        self.last_precompress = self._precompress_served(project, result.manifest, compressed, cache)
        target = conf.manifest_path() or Path(self.location) / MANIFEST_NAME
        previous, unread = previous_manifest(target)
        manifest, dropped, kept = carry_critical(previous, manifest, lambda: templates_digest(project))
        self.last_critical = unread + dropped + kept
        for line in unread + dropped:  # a warning: stderr under Django's default logging
            logger.warning("assetopt: %s", line)
        for line in kept:  # news, not a problem: nothing for a CI or an error tracker that watches warnings
            logger.info("assetopt: %s", line)
        data = manifest.dumps().encode("utf-8")
        write_if_changed(target, data)

    def _precompress_served(self, project: Project, built: Manifest, extra: list[str], cache: ContentCache) -> PrecompressStats:
        """``.gz``/``.br`` beside what is served: the hashed names (``static()`` and whitenoise use
        those) and the files compressor wrote; never beside the unhashed copies, which nothing links
        to (compressing them too doubled the work), and a sibling an earlier version left beside an
        unhashed name is removed: it would go stale when the file changes. The brotli quality of
        each file is chosen as ``assetopt build`` chooses it, so both share cache entries."""
        root = Path(self.location)
        served = {h for h in self.hashed_files.values()} | set(extra)
        files = [root / name for name in sorted(served) if not name.endswith((".gz", ".br"))]
        used = {p for bundle in built.bundles.values() for p in bundle.sources}
        fast_paths = bundle_only_sources(project, used, cache).paths | fallback_fonts(self.hashed_files)
        fast = frozenset(root / self.hashed_files[p] for p in fast_paths if p in self.hashed_files)
        stats = precompress_tree([f for f in files if f.is_file()], cache, fast=fast)
        for name in sorted(set(self.hashed_files) - served):
            for ext in (".gz", ".br"):
                stale = root / (name + ext)
                if stale.is_file():
                    stale.unlink()
                    stats.removed += 1
        return stats

    def _served_manifest(self, built: Manifest) -> Manifest:
        """The build's manifest with each file's integrity and size taken from Django's hashed copy:
        ``ManifestStaticFilesStorage`` rewrites ``url()``s inside CSS, so its copy is not the build's."""
        bundles = {}
        for key, bundle in built.bundles.items():
            files = []
            for f in bundle.files:
                data = Path(self.path(self.stored_name(f.name))).read_bytes()
                files.append(ManifestFile(name=f.name, integrity=integrity(data), sources=f.sources, size=len(data)))
            bundles[key] = replace(bundle, files=tuple(files))
        return replace(built, bundles=bundles)  # images: Django does not rewrite them, sizes hold

    # ------------------------------------------------------------- references in comments are text

    def url_converter(self, name: str, hashed_files: dict[str, str], template: str | None = None) -> Callable[[re.Match[str]], str]:
        """Django's converter, except that a ``url()`` or ``@import`` inside a CSS comment or string
        is left as it is: ``/* background: url(old.jpg); */`` is not a request, and hashing it would
        fail the deploy when ``old.jpg`` is gone. ``/*# sourceMappingURL=... */`` is a comment by
        design and keeps Django's handling."""
        convert = super().url_converter(name, hashed_files, template)
        if not matches_patterns(name, ("*.css",)):
            return convert
        seen: list[Any] = [None, []]  # (text, its inert spans): one pattern.sub scans one text

        def converter(m: re.Match[str]) -> str:
            if m.group("matched").startswith("/*"):
                return convert(m)
            if seen[0] is not m.string:
                cache = self._spans_cache
                seen[0], seen[1] = m.string, (inert_spans(m.string) if cache is None else cached_inert_spans(m.string, cache))
            if in_spans(seen[1], m.start()):
                return m.group("matched")
            return convert(m)

        return converter

    # ------------------------------------------------ rewrite only what changed (during post_process)

    def delete(self, name: str) -> None:
        if self._deferred is not None:
            self._deferred.add(name)  # Django deletes right before saving again: decided in _save
            return
        super().delete(name)

    def _save(self, name: str, content: File) -> str:
        if self._deferred is None:
            return super()._save(name, content)
        self._deferred.discard(name)
        path = Path(self.path(name))
        if path.is_file():
            if hasattr(content, "seek"):
                content.seek(0)
            data = content.read()
            if isinstance(data, str):
                data = data.encode("utf-8")
            if path.read_bytes() == data:
                return self.clean_name(name)  # the same bytes: keep the file (and its mtime)
            super().delete(name)
            content = ContentFile(data)
        return super()._save(name, content)
