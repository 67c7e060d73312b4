"""Pages of an Arabic/English site in the browser checks: a URL path of Arabic letters, as Django's
``reverse`` gives it (percent-escaped), is stored, served and named where the browser finds it."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest
from django.utils.encoding import iri_to_uri

from assetopt.browser.server import serve
from assetopt.browser.snapshots import served_path, shot_stem, snapshot_relpath, write_snapshots
from assetopt.errors import AssetoptError

PRODUCTS = "/ar/منتجات/"  # "products", as an Arabic site's URL pattern spells it
REVERSED = iri_to_uri(PRODUCTS)  # what django.urls.reverse returns for it


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:  # noqa: S310 - a local server this test started
            return r.status, r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, ""


def test_reverse_gives_the_escaped_path() -> None:
    assert REVERSED == "/ar/%D9%85%D9%86%D8%AA%D8%AC%D8%A7%D8%AA/"  # UTF-8 of م ن ت ج ا ت, escaped


@pytest.mark.parametrize("url", [PRODUCTS, REVERSED], ids=["as_written", "as_reversed"])
def test_a_page_with_an_arabic_path_is_served_where_the_browser_asks_for_it(tmp_path: Path, url: str) -> None:
    """A page given as a URL name (``ASSETOPT["PAGES"] = ["shop:products"]``) is reversed to the
    escaped path; its snapshot was written under a folder literally named ``%D9%85...``, while the
    server decodes the request path: every measure of the page was the server's 404."""
    write_snapshots({url: {"html": "<!DOCTYPE html><p>منتجات</p>"}}, tmp_path / "pages")
    with serve({"/": tmp_path / "pages"}) as base:
        assert _get(base + served_path(url)) == (200, "<!DOCTYPE html><p>منتجات</p>")
        assert _get(base + REVERSED)[0] == 200  # what Chromium sends for either spelling
    assert snapshot_relpath(url) == "ar/منتجات/index.html"
    assert served_path(url) == REVERSED  # ASCII, as a browser sends it
    assert shot_stem(url) == "ar-منتجات"  # one screenshot name for both spellings


def test_an_escaped_dot_dot_is_refused_as_a_plain_one() -> None:
    with pytest.raises(AssetoptError, match=r"\. and \.\. are not allowed"):
        snapshot_relpath("/en/%2e%2e/secret/")


def test_ascii_paths_keep_their_names() -> None:
    assert [(snapshot_relpath(u), served_path(u)) for u in ("/", "/en/", "/en/about", "/en/a b/")] == [
        ("index.html", "/"),
        ("en/index.html", "/en/"),
        ("en/about.html", "/en/about.html"),
        ("en/a b/index.html", "/en/a%20b/"),
    ]
