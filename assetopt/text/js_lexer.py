"""A small, careful JavaScript lexer: enough to see strings, templates, regexes, comments and prologues.

It exists so the bundler can check what a minifier did (``js_literal_contents`` before vs after), find a
file's strictness (``js_strictness``) and strip ``//# sourceMappingURL`` lines that really are comments.
It never parses, never evaluates, never rewrites code; it only splits text into tokens that tile it.
Classic scripts' HTML-like comments (Annex B) are comments here too: ``<!--`` anywhere, ``-->`` first on
a line; joined onto the line before, ``-->`` is code (``--`` then ``>``), which is how the damage check
(``first_token_difference``) sees a minifier that moved it.

Regex vs division follows the usual rule: a ``/`` starts a regex unless the previous significant token
ends an expression (a name, a number, a literal, ``)``, ``]``, postfix ``++``/``--``). ``}`` is taken as
the end of a block (a regex may follow). The rare misreadings (``if (x) /re/``) are the same before and
after minification, so the damage check stays consistent; at worst it reports damage that is not there
and the file ships unminified.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = [
    "JsToken",
    "js_tokens",
    "js_literal_contents",
    "first_literal_difference",
    "first_token_difference",
    "js_strictness",
    "strip_js_source_map",
]

_SPACE_RE = re.compile(r"[\s\ufeff]+")
_WORD_RE = re.compile(r"(?:[A-Za-z_$\u0080-\uffff]|\\u[0-9a-fA-F{])(?:[\w$\u0080-\uffff]|\\u[0-9a-fA-F{}]+)*")
_NUMBER_RE = re.compile(r"(?:\d|\.\d)(?:[\w.]|(?<=[eE])[-+])*")
_LINE_COMMENT_RE = re.compile(r"//[^\n\r\u2028\u2029]*")
_HTML_COMMENT_RE = re.compile(r"(?:<!--|-->)[^\n\r\u2028\u2029]*")
_BLOCK_COMMENT_RE = re.compile(r"/\*.*?(?:\*/|\Z)", re.DOTALL)
_STRING_RE = {q: re.compile(q + r"(?:[^" + q + r"\\\n\r]|\\(?:\r\n|[\s\S]))*" + q + "?") for q in "'\""}
_QUASI_RE = re.compile(r"(?:[^`\\$]|\\[\s\S]|\$(?!\{))*")
_REGEX_RE = re.compile(r"/(?:[^/\\\[\n\r]|\\.|\[(?:[^\]\\\n\r]|\\.)*\]?)+/?[\w$]*")
_PUNCT_RE = re.compile(r"\+\+|--|\?\.|=>|[^\s\w$]")
# After these words an expression starts, so a "/" there opens a regex.
_KEYWORDS_BEFORE_EXPR = frozenset("return typeof instanceof in of new delete void throw case do else yield await".split())
_ENDS_EXPRESSION = frozenset([")", "]", "++", "--"])
_CANNOT_CONTINUE = frozenset(["{", "!", "~", "++", "--"])  # after a string on the next line: ASI applies
_LINE_BREAKS = "\n\r\u2028\u2029"
_SOURCE_MAP_RE = re.compile(r"//[#@]\s*sourceMappingURL=")


@dataclass(frozen=True, slots=True)
class JsToken:
    kind: str  # "space", "comment", "string", "template", "regex", "word", "number", "punct"
    start: int
    end: int
    content_start: int  # for literals: the contents without delimiters; otherwise start/end
    content_end: int


_Raw = tuple[str, int, int, int, int]  # JsToken's fields, as a plain tuple (what the hot loops use)


def js_tokens(text: str) -> Iterator[JsToken]:
    """Tokens that tile ``text`` exactly. A template literal gives one ``template`` token per quasi
    (the text between `` ` ``/``}`` and ``${``/`` ` ``); its ``${...}`` expressions are lexed as code."""
    for raw in _scan(text):
        yield JsToken(*raw)


def _scan(text: str) -> Iterator[_Raw]:
    """``js_tokens`` as plain tuples: the damage check lexes every bundled script twice (source and
    minified, ~650k tokens on the example), and a frozen dataclass per token cost a fifth of that."""
    pos, n = 0, len(text)
    braces: list[bool] = []  # True for a "${" opened inside a template, False for a plain "{"
    regex_ok = True  # may a "/" here start a regex?
    after_dot = False  # was the previous significant token "." or "?." (so a word is a property name)?
    line_start = True  # only spaces and one-line block comments since the last line break (or the start)?
    startswith = text.startswith
    space, word, number, regex, punct = _SPACE_RE.match, _WORD_RE.match, _NUMBER_RE.match, _REGEX_RE.match, _PUNCT_RE.match
    while pos < n:
        c = text[pos]
        if c.isspace() or c == "\ufeff":
            m = space(text, pos)
            end = m.end() if m else pos + 1
            yield ("space", pos, end, pos, end)
            if not line_start:
                chunk = text[pos:end]
                line_start = "\n" in chunk or "\r" in chunk or "\u2028" in chunk or "\u2029" in chunk
            pos = end
            continue
        if c == "/" and startswith(("//", "/*"), pos):
            block = text[pos + 1] == "*"
            end = _match_end(_BLOCK_COMMENT_RE if block else _LINE_COMMENT_RE, text, pos)
            yield ("comment", pos, end, pos, end)
            if block and line_start:
                line_start = not any(b in text[pos:end] for b in _LINE_BREAKS)
            pos = end
            continue
        if (c == "<" and startswith("<!--", pos)) or (c == "-" and line_start and startswith("-->", pos)):
            end = _match_end(_HTML_COMMENT_RE, text, pos)
            yield ("comment", pos, end, pos, end)
            pos = end
            continue
        line_start = False
        dot = False
        if c in "'\"":
            end = _match_end(_STRING_RE[c], text, pos)
            close = end - 1 if end - pos >= 2 and text[end - 1] == c else end
            tok: _Raw = ("string", pos, end, pos + 1, close)
            regex_ok = False
        elif c == "`" or (c == "}" and braces and braces[-1]):
            if c == "}":
                braces.pop()
            tok = _quasi(text, pos)
            regex_ok = startswith("${", tok[4])
            if regex_ok:
                braces.append(True)
        elif c == "/" and regex_ok and (m := regex(text, pos)) is not None:
            tok = ("regex", pos, m.end(), pos, m.end())
            regex_ok = False
        elif (m := word(text, pos)) is not None:
            end = m.end()
            tok = ("word", pos, end, pos, end)
            regex_ok = not after_dot and m.group() in _KEYWORDS_BEFORE_EXPR
        elif (m := number(text, pos)) is not None:
            end = m.end()
            tok = ("number", pos, end, pos, end)
            regex_ok = False
        else:
            m = punct(text, pos)
            end = m.end() if m and m.end() > pos else pos + 1
            p = text[pos:end]
            if p == "{":
                braces.append(False)
            elif p == "}" and braces:
                braces.pop()
            tok = ("punct", pos, end, pos, end)
            regex_ok, dot = p not in _ENDS_EXPRESSION, p in (".", "?.")
        yield tok
        pos, after_dot = tok[2], dot


def _match_end(rx: re.Pattern[str], text: str, pos: int) -> int:
    m = rx.match(text, pos)
    return m.end() if m and m.end() > pos else pos + 1


def _quasi(text: str, pos: int) -> _Raw:
    """The quasi starting at the `` ` `` or ``}`` at ``pos``, up to and including ``${`` or `` ` ``."""
    start = pos + 1
    stop = _QUASI_RE.match(text, start).end()  # type: ignore[union-attr]
    if text.startswith("${", stop):
        return ("template", pos, stop + 2, start, stop)
    return ("template", pos, min(stop + 1, len(text)), start, stop)


def js_literal_contents(text: str) -> list[str]:
    """The contents of every string and template literal (one entry per quasi) and every regex literal,
    in source order. A minifier must leave this list unchanged."""
    return [content for _, content, _ in _literals_with_offsets(text)]


def _literals_with_offsets(text: str) -> list[tuple[str, str, int]]:
    return [(kind, text[cs:ce], start) for kind, start, _, cs, ce in _scan(text) if kind in ("string", "template", "regex")]


def first_literal_difference(before: str, after: str) -> tuple[str, int] | None:
    """``(kind, lineno in before)`` of the first literal whose contents differ, or None when all agree."""
    a, b = _literals_with_offsets(before), _literals_with_offsets(after)
    for i, (kind, content, offset) in enumerate(a):
        if i >= len(b) or (kind, content) != b[i][:2]:
            return kind, before.count("\n", 0, offset) + 1
    if len(b) > len(a):
        return b[len(a)][0], before.count("\n") + 1
    return None


def first_token_difference(before: str, after: str) -> int | None:
    """The line (in ``before``) of the first code token a minifier changed, or None when every token
    but spaces and comments is the same: what a whitespace/comment minifier must guarantee. Catches
    two tokens glued into one (``var \\u0061b`` -> ``var\\u0061b``) and a comment turned into code
    (an HTML-like ``-->`` moved off the start of its line)."""
    every = list(_scan(before))
    a = [t for t in every if t[0] not in ("space", "comment")]
    b = [after[t[1] : t[2]] for t in _scan(after) if t[0] not in ("space", "comment")]
    for i, tok in enumerate(a):
        if i >= len(b) or before[tok[1] : tok[2]] != b[i]:
            # a comment just before the first changed token is the likelier culprit: name its line
            since = a[i - 1][2] if i else 0
            comment = next((t for t in every if t[0] == "comment" and since <= t[1] < tok[1]), None)
            return before.count("\n", 0, (comment or tok)[1]) + 1
    if len(b) > len(a):
        return before.count("\n") + 1
    return None


def js_strictness(text: str) -> bool | None:
    """True when the directive prologue holds ``"use strict"``, False when not, None for a file with no
    code at all (only comments and whitespace), which can join a run of either kind."""
    tokens = (t for t in js_tokens(text) if t.kind not in ("space", "comment"))  # lazy: stops after the prologue
    tok = next(tokens, None)
    if tok is None:
        return None
    while tok is not None and tok.kind == "string":
        nxt = next(tokens, None)
        follow = text[nxt.start : nxt.end] if nxt else ""
        if nxt is not None and follow not in (";", "}"):
            # Without ";" the string ends its statement only by automatic semicolon insertion: a line
            # break (in whitespace or a comment) before a token that cannot continue the expression.
            newline = any(ch in text[tok.end : nxt.start] for ch in _LINE_BREAKS)
            starts_new = nxt.kind in ("word", "string", "number") and follow not in ("in", "instanceof")
            if not (newline and (starts_new or follow in _CANNOT_CONTINUE)):
                return False
        if text[tok.start : tok.end] in ('"use strict"', "'use strict'"):
            return True
        tok = next(tokens, None) if follow == ";" else nxt
    return False


def strip_js_source_map(text: str) -> str:
    """``text`` without ``//# sourceMappingURL=...`` (or ``//@``) lines: only a comment that is alone on its
    line counts, never one inside a string or template."""
    if "sourceMappingURL" not in text:
        return text
    cuts: list[tuple[int, int]] = []
    for tok in js_tokens(text):
        if tok.kind != "comment" or not _SOURCE_MAP_RE.match(text, tok.start):
            continue
        line_start = max(text.rfind("\n", 0, tok.start), text.rfind("\r", 0, tok.start)) + 1
        if text[line_start : tok.start].strip():
            continue
        end = tok.end
        if text.startswith("\r\n", end):
            end += 2
        elif text.startswith(("\n", "\r"), end):
            end += 1
        cuts.append((line_start, end))
    if not cuts:
        return text
    parts: list[str] = []
    pos = 0
    for start, end in cuts:
        parts.append(text[pos:start])
        pos = end
    parts.append(text[pos:])
    return "".join(parts)
