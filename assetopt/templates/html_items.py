"""The HTML items the tag scanner (``tags.scan_tags``) yields: frozen values with source spans, no scanning.

Every offset is an offset into the template source; a tag's attributes keep the spans of their names and
values, so a rewrite can splice at them. This module is pure: values only.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Attr", "StartTag", "EndTag", "RawText", "HtmlComment", "OpaqueTag", "HtmlItem", "RAW_TEXT_ELEMENTS", "VOID_ELEMENTS"]

RAW_TEXT_ELEMENTS = frozenset({"script", "style", "textarea", "title"})
VOID_ELEMENTS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})


@dataclass(frozen=True, slots=True)
class Attr:
    name: str  # lower-cased
    start: int  # start of the attribute name
    end: int  # end of the whole attribute (after the closing quote)
    value: str | None  # raw source text of the value (template code included), None if no "="
    value_start: int  # span of the value inside the quotes (== end when value is None)
    value_end: int
    quote: str  # '"', "'" or "" (unquoted or no value)

    @property
    def has_template_code(self) -> bool:
        return self.value is not None and ("{%" in self.value or "{{" in self.value)


@dataclass(frozen=True, slots=True)
class StartTag:
    name: str  # lower-cased
    start: int
    end: int
    lineno: int
    attrs: tuple[Attr, ...]
    self_closing: bool

    def attr(self, name: str) -> Attr | None:
        for a in self.attrs:
            if a.name == name:
                return a
        return None

    def get(self, name: str, default: str | None = None) -> str | None:
        a = self.attr(name)
        if a is None:
            return default
        return a.value if a.value is not None else ""


@dataclass(frozen=True, slots=True)
class EndTag:
    name: str
    start: int
    end: int
    lineno: int


@dataclass(frozen=True, slots=True)
class RawText:
    """The body of a ``<script>``/``<style>``/``<textarea>``/``<title>`` element."""

    parent: str
    start: int
    end: int
    lineno: int


@dataclass(frozen=True, slots=True)
class HtmlComment:
    start: int
    end: int
    lineno: int


@dataclass(frozen=True, slots=True)
class OpaqueTag:
    """A tag interrupted by template code we cannot reason about; skipped and reported."""

    name: str  # lower-cased tag name if known, else ""
    start: int
    end: int
    lineno: int
    reason: str


HtmlItem = StartTag | EndTag | RawText | HtmlComment | OpaqueTag
