"""The styles transform: static style="" -> content-addressed !important classes, <style> blocks -> the
generated assetopt/inline.css, linked once in the page's first stylesheet run (inside its bundle);
whatever cannot move without changing a page stays and is listed."""

from __future__ import annotations

import functools
import hashlib
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import django
import pytest
from click.testing import CliRunner

from assetopt.cli import cli
from assetopt.errors import AssetoptError
from assetopt.rewrite.compile_check import compile_errors
from assetopt.rewrite.context import RewriteContext
from assetopt.rewrite.edits import TransformResult, apply_edits
from assetopt.rewrite.plan import plan_rewrite
from assetopt.rewrite.project import plan_project, write_changes
from assetopt.rewrite.styles import (
    HEADER,
    MovedBlock,
    StyleScope,
    StylesResult,
    merge_stylesheet,
    plan_styles,
    read_stylesheet,
)
from assetopt.templates.model import Template, parse_template
from assetopt.templates.tags import StartTag

REPO = Path(__file__).resolve().parent.parent
DJANGO_DIR = Path(django.__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
STYLES = RewriteContext(only=frozenset({"styles"}))


def C(declarations: str) -> str:
    """The documented class name, computed here on its own: ao-s- + 8 hex of SHA-256."""
    return "ao-s-" + hashlib.sha256(declarations.encode("utf-8")).hexdigest()[:8]


RED = C("color: red !important")
NOTO = 'font-family: "Noto Sans Arabic", sans-serif !important'

HEAD = (
    "{% load static %}<!DOCTYPE html>\n<html><head>\n"
    '  <link rel="stylesheet" href="{% static \'a.css\' %}">\n'
    '  <link rel="stylesheet" href="{% static \'b.css\' %}">\n'
)
LINK = '  <link rel="stylesheet" href="{% static \'assetopt/inline.css\' %}">\n'


def doc(body: str, head: str = "", linked: bool = False) -> str:
    """A page with a two-stylesheet run in <head>; ``linked``: as rewritten, with the generated link."""
    return HEAD + (LINK if linked else "") + head + "</head>\n<body>\n" + body + "\n</body></html>\n"


def rewrite(source: str, name: str = "page.html", ctx: RewriteContext = STYLES) -> tuple[str, TransformResult, StylesResult]:
    template = parse_template(name, source)
    result = plan_rewrite(template, ctx)
    return apply_edits(source, result.edits), result, plan_styles(template, ctx)


def assert_rewrites(source: str, expected: str, ctx: RewriteContext = STYLES) -> StylesResult:
    out, _, styles = rewrite(source, ctx=ctx)
    assert out == expected
    again, second, second_styles = rewrite(out, ctx=ctx)  # rewriting twice equals rewriting once
    assert second.edits == () and again == out
    assert second_styles.rules == () and second_styles.blocks == ()
    return styles


ATTRIBUTE_CASES = [
    pytest.param('<p style="color: red">x</p>', f'<p class="{RED}">x</p>', [(RED, "color: red !important")], id="style_becomes_an_important_class"),
    pytest.param(
        '<p style="color:red;MARGIN : 0 ;">x</p>',
        f'<p class="{C("color: red !important; margin: 0 !important")}">x</p>',
        [(C("color: red !important; margin: 0 !important"), "color: red !important; margin: 0 !important")],
        id="declarations_normalised",
    ),
    pytest.param('<p style="color: red !IMPORTANT">x</p>', f'<p class="{RED}">x</p>', [(RED, "color: red !important")], id="important_kept_once"),
    pytest.param(
        '<p style="color: red">a</p><div style="color:red;">b</div>',
        f'<p class="{RED}">a</p><div class="{RED}">b</div>',
        [(RED, "color: red !important")],
        id="same_style_same_class",
    ),
    pytest.param(
        '<p class="lead" style="color: red">x</p>', f'<p class="lead {RED}">x</p>', [(RED, "color: red !important")], id="appended_to_class"
    ),
    pytest.param(
        '<p style="color: red" class="lead">x</p>', f'<p class="lead {RED}">x</p>', [(RED, "color: red !important")], id="class_after_style"
    ),
    pytest.param(
        '<p class="a{% if x %} b{% endif %}" style="color: red">x</p>',
        f'<p class="a{{% if x %}} b{{% endif %}} {RED}">x</p>',
        [(RED, "color: red !important")],
        id="class_with_template_code_appended",
    ),
    pytest.param('<p class="" style="color: red">x</p>', f'<p class="{RED}">x</p>', [(RED, "color: red !important")], id="empty_class"),
    pytest.param("<p style='color: red' id='a'>x</p>", f"<p class='{RED}' id='a'>x</p>", [(RED, "color: red !important")], id="single_quotes_kept"),
    pytest.param(
        '<p\n    id="a"\n    style="color: red"\n>x</p>',
        f'<p\n    id="a"\n    class="{RED}"\n>x</p>',
        [(RED, "color: red !important")],
        id="multi_line_tag_keeps_its_layout",
    ),
    pytest.param(
        '<p class="x"\n   style="color: red"\n   id="a">x</p>',
        f'<p class="x {RED}"\n   id="a">x</p>',
        [(RED, "color: red !important")],
        id="removed_with_its_leading_space",
    ),
    pytest.param(
        '<p style="font-family: &quot;Noto Sans Arabic&quot;, sans-serif">x</p>',
        f'<p class="{C(NOTO)}">x</p>',
        [(C(NOTO), NOTO)],
        id="character_references_decoded",
    ),
    pytest.param(
        '<p style="background: url(/static/img/a.png); --Gap: 2px">x</p>',
        f'<p class="{C("background: url(/static/img/a.png) !important; --Gap: 2px !important")}">x</p>',
        [
            (
                C("background: url(/static/img/a.png) !important; --Gap: 2px !important"),
                "background: url(/static/img/a.png) !important; --Gap: 2px !important",
            )
        ],
        id="absolute_url_and_custom_property_case_kept",
    ),
    pytest.param(
        '<p class="a" style="color: red"id="b">x</p>',
        f'<p class="a {RED}" id="b">x</p>',
        [(RED, "color: red !important")],
        id="space_kept_when_the_next_attribute_needs_it",
    ),
    pytest.param('<p style=" ">x</p><i style></i>', "<p>x</p><i></i>", [], id="empty_style_removed"),
]


@pytest.mark.parametrize("body, expected, rules", ATTRIBUTE_CASES)
def test_static_style_becomes_a_class(body: str, expected: str, rules: list[tuple[str, str]]) -> None:
    styles = assert_rewrites(doc(body), doc(expected, linked=bool(rules)))
    assert list(styles.rules) == rules
    assert styles.result.skips == ()


STAYS_CASES = [
    pytest.param('<p class=lead style="color: red">x</p>', "class is unquoted: the class cannot be appended to it", id="unquoted_class"),
    pytest.param('<div style="width: {{ pct }}%">x</div>', "template code in style", id="template_code"),
    pytest.param('<div style="{# later #}color: red">x</div>', "template code in style", id="template_comment"),
    pytest.param('<p style="color">x</p>', "not a declaration: 'color'", id="no_colon"),
    pytest.param('<p style="color: red}body{color: blue">x</p>', "a brace in style", id="brace_would_end_the_rule"),
    pytest.param(
        '<p style="background: url(img/a.png)">x</p>',
        "relative url(img/a.png) resolves against the page, not against the generated stylesheet",
        id="relative_url",
    ),
    pytest.param('<p style="content: &quot;a&amp b&quot;">x</p>', "a character reference without ';' in style", id="ambiguous_reference"),
    pytest.param(
        '<div style="display: none">x</div>',
        "display:none: scripts show such elements through element.style.display, which a generated !important rule would override",
        id="display_none",
    ),
    pytest.param('<p style="color: red" style="color: blue">x</p>', "two style attributes", id="two_style_attributes"),
    pytest.param(
        '<template><p style="color: red">x</p></template>',
        "inside <template>: its content may go into a shadow root, where the page's stylesheets do not apply",
        id="inside_template",
    ),
    pytest.param(
        '{% load i18n %}{% blocktrans %}<b style="color: red">{{ n }}</b> new{% endblocktrans %}',
        "inside {% blocktrans %}, its text is a translation's message id",
        id="inside_blocktrans",
    ),
]


@pytest.mark.parametrize("body, reason", STAYS_CASES)
def test_style_that_cannot_move_stays_and_is_listed(body: str, reason: str) -> None:
    source = doc(body)
    out, result, styles = rewrite(source)
    assert out == source  # nothing moved, so no link either
    tag = next(i for i in parse_template("p.html", source).items if isinstance(i, StartTag) and i.attr("style") is not None)
    assert [(s.kind, s.lineno, s.reason) for s in result.skips] == [("styles", 7, f"<{tag.name}> style stays: {reason}")]
    assert styles.rules == ()


def test_body_and_opaque_tags_keep_their_style() -> None:
    source = HEAD + '</head>\n<body style="overflow: hidden">\n<p {% if x %}style="color: red"{% endif %}>x</p>\n</body></html>\n'
    out, result, _ = rewrite(source)
    assert out == source
    assert [s.reason for s in result.skips] == [
        "<body> style stays: scripts set the style of <body> (scroll locks, themes); a generated !important rule would override them",
        "<p> style stays: {% if %} between attributes",
    ]


BLOCK_CASES = [
    pytest.param(
        "  <style>\n    h1 { letter-spacing: 2px; }\n  </style>\n",
        "",
        [MovedBlock("page.html", 5, "h1 { letter-spacing: 2px; }")],
        id="style_block_moved_with_its_line",
    ),
    pytest.param(
        '  <style media="print">.no-print { display: none; }</style>\n',
        "",
        [MovedBlock("page.html", 5, "@media print{\n.no-print { display: none; }\n}")],
        id="print_media_wrapped",
    ),
    pytest.param(
        '  <style type="text/css" media="all" nonce="{{ csp_nonce }}">p{margin:0}</style>\n',
        '  <style type="text/css" media="all" nonce="{{ csp_nonce }}">p{margin:0}</style>\n',
        [],
        id="template_code_in_an_attribute_stays",
    ),
    pytest.param(
        "  <style>a{color:red}</style><style media=screen>b{color:red}</style>\n",
        "  \n",
        [MovedBlock("page.html", 5, "a{color:red}"), MovedBlock("page.html", 5, "@media screen{\nb{color:red}\n}")],
        id="two_blocks_keep_their_order",
    ),
]


@pytest.mark.parametrize("head, expected_head, blocks", BLOCK_CASES)
def test_style_blocks_move_to_the_generated_stylesheet(head: str, expected_head: str, blocks: list[MovedBlock]) -> None:
    styles = assert_rewrites(doc("<h1>x</h1>", head), doc("<h1>x</h1>", expected_head, linked=bool(blocks)))
    assert list(styles.blocks) == blocks


BLOCK_STAYS = [
    pytest.param("<style>h1 { width: {{ w }}px }</style>", "template code in <style>", id="template_code"),
    pytest.param("<style>@import url(/static/x.css); h1{}</style>", "@import must stay first in its stylesheet", id="import"),
    pytest.param('<style id="theme">h1{}</style>', "it has id= (scripts or stylesheet sets may refer to it)", id="id"),
    pytest.param('<style type="text/less">h1{}</style>', "type='text/less' is not CSS: the browser ignores this block", id="not_css"),
    pytest.param("<noscript><style>.js{display:none}</style></noscript>", "inside <noscript>, where it applies only sometimes", id="noscript"),
    pytest.param(
        "<style>.hero{background:url(img/hero.jpg)}</style>",
        "relative url(img/hero.jpg) resolves against the page, not against the generated stylesheet",
        id="relative_url",
    ),
]


@pytest.mark.parametrize("head, reason", BLOCK_STAYS)
def test_style_blocks_that_cannot_move_stay(head: str, reason: str) -> None:
    source = doc("<h1>x</h1>", head + "\n")
    out, result, styles = rewrite(source)
    assert out == source
    assert [s.reason for s in result.skips] == [f"<style> stays: {reason}"]
    assert styles.blocks == ()


def test_style_block_before_the_run_stays_its_order_would_change() -> None:
    source = "{% load static %}<html><head>\n<style>p{color:red}</style>\n" + HEAD.split("<head>\n", 1)[1] + "</head><body></body></html>"
    out, result, _ = rewrite(source)
    assert out == source
    assert [s.reason for s in result.skips] == ["<style> stays: it comes before the stylesheet run on page page.html"]


def test_nothing_moves_without_a_stylesheet_run_to_join() -> None:
    source = '<html><head><link rel="stylesheet" href="/static/a.css"></head>\n<body><p style="color: red">x</p><style>p{}</style></body></html>'
    out, result, styles = rewrite(source)
    assert out == source
    reason = (
        "page page.html does not load the generated stylesheet: no stylesheet run in its <head> to join: "
        'add <link rel="stylesheet" href="{% static \'assetopt/inline.css\' %}"> to it yourself'
    )
    assert [s.reason for s in result.skips] == [f"<p> style stays: {reason}", f"<style> stays: {reason}"]
    assert (styles.rules, styles.blocks) == ((), ())


def test_link_ends_up_inside_the_bundle_when_both_transforms_run() -> None:
    source = doc('<p style="color: red">x</p>')
    expected = (
        "{% load static assetopt %}<!DOCTYPE html>\n<html><head>\n"
        '  {% bundle "css" %}\n'
        '  <link rel="stylesheet" href="{% static \'a.css\' %}">\n'
        '  <link rel="stylesheet" href="{% static \'b.css\' %}">\n'
        '  <link rel="stylesheet" href="{% static \'assetopt/inline.css\' %}">\n'
        "  {% endbundle %}\n"
        f'</head>\n<body>\n<p class="{RED}">x</p>\n</body></html>\n'
    )
    both = RewriteContext(only=frozenset({"bundles", "styles"}))
    assert_rewrites(source, expected, both)
    assert compile_errors([expected]) == [None]


def test_link_joins_an_existing_bundle_on_the_same_line_in_single_quotes() -> None:
    source = (
        "{% load static assetopt %}<html><head>\n"
        '{% bundle "css" %}\n'
        "<link rel='stylesheet' href='/static/a.css'><link rel='stylesheet' href='/static/b.css'>\n"
        "{% endbundle %}\n"
        "</head><body><p style='color: red'>x</p></body></html>"
    )
    expected = (
        "{% load static assetopt %}<html><head>\n"
        '{% bundle "css" %}\n'
        "<link rel='stylesheet' href='/static/a.css'><link rel='stylesheet' href='/static/b.css'>"
        "<link rel='stylesheet' href='{% static \"assetopt/inline.css\" %}'>\n"
        "{% endbundle %}\n"
        f"</head><body><p class='{RED}'>x</p></body></html>"
    )
    assert_rewrites(source, expected)


def test_load_static_added_for_the_link() -> None:
    source = '<html><head>\n<link rel="stylesheet" href="/static/a.css">\n<link rel="stylesheet" href="/static/b.css">\n</head><body><p style="color: red"></p></body></html>'
    expected = (
        "{% load static %}\n<html><head>\n"
        '<link rel="stylesheet" href="/static/a.css">\n<link rel="stylesheet" href="/static/b.css">\n'
        '<link rel="stylesheet" href="{% static \'assetopt/inline.css\' %}">\n'
        f'</head><body><p class="{RED}"></p></body></html>'
    )
    assert_rewrites(source, expected)


def test_bytes_outside_the_edits_are_unchanged_in_an_arabic_crlf_bom_file() -> None:
    source = (
        '\ufeff{% load static %}<html lang="ar" dir="rtl"><head>\r\n'
        '  <link rel="stylesheet" href="{% static \'a.css\' %}">\r\n'
        '  <link rel="stylesheet" href="{% static \'b.css\' %}">\r\n'
        '  <style>\r\n    h1 { font-family: "Noto Naskh Arabic"; }\r\n  </style>\r\n'
        '</head>\r\n<body>\r\n<h1>المنتجات</h1>\r\n<p class="lead" style="color: red">مرحبا بكم</p>\r\n<p>انتهى</p>\r\n</body></html>\r\n'
    )
    expected = (
        '\ufeff{% load static %}<html lang="ar" dir="rtl"><head>\r\n'
        '  <link rel="stylesheet" href="{% static \'a.css\' %}">\r\n'
        '  <link rel="stylesheet" href="{% static \'b.css\' %}">\r\n'
        '  <link rel="stylesheet" href="{% static \'assetopt/inline.css\' %}">\r\n'
        f'</head>\r\n<body>\r\n<h1>المنتجات</h1>\r\n<p class="lead {RED}">مرحبا بكم</p>\r\n<p>انتهى</p>\r\n</body></html>\r\n'
    )
    styles = assert_rewrites(source, expected)
    assert styles.blocks == (MovedBlock("page.html", 4, 'h1 { font-family: "Noto Naskh Arabic"; }'),)


# -- a project: pages decide where styles may move ---------------------------------------------------

BASE = (
    "{% load static %}<!DOCTYPE html>\n<html><head>\n"
    '  <link rel="stylesheet" href="{% static \'a.css\' %}">\n'
    '  <link rel="stylesheet" href="{% static \'b.css\' %}">\n'
    "  <style>\n    h1 { letter-spacing: 2px; }\n  </style>\n"
    "  {% block extra_css %}{% endblock %}\n"
    '</head>\n<body>{% block content %}{% endblock %}{% include "partials/footer.html" %}</body></html>\n'
)
SITE = {
    "base.html": BASE,
    "home.html": '{% extends "base.html" %}{% block content %}<h1 style="color: red">Home</h1>{% endblock %}\n',
    "report.html": (
        '{% extends "base.html" %}{% block extra_css %}<style>.chart { height: 3em; }</style>{% endblock %}'
        '{% block content %}<p class="x" style="color:red">Report</p>{% endblock %}\n'
    ),
    "partials/footer.html": '<footer style="padding: 1rem">©</footer>\n',
    "email.html": '<html><body><p style="color: red">Hi</p></body></html>\n',
}
STATIC = {"a.css": "h1 { color: blue; }\n", "b.css": "p { margin: 0; }\n"}


def _plan(project: object):
    return plan_project(project, STYLES, compile_check=False)  # type: ignore[arg-type]


def test_project_dedups_across_templates_and_keeps_page_specific_styles(make_project) -> None:
    project = make_project(templates=SITE, static=STATIC)
    result = _plan(project)
    after = {c.name: c.after for c in result.changes}
    assert after == {
        "base.html": BASE.replace(
            "  <style>\n    h1 { letter-spacing: 2px; }\n  </style>\n",
            '  <link rel="stylesheet" href="{% static \'assetopt/inline.css\' %}">\n',
        ),
        "home.html": f'{{% extends "base.html" %}}{{% block content %}}<h1 class="{RED}">Home</h1>{{% endblock %}}\n',
        "report.html": SITE["report.html"].replace('class="x" style="color:red"', f'class="x {RED}"'),
        "partials/footer.html": f'<footer class="{C("padding: 1rem !important")}">©</footer>\n',
    }
    assert result.generated == {
        "assetopt/inline.css": (
            f"{HEADER}\n"
            + "\n".join(sorted([f".{RED}{{color: red !important}}", f".{C('padding: 1rem !important')}{{padding: 1rem !important}}"]))
            + "\n\n/* from base.html:5 */\nh1 { letter-spacing: 2px; }\n"
        )
    }
    reasons = {(s.path.removeprefix("templates/"), s.reason) for s in result.skips}
    assert reasons == {
        ("report.html", "<style> stays: page home.html loads the generated stylesheet but does not render this block"),
        ("email.html", "e-mail template: left alone (an e-mail client ignores lazy loading, bundles and fetchpriority)"),
    }


def test_partial_rendered_by_a_page_without_the_stylesheet_keeps_its_style(make_project) -> None:
    project = make_project(templates={**SITE, "email.html": '<html><body>{% include "partials/footer.html" %}</body></html>\n'}, static=STATIC)
    result = _plan(project)
    assert "partials/footer.html" not in {c.name for c in result.changes}
    assert [s.reason for s in result.skips if s.path == "templates/partials/footer.html"] == [
        "<footer> style stays: page email.html does not load the generated stylesheet: no stylesheet run in its <head> to join: "
        'add <link rel="stylesheet" href="{% static \'assetopt/inline.css\' %}"> to it yourself'
    ]


def test_template_no_page_renders_keeps_its_style(make_project) -> None:
    project = make_project(templates={**SITE, "partials/card.html": '<div style="color: red"></div>'}, static=STATIC)
    result = _plan(project)
    assert [s.reason for s in result.skips if s.path == "templates/partials/card.html"] == [
        "<div> style stays: no page renders this template, so nothing loads the generated stylesheet where it is used"
    ]


def test_second_rewrite_finds_nothing_and_generates_the_same_stylesheet(make_project) -> None:
    project = make_project(templates=SITE, static=STATIC)
    first = _plan(project)
    written = write_changes(first, project)
    sheet = project.config.static[0] / "assetopt" / "inline.css"
    assert written[0] == sheet and sheet.read_text("utf-8") == first.generated["assetopt/inline.css"]
    again = _plan(make_project(templates={}, static={}))  # a new Project: nothing cached
    assert again.changes == [] and again.generated == first.generated


def test_existing_rules_are_kept_and_hand_written_css_is_refused() -> None:
    existing = f"{HEADER}\n.ao-s-00000000{{color: blue !important}}\n\n/* from old.html:3 */\np {{ margin: 0; }}\n"
    new = StylesResult(TransformResult(), ((RED, "color: red !important"),), (MovedBlock("old.html", 3, "p { margin: 0; }"),))
    assert merge_stylesheet([new], existing) == (
        f"{HEADER}\n.ao-s-00000000{{color: blue !important}}\n.{RED}{{color: red !important}}\n\n/* from old.html:3 */\np {{ margin: 0; }}\n"
    )
    assert read_stylesheet(existing) == ({"ao-s-00000000": "color: blue !important"}, [MovedBlock("old.html", 3, "p { margin: 0; }")])
    with pytest.raises(AssetoptError, match=r"inline.css:2: a line assetopt did not write"):
        read_stylesheet(f"{HEADER}\nbody {{ margin: 0 }}\n")
    assert merge_stylesheet([StylesResult(TransformResult())]) is None


def test_write_in_place_then_check_is_clean(tmp_path: Path, write_tree, monkeypatch) -> None:
    write_tree(tmp_path, {f"templates/{k}": v for k, v in SITE.items()})
    write_tree(tmp_path, {f"static/{k}": v for k, v in STATIC.items()})
    (tmp_path / "pyproject.toml").write_text('[tool.assetopt]\ntemplates = ["templates"]\nstatic = ["static"]\nrewrite = ["styles"]\n')
    monkeypatch.chdir(tmp_path)
    diff = CliRunner().invoke(cli, ["rewrite"])
    assert diff.exit_code == 0, diff.output
    assert "+++ b/static/assetopt/inline.css" in diff.output and f"+.{RED}{{color: red !important}}" in diff.output
    check = CliRunner().invoke(cli, ["rewrite", "--check"])
    assert check.exit_code == 1 and "4 template(s) and 1 generated file(s) would change" in check.output
    written = CliRunner().invoke(cli, ["rewrite", "--write"])
    assert written.exit_code == 0, written.output
    assert "generated static/assetopt/inline.css: commit it with the templates" in written.output
    assert (tmp_path / "static/assetopt/inline.css").read_text("utf-8").startswith(HEADER)
    again = CliRunner().invoke(cli, ["rewrite", "--check"])
    assert again.exit_code == 0, again.output


def _tree(root: Path) -> dict[str, bytes | None]:
    """Every file (bytes) and folder (None) under the template and static dirs."""
    return {p.relative_to(root).as_posix(): p.read_bytes() if p.is_file() else None for d in ("templates", "static") for p in (root / d).rglob("*")}


@pytest.mark.parametrize(
    "existing",
    [
        pytest.param(None, id="stylesheet_created"),
        pytest.param(f"{HEADER}\r\n.ao-s-00000000{{color: blue !important}}\r\n", id="stylesheet_existed_crlf"),
    ],
)
def test_printed_undo_command_restores_templates_and_static_dirs_exactly(tmp_path: Path, write_tree, monkeypatch, existing: str | None) -> None:
    import subprocess

    write_tree(tmp_path, {f"templates/{k}": v for k, v in SITE.items()})
    write_tree(tmp_path, {f"static/{k}": v for k, v in STATIC.items()})
    if existing is not None:
        (tmp_path / "static/assetopt").mkdir()
        (tmp_path / "static/assetopt/inline.css").write_bytes(existing.encode("utf-8"))
    (tmp_path / "pyproject.toml").write_text('[tool.assetopt]\ntemplates = ["templates"]\nstatic = ["static"]\nrewrite = ["bundles"]\n')
    monkeypatch.chdir(tmp_path)
    original = _tree(tmp_path)
    written = CliRunner().invoke(cli, ["rewrite", "--only", "styles", "--write"])
    assert written.exit_code == 0, written.output
    sheet = (tmp_path / "static/assetopt/inline.css").read_bytes()
    assert sheet != (existing or "").encode("utf-8") and f".{RED}{{color: red !important}}".encode() in sheet  # it was (re)written
    undo = written.output.split("exactly as written: ")[1].strip()
    subprocess.run(undo, shell=True, check=True, capture_output=True)
    assert _tree(tmp_path) == original
    # and the same with `assetopt undo`, from the state the rewrite left
    written = CliRunner().invoke(cli, ["rewrite", "--only", "styles", "--write"])
    assert written.exit_code == 0, written.output
    patch = written.output.split("to undo: assetopt undo ")[1].splitlines()[0].strip("'")
    undone = CliRunner().invoke(cli, ["undo", patch])
    assert undone.exit_code == 0, undone.output
    assert _tree(tmp_path) == original


# -- every template we have ------------------------------------------------------------------------


def _template_params() -> list[object]:
    params: list[object] = []
    roots = [(DJANGO_DIR / "contrib" / "admin" / "templates", DJANGO_DIR.parent), (REPO / "example" / "templates", REPO)]
    for root, base in roots:
        for path in sorted(p for p in root.rglob("*.html") if p.is_file()):
            params.append(pytest.param(root, path, id=path.relative_to(base).as_posix()))
    return params


def _everything(template: Template) -> RewriteContext:
    """A scope that lets every style of the template move and links it at its own run: the most edits."""
    starts = frozenset((template.name, i.start) for i in template.items if isinstance(i, StartTag) and i.name == "style")
    scope = StyleScope(links=frozenset({template.name}), movable=frozenset({template.name}), blocks=starts)
    return RewriteContext(only=frozenset({"styles"}), styles=scope)


@pytest.fixture(scope="module")
def rewritten_everything() -> dict[Path, tuple[str, str]]:
    out = {}
    for param in _template_params():
        root, path = param.values  # type: ignore[attr-defined]
        source = path.read_text("utf-8")
        template = parse_template(path.relative_to(root).as_posix(), source)
        out[path] = (source, apply_edits(source, plan_rewrite(template, _everything(template)).edits))
    return out


def test_every_rewritten_template_compiles_and_rewriting_twice_equals_once(rewritten_everything: dict[Path, tuple[str, str]]) -> None:
    changed = {p: after for p, (before, after) in rewritten_everything.items() if after != before}
    assert len(changed) >= 4  # the example's base.html, invoice, settings, warehouses; admin's change_list
    errors = compile_errors(list(changed.values()))
    assert {str(p): e for p, e in zip(changed, errors) if e} == {}
    for path, after in changed.items():
        template = parse_template(path.name, after)
        assert plan_rewrite(template, _everything(template)).edits == (), path


@pytest.mark.parametrize(
    "root",
    [pytest.param(REPO / "example" / "templates", id="example"), pytest.param(DJANGO_DIR / "contrib" / "admin" / "templates", id="django_admin")],
)
def test_project_rewrite_compiles_and_a_second_one_finds_nothing(root: Path, tmp_path: Path, make_project) -> None:
    """With the real pages: nothing breaks, and rewriting the rewritten copy changes nothing."""
    shutil.copytree(root, tmp_path / "templates")
    project = make_project()
    first = plan_project(project, STYLES)
    assert (first.broken, first.problems) == ([], [])
    write_changes(first, project)
    again = plan_project(make_project(), STYLES, compile_check=False)
    assert (again.changes, again.generated) == ([], first.generated)
    if root.parent == REPO / "example":
        assert {c.name for c in first.changes} == {"base.html", "accounts/settings.html", "inventory/warehouses.html", "sales/invoice.html"}


# -- end to end: the CLI, Django's engine, Chromium ------------------------------------------------

E2E_BASE = (
    '{% load static %}<!DOCTYPE html>\n<html lang="ar" dir="rtl"><head>\n<meta charset="utf-8">\n'
    '<link rel="stylesheet" href="{% static \'css/a.css\' %}">\n'
    '<link rel="stylesheet" href="{% static \'css/b.css\' %}">\n'
    "<style>\n  h1 { letter-spacing: 2px; color: rgb(1, 2, 3); }\n</style>\n"
    '<style media="print">h1 { color: black; }</style>\n'
    "{% block extra_css %}{% endblock %}\n"
    "</head>\n<body>\n<h1>لوحة التحكم</h1>\n{% block content %}{% endblock %}\n</body></html>\n"
)
E2E_PAGE = (
    '{% extends "base.html" %}\n'
    "{% block extra_css %}<style>.chart { height: 30px; }</style>{% endblock %}\n"
    "{% block content %}\n"
    '<div id="main">\n'
    '  <p class="lead" style="color: rgb(255, 0, 0); margin-top: 7px">أهلا</p>\n'
    '  <p style="color: rgb(0, 128, 0) !important" class="note">ملاحظة</p>\n'
    '  <div class="chart" style="width: {{ pct }}%"></div>\n'
    '  <span style="font-weight: 700; padding: 3px">x</span><span style="font-weight:700;padding:3px">y</span>\n'
    "</div>\n"
    "{% endblock %}\n"
)
E2E_STATIC = {
    "css/a.css": "#main .lead { color: rgb(0, 0, 255); margin-top: 1px; }\np { margin: 0; }\n",
    "css/b.css": ".note { color: rgb(9, 9, 9); font-size: 13px; }\n",
}
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
COMPUTED = """() => Array.from(document.querySelectorAll('body, body *')).map(el => {
  const cs = getComputedStyle(el), out = {};
  for (const p of cs) out[p] = cs.getPropertyValue(p);
  return [el.tagName, out];
})"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture
def serve() -> Iterator[functools.partial[str]]:
    servers: list[ThreadingHTTPServer] = []

    def start(root: Path) -> str:
        server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start  # type: ignore[misc]
    for server in servers:
        server.shutdown()
        server.server_close()


def _render(templates: Path, name: str, context: dict[str, object]) -> str:
    import django_settings
    from django.template.backends.django import DjangoTemplates

    django_settings.configure()
    engine = DjangoTemplates({"NAME": "e2e", "DIRS": [str(templates)], "APP_DIRS": False, "OPTIONS": {}})
    return engine.get_template(name).render(context)


@pytest.mark.browser("chromium")
def test_computed_styles_are_identical_in_chromium_after_rewrite_through_the_cli(tmp_path: Path, write_tree, monkeypatch, serve) -> None:
    other = '{% extends "base.html" %}{% block content %}<p style="margin-top: 7px">x</p>{% endblock %}\n'
    write_tree(tmp_path, {"templates/base.html": E2E_BASE, "templates/page.html": E2E_PAGE, "templates/other.html": other})
    write_tree(tmp_path, {f"static/{k}": v for k, v in E2E_STATIC.items()})
    (tmp_path / "pyproject.toml").write_text('[tool.assetopt]\ntemplates = ["templates"]\nstatic = ["static"]\n')
    monkeypatch.chdir(tmp_path)
    run = CliRunner().invoke(cli, ["rewrite", "--only", "styles", "--out", "OUT"])
    assert run.exit_code == 0, run.output
    assert "generated " in run.output and "OUT/static to STATICFILES_DIRS" in run.output
    inline = (tmp_path / "OUT/static/assetopt/inline.css").read_text("utf-8")
    assert "/* from base.html:6 */\nh1 { letter-spacing: 2px; color: rgb(1, 2, 3); }" in inline
    assert "@media print{\nh1 { color: black; }\n}" in inline
    rewritten = (tmp_path / "OUT/templates/page.html").read_text("utf-8")
    assert ' style="width: {{ pct }}%"' in rewritten and "<style>.chart" in rewritten  # template code, page-specific
    assert rewritten.count("style=") == 1

    site = tmp_path / "site"
    shutil.copytree(tmp_path / "static", site / "static")
    shutil.copytree(tmp_path / "OUT/static", site / "static", dirs_exist_ok=True)
    before = _render(tmp_path / "templates", "page.html", {"pct": 40})
    after = _render(tmp_path / "OUT/templates", "page.html", {"pct": 40})
    assert "assetopt/inline.css" in after and "style=" in before
    (site / "before.html").write_text(before, "utf-8")
    (site / "after.html").write_text(after, "utf-8")
    base = serve(site)

    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            styles = {}
            for name in ("before", "after"):
                page.goto(f"{base}/{name}.html")
                styles[name] = page.evaluate(COMPUTED)
        finally:
            browser.close()
    assert [tag for tag, _ in styles["after"]] == [tag for tag, _ in styles["before"]]
    for (tag, was), (_, now) in zip(styles["before"], styles["after"]):
        assert {k: (v, now.get(k)) for k, v in was.items() if now.get(k) != v} == {}, tag
    # not a vacuous comparison: the moved styles do apply, and beat the stylesheets as they did inline
    assert any(tag == "P" and s["color"] == "rgb(255, 0, 0)" and s["margin-top"] == "7px" for tag, s in styles["after"])
    assert any(tag == "H1" and s["letter-spacing"] == "2px" and s["color"] == "rgb(1, 2, 3)" for tag, s in styles["after"])
    assert any(tag == "P" and s["color"] == "rgb(0, 128, 0)" for tag, s in styles["after"])
    assert any(tag == "DIV" and s["height"] == "30px" for tag, s in styles["after"])
