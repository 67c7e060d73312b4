"""``templates.static_literals``: the literal paths of the ``{% static %}`` tags Django runs (the
``assetopt.W005`` check looks each one up as a manifest storage would)."""

from __future__ import annotations

import pytest

from assetopt.templates.model import parse_template
from assetopt.templates.pages import resolve_page
from assetopt.templates.static_literals import manifest_key, page_static_literals, static_literals

SOURCE = """{% load static %}
<div data-theme-base="{% static 'vendor/bootswatch' %}"></div>
<!-- <link href="{% static "css/old.css" %}"> -->
{% static 'img/logo.png' as logo %}<img src="{{ logo }}">
{% comment %}{% static 'not/rendered.css' %}{% endcomment %}
{% verbatim %}{% static 'not/either.css' %}{% endverbatim %}
<script src="{% static js_path %}"></script>
"""


def test_every_literal_static_path_django_runs_with_its_line() -> None:
    assert static_literals(parse_template("t.html", SOURCE)) == [(2, "vendor/bootswatch"), (3, "css/old.css"), (4, "img/logo.png")]


@pytest.mark.parametrize(
    "path, key",
    [
        pytest.param("css/a.css", "css/a.css", id="plain"),
        pytest.param("fonts/x.woff2?v=4#iefix", "fonts/x.woff2", id="query_and_fragment_dropped"),
        pytest.param("files/my%20manual.pdf", "files/my manual.pdf", id="unquoted_like_stored_name"),
        pytest.param("vendor/tinymce/", None, id="folder_with_slash_never_looked_up"),
        pytest.param("vendor/tinymce/#x", None, id="folder_with_slash_and_fragment"),
        pytest.param("", "", id="empty_is_looked_up_and_missing"),
    ],
)
def test_manifest_key_is_the_name_django_looks_up(path: str, key: str | None) -> None:
    assert manifest_key(path) == key


def test_manifest_key_agrees_with_djangos_manifest_storage(tmp_path) -> None:
    """The oracle: Django's own ``stored_name`` raises for exactly the keys missing from its manifest."""
    import django_settings

    django_settings.configure()
    from django.contrib.staticfiles.storage import ManifestStaticFilesStorage

    storage = ManifestStaticFilesStorage(location=str(tmp_path))
    storage.hashed_files = {"fonts/x.woff2": "fonts/x.0123456789ab.woff2", "files/my manual.pdf": "files/my manual.0123456789ab.pdf"}
    for path in ("fonts/x.woff2?v=4#iefix", "files/my%20manual.pdf", "vendor/tinymce/"):
        storage.url(path, force=True)  # present (or never looked up): no error
    for path in ("fonts/y.woff2?v=4", "files/other.pdf#p=2"):
        with pytest.raises(ValueError, match=f"'{manifest_key(path)}'"):
            storage.url(path, force=True)


PAGES = {
    "base.html": "{% load static %}<html><body>\n{% block a %}<a href=\"{% static 'base-a.pdf' %}\">{% endblock %}\n"
    "{% block b %}{% static 'base-b.png' as b %}{% endblock %}\n{% include 'part.html' %}\n"
    "<script>var u = '{% static \"base-script.js\" %}';</script></body></html>",
    "part.html": "{% load static %}<i data-x=\"{% static 'part.svg' %}\"></i>",
    "child.html": "{% extends 'base.html' %}{% load static %}{% static 'outside-blocks.png' %}\n{% block a %}<p>{% endblock %}\n"
    "{% block b %}{{ block.super }}<img src=\"{% static 'child-b.png' %}\">{% endblock %}",
}


def test_page_static_literals_are_those_the_page_renders() -> None:
    """Block a overridden (base-a.pdf never renders), block b extended with block.super (both render),
    the include's, the inline script's; a tag outside the child's blocks is never run by Django."""
    templates = {name: parse_template(name, source) for name, source in PAGES.items()}
    page = resolve_page("child.html", templates.__getitem__)
    got = [(lit.template.name, lit.lineno, lit.path) for lit in page_static_literals(page)]
    assert sorted(got) == sorted(
        [
            ("base.html", 3, "base-b.png"),
            ("base.html", 5, "base-script.js"),
            ("child.html", 3, "child-b.png"),
            ("part.html", 1, "part.svg"),
        ]
    )
    base = resolve_page("base.html", templates.__getitem__)
    assert [lit.path for lit in page_static_literals(base)] == ["base-a.pdf", "base-b.png", "base-script.js", "part.svg"]
