"""Every distinct bundle variant joined once into its output file(s), with the manifest entry naming them.

Reads each variant's sources from the static dirs; writes nothing (``outputs.write_outputs`` does). A
variant shared by several templates is one file; every problem is collected, so a build reports them
all before it writes anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..bundler import Source
from ..errors import AssetoptError, BundleError, BundleSpecError, BundleWarning
from ..io.cache import ContentCache, sha256
from ..io.project import Project
from ..io.staticfiles import Lookup
from ..templates.bundle_blocks import BundleBlock, BundleVariant
from ..text.css import decode_css
from .join import css_reader, join_cached
from .manifest import BUNDLE_DIR, ManifestBundle, ManifestFile, integrity
from .minify import ScriptMinifier
from .options import BuildOptions

__all__ = ["JoinedBundles", "join_bundles"]


def _stem(template_name: str) -> str:
    base = template_name.rsplit(".", 1)[0]
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in base).strip("-") or "bundle"


@dataclass
class JoinedBundles:
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


def join_bundles(
    project: Project,
    blocks: list[BundleBlock],
    options: BuildOptions,
    cache: ContentCache,
    js_minifier: ScriptMinifier | None,
    errors: list[AssetoptError],
) -> JoinedBundles:
    """Every distinct variant joined once (a variant shared by templates is one file); problems go to ``errors``."""
    out = JoinedBundles()
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
