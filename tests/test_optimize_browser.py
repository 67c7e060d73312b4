"""`assetopt optimize --browser` end to end on a copy of the example: Django renders before/after
snapshots, Chromium measures them. The throttled run is skipped (--no-throttle: it alone takes ~55 s
on the dashboard); test_browser.py covers throttling on a small page."""
from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from assetopt.browser import CHROMIUM
from assetopt.cli import cli

REPO = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists() or importlib.util.find_spec("playwright") is None, reason=f"needs playwright and {CHROMIUM}"),
    pytest.mark.skipif(not (REPO / "static_src" / "vendor").is_dir(), reason="run `python example/prepare.py` first"),
]


def test_optimize_browser_on_a_copy_of_the_example(tmp_path: Path, monkeypatch):
    shutil.copytree(REPO / "example", tmp_path / "example")
    shutil.copytree(REPO / "static_src", tmp_path / "static_src")
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    if (REPO / ".assetopt-cache").is_dir():  # content-addressed: saves the cold minify/compress (~20 s)
        shutil.copytree(REPO / ".assetopt-cache", tmp_path / ".assetopt-cache")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        cli, ["optimize", "--out", "out", "--browser", "--no-throttle", "--json", "out/v.json", "--report", "out/report.html"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert "| dashboard/admin_dashboard.html (/en/) |" in result.output
    doc = json.loads((tmp_path / "out/v.json").read_text())
    assert doc["browser_reasons"] == []
    dash = doc["browser"]["dashboard/admin_dashboard.html"]
    before, after = dash["before"], dash["after"]
    assert after["request_count"] < before["request_count"]
    assert before["request_count"] - after["request_count"] >= dash["claimed_saved"] > 0  # the browser sees the static claim
    assert after["by_type"]["stylesheet"] <= 2 < before["by_type"]["stylesheet"]
    assert dash["diff"]["fraction"] < 0.01
    assert not [e for e in after["console_errors"] if e not in before["console_errors"]]
    assert after["failed"] == []
    assert "before_throttled" not in dash
    for url in ("/en/", "/en/sales/orders/new/"):
        snap = "en/index.html" if url == "/en/" else "en/sales/orders/new/index.html"
        assert (tmp_path / "out/snapshots/before" / snap).is_file() and (tmp_path / "out/snapshots/after" / snap).is_file()
    assert "{% bundle" not in (tmp_path / "out/snapshots/after/en/index.html").read_text()
    assert "/static/assetopt/" in (tmp_path / "out/snapshots/after/en/index.html").read_text()
    report = (tmp_path / "out/report.html").read_text()
    assert report.count("data:image/png;base64,") >= 6  # before, after and diff of both pages
    assert "chromium" in report.lower()
