"""Rewrite transform: lazy-load images below the fold, prioritise the LCP candidate, add width/height.

For each ``<img>`` (``design.md`` decision 8), by its role (``fold.py``; an image no page renders is
``chrome``: without a page nothing says where the fold is, and a logo or a product's main image made
lazy is the LCP regression users notice first; one matching an eager selector is ``chrome``):

- ``below``: ``loading="lazy"`` and ``decoding="async"`` (decoding only when absent);
- ``lcp``: ``fetchpriority="high"`` (when absent), never lazy;
- ``chrome``: nothing.

A raster ``<img src="{% static 'literal' %}">`` is also wrapped in ``{% picture %}...{% endpicture %}``
(``_wrap_picture``), which serves the build's WebP/AVIF and width copies at render time.

An image that already has ``loading`` is the author's choice and keeps it. ``width``/``height`` are
added only from a file we read (``ctx.image_sizes``) for a static ``src`` with one path; a dimension
that is present but not a plain number of pixels is left as written. ``<iframe>`` without ``loading``
gets ``loading="lazy"`` (unless an eager selector matches it). Tags inside ``{% blocktrans %}`` are
skipped: their text is a translation's message id, and a changed id loses its translations.

New attributes are spliced in after the last attribute, ``name="value"`` in the tag's own quote style
and a fixed order (width, height, loading, decoding, fetchpriority); no other byte changes. An edited
tag has everything it needs, so rewriting twice equals rewriting once. Opaque tags are reported,
never edited. Pure: a ``Template`` and a ``RewriteContext`` in, a ``TransformResult`` out.
"""
from __future__ import annotations

import bisect
import re

from ..errors import ConfigError
from ..templates.assets import ref_of
from ..templates.fold import BELOW, CHROME, LCP, fetches_nothing, prioritised
from ..templates.model import Template, block_spans
from ..templates.refs import Ref, RefKind
from ..templates.soup import markup_soup, source_offset
from ..templates.tags import OpaqueTag, OpenElements, StartTag
from .context import RewriteContext
from .edits import Edit, Skip, TransformResult

__all__ = ["plan_images", "eager_starts"]

KIND = "images"
_PLAIN_INT_RE = re.compile(r"\s*[0-9]+\s*")
_W_DESCRIPTOR_RE = re.compile(r"\s[0-9]+w\s*$")


def plan_images(template: Template, ctx: RewriteContext) -> TransformResult:
    eager = ctx.eager_matches.get(template.name)
    if eager is None:
        eager = eager_starts(template, ctx.eager_selectors) if ctx.eager_selectors else frozenset()
    translated = block_spans(template, ("blocktrans", "blocktranslate"))
    pictures = block_spans(template, ("picture",))
    edits: list[Edit] = []
    skips: list[Skip] = []
    stack = OpenElements()  # to tell <header>/<nav> and <picture> apart
    for item in template.items:
        stack.feed(item)
        if isinstance(item, OpaqueTag):
            if item.name in ("img", "iframe"):
                skips.append(Skip(KIND, template.path, item.lineno, f"<{item.name}> not rewritten: {item.reason}"))
            continue
        if not isinstance(item, StartTag):
            continue
        if item.name in ("img", "iframe") and any(a < item.start < b for a, b in translated):
            reason = f"<{item.name}> not rewritten: inside {{% blocktrans %}}, its text is a translation's message id"
            skips.append(Skip(KIND, template.path, item.lineno, reason))
        elif item.name == "img":
            _plan_img(template, ctx, item, stack, item.start in eager, edits, skips)
            if ctx.pictures and "picture" not in stack and not any(a < item.start < b for a, b in pictures):
                edits.extend(_wrap_picture(template, ctx, item))
        elif item.name == "iframe" and item.attr("loading") is None and item.start not in eager:
            edits.append(_insert(template, item, [("loading", "lazy")], "lazy: iframe"))
    wrapped = any(e.text == _PICTURE_OPEN for e in edits)
    return TransformResult(tuple(edits), tuple(skips), ("assetopt",) if wrapped else ())


_PICTURE_OPEN, _PICTURE_CLOSE = "{% picture %}", "{% endpicture %}"
_RASTER = (".jpg", ".jpeg", ".png", ".gif")  # what the build makes WebP/AVIF and width copies of


def _wrap_picture(template: Template, ctx: RewriteContext, tag: StartTag) -> list[Edit]:
    """``{% picture %}`` around an ``<img src="{% static 'literal' %}">`` of a raster image.

    Independent of the build: the tag looks the image up in the manifest at render time and prints
    the plain ``<img>`` when it has no variants, so the rewrite can run before the build. Not wrapped:
    an author's ``srcset`` (their choice), SVG, external or computed URLs, an ``{% if %}`` between
    paths (one ``{% picture %}`` per path would be needed), images already in ``<picture>``."""
    if tag.attr("srcset") is not None:
        return []
    ref = ref_of(tag, template, "src", ctx.static_url)
    if ref.kind is not RefKind.STATIC or len(ref.paths) != 1 or ref.conditional:
        return []
    if not (ref.url.startswith("{% static ") and ref.url.endswith("%}")) or not ref.path.lower().endswith(_RASTER):
        return []
    reason = f"<picture>: modern formats and srcset for {ref.path}"
    return [Edit(tag.start, tag.start, _PICTURE_OPEN, KIND, tag.lineno, reason), Edit(tag.end, tag.end, _PICTURE_CLOSE, KIND, tag.lineno, reason)]


def _plan_img(
    template: Template,
    ctx: RewriteContext,
    tag: StartTag,
    stack: OpenElements,
    eager: bool,
    edits: list[Edit],
    skips: list[Skip],
) -> None:
    size = _size_attrs(template, ctx, tag, "picture" in stack)
    if isinstance(size, Skip):
        skips.append(size)
    elif size is not None:
        edits.append(_insert(template, tag, *size))
    if tag.attr("loading") is not None:
        return  # the author chose; fetchpriority and decoding go with that choice
    role, why = _role(template, ctx, tag, stack, eager)
    if role == BELOW:
        attrs = [("loading", "lazy")] + ([("decoding", "async")] if tag.attr("decoding") is None else [])
        edits.append(_insert(template, tag, attrs, f"lazy: {why}"))
    elif role == LCP and tag.attr("fetchpriority") is None:
        edits.append(_insert(template, tag, [("fetchpriority", "high")], "LCP candidate: fetchpriority=high"))


def _role(template: Template, ctx: RewriteContext, tag: StartTag, stack: OpenElements, eager: bool) -> tuple[str, str]:
    if fetches_nothing(tag):
        return CHROME, "no src or a data: URI: nothing to fetch"
    if eager:
        return CHROME, "matches an eager selector"
    if prioritised(tag):
        return CHROME, "fetchpriority=high"
    role = ctx.image_roles.get((template.name, tag.start))
    if role is not None:
        return role, "below the fold"
    return CHROME, "no page renders this template: where the fold is is unknown"


def _size_attrs(
    template: Template, ctx: RewriteContext, tag: StartTag, in_picture: bool
) -> tuple[list[tuple[str, str]], str] | Skip | None:
    """The width/height to add with the reason, a Skip saying why not, or None (nothing missing)."""
    width, height = tag.attr("width"), tag.attr("height")
    if width is not None and height is not None:
        return None

    def skip(reason: str) -> Skip:
        return Skip(KIND, template.path, tag.lineno, reason)

    if in_picture:
        return skip("size not added: inside <picture>, where a <source> may have another size")
    srcset = tag.get("srcset") or ""
    if tag.attr("sizes") is not None or any(_W_DESCRIPTOR_RE.search(c) for c in srcset.split(",")):
        return skip("size not added: srcset/sizes choose the displayed size, not src")
    ref = ref_of(tag, template, "src", ctx.static_url)
    unknown = _unknown_reason(ref)
    if unknown:
        return skip(f"size unknown: {unknown}")
    path = ref.path
    found = ctx.image_sizes.get(path)
    if found is None:
        return skip(f"size unknown: {path} is missing, not an image, or an SVG without width/height (no intrinsic size)")
    w, h = found
    if width is None and height is None:
        return [("width", str(w)), ("height", str(h))], f"size from {path}: {w}x{h}"
    present = width if width is not None else height
    assert present is not None
    missing = "height" if present is width else "width"
    if present.value is None or not _PLAIN_INT_RE.fullmatch(present.value) or int(present.value) == 0:
        shown = present.name if present.value is None else template.source[present.start : present.end]
        return skip(f"{missing} not added: {shown} is not a plain number of pixels")
    n = int(present.value)
    num, den = (h, w) if missing == "height" else (w, h)
    other = max(1, (2 * n * num + den) // (2 * den))  # n * num / den rounded half up, in integers
    return [(missing, str(other))], f"size from {path}: {w}x{h}, {missing} in proportion to {present.name}={n}"


def _unknown_reason(ref: Ref) -> str:
    """Why a src has no single readable file ("" when it has one)."""
    if ref.kind is RefKind.STATIC:
        if len(ref.paths) == 1:
            return ""
        return f"src is one of {len(ref.paths)} files ({', '.join(ref.paths)})"
    if ref.kind is RefKind.EMPTY:
        return "no src"
    if ref.kind is RefKind.DYNAMIC:
        return f"src is computed at run time ({ref.url})"
    return f"src is {ref.kind.value} ({ref.url})"


def _insert(template: Template, tag: StartTag, attrs: list[tuple[str, str]], reason: str) -> Edit:
    """An insertion of ``attrs`` right after the tag's last attribute (or its name)."""
    at = tag.attrs[-1].end if tag.attrs else tag.start + 1 + len(tag.name)
    quote = next((a.quote for a in tag.attrs if a.quote), '"')
    text = "".join(f" {name}={quote}{value}{quote}" for name, value in attrs)
    return Edit(at, at, text, KIND, tag.lineno, reason)


def eager_starts(template: Template, selectors: tuple[str, ...]) -> frozenset[int]:
    """Start offsets of the tags that ``selectors`` match in the template's markup.

    bs4 parses the source with template code masked (same length, so its line/column positions are
    source positions); template code can hide or duplicate structure, so this is an approximation
    used only to keep images eager, never to make one lazy.
    """
    from soupsieve import SelectorSyntaxError

    soup = markup_soup(template)
    found: set[int] = set()
    for selector in selectors:
        try:
            matched = soup.select(selector)
        except SelectorSyntaxError as e:
            raise ConfigError(
                f"eager_selectors: {selector!r} is not a CSS selector ({e})",
                hint="fix [tool.assetopt] eager_selectors",
            ) from e
        found.update(o for el in matched if (o := source_offset(template, el)) is not None)
    starts = sorted(i.start for i in template.items if isinstance(i, StartTag))
    # keep only offsets that are real start tags of ours (a position bs4 got wrong matches nothing)
    return frozenset(o for o in found if (k := bisect.bisect_left(starts, o)) < len(starts) and starts[k] == o)
