"""The literal paths a template's ``{% static %}`` tags print: every ``{% static 'path' %}`` (or
``{% static "path" as name %}``) Django runs, wherever it sits (an attribute, a ``data-*`` value, an
inline script, an HTML comment: Django renders those too), not inside ``{% comment %}`` or
``{% verbatim %}``. A manifest storage looks each one up in its ``staticfiles.json`` when the page
renders. Paths computed at run time (``{% static var %}``) are not here.

``page_static_literals`` narrows that to what one resolved page renders: the templates of its
``{% extends %}`` chain and its includes, minus the blocks a child overrides (and what a template
never reaches). ``manifest_key`` is the name a manifest storage looks up for a path; ``normal_key``
the name collectstatic gives a file, which that look-up must match exactly; ``unnormal_shape`` how a
path differs from it, ``normal_static_path`` the path to write instead (its ``?query``/``#fragment``
kept), ``after_static_url`` the name after a STATIC_URL written into the path, and ``unnormal_static``
/ ``spaced_static`` why an asset tag with such a path (or spaces around it) stays out of a new bundle.

Pure: a ``Template`` or a ``Page`` in, ``(line, path)`` values out.
"""

from __future__ import annotations

import bisect
import posixpath
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote, urldefrag, urlsplit

from .assets import Asset
from .html_items import OpaqueTag, StartTag
from .model import Template
from .nodes import TagNode
from .pages import Page
from .refs import strip_static_path

__all__ = [
    "PageLiteral",
    "after_static_url",
    "has_spaces",
    "manifest_key",
    "normal_key",
    "normal_static_path",
    "page_static_literals",
    "query_fragment",
    "spaced_static",
    "spaces_problem",
    "static_literals",
    "unnormal_shape",
    "unnormal_static",
    "written_static_paths",
]

_STATIC_IN_REF = re.compile(r"\{% static '(.*?)' %\}")  # how ``refs`` shows a {% static %} in a Ref's url
_LITERAL = re.compile(r"""^static\s+(?P<q>['"])(?P<path>[^'"]*)(?P=q)(?:\s+as\s+\w+)?\s*$""")


@dataclass(frozen=True, slots=True)
class _Literal:
    start: int  # the tag's offset in its template
    lineno: int
    contents: str
    path: str


@dataclass(frozen=True, slots=True)
class PageLiteral:
    """A literal ``{% static %}`` a page renders: in ``template`` at ``lineno``."""

    template: Template
    lineno: int
    path: str


def _literals(template: Template) -> list[_Literal]:
    out: list[_Literal] = []
    for token in template.tokens:
        if token.is_code and token.tag_name == "static":
            found = _LITERAL.match(token.contents.strip())
            if found:
                out.append(_Literal(token.start, token.lineno, token.contents, found.group("path")))
    return out


def static_literals(template: Template) -> list[tuple[int, str]]:
    """``(line, path)`` of every ``{% static %}`` with a literal path that Django runs, in order."""
    return [(lit.lineno, lit.path) for lit in _literals(template)]


def manifest_key(path: str) -> str | None:
    """The name Django's ``ManifestStaticFilesStorage`` looks up in ``staticfiles.json`` for
    ``{% static path %}`` (query and fragment dropped, as its ``stored_name`` does); None for a path
    ending in ``/``, which it prints unhashed without a look-up."""
    if urlsplit(urldefrag(path)[0]).path.endswith("/"):
        return None
    return urlsplit(unquote(path)).path.strip()


def normal_key(key: str) -> str | None:
    """The name collectstatic gives the file ``key`` points at: relative to a static dir, no leading
    ``/``, no ``.``, ``..`` or empty segments, ``/`` between folders (``/css/a.css``, ``css/./a.css``,
    ``css//a.css``, ``x/../css/a.css`` and ``css\\a.css`` all give ``css/a.css``). ``staticfiles.json``
    holds only such names and ``stored_name`` looks ``key`` up as written, so a ``key`` that differs
    from its normal form raises. None when ``key`` names the static root itself or leaves it (``..``)."""
    key = key.replace("\\", "/")
    norm = posixpath.normpath(key.lstrip("/")) if key.strip("/") else "."
    if norm in (".", "..") or norm.startswith("../"):
        return None
    return norm


def unnormal_shape(key: str) -> str | None:
    """How ``key`` (a ``manifest_key``) differs from the name collectstatic gives a file, worded to
    follow ``{% static 'path' %}``; None when it is that name. Every such key raises with a manifest
    storage, whether or not its file exists."""
    norm = normal_key(key)
    if norm == key:
        return None
    if norm is None:
        if posixpath.normpath(key.replace("\\", "/").lstrip("/") or ".") == ".":
            return "names no file, only the static root"
        return "points outside the static dirs"
    if key.startswith("/"):
        return "is absolute (a leading '/')"
    if "\\" in key:
        return "is written with '\\' (collectstatic names files with '/')"
    return "is not normalised ('.', '..' or empty segments)"


def after_static_url(key: str, static_url: str) -> str | None:
    """The normal name after ``static_url`` when ``key`` starts with it (``/static/css/a.css`` with
    ``/static/``: ``css/a.css``), the STATIC_URL written into a path ``{% static %}`` prefixes itself;
    None otherwise (a ``static_url`` on another host is never written into a path)."""
    if not static_url.startswith("/") or static_url == "/" or not key.replace("\\", "/").startswith(static_url):
        return None
    return normal_key(key[len(static_url) :])


def page_static_literals(page: Page, memo: dict[str, list[_Literal]] | None = None) -> list[PageLiteral]:
    """Every literal ``{% static %}`` the page renders, in the order its templates are first used.

    A tag standing alone in the markup is one the page walk reached (a ``{% static %}`` node it
    used); one inside a start tag's attributes renders with that tag, so it counts when the page
    renders the tag. So a ``{% static %}`` in a block every child overrides is not here, nor one
    in a template the page never renders. ``memo`` (template name -> its scan) is shared by the
    callers resolving many pages that share a base."""
    memo = {} if memo is None else memo
    used: dict[str, set[tuple[int, str]]] = {}
    for use in page.uses:
        if isinstance(use.node, TagNode) and use.node.tag == "static":
            used.setdefault(use.template.name, set()).add((use.node.lineno, use.node.contents))
    spans: dict[str, list[tuple[int, int]]] = {}
    for pi in page.items:
        if isinstance(pi.item, (StartTag, OpaqueTag)):
            spans.setdefault(pi.template.name, []).append((pi.item.start, pi.item.end))
    out: list[PageLiteral] = []
    for template in page.templates:
        found = memo.get(template.name)
        if found is None:
            found = memo[template.name] = _literals(template)
        if not found:
            continue
        alone = used.get(template.name, set())
        tags = sorted(spans.get(template.name, []))
        starts = [s for s, _ in tags]
        for lit in found:
            i = bisect.bisect_right(starts, lit.start) - 1
            if (lit.lineno, lit.contents) in alone or (i >= 0 and lit.start < tags[i][1]):
                out.append(PageLiteral(template, lit.lineno, lit.path))
    return out


def normal_static_path(path: str) -> str | None:
    """What to write instead of ``{% static path %}``: the name collectstatic gives the file (spaces
    around it dropped), with the path's ``?query`` and ``#fragment`` kept, which ``{% static %}`` prints
    after the hashed name (``'css/../a.css?v=2'``: ``'a.css?v=2'``). None when the path names no file
    inside the static dirs (it leaves them, or names the static root) or ends in ``/``."""
    key = manifest_key(path)
    norm = normal_key(key) if key is not None else None
    if norm is None:
        return None
    return norm + query_fragment(path)


def query_fragment(path: str) -> str:
    """The ``?query#fragment`` of a ``{% static %}`` path, as written (``''`` when it has none)."""
    parts = urlsplit(path)
    return (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")


def spaces_problem(path: str, static_url: str) -> str:
    """What ``{% static path %}`` with spaces around its path does, in the audit's ``static-spaces`` and
    ``manage.py check --deploy``'s W005 alike. A manifest storage strips them before its look-up (DEBUG
    off, the file is served). With DEBUG on it prints the path as written (unhashed, spaces kept), and
    ``StaticFilesStorage`` prints them as ``%20`` (``filepath_to_uri``, quoted as it quotes). A browser
    drops the spaces at the ends of a URL only: ``/static/ css/a.css`` is a 404, ``/static/css/a.css ``
    is not; ``%20`` always is (Django checked in test_django_static_literals.py)."""
    printed = static_url + quote(path.replace("\\", "/").lstrip("/"), safe="/~!*()'")
    said = f"{{% static '{path}' %}} has spaces around its path: "
    if unquote(path)[:1].isspace():
        return said + (
            "it works only with a manifest storage and DEBUG off (which strips them); with DEBUG on the URL keeps them"
            f" ({static_url}{unquote(path)}), and StaticFilesStorage prints {printed}: a 404 under runserver"
        )
    return said + f"it works only with a manifest storage (which strips them); StaticFilesStorage prints {printed}, a 404"


def has_spaces(path: str) -> bool:
    """Whether ``{% static path %}`` has spaces around its path (before any ``?query``/``#fragment``)."""
    return strip_static_path(unquote(path)) != unquote(path)  # not urlsplit: it drops leading spaces itself


def written_static_paths(asset: Asset) -> list[str]:
    """The paths an asset tag's ``{% static %}`` tags are written with, in order (one per ``{% if %}``
    branch inside its attribute), spaces and all."""
    ref = asset.ref
    return _STATIC_IN_REF.findall(ref.url if ref is not None else "")


def spaced_static(asset: Asset) -> str | None:
    """The first path of ``asset``'s ``{% static %}`` tags written with spaces around it (``' css/a.css '``),
    or None. A manifest storage strips them before its look-up (and so do the build and the
    ``{% bundle %}`` tag); ``StaticFilesStorage``, and a manifest storage under DEBUG, keep them in the URL."""
    for written in written_static_paths(asset):
        if has_spaces(written):
            return written
    return None


def unnormal_static(asset: Asset) -> str | None:
    """Why a tag whose ``{% static %}`` path is not normalised (``css/../a.css``, ``./a.css``, ``css//a.css``)
    stays out of a new bundle: bundled, the page prints the bundle's URL and works; with bundles off
    (the rollback renders the original tags) a manifest storage has no ``staticfiles.json`` entry for
    the path as written and raises, a 500. The audit reports the tag (unsafe-path). Spaces around the
    path (``' css/a.css '``) too: a manifest storage strips them, but with bundles off under DEBUG on
    (the development default) or ``StaticFilesStorage`` the URL keeps them, a 404 (static-spaces)."""
    for written in written_static_paths(asset):
        key = manifest_key(written)
        if key is not None and normal_key(key) != key:
            fixed = normal_static_path(written)
            return (
                f"{{% static '{written}' %}} is not a normalised path: with bundles off (the rollback renders the original tags)"
                " a manifest storage raises ValueError on it, a server error; "
                + (f"write {{% static '{fixed}' %}}" if fixed is not None else "use a path inside a static dir, relative to it")
            )
    spaced = spaced_static(asset)
    if spaced is not None:
        return (
            f"{{% static '{spaced}' %}} has spaces around its path: with bundles off (the rollback renders the original tags)"
            " under DEBUG on or StaticFilesStorage the URL keeps them, a 404 (only a manifest storage strips them);"
            f" write {{% static '{strip_static_path(spaced)}' %}}"
        )
    return None
