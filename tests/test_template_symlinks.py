"""A template name resolves to the file Django renders, symlinks included: Django's filesystem loader
joins the name to each dir with ``safe_join`` (``abspath``, no symlink resolution), so a link in the
first dir is rendered wherever it leads. Audit and rewrite look at that same file; ``--write`` still
never edits a file outside the project (an installed package's, or anywhere else a link leads)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from startproject_site import tree_hashes

from assetopt.cli import cli
from assetopt.config import load_config
from assetopt.io.project import Project

BASE = (
    "<!DOCTYPE html><html><head>{}</head>"
    "<body><img src='/static/a.png' width='10' height='10'><img src='/static/a.png' width='10' height='10'>"
    "{{% block content %}}{{% endblock %}}</body></html>"
)
ONE_CSS = BASE.format("<link rel='stylesheet' href='/static/a.css'>")
THREE_CSS = BASE.format("".join(f"<link rel='stylesheet' href='/static/{c}.css'>" for c in "abc"))


@pytest.fixture
def layout(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, write_tree, monkeypatch) -> dict[str, Path]:
    """A project (``site``) whose template dir links out, and an installed package's template dir
    (``lib``, searched after it) holding templates of the same names."""
    site = tmp_path / "site"
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    lib = tmp_path_factory.mktemp("site-packages") / "app" / "templates"
    write_tree(lib, {"page.html": ONE_CSS, "inside.html": ONE_CSS, "broken.html": ONE_CSS, "app/part.html": ONE_CSS})
    write_tree(elsewhere, {"page.html": THREE_CSS, "app/part.html": THREE_CSS})
    write_tree(
        site,
        {
            "templates/home.html": "{% extends 'app/part.html' %}",
            "shared/inside.html": THREE_CSS,
            "static/a.css": "a{color:red}",
            "static/b.css": "b{color:blue}",
            "static/c.css": "i{color:green}",
            "static/a.png": "not really a png",
        },
    )
    (site / "templates" / "page.html").symlink_to(elsewhere / "page.html")  # out of the project
    (site / "templates" / "inside.html").symlink_to(Path("..") / "shared" / "inside.html")  # out of its dir, in the project
    (site / "templates" / "same.html").symlink_to("inside.html")  # a link to a link, in the dir
    (site / "templates" / "app").symlink_to(elsewhere / "app", target_is_directory=True)
    (site / "pyproject.toml").write_text(f"[tool.assetopt]\ntemplates = ['templates']\nstatic = ['static']\nlibrary_templates = [{str(lib)!r}]\n")
    monkeypatch.chdir(site)
    return {"site": site, "elsewhere": elsewhere, "lib": lib}


@pytest.mark.parametrize("name", ["page.html", "inside.html", "same.html", "broken.html", "app/part.html", "home.html", "nope.html"])
def test_a_name_resolves_to_the_file_djangos_filesystem_loader_renders(layout: dict[str, Path], name: str) -> None:
    import django_settings
    from django.template import TemplateDoesNotExist
    from django.template.loader import get_template
    from django.test.utils import override_settings

    django_settings.configure()
    (layout["site"] / "templates" / "broken.html").symlink_to(layout["elsewhere"] / "gone.html")  # Django skips a dangling link
    dirs = [str(layout["site"] / "templates"), str(layout["lib"])]
    engine = {"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": dirs, "APP_DIRS": False}
    with override_settings(TEMPLATES=[engine]):
        try:
            rendered: str | None = get_template(name).origin.name
        except TemplateDoesNotExist:
            rendered = None
    project = Project(load_config(layout["site"], cwd=layout["site"]))
    found = project.find_template(name)
    assert (os.path.abspath(found) if found is not None else None) == rendered
    if name in ("page.html", "app/part.html"):  # the case that went wrong: the library's file of that name
        assert rendered is not None and rendered.startswith(dirs[0])


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_audit_counts_the_page_behind_a_link_and_says_it_leads_outside_the_project(layout: dict[str, Path]) -> None:
    result = run("audit", "--json", "audit.json")
    data = json.loads((layout["site"] / "audit.json").read_text())
    counts = {p["name"]: p["counts"]["css"] for p in data["pages"]}
    assert counts["page.html"] == 3, result.output  # elsewhere/page.html, what Django renders (the library's has 1)
    assert counts["home.html"] == 3 and counts["inside.html"] == 3
    # same.html links to inside.html: one file, one page, named by the name with fewer links to it
    assert "same.html" not in counts and next(p for p in data["pages"] if p["name"] == "inside.html")["other_names"] == ["same.html"]
    target = layout["elsewhere"] / "page.html"
    assert f"note: page.html: templates/page.html is a symlink to {target}, outside the project" in result.output
    assert "inside.html: templates/inside.html is a symlink" not in result.output  # inside the project: nothing to say


def test_rewrite_diff_shows_the_linked_page_and_says_it_leads_outside_the_project(layout: dict[str, Path]) -> None:
    before = tree_hashes(layout["site"]), tree_hashes(layout["elsewhere"]), tree_hashes(layout["lib"])
    result = run("rewrite", "--only", "bundles")
    assert "+++ b/templates/page.html" in result.output
    assert result.output.count("{% bundle") >= 2  # page.html and inside.html: three stylesheets each (the library's one would not bundle)
    assert f"note: page.html: templates/page.html is a symlink to {layout['elsewhere'] / 'page.html'}, outside the project" in result.output
    assert (tree_hashes(layout["site"]), tree_hashes(layout["elsewhere"]), tree_hashes(layout["lib"])) == before


def test_rewrite_write_refuses_a_link_out_of_the_project_naming_template_link_and_target(layout: dict[str, Path]) -> None:
    (layout["site"] / "templates" / "app").unlink()  # a linked dir out of the project is refused too: test_template_symlink_dirs.py
    before = tree_hashes(layout["site"]), tree_hashes(layout["elsewhere"]), tree_hashes(layout["lib"])
    result = run("rewrite", "--write", "--only", "bundles")
    assert result.exit_code == 1, result.output
    target = layout["elsewhere"] / "page.html"
    assert f"error: nothing written: template 'page.html' is templates/page.html, a symlink to {target}, outside the project" in result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert (tree_hashes(layout["site"]), tree_hashes(layout["elsewhere"]), tree_hashes(layout["lib"])) == before  # undo patch too
    assert not (layout["site"] / ".assetopt-cache" / "undo").exists()


def test_rewrite_write_writes_through_a_link_that_stays_inside_the_project(layout: dict[str, Path]) -> None:
    (layout["site"] / "templates" / "page.html").unlink()
    (layout["site"] / "templates" / "app").unlink()
    lib_before = tree_hashes(layout["lib"])
    result = run("rewrite", "--write", "--only", "bundles")
    assert result.exit_code == 0, result.output
    link = layout["site"] / "templates" / "inside.html"
    assert link.is_symlink() and (layout["site"] / "templates" / "same.html").is_symlink()
    assert "{% bundle" in (layout["site"] / "shared" / "inside.html").read_text()
    assert tree_hashes(layout["lib"]) == lib_before


def test_rewrite_out_copies_a_link_inside_the_project_and_names_the_one_leading_out(layout: dict[str, Path]) -> None:
    result = run("rewrite", "--out", "build", "--only", "bundles")
    copy = layout["site"] / "build" / "templates"
    assert "{% bundle" in (copy / "inside.html").read_text() and not (copy / "inside.html").is_symlink()
    assert not (copy / "page.html").exists()
    assert f"not copied: templates/page.html is a symlink to {layout['elsewhere'] / 'page.html'}, outside the project" in result.output
