"""The browser proof's values at the JSON edge: a stored baseline reads into them and writes back the
same JSON, byte for byte, so baselines users keep stay readable and ``--json`` output does not move."""

from __future__ import annotations

import copy
import json

from assetopt.verify.compare import browser_entry
from assetopt.verify.measures import BaselinePage, BrowserBaseline, BrowserMeasure, Lcp, RequestRecord

# The shape docs/audit-json.md documents, key order included (what audit --browser writes).
MEASURE = {
    "url": "http://127.0.0.1:40123/en/",
    "throttled": False,
    "status": 200,
    "request_count": 3,
    "by_type": {"document": 1, "stylesheet": 1, "image": 1},
    "bytes_by_type": {"document": 2100, "stylesheet": 900, "image": 5000},
    "images": {"img-eager": 1, "img-lazy": 0, "css": 0, "other": 0},
    "eager_img": 1,
    "blocking_by_type": {"stylesheet": 1},
    "transfer": 8000,
    "failed": [],
    "console_errors": ["uncaught Error: x"],
    "load_ms": 1021.0,
    "wall_ms": 1400.5,
    "lcp_ms": 904.0,
    "lcp": {"url": "http://127.0.0.1:40123/static/img/hero.jpg", "tag": "img", "lazy": False, "size": 250000},
    "cls": 0.0,
    "screenshot": "before.screenshots/en.png",
    "photo_boxes": [[40, 113, 960, 640]],
    "requests": [
        {"url": "http://127.0.0.1:40123/en/", "type": "document", "status": 200, "transfer": 2100, "failure": "", "blocking": False, "via": ""},
        {
            "url": "http://127.0.0.1:40123/static/a.css",
            "type": "stylesheet",
            "status": 200,
            "transfer": 900,
            "failure": "",
            "blocking": True,
            "via": "",
        },
        {
            "url": "http://127.0.0.1:40123/static/img/hero.jpg",
            "type": "image",
            "status": 200,
            "transfer": 5000,
            "failure": "",
            "blocking": False,
            "via": "img-eager",
        },
    ],
}
SECTION = {
    "settings": "erp.settings",
    "pythonpath": "example",
    "user": None,
    "base_url": None,
    "chromium": "156.0.8078.108",
    "served": "the static dirs (bundling off)",
    "pages": [
        {
            "spec": "core:dashboard",
            "url": "/en/",
            "template": "dashboard/admin_dashboard.html",
            "measure": MEASURE,
            "throttled": MEASURE | {"throttled": True},
        },
        {"spec": "/en/orders/", "url": "/en/orders/", "template": None, "measure": MEASURE, "throttled": None},
    ],
}


def _dumps(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


def test_a_stored_measurement_writes_back_byte_identical():
    m = BrowserMeasure.from_dict(MEASURE)
    assert _dumps(m.to_dict()) == _dumps(MEASURE)
    assert m.lcp == Lcp(url="http://127.0.0.1:40123/static/img/hero.jpg", tag="img", lazy=False, size=250000)
    assert m.requests[1] == RequestRecord("http://127.0.0.1:40123/static/a.css", "stylesheet", 200, 900, blocking=True)
    assert m.photo_boxes == ((40, 113, 960, 640),) and m.failed == () and m.console_errors == ("uncaught Error: x",)


def test_a_measurement_older_than_the_image_classification_and_photo_boxes_reads_and_writes_as_it_was():
    old = {k: v for k, v in MEASURE.items() if k not in ("images", "eager_img", "blocking_by_type", "photo_boxes")}
    m = BrowserMeasure.from_dict(old)
    assert (m.images, m.eager_img, m.blocking_by_type, m.photo_boxes) == (None, None, None, None)
    assert _dumps(m.to_dict()) == _dumps(old)


def test_a_baseline_section_writes_back_byte_identical():
    section = BrowserBaseline.from_dict(SECTION)
    assert [(p.spec, p.template, p.throttled is not None) for p in section.pages] == [
        ("core:dashboard", "dashboard/admin_dashboard.html", True),
        ("/en/orders/", None, False),
    ]
    assert _dumps(section.to_dict()) == _dumps(SECTION)
    assert BaselinePage.from_dict(SECTION["pages"][0]).throttled == BrowserMeasure.from_dict(MEASURE | {"throttled": True})


def test_the_browser_entry_json_keeps_its_keys_and_order():
    before = BrowserMeasure.from_dict(MEASURE)
    after_raw = copy.deepcopy(MEASURE) | {"request_count": 2, "url": "http://127.0.0.1:40124/en/"}
    after = BrowserMeasure.from_dict(after_raw)
    plain = browser_entry("p", "/en/", before, after, diff_fraction=0.0, diff_image="d.png", diff_threshold=0.01, claimed_saved=1).to_dict()
    assert list(plain) == ["url", "before", "after", "diff", "claimed_saved", "reasons"]
    assert plain["before"] == MEASURE and plain["after"] == after_raw
    assert plain["diff"] == {"fraction": 0.0, "image": "d.png", "threshold": 0.01} and plain["reasons"] == []
    slow = browser_entry(
        "p", "/en/", before, after, diff_fraction=0.0, diff_image="d.png", diff_threshold=0.01, claimed_saved=None, throttled=(before, after)
    ).to_dict()
    assert list(slow) == ["url", "before", "after", "before_throttled", "after_throttled", "diff", "claimed_saved", "reasons"]
    assert slow["after_throttled"] == after_raw
