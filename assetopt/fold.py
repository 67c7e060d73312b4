"""Which images of a page are above the fold, which one is the LCP candidate, which should be lazy.

Rules (``design.md`` decision 8), applied to a page's items in document order:
- ``chrome``: inside ``<header>`` or ``<nav>``, or marked ``fetchpriority="high"``: stays eager.
- ``lcp``: the first other image of the page: the likely Largest Contentful Paint element. It stays
  eager and should get ``fetchpriority="high"``; lazy-loading it delays the paint users wait for.
- ``below``: every other image: should be ``loading="lazy" decoding="async"``.

Pure: a ``Page`` in, roles keyed by (template name, tag offset) out.
"""
from __future__ import annotations

from .pages import Page
from .tags import VOID_ELEMENTS, EndTag, StartTag

__all__ = ["image_roles", "CHROME", "LCP", "BELOW"]

CHROME, LCP, BELOW = "chrome", "lcp", "below"


def image_roles(page: Page) -> dict[tuple[str, int], str]:
    roles: dict[tuple[str, int], str] = {}
    stack: list[str] = []
    lcp_taken = False
    for pi in page.items:
        item = pi.item
        if isinstance(item, EndTag):
            if item.name in stack:
                while stack and stack.pop() != item.name:
                    pass
            continue
        if not isinstance(item, StartTag):
            continue
        if item.name not in VOID_ELEMENTS and not item.self_closing:
            stack.append(item.name)
            continue
        if item.name != "img":
            continue
        key = (pi.template.name, item.start)
        if "header" in stack or "nav" in stack or (item.get("fetchpriority") or "").lower() == "high":
            role = CHROME
        elif not lcp_taken:
            role, lcp_taken = LCP, True
        else:
            role = BELOW
        roles.setdefault(key, role)
    return roles
