"""Deferred script runs, proven in Chromium: a page written from scratch is rewritten (``assetopt
rewrite --out``), built (``assetopt build``), rendered by Django before and after, and loaded in
Chromium. The after page has the same globals, the same DOM after load and no new console errors; its
script run is one deferred bundle. The negative control: the page whose inline script calls into the
run at parse time is left blocking by the rewrite, and deferring it by hand breaks it in Chromium."""

from __future__ import annotations

from pathlib import Path

import django_settings
import pytest
from browser_support import needs_chromium
from click.testing import CliRunner

from assetopt.browser.chromium import open_browser, serve
from assetopt.cli import cli

pytestmark = needs_chromium

STATIC = {
    # lib.js defines a global at parse time; plugin.js uses it at parse time (order matters)
    "js/lib.js": "window.Lib = { log: [] };\nLib.log.push('lib');\n",
    "js/plugin.js": (
        "Lib.log.push('plugin');\nfunction ErpPlugin(el) { el.setAttribute('data-init', Lib.log.join(',')); el.textContent = 'ready'; }\n"
    ),
}
HEAD = (
    '{% load static %}<!DOCTYPE html><html><head><meta charset="utf-8"><title>{{ title }}</title><link rel="icon" href="data:,">\n'
    "<script src=\"{% static 'js/lib.js' %}\"></script>\n"
    "<script src=\"{% static 'js/plugin.js' %}\"></script>\n"
    '</head><body><div id="a"></div><p>{% if title %}Orders{% endif %}</p>\n'
)
AFTER_LOAD = (
    "<script>\n"
    "  window.addEventListener('load', () => { Lib.log.push('load'); });\n"
    "  document.addEventListener('DOMContentLoaded', function () {\n"
    "    ErpPlugin(document.getElementById('a'));\n"
    "    document.getElementById('a').setAttribute('data-token', '{{ token }}');\n"
    "  });\n"
    "</script>\n"
)
PARSE_TIME = "<script>ErpPlugin(document.getElementById('a'));</script>\n"
DATA = '<script>window.ERP_CONFIG = {token: "{{ token }}", rows: 25};</script>\n'
READS_DATA = "<script>document.addEventListener('DOMContentLoaded', () => { document.body.setAttribute('data-rows', ERP_CONFIG.rows + Lib.log.length); });</script>\n"
PAGES = {
    "after_load.html": HEAD + AFTER_LOAD + "<p>end</p></body></html>\n",
    "data_moved.html": HEAD + AFTER_LOAD + DATA + READS_DATA + "</body></html>\n",
    "parse_time.html": HEAD + PARSE_TIME + "</body></html>\n",
}
STATE = {
    "lib": "typeof window.Lib",
    "plugin": "typeof window.ErpPlugin",
    "config": "JSON.stringify(window.ERP_CONFIG)",
    "rows": "document.body.getAttribute('data-rows')",
    "log": "window.Lib ? window.Lib.log.join(',') : null",
    # scripts out, whitespace collapsed: a data script moved into <head> takes its line break with it
    "body": "document.body.innerHTML.replace(/<script[\\s\\S]*?<\\/script>/g, '').replace(/\\s+/g, ' ')",
    "blocking": "[...document.querySelectorAll('script[src]')].filter(s => !s.defer && !s.async).length",
    "scripts": "document.querySelectorAll('script[src]').length",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("defer")
    for name, text in {**{f"templates/{k}": v for k, v in PAGES.items()}, **{f"static/{k}": v for k, v in STATIC.items()}}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    flags = ["--project", str(root), "--templates", str(root / "templates"), "--static", str(root / "static")]
    runner = CliRunner()
    rewrite = runner.invoke(cli, ["rewrite", *flags, "--only", "bundles", "--out", str(root / "after"), "--explain"], catch_exceptions=False)
    assert rewrite.exit_code == 0, rewrite.output
    (root / "rewrite.txt").write_text(rewrite.output)
    built = runner.invoke(
        cli,
        [
            "build",
            *flags[:2],
            "--templates",
            str(root / "after/templates"),
            "--static",
            str(root / "static"),
            "--out",
            str(root / "out"),
            "--no-images",
        ],
        catch_exceptions=False,
    )
    assert built.exit_code == 0, built.output
    return root


def _render(templates: Path, static_root: Path, name: str, pages: Path) -> None:
    from django.template import engines
    from django.test.utils import override_settings

    django_settings.configure()
    backend = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [str(templates)], "OPTIONS": {"builtins": []}}]
    with override_settings(
        TEMPLATES=backend, STATIC_ROOT=str(static_root), STATIC_URL="/static/", DEBUG=False, ASSETOPT={"BUNDLES": True, "STRICT": True}
    ):
        html = engines["django"].get_template(name).render({"title": "Orders", "token": "t0k"})
    (pages / name).parent.mkdir(parents=True, exist_ok=True)
    (pages / name).write_text(html)


def test_rewrite_defers_only_the_run_nothing_needs_at_parse_time(site: Path):
    after = (site / "after/templates/after_load.html").read_text()
    assert "<script defer src=\"{% static 'js/lib.js' %}\">" in after and '{% bundle "js" %}' in after
    moved = (site / "after/templates/data_moved.html").read_text()
    assert moved.index("window.ERP_CONFIG") < moved.index('{% bundle "js" %}') < moved.index("<script defer src=")
    assert moved.count("window.ERP_CONFIG") == 1
    kept = (site / "after/templates/parse_time.html").read_text()
    assert "defer" not in kept and '{% bundle "js" %}' in kept
    assert (
        "2 scripts stay parser-blocking: line 5: an inline script after the run runs `ErpPlugin(document.getElementById('a'));` at parse time"
        in (site / "rewrite.txt").read_text()
    )


@pytest.mark.parametrize("name", sorted(PAGES))
def test_rewritten_and_built_page_has_the_same_globals_dom_and_no_new_errors(site: Path, tmp_path: Path, name: str):
    _render(site / "templates", site / "out", name, tmp_path / "before")
    _render(site / "after/templates", site / "out", name, tmp_path / "after")
    assert "/static/assetopt/" in (tmp_path / "after" / name).read_text()
    with (
        serve({"/before/": tmp_path / "before", "/after/": tmp_path / "after", "/static/": [site / "out", site / "static"]}) as base,
        open_browser() as browser,
    ):
        before, before_errors = browser.state(f"{base}/before/{name}", STATE)
        after, after_errors = browser.state(f"{base}/after/{name}", STATE)
    assert before_errors == () and after_errors == ()
    same = ("lib", "plugin", "config", "rows", "log", "body")
    assert {k: after[k] for k in same} == {k: before[k] for k in same}
    assert (before["lib"], before["plugin"]) == ("object", "function")
    assert 'data-init="lib,plugin"' in before["body"]
    assert (before["scripts"], before["blocking"]) == (2, 2)
    assert (after["scripts"], after["blocking"]) == ((1, 1) if name == "parse_time.html" else (1, 0))
    if name == "data_moved.html":
        assert (before["config"], before["rows"]) == ('{"token":"t0k","rows":25}', "27")


def test_deferring_a_run_an_inline_script_needs_at_parse_time_breaks_the_page(site: Path, tmp_path: Path):
    """Why the rewrite refused: the same page with defer added by hand fails in Chromium."""
    pages = tmp_path / "pages"
    pages.mkdir()
    broken = PAGES["parse_time.html"].replace("<script src=", "<script defer src=").replace("{% load static %}", "")
    (pages / "p.html").write_text(
        broken.replace("{% static 'js/lib.js' %}", "/static/js/lib.js")
        .replace("{% static 'js/plugin.js' %}", "/static/js/plugin.js")
        .replace("{{ title }}", "Orders")
        .replace("{% if title %}Orders{% endif %}", "Orders")
    )
    with serve({"/p/": pages, "/static/": site / "static"}) as base, open_browser() as browser:
        _, errors = browser.state(f"{base}/p/p.html", STATE)
    assert any("ErpPlugin is not defined" in e for e in errors), errors
