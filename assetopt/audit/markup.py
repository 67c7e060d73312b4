"""The requests a page's markup makes (stylesheets, scripts, images, iframes, preloads), in document
order, and what the markup alone shows is wrong (lazy LCP image, eager images below the fold, missing
sizes, inline styles, tags assetopt cannot read). Pure: a resolved ``Page`` in."""

from __future__ import annotations

from ..templates.assets import Asset, asset_of
from ..templates.fold import BELOW, LCP, image_roles
from ..templates.pages import Page, PageItem
from ..templates.refs import Ref, RefKind
from ..templates.tags import OpaqueTag, OpenElements, StartTag, read_opaque
from .model import Finding, Request, media_blocks

__all__ = ["markup_requests"]


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
            blocking = asset.mode == "" and media_blocks(asset.media)
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
