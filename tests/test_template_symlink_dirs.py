"""Templates under a symlinked DIR are listed, audited and rewritten like any other: Django's
filesystem loader follows such a link (``safe_join`` checks the joined path, not the link's target),
so ``templates/shop -> ../../shared/shop`` renders ``shop/cart.html``. A link back to a dir above it
is not followed again (one warning naming it, no hang); a file two names reach is one page; ``--write``
writes through a link that stays in the project and refuses one leading out of it."""

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

THREE_CSS = (
    "<!DOCTYPE html><html><head>"
    + "".join(f"<link rel='stylesheet' href='/static/{c}.css'>" for c in "abc")
    + "</head><body>{% block content %}{% endblock %}</body></html>"
)
PARTIAL = "<p>{{ item }}</p>"

# Every name Django renders for the layout below, but the endless ones through the loop
# (real/loop/real/list.html...): written by hand from the layout, not from the code's output.
NAMES = [
    "alias/list.html",
    "blog/nested/entry.html",
    "blog/post.html",
    "home.html",
    "real/list.html",
    "shop/cart.html",
    "shop/sub/item.html",
]


@pytest.fixture
def layout(tmp_path: Path, write_tree, monkeypatch) -> dict[str, Path]:
    """``site/templates`` holds a page, a dir linked in from outside the project (``shop``), one
    linked from elsewhere in the project (``blog``), one linked from inside the template dir itself
    (``alias -> real``) and a loop (``real/loop -> ..``)."""
    site = tmp_path / "site"
    shared = tmp_path / "shared" / "shop_templates"
    write_tree(shared, {"cart.html": THREE_CSS, "sub/item.html": PARTIAL})
    write_tree(
        site,
        {
            "templates/home.html": THREE_CSS,
            "templates/real/list.html": THREE_CSS,
            "blogsrc/post.html": THREE_CSS,
            "blogsrc/nested/entry.html": PARTIAL,
            "static/a.css": "a{color:red}",
            "static/b.css": "b{color:blue}",
            "static/c.css": "i{color:green}",
        },
    )
    templates = site / "templates"
    (templates / "shop").symlink_to(Path("..") / ".." / "shared" / "shop_templates", target_is_directory=True)
    (templates / "blog").symlink_to(Path("..") / "blogsrc", target_is_directory=True)
    (templates / "alias").symlink_to("real", target_is_directory=True)
    (templates / "real" / "loop").symlink_to("..", target_is_directory=True)
    (site / "pyproject.toml").write_text("[tool.assetopt]\ntemplates = ['templates']\nstatic = ['static']\n")
    monkeypatch.chdir(site)
    return {"site": site, "shared": shared, "templates": templates}


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_names_under_symlinked_dirs_are_listed_and_resolve_to_the_file_django_renders(layout: dict[str, Path]) -> None:
    import django_settings
    from django.template.loader import get_template
    from django.test.utils import override_settings

    django_settings.configure()
    project = Project(load_config(layout["site"], cwd=layout["site"]))
    assert project.template_names() == NAMES
    engine = {"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [str(layout["templates"])], "APP_DIRS": False}
    with override_settings(TEMPLATES=[engine]):
        for name in NAMES + ["real/loop/real/list.html"]:  # the loop's names render too: same file, listed once
            found = project.find_template(name)
            assert found is not None and os.path.abspath(found) == get_template(name).origin.name, name


def test_a_link_to_a_dir_above_gives_one_warning_naming_it(layout: dict[str, Path]) -> None:
    result = run("audit")
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if line.startswith("warning: ")]
    # met twice (real/loop and alias/loop are the same link): one warning, naming the link where it is
    assert warnings == [
        f"warning: templates/real/loop is a symlink to {layout['templates']}, a dir above it (a loop): not followed again, its templates are listed once, "
        "under their names without loop/ (Django renders those files under the names through it too); remove the link if it is a mistake"
    ], result.output


def test_audit_counts_the_pages_under_linked_dirs_once_each(layout: dict[str, Path]) -> None:
    result = run("audit", "--json", "audit.json")
    assert result.exit_code == 0, result.output
    data = json.loads((layout["site"] / "audit.json").read_text())
    pages = {p["name"]: p for p in data["pages"]}
    # alias/list.html is real/list.html: one page, under the name without a link on its way
    assert sorted(pages) == ["blog/post.html", "home.html", "real/list.html", "shop/cart.html"], result.output
    assert all(p["counts"]["css"] == 3 for p in pages.values())
    assert pages["real/list.html"]["other_names"] == ["alias/list.html"]
    assert data["summary"]["templates"] == 6  # files: 7 names, alias/list.html and real/list.html one file
    cart = layout["shared"] / "cart.html"
    assert (
        f"note: shop/cart.html: templates/shop/cart.html is under the symlink templates/shop (to {layout['shared']}), so {cart}, outside the project"
        in result.output
    )
    assert "note: blog/post.html" not in result.output  # inside the project: written through, nothing to say


def test_rewrite_diff_shows_the_linked_dirs_templates_once_each(layout: dict[str, Path]) -> None:
    before = tree_hashes(layout["site"]), tree_hashes(layout["shared"])
    result = run("rewrite", "--only", "bundles")
    assert "+++ b/templates/shop/cart.html" in result.output and "+++ b/templates/blog/post.html" in result.output
    assert result.output.count("+++ b/templates/real/list.html") + result.output.count("+++ b/templates/alias/list.html") == 1
    assert result.output.count("+++ b/") == 4  # home, blog/post, real/list, shop/cart
    assert (tree_hashes(layout["site"]), tree_hashes(layout["shared"])) == before


def test_rewrite_write_refuses_a_linked_dir_out_of_the_project_and_writes_nothing(layout: dict[str, Path]) -> None:
    before = tree_hashes(layout["site"]), tree_hashes(layout["shared"]), (layout["site"] / "blogsrc" / "post.html").read_text()
    result = run("rewrite", "--write", "--only", "bundles")
    assert result.exit_code == 1, result.output
    cart = layout["shared"] / "cart.html"
    assert (
        f"error: nothing written: template 'shop/cart.html' is templates/shop/cart.html, under the symlink templates/shop (to {layout['shared']}), so {cart}, outside the project"
        in result.output
    )
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert (tree_hashes(layout["site"]), tree_hashes(layout["shared"]), (layout["site"] / "blogsrc" / "post.html").read_text()) == before
    assert not (layout["site"] / ".assetopt-cache" / "undo").exists()


def test_rewrite_write_writes_through_a_linked_dir_inside_the_project(layout: dict[str, Path]) -> None:
    (layout["templates"] / "shop").unlink()
    result = run("rewrite", "--write", "--only", "bundles")
    assert result.exit_code == 0, result.output
    assert "wrote 3 file(s)" in result.output  # home.html, blogsrc/post.html, real/list.html (also alias/list.html)
    assert (layout["templates"] / "blog").is_symlink() and (layout["templates"] / "alias").is_symlink()
    post = (layout["site"] / "blogsrc" / "post.html").read_text()
    assert post.count("{% bundle") == 1 and "{% load assetopt %}" in post
    assert (layout["templates"] / "real" / "list.html").read_text().count("{% bundle") == 1
    assert (layout["site"] / "blogsrc" / "nested" / "entry.html").read_text() == PARTIAL


def test_rewrite_out_copies_a_linked_dir_inside_the_project_and_names_the_one_leading_out(layout: dict[str, Path]) -> None:
    result = run("rewrite", "--out", "build", "--only", "bundles")
    assert result.exit_code == 0, result.output
    copy = layout["site"] / "build" / "templates"
    assert "{% bundle" in (copy / "blog" / "post.html").read_text() and not (copy / "blog").is_symlink()
    assert (copy / "blog" / "nested" / "entry.html").read_text() == PARTIAL
    assert not (copy / "shop").exists()
    cart = layout["shared"] / "cart.html"
    assert (
        f"not copied: templates/shop/cart.html is under the symlink templates/shop (to {layout['shared']}), so {cart}, outside the project"
        in result.output
    )


def test_the_layout_probe_copy_marks_the_images_of_a_linked_dirs_templates(layout: dict[str, Path], tmp_path: Path) -> None:
    """``--browser`` renders pages from a probe copy of the template dirs: a page under a symlinked
    dir must be in it, its images marked, or Django renders it from nowhere (or unmarked)."""
    from assetopt.browser.layout import PROBE_ATTR, write_probe

    (layout["shared"] / "cart.html").write_text("<!DOCTYPE html><html><body><img src='/static/a.png'></body></html>")
    (probe,) = write_probe(Project(load_config(layout["site"], cwd=layout["site"])), tmp_path / "probe")
    assert f'<img {PROBE_ATTR}="shop/cart.html:' in (probe / "shop" / "cart.html").read_text()
    assert (probe / "blog" / "nested" / "entry.html").read_text() == PARTIAL
    assert (probe / "real" / "list.html").read_text() == THREE_CSS and (probe / "alias" / "list.html").read_text() == THREE_CSS
