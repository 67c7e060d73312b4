"""Measure pages in a real browser: Debian's Chromium driven by Playwright (``shared/browser.md``).

The only module that imports Playwright, and only inside ``open_browser`` so importing assetopt never
needs it. ``serve`` (re-exported from ``localserver``) is the other half: a local HTTP server on
127.0.0.1 for rendered HTML snapshots and static roots.

Every image request is classified by what asked for it (``RequestRecord.via``), because "eager
images at first load" is what the audit promises to cut and Chromium fetches more than that: lazy
``<img>`` within its lazy-load distance of the fold (~1250 px) and CSS backgrounds are fetched too,
and counting them as "eager" would blame the rewrite for what it cannot change.

Never runs ``playwright install`` (it downloads); never prints.
"""

from __future__ import annotations

import os
import shutil
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import AssetoptError
from ..verify.measures import BrowserMeasure, Lcp, RequestRecord
from .server import serve

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "FAST_3G",
    "RequestRecord",
    "PageMeasure",
    "BrowserSession",
    "open_browser",
    "measure",
    "summarize",
    "serve",
    "IMAGE_VIAS",
    "classify_image",
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

# Installed before any page script runs. LCP is the last candidate; CLS is the largest session window
# (shifts less than 1 s apart, a window at most 5 s long), as web-vitals computes it.
_OBSERVE_JS = """
(() => {
  const s = window.__assetopt = {lcp: null, cls: 0, win: 0, first: 0, last: 0};
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const el = e.element;
        s.lcp = {ms: e.startTime, url: e.url || '', tag: el ? el.tagName.toLowerCase() : '',
                 lazy: !!(el && el.getAttribute('loading') === 'lazy'), size: e.size};
      }
    }).observe({type: 'largest-contentful-paint', buffered: true});
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if (e.hadRecentInput) continue;
        if (s.win && e.startTime - s.last < 1000 && e.startTime - s.first < 5000) { s.win += e.value; }
        else { s.win = e.value; s.first = e.startTime; }
        s.last = e.startTime;
        s.cls = Math.max(s.cls, s.win);
      }
    }).observe({type: 'layout-shift', buffered: true});
  } catch (err) { s.error = String(err); }
})();
"""
# behavior 'instant': with `scroll-behavior: smooth` (Bootstrap's :root sets it) a plain scrollTo only
# starts an animation, the next step cancels it, and lazy images below the first screen never load.
_SCROLL_JS = """
async () => {
  const step = Math.max(200, window.innerHeight);
  for (let y = 0; y < document.documentElement.scrollHeight; y += step) {
    window.scrollTo({top: y, left: 0, behavior: 'instant'});
    await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  }
  window.scrollTo({top: 0, left: 0, behavior: 'instant'});
  await Promise.all([...document.images].map(i => i.complete ? null :
    new Promise(r => { i.addEventListener('load', r); i.addEventListener('error', r); setTimeout(r, 5000); })));
  // A full-page capture paints images outside the viewport again; decoding="async" ones whose decoded
  // bitmap was dropped come out blank (measured: 2-7 % of the example dashboard, at random). Decoding
  // synchronously for the picture changes no layout and no request; it was recorded before this runs.
  for (const i of document.images) i.decoding = 'sync';
  await Promise.all([...document.images].map(i => i.decode().catch(() => null)));
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
}
"""
# Read before the scroll that loads the rest for the screenshot, so it is what the first load did.
# renderBlockingStatus is Chromium's own verdict (Resource Timing level 3); initiatorType tells an
# <img> fetch from a CSS url() one; each <img>'s currentSrc (the srcset/<picture> choice) and its
# effective loading mode tell an eager <img> from a lazy one.
_COLLECT_JS = """
() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const res = performance.getEntriesByType('resource').map(e =>
    [e.name, e.transferSize, e.encodedBodySize, e.initiatorType || '', e.renderBlockingStatus || '']);
  const imgs = [...document.images].filter(i => i.currentSrc).map(i => [i.currentSrc, i.loading === 'lazy']);
  const s = window.__assetopt || {};
  return {load: nav ? nav.loadEventEnd : null, doc: nav ? [nav.name, nav.transferSize, nav.encodedBodySize, 'navigation', ''] : null,
          res: res, imgs: imgs, lcp: s.lcp || null, cls: s.cls || 0};
}
"""
# Document-coordinate boxes of the pictures a screenshot shows (loaded <img>, <picture> included),
# read right after it: where a re-encoded photo may differ pixel by pixel with nothing broken.
_PHOTO_BOXES_JS = """
() => [...document.images].filter(i => i.complete && i.naturalWidth > 0).map(i => {
  const r = i.getBoundingClientRect();
  return [Math.round(r.left + window.scrollX), Math.round(r.top + window.scrollY), Math.round(r.width), Math.round(r.height)];
}).filter(b => b[2] > 0 && b[3] > 0)
"""

# What asked for an image request (``RequestRecord.via``): an <img> without loading=lazy, a lazy
# <img> Chromium fetched anyway (near the fold), a CSS url(), or anything else (preload, script).
IMAGE_VIAS = ("img-eager", "img-lazy", "css", "other")


def classify_image(url: str, initiator: str, eager_srcs: set[str], lazy_srcs: set[str]) -> str:
    """One of ``IMAGE_VIAS`` for an image request. An URL both an eager and a lazy <img> show counts
    as eager (the eager one alone would fetch it); an <img> match wins over the initiator, because a
    <picture>'s chosen source reports "img" and a CSS-loaded URL can also sit in an <img>."""
    if url in eager_srcs:
        return "img-eager"
    if url in lazy_srcs:
        return "img-lazy"
    return "css" if initiator == "css" else "other"


@dataclass(frozen=True, slots=True)
class PageMeasure:
    url: str
    throttled: bool
    status: int | None  # the document's HTTP status
    requests: tuple[RequestRecord, ...]
    console_errors: tuple[str, ...]  # console.error messages and uncaught exceptions
    load_ms: float | None  # navigation loadEventEnd
    wall_ms: float  # goto until the network settled, measured here
    lcp_ms: float | None
    lcp: Lcp | None  # the LCP element
    cls: float
    screenshot: Path | None = None
    notes: tuple[str, ...] = ()
    photo_boxes: tuple[tuple[int, int, int, int], ...] = ()  # (x, y, w, h) of each loaded <img> in the screenshot

    @property
    def by_type(self) -> dict[str, int]:
        return dict(Counter(r.resource_type for r in self.requests))

    @property
    def bytes_by_type(self) -> dict[str, int]:
        out: Counter[str] = Counter()
        for r in self.requests:
            out[r.resource_type] += r.transfer
        return dict(out)

    @property
    def images(self) -> dict[str, int]:
        """Image requests at first load by what asked for them: every key of ``IMAGE_VIAS``."""
        counts = Counter(r.via for r in self.requests if r.resource_type == "image")
        return {k: counts.get(k, 0) for k in IMAGE_VIAS}

    @property
    def blocking_by_type(self) -> dict[str, int]:
        """Render-blocking requests as Chromium reports them, by resource type."""
        return dict(Counter(r.resource_type for r in self.requests if r.blocking))

    @property
    def transfer(self) -> int:
        return sum(r.transfer for r in self.requests)

    @property
    def failed(self) -> tuple[str, ...]:
        """Requests with a status >= 400 or no response, as ``"404 http://..."`` lines."""
        return tuple(
            f"{r.status} {r.url}" if r.status is not None else f"{r.failure or 'failed'} {r.url}"
            for r in self.requests
            if r.status is None or r.status >= 400
        )


def summarize(m: PageMeasure) -> BrowserMeasure:
    """What is stored and compared of a measurement (``verify.measures.BrowserMeasure``): the counts
    by type and initiator, bytes, timings and every request."""
    return BrowserMeasure(
        url=m.url,
        throttled=m.throttled,
        status=m.status,
        request_count=len(m.requests),
        by_type=m.by_type,
        bytes_by_type=m.bytes_by_type,
        images=m.images,
        eager_img=m.images["img-eager"],
        blocking_by_type=m.blocking_by_type,
        transfer=m.transfer,
        failed=m.failed,
        console_errors=m.console_errors,
        load_ms=m.load_ms,
        wall_ms=m.wall_ms,
        lcp_ms=m.lcp_ms,
        lcp=m.lcp,
        cls=m.cls,
        screenshot=None if m.screenshot is None else str(m.screenshot),
        photo_boxes=m.photo_boxes,
        requests=m.requests,
    )


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
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
            page.goto(url, wait_until="load", timeout=timeout_ms)
            page.evaluate("() => new Promise(r => setTimeout(r, 50))")
            values = {name: page.evaluate(f"() => ({expr})") for name, expr in expressions.items()}
            return values, tuple(errors)
        finally:
            ctx.close()

    def measure(
        self, url: str, *, throttled: bool = False, screenshot: Path | None = None, quiet_ms: int = 250, timeout_ms: int = 60_000
    ) -> PageMeasure:
        """Load ``url`` once and record what the browser did.

        Waits for ``load``, then until no request has been in flight for ``quiet_ms`` (lazy images
        Chromium decides to fetch start after layout, so ``load`` alone undercounts them; Playwright's
        ``networkidle`` would wait a fixed 500 ms instead).
        """
        ctx = self._browser.new_context(viewport=VIEWPORT)
        try:
            page = ctx.new_page()
            cdp = ctx.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
            if throttled:
                cdp.send("Network.emulateNetworkConditions", FAST_3G)
            page.add_init_script(_OBSERVE_JS)
            traffic = _Traffic(page)
            t0 = time.monotonic()
            response = page.goto(url, wait_until="load", timeout=timeout_ms)
            deadline = t0 + timeout_ms / 1000
            notes = () if traffic.settle(deadline, quiet_ms) else (f"network still busy after {timeout_ms} ms",)
            wall_ms = (time.monotonic() - t0) * 1000
            # One more frame so buffered observer callbacks have run before we read them.
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)))")
            data = page.evaluate(_COLLECT_JS)
            records = traffic.records(data)
            shot = None
            boxes: tuple[tuple[int, ...], ...] = ()
            if screenshot is not None:
                # Requests are recorded above; now scroll through the page so lazy images load, or
                # the "after" screenshot shows empty boxes where "before" showed eager images.
                page.evaluate(_SCROLL_JS)
                traffic.settle(deadline, quiet_ms)
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(screenshot), full_page=True)
                shot = screenshot
                boxes = tuple(tuple(int(v) for v in b) for b in page.evaluate(_PHOTO_BOXES_JS))
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
            )
        finally:
            ctx.close()


class _Traffic:
    """What one page load asks for, as Playwright reports it: every request (``data:`` URLs aside),
    which are still in flight, their statuses and failures, and the console's errors."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.seen: list[Any] = []
        self.inflight: set[int] = set()
        self.failures: dict[int, str] = {}
        self.statuses: dict[int, int] = {}
        self.errors: list[str] = []
        self.last_change = time.monotonic()
        page.on("request", lambda r: self.started(r))
        page.on("requestfinished", lambda r: self.ended(r))
        page.on("response", lambda r: self.statuses.__setitem__(id(r.request), r.status))
        page.on("requestfailed", lambda r: self.failed(r))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"uncaught {e.name}: {e.message}" if getattr(e, "name", "") else f"uncaught: {e}"))

    def started(self, req: Any) -> None:
        if req.url.startswith("data:"):
            return
        self.seen.append(req)
        self.inflight.add(id(req))
        self.last_change = time.monotonic()

    def ended(self, req: Any) -> None:
        self.inflight.discard(id(req))
        self.last_change = time.monotonic()

    def failed(self, req: Any) -> None:
        self.failures[id(req)] = req.failure or "failed"
        self.ended(req)

    def settle(self, until: float, quiet_ms: int) -> bool:
        """Wait until no request has been in flight for ``quiet_ms``; False when ``until`` came first."""
        while time.monotonic() < until:
            if not self.inflight and (time.monotonic() - self.last_change) * 1000 >= quiet_ms:
                return True
            self.page.wait_for_timeout(25)
        return False

    def records(self, data: dict[str, Any]) -> tuple[RequestRecord, ...]:
        """One record per request, with Resource Timing's transfer size, initiator and blocking status
        from ``data`` (what ``_COLLECT_JS`` read in the page)."""
        timing: dict[str, tuple[int, str, str]] = {}
        for name, transfer, _encoded, initiator, blocking in data["res"] + ([data["doc"]] if data["doc"] else []):
            timing.setdefault(name, (int(transfer or 0), initiator, blocking))
        eager_srcs = {src for src, lazy in data["imgs"] if not lazy}
        lazy_srcs = {src for src, lazy in data["imgs"] if lazy}
        records = []
        for req in self.seen:
            # A 404 stylesheet is both: a response with its status, then an aborted body.
            transfer, initiator, blocking = timing.get(req.url, (0, "", ""))
            records.append(
                RequestRecord(
                    url=req.url,
                    resource_type=req.resource_type,
                    status=self.statuses.get(id(req)),
                    transfer=transfer,
                    failure=self.failures.get(id(req), ""),
                    blocking=blocking == "blocking",
                    via=classify_image(req.url, initiator, eager_srcs, lazy_srcs) if req.resource_type == "image" else "",
                )
            )
        return tuple(records)


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
