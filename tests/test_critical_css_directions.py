"""Critical CSS on an Arabic/English site: each text direction links its own variant of the CSS bundle
(``{% if LANGUAGE_BIDI %}`` inside ``{% bundle %}``). A variant no measured page links keeps its
render-blocking ``<link>``; the run says so, naming its files and what to add to critical_css_urls."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from browser_support import needs_chromium

from assetopt.browser.chromium import open_browser
from assetopt.browser.critical import critical_pass
from assetopt.build.critical import critical_markup, rebase_urls
from assetopt.build.manifest import MANIFEST_NAME, Manifest, ManifestBundle, ManifestFile, load_manifest

pytestmark = needs_chromium

BASE_CSS = "body{margin:0;font:16px/1.4 sans-serif}.top{height:120px;background:#136f63;color:#fff}.far{margin-top:3000px}"
RTL_CSS = "body{direction:rtl;text-align:right}.top{padding-right:20px}"
# the two variants the build writes for base.html's {% bundle "css" %}: key, file, sources, text
VARIANTS = {
    "ltr": ("assetopt/base-ltr.css", ("css/base.css",), BASE_CSS),
    "rtl": ("assetopt/base-rtl.css", ("css/base.css", "css/rtl.css"), BASE_CSS + RTL_CSS),
}
DIGEST = "sha256-" + base64.b64encode(hashlib.sha256(b"base.html").digest()).decode()


def _site(tmp_path: Path) -> tuple[Path, Manifest]:
    static = tmp_path / "static"
    (static / "assetopt").mkdir(parents=True)
    bundles = {}
    for key, (name, sources, css) in VARIANTS.items():
        (static / name).write_text(css)
        sri = "sha384-" + base64.b64encode(hashlib.sha384(css.encode()).digest()).decode()
        bundles[key] = ManifestBundle(key, "css", "all", sources, (ManifestFile(name, sri, sources, len(css)),))
    manifest = Manifest(bundles)
    (static / MANIFEST_NAME).write_text(manifest.dumps())
    return static, manifest


def _render(static: Path, urls: list[str]):
    """What Django would render: /ar/ (LANGUAGE_BIDI) links the RTL variant, every other page the LTR one."""

    def render(critical_on: bool) -> dict[str, dict[str, object]]:
        out: dict[str, dict[str, object]] = {}
        manifest = load_manifest(static / MANIFEST_NAME)
        for url in urls:
            rtl = url.startswith("/ar/")
            entry = manifest.bundles["rtl" if rtl else "ltr"]
            href = f"/static/{entry.files[0].name}"
            if critical_on and entry.critical is not None:
                head = critical_markup(rebase_urls(entry.critical.css, href), href, entry.files[0].integrity, {}, None)
            else:
                head = f'<link rel="stylesheet" href="{href}" integrity="{entry.files[0].integrity}">'
            html = (
                f'<!DOCTYPE html><html lang="{"ar" if rtl else "en"}" dir="{"rtl" if rtl else "ltr"}"><head>'
                f'<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">{head}</head>'
                f'<body><div class="top">{"متجر" if rtl else "Shop"}</div><div class="far">far</div></body></html>'
            )
            out[url] = {"html": html, "status": 200}
        return out

    return render


def _critical(chromium, static: Path, manifest: Manifest, tmp_path: Path, urls: list[str]):
    return critical_pass(
        chromium, manifest, static / MANIFEST_NAME, static, "/static/", urls, _render(static, urls), tmp_path / "work", templates_digest=DIGEST
    )


def test_the_rtl_variant_no_measured_page_links_is_named_with_what_to_add(tmp_path: Path) -> None:
    """critical_css_urls = ["/en/"] on an Arabic/English site: the LTR variant was inlined, the RTL one
    kept its render-blocking <link> and the run printed nothing about it."""
    static, manifest = _site(tmp_path)
    with open_browser() as chromium:
        report = _critical(chromium, static, manifest, tmp_path, ["/en/"])
    after = load_manifest(static / MANIFEST_NAME).bundles
    assert after["ltr"].critical is not None and after["rtl"].critical is None
    assert set(report.inlined) == {"ltr"}
    assert report.skipped == {
        "rtl": "no measured page links it (/en/; its files: css/base.css, css/rtl.css): if a page renders it, add that page"
        " to critical_css_urls (CRITICAL_CSS_URLS), e.g. one per text direction: /en/ and /ar/"
    }
    assert f"critical CSS: assetopt/base-rtl.css: not inlined, {report.skipped['rtl']}" in report.lines


def test_with_a_page_of_each_direction_both_variants_are_inlined_and_nothing_is_said_missing(tmp_path: Path) -> None:
    static, manifest = _site(tmp_path)
    with open_browser() as chromium:
        report = _critical(chromium, static, manifest, tmp_path, ["/en/", "/ar/"])
    after = load_manifest(static / MANIFEST_NAME).bundles
    assert report.skipped == {}
    assert after["ltr"].critical is not None and after["ltr"].critical.pages == ("/en/",)
    assert after["rtl"].critical is not None and after["rtl"].critical.pages == ("/ar/",)
    # the RTL rules are in the RTL variant's critical CSS only
    assert "direction:rtl" in after["rtl"].critical.css and "direction" not in after["ltr"].critical.css
