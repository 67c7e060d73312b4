"""img-size-stale: width/height the rewrite wrote from a file that was replaced since by one of other proportions."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from assetopt.audit.run import run_audit
from assetopt.cli import cli


def png(width: int, height: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


PAGE = "{% load static %}<!DOCTYPE html><html><head></head><body><main><p>text</p>\n{img}\n</main></body></html>\n"
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="48" height="48" viewBox="0 0 48 48"></svg>'


def test_a_replaced_image_makes_the_written_sizes_stale_and_the_audit_names_the_line(tmp_path: Path, write_tree, monkeypatch) -> None:
    page = PAGE.replace("{img}", '<img src="{% static \'chart.png\' %}" alt="">')
    write_tree(tmp_path, {"templates/page.html": page, "static/chart.png": png(900, 420)})
    (tmp_path / "pyproject.toml").write_text('[tool.assetopt]\ntemplates = ["templates"]\nstatic = ["static"]\n')
    monkeypatch.chdir(tmp_path)
    written = CliRunner().invoke(cli, ["rewrite", "--write", "--only", "images"])
    assert written.exit_code == 0, written.output
    assert 'width="900" height="420"' in (tmp_path / "templates/page.html").read_text()
    fresh = CliRunner().invoke(cli, ["audit"])
    assert "img-size-stale" not in fresh.output

    (tmp_path / "static/chart.png").write_bytes(png(600, 600))  # day two: a new chart, square
    audit = CliRunner().invoke(cli, ["audit"])

    assert "warning img-size-stale (1)" in audit.output, audit.output
    assert (
        "templates/page.html:2: <img src={% static 'chart.png' %}> says width=900 height=420 but chart.png is 600x600 (replaced since?)"
        in audit.output
    )
    assert "in the file's proportions width=900 means height=900" in audit.output  # 900 * 600 / 600


@pytest.mark.parametrize(
    "img, files, stale",
    [
        pytest.param('<img src="{% static \'a.png\' %}" width="450" height="210">', {"a.png": png(900, 420)}, False, id="same_proportions_half_size"),
        pytest.param('<img src="{% static \'a.png\' %}" width="333" height="155">', {"a.png": png(900, 420)}, False, id="rounded_to_whole_pixels"),
        pytest.param('<img src="{% static \'a.png\' %}" width="900" height="420">', {"a.png": png(420, 900)}, True, id="turned_portrait"),
        pytest.param('<img src="{% static \'a.png\' %}" width="300" height="300">', {"a.png": png(900, 420)}, True, id="square_box_for_a_wide_file"),
        pytest.param(
            '<img src="{% static \'a.png\' %}" width="300" height="300" style="object-fit: cover">',
            {"a.png": png(900, 420)},
            False,
            id="object_fit_crops",
        ),
        pytest.param('<img src="{% static \'i.svg\' %}" width="30" height="24">', {"i.svg": SVG}, False, id="svg_keeps_its_proportions"),
        pytest.param('<img src="{% static \'a.png\' %}" width="100%" height="420">', {"a.png": png(600, 600)}, False, id="not_plain_pixels"),
        pytest.param('<img src="{% static \'gone.png\' %}" width="900" height="420">', {}, False, id="missing_file_is_another_finding"),
    ],
)
def test_stale_sizes_only_for_other_proportions(make_project, img: str, files: dict[str, bytes | str], stale: bool) -> None:
    project = make_project(templates={"page.html": PAGE.replace("{img}", img)}, static=files)
    (page,) = run_audit(project).pages
    assert ("img-size-stale" in {f.code for f in page.findings}) is stale
