"""``assetopt build``: every ``{% bundle %}`` variant joined, minified, hashed and precompressed.

The I/O around the pure pieces: find bundle blocks in every template (scanning, no rendering), read
their sources, join them with ``bundler``, write the output static root and the manifest, and
precompress. Everything is computed before anything is written, so a failing build leaves the
previous output and manifest as they were; every file is written atomically.

Incremental: joined bundles and compressed bytes are cached by content (``cache.py``); copying static
files compares bytes first. A rebuild with nothing changed writes nothing.
"""

from __future__ import annotations

import base64
import hashlib
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..bundler import Source
from ..config import DeclaredBundle
from ..errors import AssetoptError, BuildError, BundleError, BundleSpecError, BundleWarning, TemplateError
from ..io.cache import ContentCache, sha256
from ..io.fs import refuse_output_dir
from ..io.lock import exclusive, lock_path_for
from ..io.project import Project
from ..io.staticfiles import Lookup
from ..templates.bundle_blocks import BundleBlock, BundleVariant, bundle_blocks, bundle_key
from ..text.compress import fallback_fonts
from ..text.css import decode_css
from .bundle_only import bundle_only_sources
from .critical_carry import carry_critical, previous_manifest, templates_digest
from .images import ImageStats, optimize_images
from .join import css_reader, join_cached
from .manifest import MANIFEST_NAME, Manifest, ManifestBundle, ManifestFile
from .minify import ScriptMinifier, minifies_in_place, minify_scripts, minify_static_file
from .precompress import PrecompressStats, precompress_tree, write_dropping_siblings

__all__ = ["BuildOptions", "BuildResult", "BuildError", "ImageStats", "build", "BUNDLE_DIR", "minifies_in_place", "minify_static_file", "integrity"]

BUNDLE_DIR = "assetopt"  # bundles live in <out>/assetopt/, so url() rebasing knows their folder


@dataclass(frozen=True)
class BuildOptions:
    out: Path
    hashed_names: bool = True  # False under Django's ManifestStaticFilesStorage, which hashes itself
    minify: bool = True
    copy_static: bool = True
    precompress: bool = True
    jobs: int | None = None
    write_manifest: bool = True  # False: the caller writes it (Django's storage, after its own hashing)
    manifest: Path | None = None  # where it is written (and earlier critical CSS read): None is out/assetopt-manifest.json
    images: bool = True  # with config ``images``: optimize images in ``out``, add variants and widths
    lock_timeout: float = 600.0  # seconds to wait for another build of the same ``out`` (or cache) to finish
    on_wait: Callable[[str], None] | None = None  # told once when this build has to wait for another


@dataclass
class BuildResult:
    manifest: Manifest
    warnings: list[BundleWarning] = field(default_factory=list)
    written: list[str] = field(default_factory=list)  # output files written or replaced (relative)
    copied: int = 0
    removed: list[str] = field(default_factory=list)
    precompress: PrecompressStats = field(default_factory=PrecompressStats)
    cache_hits: int = 0
    cache_misses: int = 0
    images: ImageStats = field(default_factory=ImageStats)
    scripts_minified: int = 0  # scripts minified (and damage-checked) in this run: cache misses
    templates_parsed: int = 0  # parsed to choose brotli quality (the rest were cached answers)
    stylesheets_expanded: list[str] = field(default_factory=list)  # bundled stylesheets re-expanded (cache misses), in order
    critical: list[str] = field(default_factory=list)  # critical CSS carried over from the manifest replaced, or dropped (why)


def _stem(template_name: str) -> str:
    base = template_name.rsplit(".", 1)[0]
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in base).strip("-") or "bundle"


def integrity(data: bytes) -> str:
    """The SRI ``integrity`` value of exactly these bytes."""
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode("ascii")


_BUNDLE_RE = re.compile(rb"\{%-?\s*bundle\b")


def find_bundle_blocks(project: Project) -> tuple[list[BundleBlock], list[AssetoptError]]:
    """Every bundle block, and the errors of the templates that hold a ``{% bundle %}`` tag (or might:
    one that cannot be read). Only those files are parsed: the others cannot matter to the build,
    which keeps this cheap enough for Django's system checks, which run it on every command."""
    blocks: list[BundleBlock] = []
    errors: list[AssetoptError] = []
    for name in project.all_template_names():
        path = project.find_template(name)
        if path is None:
            continue
        try:
            raw = path.read_bytes()
        except OSError as exc:
            errors.append(
                TemplateError(f"cannot read: {exc.strerror or exc}", path=project.display(path), hint="fix its permissions, or add it to exclude")
            )
            continue
        if _BUNDLE_RE.search(raw) is None:
            continue
        try:
            blocks.extend(bundle_blocks(project.load(name), project.config.static_url))
        except (TemplateError, BundleSpecError) as exc:
            errors.append(exc)
    return blocks, errors


def _declared_block(d: DeclaredBundle, source: str) -> BundleBlock:
    """A bundle from ``[tool.assetopt.bundles.NAME]``, keyed exactly like a block listing the same files."""
    paths = tuple(posixpath.normpath(f) for f in d.files)
    variant = BundleVariant(d.kind, paths, d.semantics, bundle_key(d.kind, paths, d.semantics))
    return BundleBlock(template=f"{source} [bundles.{d.name}]", name=d.name, lineno=0, kind=d.kind, variants=(variant,))


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
    blocks += [_declared_block(d, cfg.source) for d in cfg.bundles]
    static_files = _static_sources(project) if options.copy_static or (options.images and cfg.images) else []
    # Every script once, in parallel: the bundles and minify_static then read the same cache entries.
    scripts_minified = minify_scripts(_scripts(project, blocks, options, static_files), cache, options.jobs, cfg.js_minifier)
    js_minifier = ScriptMinifier(cache, cfg.js_minifier) if options.minify else None
    joined = _join_bundles(project, blocks, options, cache, js_minifier, errors)
    if errors:
        raise BuildError(errors)
    result = BuildResult(
        manifest=Manifest(bundles=dict(sorted(joined.bundles.items())), static_url=cfg.static_url),
        warnings=joined.warnings,
        cache_hits=joined.hits,
        cache_misses=joined.misses,
        stylesheets_expanded=joined.expanded,
    )
    result.scripts_minified = scripts_minified + (js_minifier.minified if js_minifier else 0)
    if options.write_manifest:  # Django's storage carries it over itself, onto the manifest it writes
        previous, result.critical = previous_manifest(_manifest_target(options))
        result.manifest, dropped, kept = carry_critical(previous, result.manifest, lambda: templates_digest(project))
        result.critical += dropped + kept
    _ship_static(project, options, cache, static_files, result)
    _write_outputs(options, joined.outputs, result)
    if options.precompress:
        _precompress(project, options, cache, blocks, joined.outputs, static_files, result)
    return result


@dataclass
class _Bundles:
    """What joining every bundle variant gives: the manifest entries and the bytes to write."""

    bundles: dict[str, ManifestBundle] = field(default_factory=dict)
    outputs: dict[str, bytes] = field(default_factory=dict)  # relative output path -> bytes
    warnings: list[BundleWarning] = field(default_factory=list)
    hits: int = 0
    misses: int = 0
    expanded: list[str] = field(default_factory=list)  # stylesheets expanded anew (per-source cache misses)


def _variant_sources(project: Project, block: BundleBlock, variant: BundleVariant, errors: list[AssetoptError]) -> list[Source] | None:
    """The decoded sources of one variant, or None (each problem appended to ``errors``)."""
    sources: list[Source] = []
    for logical in variant.paths:
        found = project.static.find(logical)
        if found.status is not Lookup.FOUND or found.file is None:
            why = "points outside the static dirs" if found.status is Lookup.UNSAFE else "is not in the static dirs"
            errors.append(
                BundleSpecError(
                    f"{logical} {why}", path=block.template, lineno=block.lineno, hint="fix the path in the {% bundle %} block or add the file"
                )
            )
            continue
        try:
            data = found.file.read_bytes()
            text = decode_css(data) if variant.kind == "css" else data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            errors.append(
                BundleSpecError(
                    f"{logical} is not {exc.encoding.upper()} (byte offset {exc.start})",
                    path=block.template,
                    lineno=block.lineno,
                    hint="re-save it as UTF-8",
                )
            )
            continue
        sources.append(Source(logical, text))
    return sources if len(sources) == len(variant.paths) else None


def _join_bundles(
    project: Project,
    blocks: list[BundleBlock],
    options: BuildOptions,
    cache: ContentCache,
    js_minifier: ScriptMinifier | None,
    errors: list[AssetoptError],
) -> _Bundles:
    """Every distinct variant joined once (a variant shared by templates is one file); problems go to ``errors``."""
    out = _Bundles()
    read_text = css_reader(project)
    for block in sorted(blocks, key=lambda b: (b.name, b.lineno)):
        for variant in block.variants:
            if variant.key in out.bundles:
                out.bundles[variant.key].templates.append((block.name, block.lineno))
                continue
            sources = _variant_sources(project, block, variant, errors)
            if sources is None:
                continue
            try:
                joined, hit = join_cached(
                    variant.kind, sources, f"{BUNDLE_DIR}/x.{variant.kind}", options.minify, read_text, cache, js_minifier, out.expanded
                )
            except BundleError as exc:
                errors.append(
                    BundleSpecError(
                        f"{exc.message} (in the bundle at {block.template}:{block.lineno})", path=exc.path, lineno=exc.lineno, hint=exc.hint
                    )
                )
                continue
            out.hits += hit
            out.misses += not hit
            out.warnings.extend(joined.warnings)
            files = []
            for i, chunk in enumerate(joined.chunks):
                data = chunk.text.encode("utf-8")
                stem = f"{_stem(block.name)}-{variant.key[:8]}" + (f"-{i + 1}" if len(joined.chunks) > 1 else "")
                name = f"{BUNDLE_DIR}/{stem}.{sha256(data)[:12]}.{variant.kind}" if options.hashed_names else f"{BUNDLE_DIR}/{stem}.{variant.kind}"
                out.outputs[name] = data
                files.append(ManifestFile(name=name, integrity=integrity(data), sources=chunk.sources, size=len(data)))
            out.bundles[variant.key] = ManifestBundle(
                key=variant.key,
                kind=variant.kind,
                semantics=variant.semantics,
                sources=variant.paths,
                files=tuple(files),
                templates=[(block.name, block.lineno)],
            )
    return out


def _ship_static(project: Project, options: BuildOptions, cache: ContentCache, static_files: list[tuple[str, Path]], result: BuildResult) -> None:
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
        result.copied = _copy_static(project, options.out, result, cache, cfg.minify_static, static_files, optimized)
    else:
        # Django's storage: collectstatic already copied the sources into ``out``; ship the smaller bytes
        for rel, data in sorted(optimized.items()):
            result.images.written += write_dropping_siblings(options.out / rel, data)


def _manifest_target(options: BuildOptions) -> Path:
    return options.manifest if options.manifest is not None else options.out / MANIFEST_NAME


def _write_outputs(options: BuildOptions, outputs: dict[str, bytes], result: BuildResult) -> None:
    """The bundles and the manifest, each written only when changed; bundles no manifest names go."""
    out = options.out
    for name, data in sorted(outputs.items()):
        if write_dropping_siblings(out / name, data):
            result.written.append(name)
    if options.write_manifest:
        manifest_bytes = result.manifest.dumps().encode("utf-8")
        target = _manifest_target(options)
        if write_dropping_siblings(target, manifest_bytes):
            result.written.append(target.relative_to(out).as_posix() if target.is_relative_to(out) else str(target))
    result.removed = _remove_stale(out / BUNDLE_DIR, {posixpath.basename(n) for n in outputs}, keep_hashed_copies=not options.hashed_names)


def _precompress(
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
        to_compress += [out / MANIFEST_NAME] if options.write_manifest and _manifest_target(options) == out / MANIFEST_NAME else []
    decided = bundle_only_sources(project, {p for b in blocks for v in b.variants for p in v.paths}, cache)
    result.templates_parsed = decided.parsed
    fast = frozenset(out / p for p in decided.paths | fallback_fonts(rel for rel, _ in static_files))
    result.precompress = precompress_tree([f for f in to_compress if not f.name.endswith((".gz", ".br"))], cache, options.jobs, fast)


def _static_sources(project: Project) -> list[tuple[str, Path]]:
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


def _copy_static(
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
    for rel, src in _static_sources(project) if sources is None else sources:
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


_HASHED_COPY_RE = re.compile(r"\.[0-9a-f]{12}\.(?:css|js)$")


def _remove_stale(folder: Path, keep: set[str], keep_hashed_copies: bool = False) -> list[str]:
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
