"""What Chromium measured of each ``<img>`` (``browser/layout.py``) and what the rewrite makes of it.

The browser's layout pass renders every measured page from a probe copy of the templates in which
each ``<img>`` carries ``data-assetopt-img="<template>:<offset>"``, so a rendered element maps back to
the exact tag of the source (inside loops and includes too). Per page and tag it records:

- ``widths``: the rendered CSS width at each viewport of ``VIEWPORTS`` (the largest over the tag's
  copies: loop turns, several includes), 0 where it is not displayed;
- ``shown``/``first_screen``/``lcp``: at the load of each ``SCREENS`` entry, whether a copy was
  displayed, whether every displayed copy's box intersected the first screen, whether a copy was the
  element Chromium reported as the Largest Contentful Paint; ``copies``: how many elements it made.

From that, pure:

- ``sizes_from_widths``: the ``sizes`` attribute (the rule is in its docstring);
- ``layout_role``: ``lcp`` (the LCP element at a screen: eager, ``fetchpriority="high"``), ``chrome``
  (in the first screen at every screen where it is displayed: eager) or ``below`` (lazy).

Never imports Playwright, never reads files; ``layout_to_json``/``layout_from_json`` are the cached form.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..screens import SCREENS, VIEWPORTS, Screen
from ..templates.fold import BELOW, CHROME, LCP

__all__ = [
    "LAYOUT_VERSION",
    "Screen",
    "SCREENS",
    "VIEWPORTS",
    "ImageLayout",
    "PageLayout",
    "Layout",
    "sizes_from_widths",
    "layout_role",
    "merged_widths",
    "layout_to_json",
    "layout_from_json",
]

LAYOUT_VERSION = 1  # bump when what the pass measures, or how, changes: cached layouts are then re-measured


@dataclass(frozen=True, slots=True)
class ImageLayout:
    """One ``<img>`` tag on one page. ``widths``: (viewport width, CSS px) in ``VIEWPORTS`` order."""

    widths: tuple[tuple[int, float], ...]
    shown: frozenset[str] = frozenset()  # screens at whose load it was displayed (a box wider and taller than 0)
    first_screen: frozenset[str] = frozenset()  # screens at whose load its box intersected the viewport
    lcp: frozenset[str] = frozenset()  # screens whose LCP element it was (one of its copies)
    copies: int = 1  # how many elements the tag rendered to on the page (a loop's turns)


@dataclass(frozen=True)
class PageLayout:
    url: str
    template: str | None  # the page's template (the view's), as Django reported it
    # (template name, tag offset) -> the tag's layout; the name is the one Django rendered it by (the
    # rewrite keys it by the file: ``RewriteContext.files``)
    images: Mapping[tuple[str, int], ImageLayout] = field(default_factory=dict)


@dataclass(frozen=True)
class Layout:
    pages: tuple[PageLayout, ...] = ()
    chromium: str = ""


def _px(value: float) -> int:
    return max(1, math.ceil(value - 1e-6))


def _band_value(a: tuple[int, float], b: tuple[int, float]) -> str:
    """The slot for viewports between two measured ones, from the widths at both ends."""
    (va, wa), (vb, wb) = a, b
    if max(wa, wb) < 0.5:
        return "1px"  # displayed at neither: the smallest candidate is enough (an eager hidden <img> is still fetched)
    if abs(wa - wb) <= 1:
        return f"{_px(max(wa, wb))}px"
    return f"{math.ceil(100 * max(wa / va, wb / vb) - 1e-6)}vw"


def sizes_from_widths(widths: Mapping[int, float]) -> str | None:
    """The ``sizes`` attribute for an image measured at ``widths`` (viewport width -> CSS px), or
    None when it was displayed at no viewport (its slot is unknown: the default stays).

    The rule: consecutive measured viewports ``v1 < v2 < ...`` cut the viewport range into bands
    ``(0, v2]``, ``(v2, v3]`` ... ``(v[n-1], ∞)`` (the first and last measured viewports stand for the
    widths beyond them). A band's slot comes from the widths at its two ends: the same width at both
    (within 1 px) is a fixed slot, ``Npx``; otherwise the image follows the viewport and the slot is
    the larger share of the viewport it takes at either end, ``Nvw``. Pixels and percentages are
    rounded up, so a browser never thinks the slot smaller than it was measured; a band where it is
    displayed at neither end is ``1px``. Adjacent bands with the same slot are merged:
    ``(max-width: 600px) 92vw, (max-width: 1024px) 46vw, 244px``. A layout that jumps between two
    measured viewports (a CSS breakpoint) can make the slot there wider than stated; the browser then
    picks a candidate up to that jump too narrow."""
    points = sorted((int(v), float(w)) for v, w in widths.items())
    if not points or max(w for _, w in points) < 0.5:
        return None
    if len(points) == 1:
        return f"{_px(points[0][1])}px"
    bands = [(points[i + 1][0], _band_value(points[i], points[i + 1])) for i in range(len(points) - 1)]
    merged: list[tuple[int, str]] = []
    for edge, value in bands:
        if merged and merged[-1][1] == value:
            merged[-1] = (edge, value)
        else:
            merged.append((edge, value))
    parts = [f"(max-width: {edge}px) {value}" for edge, value in merged[:-1]]
    return ", ".join([*parts, merged[-1][1]])


def merged_widths(images: Iterable[ImageLayout]) -> dict[int, float]:
    """The widest each viewport showed the tag, over its pages."""
    out: dict[int, float] = {}
    for image in images:
        for viewport, width in image.widths:
            out[viewport] = max(out.get(viewport, 0.0), width)
    return out


def layout_role(image: ImageLayout) -> tuple[str, str]:
    """The role of a tag on one measured page, with the reason the rewrite reports.

    The LCP element at any screen is ``lcp``; an image in the first screen at every screen where it
    is displayed is ``chrome`` (eager: lazy-loading it would delay a paint the user sees at once);
    every other image is ``below`` (lazy), including one displayed at no screen's load (a hidden tab
    or modal: lazy is what keeps it from being fetched at all) and a loop's copies when some of them
    are below the first screen (Chromium still fetches the lazy copies in view right after layout)."""
    screens = [s.name for s in SCREENS]
    if image.lcp and image.copies > 1:
        # one template tag cannot prioritise one turn of its loop: as the template rule does, every copy
        # stays eager and none gets fetchpriority (N copies at high priority would compete with each other)
        return CHROME, f"the LCP element in Chromium is one of its {image.copies} copies (a loop): all eager, none prioritised"
    if image.lcp:
        return LCP, f"the LCP element in Chromium ({', '.join(s for s in screens if s in image.lcp)})"
    if not image.shown:
        return BELOW, "not displayed at the first load in Chromium (mobile, desktop)"
    if image.shown <= image.first_screen:
        return CHROME, f"in the first screen in Chromium ({', '.join(s for s in screens if s in image.shown)})"
    below = [s for s in screens if s in image.shown - image.first_screen]
    return BELOW, f"below the first screen in Chromium ({', '.join(below)})"


def layout_to_json(layout: Layout) -> dict[str, Any]:
    return {
        "version": LAYOUT_VERSION,
        "chromium": layout.chromium,
        "pages": [
            {
                "url": p.url,
                "template": p.template,
                "images": [
                    {
                        "template": name,
                        "offset": offset,
                        "widths": [[v, w] for v, w in img.widths],
                        "shown": sorted(img.shown),
                        "first_screen": sorted(img.first_screen),
                        "lcp": sorted(img.lcp),
                        "copies": img.copies,
                    }
                    for (name, offset), img in sorted(p.images.items())
                ],
            }
            for p in layout.pages
        ],
    }


def layout_from_json(data: Mapping[str, Any]) -> Layout | None:
    """The layout stored by ``layout_to_json``; None for another version or a malformed entry (the
    caller measures again: a cache is never trusted blindly)."""
    try:
        if data["version"] != LAYOUT_VERSION:
            return None
        pages = []
        for p in data["pages"]:
            images = {
                (str(i["template"]), int(i["offset"])): ImageLayout(
                    widths=tuple((int(v), float(w)) for v, w in i["widths"]),
                    shown=frozenset(map(str, i["shown"])),
                    first_screen=frozenset(map(str, i["first_screen"])),
                    lcp=frozenset(map(str, i["lcp"])),
                    copies=int(i["copies"]),
                )
                for i in p["images"]
            }
            template = p["template"]
            pages.append(PageLayout(str(p["url"]), None if template is None else str(template), images))
        return Layout(tuple(pages), str(data.get("chromium") or ""))
    except (KeyError, TypeError, ValueError):
        return None
