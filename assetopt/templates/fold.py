"""Which images of a page are above the fold, which one is the LCP candidate, which should be lazy.

Rules (``design.md`` decision 8), applied to a page's items in document order:
- ``chrome``: inside ``<header>`` or ``<nav>``, a site's logo (``logo``/``brand`` in its src, class, id
  or alt: the login page's logo sits in neither), or marked ``fetchpriority="high"``: stays eager.
- ``lcp``: the first other image of the page: the likely Largest Contentful Paint element. It stays
  eager and should get ``fetchpriority="high"``; lazy-loading it delays the paint users wait for.
  When that first image sits in a ``{% for %}`` it repeats: every copy stays eager (``chrome``) and
  none is prioritised.
- ``below``: every other image: should be ``loading="lazy" decoding="async"``.

Pure: a ``Page`` in, roles keyed by (template name, tag offset) out.
"""
from __future__ import annotations

from .pages import Page
from .tags import OpenElements, StartTag

__all__ = ["image_roles", "prioritised", "is_logo", "CHROME", "LCP", "BELOW"]

CHROME, LCP, BELOW = "chrome", "lcp", "below"


def prioritised(tag: StartTag) -> bool:
    """The author asked for ``fetchpriority="high"`` (maybe in some ``{% if %}`` branch or loop turn
    only): never lazy-load it. The audit's roles and the rewrite decide it with this one test."""
    priority = tag.attr("fetchpriority")
    return priority is not None and (priority.has_template_code or "high" in (priority.value or "").lower())


_LOGO_ATTRS = ("src", "class", "id", "alt")


def is_logo(tag: StartTag) -> bool:
    """A site's logo or brand mark: the first thing on screen wherever the template puts it."""
    for name in _LOGO_ATTRS:
        value = (tag.get(name) or "").lower()
        if "logo" in value or "brand" in value:
            return True
    return False


def image_roles(page: Page, eager: frozenset[tuple[str, int]] = frozenset()) -> dict[tuple[str, int], str]:
    """Roles of the page's ``<img>`` tags. ``eager``: (template name, offset) of images that
    configured selectors keep above the fold; they never take the LCP slot from the real hero."""
    roles: dict[tuple[str, int], str] = {}
    stack = OpenElements()
    lcp_taken = False
    for pi in page.items:
        item = pi.item
        stack.feed(item)
        if not isinstance(item, StartTag) or item.name != "img":
            continue
        key = (pi.template.name, item.start)
        if key in eager or "header" in stack or "nav" in stack or is_logo(item):
            role = CHROME
        elif prioritised(item):
            role = CHROME
        elif not lcp_taken:
            # The first content image. In a loop it repeats: leave every copy eager, prioritise none.
            role, lcp_taken = (CHROME if pi.in_loop else LCP), True
        else:
            role = BELOW
        roles.setdefault(key, role)
    return roles
