"""Tokenize a Django template with Django's own ``DebugLexer`` and keep exact source spans.

Every token carries ``(start, end)`` offsets into the source string; the tokens tile the source with
no gap and no overlap (CRLF, BOM and non-ASCII text included), so a rewrite can splice edits into the
original text. On top of Django's tokens we record the *region* of each token: the body of a
``{% comment %}`` block or of a ``{% verbatim %}`` block is not markup we reason about.

This module never reads files and never configures Django.
"""

from __future__ import annotations

import bisect
import enum
from dataclasses import dataclass

from django.template.base import DebugLexer, TokenType

from ..errors import TemplateError

__all__ = ["TokenKind", "Region", "Token", "lex", "LineIndex"]


class TokenKind(enum.Enum):
    TEXT = "text"
    VAR = "var"  # {{ ... }}
    BLOCK = "block"  # {% ... %}
    COMMENT = "comment"  # {# ... #}


class Region(enum.Enum):
    NORMAL = "normal"
    COMMENT = "comment"  # inside {% comment %} ... {% endcomment %} (the tags themselves too)
    VERBATIM = "verbatim"  # inside {% verbatim %} ... {% endverbatim %} (the tags themselves too)


_KINDS = {
    TokenType.TEXT: TokenKind.TEXT,
    TokenType.VAR: TokenKind.VAR,
    TokenType.BLOCK: TokenKind.BLOCK,
    TokenType.COMMENT: TokenKind.COMMENT,
}


@dataclass(frozen=True, slots=True)
class Token:
    kind: TokenKind
    start: int
    end: int
    lineno: int
    contents: str  # tag/var contents stripped of delimiters; raw text for TEXT
    region: Region = Region.NORMAL

    @property
    def tag_name(self) -> str:
        """The first word of a block tag (``"static"`` for ``{% static 'a.css' %}``), else ``""``."""
        if self.kind is not TokenKind.BLOCK:
            return ""
        return self.contents.split(None, 1)[0] if self.contents else ""

    @property
    def is_markup(self) -> bool:
        """True for TEXT that is real output markup (not a comment or verbatim body)."""
        return self.kind is TokenKind.TEXT and self.region is Region.NORMAL

    @property
    def is_code(self) -> bool:
        """True for ``{{ }}`` and ``{% %}`` that Django runs (not inside a comment or verbatim body)."""
        return self.kind in (TokenKind.VAR, TokenKind.BLOCK) and self.region is Region.NORMAL


def lex(source: str, path: str | None = None) -> tuple[Token, ...]:
    """Split ``source`` into tokens whose spans tile it exactly.

    Raises ``TemplateError`` (with the line) for an unclosed ``{% comment %}`` or ``{% verbatim %}``,
    which Django itself refuses to compile.
    """
    raw = DebugLexer(source).tokenize()
    tokens: list[Token] = []
    region = Region.NORMAL
    opened_at = 0
    for tok in raw:
        start, end = tok.position
        kind = _KINDS[tok.token_type]
        contents = tok.contents if kind is not TokenKind.TEXT else source[start:end]
        this_region = region
        if kind is TokenKind.BLOCK:
            word = contents.split(None, 1)[0] if contents else ""
            if region is Region.NORMAL and word == "comment":
                region = this_region = Region.COMMENT
                opened_at = tok.lineno
            elif region is Region.COMMENT and contents == "endcomment":  # Django's skip_past is exact
                region = Region.NORMAL
            elif region is Region.NORMAL and word == "verbatim":
                region = this_region = Region.VERBATIM
                opened_at = tok.lineno
            elif region is Region.VERBATIM and word.startswith("endverbatim"):
                region = Region.NORMAL
        tokens.append(Token(kind, start, end, tok.lineno, contents, this_region))
    if region is Region.COMMENT:
        raise TemplateError("unclosed {% comment %}", path=path, lineno=opened_at, hint="add {% endcomment %}")
    if region is Region.VERBATIM:
        raise TemplateError("unclosed {% verbatim %}", path=path, lineno=opened_at, hint="add {% endverbatim %}")
    return tuple(tokens)


class LineIndex:
    """Map string offsets to 1-based line numbers."""

    __slots__ = ("_starts",)

    def __init__(self, source: str) -> None:
        starts = [0]
        find = source.find
        pos = find("\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = find("\n", pos + 1)
        self._starts = starts

    def lineno(self, offset: int) -> int:
        return bisect.bisect_right(self._starts, offset)

    def line_start(self, lineno: int) -> int:
        """The offset where 1-based line ``lineno`` starts (bs4's ``sourceline`` back to an offset)."""
        return self._starts[lineno - 1]
