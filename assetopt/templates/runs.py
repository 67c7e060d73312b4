"""Runs of asset tags that could become one bundle (``design.md`` decision 3), found per template.

A run is a sequence of consecutive, bundle-eligible tags of the same kind in one node list of a
template (so never across a ``{% block %}``, an ``{% if %}``, an include or any other element):
local stylesheets with the same media, or classic scripts with the same defer semantics. Everything
else ends the run, and every asset tag that cannot join one gets the reason why.

Pure: a ``Template`` in, runs and reasons out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from .assets import Asset, asset_of
from .model import Template
from .nodes import BlockNode, ContainerNode, Element, ForNode, IfNode, Node
from .refs import RefKind
from .tags import EndTag, HtmlComment, RawText, StartTag

__all__ = ["Run", "Excluded", "find_runs", "ineligible_reason"]

# Containers whose body is never rewritten: already bundled, or text whose every byte is a
# translation msgid ({% blocktrans %} also refuses block tags inside it).
_TAG_RE = re.compile(r"\{% (\S+) ")
_OPAQUE_CONTAINERS = frozenset({"bundle", "compress", "blocktrans", "blocktranslate"})


@dataclass(frozen=True, slots=True)
class Run:
    kind: str  # "css" or "js"
    assets: tuple[Asset, ...]
    key: str  # media for css, defer/classic for js
    stop: int = 0  # when the run ends with an {% if %} of scripts: the end of its {% endif %}

    @property
    def start(self) -> int:
        return self.assets[0].tag.start

    @property
    def lineno(self) -> int:
        return self.assets[0].tag.lineno


@dataclass(frozen=True, slots=True)
class Excluded:
    asset: Asset
    reason: str


def ineligible_reason(asset: Asset, self_locating: Mapping[str, str] | None = None) -> str | None:
    """Why this stylesheet/script can never be bundled, or None if it can. ``self_locating``: logical
    path -> why that script finds its files by its own URL (``text.self_locating``), read by the caller."""
    ref = asset.ref
    if asset.kind == "css":
        if asset.mode == "alternate":
            return "alternate stylesheet"
        if asset.mode == "disabled":
            return "disabled stylesheet"
    elif asset.kind == "js":
        if asset.mode in ("module", "async", "nomodule"):
            return f"{asset.mode} script"
        if asset.mode == "data":
            return f"non-JavaScript type {asset.tag.get('type')!r}"
    else:
        return f"{asset.kind} is not bundled"
    if ref is None:
        return "no URL"
    if ref.kind is RefKind.EXTERNAL:
        return f"external URL {ref.url}"
    if ref.kind is RefKind.DYNAMIC:
        return f"path computed at run time ({ref.url})"
    if ref.kind is not RefKind.STATIC:
        return f"not a static file ({ref.kind.value}: {ref.url})"
    own = sorted({t for t in _TAG_RE.findall(ref.url) if t != "static"})
    if own:  # the {% bundle %} tag resolves {% static %} only; the project's tag may add more than a path
        return f"written with the project's own static tag {{% {own[0]} %}}: counted, not bundled"
    for attr in ("integrity",):
        if asset.tag.attr(attr) is not None:
            return f"has {attr}"
    for path in ref.paths if asset.kind == "js" and self_locating else ():
        why = self_locating.get(path)  # type: ignore[union-attr]
        if why is not None:
            return (
                f"self-locating script {path}: {why}; in a bundle it would look for them next to the bundle"
                f" (bundle it anyway: add '{path}' to bundle_self_locating)"
            )
    return None


def find_runs(
    template: Template, static_url: str, self_locating: Mapping[str, str] | None = None, conditional_scripts: bool = True
) -> tuple[list[Run], list[Excluded]]:
    """The bundleable runs of ``template`` and the assets left out with why. ``conditional_scripts``:
    a script run takes in a following ``{% if %}`` of scripts as a variant ({% bundle %} builds each);
    off for django-compressor, whose offline keys cover only the variables its context names."""
    runs: list[Run] = []
    excluded: list[Excluded] = []
    _scan(template.nodes, template, static_url, runs, excluded, self_locating or {}, conditional_scripts)
    return runs, excluded


def _scan(
    nodes: tuple[Node, ...],
    template: Template,
    static_url: str,
    runs: list[Run],
    excluded: list[Excluded],
    self_locating: Mapping[str, str],
    conditional_scripts: bool = True,
) -> None:
    current: list[Asset] = []
    key = ""
    stop = 0

    def flush() -> None:
        nonlocal current, stop
        if len(current) >= 2:
            runs.append(Run(current[0].kind, tuple(current), key, stop))
        current, stop = [], 0

    in_script: Asset | None = None  # an eligible <script src> waiting for its body and end tag
    for node in nodes:
        if isinstance(node, Element):
            item = node.item
            if in_script is not None:
                if isinstance(item, RawText):
                    if item.end > item.start and template.source[item.start : item.end].strip():
                        excluded.append(Excluded(in_script, "script has both src and inline code"))
                        in_script = None
                        flush()
                    continue
                if isinstance(item, EndTag) and item.name == "script":
                    current.append(in_script)
                    key, stop = _key(in_script), 0
                    in_script = None
                    continue
            if isinstance(item, HtmlComment):
                continue
            if isinstance(item, StartTag):
                asset = asset_of(item, template, static_url)
                if asset is not None and asset.kind in ("css", "js"):
                    reason = ineligible_reason(asset, self_locating)
                    if reason is not None:
                        excluded.append(Excluded(asset, reason))
                        flush()
                        continue
                    if asset.kind == "js":
                        if current and (current[0].kind != "js" or _key(asset) != key):
                            flush()
                        in_script = asset
                        continue
                    if current and (current[0].kind != "css" or _key(asset) != key):
                        flush()
                    current.append(asset)
                    key = _key(asset)
                    continue
            flush()
            continue
        if conditional_scripts and isinstance(node, IfNode) and in_script is None and current and current[0].kind == "js":
            chosen = _conditional_scripts(node, template, static_url, key, self_locating)
            if chosen:
                current.extend(chosen)
                stop = node.delimiters.close.end
                continue
        flush()
        if isinstance(node, BlockNode):
            _scan(node.children, template, static_url, runs, excluded, self_locating, conditional_scripts)
        elif isinstance(node, IfNode):
            for _, children in node.branches:
                _scan(children, template, static_url, runs, excluded, self_locating, conditional_scripts)
        elif isinstance(node, ForNode):
            _scan(node.children, template, static_url, runs, excluded, self_locating, conditional_scripts)
            _scan(node.empty, template, static_url, runs, excluded, self_locating, conditional_scripts)
        elif isinstance(node, ContainerNode) and node.tag not in _OPAQUE_CONTAINERS:
            _scan(node.children, template, static_url, runs, excluded, self_locating, conditional_scripts)
    flush()


def _conditional_scripts(node: IfNode, template: Template, static_url: str, key: str, self_locating: Mapping[str, str]) -> list[Asset]:
    """The scripts of an ``{% if %}`` whose every branch holds only bundle-eligible scripts with the
    run's ``key`` (the Arabic Select2 file after Select2): they join the run as bundle variants. Empty
    when anything else is there (it is then scanned like any other node)."""
    out: list[Asset] = []
    for _, children in node.branches:
        open_: Asset | None = None
        for child in children:
            if not isinstance(child, Element):
                return []
            item = child.item
            if isinstance(item, HtmlComment):
                continue
            if open_ is None and isinstance(item, StartTag):
                asset = asset_of(item, template, static_url)
                if asset is None or asset.kind != "js" or _key(asset) != key or ineligible_reason(asset, self_locating) is not None:
                    return []
                open_ = asset
            elif open_ is not None and isinstance(item, RawText) and not template.source[item.start : item.end].strip():
                continue
            elif open_ is not None and isinstance(item, EndTag) and item.name == "script":
                out.append(open_)
                open_ = None
            else:
                return []
        if open_ is not None:
            return []
    return out


def _key(asset: Asset) -> str:
    return asset.media if asset.kind == "css" else asset.mode
