"""Which static files only bundles use: they are precompressed with brotli 5 instead of 11.

Browsers fetch a bundle's sources only while bundling is rolled back, so they get fast compression
(still compressed: a rollback must not make pages heavy). Deciding it means knowing every asset a
template references outside its ``{% bundle %}`` blocks, which means parsing every template: that
answer is cached per template, by its bytes, so a build with no template changed parses none and a
one-template change parses one. ``assetopt build`` and the collectstatic hook both ask here, so they
pick the same quality and share precompression cache entries.

Never here: compression itself, or which files exist in an output folder.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..errors import TemplateError
from ..io.cache import ContentCache, sha256
from ..io.project import Project
from ..templates.assets import asset_of
from ..templates.model import block_spans
from ..templates.tags import StartTag

__all__ = ["BundleOnly", "bundle_only_sources", "refs_outside_bundles"]

_STEP = "refs-outside-bundles-1"  # bump when what counts as a reference changes


def refs_outside_bundles(project: Project, name: str) -> list[str]:
    """Logical static paths template ``name`` references outside its ``{% bundle %}`` blocks."""
    try:
        template = project.load(name)
    except TemplateError:
        return []
    inside = block_spans(template, ("bundle",))
    found: set[str] = set()
    for item in template.items:
        if not isinstance(item, StartTag) or any(s <= item.start < e for s, e in inside):
            continue
        asset = asset_of(item, template, project.config.static_url)
        if asset is not None and asset.ref is not None:
            found.update(asset.ref.paths)
    return sorted(found)


@dataclass
class BundleOnly:
    paths: set[str] = field(default_factory=set)
    parsed: int = 0  # templates parsed for the answer (the others were cache hits)


def bundle_only_sources(project: Project, in_bundles: Iterable[str], cache: ContentCache) -> BundleOnly:
    """The paths of ``in_bundles`` that no template references outside a ``{% bundle %}`` block."""
    answer = BundleOnly(set(in_bundles))
    remaining = answer.paths
    if not remaining:
        return answer  # nothing to decide: no template is read
    cfg = project.config
    salt = json.dumps([_STEP, cfg.static_url, sorted(cfg.static_tags)])
    for name in project.template_names():
        path = project.find_template(name)
        try:
            data = path.read_bytes() if path is not None else b""
        except OSError:
            data = b""  # unreadable: load() reports it where it matters; here it references nothing
        key = sha256(f"{salt}\0{name}\0".encode() + data)
        hit = cache.get(_STEP, key)
        refs: list[str] | None = None
        if hit is not None:
            try:
                loaded = json.loads(hit)
                refs = loaded if isinstance(loaded, list) else None
            except ValueError:
                refs = None
        if refs is None:
            refs = refs_outside_bundles(project, name)
            answer.parsed += 1
            cache.put(_STEP, key, json.dumps(refs).encode("utf-8"))
        remaining.difference_update(refs)
    return answer
