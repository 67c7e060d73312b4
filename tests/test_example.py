"""The bundled example ERP site: its pages render, and its audit shows the problems it was built to show."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assetopt.audit.report import SCHEMA, SCHEMA_VERSION, to_json
from assetopt.audit.run import run_audit
from assetopt.config import load_config
from assetopt.io.project import Project

REPO = Path(__file__).resolve().parent.parent
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (REPO / "static_src" / "vendor").is_dir(), reason="run `python example/prepare.py` first (the README's commands do)"),
]


@pytest.fixture(scope="module")
def audit_result(tmp_path_factory):
    config = load_config(REPO, {"cache_dir": str(tmp_path_factory.mktemp("cache"))})
    return run_audit(Project(config))


@pytest.fixture(scope="module")
def rendered():
    from example_site import render_example

    return render_example()


def dashboard(result):
    return next(p for p in result.pages if p.name == "dashboard/admin_dashboard.html")


def test_every_example_page_renders_in_english_and_arabic(rendered):
    bad = {url: status for url, (status, _) in rendered.items() if status != 200}
    assert bad == {}
    ar = rendered["/ar/"][1]
    assert 'dir="rtl"' in ar and "bootstrap.rtl.css" in ar
    assert 'dir="ltr"' in rendered["/en/"][1]


def test_rendered_dashboard_really_has_23_stylesheets_and_21_plus_images(rendered):
    html = rendered["/en/"][1]
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    assert len(soup.select('link[rel="stylesheet"]')) == 23
    imgs = soup.find_all("img")
    assert len(imgs) >= 21
    assert not [i for i in imgs if i.get("loading") == "lazy"]


def test_audit_counts_the_dashboard_as_rendered(audit_result, rendered):
    page = dashboard(audit_result)
    # The static count equals what Django really renders (checked independently above).
    assert page.counts["css"] == 23
    assert page.counts["css-import"] == 1  # typography.css @imports fonts.css
    assert page.counts["img_eager"] >= 21 and page.counts["img_lazy"] == 0
    assert page.cache_fragments == 0
    codes = {f.code for f in page.findings}
    assert {"bundle-run", "img-not-lazy", "unminified", "no-cache-fragments", "cache-candidate"} <= codes
    # The image inside {% comment %} (a file that does not exist) is neither counted nor missing.
    assert "missing-file" not in codes
    # The logo (in <nav>) and the hero (LCP candidate) are not flagged; every other image is.
    lazy = [f for f in page.findings if f.code == "img-not-lazy"]
    assert len(lazy) >= 20
    assert not [f for f in lazy if "logo" in f.message or "hero" in f.message]


def test_inline_styles_are_found_with_their_lines(audit_result):
    styles = [f for p in audit_result.pages for f in p.findings if f.code == "inline-style"]
    assert styles
    for f in styles:
        tag = "\n".join((REPO / f.path).read_text().splitlines()[f.lineno - 1 : f.lineno + 4])
        assert "style=" in tag, f.location  # the tag starting at that line (tags span lines) has it


def test_order_form_script_is_big_and_flagged_unminified(audit_result):
    page = next(p for p in audit_result.pages if p.name == "sales/order_form.html")
    script = REPO / "static_src" / "js" / "sales" / "order_form.js"
    assert 85_000 <= script.stat().st_size <= 105_000
    assert 2_000 <= script.read_text().count("\n") <= 2_600
    assert [f for f in page.findings if f.code == "unminified" and "order_form.js" in f.message]


def test_example_has_no_template_problems_and_every_page_is_found(audit_result):
    assert audit_result.problems == ()
    names = {p.name for p in audit_result.pages}
    assert {"dashboard/admin_dashboard.html", "sales/order_form.html", "base.html"} - names == {"base.html"}
    assert len(names) >= 20


def test_json_report_schema(audit_result):
    data = to_json(audit_result, str(REPO), "/static/")
    assert (data["schema"], data["version"]) == (SCHEMA, SCHEMA_VERSION)
    assert set(data) == {
        "schema",
        "version",
        "assetopt",
        "project",
        "static_url",
        "template_dirs",
        "static_dirs",
        "summary",
        "pages",
        "problems",
        "not_audited",
        "notes",
    }
    page = next(p for p in data["pages"] if p["name"] == "dashboard/admin_dashboard.html")
    assert set(page) == {
        "name",
        "path",
        "other_names",
        "upper_bound",
        "counts",
        "render_blocking",
        "bytes",
        "bundled_estimate",
        "cache_fragments",
        "metrics",
        "requests",
        "findings",
    }
    assert set(page["bytes"]) == {"css", "js", "img", "font", "other", "total"}
    assert all(set(v) == {"raw", "gzip", "br"} for v in page["bytes"].values())
    assert page["metrics"]["css"] == 23
    json.dumps(data)  # serialisable as is
