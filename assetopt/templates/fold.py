"""Which images of a page are above the fold, which one is the LCP candidate, which should be lazy.

Rules (``design.md`` decision 8), applied to a page's items in document order:
- ``chrome``: inside ``<header>``, ``<nav>`` or ``<aside>`` (a sidebar sits beside the content: its
  avatar is not the page's first content image), a site's logo (``logo``/``brand`` in its src, class, id
  or alt: the login page's logo sits in neither), or marked ``fetchpriority="high"``: stays eager
  (a prioritised image outside the chrome also holds the first content slot: the one after it is not the LCP).
- ``lcp``: the first other image of the page (of each exclusive ``{% if %}`` branch; see
  ``image_roles``): the likely Largest Contentful Paint element. It stays
  eager and should get ``fetchpriority="high"``; lazy-loading it delays the paint users wait for.
  When that first image sits in a ``{% for %}`` it repeats: every copy stays eager (``chrome``) and
  none is prioritised.
- ``below``: every other image: should be ``loading="lazy" decoding="async"``.
- inside ``<footer>``: never the LCP candidate and it does not take the content slot (a footer comes
  after the page's content, which may be text or images the template cannot see, e.g. rendered
  Markdown): ``below`` after a content image, else ``chrome`` (eager, not prioritised).
- an image that fetches nothing (no ``src``, a ``data:`` URI) is ``chrome``: nothing to do.

Pure: a ``Page`` in, roles keyed by (template name, tag offset) out.
"""

from __future__ import annotations

from .pages import Page, PageItem
from .tags import OpaqueTag, OpenElements, StartTag, read_opaque

__all__ = ["image_roles", "prioritised", "is_logo", "fetches_nothing", "CHROME", "LCP", "BELOW"]

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


def _image(pi: PageItem) -> StartTag | None:
    """The ``<img>`` of a page item: a readable tag, or an opaque one read leniently (it can still be
    the first image on screen, so it takes its slot, though it is never rewritten)."""
    item = pi.item
    if isinstance(item, StartTag):
        return item if item.name == "img" else None
    if isinstance(item, OpaqueTag) and item.name == "img":
        return read_opaque(pi.template.source, pi.template.tokens, item)
    return None


def fetches_nothing(tag: StartTag) -> bool:
    """No ``src``, an empty one or a ``data:`` URI: nothing to lazy-load or prioritise (a placeholder
    a script fills in, an inline icon), and never the page's LCP candidate."""
    src = (tag.get("src") or "").strip().lower()
    return not src or src.startswith("data:")


def image_roles(page: Page, eager: frozenset[tuple[str, int]] = frozenset()) -> dict[tuple[str, int], str]:
    """Roles of the page's ``<img>`` tags. ``eager``: (template name, offset) of images that
    configured selectors keep above the fold; they never take the LCP slot from the real hero.

    The first content image of each exclusive branch (``{% if %}``/``{% elif %}``/``{% else %}``,
    a loop's ``{% empty %}``) is as early as the first of the other: an image is the LCP candidate
    when every content image before it sits in another branch. An image with the same ``src`` as an
    earlier eager one (a ``d-none d-md-block``/``d-md-none`` responsive twin) is in the same place:
    it takes that image's role."""
    roles: dict[tuple[str, int], str] = {}
    stack = OpenElements()
    content: list[PageItem] = []  # the content images so far, in page order
    eager_srcs: dict[str, str] = {}  # src of an image kept eager -> its role
    for pi in page.items:
        stack.feed(pi.item)
        tag = _image(pi)
        if tag is None:
            continue
        key = (pi.template.name, pi.item.start)
        src = (tag.get("src") or "").strip()
        if fetches_nothing(tag):
            role = CHROME
        elif key in eager or "header" in stack or "nav" in stack or "aside" in stack or is_logo(tag):
            role = CHROME
        elif "footer" in stack and not prioritised(tag):
            role = CHROME if all(pi.excludes(earlier) for earlier in content) else BELOW
        elif prioritised(tag):
            # The author's (or an earlier rewrite's) LCP: eager, and it holds the content slot, so the
            # image after it is not taken for the LCP (a rewrite would otherwise prioritise a second
            # image, and the audit of the rewritten page would call the lazy one the LCP).
            role = CHROME
            content.append(pi)
        elif src in eager_srcs:
            role = eager_srcs[src]
            content.append(pi)
        else:
            # The first content image of its branch. In a loop it repeats: every copy stays eager
            # (chrome), none is prioritised.
            first = all(pi.excludes(earlier) for earlier in content)
            role = (CHROME if pi.in_loop else LCP) if first else BELOW
            content.append(pi)
        if role != BELOW and src:
            eager_srcs.setdefault(src, role)
        roles.setdefault(key, role)
    return roles
