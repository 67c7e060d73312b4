"""A bundle joins stylesheets saved in different encodings: Chromium shows every file's text right.

Each source is decoded by its own BOM or ``@charset`` and the bundle is written as UTF-8 saying
``@charset "UTF-8"``: a foreign label hoisted over UTF-8 bytes made Arabic text mojibake.
Real files, a real ``assetopt build``, served by ``browser.serve`` (``text/css`` without a charset
parameter, so the stylesheet's own ``@charset`` decides, as on many servers), read in Chromium.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_support import needs_chromium

from assetopt.browser.chromium import CHROMIUM, CHROMIUM_ARGS
from assetopt.browser.server import serve
from assetopt.build import BuildOptions, build

pytestmark = needs_chromium

ARABIC = "\u0645\u0631\u062d\u0628\u0627"  # marhaba
PERSIAN = "\u0633\u0644\u0627\u0645"  # salam
LATIN = "caf\u00e9 \u20ac"  # the euro sign is 0x80 in windows-1252, which browsers use for "iso-8859-1"
SOURCES = {
    "css/latin.css": f'@charset "iso-8859-1";\n.latin::before {{ content: "{LATIN}"; }}\n'.encode("cp1252"),
    "css/legacy.css": f'@charset "windows-1256";\n.legacy::before {{ content: "{PERSIAN}"; }}\n'.encode("cp1256"),
    "css/ar.css": f'.ar::before {{ content: "{ARABIC}"; }}\n'.encode(),
    "css/bom.css": b"\xef\xbb\xbf" + f'.bom::before {{ content: "{ARABIC}!"; }}\n'.encode(),
}
ASCII_LABELLED = {  # what the build used to hoist: a foreign label over the UTF-8 bytes of the next file
    "css/latin.css": b'@charset "iso-8859-1";\n.latin::before { content: "cafe"; }\n',
    "css/ar.css": SOURCES["css/ar.css"],
}


def block(sources: dict[str, bytes]) -> str:
    links = "".join(f'<link rel="stylesheet" href="{{% static \'{name}\' %}}">' for name in sources)
    return '{% load static assetopt %}<html><head>{% bundle "css" %}' + links + "{% endbundle %}</head><body></body></html>"


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        pytest.param(SOURCES, {"latin": f'"{LATIN}"', "legacy": f'"{PERSIAN}"', "ar": f'"{ARABIC}"', "bom": f'"{ARABIC}!"'}, id="four_encodings"),
        pytest.param(ASCII_LABELLED, {"latin": '"cafe"', "ar": f'"{ARABIC}"'}, id="foreign_label_on_ascii_file_first"),
    ],
)
def test_arabic_from_one_file_renders_right_next_to_windows_1256_and_iso_8859_1_files(
    tmp_path: Path, make_project, sources: dict[str, bytes], expected: dict[str, str]
):
    from playwright.sync_api import sync_playwright

    project = make_project(templates={"page.html": block(sources)}, static=sources)
    out = tmp_path / "out"
    result = build(project, BuildOptions(out=out, precompress=False))
    ((bundle,),) = [[f.name for f in b.files] for b in result.manifest.bundles.values()]
    data = (out / bundle).read_bytes()
    assert data.startswith(b'@charset "UTF-8";') and data.count(b"@charset") == 1
    (tmp_path / "site").mkdir()
    html = (
        "<!doctype html><meta charset='utf-8'>"
        + f"<link rel='stylesheet' href='/static/{bundle}'>"
        + "".join(f"<p class='{c}'></p>" for c in expected)
    )
    (tmp_path / "site/index.html").write_text(html, encoding="utf-8")
    with serve({"/": tmp_path / "site", "/static/": out}) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        try:
            tab = browser.new_page()
            tab.goto(base + "/", wait_until="load")
            shown = tab.evaluate("[...document.querySelectorAll('p')].map(p => [p.className, getComputedStyle(p, '::before').content])")
        finally:
            browser.close()
    assert dict(shown) == expected
