"""Minifying one stylesheet: rcssmin, licence comments kept, spaces in quoted ``url()``s encoded
first so rcssmin cannot change which file they name. Pure, posix, deterministic."""

from __future__ import annotations

import re

import rcssmin

from .css import CSS_TOKEN_RE

__all__ = ["minify_css"]

# rcssmin keeps whitespace inside a quoted url() only for a non-base64 data: URL (this same test).
_RCSSMIN_KEEPS_SPACES_RE = re.compile(r"""data:([^\x00-\x20\\"',]*),""", re.IGNORECASE)


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
