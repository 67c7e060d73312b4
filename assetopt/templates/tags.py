"""A lossless HTML tag scanner for Django templates.

HTML is scanned only in markup TEXT spans. Template code (``{{ }}``, ``{% %}``, ``{# #}``, comment and
verbatim bodies) is *masked*: replaced by a filler character of the same length, so offsets in the
masked text are offsets in the source and a ``>`` inside ``{% if a > b %}`` can never end a tag.

Template code inside a quoted (or unquoted) attribute value is normal and keeps the value's span.
Template code anywhere else in a tag (``<img {% if x %}...>``, ``<li{% if %} class="a"{% endif %}>``,
``<{{ tag }}>``, an ``{% include %}`` between attributes, a ``{% block %}`` inside a value) makes the
tag *opaque*: it is recorded with the reason and never guessed at.

This module is pure: text in, frozen values out.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from .lexer import LineIndex, Token, TokenKind

__all__ = [
    "Attr",
    "StartTag",
    "EndTag",
    "RawText",
    "HtmlComment",
    "OpaqueTag",
    "HtmlItem",
    "mask_template_code",
    "OpenElements",
    "opens_document",
    "read_opaque",
    "scan_tags",
    "RAW_TEXT_ELEMENTS",
    "VOID_ELEMENTS",
]

FILLER = "\x1a"
RAW_TEXT_ELEMENTS = frozenset({"script", "style", "textarea", "title"})
VOID_ELEMENTS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})
# Tags that change template structure: inside an attribute value they make the tag opaque.
_STRUCTURAL_IN_VALUE = frozenset({"block", "endblock", "include", "extends"})
# Block tags whose body ends at "end<name>" (besides block/if/for): the template tree's containers.
CONTAINERS = frozenset(
    {
        "with", "spaceless", "autoescape", "filter", "localize", "language", "blocktrans",
        "blocktranslate", "cache", "bundle", "compress", "ifchanged", "timezone", "localtime",
    }
)  # fmt: skip
# Tags with a body: inside a value they must open and close there, or the tag is opaque.
_PAIRED = CONTAINERS | {"if", "for", "comment"}

_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9:_-]*")
_ATTR_NAME_RE = re.compile(r"[^\s/>=\"'\x1a][^\s/>=\"'\x1a]*")
_UNQUOTED_RE = re.compile(r"[^\s>]+")
_SPACE_RE = re.compile(r"\s*")


@dataclass(frozen=True, slots=True)
class Attr:
    name: str  # lower-cased
    start: int  # start of the attribute name
    end: int  # end of the whole attribute (after the closing quote)
    value: str | None  # raw source text of the value (template code included), None if no "="
    value_start: int  # span of the value inside the quotes (== end when value is None)
    value_end: int
    quote: str  # '"', "'" or "" (unquoted or no value)

    @property
    def has_template_code(self) -> bool:
        return self.value is not None and ("{%" in self.value or "{{" in self.value)


@dataclass(frozen=True, slots=True)
class StartTag:
    name: str  # lower-cased
    start: int
    end: int
    lineno: int
    attrs: tuple[Attr, ...]
    self_closing: bool

    def attr(self, name: str) -> Attr | None:
        for a in self.attrs:
            if a.name == name:
                return a
        return None

    def get(self, name: str, default: str | None = None) -> str | None:
        a = self.attr(name)
        if a is None:
            return default
        return a.value if a.value is not None else ""


@dataclass(frozen=True, slots=True)
class EndTag:
    name: str
    start: int
    end: int
    lineno: int


@dataclass(frozen=True, slots=True)
class RawText:
    """The body of a ``<script>``/``<style>``/``<textarea>``/``<title>`` element."""

    parent: str
    start: int
    end: int
    lineno: int


@dataclass(frozen=True, slots=True)
class HtmlComment:
    start: int
    end: int
    lineno: int


@dataclass(frozen=True, slots=True)
class OpaqueTag:
    """A tag interrupted by template code we cannot reason about; skipped and reported."""

    name: str  # lower-cased tag name if known, else ""
    start: int
    end: int
    lineno: int
    reason: str


HtmlItem = StartTag | EndTag | RawText | HtmlComment | OpaqueTag


def mask_template_code(source: str, tokens: tuple[Token, ...]) -> str:
    """Return ``source`` with every non-markup token replaced by filler of the same length."""
    parts = []
    for tok in tokens:
        if tok.is_markup:
            parts.append(source[tok.start : tok.end])
        else:
            parts.append(FILLER * (tok.end - tok.start))
    return "".join(parts)


def _code_in(tokens: tuple[Token, ...], starts: list[int], lo: int, hi: int) -> list[Token]:
    """Non-markup tokens that overlap [lo, hi)."""
    i = max(bisect.bisect_right(starts, lo) - 1, 0)
    found = []
    while i < len(tokens) and tokens[i].start < hi:
        tok = tokens[i]
        if tok.end > lo and not tok.is_markup:
            found.append(tok)
        i += 1
    return found


def _describe(tok: Token) -> str:
    if tok.kind is TokenKind.VAR:
        return "{{ " + tok.contents + " }}"
    if tok.kind is TokenKind.BLOCK:
        return "{% " + tok.tag_name + " %}"
    return "template code"


def scan_tags(source: str, tokens: tuple[Token, ...], lines: LineIndex | None = None) -> tuple[HtmlItem, ...]:
    """Scan the markup of a template into HTML items, in source order."""
    lines = lines or LineIndex(source)
    masked = mask_template_code(source, tokens)
    starts = [t.start for t in tokens]
    items: list[HtmlItem] = []
    n = len(masked)
    pos = 0
    find = masked.find
    while True:
        lt = find("<", pos)
        if lt == -1 or lt + 1 >= n:
            break
        nxt = masked[lt + 1]
        if masked.startswith("<!--", lt):
            close = find("-->", lt + 4)
            end = n if close == -1 else close + 3
            items.append(HtmlComment(lt, end, lines.lineno(lt)))
            pos = end
            continue
        if nxt in "!?":
            close = find(">", lt)
            pos = n if close == -1 else close + 1
            continue
        if nxt == "/":
            m = _NAME_RE.match(masked, lt + 2)
            if not m:
                pos = lt + 1
                continue
            close = find(">", m.end())
            end = n if close == -1 else close + 1
            items.append(EndTag(m.group().lower(), lt, end, lines.lineno(lt)))
            pos = end
            continue
        if nxt == FILLER:
            end = _skip_tag(masked, lt + 1)
            code = _code_in(tokens, starts, lt, end)
            what = _describe(code[0]) if code else "template code"
            items.append(OpaqueTag("", lt, end, lines.lineno(lt), f"tag name is template code ({what})"))
            pos = end
            continue
        m = _NAME_RE.match(masked, lt + 1)
        if not m:
            pos = lt + 1  # a bare "<" in text, e.g. "a < b"
            continue
        tag, end = _scan_start_tag(source, masked, tokens, starts, lt, m, lines)
        items.append(tag)
        pos = end
        # A raw-text element's body is text even when its start tag is opaque
        # (<script{% if nonce %} nonce="..."{% endif %}>) or written "/>" (HTML ignores that).
        if tag.name in RAW_TEXT_ELEMENTS:
            close_re = re.compile(r"</" + tag.name + r"[\s>/]", re.IGNORECASE)
            cm = close_re.search(masked, end)
            body_end = cm.start() if cm else n
            items.append(RawText(tag.name, end, body_end, lines.lineno(end)))
            pos = body_end
    return tuple(items)


def _skip_tag(masked: str, pos: int) -> int:
    """End offset of a tag starting before ``pos``, honouring quotes (for opaque tags)."""
    n = len(masked)
    quote = ""
    while pos < n:
        c = masked[pos]
        if quote:
            if c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c == ">":
            return pos + 1
        elif c == "<" and pos + 1 < n and (masked[pos + 1].isalpha() or masked[pos + 1] == "/"):
            return pos  # an unterminated tag: stop before the next one
        pos += 1
    return n


def _scan_start_tag(
    source: str,
    masked: str,
    tokens: tuple[Token, ...],
    starts: list[int],
    lt: int,
    m: re.Match[str],
    lines: LineIndex,
) -> tuple[StartTag | OpaqueTag, int]:
    name = m.group().lower()
    lineno = lines.lineno(lt)
    pos = m.end()
    n = len(masked)
    attrs: list[Attr] = []

    def opaque(reason: str, at: int) -> tuple[StartTag | OpaqueTag, int]:
        end = _skip_tag(masked, at)
        return OpaqueTag(name, lt, end, lineno, reason), end

    while True:
        ws = _SPACE_RE.match(masked, pos)
        assert ws is not None
        had_space = ws.end() > pos
        pos = ws.end()
        if pos >= n:
            return opaque("unterminated tag", pos)
        c = masked[pos]
        if c == ">":
            return StartTag(name, lt, pos + 1, lineno, tuple(attrs), False), pos + 1
        if masked.startswith("/>", pos):
            return StartTag(name, lt, pos + 2, lineno, tuple(attrs), True), pos + 2
        if c == "/":
            pos += 1
            continue
        if c == FILLER:
            code = _code_in(tokens, starts, pos, pos + 1)
            what = _describe(code[0]) if code else "template code"
            where = "between attributes" if had_space or attrs else "right after the tag name"
            return opaque(f"{what} {where}", pos)
        if c == "<":
            return opaque("unterminated tag", pos)
        am = _ATTR_NAME_RE.match(masked, pos)
        if not am:
            return opaque(f"unexpected {c!r} in tag", pos)
        a_start, a_name = pos, am.group().lower()
        pos = am.end()
        if pos < n and masked[pos] == FILLER:
            return opaque("template code inside an attribute name", pos)
        ws = _SPACE_RE.match(masked, pos)
        assert ws is not None
        if ws.end() < n and masked[ws.end()] == "=":
            pos = _SPACE_RE.match(masked, ws.end() + 1).end()  # type: ignore[union-attr]
            if pos >= n:
                return opaque("unterminated tag", pos)
            q = masked[pos]
            if q in "\"'":
                close = masked.find(q, pos + 1)
                if close == -1:
                    return opaque("unterminated attribute value", pos)
                v_start, v_end, end = pos + 1, close, close + 1
                quote = q
            else:
                um = _UNQUOTED_RE.match(masked, pos)
                if not um:
                    return opaque("missing attribute value", pos)
                v_start, v_end, end = pos, um.end(), um.end()
                quote = ""
            depth: list[str] = []
            for tok in _code_in(tokens, starts, v_start, v_end):
                if tok.start < v_start or tok.end > v_end:
                    return opaque("template code crosses an attribute value's quotes", pos)
                if tok.kind is not TokenKind.BLOCK:
                    continue
                word = tok.tag_name
                if word in _STRUCTURAL_IN_VALUE:
                    return opaque(f"{_describe(tok)} inside the value of {a_name}", pos)
                if word in _PAIRED:
                    depth.append(word)
                elif word.startswith("end") and word[3:] in _PAIRED:
                    if not depth or depth.pop() != word[3:]:
                        return opaque(f"{_describe(tok)} without its opening tag inside the value of {a_name}", pos)
            if depth:
                return opaque(f"{{% {depth[-1]} %}} not closed inside the value of {a_name}", pos)
            attrs.append(Attr(a_name, a_start, end, source[v_start:v_end], v_start, v_end, quote))
            pos = end
        else:
            attrs.append(Attr(a_name, a_start, pos, None, pos, pos, ""))


_LENIENT_ATTR_RE = re.compile(r"""\s*([^\s/>="']+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?""")


def read_opaque(source: str, tokens: tuple[Token, ...], tag: OpaqueTag) -> StartTag | None:
    """A best-effort reading of an opaque tag's attributes, for counting only (never for edits).

    Template code outside quoted values is read as blank space, so ``<link rel="stylesheet"
    href="..." {% csp_nonce_attr %}>`` and ``<html{% if rtl %} dir="rtl"{% endif %}>`` keep the
    attributes around it; code inside quotes stays in its value (``href="{% block x %}{% static 'a.css'
    %}{% endblock %}"``). None when the tag name itself is template code."""
    if not tag.name:
        return None
    starts = [t.start for t in tokens]
    chars = list(source[tag.start : tag.end])
    for tok in _code_in(tokens, starts, tag.start, tag.end):
        for i in range(max(tok.start, tag.start), min(tok.end, tag.end)):
            chars[i - tag.start] = FILLER
    quote = ""
    for i, c in enumerate(chars):  # code outside quotes becomes space; code inside stays in its value
        if quote:
            quote = "" if c == quote else quote
        elif c in "\"'":
            quote = c
        elif c == FILLER:
            chars[i] = " "
    text = "".join(chars)
    pos = 1 + len(tag.name)
    attrs: list[Attr] = []
    limit = len(text) - (1 if text.endswith(">") else 0)
    while pos < limit:
        m = _LENIENT_ATTR_RE.match(text, pos, limit)
        if m is None or m.end() == pos:
            pos += 1  # a stray "/" or quote
            continue
        a_start, name = tag.start + m.start(1), m.group(1).lower()
        if m.group(2) is None:
            attrs.append(Attr(name, a_start, tag.start + m.end(), None, tag.start + m.end(), tag.start + m.end(), ""))
        else:
            raw = m.group(2)
            quoted = raw[0] in "\"'"
            v_start = tag.start + m.start(2) + (1 if quoted else 0)
            v_end = tag.start + m.end(2) - (1 if quoted else 0)
            attrs.append(Attr(name, a_start, tag.start + m.end(), source[v_start:v_end], v_start, v_end, raw[0] if quoted else ""))
        pos = m.end()
    return StartTag(tag.name, tag.start, tag.end, tag.lineno, tuple(attrs), text.rstrip().endswith("/>"))


def opens_document(item: HtmlItem) -> bool:
    """Is this the ``<html>`` start tag? Readable or opaque: ``<html{% if rtl %} dir="rtl"{% endif %}>``
    and ``<html class="{% block html_class %}{% endblock %}">`` open a page just the same."""
    return isinstance(item, (StartTag, OpaqueTag)) and item.name == "html"


class OpenElements:
    """The HTML elements open at each point of a walk over items in source order.

    ``feed`` every item in turn: a start tag opens its element (void and ``/>`` ones never do), an
    opaque tag with a known name opens like its start tag would (``<nav{% if x %} class="a"{% endif %}>``
    is still a ``<nav>``), an end tag closes up to its match. ``"nav" in open_elements`` then asks
    whether the current item is inside a ``<nav>``.
    """

    __slots__ = ("names",)

    def __init__(self) -> None:
        self.names: list[str] = []

    def feed(self, item: HtmlItem) -> None:
        if isinstance(item, EndTag):
            if item.name in self.names:
                while self.names and self.names.pop() != item.name:
                    pass
        elif isinstance(item, StartTag):
            if item.name not in VOID_ELEMENTS and not item.self_closing:
                self.names.append(item.name)
        elif isinstance(item, OpaqueTag) and item.name and item.name not in VOID_ELEMENTS:
            self.names.append(item.name)

    def __contains__(self, name: object) -> bool:
        return name in self.names
