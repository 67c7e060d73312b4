"""assetopt verify and optimize through the command line, on real files."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from browser_support import copy_example
from click.testing import CliRunner

from assetopt.cli import cli

REPO = Path(__file__).resolve().parent.parent

SITE = {
    "templates/page.html": "{% load static %}<html><head>\n<link rel='stylesheet' href=\"{% static 'a.css' %}\">\n"
    "<link rel='stylesheet' href=\"{% static 'b.css' %}\">\n</head><body><img src=\"{% static 'h.png' %}\"><img src=\"{% static 'x.png' %}\"></body></html>\n",
    "static/a.css": "a { color: red; }\n",
    "static/b.css": "b { color: blue; }\n",
    "static/h.png": "h",
    "static/x.png": "x",
}


@pytest.fixture
def site(tmp_path: Path, write_tree, monkeypatch) -> Path:
    write_tree(tmp_path, SITE)
    (tmp_path / "pyproject.toml").write_text('[tool.assetopt]\ntemplates = ["templates"]\nstatic = ["static"]\n')
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_verify_passes_after_an_improvement_and_fails_after_a_regression(site: Path):
    assert run("audit", "--json", "before.json", "-q").exit_code == 0
    page = site / "templates/page.html"
    page.write_text(page.read_text().replace("<img src=\"{% static 'x.png' %}\">", '<img src="{% static \'x.png\' %}" loading="lazy">'))
    ok = run("verify", "--baseline", "before.json", "--report", "r.html", "--json", "v.json")
    assert ok.exit_code == 0, ok.output
    assert "| page.html |" in ok.output and "improved" in ok.output
    assert json.loads((site / "v.json").read_text())["schema"] == "assetopt.verify"
    assert "<svg" in (site / "r.html").read_text()
    page.write_text(page.read_text().replace("</head>", "<link rel='stylesheet' href=\"{% static 'b.css' %}\" media=\"screen\"></head>"))
    bad = run("verify", "--baseline", "before.json")
    assert bad.exit_code == 1
    assert "page.html" in bad.output and "css" in bad.output


def test_verify_require_limit_fails_naming_the_page(site: Path):
    run("audit", "--json", "before.json", "-q")
    result = run("verify", "--baseline", "before.json", "--require", "css<=1")
    assert result.exit_code == 1 and "page.html" in result.output


def test_verify_refuses_a_baseline_of_another_schema_version(site: Path):
    run("audit", "--json", "before.json", "-q")
    data = json.loads((site / "before.json").read_text())
    data["version"] = 99
    (site / "before.json").write_text(json.dumps(data))
    result = run("verify", "--baseline", "before.json")
    assert result.exit_code == 2 and "version" in result.output


def tree_digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.slow
@pytest.mark.skipif(not (REPO / "static_src" / "vendor").is_dir(), reason="run `python example/prepare.py` first")
def test_optimize_on_a_copy_of_the_example_leaves_sources_untouched(tmp_path: Path, monkeypatch):
    # the whole example: its config names its settings, so optimize proves the cache rules with them
    copy_example(tmp_path)
    monkeypatch.chdir(tmp_path)
    before = {d: tree_digest(tmp_path / d) for d in ("example/templates", "static_src")}
    result = run("optimize", "--out", "out", "--json", "out/verdict.json", "--require", "css<=3,blocking<=3")
    assert result.exit_code == 0, result.output
    assert {d: tree_digest(tmp_path / d) for d in ("example/templates", "static_src")} == before
    verdict = json.loads((tmp_path / "out/verdict.json").read_text())
    dash = next(p for p in verdict["pages"] if p["name"] == "dashboard/admin_dashboard.html")
    assert (dash["before"]["css"], dash["after"]["css"]) == (23, 2)  # 22 bundled into one, the print stylesheet stays
    assert dash["after"]["eager_img"] <= 3 < dash["before"]["eager_img"]
    # The rewrite gave the hero fetchpriority="high" and lazy-loaded the charts after it: the audit of
    # the rewritten page must agree (it used to take the first chart for the LCP and warn lcp-lazy).
    assert [f["code"] for f in dash["findings"] if f["code"] == "lcp-lazy"] == []
    assert (tmp_path / "out/templates/base.html").read_text().count('{% bundle "css" %}') == 1
    assert list((tmp_path / "out/static/assetopt").glob("*.css.br"))
