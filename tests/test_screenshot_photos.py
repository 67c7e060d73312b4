"""The screenshot diff tells a re-encoded photo from a broken page (issue 12, item 5).

Real Chromium screenshots of small pages: a photo re-encoded to lossy WebP/AVIF changes a quarter
to a half of its pixels by more than the per-pixel tolerance (well over the 1 % page threshold),
with nothing broken; the diff compares the boxes Chromium reports for pictures on block averages,
so the re-encode passes while a missing stylesheet, a missing or a different picture still fail.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from browser_support import needs_chromium
from photos import jpeg, photo
from PIL import Image

from assetopt.images import screenshot_diff

THRESHOLD = 0.01  # what verify --browser and optimize --browser use

CSS = """body { margin: 0; font: 16px/1.4 sans-serif; }
header { background: #234; color: #fff; padding: 24px 40px; }
main { display: grid; grid-template-columns: 960px 1fr; gap: 24px; padding: 24px 40px; }
aside { background: #eef; padding: 16px; }
"""


def _page(picture: str, *, stylesheet: bool = True) -> str:
    link = '<link rel="stylesheet" href="site.css">' if stylesheet else ""
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">{link}</head><body>'
        "<header><h1>Harbour at dawn</h1></header>"
        f"<main><div>{picture}</div><aside><h2>About</h2><p>{'Text beside the photo. ' * 12}</p></aside></main>"
        "</body></html>"
    )


def _img(src: str) -> str:
    return f'<img src="{src}" width="960" height="640" alt="harbour">'


PAGES = {
    "before.html": _page(_img("photo.jpg")),
    "webp.html": _page(_img("photo.webp")),
    "avif.html": _page(f'<picture><source type="image/avif" srcset="photo.avif">{_img("photo.jpg")}</picture>'),
    "no_stylesheet.html": _page(_img("photo.jpg"), stylesheet=False),
    "other_photo.html": _page(_img("other.jpg")),
    "missing_photo.html": _page(_img("gone.jpg")),
}


def _encoded(im: Image.Image, fmt: str, quality: int) -> bytes:
    out = io.BytesIO()
    im.save(out, fmt, quality=quality)
    return out.getvalue()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> dict[str, tuple[Path, tuple[tuple[int, int, int, int], ...]]]:
    from assetopt.browser.chromium import open_browser, serve

    site = tmp_path_factory.mktemp("photo-site")
    im = photo(960, 640, seed=3, grain=0.3)
    files: dict[str, str | bytes] = {
        **PAGES,
        "site.css": CSS,
        "photo.jpg": jpeg(im),
        "photo.webp": _encoded(im, "WEBP", 40),  # lossy and low: the worst a build would ship
        "photo.avif": _encoded(im, "AVIF", 30),
        "other.jpg": jpeg(photo(960, 640, seed=4, grain=0.3)),
    }
    for name, content in files.items():
        (site / name).write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    out = {}
    with open_browser() as chromium, serve({"/": site}) as base:
        for name in PAGES:
            m = chromium.measure(f"{base}/{name}", screenshot=site / "shots" / name.replace(".html", ".png"))
            assert m.screenshot is not None
            out[name] = (m.screenshot, m.photo_boxes)
    return out


def _fraction(shots, after: str, tmp_path: Path, *, boxes: bool = True) -> float:
    (a, boxes_a), (b, boxes_b) = shots["before.html"], shots[after]
    if not boxes:
        boxes_a = boxes_b = ()
    return screenshot_diff(a, b, tmp_path / "diff.png", photos_a=boxes_a, photos_b=boxes_b)


@needs_chromium
@pytest.mark.parametrize("after", [pytest.param("webp.html", id="webp"), pytest.param("avif.html", id="avif_in_picture")])
def test_a_photo_reencoded_to_a_modern_format_is_not_a_visual_change(shots, after: str, tmp_path: Path):
    (box,) = shots[after][1]
    assert shots["before.html"][1] == (box,) and box[2:] == (960, 640)
    assert _fraction(shots, after, tmp_path, boxes=False) > THRESHOLD  # pixel by pixel the re-encode "fails"
    assert _fraction(shots, after, tmp_path) < THRESHOLD


@needs_chromium
@pytest.mark.parametrize(
    "after",
    [
        pytest.param("no_stylesheet.html", id="missing_stylesheet"),
        pytest.param("other_photo.html", id="a_different_photo"),
        pytest.param("missing_photo.html", id="a_missing_photo"),
    ],
)
def test_a_broken_page_still_fails_the_diff(shots, after: str, tmp_path: Path):
    assert _fraction(shots, after, tmp_path) > THRESHOLD
