"""Plan the rewrite of one template: every enabled transform's edits, plus the ``{% load %}`` they need.

Pure: a ``Template`` and a ``RewriteContext`` (everything the transforms need to know about the
project, gathered beforehand by ``rewrite.py``) in, a ``TransformResult`` out. Applying the edits is
``edits.apply_edits``; nothing here reads or writes files.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .config import CacheFragment as CacheRule
from .config import Config  # one type: a rule as configured
from .edits import Edit, TransformResult, merge
from .loads import load_edits
from .rewrite_bundles import plan_bundles
from .templates import Template

if TYPE_CHECKING:
    from .rewrite_styles import StyleScope

__all__ = ["RewriteContext", "CacheRule", "plan_rewrite", "context_from_config", "DEFAULT_ONLY"]

DEFAULT_ONLY = frozenset({"bundles", "images", "cache"})  # "styles" is opt-in


@dataclass(frozen=True)
class RewriteContext:
    static_url: str = "/static/"
    only: frozenset[str] = DEFAULT_ONLY
    emit: str = "bundle"  # or "compressor"
    # (template name, start offset of the <img>) -> "chrome" | "lcp" | "below", from every page that
    # renders it (``fold.image_roles``); an image no page renders is absent.
    image_roles: Mapping[tuple[str, int], str] = field(default_factory=dict)
    # logical static path -> (width, height) as displayed (EXIF orientation applied), read by images.py
    image_sizes: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    cache_rules: tuple[CacheRule, ...] = ()
    cache_alias: str = ""  # {% cache ... using="alias" %} when set: the rollback switch
    eager_selectors: tuple[str, ...] = ()  # CSS selectors of images that must stay eager
    # template name -> start offsets of the tags ``eager_selectors`` match, for the templates
    # ``rewrite.plan_project`` already matched (one bs4 parse each); others are matched when planned
    eager_matches: Mapping[str, frozenset[int]] = field(default_factory=dict)
    user_context: tuple[str, ...] = ()  # context variables that depend on the user (context processors)
    # "styles": where inline styles may move, from every page (``rewrite_styles.style_scope``); None
    # judges each template alone, as the one page it renders
    styles: StyleScope | None = None
    # "images": wrap raster <img src="{% static %}"> in {% picture %} (modern formats, srcset); on
    # when the build makes variants (config ``images``)
    pictures: bool = False


def context_from_config(config: Config, only: frozenset[str] | None = None, emit: str = "bundle") -> RewriteContext:
    """The transforms' settings from a ``Config`` (``only`` defaults to its ``rewrite`` list); the
    project facts (image roles and sizes) are added by ``rewrite.plan_project``."""
    return RewriteContext(
        static_url=config.static_url,
        only=frozenset(config.rewrite) if only is None else only,
        emit=emit,
        cache_rules=config.cache,
        cache_alias=config.cache_alias,
        eager_selectors=config.eager_selectors,
        user_context=config.user_context,
        pictures=config.images,
    )


def plan_rewrite(template: Template, ctx: RewriteContext) -> TransformResult:
    results: list[TransformResult] = []
    if "styles" in ctx.only:
        from .rewrite_styles import plan_styles

        # before bundles: the generated stylesheet's <link>, inserted where the bundle's
        # {% endbundle %} goes, must come first at that offset to end up inside the bundle
        results.append(plan_styles(template, ctx).result)
    if "bundles" in ctx.only:
        results.append(plan_bundles(template, ctx.static_url, ctx.emit))
    if "images" in ctx.only:
        from .rewrite_images import plan_images

        results.append(plan_images(template, ctx))
    if "cache" in ctx.only:
        from .rewrite_cache import plan_cache

        results.append(plan_cache(template, ctx))
    merged = merge(results)
    loads: list[Edit] = load_edits(template, merged.loads, min(e.start for e in merged.edits)) if merged.edits else []
    # {% load %} first: at offset 0 it must precede a tag inserted at the same place
    return TransformResult(tuple(loads) + merged.edits, merged.skips, merged.loads)
