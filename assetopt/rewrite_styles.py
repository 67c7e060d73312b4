"""Rewrite transform (opt-in): inline styles leave the templates for one generated stylesheet.

- A static ``style="..."`` becomes a class: ``ao-s-`` + the first 8 hex digits of the SHA-256 of its
  normalised declarations, so one style gets one class in every template, and a second rewrite finds
  nothing to do. The rule, ``.ao-s-1a2b3c4d{color: red !important}``, goes into ``assetopt/inline.css``
  (``INLINE_CSS``). The class is appended inside a quoted ``class`` value (template code in it is
  fine: this is text concatenation), or ``class="..."`` takes the style attribute's place. An empty
  ``style`` is removed.
- A ``<style>`` block without template code moves into the same file, after the classes, with a
  ``/* from TEMPLATE:LINE */`` comment (a ``media`` other than ``all`` wraps it in ``@media``).
- The file is linked once per page: ``<link rel="stylesheet" href="{% static 'assetopt/inline.css' %}">``
  becomes the last tag of the first stylesheet run in ``<head>`` (two or more bundle-eligible
  stylesheets, media all, or a ``{% bundle "css" %}`` block), so it joins the page's bundle.

Where (``style_scope``, from the pages): a template's styles move only when every page that renders
it loads the generated file exactly once, unconditionally, in ``<head>``; a template no page renders
(an e-mail, a fragment fetched by a script) keeps its styles. A ``<style>`` block's rules apply on
every page that loads the file, at the link's place: so a block moves only when every such page
renders it once, unconditionally, after that link with no other stylesheet in between.

Priority. A ``style=""`` declaration is attached to its element: it beats every normal author rule
(any selector, order or ``@layer``) and loses to every author ``!important`` one. A class rule keeps
the first half only by being ``!important`` itself, so every generated declaration is (one that
already is keeps its single ``!important``). What changes, exactly, for the same property on the
same element:

1. A normal inline declaration used to lose to every author ``!important`` rule. Its class rule
   (unlayered, as specific as one class, placed at the end of the first stylesheet run) now beats
   the unlayered ``!important`` rules less specific than one class (``p``, ``*``) wherever they are,
   and those exactly as specific (``.d-none``, ``[hidden]``) that come before it: every stylesheet of
   the run does (Bootstrap's utilities are such rules). Layered ones, more specific ones and later
   ones of equal specificity still win, as before.
2. An inline ``!important`` declaration used to beat every author ``!important`` rule. Its class
   rule now loses to one that is in an ``@layer``, more specific than one class (``#id``, ``.a .b``),
   or as specific and later in the order (a stylesheet after the run, any ``<style>`` block: the
   moved ones follow the classes in the generated file).
3. Beyond the cascade of rules: an author ``!important`` declaration beats CSS animations (a
   keyframed ``opacity`` no longer animates a property the element had inline) and every inline style
   a script sets (``el.style.width = "40%"`` is a normal inline declaration: ``width: 0% !important``
   wins). ``display: none`` therefore stays inline (scripts show such elements through
   ``el.style.display``); other properties scripts drive cannot be seen here. Whatever reads the
   attribute no longer finds it: ``el.style.width``, ``getAttribute("style")``, ``[style*=...]``
   selectors. Check pages with such scripts in a browser.

What stays, listed with the reason: template code in the value or the block; ``style`` on
``<html>``/``<head>``/``<body>`` (scroll locks and themes set their style from scripts), inside
``<template>`` (a shadow root does not see the page's stylesheets) or ``{% blocktrans %}`` (its text is
a message id); relative ``url()`` (resolved against the page, not the stylesheet); a value that is
not plain declarations; a ``<style>`` with ``@import``, an ``id``/``title``/other attribute, a
non-CSS ``type``, inside ``<noscript>``. Pure: a ``Template`` and a ``RewriteContext`` in, a
``StylesResult`` out; the generated file's text is ``merge_stylesheet`` (the existing file's rules
are kept: a class name cannot be turned back into its style, so the file is a source to keep).
"""
from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .assets import asset_of
from .css import css_references, resolve_css_url
from .edits import Edit, Skip, TransformResult
from .errors import AssetoptError, TemplateError, TemplateNotFound
from .pages import Page, resolve_page
from .runs import find_runs, ineligible_reason
from .tags import EndTag, OpaqueTag, OpenElements, RawText, StartTag
from .template_rewriter import RewriteContext
from .templates import BlockNode, ContainerNode, Element, Node, Template, block_spans

__all__ = [
    "INLINE_CSS",
    "MovedBlock",
    "StylesResult",
    "StyleScope",
    "plan_styles",
    "style_scope",
    "link_point",
    "class_name",
    "merge_stylesheet",
    "read_stylesheet",
    "stylesheet_text",
]

KIND = "styles"
INLINE_CSS = "assetopt/inline.css"  # logical static path of the generated stylesheet
HEADER = "/* Generated by `assetopt rewrite --only styles`. Keep it with your sources: assetopt only adds to it. */"
NO_PAGE = "no page renders this template, so nothing loads the generated stylesheet where it is used"
_NO_RUN = (
    "no stylesheet run in its <head> to join: add <link rel=\"stylesheet\" "
    "href=\"{% static 'assetopt/inline.css' %}\"> to it yourself"
)
_SCRIPTED = frozenset({"html", "head", "body"})
_RULE_RE = re.compile(r"\.(ao-s-[0-9a-f]{8})\{(.*)\}")
_MARKER_RE = re.compile(r"/\* from (.+):([0-9]+) \*/")
_PROPERTY_RE = re.compile(r"(--[\w-]+|-?[A-Za-z_][\w-]*)")
_IMPORTANT_RE = re.compile(r"\s*!\s*important\s*$", re.IGNORECASE)
_CHARREF_RE = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_AT_FIRST_RE = re.compile(r"@(import|namespace)\b", re.IGNORECASE)
_STRING_RE = re.compile(r"\"[^\"]*\"|'[^']*'")
_STYLE_ATTR_RE = re.compile(r"(?<![\w-])style\s*=", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class MovedBlock:
    template: str  # template name
    lineno: int  # line of its <style> tag
    css: str  # the body, wrapped in @media when the <style> had a media other than all


@dataclass(frozen=True)
class StylesResult:
    result: TransformResult
    rules: tuple[tuple[str, str], ...] = ()  # (class name, declarations), sorted by class name
    blocks: tuple[MovedBlock, ...] = ()


@dataclass(frozen=True)
class StyleScope:
    """Where styles may move and which templates link the generated stylesheet (``style_scope``)."""

    links: frozenset[str] = frozenset()  # templates that get the <link> (at ``link_point``)
    movable: frozenset[str] = frozenset()  # templates whose style attributes may move
    blocks: frozenset[tuple[str, int]] = frozenset()  # (template, <style> start) that may move
    held: Mapping[str, str] = field(default_factory=dict)  # template -> why its styles stay
    held_blocks: Mapping[tuple[str, int], str] = field(default_factory=dict)
    unlisted: str = NO_PAGE  # why, for a template in neither ``movable`` nor ``held``


@dataclass(frozen=True, slots=True)
class _StyleElement:
    """A ``<style>`` element of a template: what would move, or why it cannot."""

    start: int
    span: tuple[int, int]  # what goes: the element, with its line when it is alone on it
    lineno: int
    css: str
    reason: str  # "" when it can move


# -- the transform ----------------------------------------------------------------------------------


def plan_styles(template: Template, ctx: RewriteContext) -> StylesResult:
    """The edits moving ``template``'s styles out, the rules and blocks they need, the Skips."""
    scope = ctx.styles if ctx.styles is not None else _standalone_scope(template, ctx.static_url)
    held = None if template.name in scope.movable else scope.held.get(template.name, scope.unlisted)
    edits, skips, rules = _plan_attributes(template, held)
    blocks: list[MovedBlock] = []
    for el in _style_elements(template):
        reason = el.reason or held or ("" if (template.name, el.start) in scope.blocks else scope.held_blocks.get((template.name, el.start), scope.unlisted))
        if reason:
            skips.append(Skip(KIND, template.path, el.lineno, f"<style> stays: {reason}"))
            continue
        edits.append(Edit(el.span[0], el.span[1], "", KIND, el.lineno, "<style> moved to assetopt/inline.css"))
        if el.css:
            blocks.append(MovedBlock(template.name, el.lineno, el.css))
    loads: tuple[str, ...] = ()
    point = link_point(template, ctx.static_url) if template.name in scope.links else None
    if point is not None and not _links_generated(template):
        edits.append(_link_edit(template, point))
        loads = ("static",)
    return StylesResult(TransformResult(tuple(edits), tuple(skips), loads), tuple(sorted(rules.items())), tuple(blocks))


def class_name(declarations: str) -> str:
    """``ao-s-`` + 8 hex digits of the declarations' SHA-256: the same style, the same class."""
    return "ao-s-" + hashlib.sha256(declarations.encode("utf-8")).hexdigest()[:8]


def _plan_attributes(template: Template, held: str | None) -> tuple[list[Edit], list[Skip], dict[str, str]]:
    edits: list[Edit] = []
    skips: list[Skip] = []
    rules: dict[str, str] = {}
    translated = block_spans(template, ("blocktrans", "blocktranslate"))
    open_elements = OpenElements()
    for item in template.items:
        if isinstance(item, OpaqueTag) and _STYLE_ATTR_RE.search(template.source, item.start, item.end):
            skips.append(Skip(KIND, template.path, item.lineno, f"<{item.name or '?'}> style stays: {item.reason}"))
        elif isinstance(item, StartTag) and item.attr("style") is not None:
            planned = _plan_tag(template, item, open_elements, translated, held)
            if isinstance(planned, Skip):
                skips.append(planned)
            else:
                tag_edits, rule = planned
                edits.extend(tag_edits)
                if rule is not None:
                    rules[rule[0]] = rule[1]
        open_elements.feed(item)
    return edits, skips, rules


def _plan_tag(
    template: Template,
    tag: StartTag,
    open_elements: OpenElements,
    translated: list[tuple[int, int]],
    held: str | None,
) -> Skip | tuple[list[Edit], tuple[str, str] | None]:
    def skip(reason: str) -> Skip:
        return Skip(KIND, template.path, tag.lineno, f"<{tag.name}> style stays: {reason}")

    style = tag.attr("style")
    assert style is not None
    value = style.value or ""
    if any(a < tag.start < b for a, b in translated):
        return skip("inside {% blocktrans %}, its text is a translation's message id")
    if tag.name in _SCRIPTED:
        return skip(f"scripts set the style of <{tag.name}> (scroll locks, themes); a generated !important rule would override them")
    if "template" in open_elements:
        return skip("inside <template>: its content may go into a shadow root, where the page's stylesheets do not apply")
    if sum(a.name == "style" for a in tag.attrs) > 1:
        return skip("two style attributes")
    if style.has_template_code or "{#" in value:
        return skip("template code in style")
    after = template.source[style.end : style.end + 1]
    # the space before it goes too, unless the next attribute needs it (<p style="x"id="a">)
    start = _space_before(template.source, style.start, tag.start) if after in ("", ">", "/") or after.isspace() else style.start
    remove = Edit(start, style.end, "", KIND, tag.lineno, "empty style removed")
    if not value.strip():
        return [remove], None
    declarations, why = _declarations(value)
    if why:
        return skip(why)
    if held is not None:
        return skip(held)
    name = class_name(declarations)
    reason = f"style -> class {name} in assetopt/inline.css"
    cls = tag.attr("class")
    if cls is None:
        quote = style.quote or next((a.quote for a in tag.attrs if a.quote), '"')
        return [Edit(style.start, style.end, f"class={quote}{name}{quote}", KIND, tag.lineno, reason)], (name, declarations)
    if not cls.quote:
        return skip("class is unquoted: the class cannot be appended to it")
    edits = [Edit(remove.start, remove.end, "", KIND, tag.lineno, reason)]
    current = cls.value or ""
    if name not in current.split():
        sep = "" if not current or current[-1].isspace() else " "
        edits.append(Edit(cls.value_end, cls.value_end, sep + name, KIND, tag.lineno, reason))
    return edits, (name, declarations)


def _declarations(value: str) -> tuple[str, str]:
    """A style attribute's value as normalised ``!important`` declarations, or ``("", why not)``."""
    if "&" in value:
        if value.count("&") != len(_CHARREF_RE.findall(value)):
            return "", "a character reference without ';' in style"
        value = html.unescape(value)  # the browser decodes &quot; before the CSS parser sees it
    parts = _split_top_level(value)
    if isinstance(parts, str):
        return "", parts
    out = []
    for part in parts:
        prop, colon, rest = part.partition(":")
        prop, rest = prop.strip(), _IMPORTANT_RE.sub("", rest.strip())
        if not colon or not _PROPERTY_RE.fullmatch(prop) or not rest:
            return "", f"not a declaration: {part.strip()!r}"
        if prop.lower() == "display" and rest.lower() == "none":
            return "", "display:none: scripts show such elements through element.style.display, which a generated !important rule would override"
        relative = _relative_url(rest)
        if relative:
            return "", f"relative url({relative}) resolves against the page, not against the generated stylesheet"
        out.append(f"{prop if prop.startswith('--') else prop.lower()}: {rest} !important")
    if not out:
        return "", "no declarations"
    return "; ".join(out), ""


def _split_top_level(css: str) -> list[str] | str:
    """``css`` split at its top-level ``;`` with comments dropped and whitespace runs outside strings
    made one space; or why it cannot be moved (a brace would end the generated rule)."""
    parts: list[str] = []
    buf: list[str] = []
    depth = 0
    i, n = 0, len(css)
    while i < n:
        c = css[i]
        if c == "\\":
            if i + 1 >= n or css[i + 1] in "\r\n\f":
                return "a backslash at the end of a line in style"
            buf.append(css[i : i + 2])
            i += 2
            continue
        if c in "\"'":
            j = i + 1
            while j < n and css[j] != c:
                if css[j] in "\r\n\f":
                    return "a line break inside a string in style"
                j += 2 if css[j] == "\\" else 1
            if j >= n:
                return "an unterminated string in style"
            buf.append(css[i : j + 1])
            i = j + 1
            continue
        if css.startswith("/*", i):
            j = css.find("*/", i + 2)
            if j == -1:
                return "an unterminated comment in style"
            buf.append(" ")
            i = j + 2
            continue
        if c in "{}":
            return "a brace in style"
        if c.isspace():
            if buf and buf[-1] != " ":
                buf.append(" ")
            i += 1
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth < 0:
                return "unbalanced parentheses in style"
        if c == ";" and depth == 0:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(c)
        i += 1
    if depth:
        return "unbalanced parentheses in style"
    parts.append("".join(buf))
    return [p for p in parts if p.strip()]


def _relative_url(css: str) -> str:
    """The first URL in ``css`` that resolves against the page (``url(a.png)``, ``image-set("a.png")``)."""
    for ref in css_references(css):
        if resolve_css_url("x.css", ref.url) is not None:
            return ref.url
    if "image-set(" in css.lower():
        for m in _STRING_RE.finditer(css):
            if resolve_css_url("x.css", m.group()[1:-1]) is not None:
                return m.group()
    return ""


def _space_before(source: str, at: int, floor: int) -> int:
    while at > floor and source[at - 1] in " \t\r\n\f":
        at -= 1
    return at


def _style_elements(template: Template) -> list[_StyleElement]:
    found: list[_StyleElement] = []
    items = template.items
    translated = block_spans(template, ("blocktrans", "blocktranslate"))
    open_elements = OpenElements()
    for i, item in enumerate(items):
        if isinstance(item, (StartTag, OpaqueTag)) and item.name == "style":
            body = items[i + 1] if i + 1 < len(items) and isinstance(items[i + 1], RawText) else None
            close = items[i + 2] if i + 2 < len(items) and isinstance(items[i + 2], EndTag) else None
            end = close.end if close is not None else item.end
            css = template.source[body.start : body.end] if body is not None else ""
            reason = _block_problem(template, item, css, close is not None, open_elements, translated)
            found.append(_StyleElement(item.start, _line_span(template.source, item.start, end), item.lineno, "" if reason else _block_css(item, css), reason))
        open_elements.feed(item)
    return found


def _block_problem(
    template: Template,
    tag: StartTag | OpaqueTag,
    css: str,
    closed: bool,
    open_elements: OpenElements,
    translated: list[tuple[int, int]],
) -> str:
    if isinstance(tag, OpaqueTag):
        return tag.reason
    if not closed:
        return "no </style>"
    if any(a < tag.start < b for a, b in translated):
        return "inside {% blocktrans %}, its text is a translation's message id"
    for ancestor in ("noscript", "template"):
        if ancestor in open_elements:
            return f"inside <{ancestor}>, where it applies only sometimes"
    if any(t in css for t in ("{%", "{{", "{#")):
        return "template code in <style>"
    for a in tag.attrs:
        if a.has_template_code:
            return f"template code in its {a.name}"
        if a.name == "type" and (a.value or "").strip().lower() not in ("", "text/css"):
            return f"type={a.value!r} is not CSS: the browser ignores this block"
        if a.name not in ("media", "type", "nonce"):
            return f"it has {a.name}= (scripts or stylesheet sets may refer to it)"
    media = html.unescape(tag.get("media") or "").strip()
    if any(c in media for c in "{};"):
        return f"media={media!r} is not a media query list"
    m = _AT_FIRST_RE.search(_blank_comments(css))
    if m:
        return f"@{m.group(1).lower()} must stay first in its stylesheet"
    if media.lower() not in ("", "all") and ("<!--" in css or "-->" in css):
        return "<!-- --> markers would break its @media wrapper"
    relative = _relative_url(css)
    if relative:
        return f"relative url({relative}) resolves against the page, not against the generated stylesheet"
    return ""


def _blank_comments(css: str) -> str:
    return re.sub(r"/\*.*?(?:\*/|\Z)", " ", css, flags=re.DOTALL)


def _block_css(tag: StartTag | OpaqueTag, css: str) -> str:
    body = css.replace("\r\n", "\n").replace("\r", "\n").strip()
    media = html.unescape(tag.get("media") or "").strip() if isinstance(tag, StartTag) else ""
    if not body or media.lower() in ("", "all"):
        return body
    return f"@media {media}{{\n{body}\n}}"


def _line_span(source: str, start: int, end: int) -> tuple[int, int]:
    """``(start, end)``, widened to its whole line(s) when nothing else is on them."""
    line_start = source.rfind("\n", 0, start) + 1
    newline = source.find("\n", end)
    if newline != -1 and not source[line_start:start].strip(" \t") and not source[end:newline].strip(" \t\r"):
        return line_start, newline + 1
    return start, end


# -- the link to the generated stylesheet -----------------------------------------------------------


def link_point(template: Template, static_url: str) -> StartTag | None:
    """The stylesheet the generated one goes right after: the last of the template's first run of
    stylesheets with media all (``runs.find_runs``) or of its first ``{% bundle "css" %}`` block,
    outside any ``{% if %}`` or ``{% for %}``."""
    runs, _ = find_runs(template, static_url)
    candidates = [(r.start, r.assets[-1].tag) for r in runs if r.kind == "css" and r.key == "all"]
    for links in _bundled_stylesheets(template.nodes, template, static_url):
        candidates.append((links[0].start, links[-1]))
    always = _unconditional_starts(template.nodes)
    eligible = [c for c in candidates if c[0] in always]
    return min(eligible, key=lambda c: c[0])[1] if eligible else None


def _unconditional_starts(nodes: tuple[Node, ...]) -> set[int]:
    """Start offsets of the HTML items the template renders whenever it renders (not in an if or loop)."""
    found: set[int] = set()
    for node in nodes:
        if isinstance(node, Element):
            found.add(node.item.start)
        elif isinstance(node, (BlockNode, ContainerNode)):
            found |= _unconditional_starts(node.children)
    return found


def _bundled_stylesheets(nodes: tuple[Node, ...], template: Template, static_url: str) -> Iterable[list[StartTag]]:
    for node in nodes:
        children = getattr(node, "children", ())
        if isinstance(node, ContainerNode) and node.tag in ("bundle", "compress"):
            kind = node.contents.split()[1:2]
            if [k.strip("\"'") for k in kind] != ["css"]:
                continue
            links = []
            for child in children:
                if isinstance(child, Element) and isinstance(child.item, StartTag):
                    asset = asset_of(child.item, template, static_url)
                    if asset is not None and asset.kind == "css":
                        links.append(child.item)
                        if asset.media != "all" or ineligible_reason(asset) is not None:
                            break
            else:
                if links:
                    yield links
        elif children:
            yield from _bundled_stylesheets(children, template, static_url)
        for _, branch in getattr(node, "branches", ()):
            yield from _bundled_stylesheets(branch, template, static_url)


def _links_generated(template: Template) -> bool:
    return any(isinstance(i, StartTag) and i.name == "link" and INLINE_CSS in (i.get("href") or "") for i in template.items)


def _link_edit(template: Template, last: StartTag) -> Edit:
    source = template.source
    href = last.attr("href")
    quote = href.quote if href is not None and href.quote else '"'
    inner = "'" if quote == '"' else '"'
    tag = f"<link rel={quote}stylesheet{quote} href={quote}{{% static {inner}{INLINE_CSS}{inner} %}}{quote}{' /' if last.self_closing else ''}>"
    line_start = source.rfind("\n", 0, last.start) + 1
    indent = source[line_start : last.start]
    if not indent.strip(" \t"):
        tag = ("\r\n" if "\r\n" in source else "\n") + indent + tag
    return Edit(last.end, last.end, tag, KIND, last.lineno, "assetopt/inline.css joins the first stylesheet run")


# -- where styles may move: the pages ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Occurrence:
    index: int  # in page.items
    template: str
    loaded: bool  # in <head>, not in {% if %} or a loop: the page always loads it there


def style_scope(pages: Sequence[Page], static_url: str) -> StyleScope:
    """Which templates link the generated stylesheet, whose styles may move, and why the rest stay."""
    templates = {t.name: t for page in pages for t in page.templates}
    points = {name: p.start for name, t in templates.items() if (p := link_point(t, static_url)) is not None}
    occurrences = {page.name: _occurrences(page, points) for page in pages}
    # each page's first stylesheet run that it always loads in <head>
    holders = {next(o.template for o in occ if o.loaded) for occ in occurrences.values() if any(o.loaded for o in occ)}
    good: dict[str, _Occurrence] = {}
    held: dict[str, str] = {}
    loading: list[Page] = []
    for page in pages:
        occ = [o for o in occurrences[page.name] if o.template in holders]
        if occ:
            loading.append(page)
        if len(occ) == 1 and occ[0].loaded:
            good[page.name] = occ[0]
            continue
        if not occ:
            why = _NO_RUN
        elif len(occ) > 1:
            why = f"it would load the generated stylesheet {len(occ)} times ({', '.join(o.template for o in occ)})"
        else:
            why = f"its stylesheet run in {occ[0].template} is inside {{% if %}}, a loop or <body>"
        for t in page.templates:
            held.setdefault(t.name, f"page {page.name} does not load the generated stylesheet: {why}")
    movable = frozenset(templates) - frozenset(held)
    blocks, held_blocks = _movable_blocks(loading, good, [templates[n] for n in sorted(movable)])
    moves = blocks or any(_plan_attributes(templates[name], None)[2] for name in movable)
    return StyleScope(frozenset(holders) if moves else frozenset(), movable, frozenset(blocks), held, held_blocks)


def _occurrences(page: Page, points: Mapping[str, int]) -> list[_Occurrence]:
    found: list[_Occurrence] = []
    in_head = False
    for index, pi in enumerate(page.items):
        item = pi.item
        name = item.name if isinstance(item, (StartTag, OpaqueTag, EndTag)) else ""
        if name == "head" and not isinstance(item, EndTag):
            in_head = True
        elif name == "body" or (name == "head" and isinstance(item, EndTag)):
            in_head = False
        elif isinstance(item, StartTag) and points.get(pi.template.name) == item.start:
            found.append(_Occurrence(index, pi.template.name, in_head and not pi.conditional and not pi.in_loop))
    return found


def _movable_blocks(
    loading: list[Page], good: Mapping[str, _Occurrence], movable: list[Template]
) -> tuple[set[tuple[str, int]], dict[tuple[str, int], str]]:
    """The ``<style>`` blocks every loading page renders right after the generated stylesheet's link
    (other moving blocks aside, in file order): removed one by one until every survivor holds."""
    lines: dict[tuple[str, int], int] = {}
    held: dict[tuple[str, int], str] = {}
    for t in movable:
        for el in _style_elements(t):
            if not el.reason:
                lines[(t.name, el.start)] = el.lineno
    bad = [p.name for p in loading if p.name not in good]
    if bad:
        return set(), {key: f"page {bad[0]} does not load the generated stylesheet exactly once in <head>" for key in lines}
    if not loading:
        return set(), {key: _NO_RUN for key in lines}
    moving = set(lines)
    changed = True
    while changed:
        changed = False
        for key in sorted(moving):
            for page in loading:
                why = _block_fits(page, good[page.name], key, moving, lines)
                if why:
                    moving.discard(key)
                    held[key] = why
                    changed = True
                    break
    return moving, held


def _block_fits(page: Page, point: _Occurrence, key: tuple[str, int], moving: set[tuple[str, int]], lines: Mapping[tuple[str, int], int]) -> str:
    """Why ``key``'s rules would not apply at the link's place on ``page`` as they do now ("" if they would)."""
    at = [i for i, pi in enumerate(page.items) if (pi.template.name, pi.item.start) == key and isinstance(pi.item, StartTag)]
    if not at:
        return f"page {page.name} loads the generated stylesheet but does not render this block"
    if len(at) > 1 or page.notes:
        return f"page {page.name} renders it more than once or includes templates we cannot follow"
    pi = page.items[at[0]]
    if pi.conditional or pi.in_loop:
        return f"it is inside {{% if %}} or a loop on page {page.name}"
    if at[0] < point.index:
        return f"it comes before the stylesheet run on page {page.name}"
    order = (key[0], lines[key], key[1])  # the file's order: template, line, then source order
    for other in page.items[point.index + 1 : at[0]]:
        item = other.item
        other_key = (other.template.name, item.start)
        if other_key in moving and (other_key[0], lines[other_key], other_key[1]) < order:
            continue
        if _is_stylesheet(item):
            return f"another stylesheet ({other.template.path}:{item.lineno}) comes between the stylesheet run and it on page {page.name}"
    return ""


def _is_stylesheet(item: object) -> bool:
    if isinstance(item, OpaqueTag):
        return item.name in ("link", "style")
    if not isinstance(item, StartTag):
        return False
    if item.name == "style":
        return True
    rel = (item.get("rel") or "").lower().split()
    return item.name == "link" and ("stylesheet" in rel or ("preload" in rel and (item.get("as") or "").lower() == "style"))


def _standalone_scope(template: Template, static_url: str) -> StyleScope:
    """The scope of a template judged on its own, as the one page it renders (no project given)."""

    def load(name: str) -> Template:
        if name == template.name:
            return template
        raise TemplateNotFound(f"template {name!r} is not given", hint="judge it within its project: assetopt rewrite")

    try:
        page = resolve_page(template.name, load)
    except TemplateError as exc:
        return StyleScope(unlisted=f"judged alone, and {exc.message}")
    return style_scope([page], static_url)


# -- the generated stylesheet -----------------------------------------------------------------------


def stylesheet_text(rules: Mapping[str, str], blocks: Iterable[MovedBlock]) -> str:
    """The file: a header, one rule per line sorted by class name, then the blocks in template order."""
    lines = [HEADER]
    lines.extend(f".{name}{{{rules[name]}}}" for name in sorted(rules))
    for block in sorted(blocks, key=lambda b: (b.template, b.lineno)):  # stable: source order on one line
        lines.extend(["", f"/* from {block.template}:{block.lineno} */", block.css])
    return "\n".join(lines) + "\n"


def read_stylesheet(text: str, path: str = INLINE_CSS) -> tuple[dict[str, str], list[MovedBlock]]:
    """What ``stylesheet_text`` wrote; a line it cannot have written is an error (never dropped)."""
    rules: dict[str, str] = {}
    blocks: list[MovedBlock] = []
    current: tuple[str, int, list[str]] | None = None

    def flush() -> None:
        if current is not None:
            blocks.append(MovedBlock(current[0], current[1], "\n".join(current[2]).strip()))

    for lineno, line in enumerate(text.lstrip("\ufeff").splitlines(), 1):
        marker = _MARKER_RE.fullmatch(line)
        if marker:
            flush()
            current = (marker.group(1), int(marker.group(2)), [])
        elif current is not None:
            current[2].append(line)
        elif (rule := _RULE_RE.fullmatch(line)) is not None:
            rules[rule.group(1)] = rule.group(2)
        elif line.strip() and line != HEADER:
            raise AssetoptError(
                "a line assetopt did not write: it would be lost when the file is generated again",
                path=path,
                lineno=lineno,
                hint="move hand-written CSS to a stylesheet of your own",
            )
    flush()
    return rules, blocks


def merge_stylesheet(results: Iterable[StylesResult], existing: str | None = None, path: str = INLINE_CSS) -> str | None:
    """The generated stylesheet: the existing file's rules and blocks plus the new ones (None when
    there is nothing at all). Rules are never dropped: a class may be used where we do not look."""
    rules, old_blocks = read_stylesheet(existing, path) if existing else ({}, [])
    new: dict[str, str] = {}
    blocks = {(b.template, b.lineno, b.css): b for b in old_blocks}
    for result in results:
        for name, declarations in result.rules:
            if new.setdefault(name, declarations) != declarations:
                raise AssetoptError(f"two styles hash to the class {name}: {new[name]!r} and {declarations!r}", hint="please report it")
        blocks.update(((b.template, b.lineno, b.css), b) for b in result.blocks)
    for name, declarations in new.items():
        rules.setdefault(name, declarations)  # an existing rule stands: it may have been edited
    if not rules and not blocks:
        return None
    return stylesheet_text(rules, blocks.values())
