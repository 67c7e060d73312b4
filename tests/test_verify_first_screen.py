"""`verify --browser` compares the first screen element by element, not only by pixels.

A running site (``browser.server.serve`` on 127.0.0.1) measured by ``audit --browser --base-url``,
then verified against: the same page with its header's 1 px bottom border removed (about a tenth of a
percent of the screenshot, far under the 1 % pixel threshold: must fail, naming the page, the screen
and the header), and the page as assetopt's rewrite changes it without changing the look (one bundle
instead of two stylesheets, the photo lazy and wrapped in a <picture>: must pass). A baseline written
before the element facts existed still verifies, by pixels, with a note. The comparison itself is
pure (``verify.first_screen``) and tested on values below.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from base_url_support import audit_site, serve_sites, verify_site
from browser_support import needs_chromium
from PIL import Image

from assetopt.verify.first_screen import changed_value, first_screen_changes

BASE = "body{margin:0;font-family:sans-serif}\nmain{padding:16px}\nimg{display:block}\n"
HEADER = "header{box-sizing:border-box;height:49px;padding:0 16px}\n"  # as Tailwind: the border inside the height
BORDER = "header{border-bottom:1px solid #e5e7eb}\n"


def _page(links: list[str], img: str) -> str:
    tags = "".join(f'<link rel="stylesheet" href="/css/{name}">' for name in links)
    return (
        f'<!DOCTYPE html><html><head><link rel="icon" href="data:,">{tags}</head><body>'
        f"<header><b>Site</b></header><main><h1>Title</h1><p>{TEXT}</p>{img}</main></body></html>"
    )


def _site(root: Path, css: dict[str, str], img: str) -> Path:
    (root / "css").mkdir(parents=True)
    for name, text in css.items():
        (root / "css" / name).write_text(text, "utf-8")
    Image.new("RGB", (200, 100), (0x1F, 0x6F, 0xEB)).save(root / "photo.png")
    (root / "index.html").write_text(_page(list(css), img), "utf-8")
    return root


TEXT = "Some text, long enough to be the largest contentful paint rather than the photo. " * 12
PLAIN_IMG = '<img src="/photo.png" width="200" height="100" alt="">'
# what the rewrite does to a photo: lazy, async decoding, wrapped in a <picture> with a <source>
REWRITTEN_IMG = (
    '<picture><source type="image/png" srcset="/photo.png">'
    '<img src="/photo.png" width="200" height="100" alt="" loading="lazy" decoding="async"></picture>'
)


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> Iterator[dict[str, str]]:
    root = tmp_path_factory.mktemp("sites")
    folders = {
        "before": _site(root / "before", {"base.css": BASE + HEADER, "header.css": BORDER}, PLAIN_IMG),
        "rewritten": _site(root / "rewritten", {"bundle.css": BASE + HEADER + BORDER}, REWRITTEN_IMG),
        "borderless": _site(root / "borderless", {"bundle.css": BASE + HEADER}, REWRITTEN_IMG),
    }
    with serve_sites(folders) as urls:
        yield urls


@pytest.fixture()
def project(tmp_path: Path, write_tree, monkeypatch) -> Path:
    write_tree(tmp_path, {"templates/index.html": "<!DOCTYPE html><html><head></head><body><p>hi</p></body></html>"})
    monkeypatch.chdir(tmp_path)
    return tmp_path


@needs_chromium
def test_the_baseline_stores_the_first_screens_elements(sites, project: Path):
    assert audit_site(sites["before"], "--no-throttle").exit_code == 0
    first = json.loads((project / "before.json").read_text())["browser"]["pages"][0]["measure"]["first_screen"]
    assert first["screen"] == "1280x720"
    header = first["elements"]["body > header"]
    assert header["name"] == "header"
    # 1280 wide, 49 px high (its 1 px border inside), at the top
    assert header["v"]["box"] == "0 0 1280 49"
    assert (header["v"]["border-bottom-style"], header["v"]["border-bottom-width"]) == ("solid", "1px")
    left, top, right, bottom = (int(v) for v in first["elements"]["body > main > img"]["v"]["box"].split())
    assert (left, right, bottom - top) == (16, 216, 100)  # main's 16 px padding, the photo's 200x100


@needs_chromium
def test_a_removed_header_border_fails_although_under_the_pixel_threshold(sites, project: Path):
    assert audit_site(sites["before"], "--no-throttle").exit_code == 0
    result = verify_site(sites["borderless"])
    assert result.exit_code == 1, result.output
    doc = json.loads((project / "v.json").read_text())
    (entry,) = doc["browser"].values()
    assert 0 < entry["diff"]["fraction"] < entry["diff"]["threshold"]  # the pixels alone would pass it
    desktop, phone = doc["browser_reasons"]  # the border is gone on both screens
    assert desktop.startswith("/index.html: the first screen (1280x720) shows ")
    assert phone.startswith("/index.html: the first screen (412x823) shows ")
    assert "body > header (header): border-bottom-style none, before solid" in desktop
    assert "body > header (header): border-bottom-style none, before solid" in phone
    assert "fail: /index.html: the first screen (1280x720)" in result.output


@needs_chromium
def test_the_rewrites_own_changes_pass(sites, project: Path):
    assert audit_site(sites["before"], "--no-throttle").exit_code == 0
    result = verify_site(sites["rewritten"])
    assert result.exit_code == 0, result.output
    doc = json.loads((project / "v.json").read_text())
    assert doc["browser_reasons"] == [] and doc["browser_notes"] == []
    (entry,) = doc["browser"].values()
    assert "body > main > img" in entry["after"]["first_screen"]["elements"]  # found through its <picture>


@needs_chromium
def test_a_baseline_without_element_facts_verifies_by_pixels_with_a_note(sites, project: Path):
    assert audit_site(sites["before"], "--no-throttle").exit_code == 0
    doc = json.loads((project / "before.json").read_text())
    del doc["browser"]["pages"][0]["measure"]["first_screen"]  # as an older assetopt wrote it,
    del doc["browser"]["pages"][0]["phone"]  # before phones were measured too
    (project / "before.json").write_text(json.dumps(doc))
    result = verify_site(sites["borderless"])
    assert result.exit_code == 0, result.output
    out = json.loads((project / "v.json").read_text())
    assert out["browser_reasons"] == []
    note, no_phone = out["browser_notes"]
    assert "no phone measurements of /index.html" in no_phone
    assert "no first-screen elements of /index.html" in note and "pixels only" in note
    assert "note: the baseline has no first-screen elements" in result.output


def _screen(**elements: dict[str, str]) -> dict[str, object]:
    return {"screen": "1280x720", "elements": {path: {"name": path.split()[-1], "v": v} for path, v in elements.items()}}


def test_a_box_within_the_tolerance_is_the_same_and_beyond_it_a_change():
    before = _screen(**{"body > header": {"box": "0 0 1280 49", "color": "rgb(0, 0, 0)"}})
    assert first_screen_changes(before, _screen(**{"body > header": {"box": "0 2 1280 51", "color": "rgb(0, 0, 0)"}})) == []
    assert first_screen_changes(before, _screen(**{"body > header": {"box": "0 3 1280 52", "color": "rgb(0, 0, 0)"}})) == [
        "body > header (header): box 0 3 1280 52, before 0 0 1280 49"
    ]
    assert first_screen_changes(before, _screen(**{"body > header": {"box": "0 0 1280 49", "color": "rgb(1, 0, 0)"}})) == [
        "body > header (header): color rgb(1, 0, 0), before rgb(0, 0, 0)"
    ]


def test_a_missing_element_is_a_change_and_a_new_one_is_not():
    before = _screen(**{"body > header": {"box": "0 0 1280 49"}, "body > p": {"box": "0 49 1280 70"}})
    after = _screen(**{"body > header": {"box": "0 0 1280 49"}, "body > div": {"box": "0 49 1280 70"}})
    assert first_screen_changes(before, after) == ["body > p (p): missing from the first screen"]


def test_the_critical_proof_compares_boxes_exactly():
    assert changed_value({"box": "0 0 10 10"}, {"box": "0 0 10 11"}) == "box 0 0 10 11, before 0 0 10 10"
    assert changed_value({"box": "0 0 10 10"}, {"box": "0 0 10 11"}, box_tolerance=2) == ""


def test_a_background_served_from_another_origin_or_hashed_name_is_the_same_and_another_file_is_not():
    before = {"background-image": 'url("http://127.0.0.1:42369/static/img/icons/search.svg")'}
    for same in (
        'url("http://127.0.0.1:36843/static/img/icons/search.svg")',
        'url("http://127.0.0.1:36843/static/img/icons/search.0123456789ab.svg")',
    ):
        assert changed_value(before, {"background-image": same}) == ""
    other = 'url("http://127.0.0.1:36843/static/img/icons/close.svg")'
    assert changed_value(before, {"background-image": other}) == f"background-image {other}, before {before['background-image']}"
    assert changed_value(before, {"background-image": "none"}) == f"background-image none, before {before['background-image']}"
