"""What one page load asks for, as Playwright reports it (``Traffic``), turned into
``RequestRecord``s; and what asked for each image request (``classify_image``), because only eager
<img> fetches are what the audit promises to cut."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

from ..verify.measures import RequestRecord

__all__ = ["IMAGE_VIAS", "Traffic", "classify_image", "console_error"]

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


def console_error(message: Any) -> str | None:
    """The text of a console message that is an error of the page, else None. Chromium asks for
    ``/favicon.ico`` by itself once per browser when a page names no icon, and logs its 404 as an error
    of whichever page loads first: counted, the first page of every run had an error, and ``verify``
    called it new when the pages came in another order. Playwright reports no request for
    ``/favicon.ico`` at all, so a page's own link to it cannot be told apart and is not counted either
    (a missing icon is no regression assetopt can cause: it never moves icons)."""
    if message.type != "error":
        return None
    url = str((message.location or {}).get("url") or "")
    if url and urlsplit(url).path == "/favicon.ico":
        return None
    return str(message.text)


class Traffic:
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
        page.on("console", self.console)
        page.on("pageerror", lambda e: self.errors.append(f"uncaught {e.name}: {e.message}" if getattr(e, "name", "") else f"uncaught: {e}"))

    def console(self, message: Any) -> None:
        text = console_error(message)
        if text is not None:
            self.errors.append(text)

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
        from ``data`` (what ``page_js.COLLECT_JS`` read in the page)."""
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
