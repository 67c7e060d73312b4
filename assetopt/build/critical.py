"""Critical CSS: from what Chromium saw on the first screen to the manifest, and the markup the tag prints.

Pure pieces (no browser, no Django): ``select_critical`` turns the browser's answers (which probe
selectors matched an element on the first screen, per page and viewport) into the critical stylesheet of one bundle file, the union over every page and
viewport measured, size-capped; ``critical_markup`` is what ``{% bundle "css" %}`` prints in place of
the ``<link>``; ``rebase_urls`` points the inlined ``url()``s at the bundle's own URL. The only I/O is
``write_critical``, which records the results in the manifest atomically.

The loader (``LOADER_JS``) is one constant script: a ``<link rel=preload as=style>`` starts the
download at once (the preload scanner sees it; a preload never blocks rendering), the script after it
inserts the real ``<link rel=stylesheet>`` at its own place (a script-inserted stylesheet does not block
rendering, and inserting it where the ``<link>`` was keeps the cascade order), and ``<noscript>`` holds
the plain ``<link>`` for browsers without JavaScript. No inline event handler (``onload=``), which a
strict CSP forbids even with a nonce: the ``<style>``, the ``<script>`` and the links carry the request's nonce,
and for a hash-based CSP the script's hash is ``LOADER_HASH`` and the style's is in the manifest.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urljoin

from ..text.css import css_references
from ..text.css_root_states import relax_root_state, root_states
from ..text.css_rules import CssRule, critical_text, parse_rules, probe_selector, split_selectors, style_rules
from .manifest import Manifest, ManifestCritical
from .precompress import write_dropping_siblings

__all__ = [
    "CRITICAL_MAX",
    "LOADER_JS",
    "LOADER_HASH",
    "Probes",
    "Observation",
    "CriticalResult",
    "probes_of",
    "select_critical",
    "csp_hash",
    "critical_markup",
    "rebase_urls",
    "write_critical",
    "CRITICAL_ALGORITHM",
    "MeasuredFrom",
]

# The version of how critical CSS is measured and selected (the probe, the screens, the selection, the
# markup's assumptions). Recorded with each measurement; a build carries critical CSS over only when
# it equals this (``critical_carry.py``). Bump it with any change that could select different CSS.
# 2: @property/@counter-style kept; selectors matching only the page as sent (before scripts) kept; the
# first-paint proof also compares the first screen's elements, boxes and visible styles.
# 3: selectors are also tried with their root-state conditions relaxed (a theme a script puts on
# <html>/<body> before the first paint: [data-bs-theme=dark], Tailwind's .dark), so dark mode paints dark.
CRITICAL_ALGORITHM = 3

# gzip-compressed bytes: the first TCP round trip carries ~14 KiB on the wire (initcwnd 10 x 1460) and
# HTML is sent compressed, so the budget is counted as sent; minified Bootstrap-based critical CSS is
# 4-5x larger raw (the example: 35-43 KB raw, 8-9.5 KB gzip).
CRITICAL_MAX = 14336

LOADER_JS = (
    "(function(s){var p=s.previousElementSibling,l=document.createElement('link');"
    "l.rel='stylesheet';l.href=p.href;if(p.integrity)l.integrity=p.integrity;"
    "if(p.crossOrigin!==null)l.crossOrigin=p.crossOrigin;if(p.referrerPolicy)l.referrerPolicy=p.referrerPolicy;if(p.nonce)l.nonce=p.nonce;"
    "s.parentNode.insertBefore(l,s)})(document.currentScript)"
)


def csp_hash(text: str) -> str:
    """The CSP source expression body for an inline ``<style>``/``<script>`` holding exactly ``text``."""
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


LOADER_HASH = csp_hash(LOADER_JS)


@dataclass(frozen=True)
class Probes:
    """What the browser is asked about one stylesheet: its rules and their probe selectors (for
    ``querySelectorAll``), each listed once, the relaxed ones (``text/css_root_states.py``) included;
    ``states``: the root states relaxed (none: every selector is decided as written)."""

    rules: tuple[CssRule, ...]
    selectors: tuple[str, ...]
    states: frozenset[str] = frozenset()


def _probes(selector: str, states: frozenset[str]) -> tuple[str | bool, ...]:
    """What decides ``selector``: its probe (``probe_selector``) and, when it has root-state conditions,
    the probe of the selector without them. It is critical when either is ``True`` or matched a first
    screen: a theme a script sets on the root before the first paint (a visitor's saved dark mode) is
    not the state measured, and its rules must paint the same elements."""
    probe = probe_selector(selector)
    relaxed = relax_root_state(selector, states) if states else None
    return (probe,) if relaxed is None else (probe, probe_selector(relaxed))


@dataclass(frozen=True)
class Observation:
    """The browser's answer on one page at one viewport: the probes that matched an element on the
    first screen."""

    page: str
    viewport: str  # "mobile", "desktop"
    matched: frozenset[str]


@dataclass(frozen=True)
class CriticalResult:
    """One bundle's outcome: ``css`` (minified as the bundle is) or "" with ``reason``; its size raw and
    gzip-compressed (what the cap counts)."""

    css: str
    reason: str = ""
    raw_bytes: int = 0
    gzip_bytes: int = 0


def probes_of(css: str) -> Probes:
    rules = parse_rules(css)
    states = root_states(split_selectors(rule.prelude) for rule in style_rules(rules))
    selectors: dict[str, None] = {}
    for rule in style_rules(rules):
        for s in split_selectors(rule.prelude):
            for probe in _probes(s, states):
                if isinstance(probe, str):
                    selectors[probe] = None
    return Probes(rules, tuple(selectors), states)


_PRINT_ONLY = re.compile(r"^\s*(?:only\s+)?print\b(?![^,]*,)", re.IGNORECASE)


def _for_screens(path: tuple[int, ...], rules: tuple[CssRule, ...]) -> bool:
    """No ``@media print`` around the rule at ``path``: a screen may use it."""
    items = rules
    for i in path[:-1]:
        group = items[i]
        if group.at_name == "media" and _PRINT_ONLY.match(group.condition):
            return False
        items = group.children
    return True


def select_critical(probes: Probes, observations: Iterable[Observation], max_bytes: int = CRITICAL_MAX) -> CriticalResult:
    """The selectors that matched an element on a first screen in any of ``observations`` (every page
    and viewport), also once their root-state conditions are taken off (``_probes``: a saved dark theme
    paints the same elements), with their rules, as a stylesheet; "" with the reason when nothing matched or the
    result is above ``max_bytes`` gzip-compressed.

    Criticality is decided per selector over the union of viewports, and every ``@media`` around a
    critical rule is kept (print aside) for the visitor's browser to evaluate: deciding per viewport
    would keep a desktop rule for an element the desktop shows first (``.chart-area`` with three
    columns) without its mobile override in ``@media (max-width: ...)``, and the mobile first paint
    would overflow; and a screen wider or darker than the ones measured needs its queries too."""
    matched: set[str] = set()
    seen_any = False
    for seen in observations:
        seen_any = True
        matched |= seen.matched
    if not seen_any:
        return CriticalResult("", "no page that uses it was measured")
    kept: dict[tuple[int, ...], set[int]] = {}
    for rule in style_rules(probes.rules):
        if not _for_screens(rule.path, probes.rules):
            continue
        for i, selector in enumerate(split_selectors(rule.prelude)):
            if any(p is True or (isinstance(p, str) and p in matched) for p in _probes(selector, probes.states)):
                kept.setdefault(rule.path, set()).add(i)
    css = critical_text(probes.rules, kept)
    if not css:
        return CriticalResult("", "no rule of it styles a first screen")
    raw = css.encode("utf-8")
    packed = len(gzip.compress(raw, 9, mtime=0))
    if packed > max_bytes:
        return CriticalResult(
            "", f"its critical CSS is {packed:,} bytes gzip-compressed ({len(raw):,} raw), above critical_css_max ({max_bytes:,})", len(raw), packed
        )
    return CriticalResult(css, raw_bytes=len(raw), gzip_bytes=packed)


_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def rebase_urls(css: str, base_url: str) -> str:
    """``css``'s relative ``url()``s resolved against ``base_url`` (the bundle file's URL), so they load
    the same files from a ``<style>`` in the page as from the bundle."""
    out: list[str] = []
    pos = 0
    for ref in css_references(css):
        if ref.kind != "url" or not ref.url or ref.url.startswith(("#", "/")) or _SCHEME.match(ref.url):
            continue
        out.append(css[pos : ref.start])
        out.append(urljoin(base_url, ref.url))
        pos = ref.end
    out.append(css[pos:])
    return "".join(out)


def critical_markup(css: str, href: str, integrity: str, carried: Mapping[str, str | None], nonce: str | None) -> str:
    """The markup for a CSS bundle with critical CSS: ``<style>`` with ``css``, the preload, the loader
    script and a ``<noscript>`` stylesheet. ``href`` and ``carried`` values are raw (escaped here);
    ``carried`` maps attribute -> value (None: a bare attribute), e.g. ``crossorigin``."""
    attrs = "".join(f" {name}" if value is None else f' {name}="{html.escape(value)}"' for name, value in carried.items())
    n = "" if not nonce else f' nonce="{html.escape(nonce)}"'
    # the nonce on the links too: a style-src with nonces and without 'self' checks it on <link> (the
    # loader copies it to the stylesheet it inserts)
    link = f'href="{html.escape(href)}" integrity="{html.escape(integrity)}"{attrs}{n}'
    # "</style" inside the CSS (a string in a content: value) would end the element: "<\/" is the same
    # character sequence to CSS and none to HTML.
    safe = css.replace("</", "<\\/")
    # fetchpriority="low": the first screen paints from the <style>, so the full bundle is not needed
    # for it; Chromium then fetches the preload at High, not VeryHigh (the priority of render-blocking
    # CSS), leaving the first requests to the LCP image and fonts. Lighthouse's simulation counts
    # every VeryHigh request that ends before the first paint as blocking it (bench/RESULTS.md).
    return (
        f"<style{n}>{safe}</style>\n"
        f'<link rel="preload" as="style" fetchpriority="low" {link}>\n'
        f"<script{n}>{LOADER_JS}</script>\n"
        f'<noscript><link rel="stylesheet" {link}></noscript>'
    )


@dataclass(frozen=True)
class MeasuredFrom:
    """What a measurement was made from, recorded with its critical CSS so a later build can tell
    whether it still holds: the templates' digest (``critical_carry.templates_digest``), the SRI
    ``integrity`` of each bundle file measured (bundle key -> value) and when (UTC, ISO 8601)."""

    templates_digest: str
    integrity: Mapping[str, str]
    measured_at: str


def write_critical(
    manifest: Manifest,
    path: Path,
    results: Mapping[str, tuple[CriticalResult, tuple[str, ...], tuple[str, ...]]],
    measured: MeasuredFrom | None = None,
) -> Manifest:
    """``manifest`` with each bundle key of ``results`` given its critical CSS (or none, when the result
    has none), written atomically to ``path``; returns the new manifest. Keys not in ``results`` keep
    what they had. A changed manifest loses its ``.gz``/``.br`` (they would hold the old one). With
    ``measured``, each entry records what it was measured from (without: a later build never carries
    it over)."""
    bundles = dict(manifest.bundles)
    for key, (result, pages, viewports) in results.items():
        entry = bundles.get(key)
        if entry is None:
            continue
        critical = None
        if result.css and measured is not None:
            critical = ManifestCritical(
                result.css,
                csp_hash(result.css),
                pages,
                viewports,
                algorithm=CRITICAL_ALGORITHM,
                integrity=measured.integrity[key],
                templates_digest=measured.templates_digest,
                measured_at=measured.measured_at,
            )
        elif result.css:
            critical = ManifestCritical(result.css, csp_hash(result.css), pages, viewports)
        bundles[key] = replace(entry, critical=critical)
    new = replace(manifest, bundles=bundles)
    write_dropping_siblings(path, new.dumps().encode("utf-8"))
    return new
