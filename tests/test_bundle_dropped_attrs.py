"""A stylesheet or script whose tag carries something the bundle's one tag would not (an ``id`` a
script looks the element up by, an ``onload`` handler, a ``title``) is never wrapped in a bundle.

Found on django-jazzmin 3.0.5 installed as an app (``admin/base.html:31``): the rewrite bundled
``<link rel="stylesheet" href="..." id="adminlte-css">`` with the Font Awesome stylesheet and the
rendered admin pages lost ``id="adminlte-css"``; a theme switcher that swaps that link's ``href``
(``document.getElementById("adminlte-css")``) would then do nothing. The ``{% bundle %}`` tag carries
``nonce``, ``crossorigin`` and ``referrerpolicy`` only (docs/bundles.md)."""

from __future__ import annotations

import pytest

from assetopt.rewrite.context import RewriteContext
from assetopt.rewrite.project import plan_project

STATIC = {"css/a.css": "a{}", "css/b.css": "b{}", "css/c.css": "c{}", "js/a.js": "var a = 1;", "js/b.js": "var b = 2;", "js/c.js": "var c = 3;"}
PAGE = """{{% load static %}}<!DOCTYPE html><html><head>
<link rel="stylesheet" href="{{% static 'css/a.css' %}}">
<link rel="stylesheet" href="{{% static 'css/b.css' %}}"{css}>
<link rel="stylesheet" href="{{% static 'css/c.css' %}}">
</head><body><p>x</p>
<script src="{{% static 'js/a.js' %}}"></script>
<script src="{{% static 'js/b.js' %}}"{js}></script>
<script src="{{% static 'js/c.js' %}}"></script>
</body></html>
"""


def _plan(make_project, css: str = "", js: str = ""):
    project = make_project(templates={"base.html": PAGE.format(css=css, js=js)}, static=STATIC)
    return plan_project(project, RewriteContext(only=frozenset({"bundles"})), compile_check=False)


@pytest.mark.parametrize(
    ("css", "js", "line", "reason"),
    [
        pytest.param(
            ' id="adminlte-css"',
            "",
            3,
            "has id=, which the bundle's one tag would not carry (a script may find the element by it)",
            id="link_id_jazzmin",
        ),
        pytest.param(
            "",
            ' onload="init()"',
            7,
            "has onload=, which the bundle's one tag would not carry (an event handler that would never run)",
            id="script_onload",
        ),
        pytest.param(
            "",
            ' data-main="app"',
            7,
            "has data-main=, which the bundle's one tag would not carry (a script may find the element by it)",
            id="script_data",
        ),
        pytest.param(
            ' title="Default"',
            "",
            3,
            "has title=, which the bundle's one tag would not carry (a titled stylesheet belongs to a preferred style set)",
            id="link_title",
        ),
    ],
)
def test_a_tag_with_an_attribute_the_bundle_would_drop_is_left_alone_with_the_reason(make_project, css: str, js: str, line: int, reason: str) -> None:
    result = _plan(make_project, css, js)
    (change,) = result.changes
    marked = (css or js).strip()
    # the tag stays outside every {% bundle %} block, untouched, attribute and all
    for block in change.after.split("{% bundle")[1:]:
        assert marked not in block.split("{% endbundle %}")[0]
    assert change.after.count(marked) == 1
    assert (line, f"<{'link' if css else 'script'}> not bundled: {reason}") in {(s.lineno, s.reason) for s in result.skips}


def test_attributes_the_bundle_carries_or_decides_from_still_bundle(make_project) -> None:
    css = ' type="text/css" media="all" nonce="{{ csp_nonce }}" crossorigin="anonymous" referrerpolicy="no-referrer"'
    js = ' type="text/javascript" nonce="{{ csp_nonce }}" crossorigin="anonymous" charset="utf-8"'
    (change,) = _plan(make_project, css, js).changes
    assert change.after.count("{% bundle") == 2
    css_block = change.after.split('{% bundle "css" %}')[1].split("{% endbundle %}")[0]
    js_block = change.after.split('{% bundle "js" %}')[1].split("{% endbundle %}")[0]
    assert css_block.count("<link") == 3 and js_block.count("<script") == 3


@pytest.mark.parametrize(
    ("written", "normal"),
    [
        pytest.param("css/x/../d.css", "css/d.css", id="dot_dot_inside"),
        pytest.param("./css/d.css", "css/d.css", id="dot_segment"),
        pytest.param("css//d.css", "css/d.css", id="double_slash"),
    ],
)
def test_a_tag_whose_static_path_is_not_normalised_is_left_out_with_the_reason(make_project, written: str, normal: str) -> None:
    """Bundled, the page works (the bundle's URL); the rollback (bundles off) renders the original tag,
    and a manifest storage raises on a path it holds no entry for as written (test_django_static_literals.py
    serves one: a 500). So the tag stays outside every bundle, and the others still join."""
    page = PAGE.format(css="", js="").replace("</head>", f'<link rel="stylesheet" href="{{% static \'{written}\' %}}">\n</head>')
    project = make_project(templates={"base.html": page}, static={**STATIC, "css/d.css": "d{}"})
    result = plan_project(project, RewriteContext(only=frozenset({"bundles"})), compile_check=False)
    (change,) = result.changes
    css_block = change.after.split('{% bundle "css" %}')[1].split("{% endbundle %}")[0]
    assert [p for p in ("css/a.css", "css/b.css", "css/c.css", written) if p in css_block] == ["css/a.css", "css/b.css", "css/c.css"]
    assert change.after.split("{% endbundle %}")[1].lstrip().startswith(f'<link rel="stylesheet" href="{{% static \'{written}\' %}}">')
    reason = (
        f"<link> not bundled: {{% static '{written}' %}} is not a normalised path: with bundles off (the rollback renders the original tags)"
        f" a manifest storage raises ValueError on it, a server error; write {{% static '{normal}' %}}"
    )
    assert (5, reason) in {(s.lineno, s.reason) for s in result.skips}


@pytest.mark.parametrize("written", [" css/d.css ", " css/d.css", "css/d.css "], ids=["both", "leading", "trailing"])
def test_a_tag_with_spaces_around_its_static_path_is_left_out_with_the_reason(make_project, written: str) -> None:
    """Bundled, the page works (the build strips them, as a manifest storage does); the rollback renders the
    original tag, and with DEBUG on or StaticFilesStorage its URL keeps the spaces (test_django_static_literals.py:
    a 404). So the tag stays outside every bundle, and the others still join."""
    page = PAGE.format(css="", js="").replace("</head>", f'<link rel="stylesheet" href="{{% static \'{written}\' %}}">\n</head>')
    project = make_project(templates={"base.html": page}, static={**STATIC, "css/d.css": "d{}"})
    result = plan_project(project, RewriteContext(only=frozenset({"bundles"})), compile_check=False)
    (change,) = result.changes
    css_block = change.after.split('{% bundle "css" %}')[1].split("{% endbundle %}")[0]
    assert [p for p in ("css/a.css", "css/b.css", "css/c.css", "css/d.css") if p in css_block] == ["css/a.css", "css/b.css", "css/c.css"]
    assert change.after.split("{% endbundle %}")[1].lstrip().startswith(f'<link rel="stylesheet" href="{{% static \'{written}\' %}}">')
    reason = (
        f"<link> not bundled: {{% static '{written}' %}} has spaces around its path: with bundles off (the rollback renders the original tags)"
        " under DEBUG on or StaticFilesStorage the URL keeps them, a 404 (only a manifest storage strips them); write {% static 'css/d.css' %}"
    )
    assert (5, reason) in {(s.lineno, s.reason) for s in result.skips}
