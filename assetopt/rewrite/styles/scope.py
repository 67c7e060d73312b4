"""Where inline styles may move: the pages that render a template must load the generated stylesheet.

A template's styles move only when every page that renders it loads ``assetopt/inline.css`` exactly
once, unconditionally, in ``<head>``: the link goes at ``link_point``, the last tag of the template's
first stylesheet run (or ``{% bundle "css" %}`` block) outside any ``{% if %}`` or loop. A template no
page renders (an e-mail, a fragment fetched by a script) keeps its styles. A ``<style>`` block's rules
apply on every page that loads the file, at the link's place: so a block moves only when every such
page renders it once, unconditionally, after that link with no other stylesheet in between.

Pure: pages in, a ``StyleScope`` out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ...errors import TemplateError, TemplateNotFound
from ...templates.assets import asset_of
from ...templates.model import BlockNode, ContainerNode, Element, Node, Template
from ...templates.pages import Page, resolve_page
from ...templates.runs import find_runs, ineligible_reason
from ...templates.tags import EndTag, OpaqueTag, StartTag
from .extract import plan_attributes, style_elements

__all__ = ["NO_PAGE", "StyleScope", "style_scope", "standalone_scope", "link_point"]

NO_PAGE = "no page renders this template, so nothing loads the generated stylesheet where it is used"
_NO_RUN = 'no stylesheet run in its <head> to join: add <link rel="stylesheet" href="{% static \'assetopt/inline.css\' %}"> to it yourself'


@dataclass(frozen=True)
class StyleScope:
    """Where styles may move and which templates link the generated stylesheet (``style_scope``)."""

    links: frozenset[str] = frozenset()  # templates that get the <link> (at ``link_point``)
    movable: frozenset[str] = frozenset()  # templates whose style attributes may move
    blocks: frozenset[tuple[str, int]] = frozenset()  # (template, <style> start) that may move
    held: Mapping[str, str] = field(default_factory=dict)  # template -> why its styles stay
    held_blocks: Mapping[tuple[str, int], str] = field(default_factory=dict)
    unlisted: str = NO_PAGE  # why, for a template in neither ``movable`` nor ``held``


def link_point(template: Template, static_url: str) -> StartTag | None:
    """The stylesheet the generated one goes right after: the last of the template's first run of
    stylesheets with media all (``runs.find_runs``) or of its first ``{% bundle "css" %}`` block,
    outside any ``{% if %}`` or ``{% for %}``."""
    runs, _ = find_runs(template, static_url)
    candidates = [(r.start, r.assets[-1].tag) for r in runs if r.kind == "css" and r.key == "all"]
    for links in _bundled_stylesheets(template.nodes, template, static_url):
        candidates.append((links[0].start, links[-1]))
    always = _unconditional_starts(template.nodes)
    eligible = [c for c in candidates if c[0] in always]
    return min(eligible, key=lambda c: c[0])[1] if eligible else None


def _unconditional_starts(nodes: tuple[Node, ...]) -> set[int]:
    """Start offsets of the HTML items the template renders whenever it renders (not in an if or loop)."""
    found: set[int] = set()
    for node in nodes:
        if isinstance(node, Element):
            found.add(node.item.start)
        elif isinstance(node, (BlockNode, ContainerNode)):
            found |= _unconditional_starts(node.children)
    return found


def _bundled_stylesheets(nodes: tuple[Node, ...], template: Template, static_url: str) -> Iterable[list[StartTag]]:
    for node in nodes:
        children = getattr(node, "children", ())
        if isinstance(node, ContainerNode) and node.tag in ("bundle", "compress"):
            kind = node.contents.split()[1:2]
            if [k.strip("\"'") for k in kind] != ["css"]:
                continue
            links = []
            for child in children:
                if isinstance(child, Element) and isinstance(child.item, StartTag):
                    asset = asset_of(child.item, template, static_url)
                    if asset is not None and asset.kind == "css":
                        links.append(child.item)
                        if asset.media != "all" or ineligible_reason(asset) is not None:
                            break
            else:
                if links:
                    yield links
        elif children:
            yield from _bundled_stylesheets(children, template, static_url)
        for _, branch in getattr(node, "branches", ()):
            yield from _bundled_stylesheets(branch, template, static_url)


# -- where styles may move: the pages ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Occurrence:
    index: int  # in page.items
    template: str
    loaded: bool  # in <head>, not in {% if %} or a loop: the page always loads it there


def _same(name: str) -> str:
    return name


def style_scope(pages: Sequence[Page], static_url: str, named: Callable[[str], str] = _same) -> StyleScope:
    """Which templates link the generated stylesheet, whose styles may move, and why the rest stay.

    ``named``: the one name a template's file goes by (overlapping template dirs and symlinks give a
    file several names, and pages reach it by any of them): the scope is keyed by it, so a file whose
    styles a page reaching it by any name cannot load keeps them."""
    templates = {named(t.name): t for page in pages for t in page.templates}
    points = {name: p.start for name, t in templates.items() if (p := link_point(t, static_url)) is not None}
    occurrences = {page.name: _occurrences(page, points, named) for page in pages}
    # each page's first stylesheet run that it always loads in <head>
    holders = {next(o.template for o in occ if o.loaded) for occ in occurrences.values() if any(o.loaded for o in occ)}
    good: dict[str, _Occurrence] = {}
    held: dict[str, str] = {}
    loading: list[Page] = []
    for page in pages:
        occ = [o for o in occurrences[page.name] if o.template in holders]
        if occ:
            loading.append(page)
        if len(occ) == 1 and occ[0].loaded:
            good[page.name] = occ[0]
            continue
        if not occ:
            why = _NO_RUN
        elif len(occ) > 1:
            why = f"it would load the generated stylesheet {len(occ)} times ({', '.join(o.template for o in occ)})"
        else:
            why = f"its stylesheet run in {occ[0].template} is inside {{% if %}}, a loop or <body>"
        for t in page.templates:
            held.setdefault(named(t.name), f"page {page.name} does not load the generated stylesheet: {why}")
    movable = frozenset(templates) - frozenset(held)
    blocks, held_blocks = _movable_blocks(loading, good, [(n, templates[n]) for n in sorted(movable)], named)
    moves = blocks or any(plan_attributes(templates[name], None)[2] for name in movable)
    return StyleScope(frozenset(holders) if moves else frozenset(), movable, frozenset(blocks), held, held_blocks)


def _occurrences(page: Page, points: Mapping[str, int], named: Callable[[str], str]) -> list[_Occurrence]:
    found: list[_Occurrence] = []
    in_head = False
    for index, pi in enumerate(page.items):
        item = pi.item
        name = item.name if isinstance(item, (StartTag, OpaqueTag, EndTag)) else ""
        if name == "head" and not isinstance(item, EndTag):
            in_head = True
        elif name == "body" or (name == "head" and isinstance(item, EndTag)):
            in_head = False
        elif isinstance(item, StartTag) and points.get(named(pi.template.name)) == item.start:
            found.append(_Occurrence(index, named(pi.template.name), in_head and not pi.conditional and not pi.in_loop))
    return found


def _movable_blocks(
    loading: list[Page], good: Mapping[str, _Occurrence], movable: list[tuple[str, Template]], named: Callable[[str], str]
) -> tuple[set[tuple[str, int]], dict[tuple[str, int], str]]:
    """The ``<style>`` blocks every loading page renders right after the generated stylesheet's link
    (other moving blocks aside, in file order): removed one by one until every survivor holds."""
    lines: dict[tuple[str, int], int] = {}
    held: dict[tuple[str, int], str] = {}
    for name, t in movable:
        for el in style_elements(t):
            if not el.reason:
                lines[(name, el.start)] = el.lineno
    bad = [p.name for p in loading if p.name not in good]
    if bad:
        return set(), {key: f"page {bad[0]} does not load the generated stylesheet exactly once in <head>" for key in lines}
    if not loading:
        return set(), {key: _NO_RUN for key in lines}
    moving = set(lines)
    changed = True
    while changed:
        changed = False
        for key in sorted(moving):
            for page in loading:
                why = _block_fits(page, good[page.name], key, moving, lines, named)
                if why:
                    moving.discard(key)
                    held[key] = why
                    changed = True
                    break
    return moving, held


def _block_fits(
    page: Page,
    point: _Occurrence,
    key: tuple[str, int],
    moving: set[tuple[str, int]],
    lines: Mapping[tuple[str, int], int],
    named: Callable[[str], str],
) -> str:
    """Why ``key``'s rules would not apply at the link's place on ``page`` as they do now ("" if they would)."""
    at = [i for i, pi in enumerate(page.items) if (named(pi.template.name), pi.item.start) == key and isinstance(pi.item, StartTag)]
    if not at:
        return f"page {page.name} loads the generated stylesheet but does not render this block"
    if len(at) > 1 or page.notes:
        return f"page {page.name} renders it more than once or includes templates we cannot follow"
    pi = page.items[at[0]]
    if pi.conditional or pi.in_loop:
        return f"it is inside {{% if %}} or a loop on page {page.name}"
    if at[0] < point.index:
        return f"it comes before the stylesheet run on page {page.name}"
    order = (key[0], lines[key], key[1])  # the file's order: template, line, then source order
    for other in page.items[point.index + 1 : at[0]]:
        item = other.item
        other_key = (named(other.template.name), item.start)
        if other_key in moving and (other_key[0], lines[other_key], other_key[1]) < order:
            continue
        if _is_stylesheet(item):
            return f"another stylesheet ({other.template.path}:{item.lineno}) comes between the stylesheet run and it on page {page.name}"
    return ""


def _is_stylesheet(item: object) -> bool:
    if isinstance(item, OpaqueTag):
        return item.name in ("link", "style")
    if not isinstance(item, StartTag):
        return False
    if item.name == "style":
        return True
    rel = (item.get("rel") or "").lower().split()
    return item.name == "link" and ("stylesheet" in rel or ("preload" in rel and (item.get("as") or "").lower() == "style"))


def standalone_scope(template: Template, static_url: str) -> StyleScope:
    """The scope of a template judged on its own, as the one page it renders (no project given)."""

    def load(name: str) -> Template:
        if name == template.name:
            return template
        raise TemplateNotFound(f"template {name!r} is not given", hint="judge it within its project: assetopt rewrite")

    try:
        page = resolve_page(template.name, load)
    except TemplateError as exc:
        return StyleScope(unlisted=f"judged alone, and {exc.message}")
    return style_scope([page], static_url)
