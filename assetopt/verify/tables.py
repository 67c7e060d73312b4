"""The terminal faces of the browser checks: Markdown tables to paste into a pull request.

``baseline_table`` (what ``audit --browser`` measured) and ``browser_table`` (before/after of
``verify --browser`` and ``optimize --browser``). Pure: measurements (``measures``) in, text out; split from
``verify_browser.py`` (which re-exports both) to keep that module about measuring.
"""

from __future__ import annotations

from collections.abc import Mapping

from .measures import BrowserBaseline, BrowserEntry, BrowserMeasure

__all__ = ["baseline_table", "browser_table"]


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def _load(m: BrowserMeasure | None) -> str:
    return "-" if m is None else _ms(m.load_ms)


def _images(m: BrowserMeasure) -> str:
    """eager <img> / lazy <img> fetched anyway / CSS (and other) images at first load."""
    im = m.images or {}
    return f"{im.get('img-eager', 0)}/{im.get('img-lazy', 0)}/{im.get('css', 0) + im.get('other', 0)}"


def baseline_table(section: BrowserBaseline) -> str:
    """What audit --browser measured, one row per page."""
    head = [
        "page",
        "requests",
        "css",
        "js",
        "images eager/lazy/css",
        "blocking",
        "loadEventEnd ms",
        "Fast 3G ms",
        "LCP ms",
        "CLS",
        "errors",
        "failed",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] + ["---:"] * 11) + "|"]
    for page in section.pages:
        m = page.measure
        cells = [
            f"{page.template or page.url} ({page.url})".replace("|", "\\|"),
            str(m.request_count),
            str(m.by_type.get("stylesheet", 0)),
            str(m.by_type.get("script", 0)),
            _images(m),
            str(sum((m.blocking_by_type or {}).values())),
            _load(m),
            _load(page.throttled),
            _ms(m.lcp_ms),
            f"{float(m.cls or 0):.3f}",
            str(len(m.console_errors)),
            str(len(m.failed)),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _page_label(name: str, url: str) -> str:
    """``name (url)``; a name that already ends with its URL (the second page of one template,
    disambiguated by ``browser.check``/``browser.measure``) keeps it once."""
    return name if name.endswith(f"({url})") else f"{name} ({url})"


def browser_table(pages: Mapping[str, BrowserEntry]) -> str:
    """The before/after browser table of ``optimize --browser`` and ``verify --browser``, one row per page."""
    head = ["page", "requests", "images eager/lazy/css", "loadEventEnd ms", "Fast 3G load ms", "screenshot diff", "status"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] + ["---:"] * 5 + ["---"]) + "|"]
    for name, e in pages.items():
        b, a = e.before, e.after
        tb, ta = e.before_throttled, e.after_throttled
        throttled = f"{_load(tb)} → {_load(ta)}" if tb or ta else "-"
        cells = [
            _page_label(name, e.url).replace("|", "\\|"),
            f"{b.request_count} → {a.request_count}",
            f"{_images(b)} → {_images(a)}",
            f"{_load(b)} → {_load(a)}",
            throttled,
            ("-" if e.diff is None else f"{e.diff.fraction:.2%}") + ("" if e.phone_diff is None else f", phone {e.phone_diff.fraction:.2%}"),
            "failed" if e.reasons else "ok",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
