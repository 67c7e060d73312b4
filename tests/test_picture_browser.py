"""End to end on the example: ``assetopt optimize`` rewrites the dashboard (its images wrapped in
``{% picture %}``), builds WebP/AVIF and width copies, Django renders the page, and Chromium, served
the rendered page and the built static root, fetches each picture in the format its first
``<source>`` names (``image/webp``/``image/avif`` in the response), the hero at the width its slot
needs, and never the fallback as well."""
from __future__ import annotations

import re
from pathlib import Path

from browser_support import copy_example, needs_browser
from click.testing import CliRunner

from assetopt.browser.chromium import CHROMIUM, CHROMIUM_ARGS
from assetopt.browser.server import serve
from assetopt.cli import cli

pytestmark = needs_browser


def test_the_example_dashboard_serves_its_pictures_as_chromium_expects(tmp_path: Path, monkeypatch):
    from playwright.sync_api import sync_playwright

    copy_example(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["optimize", "--out", "out", "--browser", "--no-throttle"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    (rewritten,) = [p for p in (tmp_path / "out").rglob("admin_dashboard.html") if "snapshots" not in p.parts]
    assert "{% picture %}<img src=\"{% static 'img/gen/hero.jpg' %}\"" in rewritten.read_text()
    html = (tmp_path / "out/snapshots/after/en/index.html").read_text()
    assert html.count("<picture>") >= 3 and "/static/img/gen/hero.960w.jpg 960w" in html

    with serve({"/": tmp_path / "out/snapshots/after", "/static/": tmp_path / "out/static"}) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        try:
            tab = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
            responses = []
            tab.on("response", lambda r: responses.append(r))
            tab.goto(base + "/en/", wait_until="load")
            tab.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # lazy images load too
            tab.wait_for_load_state("networkidle")
            tab.wait_for_function("[...document.images].every(i => i.complete)")
            pictures = tab.evaluate(
                """[...document.querySelectorAll('picture > img')].map(i => ({
                    src: i.currentSrc, cls: i.className,
                    type: (i.parentElement.querySelector('source[type]') || {type: ''}).type}))"""
            )
        finally:
            browser.close()
    by_url = {r.url: r for r in responses}
    # 1280 px viewport at 1x, hero sizes "(max-width: 1600px) 100vw, 1600px": a 1280 px slot, and of
    # 480/960/1440/1600 the narrowest that covers it is 1440 (in whichever format the page offers)
    (hero,) = [pic for pic in pictures if "dashboard-hero__image" in pic["cls"]]
    assert "/static/img/gen/hero.1440w." in hero["src"], hero
    modern = 0
    for pic in pictures:
        response = by_url[pic["src"]]
        assert response.status == 200, pic
        if pic["type"]:  # the first <source> the browser supports is the one it must have used
            assert response.headers["content-type"] == pic["type"], pic
            served = (tmp_path / "out/static" / pic["src"].split("/static/", 1)[1]).read_bytes()
            assert served[4:12] in (b"ftypavif", b"ftypavis") if pic["type"] == "image/avif" else served[8:12] == b"WEBP"
            modern += 1
        else:
            assert response.headers["content-type"] in ("image/jpeg", "image/png"), pic
    assert modern >= 1, pictures  # at least one image of the dashboard reaches Chromium as WebP/AVIF
    jpeg_or_png = [r for r in responses if "/static/img/gen/" in r.url and r.headers.get("content-type") in ("image/jpeg", "image/png")]
    sources_served = {pic["src"] for pic in pictures if pic["type"]}
    stem = lambda url: re.sub(r"(\.[0-9]+w)?\.[a-z]+$", "", url)  # noqa: E731 - img/gen/hero.1440w.avif -> img/gen/hero
    assert {stem(s) for s in sources_served}.isdisjoint(stem(r.url) for r in jpeg_or_png)  # never the fallback as well
