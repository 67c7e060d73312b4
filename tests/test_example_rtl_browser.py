"""The example's own CSS in both text directions on a phone (412x823, Lighthouse's mobile screen), as
the sources render it (DEBUG on: no bundle, no rewrite). Below 992 px the sidebar is an off-canvas
drawer and the shell stops painting the sidebar column; in Arabic ``[dir="rtl"] .app-shell`` (0,2,0)
outranked the small-screen ``.app-shell {background: none}`` (0,1,0), so a 248 px dark column stayed
on the right, under the page. Our tool's before/after screenshots cannot see such a bug (both sides
have it), so this checks the page against itself with the shell's background taken away, using the
same screenshot diff: nothing may change on a phone, while on a desktop the column must show."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_support import REPO, needs_browser

from assetopt.browser.chromium import open_browser
from assetopt.browser.server import serve
from assetopt.browser.snapshots import render_django_pages, write_snapshots
from assetopt.imaging.diff import screenshot_diff

pytestmark = [needs_browser, pytest.mark.slow]

NO_SHELL_BACKGROUND = ".app-shell { background: none !important }"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pages = tmp_path_factory.mktemp("rtl-pages")
    write_snapshots(render_django_pages("erp.settings", [REPO / "example"], ["/en/", "/ar/"], env={"DJANGO_DEBUG": "1"}), pages)
    return pages


def shell_column_diff(pages: Path, shots: Path, lang: str, width: int, height: int) -> float:
    """Screenshot the whole of /lang/, then again with the shell's background removed: the fraction of
    pixels the shell's background paints."""
    with serve({"/": pages, "/static/": REPO / "static_src"}) as base, open_browser() as chromium:
        ctx = chromium.new_context(viewport={"width": width, "height": height})
        try:
            page = ctx.new_page()
            page.goto(f"{base}/{lang}/", wait_until="load")
            page.wait_for_load_state("networkidle")
            assert page.evaluate("document.documentElement.dir") == ("rtl" if lang == "ar" else "ltr")
            page.screenshot(path=shots / f"{lang}-{width}.png", full_page=True)
            page.add_style_tag(content=NO_SHELL_BACKGROUND)
            page.screenshot(path=shots / f"{lang}-{width}-no-shell-background.png", full_page=True)
        finally:
            ctx.close()
    return screenshot_diff(shots / f"{lang}-{width}.png", shots / f"{lang}-{width}-no-shell-background.png", shots / f"{lang}-{width}-diff.png")


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_no_sidebar_column_on_a_phone_in_either_direction(site: Path, tmp_path: Path, lang: str):
    # in Arabic the 248 px column ran the page's whole height: 7.3 % of its pixels differed (the cards
    # hide the rest); a few stray pixels (~5 of 5.9 million, two loads of the same page) are noise
    assert shell_column_diff(site, tmp_path, lang, 412, 823) < 0.001


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_sidebar_column_shows_on_a_desktop(site: Path, tmp_path: Path, lang: str):
    # the check above can see the column: at 1350 px the shell paints it below the first screen, where
    # the sticky sidebar (one viewport tall, its own background) no longer covers it
    assert shell_column_diff(site, tmp_path, lang, 1350, 940) > 0.01
