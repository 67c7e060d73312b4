"""The values of the browser proof: what Chromium measured on a page, a page's before/after, a baseline.

``browser/`` makes them (``page_measure.summarize`` from a live ``PageMeasure``), ``verify/`` reads them
(``compare.browser_reasons``, the tables, the HTML report). They are plain frozen values; dicts
appear only at the JSON edge: ``to_dict`` for the audit JSON's ``"browser"`` section and the
``--json`` output (schema in docs/audit-json.md), ``from_dict`` for a stored baseline. A field
added here is added to its ``to_dict`` and ``from_dict`` too, the latter tolerating its absence in
baselines written before it (see ``photo_boxes``).

Never imports Playwright, never reads or writes a file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["RequestRecord", "Lcp", "BrowserMeasure", "ScreenshotDiff", "BrowserEntry", "BaselinePage", "BrowserBaseline"]


@dataclass(frozen=True, slots=True)
class RequestRecord:
    url: str
    resource_type: str  # Playwright's: document, stylesheet, script, image, font, fetch, ...
    status: int | None  # None: no response (failed at the network level)
    transfer: int  # bytes on the wire (headers + body) from Resource Timing; 0 when unknown
    failure: str = ""  # net::ERR_... for requests that never got a response
    blocking: bool = False  # Chromium's renderBlockingStatus == "blocking"
    via: str = ""  # image requests: one of traffic.IMAGE_VIAS; "" for other types

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "type": self.resource_type,
            "status": self.status,
            "transfer": self.transfer,
            "failure": self.failure,
            "blocking": self.blocking,
            "via": self.via,
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> RequestRecord:
        return cls(
            url=raw.get("url", ""),
            resource_type=raw.get("type", ""),
            status=raw.get("status"),
            transfer=raw.get("transfer", 0),
            failure=raw.get("failure", ""),
            blocking=raw.get("blocking", False),
            via=raw.get("via", ""),
        )


@dataclass(frozen=True, slots=True)
class Lcp:
    """The Largest Contentful Paint element: its URL ("" for text), tag, whether it is lazy, its size."""

    url: str = ""
    tag: str = ""
    lazy: bool = False
    size: float = 0

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "tag": self.tag, "lazy": self.lazy, "size": self.size}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Lcp:
        return cls(url=raw.get("url", ""), tag=raw.get("tag", ""), lazy=raw.get("lazy", False), size=raw.get("size", 0))


# Absent in measurements older than the image classification (images, eager_img, blocking_by_type)
# or than photo boxes or first-screen elements: None here, left out of to_dict, so such a baseline reads and writes as it was.
_ABSENT_WHEN_NONE = ("images", "eager_img", "blocking_by_type", "photo_boxes", "first_screen")


@dataclass(frozen=True, slots=True)
class BrowserMeasure:
    """One page load in Chromium as stored and compared (the JSON ``"measure"``): counts by type and
    initiator, bytes, timings, LCP, CLS, errors, the screenshot and every request."""

    url: str = ""
    throttled: bool = False
    status: int | None = None  # the document's HTTP status
    request_count: int = 0
    by_type: Mapping[str, int] = field(default_factory=dict)  # resource type -> requests
    bytes_by_type: Mapping[str, int] = field(default_factory=dict)  # resource type -> transfer bytes
    images: Mapping[str, int] | None = None  # image requests by traffic.IMAGE_VIAS
    eager_img: int | None = None  # = images["img-eager"]
    blocking_by_type: Mapping[str, int] | None = None  # render-blocking requests by resource type
    transfer: int = 0
    failed: tuple[str, ...] = ()  # "404 http://..." lines
    console_errors: tuple[str, ...] = ()
    load_ms: float | None = None  # navigation loadEventEnd
    wall_ms: float | None = None  # goto until the network settled
    lcp_ms: float | None = None
    lcp: Lcp | None = None
    cls: float = 0.0
    screenshot: str | None = None  # a path: absolute, or relative to the baseline's folder when stored
    photo_boxes: tuple[tuple[int, int, int, int], ...] | None = None  # (x, y, w, h) of each loaded <img>
    first_screen: Mapping[str, Any] | None = None  # the first screen's elements (verify.first_screen.first_screen_of)
    requests: tuple[RequestRecord, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "url": self.url,
            "throttled": self.throttled,
            "status": self.status,
            "request_count": self.request_count,
            "by_type": dict(self.by_type),
            "bytes_by_type": dict(self.bytes_by_type),
            "images": None if self.images is None else dict(self.images),
            "eager_img": self.eager_img,
            "blocking_by_type": None if self.blocking_by_type is None else dict(self.blocking_by_type),
            "transfer": self.transfer,
            "failed": list(self.failed),
            "console_errors": list(self.console_errors),
            "load_ms": self.load_ms,
            "wall_ms": self.wall_ms,
            "lcp_ms": self.lcp_ms,
            "lcp": None if self.lcp is None else self.lcp.to_dict(),
            "cls": self.cls,
            "screenshot": self.screenshot,
            "photo_boxes": None if self.photo_boxes is None else [list(b) for b in self.photo_boxes],
            "first_screen": None if self.first_screen is None else dict(self.first_screen),
            "requests": [r.to_dict() for r in self.requests],
        }
        for key in _ABSENT_WHEN_NONE:
            if out[key] is None:
                del out[key]
        return out

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> BrowserMeasure:
        """A stored measurement; a key it lacks takes the default (older baselines lack some)."""
        lcp = raw.get("lcp")
        boxes = raw.get("photo_boxes")
        return cls(
            url=raw.get("url", ""),
            throttled=raw.get("throttled", False),
            status=raw.get("status"),
            request_count=raw.get("request_count", 0),
            by_type=dict(raw.get("by_type") or {}),
            bytes_by_type=dict(raw.get("bytes_by_type") or {}),
            images=_optional_dict(raw.get("images")),
            eager_img=raw.get("eager_img"),
            blocking_by_type=_optional_dict(raw.get("blocking_by_type")),
            transfer=raw.get("transfer", 0),
            failed=tuple(raw.get("failed") or ()),
            console_errors=tuple(raw.get("console_errors") or ()),
            load_ms=raw.get("load_ms"),
            wall_ms=raw.get("wall_ms"),
            lcp_ms=raw.get("lcp_ms"),
            lcp=Lcp.from_dict(lcp) if isinstance(lcp, Mapping) and lcp else None,
            cls=raw.get("cls", 0.0),
            screenshot=None if raw.get("screenshot") is None else str(raw["screenshot"]),
            photo_boxes=None if boxes is None else tuple(_box(b) for b in boxes),
            first_screen=dict(raw["first_screen"]) if isinstance(raw.get("first_screen"), Mapping) else None,
            requests=tuple(RequestRecord.from_dict(r) for r in raw.get("requests") or () if isinstance(r, Mapping)),
        )


def _optional_dict(value: Any) -> dict[str, int] | None:
    return dict(value) if isinstance(value, Mapping) else None


def _box(value: Sequence[int]) -> tuple[int, int, int, int]:
    x, y, w, h = value
    return (x, y, w, h)


@dataclass(frozen=True, slots=True)
class ScreenshotDiff:
    fraction: float  # of pixels that differ between before and after
    image: str | None  # the diff image's path
    threshold: float = 0.01  # above it the page "looks different"

    def to_dict(self) -> dict[str, Any]:
        return {"fraction": self.fraction, "image": self.image, "threshold": self.threshold}


@dataclass(frozen=True, slots=True)
class BrowserEntry:
    """One page before/after in Chromium with its verdict: the report's and the JSON's ``"browser"``
    entry, built by ``compare.browser_entry`` for both ``optimize --browser`` and ``verify --browser``."""

    url: str
    before: BrowserMeasure
    after: BrowserMeasure
    diff: ScreenshotDiff | None
    reasons: tuple[str, ...] = ()  # compare.browser_reasons; empty: the page passed
    claimed_saved: int | None = None  # requests the static comparison says the page saves
    before_throttled: BrowserMeasure | None = None  # on Fast 3G (the throttled pages only)
    after_throttled: BrowserMeasure | None = None
    before_phone: BrowserMeasure | None = None  # at the phone's screen (None: a baseline measured before phones were)
    after_phone: BrowserMeasure | None = None
    phone_diff: ScreenshotDiff | None = None  # the phone screenshots, before vs after

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"url": self.url, "before": self.before.to_dict(), "after": self.after.to_dict()}
        if self.before_throttled is not None and self.after_throttled is not None:
            out["before_throttled"], out["after_throttled"] = self.before_throttled.to_dict(), self.after_throttled.to_dict()
        if self.before_phone is not None and self.after_phone is not None:
            out["before_phone"], out["after_phone"] = self.before_phone.to_dict(), self.after_phone.to_dict()
            out["phone_diff"] = None if self.phone_diff is None else self.phone_diff.to_dict()
        out["diff"] = None if self.diff is None else self.diff.to_dict()
        out["claimed_saved"] = self.claimed_saved
        out["reasons"] = list(self.reasons)
        return out


@dataclass(frozen=True, slots=True)
class BaselinePage:
    """One measured page of ``audit --browser``: the ``--url`` as given, the path it resolved to, its
    template (None on a running site), the measurement, for the throttled pages the Fast 3G one, and
    the page at the phone's screen (its screenshot, first screen and LCP; no request log; None in a
    baseline written before phones were measured, and then left out of the JSON)."""

    spec: str
    url: str
    template: str | None
    measure: BrowserMeasure
    throttled: BrowserMeasure | None = None
    phone: BrowserMeasure | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {
            "spec": self.spec,
            "url": self.url,
            "template": self.template,
            "measure": self.measure.to_dict(),
            "throttled": None if self.throttled is None else self.throttled.to_dict(),
        }
        if self.phone is not None:
            out["phone"] = self.phone.to_dict()
        return out

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> BaselinePage:
        throttled = raw.get("throttled")
        phone = raw.get("phone")
        template = raw.get("template")
        return cls(
            spec=str(raw.get("spec")),
            url=str(raw.get("url")),
            template=str(template) if template else None,
            measure=BrowserMeasure.from_dict(raw.get("measure") or {}),
            throttled=BrowserMeasure.from_dict(throttled) if isinstance(throttled, Mapping) and throttled else None,
            phone=BrowserMeasure.from_dict(phone) if isinstance(phone, Mapping) and phone else None,
        )


@dataclass(frozen=True, slots=True)
class BrowserBaseline:
    """The audit JSON's ``"browser"`` section: how the pages were rendered or where they were loaded,
    by which Chromium, and each page's measurements (docs/audit-json.md)."""

    settings: str | None  # DJANGO_SETTINGS_MODULE; None on a running site
    pythonpath: str | None  # relative to the project
    user: str | None
    base_url: str | None  # the running site measured; None: rendered with Django
    chromium: str
    served: str
    pages: tuple[BaselinePage, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "settings": self.settings,
            "pythonpath": self.pythonpath,
            "user": self.user,
            "base_url": self.base_url,
            "chromium": self.chromium,
            "served": self.served,
            "pages": [p.to_dict() for p in self.pages],
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> BrowserBaseline:
        """A stored section, its pages already checked to be mappings with a url and a measure
        (``browser.baseline.read_baseline`` says what is wrong otherwise)."""

        def text(key: str) -> str | None:
            value = raw.get(key)
            return str(value) if value else None

        return cls(
            settings=text("settings"),
            pythonpath=text("pythonpath"),
            user=text("user"),
            base_url=text("base_url"),
            chromium=str(raw.get("chromium") or "?"),
            served=str(raw.get("served") or ""),
            pages=tuple(BaselinePage.from_dict(p) for p in raw.get("pages") or ()),
        )
