"""What a request's reference points at: the files a local stylesheet pulls in (fonts, images,
``@import``), where a ``url()`` in a stylesheet leads, whether each static path was found, and its sizes.
Pure: a ``StaticIndex`` (files already found, measured and read) in."""

from __future__ import annotations

import posixpath
from urllib.parse import urlsplit

from ..io.staticfiles import Lookup
from ..templates.refs import Ref, RefKind, strip_static_path
from ..templates.static_literals import PageLiteral, after_static_url, has_spaces, manifest_key, normal_key, spaces_problem, unnormal_shape
from ..text.css import resolve_css_url
from .byte_sizes import Sizes
from .model import FONT_SUFFIXES, Finding, Request, StaticIndex, media_blocks

__all__ = ["MISSING_FIX", "css_requests", "css_target", "literal_findings", "ref_findings", "sizes_of"]

MISSING_FIX = "fix the path, add the file, or add the folder that holds it (--static DIR; an installed app's too, e.g. django/contrib/admin/static)"


_RAISES = (
    "raises ValueError with a manifest storage (ManifestStaticFilesStorage, assetopt's), so every render of this page is a server error (500)"
    " when DEBUG is off"
)


def literal_findings(
    literals: list[PageLiteral], index: StaticIndex, static_url: str = "/static/"
) -> tuple[list[Finding], frozenset[tuple[str, str]]]:
    """``missing-file`` for each literal ``{% static %}`` the page renders whose file no static dir has,
    wherever it sits (a link's href, a ``data-*`` value, an inline style, ``{% static .. as var %}``):
    a manifest storage has no ``staticfiles.json`` entry for it, and ``{% static %}`` raises ValueError,
    so every render of the page is a server error when DEBUG is off. ``unsafe-path`` for a path not
    written as collectstatic names files (absolute, ``..``, ``.``, ``//``): no entry either, whether or
    not its file exists; its fix names the normal form, or the path after ``static_url`` when the
    path starts with it and that file exists (``/static/css/a.css``: ``css/a.css``). An empty path
    (``{% static '' %}``) names no file.

    Also the (template path, static path) pairs named, for ``ref_findings``'s ``reported``: an asset
    tag's own finding for the same ``{% static %}`` is not given twice."""
    out: list[Finding] = []
    named: set[tuple[str, str]] = set()
    for lit in literals:
        key = manifest_key(lit.path)
        if key is None:
            continue  # ends in "/": printed unhashed, never looked up
        norm = normal_key(key)
        where = lit.template.path
        shape = unnormal_shape(key)
        if shape == "names no file, only the static root":
            named.update({(where, lit.path), (where, key), (where, _static_text(lit.path))})
            out.append(
                Finding(
                    "missing-file",
                    "error",
                    where,
                    lit.lineno,
                    f"{{% static '{lit.path}' %}} names no file, only the static root: it {_RAISES}",
                    "name a file inside a static dir; for the static URL prefix use {% get_static_prefix %}",
                )
            )
            continue
        if norm != key:
            named.update({(where, lit.path), (where, key), (where, _static_text(lit.path))} | ({(where, norm)} if norm else set()))
            out.append(_unnormal_finding(lit, key, norm, shape or "", index, static_url))
            continue
        if has_spaces(lit.path):
            out.append(_spaces_finding(lit, static_url))
        f = index.found.get(key)
        if f is None or f.status is not Lookup.MISSING:
            continue
        named.add((where, key))
        what, fix = f"{key} not found in the static dirs ({index.static_dirs})", MISSING_FIX
        if key in index.folders:
            what = f"{key} is a folder in the static dirs, not a file"
            fix = "end the path with '/' (Django then prints it unhashed, without a look-up) or point it at a file"
        out.append(Finding("missing-file", "error", where, lit.lineno, f"{what}: {{% static '{lit.path}' %}} {_RAISES}", fix))
    return out, frozenset(named)


def _spaces_finding(lit: PageLiteral, static_url: str) -> Finding:
    """``{% static ' css/a.css ' %}``: works only where a manifest storage strips the spaces (``spaces_problem``)."""
    said = spaces_problem(lit.path, static_url)
    return Finding("static-spaces", "warning", lit.template.path, lit.lineno, said, f"write {{% static '{strip_static_path(lit.path)}' %}}")


def _static_text(path: str) -> str:
    """How ``templates.refs`` shows a ``{% static %}`` in a ``Ref``'s url."""
    return "{% static '" + path + "' %}"


def _unnormal_finding(lit: PageLiteral, key: str, norm: str | None, how: str, index: StaticIndex, static_url: str) -> Finding:
    if norm is None:
        return Finding(
            "unsafe-path",
            "error",
            lit.template.path,
            lit.lineno,
            f"{{% static '{lit.path}' %}} points outside the static dirs: no file there is collected, and it {_RAISES}",
            "use a path inside a static dir, relative to it (e.g. {% static 'css/site.css' %})",
        )
    parts = urlsplit(lit.path)
    rest = (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")
    f = index.found.get(norm)
    fixed, then = norm, ", a normalised path inside a static dir"
    if f is None or f.status is not Lookup.FOUND:
        after = after_static_url(key, static_url)
        hit = index.found.get(after) if after else None
        if after and hit is not None and hit.status is Lookup.FOUND:
            fixed, then = after, f": the path after STATIC_URL ({static_url}), which {{% static %}} adds itself"
        else:
            then += f"; then add the file: no static dir ({index.static_dirs}) has it"
    return Finding(
        "unsafe-path",
        "error",
        lit.template.path,
        lit.lineno,
        f"{{% static '{lit.path}' %}} {how}: staticfiles.json has no such name (collectstatic would name the file {norm}); it {_RAISES}",
        f"write {{% static '{fixed + rest}' %}}{then}",
    )


def ref_findings(req: Request, index: StaticIndex, reported: frozenset[tuple[str, str]] = frozenset()) -> list[Finding]:
    """``reported``: (template path, static path) pairs ``literal_findings`` already named (a
    ``{% static %}`` in an asset tag, also as its ``{% static 'path' %}`` text for an unsafe one):
    not named twice."""
    ref = req.ref
    where = f" (from {req.via})" if req.via else ""
    if ref.kind is RefKind.EXTERNAL and req.kind in ("css", "js", "img", "font", "css-image"):
        return [
            Finding(
                "external-url",
                "info",
                req.path,
                req.lineno,
                f"{req.kind} from an external host: {ref.url}",
                "serve it from your static files so it can be bundled and cached",
            )
        ]
    if ref.kind is RefKind.DYNAMIC and req.kind in ("css", "js"):
        return [
            Finding(
                "dynamic-ref",
                "info",
                req.path,
                req.lineno,
                f"{req.kind} path computed at run time: {ref.url}",
                "use a literal {% static %} path so it can be bundled",
            )
        ]
    if ref.kind is RefKind.UNSAFE:
        if (req.path, ref.url.split(" %}", 1)[0] + " %}") in reported:
            return []  # literal_findings named this {% static %}, with the 500 it gives
        return [
            Finding(
                "unsafe-path",
                "error",
                req.path,
                req.lineno,
                f"{ref.url or ref.path} points outside the static dirs{where}: not read",
                "use a path inside a static dir",
            )
        ]
    out = []
    if ref.kind is RefKind.STATIC:
        for p in ref.paths:
            f = index.found.get(p)
            if f is None or f.status is Lookup.MISSING:
                if (req.path, p) in reported:
                    continue
                fix = MISSING_FIX
                fix += ": collectstatic with a manifest storage fails on it" if req.via else ""
                out.append(
                    Finding("missing-file", "error", req.path, req.lineno, f"{p} not found in the static dirs ({index.static_dirs}){where}", fix)
                )
            elif f.status is Lookup.UNSAFE:
                out.append(
                    Finding(
                        "unsafe-path",
                        "error",
                        req.path,
                        req.lineno,
                        f"{p} resolves outside the static dirs (symlink){where}: not read",
                        "replace the symlink with the file",
                    )
                )
    return out


def css_requests(req: Request, index: StaticIndex, seen: set[str]) -> list[Request]:
    """Fonts, images and imports a local stylesheet pulls in, recursively through @import."""
    out: list[Request] = []
    for css_path in req.ref.paths:
        if css_path in seen or css_path not in index.css:
            continue
        seen.add(css_path)
        faces = index.font_faces.get(css_path, ())
        counted_faces: set[int] = set()
        for cref in index.css[css_path]:
            target = css_target(css_path, cref.url)
            if target is None:
                continue
            ref = target
            ext = posixpath.splitext(ref.path)[1].lower() if ref.paths else ""
            common = dict(path=css_path, lineno=cref.lineno, conditional=req.conditional, via=css_path)
            if cref.kind == "import":
                sub = Request("css-import", ref, blocking=req.blocking and media_blocks(cref.media or "all"), mode=cref.media or "all", **common)  # type: ignore[arg-type]
                out.append(sub)
                out.extend(css_requests(sub, index, seen))
                continue
            face = next((i for i, (s, e) in enumerate(faces) if s <= cref.start < e), None)
            if face is not None:
                if face in counted_faces:
                    continue
                counted_faces.add(face)
            kind = "font" if ext in FONT_SUFFIXES or face is not None else "css-image"
            out.append(Request(kind, ref, **common))  # type: ignore[arg-type]
    return out


def css_target(css_path: str, url: str) -> Ref | None:
    low = url.lower()
    if not url or low.startswith(("data:", "#", "about:", "blob:")):
        return None
    if low.startswith(("http:", "https:", "//")):
        return Ref(RefKind.EXTERNAL, url=url)
    if low.startswith("/"):
        return Ref(RefKind.SITE, url=url)
    target = resolve_css_url(css_path, url)
    if target is None:
        return None
    if target.startswith("..") or target.startswith("/"):
        return Ref(RefKind.UNSAFE, url=url)
    return Ref(RefKind.STATIC, paths=(target,), url=url)


def sizes_of(ref: Ref, index: StaticIndex) -> Sizes | None:
    best: Sizes | None = None
    for p in ref.paths:
        s = index.sizes.get(p)
        if s is not None and (best is None or s.raw > best.raw):
            best = s
    return best
