"""The before/after browser table names each page once: template and URL."""

from __future__ import annotations

from assetopt.verify.measures import BrowserEntry, BrowserMeasure
from assetopt.verify.tables import browser_table


def _entry(url: str) -> BrowserEntry:
    m = BrowserMeasure(url=url, request_count=3)
    return BrowserEntry(url=url, before=m, after=m, diff=None)


def test_two_urls_of_one_template_each_show_their_url_once() -> None:
    # browser.check names the second page of a template "template (url)"; the table adds the URL itself.
    table = browser_table({"dash.html": _entry("/ar/"), "dash.html (/en/)": _entry("/en/")})
    rows = [line.split("|")[1].strip() for line in table.splitlines()[2:]]
    assert rows == ["dash.html (/ar/)", "dash.html (/en/)"]
