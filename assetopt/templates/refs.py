"""Classify what an attribute value points at: a static file, an external URL, something dynamic.

Pure: a value's variants and the static URL prefix in, a ``Ref`` out. Finding the file on disk is
``staticfiles.py``'s job.
"""

from __future__ import annotations

import enum
import posixpath
import re
from dataclasses import dataclass
from urllib.parse import unquote

from .values import Dynamic, Literal, Part, Static, StaticPrefix, ValueVariants

__all__ = ["RefKind", "Ref", "classify_value", "classify_url", "split_srcset", "strip_static_path"]


_ABSOLUTE_RE = re.compile(r"\s*(?:https?:)?//[^/\s]+", re.IGNORECASE)


class RefKind(enum.Enum):
    STATIC = "static"  # a logical path under the static dirs
    EXTERNAL = "external"  # http(s):// or protocol-relative //host
    DATA = "data"  # data: URI, nothing to fetch
    SITE = "site"  # an absolute path on the site outside STATIC_URL (/media/x.png, a view)
    RELATIVE = "relative"  # relative to the page URL: unknowable from a template
    DYNAMIC = "dynamic"  # computed at run time
    UNSAFE = "unsafe"  # tries to leave the static dirs (../, absolute file paths)
    EMPTY = "empty"


@dataclass(frozen=True, slots=True)
class Ref:
    kind: RefKind
    paths: tuple[str, ...] = ()  # STATIC: one logical path per variant (deduplicated, in order)
    url: str = ""  # the literal URL or the template code, for messages
    conditional: bool = False  # chosen by {% if %}

    @property
    def path(self) -> str:
        return self.paths[0] if self.paths else ""


def _clean_static_path(path: str) -> str | None:
    """Normalise a logical static path; None if it escapes the static root."""
    path = unquote(path.split("#", 1)[0].split("?", 1)[0])
    if not path or "\x00" in path or "\\" in path:
        return None
    if path.startswith("/") or (len(path) > 1 and path[1] == ":"):
        return None
    norm = posixpath.normpath(path)
    if norm == ".." or norm.startswith("../") or norm == ".":
        return None
    return norm


def classify_url(url: str, static_url: str) -> Ref:
    """Classify a literal URL."""
    url = url.strip()
    low = url.lower()
    if not url:
        return Ref(RefKind.EMPTY, url=url)
    if low.startswith("data:") or low.startswith("blob:") or low.startswith("#") or low.startswith("about:"):
        return Ref(RefKind.DATA, url=url)
    if low.startswith(("http://", "https://", "//")) or ":" in low.split("/", 1)[0]:
        if static_url.startswith(("http://", "https://", "//")) and url.startswith(static_url):
            return _static(url[len(static_url) :], url)
        return Ref(RefKind.EXTERNAL, url=url)
    if url.startswith(static_url) and static_url.startswith("/"):
        return _static(url[len(static_url) :], url)
    if url.startswith("/"):
        return Ref(RefKind.SITE, url=url)
    return Ref(RefKind.RELATIVE, url=url)


def _static(path: str, url: str) -> Ref:
    if not path.split("#", 1)[0].split("?", 1)[0]:
        return Ref(RefKind.SITE, url=url)  # the static root itself: a folder, not a file
    clean = _clean_static_path(path)
    if clean is None:
        return Ref(RefKind.UNSAFE, url=url)
    return Ref(RefKind.STATIC, paths=(clean,), url=url)


def strip_static_path(path: str) -> str:
    """``{% static ' css/a.css ' %}`` as a manifest storage looks it up: the spaces around the path
    (before any query or fragment) dropped, as ``stored_name``'s ``.path.strip()`` does. The build keys a
    bundle on this path and the ``{% bundle %}`` tag looks it up with the same one."""
    cut = min((i for i in (path.find("?"), path.find("#")) if i >= 0), default=len(path))
    return path[:cut].strip() + path[cut:]


def _variant_ref(parts: tuple[Part, ...], static_url: str) -> Ref:
    if not parts:
        return Ref(RefKind.EMPTY)
    first = parts[0]
    if (
        isinstance(first, Literal)
        and _ABSOLUTE_RE.match(first.text)
        and not (static_url.startswith(("http://", "https://", "//")) and first.text.startswith(static_url))
    ):
        # https://cdn.example.com/lib@{{ version }}/x.js: the host is written out, so it is external
        return Ref(RefKind.EXTERNAL, url="".join(_show(p) for p in parts))
    if any(isinstance(p, Dynamic) for p in parts):
        return Ref(RefKind.DYNAMIC, url="".join(_show(p) for p in parts))
    rest = parts[1:]
    tail = "".join(p.text for p in rest if isinstance(p, Literal))
    if any(not isinstance(p, Literal) for p in rest):
        return Ref(RefKind.DYNAMIC, url="".join(_show(p) for p in parts))
    if isinstance(first, Static):
        return _static(strip_static_path(first.path) + tail, "{% " + first.tag + " '" + first.path + "' %}" + tail)
    if isinstance(first, StaticPrefix):
        return _static(tail, "{{ STATIC_URL }}" + tail)
    assert isinstance(first, Literal)
    return classify_url(first.text + tail, static_url)


def _show(p: Part) -> str:
    if isinstance(p, Literal):
        return p.text
    if isinstance(p, Static):
        return "{% " + p.tag + " '" + p.path + "' %}"
    if isinstance(p, StaticPrefix):
        return "{{ STATIC_URL }}"
    return p.code


def classify_value(vv: ValueVariants, static_url: str) -> Ref:
    """One ``Ref`` for all the variants of an attribute value.

    All variants static → one STATIC ref listing each path (the RTL/LTR choice). Otherwise the first
    variant that is not static decides (unsafe beats dynamic beats external), so nothing is hidden.
    """
    refs = [_variant_ref(v, static_url) for v in vv.variants]
    refs = [r for r in refs if r.kind is not RefKind.EMPTY] or refs
    if all(r.kind is RefKind.STATIC for r in refs):
        paths = tuple(dict.fromkeys(p for r in refs for p in r.paths))
        return Ref(RefKind.STATIC, paths=paths, url=" | ".join(r.url for r in refs), conditional=vv.conditional)
    for kind in (RefKind.UNSAFE, RefKind.DYNAMIC, RefKind.EXTERNAL, RefKind.SITE, RefKind.RELATIVE, RefKind.DATA):
        for r in refs:
            if r.kind is kind:
                return Ref(kind, paths=r.paths, url=r.url, conditional=vv.conditional)
    return refs[0]


def split_srcset(value: str) -> list[str]:
    """The URLs of a literal ``srcset`` (``a.png 1x, b.png 2x``)."""
    urls = []
    for candidate in value.split(","):
        bits = candidate.split()
        if bits:
            urls.append(bits[0])
    return urls
