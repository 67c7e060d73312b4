"""The browser half of verify: the local server, Chromium measurements, and the screenshot pixel diff.

Browser tests share one Chromium (launched once per module) and one server over a temp dir; they
skip cleanly when /usr/bin/chromium or playwright is missing. Only one measurement is throttled.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import pytest
from browser_support import HAS_PLAYWRIGHT, needs_chromium
from PIL import Image

from assetopt.browser.chromium import open_browser, serve
from assetopt.browser.page_measure import summarize
from assetopt.errors import AssetoptError
from assetopt.images import screenshot_diff

# Five stylesheets, each with a visible effect, so dropping one changes the picture.
CSS = {
    "a.css": "body { margin: 0; background: #f4f4f8; font: 16px sans-serif; }",
    "b.css": "h1 { color: #0b5; margin: 20px; }",
    "c.css": ".box { width: 600px; height: 300px; background: #25c; margin: 20px; }",
    "d.css": ".note { color: #a30; margin: 20px; }",
    "e.css": ".spacer { height: 4000px; }",
}
HEAD = '<!DOCTYPE html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">'
BODY = '<h1>Orders</h1><div class="box"></div><p class="note">three products below</p><div class="spacer"></div>'


def _imgs(lazy: bool) -> str:
    attrs = ' loading="lazy" decoding="async"' if lazy else ""
    return "".join(f'<img src="/static/img/p{i}.png" width="200" height="150"{attrs}>' for i in range(3))


def _page(styles: list[str], lazy: bool, extra: str = "") -> str:
    links = "".join(f'<link rel="stylesheet" href="/static/css/{s}">' for s in styles)
    return f"{HEAD}{links}</head><body>{BODY}{_imgs(lazy)}{extra}</body></html>"


PAGES = {
    # A: five stylesheets, three eager images (below the fold, fetched anyway).
    "a.html": _page(list(CSS), lazy=False),
    # B: the same page bundled, images lazy and >3000 px below the fold (never fetched at first load).
    "b.html": _page(["bundle.css"], lazy=True),
    # B without c.css in its bundle: the broken "after" the visual diff must catch.
    "b-drop.html": _page(["bundle-drop.css"], lazy=True),
    "throws.html": _page(["bundle.css"], lazy=True, extra="<script>throw new Error('bundle broke')</script>"),
    "missing.html": _page(["bundle.css"], lazy=True, extra='<img src="/static/img/missing.png" width="10" height="10">'),
    # an endless animation in the first screen (a loader, Tailwind's animate-pulse): its colour at
    # screenshot time depends on when the screenshot is taken
    "pulse.html": f"{HEAD}<style>body{{margin:0}}.pulse{{height:300px;background:#c00;animation:pulse 2s linear infinite}}"
    "@keyframes pulse{from{background:#00c}to{background:#0c0}}</style></head><body><div class='pulse'></div></body></html>",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("site")
    pages, static = root / "pages", root / "static"
    (static / "css").mkdir(parents=True)
    (static / "img").mkdir()
    pages.mkdir()
    for name, text in CSS.items():
        (static / "css" / name).write_text(text)
    (static / "css" / "bundle.css").write_text("\n".join(CSS.values()))
    (static / "css" / "bundle-drop.css").write_text("\n".join(v for k, v in CSS.items() if k != "c.css"))
    for i, colour in enumerate(["#c33", "#3c3", "#33c"]):
        Image.new("RGB", (200, 150), colour).save(static / "img" / f"p{i}.png")
    for name, html in PAGES.items():
        (pages / name).write_text(html)
    return {"pages": pages, "static": static, "root": root}


@pytest.fixture(scope="module")
def base(site):
    with serve({"/pages/": site["pages"], "/static/": site["static"]}) as url:
        yield url


@pytest.fixture(scope="module")
def chromium():
    with open_browser() as session:
        yield session


# --- the local server (no browser needed) ----------------------------------------------------------


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:  # noqa: S310 - loopback only
            return r.status, r.read()
    except urllib.error.HTTPError as err:
        err.close()
        return err.code, b""


def test_serve_maps_url_prefixes_to_folders(site, base):
    assert base.startswith("http://127.0.0.1:")
    assert _get(f"{base}/pages/a.html") == (200, PAGES["a.html"].encode())
    assert _get(f"{base}/static/css/b.css") == (200, CSS["b.css"].encode())


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/static/css/nope.css", id="missing_file"),
        pytest.param("/elsewhere/a.html", id="no_prefix"),
        pytest.param("/static/%2e%2e/pages/a.html", id="dotdot_leaves_the_root"),
    ],
)
def test_serve_answers_404_for_anything_outside_its_folders(base, path):
    assert _get(base + path)[0] == 404


def test_serve_refuses_a_missing_folder(tmp_path):
    with pytest.raises(AssetoptError, match="is not a directory"):
        with serve({"/x/": tmp_path / "nope"}):
            pass


@pytest.mark.skipif(not HAS_PLAYWRIGHT, reason="needs playwright")
def test_missing_chromium_is_a_clear_error():
    with pytest.raises(AssetoptError, match=r"Chromium not found at /nonexistent/chromium \(install it: apt-get install"):
        with open_browser("/nonexistent/chromium"):
            pass


# --- Chromium ----------------------------------------------------------------------------------------


@needs_chromium
def test_bundled_lazy_page_makes_fewer_requests_than_the_original(chromium, base, tmp_path):
    a = chromium.measure(f"{base}/pages/a.html", screenshot=tmp_path / "a.png")
    b = chromium.measure(f"{base}/pages/b.html", screenshot=tmp_path / "b.png")
    assert a.by_type == {"document": 1, "stylesheet": 5, "image": 3}
    assert b.by_type == {"document": 1, "stylesheet": 1}  # lazy images 4000 px down: not fetched
    assert len(b.requests) < len(a.requests)
    assert a.bytes_by_type["image"] > 0 and a.transfer > b.transfer
    assert (a.failed, b.failed, a.console_errors, b.console_errors) == ((), (), (), ())
    assert a.status == b.status == 200
    assert a.load_ms is not None and a.load_ms > 0
    assert a.lcp is not None and a.lcp_ms is not None and a.lcp.tag in ("div", "h1", "p", "img")
    assert a.cls == 0.0  # every image has width and height
    data = summarize(b).to_dict()
    assert (data["request_count"], data["screenshot"]) == (2, str(tmp_path / "b.png"))
    # Same picture: the screenshot is taken after scrolling the lazy images in (not counted above).
    assert screenshot_diff(tmp_path / "a.png", tmp_path / "b.png", tmp_path / "ab-diff.png") < 0.001


@needs_chromium
def test_a_bundle_that_drops_a_stylesheet_shows_a_visual_diff(chromium, base, tmp_path):
    good = chromium.measure(f"{base}/pages/b.html", screenshot=tmp_path / "good.png")
    broken = chromium.measure(f"{base}/pages/b-drop.html", screenshot=tmp_path / "broken.png")
    fraction = screenshot_diff(good.screenshot, broken.screenshot, tmp_path / "diff.png")
    assert fraction > 0.01  # the threshold verify uses
    assert (tmp_path / "diff.png").stat().st_size > 0


@needs_chromium
def test_screenshots_show_endless_animations_at_rest_so_two_loads_compare_equal(chromium, base, tmp_path):
    # a screenshot taken mid-animation made the same page differ from itself: a flaky verdict
    shots = [chromium.measure(f"{base}/pages/pulse.html", screenshot=tmp_path / f"{i}.png").screenshot for i in range(2)]
    assert [Image.open(shot).convert("RGB").getpixel((50, 50)) for shot in shots] == [(204, 0, 0)] * 2  # .pulse's own background


@needs_chromium
def test_a_script_that_throws_is_a_console_error(chromium, base):
    m = chromium.measure(f"{base}/pages/throws.html")
    assert m.console_errors == ("uncaught Error: bundle broke",)


@needs_chromium
def test_a_404_is_a_failed_request(chromium, base):
    m = chromium.measure(f"{base}/pages/missing.html")
    assert m.failed == (f"404 {base}/static/img/missing.png",)
    assert any("404" in e for e in m.console_errors)  # Chromium logs it too


@needs_chromium
def test_throttled_load_is_slower_and_still_skips_far_lazy_images(chromium, base):
    fast = chromium.measure(f"{base}/pages/b.html")
    slow = chromium.measure(f"{base}/pages/b.html", throttled=True)
    assert slow.throttled and slow.by_type == {"document": 1, "stylesheet": 1}
    assert slow.load_ms is not None and fast.load_ms is not None
    assert slow.load_ms > 500 > fast.load_ms  # one 562 ms round trip for the stylesheet at least


# --- pixel diff (Pillow only) ------------------------------------------------------------------------


def _png(path: Path, size: tuple[int, int], colour: tuple[int, int, int], box: tuple[int, int, int, int] | None = None) -> Path:
    img = Image.new("RGB", size, colour)
    if box is not None:
        img.paste((0, 0, 0), box)
    img.save(path)
    return path


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        pytest.param(((10, 10), (200, 200, 200), None), ((10, 10), (200, 200, 200), None), 0.0, id="identical"),
        pytest.param(((10, 10), (200, 200, 200), None), ((10, 10), (205, 196, 200), None), 0.0, id="within_tolerance"),
        pytest.param(((10, 10), (200, 200, 200), None), ((10, 10), (200, 200, 200), (0, 0, 5, 2)), 0.1, id="one_tenth_changed"),
        pytest.param(((10, 10), (200, 200, 200), None), ((10, 20), (200, 200, 200), None), 0.5, id="taller_page_counts_extra_area"),
        pytest.param(((20, 10), (200, 200, 200), None), ((10, 20), (200, 200, 200), None), 0.75, id="different_shapes"),
    ],
)
def test_screenshot_diff_fraction(tmp_path, a, b, expected):
    pa = _png(tmp_path / "a.png", *a)
    pb = _png(tmp_path / "b.png", *b)
    out = tmp_path / "out" / "diff.png"
    assert screenshot_diff(pa, pb, out) == pytest.approx(expected)
    with Image.open(out) as diff:
        assert diff.size == (max(a[0][0], b[0][0]), max(a[0][1], b[0][1]))


def test_screenshot_diff_image_marks_changed_pixels_red(tmp_path):
    pa = _png(tmp_path / "a.png", (10, 10), (255, 255, 255))
    pb = _png(tmp_path / "b.png", (10, 10), (255, 255, 255), (0, 0, 1, 1))
    screenshot_diff(pa, pb, tmp_path / "d.png")
    with Image.open(tmp_path / "d.png") as d:
        assert d.getpixel((0, 0)) == (230, 0, 0)
        assert d.getpixel((5, 5)) == (255, 255, 255)


# --- images at first load, by initiator; render-blocking as Chromium reports it ----------------------

# Two eager <img> at the top, two lazy ones just below the fold (within Chromium's ~1250 px lazy-load
# distance: fetched anyway), one lazy far below (not fetched), one CSS background, one <picture>
# whose chosen <source> is a lazy image near the fold; a blocking stylesheet and script in <head>,
# a deferred script that does not block.
MIXED = (
    f'{HEAD}<link rel="stylesheet" href="/static/css/bg.css"><script src="/static/js/head.js"></script>'
    '<script defer src="/static/js/late.js"></script></head><body>'
    '<img src="/static/img/p0.png" width="200" height="150"><img src="/static/img/p1.png" width="200" height="150">'
    '<div style="height:800px"></div><div class="bg"></div>'
    '<img src="/static/img/p2.png" width="200" height="150" loading="lazy">'
    '<picture><source srcset="/static/img/p3.png" type="image/png"><img src="/static/img/p0.png" width="200" height="150" loading="lazy"></picture>'
    '<div style="height:5000px"></div><img src="/static/img/far.png" width="200" height="150" loading="lazy"></body></html>'
)


@pytest.fixture(scope="module")
def mixed(site, base):
    static = site["static"]
    (static / "js").mkdir(exist_ok=True)
    (static / "js" / "head.js").write_text("window.headRan = true;")
    (static / "js" / "late.js").write_text("window.lateRan = true;")
    (static / "css" / "bg.css").write_text(".bg { height: 100px; background: url(../img/bg.png); }")
    for name in ("p3", "far", "bg"):
        Image.new("RGB", (20, 20), "#999").save(static / "img" / f"{name}.png")
    (site["pages"] / "mixed.html").write_text(MIXED)
    return f"{base}/pages/mixed.html"


@needs_chromium
def test_image_requests_are_counted_by_what_asked_for_them(chromium, mixed):
    m = chromium.measure(mixed)
    assert m.images == {"img-eager": 2, "img-lazy": 2, "css": 1, "other": 0}
    assert summarize(m).to_dict()["eager_img"] == 2
    vias = {r.url.rsplit("/", 1)[1]: r.via for r in m.requests if r.resource_type == "image"}
    assert vias == {"p0.png": "img-eager", "p1.png": "img-eager", "p2.png": "img-lazy", "p3.png": "img-lazy", "bg.png": "css"}
    assert "far.png" not in vias  # 6000 px down: lazy and really not fetched
    assert m.blocking_by_type == {"stylesheet": 1, "script": 1}  # late.js is deferred: not blocking
    assert {r.url.rsplit("/", 1)[1] for r in m.requests if r.blocking} == {"bg.css", "head.js"}


@pytest.mark.parametrize(
    ("url", "initiator", "expected"),
    [
        pytest.param("http://h/a.png", "img", "img-eager", id="eager_img"),
        pytest.param("http://h/b.png", "img", "img-lazy", id="lazy_img"),
        pytest.param("http://h/ab.png", "img", "img-eager", id="shown_eager_and_lazy_counts_eager"),
        pytest.param("http://h/c.png", "css", "css", id="css_url"),
        pytest.param("http://h/a.png", "css", "img-eager", id="css_url_also_in_an_eager_img"),
        pytest.param("http://h/d.png", "link", "other", id="preload"),
        pytest.param("http://h/e.png", "other", "other", id="script_made"),
    ],
)
def test_classify_image(url, initiator, expected):
    from assetopt.browser.traffic import classify_image

    eager, lazy = {"http://h/a.png", "http://h/ab.png"}, {"http://h/b.png", "http://h/ab.png"}
    assert classify_image(url, initiator, eager, lazy) == expected
