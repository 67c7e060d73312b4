"""Runs of asset tags that could become one bundle (``design.md`` decision 3), found per template.

A run is a sequence of consecutive, bundle-eligible tags of the same kind in one node list of a
template (so never across a ``{% block %}``, an ``{% if %}``, an include or any other element):
local stylesheets with the same media, or classic scripts with the same defer semantics. Everything
else ends the run, and every asset tag that cannot join one gets the reason why.

Pure: a ``Template`` in, runs and reasons out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace

from .assets import Asset, asset_of
from .model import Template
from .nodes import BlockNode, ContainerNode, Element, ForNode, IfNode, Node
from .refs import RefKind
from .rejoin import Hop, Rejoin
from .static_literals import unnormal_static
from .tags import EndTag, HtmlComment, RawText, StartTag

# Asked whether inline scripts (start tag, body, end offset) may hop after a group of scripts (``rejoin``).
Rejoiner = Callable[[Sequence[tuple[StartTag, RawText | None, int]], Sequence[Asset]], Rejoin]

__all__ = ["Run", "Excluded", "dropped_attribute", "find_runs", "ineligible_reason"]

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
    hops: tuple[Hop, ...] = ()  # inline scripts inside the run's span that move after it (``rejoin``)

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


def ineligible_reason(asset: Asset, self_locating: Mapping[str, str] | None = None, missing: Collection[str] = ()) -> str | None:
    """Why this stylesheet/script can never be bundled, or None if it can. ``self_locating``: logical
    path -> why that script finds its files by its own URL (``text.self_locating``), read by the caller;
    ``missing``: logical paths the static dirs do not hold (the build could not join them)."""
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
    for path in ref.paths if missing else ():
        if path in missing:
            return f"{path} is not in the static dirs, so the build could not join it (add the folder that holds it: --static DIR, or static in [tool.assetopt])"
    for path in ref.paths if asset.kind == "js" and self_locating else ():
        why = self_locating.get(path)  # type: ignore[union-attr]
        if why is not None:
            return (
                f"self-locating script {path}: {why}; in a bundle it would look for them next to the bundle"
                f" (bundle it anyway: add '{path}' to bundle_self_locating)"
            )
    return None


# What the {% bundle %} tag's one tag carries over (nonce, crossorigin, referrerpolicy), decides from
# (media, defer, type) or may drop without changing what the page does; any other attribute is lost.
_KEPT = {
    "css": frozenset({"rel", "href", "type", "media", "nonce", "crossorigin", "referrerpolicy", "charset", "fetchpriority"}),
    "js": frozenset({"src", "type", "defer", "nonce", "crossorigin", "referrerpolicy", "charset", "language", "fetchpriority"}),
}


def dropped_attribute(asset: Asset) -> str | None:
    """Why bundling ``asset`` would lose one of its attributes (the bundle prints one tag of its own:
    an ``id`` a script looks the element up by, an ``onload`` handler, a ``title`` that makes a
    stylesheet a preferred style set), or None when it carries nothing the bundle would drop."""
    kept = _KEPT.get(asset.kind, frozenset())
    for a in asset.tag.attrs:
        name = a.name
        if name in kept:
            continue
        if name.startswith("on"):
            why = "an event handler that would never run"
        elif name in ("id", "class") or name.startswith("data-"):
            why = "a script may find the element by it"
        elif name == "title" and asset.kind == "css":
            why = "a titled stylesheet belongs to a preferred style set"
        else:
            why = "it would be lost"
        return f"has {name}=, which the bundle's one tag would not carry ({why})"
    return None


def _plan_reason(asset: Asset, self_locating: Mapping[str, str] | None, missing: Collection[str]) -> str | None:
    """Why the rewrite leaves ``asset`` out of every run it wraps: what the build refuses, and what
    the build accepts in a block someone wrote but a new block would lose (``dropped_attribute``) or
    break when bundles are off (``unnormal_static``)."""
    return ineligible_reason(asset, self_locating, missing) or dropped_attribute(asset) or unnormal_static(asset)


def find_runs(
    template: Template,
    static_url: str,
    self_locating: Mapping[str, str] | None = None,
    conditional_scripts: bool = True,
    rejoin: Rejoiner | None = None,
    refusals: list[tuple[int, str]] | None = None,
    missing: Collection[str] = (),
) -> tuple[list[Run], list[Excluded]]:
    """The bundleable runs of ``template`` and the assets left out with why. ``conditional_scripts``:
    a script run takes in a following ``{% if %}`` of scripts as a variant ({% bundle %} builds each);
    off for django-compressor, whose offline keys cover only the variables its context names.
    ``rejoin``: asked whether inline classic scripts between a script run and the scripts after them
    may move after those (the run then takes them in); each "no" goes to ``refusals`` (line, why).
    ``missing``: logical paths not in the static dirs: never in a run (``ineligible_reason``)."""
    runs: list[Run] = []
    excluded: list[Excluded] = []
    scan = _Scan(template, static_url, runs, excluded, self_locating or {}, conditional_scripts, rejoin, refusals, frozenset(missing))
    scan.nodes(template.nodes)
    return runs, excluded


@dataclass
class _Scan:
    template: Template
    static_url: str
    runs: list[Run]
    excluded: list[Excluded]
    self_locating: Mapping[str, str]
    conditional_scripts: bool = True
    rejoin: Rejoiner | None = None
    refusals: list[tuple[int, str]] | None = None
    missing: frozenset[str] = frozenset()

    def nodes(self, nodes: tuple[Node, ...]) -> None:
        template, static_url, self_locating, missing = self.template, self.static_url, self.self_locating, self.missing
        current: list[Asset] = []
        hops: list[Hop] = []
        key = ""
        stop = 0

        hopped: list[tuple[StartTag, RawText | None, int]] = []

        def flush() -> None:
            nonlocal current, stop, hops, hopped
            if len(current) >= 2:
                self.runs.append(Run(current[0].kind, tuple(current), key, stop, tuple(hops)))
            current, stop, hops, hopped = [], 0, [], []

        in_script: Asset | None = None  # an eligible <script src> waiting for its body and end tag
        last_end = 0  # where the last node of the current run ends
        idx = -1
        while idx + 1 < len(nodes):
            idx += 1
            node = nodes[idx]
            if isinstance(node, Element):
                item = node.item
                if in_script is not None:
                    if isinstance(item, RawText):
                        if item.end > item.start and template.source[item.start : item.end].strip():
                            self.excluded.append(Excluded(in_script, "script has both src and inline code"))
                            in_script = None
                            flush()
                        continue
                    if isinstance(item, EndTag) and item.name == "script":
                        current.append(in_script)
                        key, stop, last_end = _key(in_script), 0, item.end
                        in_script = None
                        continue
                if isinstance(item, HtmlComment):
                    continue
                if isinstance(item, StartTag):
                    asset = asset_of(item, template, static_url)
                    if (
                        self.rejoin is not None
                        and asset is not None
                        and asset.kind == "inline-js"
                        and asset.mode == "classic"
                        and current
                        and current[0].kind == "js"
                        and key == "classic"
                    ):
                        found = _hop_candidate(nodes, idx, template, static_url, key, self_locating, last_end, missing)
                        if found is not None:
                            scripts, group, after, group_stop, group_end = found
                            verdict = self.rejoin(scripts, group)
                            if verdict.hops and hopped:  # the inline scripts that hopped already would run after this group too
                                earlier = self.rejoin(hopped, group)
                                verdict = Rejoin((*earlier.hops, *verdict.hops), earlier.refusal) if earlier.hops else earlier
                            if verdict.hops:
                                current.extend(group)
                                hopped.extend(scripts)
                                hops = [replace(h, why=f"{old.why}; {h.why}") for old, h in zip(hops, verdict.hops)] + list(verdict.hops[len(hops) :])
                                stop, last_end, idx = group_stop, group_end, after - 1
                                continue
                            if self.refusals is not None:
                                self.refusals.append((group[0].tag.lineno, verdict.refusal))
                    if asset is not None and asset.kind in ("css", "js"):
                        reason = _plan_reason(asset, self_locating, missing)
                        if reason is not None:
                            self.excluded.append(Excluded(asset, reason))
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
            if self.conditional_scripts and isinstance(node, IfNode) and in_script is None and current and current[0].kind == "js":
                chosen = _conditional_scripts(node, template, static_url, key, self_locating, missing)
                if chosen:
                    current.extend(chosen)
                    stop = last_end = node.delimiters.close.end
                    continue
            flush()
            if isinstance(node, BlockNode):
                self.nodes(node.children)
            elif isinstance(node, IfNode):
                for _, children in node.branches:
                    self.nodes(children)
            elif isinstance(node, ForNode):
                self.nodes(node.children)
                self.nodes(node.empty)
            elif isinstance(node, ContainerNode) and node.tag not in _OPAQUE_CONTAINERS:
                self.nodes(node.children)
        flush()


def _hop_candidate(
    nodes: tuple[Node, ...],
    idx: int,
    template: Template,
    static_url: str,
    key: str,
    self_locating: Mapping[str, str],
    pos: int,
    missing: frozenset[str] = frozenset(),
) -> tuple[list[tuple[StartTag, RawText | None, int]], list[Asset], int, int, int] | None:
    """From ``nodes[idx]`` (an inline script right after a script run ending at ``pos``): the inline
    scripts, the group of eligible scripts after them, the index after the group, the group's ``stop``
    and its end offset; None when anything but whitespace, HTML comments, inline classic scripts and
    then scripts stands there."""
    source = template.source
    scripts: list[tuple[StartTag, RawText | None, int]] = []
    i = idx
    open_: StartTag | None = None
    body: RawText | None = None
    while i < len(nodes):
        node = nodes[i]
        if open_ is not None and not (isinstance(node, Element) and isinstance(node.item, EndTag) and node.item.name == "script"):
            if isinstance(node, Element) and isinstance(node.item, RawText):
                body = node.item  # the whole body; template code in it is the inline script's own (``inline_js``)
            i += 1
            continue
        if not isinstance(node, Element) or (open_ is None and source[pos : node.item.start].strip()):
            break
        item = node.item
        if open_ is None and isinstance(item, StartTag) and item.name == "script":
            asset = asset_of(item, template, static_url)
            if asset is None or asset.kind != "inline-js" or asset.mode != "classic":
                break
            open_, body = item, None
        elif open_ is not None and isinstance(item, EndTag) and item.name == "script":
            scripts.append((open_, body, item.end))
            open_ = None
        elif not isinstance(item, HtmlComment):
            break
        pos = item.end
        i += 1
    if open_ is not None or not scripts:
        return None
    group: list[Asset] = []
    committed = (i, 0, pos)  # index after the group, its stop, its end
    pending: Asset | None = None
    while i < len(nodes):
        node = nodes[i]
        if isinstance(node, IfNode) and pending is None:
            chosen = _conditional_scripts(node, template, static_url, key, self_locating, missing)
            if not chosen or source[pos : node.delimiters.open.start].strip():
                break
            group.extend(chosen)
            pos = node.delimiters.close.end
            i += 1
            committed = (i, pos, pos)
            continue
        if not isinstance(node, Element) or source[pos : node.item.start].strip():
            break
        item = node.item
        if pending is None and isinstance(item, StartTag) and item.name == "script":
            asset = asset_of(item, template, static_url)
            if asset is None or asset.kind != "js" or _key(asset) != key or _plan_reason(asset, self_locating, missing) is not None:
                break
            pending = asset
        elif pending is not None and isinstance(item, RawText):
            if source[item.start : item.end].strip():
                break
        elif pending is not None and isinstance(item, EndTag) and item.name == "script":
            group.append(pending)
            pending = None
            committed = (i + 1, 0, item.end)
        elif not (isinstance(item, HtmlComment) and pending is None):
            break
        pos = item.end
        i += 1
    if not group:
        return None
    return scripts, group, committed[0], committed[1], committed[2]


def _conditional_scripts(
    node: IfNode, template: Template, static_url: str, key: str, self_locating: Mapping[str, str], missing: frozenset[str] = frozenset()
) -> list[Asset]:
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
                if asset is None or asset.kind != "js" or _key(asset) != key or _plan_reason(asset, self_locating, missing) is not None:
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
