"""In Chromium, a script minified by minify-go defines the same globals as its source, with the same
``typeof`` and the same values where they are data, and logs no error.

Two scripts: a fixture with what rjsmin damages (nested template literals, an HTML-like comment,
an escaped identifier) whose functions are called on the page, and the example's 94 KB order form
(after jQuery, as its page loads it), minified by the backend directly since rjsmin handles it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from browser_support import REPO, needs_browser

from assetopt.browser.chromium import CHROMIUM, CHROMIUM_ARGS
from assetopt.browser.server import serve
from assetopt.bundler import minify_js
from assetopt.text import js_parsed

pytestmark = [needs_browser, pytest.mark.skipif(not js_parsed.available(), reason="minify-go is not installed (pip install 'assetopt[modern-js]')")]

FIXTURE = """\
/*! fixture: what rjsmin 1.3 damages */
var VERSION = '1.0';
<!-- an HTML-like comment, to the end of the line
var \\u0061bc = 3;
--> an HTML-like closing comment at the start of a line
var LABELS = { save: 'Save', cancel: 'Cancel' };
function hint(b) {
  return `x.${b ? ` Use "${b}" now.` : ""}`;
}
function rows(items) {
  return items.map(function (item, index) {
    return `<tr data-i="${index}">${item.tags.map((t) => `<td class="${t ? `t-${t}` : "none"}">  ${t}  </td>`).join("")}</tr>`;
  }).join("\\n");
}
var counter = (function () { var n = 0; return { next: function () { return ++n; } }; })();
window.RESULTS = [hint("Tab"), hint(""), rows([{ tags: ["a", ""] }, { tags: ["b"] }]), abc, counter.next()];
"""
# What the page reads: every global a script added (name -> typeof), and the data ones' JSON
# (jQuery's expando property is named at random on each load).
GLOBALS_JS = """() => {
  const out = {};
  for (const name of Object.getOwnPropertyNames(window)) {
    if (window.__before.has(name)) continue;
    const v = window[name], t = typeof v;
    out[name.replace(/^jQuery\\d+$/, 'jQuery<expando>')] = [t, t === 'function' ? v.length : (t === 'object' && name !== 'jQuery' ? JSON.stringify(v, (k, x) => typeof x === 'function' ? 'fn/' + x.length : x) : String(t === 'function' ? '' : v))];
  }
  return out;
}"""


def _order_form_markup() -> str:
    """The example's order form markup (its ``<form>``, template tags dropped), so the script runs its set-up."""
    html = (REPO / "example/templates/sales/order_form.html").read_text(encoding="utf-8")
    form = html[html.index("<form") : html.index("</form>") + len("</form>")]
    return re.sub(r"\{%.*?%\}|\{\{.*?\}\}", "", form, flags=re.DOTALL)


SNAPSHOT = "<script>window.__before = new Set(Object.getOwnPropertyNames(window));</script>"


def _page(tmp_path: Path, name: str, scripts: list[str]) -> None:
    tags = "".join(f'<script src="{s}"></script>' for s in scripts)
    (tmp_path / name).write_text(
        f"<!doctype html><meta charset='utf-8'><link rel='icon' href='data:,'>{SNAPSHOT}{_order_form_markup()}{tags}", encoding="utf-8"
    )


def _load(base: str, page: str) -> tuple[dict[str, list[object]], list[str]]:
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        try:
            tab = browser.new_page()
            tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            tab.on("pageerror", lambda e: errors.append(str(e)))
            tab.goto(f"{base}/{page}", wait_until="load")
            found = tab.evaluate(GLOBALS_JS)
        finally:
            browser.close()
    return found, errors


@pytest.mark.parametrize(
    ("source", "before"),
    [
        pytest.param("fixture", [], id="nested_templates_and_html_comments"),
        pytest.param("static_src/js/sales/order_form.js", ["static_src/vendor/jquery/jquery.js"], id="example_order_form"),
    ],
)
def test_minify_go_output_defines_the_same_globals_in_chromium_and_logs_no_error(tmp_path: Path, source: str, before: list[str]) -> None:
    text = FIXTURE if source == "fixture" else (REPO / source).read_text(encoding="utf-8")
    if source == "fixture":
        minified, warning = minify_js(text, "fixture.js")  # rjsmin would damage it: minify-go takes over
        assert warning is None
    else:
        minified = js_parsed.minify_parsed(text)  # rjsmin handles this one: ask the backend directly
    assert len(minified) < len(text) * 0.7
    (tmp_path / "src.js").write_text(text, encoding="utf-8")
    (tmp_path / "min.js").write_text(minified, encoding="utf-8")
    for i, lib in enumerate(before):
        (tmp_path / f"lib{i}.js").write_bytes((REPO / lib).read_bytes())
    libs = [f"lib{i}.js" for i in range(len(before))]
    _page(tmp_path, "before.html", [*libs, "src.js"])
    _page(tmp_path, "after.html", [*libs, "min.js"])
    with serve({"/": tmp_path}) as base:
        globals_before, errors_before = _load(base, "before.html")
        globals_after, errors_after = _load(base, "after.html")
    assert errors_before == [] and errors_after == []
    assert globals_after == globals_before
    if source == "fixture":
        assert {"VERSION", "abc", "LABELS", "hint", "rows", "counter", "RESULTS"} <= set(globals_before)
        assert json.loads(str(globals_after["RESULTS"][1]))[0] == 'x. Use "Tab" now.'
    else:
        assert "OrderForm" in globals_before
