"""One stylesheet made ready to join into a bundle (``expand_css``): local ``@import``s inlined
(wrapped in their media) or kept as statements, ``url()``s rebased, source maps and BOMs stripped, an
unterminated string or an unclosed block at the end of the file closed as the browser would, the
``@charset`` noted. Pure: a local import is read through the caller's ``read`` callback."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote

from ..errors import BundleError, BundleWarning
from .css import COMMENT_RE, CSS_TOKEN_RE, unterminated_strings
from .css_rebase import is_relative_url, rebase_css_urls, rebase_url
from .joined import BOM, Source

__all__ = ["ExpandedCss", "expand_css", "UTF8_CHARSET"]

_SOURCE_MAPCOMMENT_RE = re.compile(r"/\*\s*[#@]\s*source(?:Mapping)?URL=", re.IGNORECASE)
_LAYER_STATEMENT_RE = re.compile(r"@layer\s[^;{}]*;", re.IGNORECASE)
UTF8_CHARSET = '@charset "UTF-8";'


@dataclass(frozen=True, slots=True)
class _Statement:
    name: str  # "@import", "@charset", "@namespace", "@layer"
    start: int
    end: int
    url: re.Match[str] | None  # the url() or string token naming the import
    conditions: str  # what follows the URL of an @import (media, layer(), supports()), comments removed


def _top_level_statements(text: str) -> list[_Statement]:
    """The ``@import``/``@charset``/``@namespace``/``@layer x;`` statements outside any block."""
    found: list[_Statement] = []
    depth = parens = 0
    pending: tuple[str, int] | None = None
    url: re.Match[str] | None = None
    for m in CSS_TOKEN_RE.finditer(text):
        kind, tok = m.lastgroup, m.group()
        if kind == "comment":
            continue
        if kind == "func" or tok == "(":
            parens += 1
        elif tok == ")":
            parens = max(parens - 1, 0)
        if pending is not None:
            if tok == ";" and parens == 0:
                found.append(_statement(text, pending, m.end(), url))
                pending = None
                continue
            if tok != "{":
                url = m if url is None and kind in ("url", "string") else url
                continue
            pending = None  # a block at-rule ("@layer x {"), not a statement
        if tok == "{":
            depth += 1
        elif tok == "}":
            depth = max(depth - 1, 0)
        elif kind == "at" and depth == 0 and tok.lower() in ("@import", "@charset", "@namespace", "@layer"):
            pending, url = (tok.lower(), m.start()), None
    if pending is not None:
        found.append(_statement(text, pending, len(text), url))
    return found


def _statement(text: str, pending: tuple[str, int], end: int, url: re.Match[str] | None) -> _Statement:
    rest = text[url.end() if url else end : end].rstrip(";")
    return _Statement(pending[0], pending[1], end, url, " ".join(COMMENT_RE.sub(" ", rest).split()))


def _url_value(m: re.Match[str]) -> tuple[str, int, int]:
    """The URL of a url() or string token, with its span in the text."""
    if m.lastgroup == "string":
        closed = len(m.group()) > 1 and m.group()[-1] == m.group()[0]
        return m.group()[1 : -1 if closed else None], m.start() + 1, m.end() - closed
    group = next(g for g in ("dq", "sq", "uq") if m.group(g) is not None)
    return m.group(group), m.start(group), m.end(group)


def _has_rules(css: str) -> bool:
    """Anything an ``@import`` may not follow: not whitespace, comments or ``@layer a, b;``."""
    return bool(_LAYER_STATEMENT_RE.sub("", COMMENT_RE.sub("", css)).strip())


def _strip_css_source_maps(css: str) -> str:
    def keep(m: re.Match[str]) -> str:
        return "" if m.lastgroup == "comment" and _SOURCE_MAPCOMMENT_RE.match(m.group()) else m.group()

    return CSS_TOKEN_RE.sub(keep, css)


@dataclass(slots=True)
class _CssState:
    bundle_path: str
    read: Callable[[str], str | None]
    warnings: list[BundleWarning]
    charset: tuple[str, str, str] | None = None  # (statement, encoding, path) of the first @charset


@dataclass(frozen=True, slots=True)
class _Segment:
    css: str
    is_import: bool = False  # an @import kept as a statement: must precede every rule of its file


def _expand_css(path: str, text: str, state: _CssState, stack: tuple[str, ...]) -> tuple[list[_Segment], bool]:
    """The segments of one stylesheet, local imports inlined (recursively), urls rebased to the bundle.
    Also says whether it declares an ``@namespace`` (which governs a whole file, so it cannot be joined)."""
    text = _close_bad_strings(text.removeprefix(BOM), path, state)
    segments: list[_Segment] = []
    pos, seen_rules, namespace = 0, False, False

    def add_css(css: str) -> None:
        if css.strip():  # whitespace around a removed statement must not drag a file into a chunk
            segments.append(_Segment(rebase_css_urls(_strip_css_source_maps(css), path, state.bundle_path)))

    for st in _top_level_statements(text):
        gap = text[pos : st.start]
        seen_rules = seen_rules or _has_rules(gap)
        add_css(gap)
        pos = st.end
        lineno = text.count("\n", 0, st.start) + 1
        if st.name == "@charset":
            if st.start == 0:  # only a @charset at the very start counts; any other was already ignored
                _note_charset(text[: st.end], path, lineno, state)
        elif st.name in ("@layer", "@namespace"):
            add_css(text[st.start : st.end].rstrip(";") + ";")  # one at the end of the file may lack it
            namespace = namespace or st.name == "@namespace"
            seen_rules = seen_rules or st.name == "@namespace"
        elif seen_rules:
            state.warnings.append(BundleWarning(path, lineno, "@import after a rule is ignored by browsers: removed"))
        else:
            segments.extend(_import_segments(path, text, st, lineno, state, stack))
    if pos < len(text):  # a file that ends inside a statement lost it (or ";" was added to it)
        add_css(text[pos:] + _eof_closers(text, path, state))
    return segments, namespace


_BAD_STRING_CLOSER = " !bad-string"  # after the closing quote: keeps its declaration invalid, as a bad string makes it


def _close_bad_strings(text: str, path: str, state: _CssState) -> str:
    """Each string a newline ends, closed there (quote + an invalid ``!bad-string``): the browser
    ends it at the newline and drops its declaration or rule; closed, it reads the same and no
    minifier can let it run into the next line or the next file."""
    ends = unterminated_strings(text)
    if not ends:
        return text
    parts, pos = [], 0
    for start, end in ends:
        parts.append(text[pos:end] + text[start] + _BAD_STRING_CLOSER)
        pos = end
        message = "unterminated string (a newline ends it, and the browser drops its declaration): closed at the line end so minifying cannot join it to what follows; close the quote"
        state.warnings.append(BundleWarning(path, text.count("\n", 0, end) + 1, message))
    parts.append(text[pos:])
    return "".join(parts)


def _eof_closers(text: str, path: str, state: _CssState) -> str:
    """What the end of the file closed implicitly (a comment, string, blocks, parentheses): joined to the
    next file, they would swallow it or nest it, so they are closed here as the browser would."""
    openers: list[str] = []
    last: re.Match[str] | None = None
    for m in CSS_TOKEN_RE.finditer(text):
        last, tok = m, m.group()
        if tok == "{" or tok.endswith("("):
            openers.append(tok[-1])
        elif openers and (tok, openers[-1]) in (("}", "{"), (")", "(")):
            openers.pop()  # a mismatched "}" or ")" is a plain token to the CSS parser
    tail = ""
    if last is not None and last.end() == len(text):
        if last.lastgroup == "comment" and (len(last.group()) < 4 or not last.group().endswith("*/")):
            tail = "*/"
        elif last.lastgroup == "string" and (len(last.group()) == 1 or last.group()[-1] != last.group()[0]):
            tail = last.group()[0]
    tail += "".join({"{": "}", "(": ")"}[o] for o in reversed(openers))
    if tail:
        message = f"unclosed at end of file: closed with {tail!r}, as the browser does, so the next file stays apart"
        state.warnings.append(BundleWarning(path, text.count("\n") + 1, message))
    return tail


def _note_charset(statement: str, path: str, lineno: int, state: _CssState) -> None:
    """Each file was decoded by its own ``@charset`` (``text.css.decode_css``) and the bundle is
    written as UTF-8: it says so, never with another file's (foreign) label."""
    if state.charset is None:
        state.charset = (UTF8_CHARSET, "UTF-8", path)


def _import_segments(path: str, text: str, st: _Statement, lineno: int, state: _CssState, stack: tuple[str, ...]) -> list[_Segment]:
    statement = text[st.start : st.end]
    if st.url is None:
        return [_Segment(statement.rstrip(";") + ";", is_import=True)]
    url, ustart, uend = _url_value(st.url)
    rebased = rebase_url(url, path, posixpath.dirname(state.bundle_path))
    kept = _Segment(text[st.start : ustart] + rebased + text[uend : st.end].rstrip(";") + ";", is_import=True)
    bare = unquote(url.strip().split("#", 1)[0].split("?", 1)[0])
    if not is_relative_url(url.strip()) or not bare:
        return [kept]  # external: cannot be inlined, stays an @import
    target = posixpath.normpath(posixpath.join(posixpath.dirname(path), bare))
    if target in stack:
        chain = " -> ".join(stack[stack.index(target) :] + (target,))
        raise BundleError(f"@import cycle: {chain}", path=path, lineno=lineno, hint="remove one of these @imports")
    content = state.read(target)
    if content is None:
        raise BundleError(f"@import of missing file {target}", path=path, lineno=lineno, hint="fix the path or add the file")
    conditions = st.conditions
    if re.search(r"(?:^|\s)(?:layer\b|supports\()", conditions, re.IGNORECASE):
        why = "layer() and supports() are not inlined"
    else:
        inner, namespace = _expand_css(target, content, state, stack + (target,))
        if not conditions and not namespace:
            return inner
        if not namespace and not any(s.is_import for s in inner):
            return [_Segment("@media " + conditions + "{" + "".join(s.css for s in inner) + "}")]
        why = "a file with @namespace is not inlined" if namespace else "its own @imports cannot sit in @media"
    state.warnings.append(BundleWarning(path, lineno, f"@import of {target} kept as an @import: {why}"))
    return [kept]


@dataclass(frozen=True, slots=True)
class ExpandedCss:
    """One stylesheet ready to be joined into the bundle at a given path: local ``@import``s inlined,
    ``url()``s rebased to the bundle's folder. A function of the file, the bundle path and the files it
    imports, so a caller may cache it per source: a bundle with one file changed expands that file only."""

    path: str
    segments: tuple[tuple[str, bool, bool], ...]  # (css, is an @import kept as a statement, holds rules)
    namespace: bool  # declares an @namespace: joined in a chunk of its own
    charset: bool  # it (or a file it imports) starts with @charset
    warnings: tuple[BundleWarning, ...]


def expand_css(source: Source, bundle_path: str, read: Callable[[str], str | None] = lambda p: None) -> ExpandedCss:
    """``source`` expanded for the bundle served at ``bundle_path`` (``read`` as in ``join_css``)."""
    state = _CssState(bundle_path, read, [])
    segments, namespace = _expand_css(source.path, source.text, state, (source.path,))
    pieces = tuple((seg.css, seg.is_import, not seg.is_import and _has_rules(seg.css)) for seg in segments)
    return ExpandedCss(source.path, pieces, namespace, state.charset is not None, tuple(state.warnings))
