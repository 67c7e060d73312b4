"""Audit counting and findings on small real projects in temp dirs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assetopt.audit.run import run_audit

CSS = "body {\n  color: red;\n}\n\n/* a comment */\n.a {\n  margin: 0;\n}\n" * 20


def page_of(result, name):
    return next(p for p in result.pages if p.name == name)


def codes(page):
    return sorted(f.code for f in page.findings)


def test_counts_requests_by_kind_and_follows_css_urls(make_project):
    project = make_project(
        templates={
            "base.html": """{% load static %}<!DOCTYPE html><html><head>
<link rel="stylesheet" href="{% static 'css/a.css' %}">
<link rel="stylesheet" href="/static/css/b.css" media="print">
<script src="{% static 'js/head.js' %}"></script>
</head><body><header><img src="{% static 'img/logo.png' %}"></header>
<img src="{% static 'img/hero.png' %}">
<img src="{% static 'img/below.png' %}">
<img src="{% static 'img/lazy.png' %}" loading="lazy">
<script src="{% static 'js/app.js' %}" defer></script>
</body></html>""",
        },
        static={
            "css/a.css": "@font-face{font-family:x;src:url(../fonts/x.woff2) format('woff2'),url(../fonts/x.ttf)}\n.b{background:url('../img/bg.png')}\n/* url(ignored.png) */",
            "css/b.css": CSS,
            "fonts/x.woff2": b"w" * 10,
            "fonts/x.ttf": b"t" * 10,
            "img/bg.png": b"p" * 10,
            "js/head.js": "var a = 1;\n",
            "js/app.js": "var b = 2;\n",
            "img/logo.png": b"l",
            "img/hero.png": b"h",
            "img/below.png": b"b",
            "img/lazy.png": b"z",
        },
    )
    result = run_audit(project)
    page = page_of(result, "base.html")
    c = page.counts
    assert (c["css"], c["js"], c["img"], c["img_eager"], c["img_lazy"], c["font"], c["css-image"]) == (2, 2, 4, 3, 1, 1, 1)
    assert c["requests"] == 2 + 2 + 4 + 1 + 1
    # a.css (screen) and the classic script in <head>; print css and deferred script do not block
    assert page.blocking == 2
    assert not page.upper_bound
    # only the below-the-fold eager image is flagged; the logo is in <header>, hero is the LCP candidate
    lazy = [f for f in page.findings if f.code == "img-not-lazy"]
    assert [(f.lineno, "below.png" in f.message) for f in lazy] == [(7, True)]
    assert page.bytes["font"]["raw"] == 10  # the woff2, not the ttf fallback
    assert page.bytes["img"]["raw"] == 4 + 10  # four <img> of 1 byte + bg.png
    assert "unminified" in codes(page)  # b.css: comments and whitespace


def test_lazy_lcp_candidate_is_flagged(make_project):
    project = make_project(
        templates={"p.html": '<html><body><nav><img src="/static/l.png"></nav><main><img src="/static/h.png" loading="lazy"></main></body></html>'},
        static={"l.png": b"x", "h.png": b"y"},
    )
    page = page_of(run_audit(project), "p.html")
    assert [f.code for f in page.findings if f.code.startswith(("lcp", "img-not"))] == ["lcp-lazy"]


def test_images_in_comments_are_not_images(make_project):
    project = make_project(
        templates={
            "p.html": "<html><body>{% comment %}<img src='/static/a.png'>{% endcomment %}{# <img src='/static/b.png'> #}<!-- <img src='/static/c.png'> -->{% verbatim %}<img src='/static/d.png'>{% endverbatim %}</body></html>"
        }
    )
    assert page_of(run_audit(project), "p.html").counts["img"] == 0


def test_rtl_ltr_choice_is_one_request_with_the_larger_variant_counted(make_project):
    project = make_project(
        templates={
            "p.html": "{% load static %}<html><head><link rel='stylesheet' href=\"{% if LANGUAGE_BIDI %}{% static 'b.rtl.css' %}{% else %}{% static 'b.css' %}{% endif %}\"></head></html>"
        },
        static={"b.rtl.css": "a{b:c}" * 30, "b.css": "a{b:c}" * 20},
    )
    page = page_of(run_audit(project), "p.html")
    assert page.counts["css"] == 1
    assert page.bytes["css"]["raw"] == 6 * 30
    assert page.upper_bound


def test_bundle_runs_and_estimate(make_project):
    links = "".join(f"<link rel='stylesheet' href='/static/{n}.css'>\n" for n in "abcd")
    project = make_project(
        templates={
            "p.html": "<html><head>" + links + "<link rel='stylesheet' href='/static/p.css' media='print'>"
            "<link rel='stylesheet' href='https://cdn.example/x.css'></head><body>"
            "<script src='/static/1.js'></script><script src='/static/2.js'></script><script>inline()</script><script src='/static/3.js'></script>"
            "</body></html>"
        },
        static={**{f"{n}.css": "a{}" for n in "abcdp"}, **{f"{n}.js": "x()" for n in "123"}},
    )
    page = page_of(run_audit(project), "p.html")
    runs = [f for f in page.findings if f.code == "bundle-run"]
    assert [(f.lineno, f.message) for f in runs] == [
        (1, "4 stylesheets in a row could be one bundle"),
        (5, "2 scripts in a row could be one bundle"),
    ]
    # 6 stylesheets -> 4 a-d become 1, print and external stay: 3; 3 scripts -> 1+2 become 1, 3 stays: 2
    assert page.bundled_estimate == {"css": 3, "js": 2}
    assert "external-url" in codes(page)


def test_cache_candidates_and_zero_fragments(make_project):
    project = make_project(
        templates={
            "p.html": "<html><body>{% for o in orders %}{% for l in o.lines %}{{ l }}{% endfor %}{% endfor %}<b>{{ orders|length }}</b></body></html>",
            "q.html": "{% load cache %}<html><body>{% cache 60 stats %}{% for o in orders %}{{ o }}{% endfor %}{% endcache %}</body></html>",
        }
    )
    result = run_audit(project)
    p = page_of(result, "p.html")
    cands = [(f.lineno, f.message.split(" ")[0:2]) for f in p.findings if f.code == "cache-candidate"]
    assert len(cands) == 2  # the outer loop and the |length; the inner loop is part of the outer one
    assert "no-cache-fragments" in codes(p)
    q = page_of(result, "q.html")
    assert q.cache_fragments == 1
    assert "cache-candidate" not in codes(q) and "no-cache-fragments" not in codes(q)


# --- bad input: a clear finding or error, never a traceback, never a read outside the dirs ---


def test_non_utf8_template_is_a_problem_with_its_line(make_project):
    project = make_project(templates={"bad.html": b"<html>\n<p>caf\xe9</p></html>", "ok.html": "<html></html>"})
    result = run_audit(project)
    assert [p.name for p in result.pages] == ["ok.html"]
    (problem,) = result.problems
    assert problem.path.endswith("bad.html") and problem.lineno == 2
    assert "not UTF-8" in problem.message and "0xe9" in problem.message


def test_binary_file_among_templates_is_reported_and_skipped(make_project):
    project = make_project(templates={"logo.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00", "ok.html": "<html></html>"})
    result = run_audit(project)
    assert [p.name for p in result.pages] == ["ok.html"]
    assert ["binary file" in p.message for p in result.problems] == [True]


def test_broken_template_structure_is_a_problem_with_file_and_line(make_project):
    project = make_project(templates={"p.html": "<html>\n{% block a %}\n{% if x %}\n{% endblock %}</html>"})
    (problem,) = run_audit(project).problems
    assert (problem.lineno, "unexpected {% endblock %}" in problem.message) == (4, True)


def test_missing_static_file_is_an_error_finding(make_project):
    project = make_project(templates={"p.html": "<html><head>\n<link rel='stylesheet' href='/static/css/gone.css'></head></html>"})
    page = page_of(run_audit(project), "p.html")
    (f,) = [f for f in page.findings if f.code == "missing-file"]
    assert (f.severity, f.lineno, "css/gone.css" in f.message) == ("error", 2, True)


@pytest.mark.parametrize(
    "href",
    [
        pytest.param("/static/../secret.css", id="dotdot_after_prefix"),
        pytest.param("{% static '../secret.css' %}", id="dotdot_in_static_tag"),
        pytest.param("{% static '/etc/secret.css' %}", id="absolute_in_static_tag"),
    ],
)
def test_path_escaping_static_dir_is_never_read(make_project, tmp_path: Path, href: str):
    (tmp_path / "secret.css").write_text("SECRET")
    project = make_project(templates={"p.html": f"<html><head><link rel='stylesheet' href=\"{href}\"></head></html>"})
    page = page_of(run_audit(project), "p.html")
    assert [f.code for f in page.findings if f.severity == "error"] == ["unsafe-path"]
    assert page.bytes["css"]["raw"] == 0


def test_symlink_pointing_outside_static_dir_is_never_read(make_project, tmp_path: Path):
    outside = tmp_path / "outside.css"
    outside.write_text("x" * 999)
    project = make_project(templates={"p.html": "<html><head><link rel='stylesheet' href='/static/link.css'></head></html>"})
    os.symlink(outside, tmp_path / "static" / "link.css")
    page = page_of(run_audit(project), "p.html")
    assert [f.code for f in page.findings if f.severity == "error"] == ["unsafe-path"]
    assert page.bytes["css"]["raw"] == 0


def test_css_url_escaping_static_dir_is_unsafe(make_project, tmp_path: Path):
    (tmp_path / "x.png").write_bytes(b"x" * 50)
    project = make_project(
        templates={"p.html": "<html><head><link rel='stylesheet' href='/static/a.css'></head></html>"},
        static={"a.css": "a{background:url(../../x.png)}"},
    )
    page = page_of(run_audit(project), "p.html")
    assert [f.code for f in page.findings if f.severity == "error"] == ["unsafe-path"]
    assert page.bytes["img"]["raw"] == 0


def test_empty_project_has_no_pages_and_no_problems(make_project):
    result = run_audit(make_project())
    assert (result.pages, result.problems, result.templates) == ((), (), 0)


def test_link_whose_href_is_chosen_by_if_joins_the_run(make_project):
    # {% if %} tokens inside an attribute value are part of the value, not template structure:
    # they must not end a bundle run (a bug: they made a phantom {% if %} node between the links).
    bidi = "{% if LANGUAGE_BIDI %}{% static 'b.rtl.css' %}{% else %}{% static 'b.css' %}{% endif %}"
    project = make_project(
        templates={
            "p.html": "{% load static %}<html><head>\n<link rel='stylesheet' href=\""
            + bidi
            + "\">\n<link rel='stylesheet' href='/static/a.css'>\n</head></html>"
        },
        static={"b.rtl.css": "a{}", "b.css": "a{}", "a.css": "a{}"},
    )
    page = page_of(run_audit(project), "p.html")
    assert [(f.lineno, f.message) for f in page.findings if f.code == "bundle-run"] == [(2, "2 stylesheets in a row could be one bundle")]


def test_a_bundle_block_counts_as_what_the_browser_fetches(make_project):
    from assetopt.build import BuildOptions, build
    from assetopt.io.project import Project

    css_a, css_b = ".a { color: red; }\n" * 50, ".b { color: blue; }\n" * 50
    project = make_project(
        templates={
            "p.html": "{% load static assetopt %}<html><head>{% bundle \"css\" %}<link rel='stylesheet' href=\"{% static 'a.css' %}\">"
            "<link rel='stylesheet' href=\"{% static 'b.css' %}\">{% endbundle %}</head></html>"
        },
        static={"a.css": css_a, "b.css": css_b},
    )
    before = page_of(run_audit(project), "p.html")
    assert (before.counts["css"], before.blocking) == (1, 1)
    assert before.bytes["css"]["raw"] == len(css_a) + len(css_b)  # not built yet: its sources
    assert "bundle-not-built" in codes(before) and "unminified" not in codes(before)
    result = build(project, BuildOptions(out=project.config.out))
    (entry,) = result.manifest.bundles.values()
    built = (project.config.out / entry.files[0].name).read_bytes()
    after = page_of(run_audit(Project(project.config)), "p.html")
    assert after.counts["css"] == 1 and "bundle-not-built" not in codes(after)
    assert after.bytes["css"]["raw"] == len(built) < len(css_a) + len(css_b)


def test_a_commented_css_url_to_a_missing_file_is_no_request_and_no_finding_but_a_live_one_is(make_project):
    css = "/* .header { background: url(../img/old-header-bg.jpg); } */\n.a { color: red; }\n.b { background: url(../img/gone.png); }\n"
    project = make_project(
        templates={"p.html": "<html><head>\n<link rel='stylesheet' href='/static/css/site.css'></head></html>"}, static={"css/site.css": css}
    )
    page = page_of(run_audit(project), "p.html")
    assert [r.ref.url for r in page.requests if r.via] == ["../img/gone.png"]
    (f,) = [f for f in page.findings if f.code == "missing-file"]
    assert (f.location, f.severity) == ("css/site.css:3", "error")
    assert "img/gone.png" in f.message and "collectstatic" in f.fix


def test_a_url_inside_a_css_string_is_text_not_a_request() -> None:
    from assetopt.text.css import css_references

    css = '.q::before { content: "see url(missing.png) here"; }\n.r { background: url(\'real.png\'); }\n@import "b.css" screen;\n'
    assert [(r.kind, r.url, r.lineno) for r in css_references(css)] == [("url", "real.png", 2), ("import", "b.css", 3)]


def test_pages_without_a_cache_fragment_are_one_line_for_the_run_and_every_page_in_json(tmp_path, write_tree, monkeypatch) -> None:
    """django-allauth with --all printed 55 'no {% cache %} fragment is rendered on this page' lines:
    one summary line now names the count and how to list them; --json still holds each page's finding."""
    import json

    from click.testing import CliRunner

    from assetopt.cli import cli

    monkeypatch.chdir(tmp_path)
    pages = {f"templates/p{i}.html": f"<!DOCTYPE html><html><body><p>{i}</p></body></html>" for i in range(3)}
    cached = "{% load cache %}<!DOCTYPE html><html><body>{% cache 60 nav %}<nav>x</nav>{% endcache %}</body></html>"
    write_tree(tmp_path, {**pages, "templates/cached.html": cached, "static/.keep": ""})
    args = ["audit", "--templates", "templates", "--static", "static"]
    for extra in ([], ["--all"]):
        out = CliRunner().invoke(cli, [*args, *extra], catch_exceptions=False)
        assert out.exit_code == 0, out.output
        lines = [x for x in out.output.splitlines() if "no-cache-fragments" in x or "no {% cache %} fragment" in x]
        assert lines == [
            "info no-cache-fragments (3): 3 of 4 pages render no {% cache %} fragment: cache the expensive, per-request-stable parts"
            ' (assetopt rewrite --suggest-cache); to list them: --json FILE (their findings with "code": "no-cache-fragments")'
        ], out.output
    out = CliRunner().invoke(cli, [*args, "--json", "audit.json"], catch_exceptions=False)
    assert out.exit_code == 0, out.output
    data = json.loads((tmp_path / "audit.json").read_text())
    listed = sorted(p["name"] for p in data["pages"] for f in p["findings"] if f["code"] == "no-cache-fragments")
    assert listed == ["p0.html", "p1.html", "p2.html"]
    assert sorted(p["name"] for p in data["pages"] if p["cache_fragments"] == 0) == listed


@pytest.mark.parametrize(
    "inside, message",
    [
        pytest.param("<script>window.mine = 1;</script>", '<script> in a {% bundle "js" %} block', id="inline_script"),
        pytest.param(
            '<script src="https://cdn.example.com/x.js"></script>', "cannot bundle <script>: external URL https://cdn.example.com/x.js", id="external"
        ),
    ],
)
def test_a_bundle_block_edited_by_hand_into_one_the_build_refuses_is_an_audit_problem(make_project, inside: str, message: str):
    """Day two: someone adds a tag inside a rewritten {% bundle %} block. The build refuses it; the
    audit used to count the block as one request and pass, so CI was green until the deploy's build."""
    page = (
        "{% load static assetopt %}<!DOCTYPE html><html><head></head><body>\n"
        '{% bundle "js" %}\n<script src="{% static \'a.js\' %}"></script>\n' + inside + "\n{% endbundle %}\n</body></html>\n"
    )
    project = make_project(templates={"page.html": page}, static={"a.js": "a()"})
    problems = run_audit(project).problems
    assert [(p.path.rsplit("/", 1)[-1], p.lineno) for p in problems] == [("page.html", 4)]
    assert problems[0].message.startswith("the build will refuse this: " + message)
