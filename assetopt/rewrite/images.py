"""Rewrite transform: lazy-load images below the fold, prioritise the LCP candidate, add width/height.

For each ``<img>`` (``design.md`` decision 8), by its role (``fold.py``; an image no page renders is
``chrome``: without a page nothing says where the fold is, and a logo or a product's main image made
lazy is the LCP regression users notice first; one matching an eager selector is ``chrome``):

- ``below``: ``loading="lazy"`` and ``decoding="async"`` (decoding only when absent);
- ``lcp``: ``fetchpriority="high"`` (when absent), never lazy;
- ``chrome``: nothing.

A raster ``<img src="{% static 'literal' %}">`` is also wrapped in ``{% picture %}...{% endpicture %}``
(``_wrap_picture``), which serves the build's WebP/AVIF and width copies at render time.

With a layout from the browser (``ctx.layout``, ``layout_facts.py``) the roles of the tags it measured
come from where Chromium rendered them, and an ``<img>`` in a ``{% picture %}`` (wrapped now or
already) without ``sizes``/``srcset`` gets the ``sizes`` measured for it (``ctx.layout_sizes``), which
the tag then uses for every ``<source>`` too. An image the layout keeps eager that the template rules
alone would lazy-load or prioritise gets ``loading="eager"`` (``ctx.layout_pinned``): a later run
without the layout then keeps the written choice as an author's, so the two never undo each other.

An image that already has ``loading`` is the author's choice and keeps it. ``width``/``height`` are
added only from a file we read (``ctx.image_sizes``) for a static ``src`` with one path; a dimension
that is present but not a plain number of pixels is left as written. ``<iframe>`` without ``loading``
that fetches something gets ``loading="lazy"`` (unless an eager selector matches it; a src-less form
target or ``srcdoc`` frame fetches nothing). Tags inside ``{% blocktrans %}`` are
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
from ..templates.lexer import Token, TokenKind
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
    file = ctx.file_key(template.name)  # every fact is keyed by the file: its names all get one decision
    eager = ctx.eager_matches.get(file)
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
            wrap = (
                _wrap_picture(template, item, ctx.layout_sizes.get((file, item.start)))
                if item.name == "img" and ctx.pictures and _pictureable(item, stack, pictures, translated)
                else []
            )
            if wrap:
                edits.extend(wrap)
                reason = f"<img> wrapped in {{% picture %}} only, no loading/size attributes: {item.reason}"
                skips.append(Skip(KIND, template.path, item.lineno, reason))
            elif item.name in ("img", "iframe"):
                skips.append(Skip(KIND, template.path, item.lineno, f"<{item.name}> not rewritten: {item.reason}"))
            continue
        if not isinstance(item, StartTag):
            continue
        if item.name in ("img", "iframe") and any(a < item.start < b for a, b in translated):
            reason = f"<{item.name}> not rewritten: inside {{% blocktrans %}}, its text is a translation's message id"
            skips.append(Skip(KIND, template.path, item.lineno, reason))
        elif item.name == "img":
            _plan_img(template, ctx, item, stack, item.start in eager, edits, skips)
            wrap = _wrap_picture(template, item) if ctx.pictures and _pictureable(item, stack, pictures, translated) else []
            edits.extend(wrap)
            in_picture = bool(wrap) or any(a < item.start < b for a, b in pictures)
            sizes = ctx.layout_sizes.get((file, item.start))
            if sizes is not None and in_picture and item.attr("sizes") is None and item.attr("srcset") is None:
                edits.append(_insert(template, item, [("sizes", sizes)], f"sizes from the layout in Chromium: {sizes}"))
        elif item.name == "iframe" and item.attr("loading") is None and item.start not in eager and not fetches_nothing(item):
            edits.append(_insert(template, item, [("loading", "lazy")], "lazy: iframe"))
    wrapped = any(e.text == _PICTURE_OPEN for e in edits)
    return TransformResult(tuple(edits), tuple(skips), ("assetopt",) if wrapped else ())


_PICTURE_OPEN, _PICTURE_CLOSE = "{% picture %}", "{% endpicture %}"
_RASTER = (".jpg", ".jpeg", ".png", ".gif")  # what the build makes WebP/AVIF and width copies of
# Template code an <img> may hold and still be wrapped: it prints text or chooses attributes, and
# {% if %}/{% for %}/{% with %} open and close inside the tag. Anything else ({% include %}, a
# project's own tags) could print markup of its own, so the tag is left as it is.
_WRAP_OPENERS = frozenset({"if", "for", "with"})
_WRAP_INNER = frozenset({"elif", "else", "empty"})
_WRAP_PRINTERS = frozenset({"static", "trans", "translate", "url", "firstof", "cycle", "now"})
_NAME_RE = re.compile(r"[^\s/>=\"'\x1a]+")
_UNQUOTED_RE = re.compile(r"[^\s>\x1a]*")


def _pictureable(tag: StartTag | OpaqueTag, stack: OpenElements, pictures: list[tuple[int, int]], translated: list[tuple[int, int]]) -> bool:
    """Not already in a ``<picture>`` or a ``{% picture %}``, nor in a ``{% blocktrans %}`` message."""
    inside = any(a < tag.start < b for a, b in (*pictures, *translated))
    return "picture" not in stack and not inside


def _wrap_picture(template: Template, tag: StartTag | OpaqueTag, sizes: str | None = None) -> list[Edit]:
    """``{% picture %}`` around an ``<img>`` whose ``src`` is made of ``{% static %}`` tags only.

    The tag works on what the ``<img>`` renders to (``contrib/django/templatetags``): it finds which
    of its ``{% static %}`` paths the rendered ``src`` is, looks that path up in the manifest and
    prints the rendered ``<img>`` unchanged when there is nothing better, so the rewrite can run
    before the build and wrap a path chosen by ``{% if %}`` (``{% static 'a.jpg' %}`` or ``'b.jpg'``),
    a computed one (``{% static product.image %}``) and a tag with template code between its
    attributes (``<img ... {% if forloop.counter > 3 %}loading="lazy"{% endif %}>``).

    Not wrapped: an author's ``srcset`` (their choice); a literal path that is not JPEG/PNG/GIF
    (SVG); a ``src`` with anything but ``{% static %}`` tags (external, ``{{ obj.url }}``,
    ``{% static x %}?v=2``); template code that could print markup ({% include %}, unknown tags) or
    that opens in the tag and closes outside it; an unterminated tag.

    ``sizes`` (an opaque tag's, from the layout): written right after ``<img`` when no branch of the
    tag has a ``sizes`` of its own (a readable tag gets it after its last attribute instead)."""
    source = template.source
    if not source.startswith(">", tag.end - 1):
        return []
    lo = bisect.bisect_right(template.tokens, tag.start, key=lambda t: t.end)
    spanned = [t for t in template.tokens[lo:] if t.start < tag.end and t.kind is not TokenKind.TEXT]
    if any(t.start < tag.start or t.end > tag.end for t in spanned):
        return []
    code = [t for t in spanned if t.is_code]
    if not _balanced(code):
        return []
    values = _attr_values(source, tag.start, tag.end, spanned)
    if values is None or "srcset" in values or "src" not in values:
        return []
    paths: list[str] = []
    for lo, hi in values["src"]:
        inside = [t for t in code if lo <= t.start and t.end <= hi]
        statics = [t for t in inside if t.kind is TokenKind.BLOCK and t.tag_name == "static"]
        text = source[lo:hi]
        for t in reversed(inside):
            text = text[: t.start - lo] + text[t.end - lo :]
        if not statics or text.strip():
            return []
        for t in statics:
            bits = t.contents.split()
            if len(bits) != 2:
                return []  # {% static 'x' as y %} prints nothing
            arg = bits[1]
            if arg[:1] in "\"'" and (len(arg) < 2 or arg[-1] != arg[0] or not arg[1:-1].lower().endswith(_RASTER)):
                return []
            paths.append(arg.strip("\"'") if arg[:1] in "\"'" else f"{{% static {arg} %}}")
    reason = f"<picture>: modern formats and srcset for {' or '.join(dict.fromkeys(paths))}"
    edits = [Edit(tag.start, tag.start, _PICTURE_OPEN, KIND, tag.lineno, reason), Edit(tag.end, tag.end, _PICTURE_CLOSE, KIND, tag.lineno, reason)]
    if sizes is not None and "sizes" not in values:
        at = tag.start + len("<img")
        edits.insert(1, Edit(at, at, f' sizes="{sizes}"', KIND, tag.lineno, f"sizes from the layout in Chromium: {sizes}"))
    return edits


def _attr_values(source: str, start: int, end: int, code: list[Token]) -> dict[str, list[tuple[int, int]]] | None:
    """The value spans of each attribute name of the tag at ``[start, end)``, template code read as
    filler between attributes (``{% if a %}src="x"{% else %}src="y"{% endif %}``: two spans for
    ``src``); None when the markup does not read as attributes."""
    text = list(source[start:end])
    for t in code:
        text[t.start - start : t.end - start] = "\x1a" * (t.end - t.start)
    masked = "".join(text)
    found: dict[str, list[tuple[int, int]]] = {}
    tag_name = _NAME_RE.match(masked, 1)
    if tag_name is None:
        return None
    pos = tag_name.end()
    while pos < len(masked) - 1:
        if masked[pos].isspace() or masked[pos] in "\x1a/":
            pos += 1
            continue
        m = _NAME_RE.match(masked, pos)
        if m is None:
            return None
        name, pos = m.group().lower(), m.end()
        while pos < len(masked) and masked[pos].isspace():
            pos += 1
        if not masked.startswith("=", pos):
            continue
        pos += 1
        while pos < len(masked) and masked[pos].isspace():
            pos += 1
        if masked[pos] in "\"'":
            close = masked.find(masked[pos], pos + 1)
            if close == -1:
                return None
            span, pos = (pos + 1, close), close + 1
        else:
            m = _UNQUOTED_RE.match(masked, pos)
            assert m is not None
            span, pos = (pos, m.end()), m.end()
        found.setdefault(name, []).append((start + span[0], start + span[1]))
    return found


def _balanced(code: list[Token]) -> bool:
    """Every block tag is one that prints text or chooses attributes, and each {% if %}/{% for %}/
    {% with %} closes inside the span."""
    depth: list[str] = []
    for t in code:
        if t.kind is not TokenKind.BLOCK:
            continue
        word = t.tag_name
        if word in _WRAP_OPENERS:
            depth.append(word)
        elif word.startswith("end") and word[3:] in _WRAP_OPENERS:
            if not depth or depth.pop() != word[3:]:
                return False
        elif word in _WRAP_INNER:
            if not depth:
                return False
        elif word not in _WRAP_PRINTERS:
            return False
    return not depth


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
    elif role == CHROME and (ctx.file_key(template.name), tag.start) in ctx.layout_pinned:
        edits.append(_insert(template, tag, [("loading", "eager")], f"eager: {why}; written, as the template rules alone would not keep it so"))
    elif role == LCP and tag.attr("fetchpriority") is None:
        because = f" ({why})" if (ctx.file_key(template.name), tag.start) in ctx.layout_reasons else ""
        edits.append(_insert(template, tag, [("fetchpriority", "high")], f"LCP candidate: fetchpriority=high{because}"))


def _role(template: Template, ctx: RewriteContext, tag: StartTag, stack: OpenElements, eager: bool) -> tuple[str, str]:
    if fetches_nothing(tag):
        return CHROME, "no src or a data: URI: nothing to fetch"
    if eager:
        return CHROME, "matches an eager selector"
    if prioritised(tag):
        return CHROME, "fetchpriority=high"
    key = (ctx.file_key(template.name), tag.start)
    role = ctx.image_roles.get(key)
    if role is not None:
        return role, ctx.layout_reasons.get(key, "below the fold")
    return CHROME, "no page renders this template: where the fold is is unknown"


def _size_attrs(template: Template, ctx: RewriteContext, tag: StartTag, in_picture: bool) -> tuple[list[tuple[str, str]], str] | Skip | None:
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
