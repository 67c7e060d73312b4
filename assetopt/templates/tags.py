"""A lossless HTML tag scanner for Django templates.

HTML is scanned only in markup TEXT spans. Template code (``{{ }}``, ``{% %}``, ``{# #}``, comment and
verbatim bodies) is *masked*: replaced by a filler character of the same length, so offsets in the
masked text are offsets in the source and a ``>`` inside ``{% if a > b %}`` can never end a tag.

Template code inside a quoted (or unquoted) attribute value is normal and keeps the value's span.
Template code anywhere else in a tag (``<img {% if x %}...>``, ``<li{% if %} class="a"{% endif %}>``,
``<{{ tag }}>``, an ``{% include %}`` between attributes, a ``{% block %}`` inside a value) makes the
tag *opaque*: it is recorded with the reason and never guessed at.

The pieces live apart and are re-exported here, where callers import them from: the items are
``html_items``, the masking ``mask``, the lenient reading of an opaque tag ``opaque``, the walk over
open elements ``open_elements``. This module is pure: text in, frozen values out.
"""

from __future__ import annotations

import re

from .html_items import (
    RAW_TEXT_ELEMENTS,
    VOID_ELEMENTS,
    Attr,
    EndTag,
    HtmlComment,
    HtmlItem,
    OpaqueTag,
    RawText,
    StartTag,
)
from .lexer import LineIndex, Token, TokenKind
from .mask import FILLER, code_in, describe_code, mask_template_code
from .opaque import read_opaque
from .open_elements import OpenElements, opens_document

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
            code = code_in(tokens, starts, lt, end)
            what = describe_code(code[0]) if code else "template code"
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
            code = code_in(tokens, starts, pos, pos + 1)
            what = describe_code(code[0]) if code else "template code"
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
            for tok in code_in(tokens, starts, v_start, v_end):
                if tok.start < v_start or tok.end > v_end:
                    return opaque("template code crosses an attribute value's quotes", pos)
                if tok.kind is not TokenKind.BLOCK:
                    continue
                word = tok.tag_name
                if word in _STRUCTURAL_IN_VALUE:
                    return opaque(f"{describe_code(tok)} inside the value of {a_name}", pos)
                if word in _PAIRED:
                    depth.append(word)
                elif word.startswith("end") and word[3:] in _PAIRED:
                    if not depth or depth.pop() != word[3:]:
                        return opaque(f"{describe_code(tok)} without its opening tag inside the value of {a_name}", pos)
            if depth:
                return opaque(f"{{% {depth[-1]} %}} not closed inside the value of {a_name}", pos)
            attrs.append(Attr(a_name, a_start, end, source[v_start:v_end], v_start, v_end, quote))
            pos = end
        else:
            attrs.append(Attr(a_name, a_start, pos, None, pos, pos, ""))
