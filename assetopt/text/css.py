"""Read the references inside CSS: ``url(...)`` and ``@import``, with their lines, skipping comments.

Pure: CSS text in, references out; ``resolve_css_url`` joins a reference to the stylesheet's logical
path with ``posixpath`` (never ``os.path``: URLs use forward slashes on every OS).
"""

from __future__ import annotations

import bisect
import codecs
import posixpath
import re
from dataclasses import dataclass
from urllib.parse import unquote

__all__ = [
    "CssRef",
    "css_references",
    "resolve_css_url",
    "blank_comments",
    "inert_spans",
    "in_spans",
    "font_face_spans",
    "unterminated_strings",
    "decode_css",
    "CSS_TOKEN_RE",
    "COMMENT_RE",
]

# CSS as tokens (comments, url(), strings, functions, at-keywords, punctuation): what the bundler
# rebases and what the audit reads, so both agree on what a stylesheet references.
CSS_TOKEN_RE = re.compile(
    r"""
    (?P<comment>/\*.*?(?:\*/|\Z))
    | (?P<url>(?<![\w\\-])url\(\s*(?:"(?P<dq>(?:[^"\\\n]|\\.)*)"|'(?P<sq>(?:[^'\\\n]|\\.)*)'
                                     |(?P<uq>(?:[^\s"'()\\]|\\.)*))\s*\))
    | (?P<string>"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?)
    | (?P<func>[\w-]+\()
    | (?P<at>@-?[\w-]+)
    | (?P<punct>[{}();])
    """,
    re.DOTALL | re.VERBOSE | re.IGNORECASE,
)
COMMENT_RE = re.compile(r"/\*.*?(?:\*/|\Z)", re.DOTALL)
_IMPORT_RE = re.compile(
    r"""@import\s+(?:url\(\s*(?P<q1>["']?)(?P<u1>[^"')]*)(?P=q1)\s*\)|(?P<q2>["'])(?P<u2>[^"']*)(?P=q2))\s*(?P<media>[^;]*);""",
    re.IGNORECASE,
)
_URL_RE = re.compile(r"""url\(\s*(?P<q>["']?)(?P<u>[^"')]*?)(?P=q)\s*\)""", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class CssRef:
    kind: str  # "import" or "url"
    url: str
    start: int  # offset of the URL text
    end: int
    lineno: int
    media: str = ""  # @import media query


def blank_comments(text: str) -> str:
    """``text`` with every comment replaced by spaces (newlines kept), so offsets and lines stay."""
    return COMMENT_RE.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)


def inert_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every comment and of every string that is not a reference, in order:
    ``/* url(old.png) */`` and ``content: "see url(x.png)"`` are text, not requests. Not inert:
    ``url("...")`` and the string right after ``@import``."""
    spans: list[tuple[int, int]] = []
    after_import = False
    for m in CSS_TOKEN_RE.finditer(text):
        kind = m.lastgroup
        if kind == "comment" or (kind == "string" and not after_import):
            spans.append(m.span())
        after_import = kind == "at" and m.group().lower() == "@import"
    return spans


def in_spans(spans: list[tuple[int, int]], offset: int) -> bool:
    """Does ``offset`` fall inside one of ``spans`` (sorted, not overlapping, as ``inert_spans`` gives them)?"""
    i = bisect.bisect_right(spans, (offset, float("inf"))) - 1
    return i >= 0 and spans[i][0] <= offset < spans[i][1]


def _blank_strings_and_comments(text: str) -> str:
    """``text`` with its ``inert_spans`` blanked (newlines kept), so offsets and lines stay."""
    out: list[str] = []
    pos = 0
    for start, end in inert_spans(text):
        out.append(text[pos:start])
        out.append(re.sub(r"[^\n]", " ", text[start:end]))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def css_references(text: str) -> list[CssRef]:
    """Every ``@import`` and ``url()`` outside comments and strings, in source order."""
    clean = _blank_strings_and_comments(text)
    refs: list[CssRef] = []
    import_spans: list[tuple[int, int]] = []
    for m in _IMPORT_RE.finditer(clean):
        g = "u1" if m.group("u1") is not None else "u2"
        refs.append(CssRef("import", m.group(g).strip(), m.start(g), m.end(g), clean.count("\n", 0, m.start()) + 1, m.group("media").strip()))
        import_spans.append((m.start(), m.end()))
    for m in _URL_RE.finditer(clean):
        if any(s <= m.start() < e for s, e in import_spans):
            continue
        refs.append(CssRef("url", m.group("u").strip(), m.start("u"), m.end("u"), clean.count("\n", 0, m.start()) + 1))
    refs.sort(key=lambda r: r.start)
    return refs


def resolve_css_url(css_path: str, url: str) -> str | None:
    """The logical static path ``url`` points at from stylesheet ``css_path``.

    None for URLs that are not files beside it: ``data:``, ``#fragment``, absolute, external, empty.
    Query strings and fragments (``?#iefix``) are dropped for the lookup.
    """
    low = url.lower()
    if not url or low.startswith(("data:", "#", "http:", "https:", "//", "/", "about:", "blob:")):
        return None
    if ":" in url.split("/", 1)[0]:
        return None
    bare = unquote(url.split("#", 1)[0].split("?", 1)[0])
    if not bare:
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(css_path), bare))
    return joined


_FONT_FACE_RE = re.compile(r"@font-face\s*\{[^}]*\}", re.IGNORECASE)


def font_face_spans(text: str) -> list[tuple[int, int]]:
    """Spans of ``@font-face`` rules (comments blanked), so callers can count one font per face:
    browsers fetch only the first ``src`` format they support."""
    return [m.span() for m in _FONT_FACE_RE.finditer(blank_comments(text))]


def unterminated_strings(text: str) -> list[tuple[int, int]]:
    """Spans of the strings a newline ends (CSS's bad-string token; the newline stays outside):
    the browser drops the declaration or rule holding one, but a minifier that removes the newline
    lets the string run on and swallow what follows, the next file of a bundle included."""
    ends = []
    for m in CSS_TOKEN_RE.finditer(text):
        tok = m.group()
        if m.lastgroup == "string" and (len(tok) == 1 or tok[-1] != tok[0]) and m.end() < len(text):
            ends.append(m.span())
    return ends


_CHARSET_RULE = re.compile(rb'@charset "([^"]{1,40})";')  # byte-exact at offset 0, as CSS Syntax reads it
# WHATWG Encoding labels that name another codec than Python's of the same name (browsers decode
# "iso-8859-1" and "ascii" as windows-1252)
_WHATWG = {
    **dict.fromkeys(("ascii", "us-ascii", "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "cp819", "ibm819"), "cp1252"),
    **dict.fromkeys(("iso-8859-9", "iso8859-9", "latin5", "l5"), "cp1254"),
    **dict.fromkeys(("tis-620", "iso-8859-11"), "cp874"),
}
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def decode_css(data: bytes) -> str:
    """A stylesheet's text, decoded as the browser decodes it: a BOM first, else its own
    ``@charset "X";`` (``utf-16*`` there means UTF-8, as the spec says; an unknown label is ignored,
    as browsers ignore it), else UTF-8. The BOM is dropped; the ``@charset`` rule stays in the text
    (the joiner replaces it). Raises ``UnicodeDecodeError``."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding)
    m = _CHARSET_RULE.match(data)
    if m is not None:
        label = m.group(1).decode("ascii", "replace").strip().lower()
        try:
            codec = _WHATWG.get(label) or codecs.lookup(label).name
        except LookupError:
            codec = "utf-8"
        if not label.startswith("utf-16"):
            return data.decode(codec)
    return data.decode("utf-8")
