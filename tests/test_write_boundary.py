"""Writes stay where the user meant: an output dir never holds a source, a symlinked template is
written through (the link stays a link) or, leading out of the project, refused, and ``--out`` copies
nothing from outside."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from startproject_site import tree_hashes

from assetopt.cli import cli

BASE = (
    "<!DOCTYPE html><html><head><link rel='stylesheet' href='/static/a.css'><link rel='stylesheet' href='/static/b.css'></head>"
    "<body>{% block content %}{% endblock %}</body></html>"
)


@pytest.fixture
def site(tmp_path: Path, write_tree, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write_tree(
        tmp_path,
        {
            "templates/base.html": BASE,
            "templates/home.html": "{% extends 'base.html' %}{% block content %}<p>hi</p>{% endblock %}",
            "templates/assetopt/widget.html": "<p>widget</p>",
            "static/a.css": "a{color:red}",
            "static/b.css": "b{color:blue}",
            "static/base.html": "not a template",
        },
    )
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(cli, [*args, "--templates", "templates", "--static", "static"], catch_exceptions=False)


@pytest.mark.parametrize(
    ("command", "out"),
    [
        pytest.param("build", "templates", id="build_into_a_template_dir"),
        pytest.param("build", "templates/assetopt", id="build_inside_a_template_dir"),
        pytest.param("build", ".", id="build_into_the_project_root"),
        pytest.param("build", "..", id="build_into_a_folder_holding_the_project"),
        pytest.param("build", "static", id="build_into_a_static_dir"),
        pytest.param("optimize", ".", id="optimize_into_the_project_root"),
        pytest.param("optimize", "templates", id="optimize_into_a_template_dir"),
        pytest.param("rewrite", "static", id="rewrite_out_into_a_static_dir"),
        pytest.param("rewrite", ".", id="rewrite_out_into_the_project_root"),
    ],
)
def test_an_out_dir_holding_sources_is_refused_before_any_write(site: Path, command: str, out: str) -> None:
    before = tree_hashes(site)
    result = run(command, "--out", out, "--project", ".")
    assert result.exit_code == 2, result.output
    assert "overlaps" in result.output or "project" in result.output, result.output
    assert tree_hashes(site) == before


def test_rewrite_write_writes_through_a_symlinked_template(site: Path) -> None:
    real = site / "shared" / "page.html"
    real.parent.mkdir()
    (site / "templates" / "base.html").rename(real)
    (site / "templates" / "base.html").symlink_to(Path("..") / "shared" / "page.html")
    # the link leads out of its template dir but stays in the project: Django's loader follows it
    # (safe_join checks the joined path, not the link's target), so it is rewritten, through the link
    result = run("rewrite", "--write", "--only", "bundles")
    assert result.exit_code == 0, result.output
    assert (site / "templates" / "base.html").is_symlink()
    assert "{% bundle" in real.read_text(), result.output
    real.write_text(BASE)

    (site / "templates" / "base.html").unlink()
    real.rename(site / "templates" / "real_base.html")
    (site / "templates" / "base.html").symlink_to("real_base.html")
    result = run("rewrite", "--write", "--only", "bundles")
    assert result.exit_code == 0, result.output
    assert (site / "templates" / "base.html").is_symlink(), "the link was replaced by a regular file"
    assert "{% bundle" in (site / "templates" / "real_base.html").read_text()


def test_rewrite_out_does_not_copy_a_symlink_out_of_the_project(site: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    secret = tmp_path_factory.mktemp("elsewhere") / "secret.html"
    secret.write_text("<p>not the project's</p>")
    (site / "templates" / "leak.html").symlink_to(secret)
    result = run("rewrite", "--out", "build")
    assert result.exit_code in (0, 1), result.output
    assert (site / "build" / "templates" / "home.html").is_file()
    assert not (site / "build" / "templates" / "leak.html").exists()
    assert "not copied: templates/leak.html" in result.output


def test_a_file_outside_the_projects_template_dirs_is_never_written(site: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """library_templates are read to resolve names; a page of the project extending one is audited,
    the library file itself is neither planned nor written."""
    lib = tmp_path_factory.mktemp("site-packages") / "app" / "templates"
    (lib / "lib").mkdir(parents=True)
    (lib / "lib" / "base.html").write_text(BASE)
    (lib / "lib" / "page.html").write_text("{% extends 'lib/base.html' %}")
    (site / "templates" / "mine.html").write_text("{% extends 'lib/base.html' %}{% block content %}<p>mine</p>{% endblock %}")
    (site / "pyproject.toml").write_text(f"[tool.assetopt]\nlibrary_templates = [{str(lib)!r}]\n")
    before = tree_hashes(lib)
    result = run("rewrite", "--write", "--project", ".")
    assert result.exit_code == 0, result.output
    assert tree_hashes(lib) == before
    assert "lib/" not in result.output.replace(str(lib), "")
    audit = run("audit", "--project", ".")
    assert "mine.html" in audit.output and "lib/page.html" not in audit.output
    assert "lib/page.html" in run("audit", "--project", ".", "--include-app-templates").output
    assert os.access(lib / "lib" / "base.html", os.R_OK)


def test_a_project_name_linking_out_of_the_project_is_refused_with_exit_1(site: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """templates/page.html links out of the project, over a library template of the same name: the
    name resolves to the link (what Django renders), not the library's page.html; planned, but --write
    refuses it before anything is written, the undo patch included, and the refusal is a finding
    (exit 1), not a crash (exit 2)."""
    lib = tmp_path_factory.mktemp("site-packages") / "app" / "templates"
    lib.mkdir(parents=True)
    (lib / "page.html").write_text(BASE)
    shared = tmp_path_factory.mktemp("shared") / "page.html"
    shared.write_text(BASE)
    (site / "templates" / "page.html").symlink_to(shared)
    (site / "pyproject.toml").write_text(f"[tool.assetopt]\nlibrary_templates = [{str(lib)!r}]\n")
    before = (tree_hashes(site), tree_hashes(lib), shared.read_text())
    result = run("rewrite", "--write", "--project", ".")
    assert result.exit_code == 1, result.output
    assert f"error: nothing written: template 'page.html' is templates/page.html, a symlink to {shared}, outside the project" in result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert (tree_hashes(site), tree_hashes(lib), shared.read_text()) == before  # base.html and the undo patch too
