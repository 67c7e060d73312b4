"""Reading real-world templates right (issue 14): fixtures written from scratch for each pattern the
seven corpora showed, each one a test that failed on the reading we had before."""
from __future__ import annotations

import pytest

from assetopt.audit.run import find_pages, run_audit

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
