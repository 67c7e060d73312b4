"""Join and minify stylesheets and scripts without changing what they mean (design decision 4).

Pure: text in, frozen values out. This module never reads or writes files (a local ``@import`` is fetched
through the ``read`` callback the caller passes), never imports Django or click, never prints, and never
uses ``os.path``: static paths and URLs are posix on every OS. Output depends only on the input, byte for
byte.

Where joining would change meaning it splits instead: an external ``@import`` that would land after a
rule starts a new CSS chunk; a change of strictness starts a new JS chunk. Where a minifier damages a
file (rjsmin and nested template literals) the parser-based minifier takes over when installed
(``text/js_parsed.py``); otherwise the file ships unminified with a warning.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import unquote

import rcssmin
import rjsmin

from .errors import BundleError, BundleWarning
from .text import js_parsed
from .text.css import COMMENT_RE, CSS_TOKEN_RE, unterminated_strings
from .text.js_lexer import first_literal_difference, first_token_difference, js_literal_contents, js_strictness, strip_js_source_map

__all__ = [
    "Source", "BundleWarning", "Chunk", "Joined", "BundleError", "ExpandedCss", "minify_css", "minify_js",
    "rebase_css_urls", "expand_css", "join_expanded_css", "join_css", "join_js", "js_literal_contents",
]  # fmt: skip

JS_SEPARATOR = "\n;\n"  # a ";" glued to a file ending in "// comment" would be commented out


@dataclass(frozen=True, slots=True)
class Source:
    path: str  # logical static path, posix, e.g. "vendor/bootstrap/css/bootstrap.css"
    text: str


@dataclass(frozen=True, slots=True)
class Chunk:
    text: str  # final text of one output file
    sources: tuple[str, ...]  # logical paths joined into it, in order


@dataclass(frozen=True, slots=True)
class Joined:
    chunks: tuple[Chunk, ...]
    warnings: tuple[BundleWarning, ...]


# ---------------------------------------------------------------------------------------------- CSS

_SOURCE_MAPCOMMENT_RE = re.compile(r"/\*\s*[#@]\s*source(?:Mapping)?URL=", re.IGNORECASE)
_LAYER_STATEMENT_RE = re.compile(r"@layer\s[^;{}]*;", re.IGNORECASE)
_SCHEME_RE = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")
_IMAGE_SET = ("image-set(", "-webkit-image-set(")
# rcssmin keeps whitespace inside a quoted url() only for a non-base64 data: URL (this same test).
_RCSSMIN_KEEPS_SPACES_RE = re.compile(r"""data:([^\x00-\x20\\"',]*),""", re.IGNORECASE)
_BOM = "\ufeff"
_UTF8_CHARSET = '@charset "UTF-8";'


def minify_css(text: str) -> str:
    """rcssmin with ``/*! licence */`` comments kept.

    rcssmin strips whitespace inside a quoted ``url("my font.woff")`` (it keeps it only in non-base64
    ``data:`` URLs), which names another file; such spaces are written ``%20`` first, which browsers
    request identically."""
    if _may_need_url_encoding(text):  # rarely: the token pass costs ~30x rcssmin's own
        text = _encode_url_spaces(text)
    return str(rcssmin.cssmin(text, keep_bang_comments=True))


def _encode_url_spaces(text: str) -> str:
    parts: list[str] = []
    pos = 0
    for m in CSS_TOKEN_RE.finditer(text):
        if m.lastgroup != "url" or m.group("uq") is not None:
            continue
        group = "dq" if m.group("dq") is not None else "sq"
        raw = m.group(group)
        if _url_needs_encoding(raw):
            parts += [text[pos : m.start(group)], raw.strip().replace(" ", "%20")]
            pos = m.end(group)
    parts.append(text[pos:])
    return "".join(parts)


def _url_needs_encoding(raw: str) -> bool:
    url = raw.strip()  # browsers drop a URL's leading and trailing spaces, as rcssmin does
    # base64 decoding ignores the spaces rcssmin strips; plain data: URLs it leaves alone.
    return " " in url and not _is_base64_data(url) and not _RCSSMIN_KEEPS_SPACES_RE.match(raw)


# CSS_TOKEN_RE's quoted url() alternatives, without its look-behind: every url() token the token
# pass could change starts at a "url(" where this matches with the same group.
_QUOTED_URL_RE = re.compile(r"""url\(\s*(?:"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)')\s*\)""", re.DOTALL | re.IGNORECASE)
_URL_OPEN_RE = re.compile(r"url\(", re.IGNORECASE)


def _may_need_url_encoding(text: str) -> bool:
    """False only when no quoted ``url()`` anywhere in ``text`` (inside comments and strings too)
    holds a space ``_encode_url_spaces`` would encode: then it would return ``text`` unchanged."""
    for opening in _URL_OPEN_RE.finditer(text):
        m = _QUOTED_URL_RE.match(text, opening.start())
        if m is not None and _url_needs_encoding(m.group(1) if m.group(1) is not None else m.group(2)):
            return True
    return False


def _is_base64_data(url: str) -> bool:
    head = url.split(",", 1)[0].lower()
    return head.startswith("data:") and head.replace(" ", "").endswith(";base64")


def _is_relative_url(url: str) -> bool:
    """A URL that names a file relative to the stylesheet: not ``data:``, ``#id``, ``/abs``, ``//host``
    or any ``scheme:``."""
    return bool(url) and not url.startswith(("#", "/", "\\")) and not _SCHEME_RE.match(url)


def _rebase_url(url: str, from_path: str, to_dir: str) -> str:
    core = url.strip()
    if not _is_relative_url(core):
        return url
    cut = min((i for i in (core.find("?"), core.find("#")) if i >= 0), default=len(core))
    path, suffix = core[:cut], core[cut:]
    target = posixpath.normpath(posixpath.join(posixpath.dirname(from_path), path)) if path else from_path
    rebased = _relpath(target, to_dir)
    if path.endswith("/") and not rebased.endswith("/"):
        rebased += "/"
    return rebased + suffix


def _relpath(target: str, start_dir: str) -> str:
    """posixpath.relpath for logical paths, without consulting the working directory."""
    t = [] if target in ("", ".") else target.split("/")
    s = [] if start_dir in ("", ".") else posixpath.normpath(start_dir).split("/")
    if ".." in s:
        raise BundleError(f"bundle path {start_dir!r} leaves the static root", path=start_dir)
    k = 0
    while k < min(len(t), len(s)) and t[k] == s[k]:
        k += 1
    return "/".join([".."] * (len(s) - k) + t[k:]) or "."


def rebase_css_urls(text: str, from_path: str, to_path: str) -> str:
    """``text`` (a stylesheet at ``from_path``) with every relative ``url()`` re-pointed so it names the
    same file from ``to_path``'s folder. Quotes, queries and fragments are kept; comments are untouched.
    The strings of ``@import "x.css"`` and ``image-set("a.png" 1x)`` are URLs too and are rebased."""
    to_dir = posixpath.dirname(to_path)
    parts: list[str] = []
    pos = 0
    funcs: list[str] = []
    after_import = False
    for m in CSS_TOKEN_RE.finditer(text):
        kind, tok = m.lastgroup, m.group()
        if kind == "comment":
            continue
        group = None
        if kind == "url":
            group = next(g for g in ("dq", "sq", "uq") if m.group(g) is not None)
        elif kind == "string" and (after_import or (funcs and funcs[-1] in _IMAGE_SET)) and tok[-1:] == tok[0] != tok:
            parts += [text[pos : m.start() + 1], _rebase_url(tok[1:-1], from_path, to_dir)]
            pos = m.end() - 1
        elif kind == "func" or tok == "(":
            funcs.append(tok.lower())
        elif tok == ")" and funcs:
            funcs.pop()
        after_import = kind == "at" and tok.lower() == "@import"
        if group is not None:
            parts += [text[pos : m.start(group)], _rebase_url(m.group(group), from_path, to_dir)]
            pos = m.end(group)
    parts.append(text[pos:])
    return "".join(parts)


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
    text = _close_bad_strings(text.removeprefix(_BOM), path, state)
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
        state.charset = (_UTF8_CHARSET, "UTF-8", path)


def _import_segments(path: str, text: str, st: _Statement, lineno: int, state: _CssState, stack: tuple[str, ...]) -> list[_Segment]:
    statement = text[st.start : st.end]
    if st.url is None:
        return [_Segment(statement.rstrip(";") + ";", is_import=True)]
    url, ustart, uend = _url_value(st.url)
    rebased = _rebase_url(url, path, posixpath.dirname(state.bundle_path))
    kept = _Segment(text[st.start : ustart] + rebased + text[uend : st.end].rstrip(";") + ";", is_import=True)
    bare = unquote(url.strip().split("#", 1)[0].split("?", 1)[0])
    if not _is_relative_url(url.strip()) or not bare:
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


def join_css(
    sources: Sequence[Source],
    bundle_path: str,
    *,
    minify: bool = True,
    read: Callable[[str], str | None] = lambda p: None,
) -> Joined:
    """Join stylesheets into the file(s) served at ``bundle_path``, in order.

    Local ``@import``s are inlined (``read(logical_path)`` gives their text, None when missing); an
    external ``@import`` that would follow a rule starts a new chunk, so every chunk is valid CSS with the
    same cascade. A source with ``@namespace`` gets a chunk of its own."""
    return join_expanded_css([expand_css(source, bundle_path, read) for source in sources], minify=minify)


def join_expanded_css(expanded: Sequence[ExpandedCss], *, minify: bool = True) -> Joined:
    """``join_css`` of sources already expanded (each by ``expand_css`` for the same bundle path)."""
    groups: list[tuple[list[str], list[str]]] = []  # (css parts, source paths) per chunk
    open_chunk, has_rules = False, False
    for source in expanded:
        segments = source.segments or (("", False, False),)  # an empty file still belongs to a chunk
        if source.namespace and groups:
            open_chunk = False
        first_in_source, held = True, list[str]()
        for i, (css, is_import, rules) in enumerate(segments):
            if not is_import and not rules and i < len(segments) - 1:
                held.append(css)  # a comment goes with what follows it (a licence before an @import)
                continue
            if not open_chunk or (is_import and has_rules):
                groups.append(([], []))
                open_chunk, has_rules, first_in_source = True, False, True
            parts, paths = groups[-1]
            if first_in_source:
                parts += ["\n"] if parts else []
                paths += [] if paths and paths[-1] == source.path else [source.path]
                first_in_source = False
            parts += held + [css]
            held, has_rules = [], has_rules or rules
        if source.namespace:
            open_chunk = False
    prefix = _UTF8_CHARSET + "\n" if any(source.charset for source in expanded) else ""
    chunks: list[Chunk] = []
    for parts, paths in groups:
        text = prefix + "".join(parts)
        chunks.append(Chunk(minify_css(text) if minify else text, tuple(paths)))
    return Joined(tuple(chunks), tuple(w for source in expanded for w in source.warnings))


# ----------------------------------------------------------------------------------------------- JS


def minify_js(text: str, path: str = "", js_minifier: str = "auto") -> tuple[str, BundleWarning | None]:
    """rjsmin with ``/*! licence */`` comments kept, ``//# sourceMappingURL`` lines stripped.

    When minifying changed the contents of any string, template or regex literal (rjsmin 1.3 does, in
    nested template literals) or any code token, rjsmin's output is never shipped: with
    ``js_minifier="auto"`` (or ``"minify-go"``, which tries it first on every script) and minify-go installed, the parser-based minifier (``text/js_parsed.py``,
    its output checked) takes over; otherwise (or when it refuses) the text ships unminified (source
    map line still stripped) with a warning saying why and what to install."""
    text = strip_js_source_map(text.removeprefix(_BOM))
    if js_minifier == "minify-go" and js_parsed.available():
        try:  # every script: renaming locals saves ~18 % after brotli over rjsmin (bench/RESULTS.md)
            return js_parsed.minify_parsed(text), None
        except js_parsed.ParsedRefusal:
            pass  # rjsmin and its damage check, as with "auto"
    minified = str(rjsmin.jsmin(text, keep_bang_comments=True))
    damage = first_literal_difference(text, minified)
    if damage is not None:
        kind, lineno = damage
        what = {"template": "a template literal", "regex": "a regex literal"}.get(kind, "a string literal")
        problem = f"rjsmin changed the contents of {what}"
    else:
        changed = first_token_difference(text, minified)
        if changed is None:
            return minified, None
        # e.g. an HTML-like "-->" comment joined to the line before, two names glued
        lineno, problem = changed, "rjsmin changed the code here (not only spaces and comments)"
    if js_minifier == "rjsmin":
        return text, BundleWarning(path, lineno, f"{problem}: shipped unminified")
    if not js_parsed.available():
        return text, BundleWarning(path, lineno, f"{problem}: shipped unminified; {js_parsed.INSTALL_HINT} minifies it with a parser")
    try:
        return js_parsed.minify_parsed(text), None
    except js_parsed.ParsedRefusal as exc:
        return text, BundleWarning(path, lineno, f"{problem}, and {exc}: shipped unminified")


def join_js(
    sources: Sequence[Source],
    *,
    minify: bool = True,
    js_minifier: str = "auto",
    minifier: Callable[[str, str], tuple[str, BundleWarning | None]] | None = None,
) -> Joined:
    """Join scripts with ``"\\n;\\n"``, each minified on its own (by ``minifier``, default
    ``minify_js`` with ``js_minifier``: a caller may pass one that returns results computed in parallel
    or cached).

    Joining puts every file under the first file's directive prologue, so a chunk is a run of files of
    the same strictness; a file with no code at all joins whatever run it follows."""
    minifier = minifier or (lambda text, path: minify_js(text, path, js_minifier))
    groups: list[tuple[bool, list[str], list[str]]] = []
    warnings: list[BundleWarning] = []
    for source in sources:
        strict = js_strictness(source.text)
        if minify:
            body, warning = minifier(source.text, source.path)
            if warning is not None:
                warnings.append(warning)
        else:
            body = strip_js_source_map(source.text.removeprefix(_BOM))
        if not groups or (strict is not None and strict != groups[-1][0]):
            groups.append((bool(strict), [], []))
        groups[-1][1].append(body)
        groups[-1][2].append(source.path)
    chunks = tuple(Chunk(JS_SEPARATOR.join(bodies), tuple(paths)) for _, bodies, paths in groups)
    return Joined(chunks, tuple(warnings))
