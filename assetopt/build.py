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
import json
import os
import posixpath
import re
from concurrent.futures import ProcessPoolExecutor
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .bundler import BundleError, BundleWarning, Chunk, Joined, Source, join_css, join_js, minify_css, minify_js
from .bundles import BundleBlock, BundleSpecError, BundleVariant, bundle_blocks, bundle_key
from .cache import ContentCache, sha256
from .config import DeclaredBundle
from .images import OPTIMIZABLE, VARIANT_SUFFIXES, optimize_with_variants
from .errors import AssetoptError, TemplateError
from .fsutil import write_if_changed
from .manifest import MANIFEST_NAME, Manifest, ManifestBundle, ManifestFile
from .precompress import PrecompressStats, precompress_tree
from .project import Project
from .staticfiles import Lookup
from .assets import asset_of
from .tags import StartTag
from .templates import Template, block_spans

__all__ = ["BuildOptions", "BuildResult", "BuildError", "ImageStats", "build", "BUNDLE_DIR"]

BUNDLE_DIR = "assetopt"  # bundles live in <out>/assetopt/, so url() rebasing knows their folder
_JOIN_STEP = "join-2"
_IMAGE_STEP = "image-1"  # bump when images.py changes what it writes for the same input


class BuildError(AssetoptError):
    """One or more bundles cannot be built; ``errors`` lists each with its file and line."""

    def __init__(self, errors: list[AssetoptError]) -> None:
        lines = "\n".join(f"  {e}" for e in errors)
        super().__init__(f"{len(errors)} bundle problem(s), nothing written:\n{lines}")
        self.errors = errors


@dataclass(frozen=True)
class BuildOptions:
    out: Path
    hashed_names: bool = True  # False under Django's ManifestStaticFilesStorage, which hashes itself
    minify: bool = True
    copy_static: bool = True
    precompress: bool = True
    jobs: int | None = None
    write_manifest: bool = True  # False: the caller writes it (Django's storage, after its own hashing)
    images: bool = True  # with copy_static and config ``images``: optimize images in ``out``, add variants


@dataclass
class ImageStats:
    """The image step. ``variants`` maps each image (relative to ``out``) to its sibling WebP/AVIF
    files, for a ``<picture>`` rewrite: ``img/photo.jpg`` -> ``("img/photo.webp", "img/photo.avif")``."""

    files: int = 0  # JPEG/PNG/GIF files seen
    optimized: int = 0  # shipped re-encoded (under 95 % of the source)
    processed: int = 0  # decoded and encoded in this run (cache misses): 0 on a rebuild with nothing changed
    bytes_before: int = 0
    bytes_after: int = 0
    variants: dict[str, tuple[str, ...]] = field(default_factory=dict)
    written: int = 0  # variant files written or replaced
    removed: list[str] = field(default_factory=list)  # variants of earlier builds no longer produced


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


def _stem(template_name: str) -> str:
    base = template_name.rsplit(".", 1)[0]
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in base).strip("-") or "bundle"


def _integrity(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode("ascii")


_BUNDLE_RE = re.compile(rb"\{%-?\s*bundle\b")


def find_bundle_blocks(project: Project) -> tuple[list[BundleBlock], list[AssetoptError], list[BundleWarning]]:
    """Every bundle block. A template that cannot be read or parsed is an error only when it holds a
    ``{% bundle %}`` tag; otherwise it cannot matter to the build and is skipped with a warning."""
    blocks: list[BundleBlock] = []
    errors: list[AssetoptError] = []
    skipped: list[BundleWarning] = []
    for name in project.template_names():
        try:
            template = project.load(name)
        except TemplateError as exc:
            path = project.find_template(name)
            holds_bundle = path is not None and _BUNDLE_RE.search(path.read_bytes()) is not None
            if holds_bundle:
                errors.append(exc)
            else:
                skipped.append(BundleWarning(exc.path or name, exc.lineno, f"skipped ({exc.message}): it holds no {{% bundle %}} tag"))
            continue
        if _BUNDLE_RE.search(template.source.encode("utf-8")) is None:
            continue
        try:
            blocks.extend(bundle_blocks(template, project.config.static_url))
        except BundleSpecError as exc:
            errors.append(exc)
    return blocks, errors, skipped


def _declared_block(d: DeclaredBundle, source: str) -> BundleBlock:
    """A bundle from ``[tool.assetopt.bundles.NAME]``, keyed exactly like a block listing the same files."""
    paths = tuple(posixpath.normpath(f) for f in d.files)
    variant = BundleVariant(d.kind, paths, d.semantics, bundle_key(d.kind, paths, d.semantics))
    return BundleBlock(template=f"{source} [bundles.{d.name}]", name=d.name, lineno=0, kind=d.kind, variants=(variant,))


_MINJS_STEP = "minify-js-1"


def _minify_js_job(args: tuple[str, str]) -> tuple[str, BundleWarning | None]:
    return minify_js(args[0], args[1])


def _js_minifier(project: Project, blocks: list[BundleBlock], cache: ContentCache, options: BuildOptions) -> Callable[[str, str], tuple[str, BundleWarning | None]]:
    """Minify every script the JS bundles use once, in parallel and cached by content.

    rjsmin is fast; the damage check around it (two passes of a pure-Python lexer) is not, so the
    files are spread over processes, largest first. Returns the minifier ``join_js`` then calls."""
    done: dict[str, tuple[str, BundleWarning | None]] = {}
    todo: dict[str, tuple[str, str]] = {}
    for block in blocks:
        for variant in block.variants:
            if variant.kind != "js":
                continue
            for logical in variant.paths:
                found = project.static.find(logical)
                if found.status is not Lookup.FOUND or found.file is None:
                    continue  # reported by the main loop
                try:
                    text = found.file.read_bytes().decode("utf-8-sig")
                except UnicodeDecodeError:
                    continue  # reported by the main loop
                key = sha256(f"{logical}\0{text}".encode("utf-8"))
                if key in done or key in todo:
                    continue
                hit = cache.get(_MINJS_STEP, key)
                if hit is not None:
                    try:
                        data = json.loads(hit)
                        w = data["warning"]
                        done[key] = (data["text"], BundleWarning(w["path"], w["lineno"], w["message"]) if w else None)
                        continue
                    except (ValueError, KeyError, TypeError):
                        pass
                todo[key] = (text, logical)
    if todo:
        keys = sorted(todo, key=lambda k: -len(todo[k][0]))
        workers = min(options.jobs or os.cpu_count() or 1, len(keys))
        if workers > 1:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                outs = list(pool.map(_minify_js_job, [todo[k] for k in keys], chunksize=1))
        else:
            outs = [_minify_js_job(todo[k]) for k in keys]
        for key, (text, warning) in zip(keys, outs):
            done[key] = (text, warning)
            w = {"path": warning.path, "lineno": warning.lineno, "message": warning.message} if warning else None
            cache.put(_MINJS_STEP, key, json.dumps({"text": text, "warning": w}).encode("utf-8"))

    def minifier(text: str, path: str) -> tuple[str, BundleWarning | None]:
        hit = done.get(sha256(f"{path}\0{text}".encode("utf-8")))
        return hit if hit is not None else minify_js(text, path)

    return minifier


def _join(
    kind: str,
    sources: list[Source],
    folder_path: str,
    minify: bool,
    read: Callable[[str], str | None],
    cache: ContentCache,
    js_minifier: Callable[[str, str], tuple[str, BundleWarning | None]] | None = None,
) -> tuple[Joined, bool]:
    """Join with a content-addressed cache; returns (joined, cache hit).

    The key covers the sources; files pulled in by a local ``@import`` are recorded in the entry
    with their content hashes and checked on every hit, so an edited import is never served stale.
    """
    key_blob = json.dumps([_JOIN_STEP, kind, folder_path, minify, [(s.path, sha256(s.text.encode("utf-8"))) for s in sources]])
    key = sha256(key_blob.encode("utf-8"))
    cached = cache.get(_JOIN_STEP, key)
    if cached is not None:
        try:
            data = json.loads(cached)
            fresh = all(
                (text := read(path)) is not None and sha256(text.encode("utf-8")) == digest for path, digest in data["imports"]
            )
            if fresh:
                return Joined(
                    tuple(Chunk(c["text"], tuple(c["sources"])) for c in data["chunks"]),
                    tuple(BundleWarning(w["path"], w["lineno"], w["message"]) for w in data["warnings"]),
                ), True
        except (ValueError, KeyError, TypeError):
            pass  # a foreign entry: rebuild it
    imports: dict[str, str] = {}

    def recording_read(path: str) -> str | None:
        text = read(path)
        if text is not None:
            imports[path] = sha256(text.encode("utf-8"))
        return text

    if kind == "css":
        joined = join_css(sources, folder_path, minify=minify, read=recording_read)
    else:
        joined = join_js(sources, minify=minify, minifier=js_minifier)
    payload = {
        "chunks": [{"text": c.text, "sources": list(c.sources)} for c in joined.chunks],
        "warnings": [{"path": w.path, "lineno": w.lineno, "message": w.message} for w in joined.warnings],
        "imports": sorted(imports.items()),
    }
    cache.put(_JOIN_STEP, key, json.dumps(payload).encode("utf-8"))
    return joined, False


def build(project: Project, options: BuildOptions) -> BuildResult:
    """Build every bundle of ``project`` into ``options.out``. Raises ``BuildError`` before writing."""
    cfg = project.config
    cache = ContentCache(cfg.cache_dir)
    blocks, errors, skipped = find_bundle_blocks(project)
    blocks += [_declared_block(d, cfg.source) for d in cfg.bundles]

    def read_text(logical: str) -> str | None:
        found = project.static.find(logical)
        if found.status is not Lookup.FOUND or found.file is None:
            return None
        data = found.file.read_bytes()
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            # join_css only expects BundleError: a raw decode error would crash the whole build.
            raise BundleError(f"not UTF-8 (byte offset {exc.start})", path=logical, hint="re-save it as UTF-8") from None

    js_minifier = _js_minifier(project, blocks, cache, options) if options.minify else None
    bundles: dict[str, ManifestBundle] = {}
    outputs: dict[str, bytes] = {}  # relative output path -> bytes
    result_warnings: list[BundleWarning] = list(skipped)
    hits = misses = 0
    for block in sorted(blocks, key=lambda b: (b.name, b.lineno)):
        for variant in block.variants:
            if variant.key in bundles:
                bundles[variant.key].templates.append((block.name, block.lineno))
                continue
            sources: list[Source] = []
            for logical in variant.paths:
                found = project.static.find(logical)
                if found.status is not Lookup.FOUND or found.file is None:
                    why = "points outside the static dirs" if found.status is Lookup.UNSAFE else "is not in the static dirs"
                    errors.append(BundleSpecError(f"{logical} {why}", path=block.template, lineno=block.lineno, hint="fix the path in the {% bundle %} block or add the file"))
                    continue
                try:
                    text = found.file.read_bytes().decode("utf-8-sig")
                except UnicodeDecodeError as exc:
                    errors.append(BundleSpecError(f"{logical} is not UTF-8 (byte offset {exc.start})", path=block.template, lineno=block.lineno, hint="re-save it as UTF-8"))
                    continue
                sources.append(Source(logical, text))
            if len(sources) != len(variant.paths):
                continue
            try:
                joined, hit = _join(variant.kind, sources, f"{BUNDLE_DIR}/x.{variant.kind}", options.minify, read_text, cache, js_minifier)
            except BundleError as exc:
                errors.append(BundleSpecError(f"{exc.message} (in the bundle at {block.template}:{block.lineno})", path=exc.path, lineno=exc.lineno, hint=exc.hint))
                continue
            hits += hit
            misses += not hit
            result_warnings.extend(joined.warnings)
            files = []
            for i, chunk in enumerate(joined.chunks):
                data = chunk.text.encode("utf-8")
                stem = f"{_stem(block.name)}-{variant.key[:8]}" + (f"-{i + 1}" if len(joined.chunks) > 1 else "")
                name = f"{BUNDLE_DIR}/{stem}.{sha256(data)[:12]}.{variant.kind}" if options.hashed_names else f"{BUNDLE_DIR}/{stem}.{variant.kind}"
                outputs[name] = data
                files.append(ManifestFile(name=name, integrity=_integrity(data), sources=chunk.sources, size=len(data)))
            bundles[variant.key] = ManifestBundle(
                key=variant.key, kind=variant.kind, semantics=variant.semantics, sources=variant.paths, files=tuple(files), templates=[(block.name, block.lineno)]
            )
    if errors:
        raise BuildError(errors)

    out = options.out
    result = BuildResult(manifest=Manifest(bundles=dict(sorted(bundles.items())), static_url=cfg.static_url), warnings=result_warnings, cache_hits=hits, cache_misses=misses)
    if options.copy_static:
        sources = _static_sources(project)
        do_images = options.images and cfg.images
        optimized = _optimize_images(sources, out, cache, cfg.image_quality, options.jobs, result) if do_images else {}
        result.copied = _copy_static(project, out, result, cache, cfg.minify_static, sources, optimized)
    for name, data in sorted(outputs.items()):
        if write_if_changed(out / name, data):
            result.written.append(name)
    if options.write_manifest:
        manifest_bytes = result.manifest.dumps().encode("utf-8")
        if write_if_changed(out / MANIFEST_NAME, manifest_bytes):
            result.written.append(MANIFEST_NAME)
    result.removed = _remove_stale(out / BUNDLE_DIR, {posixpath.basename(n) for n in outputs}, keep_hashed_copies=not options.hashed_names)
    if options.precompress:
        files = [out / n for n in outputs]
        if options.copy_static:
            files += [p for p in out.rglob("*") if p.is_file() and p.parent != out / BUNDLE_DIR]
        bundle_only = frozenset(out / p for p in _bundle_only_sources(project, blocks))
        result.precompress = precompress_tree([f for f in files if not f.name.endswith((".gz", ".br"))], cache, options.jobs, bundle_only)
    return result


def _bundle_only_sources(project: Project, blocks: list[BundleBlock]) -> set[str]:
    """Logical paths that bundles use and no template references outside a ``{% bundle %}`` block.

    Browsers fetch these only while bundling is rolled back, so they are precompressed fast rather
    than best (still compressed: a rollback must not make pages heavy)."""
    in_bundles = {p for b in blocks for v in b.variants for p in v.paths}
    elsewhere: set[str] = set()
    for name in project.template_names():
        try:
            template = project.load(name)
        except TemplateError:
            continue
        inside = block_spans(template, ("bundle",))
        for item in template.items:
            if not isinstance(item, StartTag) or any(s <= item.start < e for s, e in inside):
                continue
            asset = asset_of(item, template, project.config.static_url)
            if asset is not None and asset.ref is not None:
                elsewhere.update(asset.ref.paths)
    return in_bundles - elsewhere


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


def _copy_static(project: Project, out: Path, result: BuildResult, cache: ContentCache, minify: bool,
                 sources: list[tuple[str, Path]] | None = None, replaced: dict[str, bytes] | None = None) -> int:
    """Copy every static source file into ``out``, when changed; ``replaced`` files (optimized
    images) are written with those bytes instead, so an unchanged rebuild writes nothing."""
    copied = 0
    for rel, src in _static_sources(project) if sources is None else sources:
        dest = out / rel
        if replaced and rel in replaced:
            copied += write_if_changed(dest, replaced[rel])
            continue
        if minify and src.suffix.lower() in (".css", ".js") and ".min." not in src.name:
            if write_if_changed(dest, _minified(src, rel, cache, result)):
                copied += 1
            continue
        if write_if_changed(dest, src.read_bytes()):
            copied += 1
    return copied


def _minified(src: Path, rel: str, cache: ContentCache, result: BuildResult) -> bytes:
    """A single static file minified in place (same name, same folder: no url() rebasing needed).

    Anything that is not UTF-8 or that the minifier would damage is copied unchanged, with a warning."""
    data = src.read_bytes()
    key = sha256(data)
    step = "minify-single-1" + src.suffix.lower()
    hit = cache.get(step, key)
    if hit is not None:
        return hit
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.warnings.append(BundleWarning(rel, None, "not UTF-8: copied unminified"))
        return data
    if src.suffix.lower() == ".css":
        out = minify_css(text)
    else:
        out, warning = minify_js(text, rel)
        if warning is not None:
            result.warnings.append(warning)
    payload = out.encode("utf-8")
    cache.put(step, key, payload)
    return payload


_HASHED_COPY_RE = re.compile(r"\.[0-9a-f]{12}\.(?:css|js)$")


def _remove_stale(folder: Path, keep: set[str], keep_hashed_copies: bool = False) -> list[str]:
    """Bundles of earlier builds that no manifest entry names any more (and their .gz/.br).

    With ``keep_hashed_copies`` (unhashed names, hashed by Django's storage), ``x.<12 hex>.css``
    copies stay, as every file Django hashed does: pages served during a deploy still load them."""
    removed = []
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


# --- images: optimized in place in ``out`` (never the sources), WebP/AVIF siblings ---------------------
# Naming: ``img/photo.jpg`` gets ``img/photo.webp`` and ``img/photo.avif`` beside it, the names a
# <picture> rewrite derives from the <img> src. A variant name that a source file already has, or that
# two images would share (``photo.jpg`` and ``photo.png``), is skipped with a warning: never guessed.


def _image_job(job: tuple[str, str, int]) -> bytes:
    path, suffix, quality = job
    result, variants = optimize_with_variants(Path(path).read_bytes(), suffix, quality=quality)
    parts = ([("data", result.data)] if result.kept else []) + sorted(variants.items())
    head = {"error": result.error, "note": result.note, "parts": [[name, len(blob)] for name, blob in parts]}
    return json.dumps(head, sort_keys=True).encode("utf-8") + b"\n" + b"".join(blob for _, blob in parts)


def _unpack_image(payload: bytes) -> tuple[str | None, dict[str, bytes]] | None:
    head, sep, rest = payload.partition(b"\n")
    try:
        meta = json.loads(head)
        parts: dict[str, bytes] = {}
        pos = 0
        for name, n in meta["parts"]:
            parts[str(name)] = rest[pos : pos + int(n)]
            pos += int(n)
        error = meta["error"]
    except (ValueError, KeyError, TypeError):
        return None
    return (error if isinstance(error, str) else None, parts) if sep and pos == len(rest) else None


def _optimize_images(sources: list[tuple[str, Path]], out: Path, cache: ContentCache, quality: int, jobs: int | None, result: BuildResult) -> dict[str, bytes]:
    """Optimize every JPEG/PNG/GIF source (cached by content, misses in a process pool, largest first);
    write and prune the variants; return the bytes to ship in place of the sources that got smaller."""
    stats = result.images
    images = [(rel, src) for rel, src in sources if posixpath.splitext(rel)[1].lower() in OPTIMIZABLE]
    names = {rel for rel, _ in sources}
    stems: dict[str, list[str]] = {}
    for rel, _ in images:
        stems.setdefault(posixpath.splitext(rel)[0], []).append(rel)
    done: dict[str, tuple[str | None, dict[str, bytes]]] = {}
    todo: list[tuple[str, Path, str, int]] = []  # rel, file, cache key, size
    for rel, src in images:
        data = src.read_bytes()
        stats.files += 1
        stats.bytes_before += len(data)
        key = f"{sha256(data)}-q{quality}"
        hit = cache.get(_IMAGE_STEP, key)
        unpacked = _unpack_image(hit) if hit is not None else None
        if unpacked is not None:
            done[rel] = unpacked
        else:
            todo.append((rel, src, key, len(data)))
    if todo:
        todo.sort(key=lambda t: (-t[3], t[0]))  # largest first: a big photo must not wait behind a queue
        job_args = [(str(src), posixpath.splitext(rel)[1], quality) for rel, src, _, _ in todo]
        workers = min(jobs or os.cpu_count() or 1, len(todo))
        if workers > 1:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                packed = list(pool.map(_image_job, job_args, chunksize=1))
        else:
            packed = [_image_job(a) for a in job_args]
        for (rel, _, key, _), payload in zip(todo, packed):
            unpacked = _unpack_image(payload)
            assert unpacked is not None
            if unpacked[0] is None:
                # Failures are not cached: they are cheap (refused at the header or at the first
                # bad byte) and a fixed Pillow or a re-saved file should be tried again.
                cache.put(_IMAGE_STEP, key, payload)
            done[rel] = unpacked
            stats.processed += 1
    replaced: dict[str, bytes] = {}
    for rel, src in images:
        error, parts = done[rel]
        if error is not None:
            result.warnings.append(BundleWarning(rel, None, f"image not optimized, copied as it is: {error}"))
        if "data" in parts:
            replaced[rel] = parts["data"]
            stats.optimized += 1
        stats.bytes_after += len(parts["data"]) if "data" in parts else src.stat().st_size
        stem = posixpath.splitext(rel)[0]
        produced: list[str] = []
        for suffix in VARIANT_SUFFIXES:
            name = stem + suffix
            if name in names:
                if suffix in parts:
                    result.warnings.append(BundleWarning(rel, None, f"no {suffix} variant: {name} is a source file"))
                continue  # never overwrite or remove what the sources ship
            if suffix in parts and len(stems[stem]) == 1:
                stats.written += write_if_changed(out / name, parts[suffix])
                produced.append(name)
                continue
            if suffix in parts:
                others = ", ".join(r for r in stems[stem] if r != rel)
                result.warnings.append(BundleWarning(rel, None, f"no {suffix} variant: {name} would also be the variant of {others}"))
            if (out / name).is_file():  # written by an earlier build, no longer produced
                (out / name).unlink()
                stats.removed.append(name)
        if produced:
            stats.variants[rel] = tuple(produced)
    return replaced
