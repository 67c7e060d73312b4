"""What an HTML start tag asks the browser to fetch: stylesheets, scripts, images, iframes, preloads.

Pure: a ``StartTag`` and its template in, an ``Asset`` out (or None for tags that fetch nothing).
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import Template
from .refs import Ref, RefKind, classify_url, classify_value, split_srcset
from .tags import StartTag

__all__ = ["Asset", "asset_of", "JS_TYPES", "ref_of"]

# Script types that run as classic JavaScript.
JS_TYPES = frozenset({"", "text/javascript", "application/javascript", "application/x-javascript", "text/ecmascript"})


@dataclass(frozen=True, slots=True)
class Asset:
    kind: str  # css, js, img, iframe, preload, inline-js, inline-css, data-script
    tag: StartTag
    ref: Ref | None  # None for inline content
    media: str = "all"  # css: the media attribute
    mode: str = ""  # js: classic, defer, async, module, nomodule; preload: the "as" value
    lazy: bool = False  # img/iframe: loading="lazy"
    extra_refs: tuple[Ref, ...] = ()  # img: srcset candidates


def ref_of(tag: StartTag, template: Template, attr_name: str, static_url: str) -> Ref:
    attr = tag.attr(attr_name)
    if attr is None or attr.value is None:
        return Ref(RefKind.EMPTY)
    if attr.has_template_code:
        return classify_value(template.value_variants(attr), static_url)
    return classify_url(attr.value, static_url)


def _plain(tag: StartTag, name: str) -> str:
    """A literal attribute value, lower-cased; template code is kept as written."""
    return (tag.get(name) or "").strip().lower()


_MEMO: dict[tuple[int, int, str], tuple[StartTag, Template, Asset | None]] = {}
_MEMO_MAX = 200_000


def asset_of(tag: StartTag, template: Template, static_url: str) -> Asset | None:
    """What ``tag`` of ``template`` loads, or None. A pure function of its arguments, remembered by
    their identity: every page of a site renders ``base.html``'s tags again, and the audit asks for
    each of them once per page (hundreds of tags times thousands of pages)."""
    key = (id(tag), id(template), static_url)
    hit = _MEMO.get(key)
    if hit is not None and hit[0] is tag and hit[1] is template:
        return hit[2]
    asset = _asset_of(tag, template, static_url)
    if len(_MEMO) >= _MEMO_MAX:
        _MEMO.clear()
    _MEMO[key] = (tag, template, asset)  # holding both keeps their ids from being reused
    return asset


def _asset_of(tag: StartTag, template: Template, static_url: str) -> Asset | None:
    name = tag.name
    if name == "link":
        rel = set(_plain(tag, "rel").split())
        if "stylesheet" in rel:
            mode = "alternate" if "alternate" in rel else ("disabled" if tag.attr("disabled") else "")
            media = _plain(tag, "media") or "all"
            return Asset("css", tag, ref_of(tag, template, "href", static_url), media=media, mode=mode)
        if rel & {"preload", "modulepreload"}:
            return Asset("preload", tag, ref_of(tag, template, "href", static_url), mode=_plain(tag, "as"))
        return None
    if name == "script":
        type_ = _plain(tag, "type")
        if tag.attr("src") is None:
            if type_ in JS_TYPES or type_ == "module":
                return Asset("inline-js", tag, None, mode="module" if type_ == "module" else "classic")
            return None  # JSON, templates: data, not code
        if type_ == "module":
            mode = "module"
        elif type_ not in JS_TYPES:
            mode = "data"
        elif tag.attr("nomodule") is not None:
            mode = "nomodule"
        elif tag.attr("async") is not None:
            mode = "async"
        elif tag.attr("defer") is not None:
            mode = "defer"
        else:
            mode = "classic"
        return Asset("js", tag, ref_of(tag, template, "src", static_url), mode=mode)
    if name == "style":
        return Asset("inline-css", tag, None, media=_plain(tag, "media") or "all")
    if name == "img":
        extra: tuple[Ref, ...] = ()
        srcset = tag.attr("srcset")
        if srcset is not None and srcset.value and not srcset.has_template_code:
            extra = tuple(classify_url(u, static_url) for u in split_srcset(srcset.value))
        return Asset("img", tag, ref_of(tag, template, "src", static_url), lazy=_plain(tag, "loading") == "lazy", extra_refs=extra)
    if name == "iframe":
        return Asset("iframe", tag, ref_of(tag, template, "src", static_url), lazy=_plain(tag, "loading") == "lazy")
    return None
