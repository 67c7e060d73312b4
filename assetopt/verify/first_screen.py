"""The elements of a page's first screen, compared: what a screenshot threshold misses.

``browser/page_js.FIRST_SCREEN_STYLES_JS`` answers, for every element with a box on the first screen,
its name, its path from ``<body>``, the part of its box on that screen and the computed values that
show. Two uses compare such answers with ``changed_value`` (one implementation):

- the critical CSS proof (``browser/critical.styled_differently``): first paint vs loaded, the same
  document, element by element in document order, boxes exact;
- ``verify --browser`` and ``optimize --browser`` (``first_screen_changes``): the page before and after
  a change, stored in the baseline by ``first_screen_of`` (the JSON ``"first_screen"`` of a measure,
  docs/audit-json.md), elements joined by path, a box allowed to move by ``BOX_TOLERANCE`` pixels.

A removed 1 px header border is about half a percent of a 1280x720 screenshot, under its threshold;
here it is ``header.border-b: border-bottom-style none, before solid``.

Pure: no I/O, no browser.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["BOX_TOLERANCE", "changed_value", "first_screen_of", "first_screen_changes"]

BOX_TOLERANCE = 2  # pixels an edge of a box may move before it is a change (sub-pixel rounding, font hinting)


def first_screen_of(answer: Mapping[str, Any], width: int, height: int) -> dict[str, Any]:
    """What a baseline stores of a ``FIRST_SCREEN_STYLES_JS`` answer taken at ``width`` x ``height``:
    ``{"screen": "1280x720", "elements": {path: {"name": ..., "v": {"box": "l t r b", property: value}}}}``
    (a ``<picture>``, with no path of its own, is left out: its ``<img>`` is compared)."""
    elements: dict[str, Any] = {}
    for item in (answer.get("els") or {}).values():
        path = str(item.get("path") or "")
        if path:
            elements[path] = {"name": str(item.get("name", "")), "v": dict(item.get("v") or {})}
    return {"screen": f"{width}x{height}", "elements": elements}


def changed_value(before: Mapping[str, str], after: Mapping[str, str], box_tolerance: int = 0) -> str:
    """The first of ``before``'s values (``"box"`` and computed properties) that ``after`` shows
    otherwise, as ``"border-bottom-style none, before solid"``; a box within ``box_tolerance`` pixels
    on each edge is the same, and so is a ``url()`` served from elsewhere (``_same_files``); "" when
    none differs."""
    for prop, was in before.items():
        now = after.get(prop)
        if now == was or (now is not None and "url(" in was and _same_files(was, now)):
            continue
        if prop == "box" and box_tolerance and now is not None and _near(was, now, box_tolerance):
            continue
        return f"{prop} {now if now is not None else '(none)'}, before {was}"
    return ""


def first_screen_changes(before: Mapping[str, Any], after: Mapping[str, Any], *, box_tolerance: int = BOX_TOLERANCE) -> list[str]:
    """The elements of ``before``'s first screen (``first_screen_of``) that ``after``'s does not show,
    or shows with a box moved or resized by more than ``box_tolerance`` pixels or another visible
    style, one line each in document order: ``body > header: border-bottom-style none, before solid``.
    An element only ``after`` shows is left to the screenshots (a wrapper the rewrite added)."""
    a, b = before.get("elements") or {}, after.get("elements") or {}
    found: list[str] = []
    for path, was in a.items():
        now = b.get(path)
        label = f"{path} ({was.get('name', '')})"
        if now is None:
            found.append(f"{label}: missing from the first screen")
            continue
        change = changed_value(was.get("v") or {}, now.get("v") or {}, box_tolerance)
        if change:
            found.append(f"{label}: {change}")
    return found


# url("http://127.0.0.1:4100/static/img/a.1f2e3d4c5b6a.svg") -> the path without origin and Django's hash
_URL = re.compile(r"""url\((["']?)(?:[a-z][a-z0-9+.-]*://[^/"')]*)?([^"')]*?)(?:\.[0-9a-f]{12})?(\.\w+)?\1\)""", re.IGNORECASE)


def _same_files(a: str, b: str) -> bool:
    """Computed values that differ only in where their ``url()`` files are served: another origin
    (before and after are served from two local servers) or Django's content hash in the name
    (``ManifestStaticFilesStorage`` after a build). The same file at another address paints the same;
    a changed image is the screenshots' to see."""
    return _URL.sub(r"url(\2\3)", a) == _URL.sub(r"url(\2\3)", b)


def _near(a: str, b: str, tolerance: int) -> bool:
    try:
        xs, ys = [float(v) for v in a.split()], [float(v) for v in b.split()]
    except ValueError:
        return False
    return len(xs) == len(ys) and all(abs(x - y) <= tolerance for x, y in zip(xs, ys, strict=True))
