"""One template file with several names (template dirs that overlap, symlinks) gets one rewrite.

django-machina's set-up lists ``templates/machina`` before ``templates``: ``partial.html`` is also
``machina/partial.html``, and pages include it by either name. The image roles used to be keyed by
the name a page reached the file under, and every name was planned: one page's LCP candidate could be
another page's lazy image in the same file, two different rewrites of one file (two diffs, and
``--write`` refused). Roles are now keyed by the file, each file is planned once, and rewrite names it
as the audit does (``Project.name_order``: earliest template dir, then fewest symlinks, then sort order).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from assetopt.audit.run import find_pages
from assetopt.cli import cli
from assetopt.cli.browser_args import layout_line
from assetopt.config import load_config
from assetopt.io.project import Project
from assetopt.rewrite.context import RewriteContext, context_from_config
from assetopt.rewrite.layout_facts import ImageLayout, Layout, PageLayout
from assetopt.rewrite.project import plan_project

LAZY = ' loading="lazy" decoding="async"'
DOC = "<!DOCTYPE html><html><head><title>t</title></head><body>{}</body></html>\n"
PARTIAL = '<div class="gallery"><img src="/media/one.jpg" width="400" height="300"><img src="/media/two.jpg" width="400" height="300"></div>\n'
OVERLAP = {
    "machina/partial.html": PARTIAL,
    # the partial comes first: its first image is this page's first content image, the LCP candidate
    "machina/first.html": DOC.format('{% include "partial.html" %}'),
    # a hero comes first: both of the partial's images are below it, lazy
    "machina/second.html": DOC.format('<img src="/media/hero.jpg" width="800" height="400">{% include "machina/partial.html" %}'),
}


def _cli(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def overlap(tmp_path: Path, write_tree, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_tree(tmp_path / "t", OVERLAP)
    (tmp_path / "static").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


FLAGS = ["--templates", "t/machina", "--templates", "t", "--static", "static", "--only", "images"]


def test_a_file_two_pages_include_by_its_two_names_gets_one_rewrite_with_the_most_eager_role(overlap: Path) -> None:
    """By hand: on first.html the partial's first image is the first content image (LCP: fetchpriority,
    never lazy); on second.html it is below the hero (lazy). The one file takes the more eager role;
    its second image is below on both pages. Before: partial.html got fetchpriority + lazy,
    machina/partial.html lazy + lazy: two diffs of one file, and --write refused it."""
    diff = _cli("rewrite", *FLAGS)
    assert diff.exit_code == 0, diff.output
    assert diff.output.count("+++ b/t/machina/partial.html") == 1, diff.output
    check = _cli("rewrite", *FLAGS, "--check")
    assert check.exit_code == 1 and "2 template(s) would change" in check.output, check.output  # the partial and second.html's hero
    write = _cli("rewrite", *FLAGS, "--write")
    assert write.exit_code == 0, write.output
    expected = (
        '<div class="gallery"><img src="/media/one.jpg" width="400" height="300" fetchpriority="high">'
        f'<img src="/media/two.jpg" width="400" height="300"{LAZY}></div>\n'
    )
    assert (overlap / "t" / "machina" / "partial.html").read_text() == expected
    hero = '<img src="/media/hero.jpg" width="800" height="400" fetchpriority="high">'
    assert hero in (overlap / "t" / "machina" / "second.html").read_text()
    assert _cli("rewrite", *FLAGS, "--check").exit_code == 0  # written once, nothing left: both names agree with it


def test_audit_and_rewrite_name_a_file_of_several_names_alike(tmp_path: Path, write_tree, monkeypatch: pytest.MonkeyPatch) -> None:
    """``t/a`` before ``t``: page.html is also a/page.html; z.html is also b.html (a symlink to it),
    a/z.html and a/b.html. The audit names each file by its earliest dir, then fewest symlinks (what
    a view passes Django); rewrite named its change by sort order, a/page.html and a/b.html, and showed
    the diff of t/a/b.html (the link) for the page the audit calls t/a/z.html."""
    page = DOC.format('<img src="/media/one.jpg" width="4" height="3">')
    write_tree(tmp_path / "t" / "a", {"page.html": page, "z.html": page})
    (tmp_path / "t" / "a" / "b.html").symlink_to("z.html")
    (tmp_path / "static").mkdir()
    monkeypatch.chdir(tmp_path)
    flags = ["--templates", "t/a", "--templates", "t", "--static", "static"]
    assert _cli("audit", *flags, "--json", "audit.json").exit_code == 0
    audited = {p["name"]: (p["path"], sorted(p["other_names"])) for p in json.loads((tmp_path / "audit.json").read_text())["pages"]}
    assert audited == {"page.html": ("t/a/page.html", ["a/page.html"]), "z.html": ("t/a/z.html", ["a/b.html", "a/z.html", "b.html"])}
    diff = _cli("rewrite", *flags, "--only", "images")
    assert [line for line in diff.output.splitlines() if line.startswith("+++ ")] == ["+++ b/t/a/page.html", "+++ b/t/a/z.html"], diff.output
    project = Project(load_config(tmp_path, {"templates": ("t/a", "t"), "static": ("static",)}, cwd=tmp_path))
    result = plan_project(project, context_from_config(project.config, frozenset({"images"})), compile_check=False)
    assert [(c.name, project.display(c.path)) for c in result.changes] == [(n, p) for n, (p, _) in sorted(audited.items())]
    pages, _ = find_pages(project)
    assert sorted(p.name for p in pages) == sorted(audited)


def test_a_layout_measured_under_one_name_decides_for_the_file(overlap: Path) -> None:
    """Chromium measured second.html only, which includes machina/partial.html: its first image in
    the first screen on both screens (eager), its second below (lazy). first.html, unmeasured, reaches
    the file as partial.html, where the rules make the first image the LCP candidate. The documented
    rule, by hand: the most eager role wins (in the first screen: eager, no fetchpriority), written as
    loading="eager" since the rules alone would prioritise it. Before: partial.html got fetchpriority,
    machina/partial.html loading="eager": two rewrites of one file."""
    both = frozenset({"mobile", "desktop"})
    one, two = (i for i, _ in enumerate(PARTIAL) if PARTIAL.startswith("<img", i))
    widths = ((412, 200.0), (1350, 400.0))
    measured = PageLayout(
        "/second/",
        "second.html",
        {("machina/partial.html", one): ImageLayout(widths, both, both), ("machina/partial.html", two): ImageLayout(widths, both, frozenset())},
    )
    project = Project(load_config(overlap, {"templates": ("t/machina", "t"), "static": ("static",), "images": False}, cwd=overlap))
    base = replace(context_from_config(project.config, frozenset({"images"})), layout=Layout((measured,)))
    result = plan_project(project, base, compile_check=False)
    changed = {c.name: c.after for c in result.changes}
    assert sorted(changed) == ["partial.html", "second.html"]
    assert changed["partial.html"] == (
        '<div class="gallery"><img src="/media/one.jpg" width="400" height="300" loading="eager">'
        f'<img src="/media/two.jpg" width="400" height="300"{LAZY}></div>\n'
    )


def test_a_cache_rule_naming_the_files_other_name_still_applies(overlap: Path) -> None:
    """The file is planned once, as partial.html; a rule written for machina/partial.html is a rule
    for that file."""
    (overlap / "pyproject.toml").write_text(
        '[tool.assetopt]\ntemplates = ["t/machina", "t"]\nstatic = ["static"]\n'
        '[[tool.assetopt.cache]]\ntemplate = "machina/partial.html"\nselector = "div.gallery"\ntimeout = 60\nname = "gallery"\nvary = []\n'
    )
    result = _cli("rewrite", "--only", "cache", "--write")
    assert result.exit_code == 0, result.output
    text = (overlap / "t" / "machina" / "partial.html").read_text()
    assert text.count("{% cache 60 gallery") == 1 and text.count("{% endcache %}") == 1, text
    assert text.index("{% cache 60 gallery") < text.index('<div class="gallery">') < text.index("</div>") < text.index("{% endcache %}")


def test_styles_of_a_file_stay_when_a_page_reaching_it_by_its_other_name_cannot_load_the_stylesheet(
    tmp_path: Path, write_tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    """first.html has a stylesheet run in its <head> (the generated stylesheet would join it) and
    includes partial.html; bare.html has none and includes the same file as machina/partial.html: a
    class moved out of its style="" would be unstyled there, so the file keeps its styles, and with
    nothing to move no page gets the generated stylesheet. Before: partial.html had its style moved
    (and bare.html lost it), machina/partial.html kept it: two rewrites of one file."""
    links = "".join(f'<link rel="stylesheet" href="{{% static \'{c}.css\' %}}">' for c in "ab")
    first = "{% load static %}<!DOCTYPE html><html><head>" + links + '</head><body>{% include "partial.html" %}</body></html>\n'
    partial = '<p style="color: red">hi</p>\n'
    tree = {
        "machina/partial.html": partial,
        "machina/first.html": first,
        "machina/bare.html": '<!DOCTYPE html><html><head></head><body>{% include "machina/partial.html" %}</body></html>\n',
    }
    write_tree(tmp_path / "t", tree)
    write_tree(tmp_path / "static", {"a.css": "p{margin:0}", "b.css": "p{padding:0}"})
    monkeypatch.chdir(tmp_path)
    flags = ["--templates", "t/machina", "--templates", "t", "--static", "static", "--only", "styles"]
    explained = _cli("rewrite", *flags, "--explain")
    assert explained.output.startswith("nothing to rewrite\n"), explained.output
    assert explained.output.count("t/machina/partial.html:1: styles: <p> style stays: page bare.html does not load the generated stylesheet") == 1
    written = _cli("rewrite", *flags, "--write")
    assert written.exit_code == 0, written.output
    assert {n: (tmp_path / "t" / n).read_text() for n in tree} == tree
    assert not (tmp_path / "static" / "assetopt").exists()


def test_the_layout_line_counts_a_tag_measured_under_two_names_once(overlap: Path) -> None:
    """first.html reaches the partial as partial.html, second.html as machina/partial.html: Chromium
    measured the partial's two images on both pages, under both names, and second.html's hero. That is
    three <img> tags in two files, not five (before: counted by name)."""
    one, two = (i for i, _ in enumerate(PARTIAL) if PARTIAL.startswith("<img", i))
    hero = OVERLAP["machina/second.html"].index("<img")
    widths = ((412, 200.0), (1350, 400.0))
    both = frozenset({"mobile", "desktop"})
    layout = Layout(
        (
            PageLayout(
                "/first/", "first.html", {("partial.html", one): ImageLayout(widths, both, both), ("partial.html", two): ImageLayout(widths, both)}
            ),
            PageLayout(
                "/second/",
                "second.html",
                {
                    ("second.html", hero): ImageLayout(widths, both, both),
                    ("machina/partial.html", one): ImageLayout(widths, both),
                    ("machina/partial.html", two): ImageLayout(widths, both),
                },
            ),
        ),
        "156.0",
    )
    project = Project(load_config(overlap, {"templates": ("t/machina", "t"), "static": ("static",), "images": False}, cwd=overlap))
    assert project.file_key("partial.html") == project.file_key("machina/partial.html")  # one file: what the line counts by
    line = layout_line(RewriteContext(layout=layout), [], project.file_key)
    assert line is not None and line.startswith("layout: 3 <img> tag(s) measured on 2 page(s)"), line
