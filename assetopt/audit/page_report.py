"""Count what each page asks the browser for, and find what makes it slow.

Pure: a resolved ``Page`` and a ``StaticIndex`` (files already found, measured and read) in, a
``PageReport`` out. Reading files is ``scan.py``'s job.

Definitions (documented in docs/audit-json.md):
- render-blocking: stylesheets whose media is not ``print`` (and not alternate/disabled), local
  ``@import`` chains, and classic scripts without ``defer``/``async`` inside ``<head>``.
- above the fold: images inside ``<header>``/``<nav>``, images with ``fetchpriority="high"``, and the
  first other image of the page (the LCP candidate). Every other image should be lazy.
- upper bound: counts include both branches of ``{% if %}`` and count a ``{% for %}`` body once.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ..io.staticfiles import Found, Lookup
from ..templates.assets import Asset, asset_of
from ..templates.fold import BELOW, LCP, image_roles
from ..templates.model import ContainerNode, ForNode, Template, VarNode
from ..templates.pages import Page, PageItem
from ..templates.refs import Ref, RefKind
from ..templates.runs import Run, find_runs
from ..templates.tags import OpaqueTag, OpenElements, StartTag, read_opaque
from ..text.css import CssRef, resolve_css_url
from .byte_sizes import Sizes

__all__ = [
    "Request",
    "Finding",
    "PageReport",
    "StaticIndex",
    "markup_requests",
    "audit_page",
    "css_target",
    "FONT_SUFFIXES",
    "IMAGE_SUFFIXES",
    "KINDS",
]

FONT_SUFFIXES = frozenset({".woff2", ".woff", ".ttf", ".otf", ".eot"})
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif", ".ico", ".bmp"})
# Request kinds, in table order.
KINDS = ("css", "css-import", "js", "img", "iframe", "font", "css-image", "preload")


@dataclass(frozen=True, slots=True)
class Request:
    kind: str  # one of KINDS; "css-import" is a stylesheet pulled by a local @import
    ref: Ref
    path: str  # the template (or stylesheet) that asks for it
    lineno: int
    conditional: bool = False
    in_loop: bool = False
    blocking: bool = False
    lazy: bool = False
    mode: str = ""  # js: classic/defer/async/module; css: media
    via: str = ""  # css-pulled requests: the logical path of the stylesheet
    bundle: tuple[str, int] | None = None  # inside this {% bundle %}/{% compress %} block (template, line)
    files: int = 1  # requests this stands for (a bundle built into several files)
    sizes: Sizes | None = None  # known sizes (a bundle's built files), else looked up by path
    unknown: str = ""  # why the tag could not be fully read (template code inside it): an upper bound


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: str  # error, warning, info
    path: str
    lineno: int | None
    message: str
    fix: str = ""

    @property
    def location(self) -> str:
        return f"{self.path}:{self.lineno}" if self.lineno else self.path


@dataclass(frozen=True)
class StaticIndex:
    """Everything ``audit_page`` needs to know about static files, gathered beforehand."""

    found: Mapping[str, Found]  # logical path -> lookup result
    sizes: Mapping[str, Sizes]  # logical path -> sizes (found files only)
    css: Mapping[str, tuple[CssRef, ...]]  # logical css path -> its references
    font_faces: Mapping[str, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    static_dirs: str = ""
    # built bundles (from the build manifest): ordered sources -> sizes of each built file
    bundles: Mapping[tuple[str, ...], tuple[Sizes, ...]] = field(default_factory=dict)
    # scripts that find their files by their own URL (io.scripts): logical path -> why
    self_locating: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PageReport:
    name: str
    path: str
    requests: tuple[Request, ...]
    counts: dict[str, int]
    bytes: dict[str, dict[str, int]]
    blocking: int
    upper_bound: bool
    cache_fragments: int
    bundled_estimate: dict[str, int]  # css/js requests if every run were one bundle
    findings: tuple[Finding, ...]


def _media_blocks(media: str) -> bool:
    return media.strip().lower() not in ("print",)


_ASSET_TAGS = frozenset({"link", "script", "img", "iframe"})


def markup_requests(page: Page, static_url: str) -> tuple[list[tuple[Request, PageItem, Asset]], list[Finding]]:
    """The requests a page's markup makes, in document order, plus markup findings."""
    out: list[tuple[Request, PageItem, Asset]] = []
    findings: list[Finding] = []
    roles = image_roles(page)
    stack = OpenElements()
    for pi in page.items:
        item = pi.item
        path = pi.template.path
        stack.feed(item)
        unknown = ""
        if isinstance(item, OpaqueTag):
            lenient = read_opaque(pi.template.source, pi.template.tokens, item) if item.name in _ASSET_TAGS else None
            counted = lenient is not None and asset_of(lenient, pi.template, static_url) is not None
            what = "counted as an upper bound, never rewritten" if counted else "skipped"
            findings.append(
                Finding(
                    "opaque-tag",
                    "info",
                    path,
                    item.lineno,
                    f"<{item.name or '?'}> {what}: {item.reason}",
                    "move the template code into attribute values to let assetopt read this tag",
                )
            )
            if not counted:
                continue
            assert lenient is not None
            unknown = item.reason
            item = lenient
        if not isinstance(item, StartTag):
            continue
        if item.attr("style") is not None and item.name != "html":
            findings.append(
                Finding(
                    "inline-style",
                    "info",
                    path,
                    item.lineno,
                    f'style="" on <{item.name}>',
                    "move it into a class in a stylesheet (assetopt rewrite --only styles)",
                )
            )
        asset = asset_of(item, pi.template, static_url)
        if asset is None:
            continue
        in_head = "head" in stack
        ref = asset.ref or Ref(RefKind.EMPTY)
        common = dict(path=path, lineno=item.lineno, conditional=pi.conditional, in_loop=pi.in_loop, bundle=pi.bundle, unknown=unknown)
        if asset.kind == "css":
            blocking = asset.mode == "" and _media_blocks(asset.media)
            out.append((Request("css", ref, blocking=blocking, mode=asset.media, **common), pi, asset))  # type: ignore[arg-type]
        elif asset.kind == "js":
            blocking = asset.mode == "classic" and in_head
            out.append((Request("js", ref, blocking=blocking, mode=asset.mode, **common), pi, asset))  # type: ignore[arg-type]
        elif asset.kind == "preload":
            out.append((Request("preload", ref, mode=asset.mode, **common), pi, asset))  # type: ignore[arg-type]
        elif asset.kind == "iframe":
            out.append((Request("iframe", ref, lazy=asset.lazy, **common), pi, asset))  # type: ignore[arg-type]
            if not asset.lazy:
                findings.append(Finding("iframe-not-lazy", "warning", path, item.lineno, '<iframe> without loading="lazy"', 'add loading="lazy"'))
        elif asset.kind == "img":
            role = roles.get((pi.template.name, item.start), BELOW)
            out.append((Request("img", ref, lazy=asset.lazy, **common), pi, asset))  # type: ignore[arg-type]
            src = ref.url
            if role == LCP and asset.lazy:
                findings.append(
                    Finding(
                        "lcp-lazy",
                        "warning",
                        path,
                        item.lineno,
                        f"the first content image ({src}) is the likely LCP element but is lazy-loaded",
                        'remove loading="lazy" and add fetchpriority="high"',
                    )
                )
            elif role == BELOW and not asset.lazy:
                findings.append(
                    Finding(
                        "img-not-lazy",
                        "warning",
                        path,
                        item.lineno,
                        f"<img src={src}> is below the fold but loads eagerly",
                        'add loading="lazy" decoding="async" (assetopt rewrite --only images)',
                    )
                )
            if item.attr("width") is None or item.attr("height") is None:
                findings.append(
                    Finding(
                        "img-no-size",
                        "info",
                        path,
                        item.lineno,
                        f"<img src={src}> has no width/height: the layout shifts when it loads",
                        "add width and height (assetopt rewrite --only images reads them from the file)",
                    )
                )
        elif asset.kind == "inline-css":
            findings.append(
                Finding(
                    "inline-style-block",
                    "info",
                    path,
                    item.lineno,
                    "<style> block in the page",
                    "move it into a stylesheet that can be bundled and cached",
                )
            )
    return out, findings


def _ref_findings(req: Request, index: StaticIndex) -> list[Finding]:
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
                fix = "fix the path or add the file" + (": collectstatic with a manifest storage fails on it" if req.via else "")
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


def _css_requests(req: Request, index: StaticIndex, seen: set[str]) -> list[Request]:
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
                sub = Request("css-import", ref, blocking=req.blocking and _media_blocks(cref.media or "all"), mode=cref.media or "all", **common)  # type: ignore[arg-type]
                out.append(sub)
                out.extend(_css_requests(sub, index, seen))
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


def _cache_findings(page: Page) -> tuple[int, list[Finding]]:
    fragments = 0
    findings: list[Finding] = []
    seen: set[tuple[str, object]] = set()
    for use in page.uses:
        node = use.node
        key = (use.template.path, node)
        if isinstance(node, ContainerNode) and node.tag == "cache":
            fragments += 1
            continue
        if use.cached or key in seen:
            continue
        if isinstance(node, ForNode) and not use.in_loop:
            seen.add(key)
            findings.append(
                Finding(
                    "cache-candidate",
                    "info",
                    use.template.path,
                    node.lineno,
                    f"{{% for {', '.join(node.loopvars)} in {node.iterable} %}} renders context data on every request",
                    "wrap it in {% cache %} if it does not change per request (assetopt rewrite --suggest-cache)",
                )
            )
        elif isinstance(node, VarNode) and not use.in_loop and ("|length" in node.contents or ".count" in node.contents):
            seen.add(key)
            findings.append(
                Finding(
                    "cache-candidate",
                    "info",
                    use.template.path,
                    node.lineno,
                    f"{{{{ {node.contents} }}}} computes a statistic on every request",
                    "cache the fragment that shows it with {% cache %}",
                )
            )
    return fragments, findings


def _sizes_of(ref: Ref, index: StaticIndex) -> Sizes | None:
    best: Sizes | None = None
    for p in ref.paths:
        s = index.sizes.get(p)
        if s is not None and (best is None or s.raw > best.raw):
            best = s
    return best


_BYTE_GROUPS = {
    "css": "css",
    "css-import": "css",
    "js": "js",
    "img": "img",
    "css-image": "img",
    "font": "font",
    "preload": "other",
    "iframe": "other",
}


def _sum(sizes: list[Sizes]) -> Sizes:
    return Sizes(sum(x.raw for x in sizes), sum(x.gzip for x in sizes), sum(x.br for x in sizes), True)


def _collapse_bundles(requests: list[Request], index: StaticIndex, findings: list[Finding]) -> list[Request]:
    """The stylesheets/scripts inside one ``{% bundle %}`` block become what the browser fetches:
    the built file(s) from the manifest, or, before a build, one request carrying its sources' sizes."""
    out: list[Request] = []
    groups: dict[tuple[str, tuple[str, int]], list[Request]] = {}
    for req in requests:
        if req.bundle is not None and req.kind in ("css", "js") and req.via == "":
            key = (req.kind, req.bundle)
            if key not in groups:
                groups[key] = []
                out.append(req)  # placeholder, replaced below
            groups[key].append(req)
        else:
            out.append(req)
    for (kind, (path, lineno)), members in groups.items():
        choices = [
            files
            for sources, files in index.bundles.items()
            if len(sources) == len(members) and all(src in m.ref.paths for src, m in zip(sources, members))
        ]
        all_paths = tuple(dict.fromkeys(p for m in members for p in m.ref.paths))
        first = members[0]
        if choices:
            files = max(choices, key=lambda fs: sum(f.br for f in fs))  # RTL/LTR: the larger, an upper bound
            sizes, count, what = _sum(list(files)), len(files), "built"
        else:
            member_sizes = [s for m in members if (s := _sizes_of(m.ref, index)) is not None]
            sizes, count, what = _sum(member_sizes), 1, "not built yet"
            findings.append(
                Finding(
                    "bundle-not-built",
                    "info",
                    path,
                    lineno,
                    f'{{% bundle "{kind}" %}} of {len(members)} files is not built: counted as one request with its sources\' sizes',
                    "run assetopt build",
                )
            )
        merged = Request(
            kind,
            Ref(
                RefKind.STATIC,
                paths=all_paths,
                url=f'{{% bundle "{kind}" %}} at {path}:{lineno} ({what})',
                conditional=any(m.ref.conditional for m in members),
            ),
            path=path,
            lineno=lineno,
            conditional=any(m.conditional for m in members),
            in_loop=any(m.in_loop for m in members),
            blocking=any(m.blocking for m in members),
            mode=first.mode,
            bundle=(path, lineno),
            files=count,
            sizes=sizes,
        )
        out[out.index(first)] = merged
    return out


RunsOf = Callable[[Template], list[Run]]


def audit_page(
    page: Page,
    index: StaticIndex,
    static_url: str,
    markup: tuple[list[tuple[Request, PageItem, Asset]], list[Finding]] | None = None,
    runs_of: RunsOf | None = None,
) -> PageReport:
    """``markup``: this page's ``markup_requests`` when the caller has them already; ``runs_of``: a
    (memoised) ``find_runs`` for templates many pages share."""
    found, findings = markup if markup is not None else markup_requests(page, static_url)
    findings = list(findings)
    requests: list[Request] = []
    seen_css: set[str] = set()
    pulled: set[tuple[str, tuple[str, ...]]] = set()  # a file a stylesheet pulls is fetched once
    for req, _, _ in found:
        requests.append(req)
        if req.kind == "css" and req.ref.kind is RefKind.STATIC:
            for sub in _css_requests(req, index, seen_css):
                key = (sub.kind, sub.ref.paths or (sub.ref.url,))
                if key not in pulled:
                    pulled.add(key)
                    requests.append(sub)
    for req in requests:
        findings.extend(_ref_findings(req, index))
        for p in req.ref.paths if req.kind == "js" and req.ref.kind is RefKind.STATIC else ():
            if p in index.self_locating:
                findings.append(
                    Finding(
                        "self-locating-script",
                        "info",
                        req.path,
                        req.lineno,
                        f"{p} is never bundled: {index.self_locating[p]}",
                        f"to bundle it anyway (you checked it works from /static/assetopt/), add '{p}' to bundle_self_locating",
                    )
                )
    requests = _collapse_bundles(requests, index, findings)
    counts = {k: 0 for k in KINDS}
    counts["img_eager"] = counts["img_lazy"] = 0
    groups = ("css", "js", "img", "font", "other", "total")
    totals = {g: {"raw": 0, "gzip": 0, "br": 0} for g in groups}
    unminified: set[str] = set()
    for req in requests:
        if req.ref.kind in (RefKind.DATA, RefKind.EMPTY):
            continue
        counts[req.kind] += req.files
        if req.kind == "img":
            counts["img_lazy" if req.lazy else "img_eager"] += 1
        sizes = req.sizes or _sizes_of(req.ref, index)
        if sizes is not None:
            for g in (_BYTE_GROUPS[req.kind], "total"):
                totals[g]["raw"] += sizes.raw
                totals[g]["gzip"] += sizes.gzip
                totals[g]["br"] += sizes.br
            if sizes.minified is False and req.kind in ("css", "js") and req.bundle is None and req.ref.path not in unminified:
                unminified.add(req.ref.path)
                findings.append(
                    Finding(
                        "unminified",
                        "warning",
                        req.path,
                        req.lineno,
                        f"{req.ref.path} is not minified ({sizes.raw / 1024:.1f} KB raw, {sizes.br / 1024:.1f} KB brotli)",
                        "bundle and minify it (assetopt build)",
                    )
                )
    counts["requests"] = sum(counts[k] for k in KINDS)
    blocking = sum(r.files for r in requests if r.blocking and r.ref.kind not in (RefKind.DATA, RefKind.EMPTY))
    upper = any(r.conditional or r.in_loop or r.ref.conditional or r.unknown for r in requests)
    fragments, cache_findings = _cache_findings(page)
    findings.extend(cache_findings)
    if fragments == 0:
        findings.append(
            Finding(
                "no-cache-fragments",
                "info",
                page.template.path,
                None,
                "no {% cache %} fragment is rendered on this page",
                "cache the expensive, per-request-stable parts (assetopt rewrite --suggest-cache)",
            )
        )
    estimate = _bundled_estimate(page, runs_of or (lambda t: find_runs(t, static_url)[0]), counts, findings)
    for note in page.notes:
        findings.append(Finding(note.code, "warning", note.path, note.lineno, note.message, "use a literal template name so assetopt can follow it"))
    return PageReport(
        name=page.name,
        path=page.template.path,
        requests=tuple(requests),
        counts=counts,
        bytes=totals,
        blocking=blocking,
        upper_bound=upper,
        cache_fragments=fragments,
        bundled_estimate=estimate,
        findings=tuple(_dedupe(findings)),
    )


def _bundled_estimate(page: Page, runs_of: RunsOf, counts: dict[str, int], findings: list[Finding]) -> dict[str, int]:
    """CSS/JS request counts if every bundle-eligible run of the page's templates became one file."""
    saved = {"css": 0, "js": 0}
    rendered = {(pi.template.path, pi.item.start) for pi in page.items}
    for template in page.templates:
        for run in runs_of(template):
            live = [a for a in run.assets if (template.path, a.tag.start) in rendered]
            if len(live) < 2:
                continue
            saved[run.kind] += len(live) - 1
            findings.append(
                Finding(
                    "bundle-run",
                    "warning",
                    template.path,
                    run.lineno,
                    f"{len(live)} {'stylesheets' if run.kind == 'css' else 'scripts'} in a row could be one bundle",
                    'wrap them in {% bundle "' + run.kind + '" %} (assetopt rewrite --only bundles)',
                )
            )
    return {k: counts[k] - saved[k] for k in saved}


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str, int | None, str]] = set()
    out = []
    for f in findings:
        key = (f.code, f.path, f.lineno, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
