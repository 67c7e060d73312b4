"""A best-effort reading of an opaque tag (``tags.OpaqueTag``): its attributes, for counting only.

The scanner never guesses at a tag interrupted by template code; an audit still wants to count the
stylesheet behind ``<link rel="stylesheet" href="..." {% csp_nonce_attr %}>``. What this module reads is
never used for edits. Pure: text and tokens in, a ``StartTag`` out.
"""

from __future__ import annotations

import re

from .html_items import Attr, OpaqueTag, StartTag
from .lexer import Token
from .mask import FILLER, code_in

__all__ = ["read_opaque"]

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
    for tok in code_in(tokens, starts, tag.start, tag.end):
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
