"""``templates.static_literals``: the literal paths of the ``{% static %}`` tags Django runs (the
``assetopt.W005`` check looks each one up as a manifest storage would)."""

from __future__ import annotations

import pytest

from assetopt.templates.model import parse_template
from assetopt.templates.pages import resolve_page
from assetopt.templates.static_literals import (
    after_static_url,
    manifest_key,
    normal_key,
    normal_static_path,
    page_static_literals,
    static_literals,
)

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


@pytest.mark.parametrize(
    "key, norm",
    [
        pytest.param("css/a.css", "css/a.css", id="already_normal"),
        pytest.param("/css/a.css", "css/a.css", id="leading_slash"),
        pytest.param("//css/a.css", "css/a.css", id="leading_slashes"),
        pytest.param("./css/a.css", "css/a.css", id="dot_segment"),
        pytest.param("css/./a.css", "css/a.css", id="inner_dot_segment"),
        pytest.param("css//a.css", "css/a.css", id="empty_segment"),
        pytest.param("x/../css/a.css", "css/a.css", id="dot_dot_inside"),
        pytest.param("css\\a.css", "css/a.css", id="backslash"),
        pytest.param("../x.css", None, id="leaves_the_root"),
        pytest.param("/../x.css", None, id="absolute_then_leaves"),
        pytest.param("..", None, id="parent"),
        pytest.param("", None, id="empty_is_the_root"),
        pytest.param(".", None, id="dot_is_the_root"),
        pytest.param("css/..", None, id="back_to_the_root"),
    ],
)
def test_normal_key_is_the_name_collectstatic_gives_the_file(key: str, norm: str | None) -> None:
    assert normal_key(key) == norm


def test_a_key_unlike_its_normal_form_raises_in_djangos_manifest_storage_even_when_the_file_is_in_it(tmp_path) -> None:
    """The oracle for ``normal_key``: a manifest holds ``css/a.css``; every other spelling of it raises."""
    import django_settings

    django_settings.configure()
    from django.contrib.staticfiles.storage import ManifestStaticFilesStorage

    storage = ManifestStaticFilesStorage(location=str(tmp_path))
    storage.hashed_files = {"css/a.css": "css/a.0123456789ab.css"}
    assert storage.url("css/a.css", force=True) == "/static/css/a.0123456789ab.css"
    for path in ("/css/a.css", "./css/a.css", "css/./a.css", "css//a.css", "x/../css/a.css", "css\\a.css", ""):
        assert normal_key(manifest_key(path) or "") in ("css/a.css", None)
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url(path, force=True)


@pytest.mark.parametrize(
    ("path", "fixed"),
    [
        pytest.param("css/../css/a.css?v=2", "css/a.css?v=2", id="query_kept"),
        pytest.param("./css/a.css#top", "css/a.css#top", id="fragment_kept"),
        pytest.param("/css/a.css?v=2#top", "css/a.css?v=2#top", id="both_kept"),
        pytest.param(" css//a.css ?v=2", "css/a.css?v=2", id="spaces_dropped"),
        pytest.param("css/a.css", "css/a.css", id="already_normal"),
        pytest.param("../a.css?v=2", None, id="outside"),
        pytest.param("css/", None, id="folder"),
    ],
)
def test_normal_static_path_is_what_to_write_and_serves_with_its_query(tmp_path, path: str, fixed: str | None) -> None:
    """The path to write keeps what ``{% static %}`` prints after the hashed name: Django's manifest
    storage is the oracle (it serves the fixed path, query and fragment kept)."""
    import django_settings

    django_settings.configure()
    from django.contrib.staticfiles.storage import ManifestStaticFilesStorage

    assert normal_static_path(path) == fixed
    if fixed is not None:
        storage = ManifestStaticFilesStorage(location=str(tmp_path))
        storage.hashed_files = {"css/a.css": "css/a.0123456789ab.css"}
        assert storage.url(fixed, force=True) == "/static/css/a.0123456789ab.css" + fixed[len("css/a.css") :]


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


@pytest.mark.parametrize(
    ("key", "static_url", "after"),
    [
        pytest.param("/static/css/a.css", "/static/", "css/a.css", id="static_url_written_in"),
        pytest.param("/static//css/./a.css", "/static/", "css/a.css", id="normalised_after"),
        pytest.param("/static/", "/static/", None, id="only_the_prefix"),
        pytest.param("/static/../a.css", "/static/", None, id="leaves_the_root"),
        pytest.param("static/css/a.css", "/static/", None, id="no_leading_slash_is_not_static_url"),
        pytest.param("/css/a.css", "/static/", None, id="other_prefix"),
        pytest.param("/css/a.css", "/", None, id="root_static_url"),
        pytest.param("https://cdn.example.com/static/a.css", "https://cdn.example.com/static/", None, id="static_url_on_another_host"),
    ],
)
def test_after_static_url_is_the_name_after_a_static_url_written_into_the_path(key: str, static_url: str, after: str | None) -> None:
    assert after_static_url(key, static_url) == after
