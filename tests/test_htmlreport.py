"""The HTML report: built from a real verdict (two audits) and real Chromium measurements, then opened
in Chromium itself, which must show it without errors, load nothing, and draw the charts."""

from __future__ import annotations

import copy
import re
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from browser_support import needs_chromium
from PIL import Image

from assetopt.audit.report import to_json
from assetopt.audit.run import run_audit
from assetopt.browser.chromium import open_browser, serve
from assetopt.browser.page_measure import summarize
from assetopt.images import screenshot_diff
from assetopt.verify.compare import browser_entry, browser_reasons, compare
from assetopt.verify.html import Report, render_report, write_report
from assetopt.verify.measures import BrowserEntry, BrowserMeasure, ScreenshotDiff

TEMPLATE = """{% load static %}<!DOCTYPE html><html><head>
<link rel="stylesheet" href="{% static 'css/a.css' %}">
<link rel="stylesheet" href="{% static 'css/b.css' %}">
</head><body><img src="{% static 'img/hero.png' %}"><img src="{% static 'img/p.png' %}"></body></html>"""


@pytest.fixture
def verdict_data(make_project):
    project = make_project(
        templates={"shop/<list>.html": TEMPLATE},
        static={"css/a.css": "a{color:red}" * 50, "css/b.css": "b{color:blue}" * 50, "img/hero.png": b"h", "img/p.png": b"p"},
    )
    before = to_json(run_audit(project), "p", "/static/")
    after = copy.deepcopy(before)
    m = after["pages"][0]["metrics"]
    m.update(css=1, requests=m["requests"] - 1, blocking=1, eager_img=1, br=m["br"] // 2)
    return compare(before, after)


def _shots(tmp_path: Path) -> dict[str, Path]:
    a, b = tmp_path / "before.png", tmp_path / "after.png"
    Image.new("RGB", (64, 48), (240, 240, 240)).save(a)
    img = Image.new("RGB", (64, 48), (240, 240, 240))
    img.paste((0, 0, 0), (0, 0, 8, 8))
    img.save(b)
    diff = tmp_path / "diff.png"
    return {"before": a, "after": b, "diff": diff, "fraction": screenshot_diff(a, b, diff)}  # type: ignore[dict-item]


def _measure(shot: Path, load: float, count: int, errors: list[str]) -> BrowserMeasure:
    return BrowserMeasure.from_dict(
        {
            "request_count": count,
            "by_type": {"document": 1, "stylesheet": count - 1},
            "transfer": 2048 * count,
            "failed": [],
            "console_errors": errors,
            "load_ms": load,
            "lcp_ms": load - 10,
            "cls": 0.0,
            "images": {"img-eager": count - 1, "img-lazy": 1, "css": 2, "other": 0},
            "eager_img": count - 1,
            "blocking_by_type": {"stylesheet": count - 1},
            "lcp": {"url": "", "tag": "h1", "lazy": False, "size": 100},
            "screenshot": str(shot),
        }
    )


def test_report_holds_every_part_and_loads_nothing(verdict_data, tmp_path):
    shots = _shots(tmp_path)
    before = _measure(shots["before"], 900.0, 3, [])
    after = _measure(shots["after"], 400.0, 2, ["uncaught Error: <b>oops</b>"])
    name = verdict_data.pages[0].name
    data = Report(
        verdict=verdict_data,
        browser={
            name: BrowserEntry(
                url="",
                before=before,
                after=after,
                diff=ScreenshotDiff(shots["fraction"], str(shots["diff"])),
                reasons=tuple(browser_reasons(name, before, after, diff=shots["fraction"])),
            )
        },
        commands=("assetopt verify --baseline before.json --browser --report report.html",),
        versions={"assetopt": "0.1.0", "chromium": "156.0"},
        generated="2025-01-01 12:00 UTC",
    )
    html = render_report(data)
    assert html == render_report(data)  # reproducible: no clock, no randomness
    assert "shop/&lt;list&gt;.html" in html and "<list>" not in html  # names are escaped
    assert "uncaught Error: &lt;b&gt;oops&lt;/b&gt;" in html
    assert "shop/&lt;list&gt;.html: new console error(s) after the change" in html
    assert html.count("data:image/png;base64,") == 3  # before, after, diff
    assert html.count("<svg") == 5  # static requests, static bytes, Chromium requests, Chromium transfer, time
    assert re.search(r"<code><bdi>templates/shop/&lt;list&gt;\.html:4</bdi></code>", html)  # a finding with file:line
    assert "assetopt verify --baseline before.json --browser --report report.html" in html
    assert "diff: 2.083% of pixels" in html  # 64 of 3072 pixels
    # images at first load apart by initiator: before 3 - 1 eager, after 2 - 1
    assert "eager &lt;img&gt; 2, lazy &lt;img&gt; fetched anyway 1, CSS 2, other 0" in html
    assert "eager &lt;img&gt; 1, lazy &lt;img&gt; fetched anyway 1, CSS 2, other 0" in html
    assert '<td>render-blocking</td><td class="text">stylesheet 2</td><td class="text">stylesheet 1</td>' in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)  # self-contained


def test_report_shows_the_phones_screen_beside_the_desktops(verdict_data, tmp_path):
    (tmp_path / "desktop").mkdir()
    (tmp_path / "phone").mkdir()
    desktop, phone = _shots(tmp_path / "desktop"), _shots(tmp_path / "phone")
    on_phone = {"screen": "412x823", "elements": {}}
    pb = replace(_measure(phone["before"], 900.0, 3, []), first_screen=on_phone, lcp_ms=876.0)
    pa = replace(_measure(phone["after"], 400.0, 2, []), first_screen=on_phone, lcp_ms=543.0)
    name = verdict_data.pages[0].name
    entry = browser_entry(
        name,
        "",
        _measure(desktop["before"], 900.0, 3, []),
        _measure(desktop["after"], 400.0, 2, []),
        diff_fraction=0.0,
        diff_image=str(desktop["diff"]),
        diff_threshold=0.01,
        claimed_saved=None,
        phone=(pb, pa),
        phone_diff=(phone["fraction"], str(phone["diff"])),
    )
    html = render_report(Report(verdict=verdict_data, browser={name: entry}))
    assert html.count("data:image/png;base64,") == 6  # before, after, diff on each screen
    assert "<h3>On the phone (412x823)</h3>" in html
    assert "phone diff: 2.083% of pixels" in html  # 64 of the phone's 3072 pixels changed
    assert re.search(r"LCP, phone.*?876 ms.*?543 ms", html, re.DOTALL)
    # the phone's pixels over the threshold are a reason naming the phone's screen
    assert f"{name}: the page looks different on the phone (412x823): 2.08% of pixels changed (threshold 1.00%)" in entry.reasons


def test_arabic_template_names_keep_their_order_in_the_tables(make_project):
    """An Arabic name in a left-to-right report: each name is isolated (<bdi>), so its direction comes
    from its own first letter and neither it nor the text beside it (the status badge, a ":line") is
    reordered across the boundary by the bidi algorithm."""
    project = make_project(
        templates={"لوحة/الطلبات.html": TEMPLATE}, static={"css/a.css": "a{}", "css/b.css": "b{}", "img/hero.png": b"h", "img/p.png": b"p"}
    )
    before = to_json(run_audit(project), "p", "/static/")
    html = render_report(Report(compare(before, copy.deepcopy(before)), {}))
    assert "<bdi>لوحة/الطلبات.html</bdi></a></td>" in html  # the pages table
    assert "<h2><bdi>لوحة/الطلبات.html</bdi> " in html  # the page's section
    assert re.search(r"<code><bdi>templates/لوحة/الطلبات\.html:\d+</bdi></code>", html)  # a finding's file:line


def test_missing_screenshot_is_a_note_not_an_error(verdict_data, tmp_path):
    name = verdict_data.pages[0].name
    gone = tmp_path / "gone.png"
    html = render_report(
        Report(verdict_data, {name: BrowserEntry(url="", before=_measure(gone, 1, 2, []), after=_measure(gone, 1, 2, []), diff=None)})
    )
    assert html.count(f"screenshot missing: {gone}") == 2
    assert "no screenshot" in html  # the diff was never made


@needs_chromium
def test_report_renders_in_chromium_without_errors_and_shows_the_charts(verdict_data, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "before.html").write_text('<!DOCTYPE html><link rel="icon" href="data:,"><h1>Orders</h1><p style="height:300px;background:#3a6">x</p>')
    (site / "after.html").write_text('<!DOCTYPE html><link rel="icon" href="data:,"><h1>Orders</h1><p>x</p>')
    name = verdict_data.pages[0].name
    with serve({"/": site}) as base, open_browser() as chromium:
        before = chromium.measure(f"{base}/before.html", screenshot=tmp_path / "before.png")
        after = chromium.measure(f"{base}/after.html", screenshot=tmp_path / "after.png")
        fraction = screenshot_diff(tmp_path / "before.png", tmp_path / "after.png", tmp_path / "diff.png")
        mb, ma = summarize(before), summarize(after)
        data = Report(
            verdict=verdict_data,
            browser={
                name: BrowserEntry(
                    url="",
                    before=mb,
                    after=ma,
                    diff=ScreenshotDiff(fraction, str(tmp_path / "diff.png")),
                    reasons=tuple(browser_reasons(name, mb, ma, diff=fraction)),
                )
            },
            commands=("assetopt verify --browser",),
            versions={"chromium": chromium.version},
        )
        report = write_report(data, tmp_path / "report" / "index.html")
        with serve({"/": report.parent}) as rbase:
            shown = chromium.measure(f"{rbase}/index.html", screenshot=tmp_path / "report.png")
    assert fraction > 0.01 and "the page looks different" in report.read_text()
    assert shown.status == 200
    assert shown.console_errors == ()
    assert shown.failed == ()
    assert shown.by_type == {"document": 1}  # everything inline: CSS, SVG, screenshots as data URIs
    with Image.open(tmp_path / "report.png") as shot:
        colours = Counter({rgb: n for n, rgb in shot.convert("RGB").getcolors(1 << 24)})
    assert len(colours) > 50  # not blank: text, badges, bars, screenshots
    assert colours[(0x2A, 0x7D, 0xE1)] > 200  # the "after" bars of the charts are drawn
    assert colours[(0x9A, 0xA3, 0xAD)] > 200  # and the "before" bars
