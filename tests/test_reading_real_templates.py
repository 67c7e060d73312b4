"""Reading real-world templates right (issue 14): fixtures written from scratch for each pattern the
seven corpora showed, each one a test that failed on the reading we had before."""
from __future__ import annotations

import pytest

from assetopt.audit.run import find_pages, run_audit
from assetopt.rewrite.context import RewriteContext
from assetopt.rewrite.project import plan_project

# ---------------------------------------------------------------------------------------------
# 1. <html> with template code in it is still a page


@pytest.mark.parametrize(
    "html_tag",
    [
        pytest.param('<html{% if rtl %} dir="rtl"{% endif %}>', id="if_right_after_the_name"),
        pytest.param('<html lang="en" {% if LANGUAGE_BIDI %}dir="rtl"{% endif %}>', id="if_between_attributes"),
        pytest.param('<html lang="en" class="{% block html_class %}no-js{% endblock %}">', id="block_inside_a_value"),
        pytest.param('<html\n  lang="en"\n  {% if theme %}\n    class="{{ theme }}"\n  {% endif %}\n>', id="multi_line_if"),
        pytest.param("<html {% get_current_language as LANGUAGE_CODE %}lang=\"{{ LANGUAGE_CODE }}\">", id="tag_before_an_attribute"),
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
            "base.html": "<!DOCTYPE html><html><body><header><img src=\"/static/logo.png\"></header>"
            "{% block content %}{% endblock %}</body></html>",
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
