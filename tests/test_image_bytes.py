"""Image bytes per page, before and after: ``audit`` measures images as the build ships them.

Real photo-like images made with Pillow, a real ``build`` into a temp output dir, real audits and
``optimize`` through the command line. Expected sizes are read off the files on disk (the source, the
built copy), never off the audit's own output.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import brotli
import pytest
from click.testing import CliRunner
from photos import jpeg, photo

from assetopt.audit.report import to_json
from assetopt.audit.run import run_audit
from assetopt.build import BuildOptions, build
from assetopt.cli import cli
from assetopt.config import load_config
from assetopt.io.project import Project
from assetopt.verify.compare import compare, markdown_table

PAGE = """{% load static %}<!DOCTYPE html><html><head>
<link rel="stylesheet" href="{% static 'css/site.css' %}">
</head><body><img src="{% static 'img/photo.jpg' %}" width="480" height="320">
<img src="{% static 'img/logo.svg' %}" width="10" height="10" loading="lazy">
</body></html>"""
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="red"/></svg>\n'


@pytest.fixture
def site(tmp_path: Path, write_tree) -> Path:
    write_tree(tmp_path / "templates", {"page.html": PAGE})
    write_tree(tmp_path / "static", {"css/site.css": "body { color: red; }\n", "img/photo.jpg": jpeg(photo(seed=3), quality=95), "img/logo.svg": SVG})
    return tmp_path


def served(*files: Path) -> int:
    """Bytes as served: each file's brotli 11 when at most 95 % of it (whitenoise's rule), else raw.
    The "img KB" columns show these, not the raw sizes: an SVG compresses, a JPEG does not."""
    total = 0
    for f in files:
        data = f.read_bytes()
        br = len(brotli.compress(data, quality=11))
        total += br if br <= 0.95 * len(data) else len(data)
    return total


def project(root: Path, **overrides: object) -> Project:
    cfg = load_config(
        root, {"templates": (str(root / "templates"),), "static": (str(root / "static"),), "out": str(root / "out"), **overrides}, cwd=root
    )
    return Project(cfg)


def img_bytes(result, name: str = "page.html") -> dict[str, int]:
    (page,) = [p for p in result.pages if p.name == name]
    return page.bytes["img"]


def test_without_a_build_images_are_measured_at_their_source(site: Path):
    source = (site / "static/img/photo.jpg").stat().st_size + len(SVG)
    assert img_bytes(run_audit(project(site)))["raw"] == source


def test_after_a_build_images_are_measured_as_the_build_ships_them(site: Path):
    prj = project(site)
    build(prj, BuildOptions(out=site / "out"))
    shipped = site / "out/img/photo.jpg"
    source = site / "static/img/photo.jpg"
    assert shipped.stat().st_size < 0.95 * source.stat().st_size  # the build re-encoded the quality-95 photo
    after = img_bytes(run_audit(prj))
    assert after["raw"] == shipped.stat().st_size + (site / "out/img/logo.svg").stat().st_size
    # The baseline of optimize: the sources, even with a build in out.
    assert img_bytes(run_audit(prj, as_built=False))["raw"] == source.stat().st_size + len(SVG)
    # A built image is raw bytes on the wire (JPEG does not gzip): br equals raw for it.
    assert after["br"] <= after["raw"]


def test_an_image_missing_from_the_build_output_is_measured_at_its_source(site: Path):
    prj = project(site)
    build(prj, BuildOptions(out=site / "out"))
    (site / "out/img/photo.jpg").unlink()
    assert img_bytes(run_audit(prj))["raw"] == (site / "static/img/photo.jpg").stat().st_size + (site / "out/img/logo.svg").stat().st_size


def test_a_symlink_in_the_output_pointing_outside_it_is_not_read(site: Path, tmp_path: Path):
    prj = project(site)
    build(prj, BuildOptions(out=site / "out"))
    elsewhere = tmp_path / "elsewhere.jpg"
    elsewhere.write_bytes(b"x" * 7)
    (site / "out/img/photo.jpg").unlink()
    os.symlink(elsewhere, site / "out/img/photo.jpg")
    assert img_bytes(run_audit(prj))["raw"] == (site / "static/img/photo.jpg").stat().st_size + (site / "out/img/logo.svg").stat().st_size


def test_verify_table_shows_the_image_drop_after_a_build(site: Path):
    prj = project(site)
    before = to_json(run_audit(prj), str(site), "/static/")
    build(prj, BuildOptions(out=site / "out"))
    after = to_json(run_audit(prj), str(site), "/static/")
    verdict = compare(before, after)
    (page,) = verdict.pages
    source = (site / "static/img/photo.jpg").stat().st_size + len(SVG)
    shipped = (site / "out/img/photo.jpg").stat().st_size + (site / "out/img/logo.svg").stat().st_size
    assert (page.before["img_bytes"], page.after["img_bytes"]) == (source, shipped)
    row = markdown_table(verdict).splitlines()[2]
    served_before = served(site / "static/img/photo.jpg", site / "static/img/logo.svg")
    served_after = served(site / "out/img/photo.jpg", site / "out/img/logo.svg")
    assert f"| {served_before / 1024:.1f} → {served_after / 1024:.1f} |" in row, row


def test_verify_of_documents_without_image_bytes_shows_a_dash(site: Path):
    doc = to_json(run_audit(project(site)), str(site), "/static/")
    for page in doc["pages"]:  # as a version 1 document written before image bytes were measured
        del page["bytes"]["img"]
        del page["metrics"]["img_bytes"], page["metrics"]["img_br"]
    table = markdown_table(compare(doc, doc)).splitlines()
    assert "| - → - |" in table[2]
    assert "|  |  |  |  |  |" in table[3]  # the total leaves the image cell empty rather than guess


def test_optimize_shows_the_image_drop(site: Path, monkeypatch):
    (site / "pyproject.toml").write_text('[tool.assetopt]\ntemplates = ["templates"]\nstatic = ["static"]\n')
    monkeypatch.chdir(site)
    # An earlier build in the default out must not leak into the baseline.
    assert CliRunner().invoke(cli, ["build"], catch_exceptions=False).exit_code == 0
    result = CliRunner().invoke(cli, ["optimize", "--out", "opt", "--json", "opt/verdict.json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "| img KB |" in result.output
    (page,) = json.loads((site / "opt/verdict.json").read_text())["pages"]
    source = (site / "static/img/photo.jpg").stat().st_size + len(SVG)
    shipped = (site / "opt/static/img/photo.jpg").stat().st_size + (site / "opt/static/img/logo.svg").stat().st_size
    assert page["before"]["img_bytes"] == source
    assert page["after"]["img_bytes"] == shipped < source


def test_html_report_shows_the_image_bytes_before_and_after(site: Path):
    from assetopt.verify.html import Report, render_report

    prj = project(site)
    before = to_json(run_audit(prj), str(site), "/static/")
    build(prj, BuildOptions(out=site / "out"))
    verdict = compare(before, to_json(run_audit(prj), str(site), "/static/"))
    html = render_report(Report(verdict))
    assert "<th>img KB</th>" in html
    assert (
        f"<td>{served(site / 'static/img/photo.jpg', site / 'static/img/logo.svg') / 1024:,.1f} → {served(site / 'out/img/photo.jpg', site / 'out/img/logo.svg') / 1024:,.1f}</td>"
        in html
    )
    assert 'aria-label="bytes (static, KB)"' in html and ">images<" in html
