"""browser/server.serve: the local server of the browser checks sends what production would."""

from __future__ import annotations

import gzip
import urllib.error
import urllib.request
from pathlib import Path

import brotli
import pytest
from browser_support import needs_chromium

from assetopt.browser.server import serve

CSS = b"p { color: rgb(0, 0, 255); }\n" * 40


def _get(url: str, accept: str | None) -> tuple[bytes, dict[str, str]]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": accept} if accept else {})
    with urllib.request.urlopen(request) as response:  # noqa: S310 - 127.0.0.1 only
        return response.read(), {k.lower(): v for k, v in response.headers.items()}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "app.css").write_bytes(CSS)
    (tmp_path / "app.css.br").write_bytes(brotli.compress(CSS))
    (tmp_path / "app.css.gz").write_bytes(gzip.compress(CSS, mtime=0))
    (tmp_path / "plain.css").write_bytes(CSS)
    return tmp_path


@pytest.mark.parametrize(
    ("accept", "encoding"),
    [
        pytest.param("gzip, deflate, br", "br", id="brotli_first"),
        pytest.param("gzip", "gzip", id="gzip_only"),
        pytest.param(None, None, id="identity_without_accept_encoding"),
    ],
)
def test_a_precompressed_sibling_is_sent_with_its_content_encoding(root: Path, accept, encoding):
    with serve({"/static/": root}) as base:
        body, headers = _get(base + "/static/app.css", accept)
    assert headers.get("content-encoding") == encoding
    assert headers["content-type"] == "text/css"
    decoded = {"br": brotli.decompress, "gzip": gzip.decompress, None: lambda b: b}[encoding](body)
    assert decoded == CSS
    assert int(headers["content-length"]) == len(body)


def test_a_file_without_siblings_and_a_missing_file_are_served_as_before(root: Path):
    with serve({"/static/": root}) as base:
        body, headers = _get(base + "/static/plain.css", "br")
        assert (body, headers.get("content-encoding")) == (CSS, None)
        with pytest.raises(urllib.error.HTTPError) as missing:
            _get(base + "/static/nothing.css", "br")
    missing.value.close()  # an HTTPError holds the response: close its socket
    assert missing.value.code == 404


@needs_chromium
def test_chromium_receives_the_brotli_sibling(tmp_path: Path):
    """The .br holds other rules than the plain file: the computed colour shows which one arrived."""
    from playwright.sync_api import sync_playwright

    from assetopt.browser.chromium import CHROMIUM, CHROMIUM_ARGS

    (tmp_path / "index.html").write_text('<!doctype html><link rel="icon" href="data:,"><link rel="stylesheet" href="/app.css"><p>x</p>')
    (tmp_path / "app.css").write_text("p { color: rgb(0, 0, 255); }")
    (tmp_path / "app.css.br").write_bytes(brotli.compress(b"p { color: rgb(255, 0, 0); }"))
    with serve({"/": tmp_path}) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        try:
            page = browser.new_page()
            page.goto(base + "/")
            colour = page.evaluate("getComputedStyle(document.querySelector('p')).color")
        finally:
            browser.close()
    assert colour == "rgb(255, 0, 0)"
