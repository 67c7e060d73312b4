"""`assetopt optimize --browser` end to end on a copy of the example: Django renders before/after
snapshots, Chromium measures them, and the issue's numbers for the example dashboard hold. The Fast 3G
run of the dashboard (before and after, in the same run) is most of this test's time."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

from browser_support import DASHBOARD, copy_example, needs_browser
from click.testing import CliRunner

from assetopt.audit.report import to_json
from assetopt.audit.run import run_audit
from assetopt.cli import cli
from assetopt.config import load_config
from assetopt.io.project import Project

pytestmark = needs_browser


def test_optimize_browser_on_a_copy_of_the_example(tmp_path: Path, monkeypatch):
    copy_example(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        cli, ["optimize", "--out", "out", "--browser", "--json", "out/v.json", "--report", "out/report.html"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert f"| {DASHBOARD} (/en/) |" in result.output
    doc = json.loads((tmp_path / "out/v.json").read_text())
    assert doc["browser_reasons"] == []
    dash = doc["browser"][DASHBOARD]
    before, after = dash["before"], dash["after"]
    assert after["request_count"] < before["request_count"]
    assert before["request_count"] - after["request_count"] >= dash["claimed_saved"] > 0  # the browser sees the static claim
    assert after["by_type"]["stylesheet"] <= 2 < before["by_type"]["stylesheet"]
    assert dash["diff"]["fraction"] < 0.01
    assert not [e for e in after["console_errors"] if e not in before["console_errors"]]
    assert after["failed"] == []
    # The example numbers, as Chromium sees them: at most 3 eager images at first load (the
    # lazy charts near the fold and the CSS backgrounds Chromium fetches too are counted apart), at
    # most 2 render-blocking scripts, and Fast 3G loadEventEnd at least 40 % faster.
    assert after["eager_img"] <= 3 < before["eager_img"]
    assert after["images"]["img-eager"] == after["eager_img"]
    assert after["blocking_by_type"].get("script", 0) <= 2
    # Critical CSS (docs/critical-css.md): nothing render-blocking in the dashboard's <head> but the
    # inlined <style>; both text directions' bundle variants measured (/ar/ is in critical_css_urls)
    # and proven at first paint, mobile and desktop.
    assert after["blocking_by_type"].get("stylesheet", 0) == 0 < before["blocking_by_type"]["stylesheet"]
    head = (tmp_path / "out/snapshots/after/en/index.html").read_text().split("</head>")[0]
    assert head.count("<style>") == 1 and '<link rel="preload" as="style" fetchpriority="low" href="/static/assetopt/' in head
    assert not re.search(r'<link rel="stylesheet"(?![^>]*media="print")', head.replace("<noscript><link", "")), head
    manifest = json.loads((tmp_path / "out/static/assetopt-manifest.json").read_text())
    pages = sorted(tuple(b["critical"]["pages"]) for b in manifest["bundles"].values() if "critical" in b)
    assert pages == [("/ar/",), ("/en/", "/en/sales/orders/new/")], result.output
    fractions = [float(m) for m in re.findall(r"critical CSS: first paint of \S+ (?:mobile|desktop): ([\d.]+)%", result.output)]
    assert len(fractions) == 6 and max(fractions) <= 1.0, result.output
    slow_before, slow_after = dash["before_throttled"]["load_ms"], dash["after_throttled"]["load_ms"]
    assert slow_after <= 0.6 * slow_before, (slow_before, slow_after)
    assert "before_throttled" not in doc["browser"]["sales/order_form.html"]  # only the first page
    # CSS+JS brotli bytes as served after: at most 30 % of the sources' raw CSS+JS bytes (an audit of
    # the sources and one of the rewritten copy against its build, made here, not read from optimize).
    config = load_config(tmp_path, cwd=tmp_path)
    after_config = replace(config, templates=(tmp_path / "out/templates",), out=tmp_path / "out/static")

    def cssjs(cfg, kind: str) -> int:
        (page,) = [p for p in to_json(run_audit(Project(cfg)), "p", "/static/")["pages"] if p["name"] == DASHBOARD]
        return page["bytes"]["css"][kind] + page["bytes"]["js"][kind]

    assert cssjs(after_config, "br") <= 0.3 * cssjs(config, "raw")
    for url in ("/en/", "/en/sales/orders/new/"):
        snap = "en/index.html" if url == "/en/" else "en/sales/orders/new/index.html"
        assert (tmp_path / "out/snapshots/before" / snap).is_file() and (tmp_path / "out/snapshots/after" / snap).is_file()
    assert "{% bundle" not in (tmp_path / "out/snapshots/after/en/index.html").read_text()
    assert "/static/assetopt/" in (tmp_path / "out/snapshots/after/en/index.html").read_text()
    report = (tmp_path / "out/report.html").read_text()
    assert report.count("data:image/png;base64,") >= 6  # before, after and diff of both pages
    assert "chromium" in report.lower()
