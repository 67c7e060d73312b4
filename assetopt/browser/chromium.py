"""Measure pages in a real browser: Debian's Chromium driven by Playwright (``shared/browser.md``).

The only module that imports Playwright, and only inside ``open_browser`` so importing assetopt never
needs it. ``serve`` (re-exported from ``server``) is the other half: a local HTTP server on
127.0.0.1 for rendered HTML snapshots and static roots.

Every image request is classified by what asked for it (``RequestRecord.via``, ``traffic.py``), because
"eager images at first load" is what the audit promises to cut and Chromium fetches more than that: lazy
``<img>`` within its lazy-load distance of the fold (~1250 px) and CSS backgrounds are fetched too,
and counting them as "eager" would blame the rewrite for what it cannot change. What a measurement
holds is ``page_measure.py``'s, the scripts run in the page ``page_js.py``'s.

Never runs ``playwright install`` (it downloads); never prints.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import AssetoptError
from ..verify.first_screen import first_screen_of
from ..verify.measures import Lcp
from .page_js import COLLECT_JS, FIRST_SCREEN_STYLES_JS, OBSERVE_JS, PHOTO_BOXES_JS, SCROLL_JS, STILL_JS
from .page_measure import PageMeasure
from .server import serve
from .traffic import Traffic, console_error

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "FAST_3G",
    "BrowserSession",
    "open_browser",
    "measure",
    "serve",
]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
# Chrome DevTools' "Fast 3G" preset: 562.5 ms latency, 1.6 Mbit/s down, 750 kbit/s up, each at 90 %.
FAST_3G = {
    "offline": False,
    "latency": 562.5,
    "downloadThroughput": 1.6 * 1024 * 1024 / 8 * 0.9,
    "uploadThroughput": 750 * 1024 / 8 * 0.9,
    "connectionType": "cellular3g",
}
VIEWPORT = {"width": 1280, "height": 720}


class BrowserSession:
    """One launched Chromium; every ``measure`` gets a fresh context (empty profile, cold cache)."""

    def __init__(self, browser: Any) -> None:
        self._browser = browser

    @property
    def version(self) -> str:
        """Chromium's version, for the report's "versions" section."""
        return str(self._browser.version)

    def new_context(self, **options: Any) -> Any:
        """A fresh Playwright context (empty profile, cold cache) with Playwright's ``options``
        (``viewport``, ``device_scale_factor``, ``is_mobile`` ...): for passes with their own needs
        (``layout.py``, ``critical.py``). The caller closes it."""
        return self._browser.new_context(**options)

    def state(self, url: str, expressions: Mapping[str, str], *, timeout_ms: int = 30_000) -> tuple[dict[str, Any], tuple[str, ...]]:
        """Load ``url``, wait for ``load`` and one more task, then evaluate each JS expression: (name ->
        value, console errors and uncaught exceptions). What a transform must leave the same (the
        globals scripts define, the DOM they leave after load), compared before vs after."""
        ctx = self._browser.new_context(viewport=VIEWPORT)
        try:
            page = ctx.new_page()
            errors: list[str] = []
            page.on("console", lambda m: errors.append(text) if (text := console_error(m)) is not None else None)
            page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
            page.goto(url, wait_until="load", timeout=timeout_ms)
            page.evaluate("() => new Promise(r => setTimeout(r, 50))")
            values = {name: page.evaluate(f"() => ({expr})") for name, expr in expressions.items()}
            return values, tuple(errors)
        finally:
            ctx.close()

    def measure(
        self,
        url: str,
        *,
        throttled: bool = False,
        screenshot: Path | None = None,
        quiet_ms: int = 250,
        timeout_ms: int = 60_000,
        screen: Mapping[str, Any] | None = None,
    ) -> PageMeasure:
        """Load ``url`` once and record what the browser did.

        Waits for ``load``, then until no request has been in flight for ``quiet_ms`` (lazy images
        Chromium decides to fetch start after layout, so ``load`` alone undercounts them; Playwright's
        ``networkidle`` would wait a fixed 500 ms instead). ``screen``: Playwright context options
        with a ``viewport`` (the phone: ``critical.VIEWPORTS["mobile"]``); default the desktop ``VIEWPORT``.
        """
        options = dict(screen) if screen is not None else {"viewport": VIEWPORT}
        size = options["viewport"]
        ctx = self._browser.new_context(**options)
        try:
            page = ctx.new_page()
            cdp = ctx.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
            if throttled:
                cdp.send("Network.emulateNetworkConditions", FAST_3G)
            page.add_init_script(OBSERVE_JS)
            traffic = Traffic(page)
            t0 = time.monotonic()
            response = page.goto(url, wait_until="load", timeout=timeout_ms)
            deadline = t0 + timeout_ms / 1000
            notes = () if traffic.settle(deadline, quiet_ms) else (f"network still busy after {timeout_ms} ms",)
            wall_ms = (time.monotonic() - t0) * 1000
            # One more frame so buffered observer callbacks have run before we read them.
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)))")
            data = page.evaluate(COLLECT_JS)
            records = traffic.records(data)
            shot = None
            first = None
            boxes: tuple[tuple[int, ...], ...] = ()
            if screenshot is not None:
                # Requests are recorded above; now scroll through the page so lazy images load, or
                # the "after" screenshot shows empty boxes where "before" showed eager images.
                page.evaluate(SCROLL_JS)
                traffic.settle(deadline, quiet_ms)
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                # animations="disabled": an endless animation (a loader, a pulse) shows at rest and a
                # finite one at its end, so two loads of the same page give the same picture
                page.screenshot(path=str(screenshot), full_page=True, animations="disabled")
                shot = screenshot
                boxes = tuple(tuple(int(v) for v in b) for b in page.evaluate(PHOTO_BOXES_JS))
                # the first screen's elements as the screenshot shows them (SCROLL_JS ended at the top)
                page.evaluate("() => window.scrollTo({top: 0, left: 0, behavior: 'instant'})")
                page.evaluate(STILL_JS)
                first = first_screen_of(page.evaluate(FIRST_SCREEN_STYLES_JS), size["width"], size["height"])
            lcp = data["lcp"]
            return PageMeasure(
                url=url,
                throttled=throttled,
                status=None if response is None else response.status,
                requests=records,
                console_errors=tuple(traffic.errors),
                load_ms=data["load"],
                wall_ms=wall_ms,
                lcp_ms=None if lcp is None else lcp["ms"],
                lcp=None if lcp is None else Lcp(url=lcp["url"], tag=lcp["tag"], lazy=lcp["lazy"], size=lcp["size"]),
                cls=float(data["cls"] or 0),
                screenshot=shot,
                notes=notes,
                photo_boxes=boxes,  # type: ignore[arg-type]
                first_screen=first,
            )
        finally:
            ctx.close()


def _playwright() -> Any:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise AssetoptError(
            "the browser checks need the playwright package, which is not installed",
            hint="pip install 'assetopt[browser]'; do not run `playwright install`, assetopt drives the system Chromium",
        ) from exc
    return sync_playwright


def _chromium(executable: str) -> str:
    if not (os.path.isfile(executable) and os.access(executable, os.X_OK)):
        found = shutil.which(executable)
        if found is None:
            raise AssetoptError(
                f"Chromium not found at {executable}",
                hint="install it: apt-get install -y --no-install-recommends chromium",
            )
        return found
    return executable


@contextmanager
def open_browser(executable: str = CHROMIUM) -> Iterator[BrowserSession]:
    """Launch headless Chromium once for many measurements (launching costs about a second)."""
    sync_playwright = _playwright()
    path = _chromium(executable)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=list(CHROMIUM_ARGS))
        try:
            yield BrowserSession(browser)
        finally:
            browser.close()


def measure(url: str, *, throttled: bool = False, screenshot: Path | None = None, session: BrowserSession | None = None) -> PageMeasure:
    """Measure one page; pass ``session`` (from ``open_browser``) to reuse one browser for many."""
    if session is not None:
        return session.measure(url, throttled=throttled, screenshot=screenshot)
    with open_browser() as own:
        return own.measure(url, throttled=throttled, screenshot=screenshot)
