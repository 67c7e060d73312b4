"""Which inline styles of one template can leave it, and the edits that take them out.

A static ``style="..."`` becomes the class of its declarations (``styles_sheet.class_name``): appended
inside a quoted ``class`` value, or ``class="..."`` in the style attribute's place; an empty ``style``
is removed. A ``<style>`` block without template code is removed with its line when it is alone on it
(its CSS goes to the generated stylesheet). Everything that stays is listed with the reason (the
module docstring of ``rewrite_styles.py`` says why each one must).

Pure: a ``Template`` in, edits, skips and rules out. Whether the pages load the generated stylesheet
where the template is used is ``styles_scope.py``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

from ...templates.model import Template, block_spans
from ...templates.tags import EndTag, OpaqueTag, OpenElements, RawText, StartTag
from ..edits import Edit, Skip
from .sheet import class_name, relative_url, style_declarations

__all__ = ["KIND", "StyleElement", "plan_attributes", "style_elements"]

KIND = "styles"
_SCRIPTED = frozenset({"html", "head", "body"})
_AT_FIRST_RE = re.compile(r"@(import|namespace)\b", re.IGNORECASE)
_STYLE_ATTR_RE = re.compile(r"(?<![\w-])style\s*=", re.IGNORECASE)
_IN_BLOCKTRANS = "inside {% blocktrans %}, its text is a translation's message id"


@dataclass(frozen=True, slots=True)
class StyleElement:
    """A ``<style>`` element of a template: what would move, or why it cannot."""

    start: int
    span: tuple[int, int]  # what goes: the element, with its line when it is alone on it
    lineno: int
    css: str
    reason: str  # "" when it can move


def _in_translation(template: Template) -> Callable[[int], bool]:
    """Is an offset inside ``{% blocktrans %}``? Its text is a message id: nothing in it may change."""
    spans = block_spans(template, ("blocktrans", "blocktranslate"))
    return lambda offset: any(a < offset < b for a, b in spans)


def plan_attributes(template: Template, held: str | None) -> tuple[list[Edit], list[Skip], dict[str, str]]:
    edits: list[Edit] = []
    skips: list[Skip] = []
    rules: dict[str, str] = {}
    translated = _in_translation(template)
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
    translated: Callable[[int], bool],
    held: str | None,
) -> Skip | tuple[list[Edit], tuple[str, str] | None]:
    def skip(reason: str) -> Skip:
        return Skip(KIND, template.path, tag.lineno, f"<{tag.name}> style stays: {reason}")

    style = tag.attr("style")
    assert style is not None
    value = style.value or ""
    if translated(tag.start):
        return skip(_IN_BLOCKTRANS)
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
    declarations, why = style_declarations(value)
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


def _space_before(source: str, at: int, floor: int) -> int:
    while at > floor and source[at - 1] in " \t\r\n\f":
        at -= 1
    return at


def style_elements(template: Template) -> list[StyleElement]:
    found: list[StyleElement] = []
    items = template.items
    translated = _in_translation(template)
    open_elements = OpenElements()
    for i, item in enumerate(items):
        if isinstance(item, (StartTag, OpaqueTag)) and item.name == "style":
            body = items[i + 1] if i + 1 < len(items) and isinstance(items[i + 1], RawText) else None
            close = items[i + 2] if i + 2 < len(items) and isinstance(items[i + 2], EndTag) else None
            end = close.end if close is not None else item.end
            css = template.source[body.start : body.end] if body is not None else ""
            reason = _block_problem(template, item, css, close is not None, open_elements, translated)
            found.append(
                StyleElement(item.start, _line_span(template.source, item.start, end), item.lineno, "" if reason else _block_css(item, css), reason)
            )
        open_elements.feed(item)
    return found


def _block_problem(
    template: Template,
    tag: StartTag | OpaqueTag,
    css: str,
    closed: bool,
    open_elements: OpenElements,
    translated: Callable[[int], bool],
) -> str:
    if isinstance(tag, OpaqueTag):
        return tag.reason
    if not closed:
        return "no </style>"
    if translated(tag.start):
        return _IN_BLOCKTRANS
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
    relative = relative_url(css)
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
