"""``assetopt audit`` reports every literal ``{% static %}`` a page renders whose file no static dir has,
wherever it sits (not only in asset tags): with a manifest storage ``{% static %}`` of a name missing
from ``staticfiles.json`` raises ValueError, so the page is a 500 when DEBUG is off
(test_django_static_literals.py renders one to show it)."""

from __future__ import annotations

import pytest

from assetopt.audit.run import run_audit

BASE = """{% load static %}<!DOCTYPE html>
<html><head><link rel="stylesheet" href="{% static 'css/site.css' %}"></head>
<body>
{% block content %}<a href="{% static 'files/only-in-base.pdf' %}">x</a>{% endblock %}
{% include 'footer.html' %}
</body></html>
"""
FOOTER = """{% load static %}<footer data-icon="{% static 'img/gone-footer.svg' %}"></footer>
"""


def _missing(result, page: str) -> list[tuple[str, int, str]]:
    (report,) = [p for p in result.pages if p.name == page]
    return [(f.path.rsplit("/", 1)[-1], f.lineno, f.message.split(" ", 1)[0]) for f in report.findings if f.code == "missing-file"]


@pytest.mark.parametrize(
    "markup",
    [
        pytest.param("<a href=\"{% static 'files/manual.pdf' %}\" download>manual</a>", id="download_link"),
        pytest.param("<div data-src=\"{% static 'files/manual.pdf' %}\"></div>", id="data_attribute"),
        pytest.param("<div style=\"background:url({% static 'files/manual.pdf' %})\"></div>", id="inline_style"),
        pytest.param('<meta property="og:image" content="{% static \'files/manual.pdf\' %}">', id="meta_content"),
        pytest.param("<video poster=\"{% static 'files/manual.pdf' %}\"></video>", id="video_poster"),
        pytest.param("{% static 'files/manual.pdf' as manual %}<a href=\"{{ manual }}\">m</a>", id="as_variable"),
        pytest.param("<script>const url = \"{% static 'files/manual.pdf' %}\";</script>", id="inline_script"),
        pytest.param("<!-- <a href=\"{% static 'files/manual.pdf' %}\"> -->", id="html_comment_django_renders"),
        pytest.param("{% if user.is_staff %}<a href=\"{% static 'files/manual.pdf' %}\">m</a>{% endif %}", id="inside_if"),
        pytest.param("<a href=\"{% static 'files/manual.pdf?v=2#page=3' %}\">m</a>", id="query_and_fragment_dropped"),
    ],
)
def test_a_missing_literal_static_anywhere_in_a_page_is_a_missing_file_error(make_project, markup: str) -> None:
    project = make_project(templates={"p.html": "{% load static %}<!DOCTYPE html><html><body>\n" + markup + "\n</body></html>"})
    (report,) = run_audit(project).pages
    (f,) = [f for f in report.findings if f.code == "missing-file"]
    assert (f.severity, f.path.endswith("templates/p.html"), f.lineno) == ("error", True, 2)
    assert f.message.startswith("files/manual.pdf not found in the static dirs (static): {% static 'files/manual.pdf")
    assert "raises ValueError with a manifest storage" in f.message and "server error (500) when DEBUG is off" in f.message
    assert f.fix.startswith("fix the path, add the file, or add the folder that holds it (--static DIR;")


@pytest.mark.parametrize(
    "markup",
    [
        pytest.param("<a href=\"{% static 'files/manual.pdf' %}\">m</a>", id="file_exists"),
        pytest.param("<a href=\"{% static 'files/manual.pdf?v=2' %}\">m</a>", id="file_exists_with_query"),
        pytest.param("<div data-base=\"{% static 'vendor/' %}\"></div>", id="folder_with_slash_is_never_looked_up"),
        pytest.param("{% comment %}<a href=\"{% static 'files/gone.pdf' %}\">{% endcomment %}", id="comment_block"),
        pytest.param("{% verbatim %}<a href=\"{% static 'files/gone.pdf' %}\">{% endverbatim %}", id="verbatim_block"),
        pytest.param('<a href="{% static path_var %}">m</a>', id="computed_path"),
    ],
)
def test_no_finding_for_what_a_manifest_storage_serves_or_django_never_runs(make_project, markup: str) -> None:
    project = make_project(
        templates={"p.html": "{% load static %}<!DOCTYPE html><html><body>\n" + markup + "\n</body></html>"},
        static={"files/manual.pdf": b"%PDF-1.4", "vendor/x.js": "x"},
    )
    (report,) = run_audit(project).pages
    assert [f.message for f in report.findings if f.code == "missing-file"] == []


def test_only_the_templates_and_blocks_a_page_renders_are_reported_each_at_its_file_and_line(make_project) -> None:
    project = make_project(
        templates={
            "base.html": BASE,
            "footer.html": FOOTER,
            # overrides the block holding only-in-base.pdf: that link never renders on this page
            "page.html": "{% extends 'base.html' %}{% load static %}{% block content %}\n<img src=\"{% static 'img/gone-page.png' %}\" alt=\"\">{% endblock %}",
            # keeps the block: the base's link renders here
            "plain.html": "{% extends 'base.html' %}",
            # a partial no page includes: never rendered, never reported
            "unused.html": "{% load static %}<p data-x=\"{% static 'img/never.png' %}\"></p>",
        },
        static={"css/site.css": "body{}"},
    )
    result = run_audit(project)
    assert sorted(p.name for p in result.pages) == ["page.html", "plain.html"]
    assert _missing(result, "page.html") == [("page.html", 2, "img/gone-page.png"), ("footer.html", 1, "img/gone-footer.svg")]
    assert _missing(result, "plain.html") == [("base.html", 4, "files/only-in-base.pdf"), ("footer.html", 1, "img/gone-footer.svg")]


def test_a_missing_static_in_an_asset_tag_is_one_finding_at_the_static_tag(make_project) -> None:
    """The asset-tag check and the literal scan see the same path: named once, with the 500 it causes."""
    project = make_project(
        templates={
            "p.html": '{% load static %}<!DOCTYPE html><html><head>\n<link rel="stylesheet"\n href="{% static \'css/gone.css\' %}"></head></html>'
        }
    )
    (report,) = run_audit(project).pages
    (f,) = [f for f in report.findings if f.code == "missing-file"]
    assert (f.lineno, f.message.split(":", 1)[0]) == (3, "css/gone.css not found in the static dirs (static)")
    assert "server error (500)" in f.message


def test_a_literal_static_url_to_a_missing_file_keeps_its_404_finding(make_project) -> None:
    """``/static/css/gone.css`` written out is no ``{% static %}``: a 404, not a 500."""
    project = make_project(templates={"p.html": "<html><head>\n<link rel='stylesheet' href='/static/css/gone.css'></head></html>"})
    (report,) = run_audit(project).pages
    (f,) = [f for f in report.findings if f.code == "missing-file"]
    assert f.lineno == 2 and "ValueError" not in f.message


def test_a_download_link_is_looked_up_but_never_measured(make_project) -> None:
    """A ``{% static %}`` outside asset tags is no request: it adds nothing to the page's bytes."""
    project = make_project(
        templates={"p.html": "{% load static %}<!DOCTYPE html><html><body><a href=\"{% static 'files/big.bin' %}\">get</a></body></html>"},
        static={"files/big.bin": b"\x00" * 50_000},
    )
    (report,) = run_audit(project).pages
    assert (report.counts["requests"], report.bytes["total"]["raw"], [f.code for f in report.findings if f.code == "missing-file"]) == (0, 0, [])


def test_a_literal_static_naming_a_folder_is_a_missing_file_that_says_so(make_project) -> None:
    """django-jazzmin 3.0.5's admin/base.html: ``data-theme-base="{% static 'vendor/bootswatch' %}"``, a
    folder: no manifest entry, so every admin page raises (the W005 check says the same after collectstatic)."""
    project = make_project(
        templates={
            "p.html": '{% load static %}<!DOCTYPE html><html><head>\n<link rel="stylesheet" id="theme" data-theme-base="{% static \'vendor/bootswatch\' %}" />\n</head></html>'
        },
        static={"vendor/bootswatch/cerulean/bootstrap.min.css": "body{}"},
    )
    (report,) = run_audit(project).pages
    (f,) = [f for f in report.findings if f.code == "missing-file"]
    assert (f.severity, f.lineno) == ("error", 2)
    assert f.message.startswith("vendor/bootswatch is a folder in the static dirs, not a file: {% static 'vendor/bootswatch' %} raises ValueError")
    assert f.fix == "end the path with '/' (Django then prints it unhashed, without a look-up) or point it at a file"


def test_a_stylesheet_link_to_a_folder_is_named_as_a_folder(make_project) -> None:
    project = make_project(
        templates={
            "p.html": '{% load static %}<!DOCTYPE html><html><head>\n<link rel="stylesheet" href="{% static \'vendor/theme\' %}"></head></html>'
        },
        static={"vendor/theme/a.css": "body{}"},
    )
    (report,) = run_audit(project).pages
    (f,) = [f for f in report.findings if f.code == "missing-file"]
    assert f.message.startswith("vendor/theme is a folder in the static dirs, not a file")


def test_the_terminal_shows_a_folders_own_fix_under_the_missing_file_group(make_project) -> None:
    """Findings are grouped by code under the first one's fix: a finding whose fix differs carries its own."""
    from assetopt.audit.report import render_findings

    project = make_project(
        templates={
            "a.html": "{% load static %}<!DOCTYPE html><html><body>\n<a href=\"{% static 'files/gone.pdf' %}\">x</a></body></html>",
            "b.html": "{% load static %}<!DOCTYPE html><html><body>\n<i data-base=\"{% static 'vendor/theme' %}\"></i></body></html>",
        },
        static={"vendor/theme/a.css": "body{}"},
    )
    lines = render_findings(run_audit(project)).splitlines()
    start = lines.index(next(x for x in lines if x.startswith("error missing-file (2): fix the path, add the file")))
    assert "(fix:" not in lines[start + 1] and "files/gone.pdf" in lines[start + 1]
    assert lines[start + 2].endswith("(fix: end the path with '/' (Django then prints it unhashed, without a look-up) or point it at a file)")


def _errors(report) -> list[tuple[str, int, str]]:
    return [(f.code, f.lineno, f.message) for f in report.findings if f.severity == "error"]


@pytest.mark.parametrize(
    "markup, expected",
    [
        pytest.param(
            '<link rel="stylesheet" href="{% static \'css//gone.css\' %}">',
            [("unsafe-path", 2, "{% static 'css//gone.css' %}")],
            id="asset_tag_unnormalised_and_missing_is_no_second_missing_file",
        ),
        pytest.param(
            '<link rel="stylesheet" href="{% static \'/css/a.css\' %}?v=2">',
            [("unsafe-path", 2, "{% static '/css/a.css' %}")],
            id="asset_tag_absolute_with_a_literal_tail",
        ),
        pytest.param(
            '<link rel="stylesheet" href="{% static \' \' %}">',
            [("missing-file", 2, "{% static ' ' %}")],
            id="asset_tag_blank_path_once",
        ),
        pytest.param(
            "<link rel=\"stylesheet\" href=\"{% if LANGUAGE_BIDI %}{% static '../rtl.css' %}{% else %}{% static 'css/a.css' %}{% endif %}\">",
            [("unsafe-path", 2, "{% static '../rtl.css' %}")],
            id="asset_tag_unsafe_branch",
        ),
        pytest.param(
            "<a href=\"{% static '/css/a.css' %}\">a</a><a href=\"{% static 'css/../css/a.css' %}\">b</a>",
            [("unsafe-path", 2, "{% static '/css/a.css' %}"), ("unsafe-path", 2, "{% static 'css/../css/a.css' %}")],
            id="each_tag_its_own_finding",
        ),
        pytest.param(
            '<link rel="stylesheet" href="/static/../x.css">',
            [("unsafe-path", 2, "/static/../x.css points outside the static dirs: not read")],
            id="written_out_url_keeps_its_finding",
        ),
    ],
)
def test_a_static_path_collectstatic_never_names_is_one_error_per_tag(make_project, markup: str, expected: list) -> None:
    """test_django_static_literals.py shows Django raising for each of these shapes."""
    project = make_project(
        templates={"p.html": "{% load static %}<!DOCTYPE html><html><head>\n" + markup + "\n</head></html>"}, static={"css/a.css": "body{}"}
    )
    (report,) = run_audit(project).pages
    errors = _errors(report)
    assert [(c, n) for c, n, _ in errors] == [(c, n) for c, n, _ in expected]
    assert all(message.startswith(start) for (_, _, message), (_, _, start) in zip(errors, expected)), errors
    # a {% static %} names the 500 it causes; a URL written out is a 404 at worst
    assert [("server error (500)" in message) for _, _, message in errors] == [start.startswith("{% static") for _, _, start in expected]


def test_an_absolute_static_path_says_whether_the_normalised_file_exists(make_project) -> None:
    project = make_project(
        templates={
            "p.html": "{% load static %}<!DOCTYPE html><html><body>\n<a href=\"{% static '/css/a.css' %}\">a</a>\n<a href=\"{% static '/css/gone.css' %}\">b</a></body></html>"
        },
        static={"css/a.css": "body{}"},
    )
    (report,) = run_audit(project).pages
    assert [(f.lineno, f.fix) for f in report.findings if f.code == "unsafe-path"] == [
        (2, "write {% static 'css/a.css' %}, a normalised path inside a static dir"),
        (3, "write {% static 'css/gone.css' %}, a normalised path inside a static dir; then add the file: no static dir (static) has it"),
    ]


def test_a_static_path_that_repeats_static_url_suggests_the_path_after_it(make_project) -> None:
    """{% static '/static/css/a.css' %}: the STATIC_URL written twice. The file is css/a.css, so the fix
    names that; with no such file (or a prefix that is not STATIC_URL) the fix stays the normal form."""
    project = make_project(
        templates={
            "p.html": "{% load static %}<!DOCTYPE html><html><body>\n"
            "<a href=\"{% static '/assets/css/a.css' %}\">a</a>\n"
            "<a href=\"{% static '/assets/css/gone.css' %}\">b</a>\n"
            "<a href=\"{% static '/static/css/a.css?v=2' %}\">c</a>\n"
            "<a href=\"{% static 'assets//css/a.css' %}\">d</a></body></html>"
        },
        static={"css/a.css": "body{}"},
        static_url="/assets/",
    )
    (report,) = run_audit(project).pages
    assert [(f.lineno, f.fix) for f in report.findings if f.code == "unsafe-path"] == [
        (2, "write {% static 'css/a.css' %}: the path after STATIC_URL (/assets/), which {% static %} adds itself"),
        (3, "write {% static 'assets/css/gone.css' %}, a normalised path inside a static dir; then add the file: no static dir (static) has it"),
        (4, "write {% static 'static/css/a.css?v=2' %}, a normalised path inside a static dir; then add the file: no static dir (static) has it"),
        (5, "write {% static 'assets/css/a.css' %}, a normalised path inside a static dir; then add the file: no static dir (static) has it"),
    ]


@pytest.mark.parametrize(
    "markup",
    [
        pytest.param('<link rel="stylesheet" href="{% static \' css/site.css \' %}">', id="stylesheet_link"),
        pytest.param("<script src=\"{% static ' js/app.js' %}\"></script>", id="script"),
        pytest.param("<a href=\"{% static 'css/site.css ' %}\">x</a>", id="download_link"),
    ],
)
def test_spaces_around_a_static_path_are_not_a_missing_file(make_project, markup: str) -> None:
    """Django strips them (ManifestStaticFilesStorage.stored_name: ``.path.strip()``) and serves the file
    (test_django_static_literals.py shows it): no error, and the asset tag counts the real file."""
    project = make_project(
        templates={"p.html": "{% load static %}<!DOCTYPE html><html><head>\n" + markup + "\n</head></html>"},
        static={"css/site.css": "body{color:red}", "js/app.js": "var a = 1;"},
    )
    (report,) = run_audit(project).pages
    assert [(f.code, f.message) for f in report.findings if f.severity == "error"] == []
    assert [r.ref.paths for r in report.requests if r.kind in ("css", "js")] == ([] if "<a " in markup else [(markup.split("'")[1].strip(),)])


def test_spaces_around_a_static_path_warn_once_per_tag_that_debug_on_is_a_404(make_project) -> None:
    """Served with a manifest storage and DEBUG off, but a 404 with StaticFilesStorage (%20) and, for a
    leading space, with DEBUG on (test_django_static_literals.py shows which): one warning per tag, at its
    line, also for a missing file (beside its error) and for a tag in an asset tag; none without spaces."""
    project = make_project(
        templates={
            "p.html": "{% load static %}<!DOCTYPE html><html><head>\n"
            '<link rel="stylesheet" href="{% static \' css/site.css \' %}">\n'
            "<script src=\"{% static 'js/app.js ' %}\"></script></head><body>\n"
            "<a href=\"{% static ' files/gone.pdf?v=2' %}\">x</a>\n"
            "<a href=\"{% static 'css/site.css' %}\">y</a></body></html>"
        },
        static={"css/site.css": "body{color:red}", "js/app.js": "var a = 1;"},
    )
    (report,) = run_audit(project).pages
    assert [(f.code, f.severity, f.lineno, f.message, f.fix) for f in report.findings if f.code == "static-spaces"] == [
        (
            "static-spaces",
            "warning",
            2,
            "{% static ' css/site.css ' %} has spaces around its path: it works only with a manifest storage and DEBUG off (which strips them);"
            " with DEBUG on the URL keeps them (/static/ css/site.css ), and StaticFilesStorage prints /static/%20css/site.css%20: a 404 under runserver",
            "write {% static 'css/site.css' %}",
        ),
        (
            "static-spaces",
            "warning",
            3,
            "{% static 'js/app.js ' %} has spaces around its path: it works only with a manifest storage (which strips them);"
            " StaticFilesStorage prints /static/js/app.js%20, a 404",
            "write {% static 'js/app.js' %}",
        ),
        (
            "static-spaces",
            "warning",
            4,
            "{% static ' files/gone.pdf?v=2' %} has spaces around its path: it works only with a manifest storage and DEBUG off (which strips them);"
            " with DEBUG on the URL keeps them (/static/ files/gone.pdf?v=2), and StaticFilesStorage prints /static/%20files/gone.pdf%3Fv%3D2:"
            " a 404 under runserver",
            "write {% static 'files/gone.pdf?v=2' %}",
        ),
    ]
    assert [(f.code, f.lineno) for f in report.findings if f.severity == "error"] == [("missing-file", 4)]
