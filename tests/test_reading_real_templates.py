"""Reading real-world templates right (issue 14): fixtures written from scratch for each pattern the
seven corpora showed, each one a test that failed on the reading we had before."""

from __future__ import annotations

import pytest

from assetopt.audit.report import render_table
from assetopt.audit.run import find_pages, run_audit
from assetopt.rewrite.context import RewriteContext
from assetopt.rewrite.project import plan_project
from assetopt.templates.fold import image_roles
from assetopt.templates.tags import StartTag

# ---------------------------------------------------------------------------------------------
# 1. <html> with template code in it is still a page


@pytest.mark.parametrize(
    "html_tag",
    [
        pytest.param('<html{% if rtl %} dir="rtl"{% endif %}>', id="if_right_after_the_name"),
        pytest.param('<html lang="en" {% if LANGUAGE_BIDI %}dir="rtl"{% endif %}>', id="if_between_attributes"),
        pytest.param('<html lang="en" class="{% block html_class %}no-js{% endblock %}">', id="block_inside_a_value"),
        pytest.param('<html\n  lang="en"\n  {% if theme %}\n    class="{{ theme }}"\n  {% endif %}\n>', id="multi_line_if"),
        pytest.param('<html {% get_current_language as LANGUAGE_CODE %}lang="{{ LANGUAGE_CODE }}">', id="tag_before_an_attribute"),
    ],
)
def test_a_leaf_whose_html_tag_holds_template_code_is_a_page(make_project, html_tag: str) -> None:
    project = make_project(
        templates={
            "base.html": "<!DOCTYPE html>" + html_tag + '<head><link rel="stylesheet" href="/static/a.css"></head>'
            "<body>{% block content %}{% endblock %}</body></html>",
            "home.html": '{% extends "base.html" %}{% block content %}<img src="/static/hero.png">{% endblock %}',
            "standalone.html": html_tag + '<body><img src="/static/x.png"></body></html>',
        },
        static={"a.css": "a{}", "hero.png": b"png", "x.png": b"png"},
    )
    pages, problems = find_pages(project)
    assert problems == []
    assert sorted(p.name for p in pages) == ["home.html", "standalone.html"]
    result = run_audit(project)
    home = next(p for p in result.pages if p.name == "home.html")
    assert (home.counts["css"], home.counts["img"]) == (1, 1)


# ---------------------------------------------------------------------------------------------
# 2. No page renders it: nothing says where the fold is, so nothing is made lazy


def test_images_no_page_renders_are_not_made_lazy_and_a_logo_outside_header_stays_eager(make_project) -> None:
    project = make_project(
        templates={
            "base.html": '<!DOCTYPE html><html><body><header><img src="/static/logo.png"></header>{% block content %}{% endblock %}</body></html>',
            # a page whose parent is chosen at run time: no page model, so no fold
            "shop/product.html": '{% extends base_template %}{% block content %}<div class="product">'
            '<img src="/static/product.jpg" alt="main"></div>{% endblock %}',
            "blog/_featured.html": '<article><img src="/static/featured.jpg"></article>',
            # a login page: its logo sits in a plain <div>, not in <header>
            "login.html": '<!DOCTYPE html><html><body><div class="login-box"><img class="login-logo" src="/static/site.png">'
            '<img src="/static/hero.jpg"><p>text</p><img src="/static/footer-badge.png"></div></body></html>',
        },
    )
    result = plan_project(project, RewriteContext(only=frozenset({"images"})), compile_check=False)
    after = {c.name: c.after for c in result.changes}
    assert "shop/product.html" not in after
    assert "blog/_featured.html" not in after
    assert after["login.html"] == (
        '<!DOCTYPE html><html><body><div class="login-box"><img class="login-logo" src="/static/site.png">'
        '<img src="/static/hero.jpg" fetchpriority="high"><p>text</p>'
        '<img src="/static/footer-badge.png" loading="lazy" decoding="async"></div></body></html>'
    )


# ---------------------------------------------------------------------------------------------
# 3. A tag with template code in odd places is still counted (an upper bound), and named


def test_asset_tags_with_template_code_inside_the_tag_are_counted_and_named(make_project) -> None:
    project = make_project(
        templates={
            "admin/base.html": "{% load static %}<!DOCTYPE html><html><head>\n"
            '<link rel="stylesheet" href="{% static \'admin/css/base.css\' %}" {% csp_nonce_attr %}>\n'
            '<link rel="stylesheet" href="{% block stylesheet %}{% static \'admin/css/dashboard.css\' %}{% endblock %}">\n'
            "<script src=\"{% static 'admin/js/nav.js' %}\" {% csp_nonce_attr %}></script>\n"
            "<script {% csp_nonce_attr %}>var inline = 1;</script>\n"
            "</head><body>{% block content %}{% endblock %}\n"
            '<img {% if big %}class="big"{% endif %} src="{% static \'admin/img/icon.svg\' %}">\n'
            "</body></html>",
            "admin/change_list.html": '{% extends "admin/base.html" %}{% block content %}<p>rows</p>{% endblock %}',
        },
        static={"admin/css/base.css": "a{}", "admin/css/dashboard.css": "b{}", "admin/js/nav.js": "var a;", "admin/img/icon.svg": "<svg/>"},
    )
    result = run_audit(project)
    page = next(p for p in result.pages if p.name == "admin/change_list.html")
    assert (page.counts["css"], page.counts["js"], page.counts["img"], page.counts["requests"]) == (2, 1, 1, 4)
    assert page.upper_bound
    assert page.bytes["css"]["raw"] == 6 and page.bytes["js"]["raw"] == 6
    unknown = [(r.kind, r.ref.paths, r.lineno, r.unknown) for r in page.requests if r.unknown]
    assert unknown == [
        ("css", ("admin/css/base.css",), 2, "{% csp_nonce_attr %} between attributes"),
        ("css", ("admin/css/dashboard.css",), 3, "{% block %} inside the value of href"),
        ("js", ("admin/js/nav.js",), 4, "{% csp_nonce_attr %} between attributes"),
        ("img", ("admin/img/icon.svg",), 7, "{% if %} between attributes"),
    ]
    table = render_table(result)
    assert "admin/change_list.html *" in table
    assert "admin/base.html:3 <link> ({% block %} inside the value of href)" in table


# ---------------------------------------------------------------------------------------------
# 5. Relative template names resolve as Django resolves them


def test_relative_extends_and_include_names_resolve_against_the_template_holding_them(make_project) -> None:
    project = make_project(
        templates={
            "site/base.html": '<!DOCTYPE html><html><head><link rel="stylesheet" href="/static/a.css"></head>'
            "<body>{% block content %}{% endblock %}{% include '../parts/footer.html' %}</body></html>",
            "site/shop/form.html": '{% extends "../base.html" %}{% block content %}{% include "./fields.html" %}{% endblock %}',
            "site/shop/fields.html": '<img src="/static/field.png">',
            "parts/footer.html": '<script src="/static/footer.js"></script>',
        },
        static={"a.css": "a{}", "field.png": b"png", "footer.js": "var f;"},
    )
    pages, problems = find_pages(project)
    assert problems == []
    assert [p.name for p in pages] == ["site/shop/form.html"]
    assert [t.name for t in pages[0].templates] == ["site/shop/form.html", "site/base.html", "site/shop/fields.html", "parts/footer.html"]
    report = run_audit(project).pages[0]
    assert (report.counts["css"], report.counts["img"], report.counts["js"]) == (1, 1, 1)


def test_a_relative_name_leaving_the_template_tree_is_an_error_with_file_and_line(make_project) -> None:
    project = make_project(templates={"a.html": '<html>\n{% include "../../x.html" %}</html>'})
    _, problems = find_pages(project)
    assert [(p.path.rsplit("/", 1)[-1], p.lineno) for p in problems] == [("a.html", 2)]
    assert "points outside" in problems[0].message


# ---------------------------------------------------------------------------------------------
# 4. Above the fold with {% if %}/{% elif %}/{% else %}, and responsive twins


def _roles_by_src(project, page_name: str) -> dict[str, str]:
    page = next(p for p in find_pages(project)[0] if p.name == page_name)
    roles = image_roles(page)
    out = {}
    for pi in page.items:
        if isinstance(pi.item, StartTag) and pi.item.name == "img":
            out[f"{pi.item.get('src')}@{pi.item.start}"] = roles[(pi.template.name, pi.item.start)]
    return out


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            '{% if user.is_authenticated %}<img src="/static/avatar.png">{% elif guest %}<img src="/static/guest.png">'
            '{% else %}<img src="/static/signup.png">{% endif %}<img src="/static/below.png">',
            ["lcp", "lcp", "lcp", "below"],
            id="first_image_of_each_exclusive_branch_is_first",
        ),
        pytest.param(
            '{% if a %}<img src="/static/a1.png"><img src="/static/a2.png">{% else %}<img src="/static/b1.png">{% endif %}',
            ["lcp", "below", "lcp"],
            id="second_image_of_a_branch_is_below",
        ),
        pytest.param(
            '<img src="/static/hero.png">{% if a %}<img src="/static/a.png">{% else %}<img src="/static/b.png">{% endif %}',
            ["lcp", "below", "below"],
            id="branches_after_the_hero_are_below",
        ),
        pytest.param(
            '{% for p in products %}<img src="{{ p.url }}">{% empty %}<img src="/static/empty.png">{% endfor %}<img src="/static/x.png">',
            ["chrome", "lcp", "below"],
            id="loop_and_its_empty_branch_exclude_each_other",
        ),
        pytest.param(
            '<img class="d-none d-md-block" src="{{ user.avatar.url }}"><img class="d-md-none" src="{{ user.avatar.url }}">'
            '<img src="/static/next.png">',
            ["lcp", "lcp", "below"],
            id="responsive_twins_share_a_position",
        ),
    ],
)
def test_above_the_fold_follows_exclusive_branches_and_twins(make_project, body: str, expected: list[str]) -> None:
    project = make_project(templates={"p.html": f"<!DOCTYPE html><html><body><main>{body}</main></body></html>"})
    assert list(_roles_by_src(project, "p.html").values()) == expected


def test_the_logo_in_the_second_branch_of_a_header_choice_is_not_made_lazy(make_project) -> None:
    project = make_project(
        templates={
            "base.html": '<!DOCTYPE html><html><body>{% if user.is_staff %}<div class="staff"><img src="/static/staff.svg"></div>'
            '{% else %}<div class="public"><img src="/static/public.svg"></div>{% endif %}'
            "{% block content %}{% endblock %}</body></html>",
            "home.html": '{% extends "base.html" %}{% block content %}<img src="/static/card.png">{% endblock %}',
        }
    )
    result = plan_project(project, RewriteContext(only=frozenset({"images"})), compile_check=False)
    after = {c.name: c.after for c in result.changes}
    assert '<img src="/static/public.svg" fetchpriority="high">' in after["base.html"]
    assert after["home.html"].endswith('<img src="/static/card.png" loading="lazy" decoding="async">{% endblock %}')


# ---------------------------------------------------------------------------------------------
# 7. Noise: data: URIs and src-less images, e-mails, external URLs, the project's own static tag

EMAIL = """<!DOCTYPE html><html><body style="margin:0">
<table role="presentation" cellpadding="0" width="100%"><tr><td><img src="https://example.com/logo.png" width="120"></td></tr>
<tr><td><img src="{{ site }}/static/banner.png"></td></tr><tr><td><img src="https://example.com/footer.png"></td></tr></table>
</body></html>"""


def test_e_mail_templates_are_no_pages_and_are_never_rewritten(make_project) -> None:
    project = make_project(
        templates={
            "emails/order_confirmed.html": EMAIL,
            "account/password_reset_email.html": EMAIL.replace('role="presentation" ', ""),
            "newsletter.html": EMAIL,  # no name hint: the shape says e-mail
            "emails/_footer.html": '<p><img src="https://example.com/social.png"></p>',
            # named like an e-mail, shaped like a web page: a page
            "account/email_confirm.html": '<!DOCTYPE html><html><body><form method="post"><img src="/static/a.png">'
            '<img src="/static/b.png"></form></body></html>',
        }
    )
    result = run_audit(project)
    assert [p.name for p in result.pages] == ["account/email_confirm.html"]
    assert sorted(result.emails) == ["account/password_reset_email.html", "emails/order_confirmed.html", "newsletter.html"]
    assert "e-mail templates left alone" in render_table(result)
    rewritten = plan_project(project, RewriteContext(only=frozenset({"images", "bundles"})), compile_check=False)
    assert [c.name for c in rewritten.changes] == ["account/email_confirm.html"]
    left = sorted(s.path.rsplit("templates/", 1)[-1] for s in rewritten.skips if s.kind == "emails")
    assert left == ["account/password_reset_email.html", "emails/_footer.html", "emails/order_confirmed.html", "newsletter.html"]


def test_no_lazy_or_priority_on_images_that_fetch_nothing(make_project) -> None:
    project = make_project(
        templates={
            "p.html": '<!DOCTYPE html><html><body><main><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><img data-src="/static/x.png">'
            '<img src="/static/hero.png"><img src=""><img src="/static/below.png"></main></body></html>'
        }
    )
    (change,) = plan_project(project, RewriteContext(only=frozenset({"images"})), compile_check=False).changes
    assert change.after == (
        '<!DOCTYPE html><html><body><main><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><img data-src="/static/x.png">'
        '<img src="/static/hero.png" fetchpriority="high"><img src=""><img src="/static/below.png" loading="lazy" decoding="async"></main></body></html>'
    )
    page = run_audit(project).pages[0]
    lazy_findings = [f.message for f in page.findings if f.code.startswith(("img-not", "lcp"))]
    assert len(lazy_findings) == 1 and "below.png" in lazy_findings[0]


@pytest.mark.parametrize(
    ("src", "kind"),
    [
        pytest.param("https://cdn.example.com/lib@{{ version }}/lib.js", "external", id="version_in_the_path"),
        pytest.param("//cdn.example.com/{{ lib }}.js", "external", id="protocol_relative"),
        pytest.param("https://fonts.example.com/css?family={{ font|urlencode }}", "external", id="query_built_at_run_time"),
        pytest.param("{{ cdn_host }}/lib.js", "dynamic", id="host_computed_at_run_time"),
        pytest.param("/static/{{ theme }}/app.js", "dynamic", id="local_path_computed_at_run_time"),
    ],
)
def test_an_absolute_external_url_with_template_code_is_external_not_dynamic(make_project, src: str, kind: str) -> None:
    project = make_project(templates={"p.html": f'<!DOCTYPE html><html><head><script src="{src}"></script></head></html>'})
    (req,) = run_audit(project).pages[0].requests
    assert req.ref.kind.value == kind


def test_a_project_static_tag_named_in_the_config_counts_as_static(make_project) -> None:
    templates = {
        "p.html": "{% load versioning %}<!DOCTYPE html><html><head>"
        '<link rel="stylesheet" href="{% versioned_static \'css/a.css\' %}">'
        '<link rel="stylesheet" href="{% versioned_static \'css/b.css\' %}"></head></html>'
    }
    static = {"css/a.css": "a{color:red}", "css/b.css": "b{}"}
    plain = run_audit(make_project(templates=templates, static=static)).pages[0]
    assert plain.bytes["css"]["raw"] == 0  # without the setting: a path computed at run time
    page = run_audit(make_project(templates=templates, static=static, static_tags=("versioned_static",))).pages[0]
    assert [r.ref.paths for r in page.requests] == [("css/a.css",), ("css/b.css",)]
    assert page.bytes["css"]["raw"] == len("a{color:red}") + len("b{}")
    assert not any(f.code == "missing-file" for f in page.findings)
    # counted, but never wrapped in {% bundle %}: the bundle tag resolves {% static %} only
    rewritten = plan_project(
        make_project(templates=templates, static=static, static_tags=("versioned_static",)),
        RewriteContext(only=frozenset({"bundles"})),
        compile_check=False,
    )
    assert rewritten.changes == []
    assert any("versioned_static" in s.reason for s in rewritten.skips)


# ---------------------------------------------------------------------------------------------
# 6. Scripts that find their own files by their own URL are never bundled by default

SELF_LOCATING = {
    "js/current.js": "var base = document.currentScript.src.replace(/[^/]*$/, '');",
    "js/scan.js": "var s = document.getElementsByTagName('script'); for (var i = 0; i < s.length; i++) { if (/scan\\.js/.test(s[i].src)) base = s[i].src; }",
    "js/chunks.js": "__webpack_require__.p = (function(){ var sc = document.currentScript; return sc.src.replace(/[^/]+$/, ''); })();",
    "vendor/tinymce/tinymce.min.js": "window.tinymce = {};",  # known loader: by name
    "vendor/ace/ace.js": "window.ace = {};",
}


@pytest.mark.parametrize("path", list(SELF_LOCATING))
def test_a_self_locating_script_is_never_bundled_and_the_finding_says_how_to_force_it(make_project, path: str) -> None:
    templates = {
        "p.html": "{% load static %}<!DOCTYPE html><html><head>"
        f"<script src=\"{{% static 'js/a.js' %}}\"></script><script src=\"{{% static '{path}' %}}\"></script>"
        "<script src=\"{% static 'js/b.js' %}\"></script></head></html>"
    }
    static = {"js/a.js": "var a = 1;", "js/b.js": "var b = 2;", path: SELF_LOCATING[path]}
    result = plan_project(make_project(templates=templates, static=static), RewriteContext(only=frozenset({"bundles"})), compile_check=False)
    assert result.changes == []
    (skip,) = [s for s in result.skips if "self-locating" in s.reason]
    assert f"add '{path}' to bundle_self_locating" in skip.reason
    page = run_audit(make_project(templates=templates, static=static)).pages[0]
    assert [f.code for f in page.findings if f.code in ("self-locating-script", "bundle-run")] == ["self-locating-script"]
    forced = make_project(templates=templates, static=static, bundle_self_locating=(path,))
    (change,) = plan_project(forced, RewriteContext(only=frozenset({"bundles"})), compile_check=False).changes
    assert change.after.count("{% bundle") == 1


def test_an_ordinary_script_is_still_bundled(make_project) -> None:
    templates = {"p.html": '<!DOCTYPE html><html><head><script src="/static/js/a.js"></script><script src="/static/js/b.js"></script></head></html>'}
    static = {"js/a.js": "var a = document.getElementById('x');", "js/b.js": "var b = 2;"}
    (change,) = plan_project(
        make_project(templates=templates, static=static), RewriteContext(only=frozenset({"bundles"})), compile_check=False
    ).changes
    assert "{% bundle" in change.after
