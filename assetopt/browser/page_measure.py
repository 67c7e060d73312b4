"""One page load as measured (``PageMeasure``: every request, timings, LCP, CLS, the screenshot) and
what of it is stored and compared (``summarize`` -> ``verify.measures.BrowserMeasure``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..verify.measures import BrowserMeasure, Lcp, RequestRecord
from .traffic import IMAGE_VIAS

__all__ = ["PageMeasure", "summarize"]


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
    first_screen: dict[str, Any] | None = None  # verify.first_screen.first_screen_of, read with the screenshot

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
        first_screen=m.first_screen,
        requests=m.requests,
    )
