"""Rebasing a stylesheet's relative ``url()``s (and ``@import``/``image-set()`` strings) to the folder of
the bundle it joins. Pure: logical posix paths, never ``os.path`` nor the working directory."""

from __future__ import annotations

import posixpath
import re

from ..errors import BundleError
from .css import CSS_TOKEN_RE

__all__ = ["rebase_css_urls", "rebase_url", "is_relative_url"]

_SCHEME_RE = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")
_IMAGE_SET = ("image-set(", "-webkit-image-set(")


def is_relative_url(url: str) -> bool:
    """A URL that names a file relative to the stylesheet: not ``data:``, ``#id``, ``/abs``, ``//host``
    or any ``scheme:``."""
    return bool(url) and not url.startswith(("#", "/", "\\")) and not _SCHEME_RE.match(url)


def rebase_url(url: str, from_path: str, to_dir: str) -> str:
    core = url.strip()
    if not is_relative_url(core):
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
            parts += [text[pos : m.start() + 1], rebase_url(tok[1:-1], from_path, to_dir)]
            pos = m.end() - 1
        elif kind == "func" or tok == "(":
            funcs.append(tok.lower())
        elif tok == ")" and funcs:
            funcs.pop()
        after_import = kind == "at" and tok.lower() == "@import"
        if group is not None:
            parts += [text[pos : m.start(group)], rebase_url(m.group(group), from_path, to_dir)]
            pos = m.end(group)
    parts.append(text[pos:])
    return "".join(parts)
