"""`audit --browser` and `verify --browser` look at a phone too (Lighthouse's 412x823), not only the desktop.

Running sites (``browser.server.serve`` on 127.0.0.1) measured by ``audit --browser --base-url``, then
verified against a change only a phone shows: a ``@media (max-width: 600px)`` border removed (the
desktop never applied it: its screen passes, the phone's fails, naming ``412x823``), and a photo that
is the LCP only at 412 px (hidden on the desktop) made ``loading="lazy"`` (fails naming the phone). A
baseline written before phones were measured still verifies, at the desktop only, with a note. The
JSON round trip and the reasons' wording are pure and tested on values below.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from base_url_support import audit_site, serve_sites, verify_site
from browser_support import needs_chromium
from PIL import Image

from assetopt.browser.critical import VIEWPORTS
from assetopt.verify.compare import phone_reasons
from assetopt.verify.measures import BaselinePage, BrowserMeasure, Lcp

PHONE = VIEWPORTS["mobile"]["viewport"]
# without it a phone lays the page out 980 px wide and zooms out: no max-width rule would apply
META = '<meta name="viewport" content="width=device-width, initial-scale=1">'
BASE = "body{margin:0;font-family:sans-serif}\nmain{padding:16px}\nheader{box-sizing:border-box;height:49px;padding:0 16px}\n"
# the border inside the header's height, so losing it moves nothing: only its style tells
PHONE_BORDER = "@media (max-width: 600px) { header { border-bottom: 2px solid #e5e7eb } }\n"
# the hero photo shows on phones only; on the desktop the text is the LCP
HERO_CSS = ".hero{display:block;width:100%;height:auto}\n@media (min-width: 601px) { .hero { display: none } }\n"


def _site(root: Path, css: str, body: str) -> Path:
    root.mkdir(parents=True)
    (root / "site.css").write_text(css, "utf-8")
    Image.new("RGB", (800, 800), (0x1F, 0x6F, 0xEB)).save(root / "hero.png")
    (root / "index.html").write_text(
        f'<!DOCTYPE html><html><head>{META}<link rel="icon" href="data:,"><link rel="stylesheet" href="/site.css"></head>'
        f"<body><header><b>Site</b></header><main>{body}</main></body></html>",
        "utf-8",
    )
    return root


TEXT = "<h1>Title</h1><p>" + "Some text, long enough to be the desktop's largest contentful paint. " * 8 + "</p>"
HERO = '<img class="hero" src="/hero.png" width="800" height="800" alt="">'
LAZY_HERO = '<img class="hero" src="/hero.png" width="800" height="800" alt="" loading="lazy">'


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> Iterator[dict[str, str]]:
    root = tmp_path_factory.mktemp("sites")
    folders = {
        "bordered": _site(root / "bordered", BASE + PHONE_BORDER, TEXT),
        "borderless": _site(root / "borderless", BASE, TEXT),
        "hero": _site(root / "hero", BASE + HERO_CSS, HERO + TEXT),
        "lazy-hero": _site(root / "lazy-hero", BASE + HERO_CSS, LAZY_HERO + TEXT),
    }
    with serve_sites(folders) as urls:
        yield urls


@pytest.fixture()
def project(tmp_path: Path, write_tree, monkeypatch) -> Path:
    write_tree(tmp_path, {"templates/index.html": "<!DOCTYPE html><html><head></head><body><p>hi</p></body></html>"})
    monkeypatch.chdir(tmp_path)
    return tmp_path


@needs_chromium
def test_the_baseline_stores_the_phone_screen(sites, project: Path):
    assert PHONE == {"width": 412, "height": 823}  # Lighthouse's mobile screen, the yardstick
    assert audit_site(sites["bordered"], "--no-throttle").exit_code == 0
    page = json.loads((project / "before.json").read_text())["browser"]["pages"][0]
    phone, desktop = page["phone"], page["measure"]
    assert phone["first_screen"]["screen"] == "412x823"
    header = phone["first_screen"]["elements"]["body > header"]["v"]
    # 412 wide, at the top, with the border only a phone applies; the desktop's header has none
    assert (header["box"], header["border-bottom-style"], header["border-bottom-width"]) == ("0 0 412 49", "solid", "2px")
    assert desktop["first_screen"]["elements"]["body > header"]["v"]["border-bottom-style"] == "none"
    assert phone["requests"] == []  # no request log: the desktop load holds the requests
    with Image.open(project / phone["screenshot"]) as shot:
        assert shot.width == 412  # DPR 1, the full page
    # beside the desktop's, in a folder of its own
    assert (desktop["screenshot"], phone["screenshot"]) == ("before.screenshots/index.html.png", "before.screenshots/phone/index.html.png")


@needs_chromium
def test_a_phone_only_border_removed_fails_on_the_phone_and_the_desktop_passes(sites, project: Path):
    assert audit_site(sites["bordered"], "--no-throttle").exit_code == 0
    result = verify_site(sites["borderless"], "--report", "r.html")
    assert result.exit_code == 1, result.output
    doc = json.loads((project / "v.json").read_text())
    (reason,) = doc["browser_reasons"]  # one: the desktop shows nothing different
    assert reason.startswith("/index.html: the first screen (412x823) shows ")
    assert "body > header (header): border-bottom-style none, before solid" in reason
    (entry,) = doc["browser"].values()
    assert entry["diff"]["fraction"] == 0  # the desktop's pixels are the same
    assert 0 < entry["phone_diff"]["fraction"] < entry["phone_diff"]["threshold"]  # the phone's pixels alone would pass it
    assert entry["after_phone"]["first_screen"]["screen"] == "412x823"
    assert "fail: /index.html: the first screen (412x823)" in result.output


@needs_chromium
def test_an_image_lazy_loaded_that_is_the_lcp_only_on_the_phone_fails(sites, project: Path):
    assert audit_site(sites["hero"], "--no-throttle").exit_code == 0
    page = json.loads((project / "before.json").read_text())["browser"]["pages"][0]
    assert page["phone"]["lcp"]["url"].endswith("/hero.png") and page["phone"]["lcp"]["lazy"] is False
    assert page["measure"]["lcp"]["tag"] != "IMG"  # on the desktop the photo is hidden, the text is the LCP
    result = verify_site(sites["lazy-hero"], "--report", "r.html")
    assert result.exit_code == 1, result.output
    doc = json.loads((project / "v.json").read_text())
    (reason,) = doc["browser_reasons"]
    assert reason.startswith("/index.html: the LCP image http://127.0.0.1:")
    assert reason.endswith('/hero.png on the phone (412x823) is lazy-loaded (make it eager, fetchpriority="high")')


@needs_chromium
def test_a_baseline_without_the_phone_verifies_at_the_desktop_with_a_note(sites, project: Path):
    assert audit_site(sites["bordered"], "--no-throttle").exit_code == 0
    doc = json.loads((project / "before.json").read_text())
    del doc["browser"]["pages"][0]["phone"]  # as an older assetopt wrote it
    (project / "before.json").write_text(json.dumps(doc))
    result = verify_site(sites["borderless"], "--report", "r.html")
    assert result.exit_code == 0, result.output
    out = json.loads((project / "v.json").read_text())
    assert out["browser_reasons"] == []
    (note,) = out["browser_notes"]
    assert "no phone measurements of /index.html" in note and "desktop screen only" in note
    (entry,) = out["browser"].values()
    assert "after_phone" not in entry and "phone_diff" not in entry  # not measured: nothing to compare it with
    assert "note: the baseline has no phone measurements" in result.output


def _phone(**first: str) -> BrowserMeasure:
    return BrowserMeasure(
        url="http://127.0.0.1:1/",
        screenshot="before.screenshots/phone/index.png",
        first_screen={"screen": "412x823", "elements": {"body > header": {"name": "header", "v": first}}},
        lcp=Lcp(url="http://127.0.0.1:1/hero.png", tag="IMG", lazy=False, size=1000),
    )


def test_a_page_without_a_phone_reads_and_writes_as_before():
    page = BaselinePage("/", "/", None, BrowserMeasure(url="http://127.0.0.1:1/"))
    assert "phone" not in page.to_dict()
    assert BaselinePage.from_dict(page.to_dict()) == page
    with_phone = BaselinePage("/", "/", None, BrowserMeasure(url="http://127.0.0.1:1/"), phone=_phone(box="0 0 412 49"))
    assert BaselinePage.from_dict(json.loads(json.dumps(with_phone.to_dict()))) == with_phone


@pytest.mark.parametrize(
    ("after", "diff", "expected"),
    [
        pytest.param(_phone(box="0 0 412 49"), 0.0, [], id="same"),
        pytest.param(
            _phone(box="0 0 412 49"),
            0.02,
            ["p: the page looks different on the phone (412x823): 2.00% of pixels changed (threshold 1.00%)"],
            id="pixels",
        ),
        pytest.param(
            _phone(box="0 9 412 58"),
            0.0,
            ["p: the first screen (412x823) shows 1 element(s) otherwise: body > header (header): box 0 9 412 58, before 0 0 412 49"],
            id="moved",
        ),
    ],
)
def test_phone_reasons_name_the_phones_screen(after: BrowserMeasure, diff: float, expected: list[str]):
    assert phone_reasons("p", _phone(box="0 0 412 49"), after, diff=diff) == expected


@needs_chromium
def test_a_lazy_image_hidden_at_the_desktops_width_does_not_stop_the_desktop_screenshot(sites, tmp_path: Path):
    # It hung: the screenshot's scroll waited on decode() of an image that never loads.
    from assetopt.browser.chromium import open_browser

    with open_browser() as chromium:
        m = chromium.measure(sites["lazy-hero"] + "/index.html", screenshot=tmp_path / "shot.png")
    assert m.screenshot is not None and m.screenshot.is_file()
    assert not [r for r in m.requests if r.url.endswith("/hero.png")]  # display:none and lazy: never fetched
