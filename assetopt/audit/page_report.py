"""Count what each page asks the browser for, and find what makes it slow.

Pure: a resolved ``Page`` and a ``StaticIndex`` (files already found, measured and read) in, a
``PageReport`` out. Reading files is ``run.py``'s job; the values are in ``model.py``, the markup's
requests in ``markup.py``, what a stylesheet pulls in and whether files exist in ``static_refs.py``,
bundles in ``bundles.py``. The definitions are in ``model.py`` (and docs/audit-json.md).
"""

from __future__ import annotations

from ..templates.assets import Asset
from ..templates.cache_fragments import cache_name
from ..templates.cache_keys import address_key
from ..templates.cache_never import never_cacheable
from ..templates.model import ContainerNode, ForNode, Template, VarNode
from ..templates.pages import Page, PageItem
from ..templates.refs import RefKind
from ..templates.runs import find_runs
from ..templates.static_literals import PageLiteral, page_static_literals
from .bundles import RunsOf, bundled_estimate, collapse_bundles
from .markup import markup_requests
from .model import KINDS, Finding, PageReport, Request, StaticIndex
from .static_refs import css_requests, literal_findings, ref_findings, sizes_of

__all__ = ["audit_page"]


def _cache_findings(page: Page) -> tuple[int, list[Finding]]:
    fragments = 0
    findings: list[Finding] = []
    seen: set[tuple[str, object]] = set()
    for use in page.uses:
        node = use.node
        key = (use.template.path, node)
        if isinstance(node, ContainerNode) and node.tag == "cache":
            fragments += 1
            if key not in seen:
                seen.add(key)
                findings.extend(_unsafe_cache(use.template, node))
                findings.extend(_address_keys(use.template, node))
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


def _unsafe_cache(template: Template, node: ContainerNode) -> list[Finding]:
    """A ``cache-unsafe`` warning for an existing ``{% cache %}`` block holding what no key makes safe.
    What its key should vary on is not judged here: ``assetopt verify --cache`` proves that by rendering."""
    opener, closer = node.delimiters.open, node.delimiters.close
    reasons = list(dict.fromkeys(why for _, why in never_cacheable(template, opener.end, closer.start)))
    if not reasons:
        return []
    shown = "; ".join(reasons[:3]) + (f"; and {len(reasons) - 3} more" if len(reasons) > 3 else "")
    return [
        Finding(
            "cache-unsafe",
            "warning",
            template.path,
            node.lineno,
            f"{{% cache {cache_name(opener)} %}} holds what no cache key makes safe (every visitor gets the cached copy): {shown}",
            "move it out of the {% cache %} block (cache the parts around it instead)",
        )
    ]


def _address_keys(template: Template, node: ContainerNode) -> list[Finding]:
    """A ``cache-key`` warning for an existing ``{% cache %}`` tag keyed on a value whose ``str()`` is an
    object's memory address (``cache_keys.address_key``): another request may get this one's copy."""
    opener = node.delimiters.open
    out = []
    for part in opener.contents.split()[3:]:
        found = address_key(part)
        if found is not None:
            what, instead = found
            out.append(
                Finding(
                    "cache-key",
                    "warning",
                    template.path,
                    node.lineno,
                    f"{{% cache {cache_name(opener)} %}} keys on {part}, {what}: Django keys on its str(), the object's memory address, "
                    "which a later request's value may reuse and be served this one's copy",
                    f"key on {instead}",
                )
            )
    return out


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


def audit_page(
    page: Page,
    index: StaticIndex,
    static_url: str,
    markup: tuple[list[tuple[Request, PageItem, Asset]], list[Finding]] | None = None,
    runs_of: RunsOf | None = None,
    literals: list[PageLiteral] | None = None,
) -> PageReport:
    """``markup``: this page's ``markup_requests`` when the caller has them already; ``runs_of``: a
    (memoised) ``find_runs`` for templates many pages share; ``literals``: its ``page_static_literals``."""
    found, findings = markup if markup is not None else markup_requests(page, static_url)
    findings = list(findings)
    missing_literals, reported = literal_findings(page_static_literals(page) if literals is None else literals, index, static_url)
    findings.extend(missing_literals)
    requests: list[Request] = []
    seen_css: set[str] = set()
    pulled: set[tuple[str, tuple[str, ...]]] = set()  # a file a stylesheet pulls is fetched once
    for req, _, _ in found:
        requests.append(req)
        if req.kind == "css" and req.ref.kind is RefKind.STATIC:
            for sub in css_requests(req, index, seen_css):
                key = (sub.kind, sub.ref.paths or (sub.ref.url,))
                if key not in pulled:
                    pulled.add(key)
                    requests.append(sub)
    for req in requests:
        findings.extend(ref_findings(req, index, reported))
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
    requests = collapse_bundles(requests, index, findings)
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
        sizes = req.sizes or sizes_of(req.ref, index)
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
    estimate = bundled_estimate(page, runs_of or (lambda t: find_runs(t, static_url)[0]), counts, findings)
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


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str, int | None, str]] = set()
    out = []
    for f in findings:
        key = (f.code, f.path, f.lineno, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
