"""The example dashboard after the rewrite's one reordering (docs/scripts.md, "Inline scripts that
commute"), proven in Chromium in both languages: the Select2 defaults script moved after
jquery.dataTables.js, which joined the vendor bundle. The example is deployed like production
(``rewrite`` + ``collectstatic`` with DEBUG off) and compared with the sources as Django renders them:
the same window globals, the same Select2 and DataTables defaults, the same DOM after load (Select2
and DataTables build theirs from those defaults on DOMContentLoaded), no new console errors; and the
page makes 4 CSS+JS requests (it made 5), none of them a parser-blocking script in ``<head>``."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from browser_support import REPO, needs_browser

from assetopt.browser.chromium import open_browser, serve
from assetopt.browser.snapshots import render_django_pages

pytestmark = [needs_browser, pytest.mark.slow]

# the dashboard, and the pages where Select2 (products) and DataTables (orders) build their DOM from
# the defaults the moved script sets
URLS = [f"/{lang}/{page}" for lang in ("en", "ar") for page in ("", "inventory/products/", "sales/orders/")]
STATE = {
    "globals": "Object.keys(window).sort()",
    # the three values base.html's inline script sets, in the language of the page
    "select2": "(d => [d.dir, d.language, d.width])($.fn.select2.defaults.defaults)",
    "select2_all": "JSON.stringify($.fn.select2.defaults.defaults, (k, v) => typeof v === 'function' ? 'fn' : v)",
    "datatables": "JSON.stringify($.fn.dataTable.defaults, (k, v) => typeof v === 'function' ? 'fn' : v)",
    "page_length": "$.fn.dataTable.defaults.pageLength",
    "csrf_hook": "typeof $.ajaxSettings.beforeSend",
    # scripts out (the moved one and the bundles), whitespace collapsed
    "body": "document.body.innerHTML.replace(/<script[\\s\\S]*?<\\/script>/g, '').replace(/\\s+/g, ' ')",
    "select2_built": "document.querySelectorAll('.select2-container').length",
    "tables_built": "document.querySelectorAll('.dataTables_wrapper').length",
    "css_js": "document.querySelectorAll('link[rel=stylesheet], script[src]').length",
    "blocking_in_head": "document.head.querySelectorAll('script[src]:not([defer]):not([async]):not([type=module])').length",
}
_HASHED = re.compile(r"(/static/[^\"' )]*?)\.[0-9a-f]{12}(\.\w+)")
_TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=)"[^"]*"')
_SELECT2_ID = re.compile(r"(select2-[\w-]+?)-[a-z0-9]{2}-(container|results)")  # Select2 draws two random characters per id


def _same(text: str) -> str:
    """Hashed static names (the deployed side's manifest), per-render CSRF tokens and Select2's random
    ids made comparable."""
    return _SELECT2_ID.sub(r"\1-?-\2", _TOKEN.sub(r"\1", _HASHED.sub(r"\1\2", text)))


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from example_site import deploy_example

    tmp = tmp_path_factory.mktemp("rejoin")
    root, _, _ = deploy_example(tmp, frozenset({"bundles"}))
    base = (tmp / "templates/base.html").read_text()
    datatables, defaults = base.index("jquery.dataTables.js"), base.index("$.fn.select2.defaults.set")
    assert datatables < defaults and "{% endbundle %}" in base[datatables:defaults] and base.count("jquery.dataTables.js") == 1
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    after_env = {**env, "ERP_TEMPLATES_DIR": str(tmp / "templates"), "ERP_STATIC_ROOT": str(root), "DJANGO_DEBUG": "0"}
    paths = [REPO / "example", REPO / "tests"]
    for side, side_env in (("before", env), ("after", after_env)):
        rendered = render_django_pages("erp.settings", paths, URLS, env=side_env, keep_storages=True)
        for url, page in rendered.items():
            out = tmp / side / url.strip("/") / "index.html"
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(page["html"])
    return {"tmp": tmp, "static_root": root}


@pytest.mark.parametrize("url", URLS)
def test_moved_defaults_script_leaves_the_page_the_same_in_chromium(pages: dict[str, Path], url: str):
    tmp = pages["tmp"]
    lang = url.split("/")[1]
    routes = {"/before/": tmp / "before", "/after/": tmp / "after", "/static/": [pages["static_root"], REPO / "static_src"]}
    with serve(routes) as base, open_browser() as browser:
        before, before_errors = browser.state(f"{base}/before{url}", STATE)
        after, after_errors = browser.state(f"{base}/after{url}", STATE)
    # what base.html's inline scripts set, read from the template by hand: dir by LANGUAGE_BIDI, the
    # language code, width 100%; rows_per_page defaults to 25; the CSRF hook is installed
    assert before["select2"] == (["rtl", "ar", "100%"] if lang == "ar" else ["ltr", "en", "100%"])
    assert (before["page_length"], before["csrf_hook"]) == (25, "function")
    if "products" in url:
        assert before["select2_built"] > 0  # Select2 built its DOM from those defaults
    if "orders" in url:
        assert before["tables_built"] > 0  # so did DataTables
    for key in ("globals", "select2", "select2_all", "datatables", "page_length", "csrf_hook", "select2_built", "tables_built"):
        assert after[key] == before[key], key
    assert _same(after["body"]) == _same(before["body"])
    assert [e for e in map(_same, after_errors) if e not in set(map(_same, before_errors))] == []
    assert after["blocking_in_head"] == 0
    if url == f"/{lang}/":
        assert (tmp / "after" / lang / "index.html").read_text().count("/static/assetopt/") == 3
        assert after["css_js"] == 4 < before["css_js"]  # the CSS bundle, print CSS, two JS bundles


def test_a_move_past_a_script_that_reads_the_defaults_is_caught(pages: dict[str, Path]):
    """The control: the same defaults script moved by hand past js/core/select2.js (which names
    ``select2``, so the rule refuses that move) leaves the same globals but another DOM in Arabic:
    Select2 built its widgets before the defaults said rtl. The comparison above would see it."""
    tmp = pages["tmp"]
    html = (tmp / "before/ar/inventory/products/index.html").read_text()
    defaults = re.search(r"\s*<script>\s*\$\.fn\.select2\.defaults\.set\(.*?</script>", html, re.S)
    assert defaults is not None
    moved = html.replace(defaults.group(), "", 1).replace("</body>", defaults.group() + "\n</body>", 1)
    (tmp / "control/ar/inventory/products").mkdir(parents=True)
    (tmp / "control/ar/inventory/products/index.html").write_text(moved)
    routes = {"/before/": tmp / "before", "/control/": tmp / "control", "/static/": REPO / "static_src"}
    with serve(routes) as base, open_browser() as browser:
        before, _ = browser.state(f"{base}/before/ar/inventory/products/", STATE)
        control, _ = browser.state(f"{base}/control/ar/inventory/products/", STATE)
    assert control["select2"] == before["select2"] == ["rtl", "ar", "100%"]  # the globals alone cannot tell
    assert _same(control["body"]) != _same(before["body"])
