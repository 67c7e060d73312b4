"""What an audit of one page is made of: the requests, the findings, what is known of the static files,
and the report. Plain values; the counting is in ``page_report.py``.

Definitions (documented in docs/audit-json.md):
- render-blocking: stylesheets whose media is not ``print`` (and not alternate/disabled), local
  ``@import`` chains, and classic scripts without ``defer``/``async`` inside ``<head>``.
- above the fold: images inside ``<header>``/``<nav>``, images with ``fetchpriority="high"``, and the
  first other image of the page (the LCP candidate). Every other image should be lazy.
- upper bound: counts include both branches of ``{% if %}`` and count a ``{% for %}`` body once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..io.staticfiles import Found
from ..templates.refs import Ref
from ..text.css import CssRef
from .byte_sizes import Sizes

__all__ = ["Request", "Finding", "PageReport", "StaticIndex", "FONT_SUFFIXES", "KINDS", "media_blocks"]

FONT_SUFFIXES = frozenset({".woff2", ".woff", ".ttf", ".otf", ".eot"})
# Request kinds, in table order.
KINDS = ("css", "css-import", "js", "img", "iframe", "font", "css-image", "preload")


@dataclass(frozen=True, slots=True)
class Request:
    kind: str  # one of KINDS; "css-import" is a stylesheet pulled by a local @import
    ref: Ref
    path: str  # the template (or stylesheet) that asks for it
    lineno: int
    conditional: bool = False
    in_loop: bool = False
    blocking: bool = False
    lazy: bool = False
    mode: str = ""  # js: classic/defer/async/module; css: media
    via: str = ""  # css-pulled requests: the logical path of the stylesheet
    bundle: tuple[str, int] | None = None  # inside this {% bundle %}/{% compress %} block (template, line)
    files: int = 1  # requests this stands for (a bundle built into several files)
    sizes: Sizes | None = None  # known sizes (a bundle's built files), else looked up by path
    unknown: str = ""  # why the tag could not be fully read (template code inside it): an upper bound


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: str  # error, warning, info
    path: str
    lineno: int | None
    message: str
    fix: str = ""

    @property
    def location(self) -> str:
        return f"{self.path}:{self.lineno}" if self.lineno else self.path


@dataclass(frozen=True)
class StaticIndex:
    """Everything ``audit_page`` needs to know about static files, gathered beforehand."""

    found: Mapping[str, Found]  # logical path -> lookup result
    sizes: Mapping[str, Sizes]  # logical path -> sizes (found files only)
    css: Mapping[str, tuple[CssRef, ...]]  # logical css path -> its references
    font_faces: Mapping[str, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    static_dirs: str = ""
    # built bundles (from the build manifest): ordered sources -> sizes of each built file
    bundles: Mapping[tuple[str, ...], tuple[Sizes, ...]] = field(default_factory=dict)
    # scripts that find their files by their own URL (io.scripts): logical path -> why
    self_locating: Mapping[str, str] = field(default_factory=dict)
    # literal {% static %} paths (missing as files) that name a folder in a static dir
    folders: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PageReport:
    name: str
    path: str
    requests: tuple[Request, ...]
    counts: dict[str, int]
    bytes: dict[str, dict[str, int]]
    blocking: int
    upper_bound: bool
    cache_fragments: int
    bundled_estimate: dict[str, int]  # css/js requests if every run were one bundle
    findings: tuple[Finding, ...]


def media_blocks(media: str) -> bool:
    """A stylesheet with this media blocks rendering (every media but ``print``)."""
    return media.strip().lower() not in ("print",)
