"""Template code masked out of a template's source, so HTML can be scanned in what is left.

Every non-markup token (``{{ }}``, ``{% %}``, ``{# #}``, comment and verbatim bodies) becomes filler of
the same length: offsets in the masked text are offsets in the source, and a ``>`` inside
``{% if a > b %}`` can never end a tag. This module is pure: text and tokens in, text out.
"""

from __future__ import annotations

import bisect

from .lexer import Token, TokenKind

__all__ = ["FILLER", "mask_template_code", "code_in", "describe_code"]

FILLER = "\x1a"


def mask_template_code(source: str, tokens: tuple[Token, ...]) -> str:
    """Return ``source`` with every non-markup token replaced by filler of the same length."""
    parts = []
    for tok in tokens:
        if tok.is_markup:
            parts.append(source[tok.start : tok.end])
        else:
            parts.append(FILLER * (tok.end - tok.start))
    return "".join(parts)


def code_in(tokens: tuple[Token, ...], starts: list[int], lo: int, hi: int) -> list[Token]:
    """Non-markup tokens that overlap [lo, hi)."""
    i = max(bisect.bisect_right(starts, lo) - 1, 0)
    found = []
    while i < len(tokens) and tokens[i].start < hi:
        tok = tokens[i]
        if tok.end > lo and not tok.is_markup:
            found.append(tok)
        i += 1
    return found


def describe_code(tok: Token) -> str:
    """A token as a reason names it: ``{{ x.y }}``, ``{% if %}``."""
    if tok.kind is TokenKind.VAR:
        return "{{ " + tok.contents + " }}"
    if tok.kind is TokenKind.BLOCK:
        return "{% " + tok.tag_name + " %}"
    return "template code"
