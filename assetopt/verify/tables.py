"""The terminal faces of the browser checks: Markdown tables to paste into a pull request.

``baseline_table`` (what ``audit --browser`` measured) and ``browser_table`` (before/after of
``verify --browser`` and ``optimize --browser``). Pure: measurement dicts in, text out; split from
``verify_browser.py`` (which re-exports both) to keep that module about measuring.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["baseline_table", "browser_table"]


def _ms(m: Any, key: str = "load_ms") -> str:
    return "-" if not m or m.get(key) is None else f"{m[key]:.0f}"


def _images(m: Any) -> str:
    """eager <img> / lazy <img> fetched anyway / CSS (and other) images at first load."""
    im = (m or {}).get("images") or {}
    return f"{im.get('img-eager', 0)}/{im.get('img-lazy', 0)}/{im.get('css', 0) + im.get('other', 0)}"


def baseline_table(section: Mapping[str, Any]) -> str:
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
    for page in section["pages"]:
        m = page["measure"]
        by = m.get("by_type") or {}
        cells = [
            f"{page.get('template') or page['url']} ({page['url']})".replace("|", "\\|"),
            str(m["request_count"]),
            str(by.get("stylesheet", 0)),
            str(by.get("script", 0)),
            _images(m),
            str(sum((m.get("blocking_by_type") or {}).values())),
            _ms(m),
            _ms(page.get("throttled")),
            _ms(m, "lcp_ms"),
            f"{float(m.get('cls') or 0):.3f}",
            str(len(m.get("console_errors") or ())),
            str(len(m.get("failed") or ())),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def browser_table(pages: Mapping[str, Mapping[str, Any]]) -> str:
    """The before/after browser table of ``optimize --browser`` and ``verify --browser``, one row per page."""
    ms = _ms
    head = ["page", "requests", "images eager/lazy/css", "loadEventEnd ms", "Fast 3G load ms", "screenshot diff", "status"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] + ["---:"] * 5 + ["---"]) + "|"]
    for name, e in pages.items():
        b, a = e["before"], e["after"]
        tb, ta = e.get("before_throttled"), e.get("after_throttled")
        throttled = f"{ms(tb)} → {ms(ta)}" if tb or ta else "-"
        cells = [
            f"{name} ({e['url']})".replace("|", "\\|"),
            f"{b['request_count']} → {a['request_count']}",
            f"{_images(b)} → {_images(a)}",
            f"{ms(b)} → {ms(a)}",
            throttled,
            f"{e['diff']['fraction']:.2%}",
            "failed" if e["reasons"] else "ok",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
