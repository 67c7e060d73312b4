"""Where a walk over HTML items stands: which elements are open, whether a tag opens the document.

Pure: the items ``tags.scan_tags`` yields in, answers out.
"""

from __future__ import annotations

from .html_items import VOID_ELEMENTS, EndTag, HtmlItem, OpaqueTag, StartTag

__all__ = ["OpenElements", "opens_document"]


def opens_document(item: HtmlItem) -> bool:
    """Is this the ``<html>`` start tag? Readable or opaque: ``<html{% if rtl %} dir="rtl"{% endif %}>``
    and ``<html class="{% block html_class %}{% endblock %}">`` open a page just the same."""
    return isinstance(item, (StartTag, OpaqueTag)) and item.name == "html"


class OpenElements:
    """The HTML elements open at each point of a walk over items in source order.

    ``feed`` every item in turn: a start tag opens its element (void and ``/>`` ones never do), an
    opaque tag with a known name opens like its start tag would (``<nav{% if x %} class="a"{% endif %}>``
    is still a ``<nav>``), an end tag closes up to its match. ``"nav" in open_elements`` then asks
    whether the current item is inside a ``<nav>``.
    """

    __slots__ = ("names",)

    def __init__(self) -> None:
        self.names: list[str] = []

    def feed(self, item: HtmlItem) -> None:
        if isinstance(item, EndTag):
            if item.name in self.names:
                while self.names and self.names.pop() != item.name:
                    pass
        elif isinstance(item, StartTag):
            if item.name not in VOID_ELEMENTS and not item.self_closing:
                self.names.append(item.name)
        elif isinstance(item, OpaqueTag) and item.name and item.name not in VOID_ELEMENTS:
            self.names.append(item.name)

    def __contains__(self, name: object) -> bool:
        return name in self.names
