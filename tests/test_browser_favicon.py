"""Chromium's own /favicon.ico request in a fresh browser (its own module: the request is made once per
browser, and the other browser tests share one)."""

from __future__ import annotations

from browser_support import needs_chromium

from assetopt.browser.chromium import open_browser, serve


@needs_chromium
def test_chromiums_own_favicon_request_is_no_console_error_of_the_first_page(tmp_path):
    """Chromium asks for /favicon.ico by itself once per browser when a page names no icon, and logs
    its 404 as an error of whichever page loads first: every run's first page had a console error, and
    verify called it new when the pages came in another order. Other 404s stay errors."""
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "plain.html").write_text("<html><body><h1>plain</h1></body></html>")
    (pages / "broken.html").write_text("<html><body><h1>plain</h1><script src='/nothing.js'></script></body></html>")
    with serve({"/pages/": pages}) as base, open_browser() as fresh:
        first = fresh.measure(f"{base}/pages/plain.html", screenshot=tmp_path / "first.png")
        broken = fresh.measure(f"{base}/pages/broken.html", screenshot=tmp_path / "broken.png")
    assert first.console_errors == ()
    assert broken.failed == (f"404 {base}/nothing.js",) and len(broken.console_errors) == 1 and "404" in broken.console_errors[0]
