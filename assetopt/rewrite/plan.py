"""Plan the rewrite of one template: every enabled transform's edits, plus the ``{% load %}`` they need.

Pure: a ``Template`` and a ``RewriteContext`` in, a ``TransformResult`` out. Applying the edits is
``edits.apply_edits``; nothing here reads or writes files.
"""

from __future__ import annotations

from ..templates.model import Template
from .bundles import plan_bundles
from .cache import plan_cache
from .context import RewriteContext
from .edits import Edit, TransformResult, merge
from .images import plan_images
from .loads import load_edits
from .styles import plan_styles

__all__ = ["plan_rewrite"]


def plan_rewrite(template: Template, ctx: RewriteContext) -> TransformResult:
    results: list[TransformResult] = []
    if "styles" in ctx.only:
        # before bundles: the generated stylesheet's <link>, inserted where the bundle's
        # {% endbundle %} goes, must come first at that offset to end up inside the bundle
        results.append(plan_styles(template, ctx).result)
    if "bundles" in ctx.only:
        results.append(plan_bundles(template, ctx.static_url, ctx.emit, ctx.self_locating, ctx.script_facts, ctx.missing_static))
    if "images" in ctx.only:
        results.append(plan_images(template, ctx))
    if "cache" in ctx.only:
        results.append(plan_cache(template, ctx))
    merged = merge(results)
    loads: list[Edit] = load_edits(template, merged.loads, min(e.start for e in merged.edits)) if merged.edits else []
    # {% load %} first: at offset 0 it must precede a tag inserted at the same place
    return TransformResult(tuple(loads) + merged.edits, merged.skips, merged.loads)
