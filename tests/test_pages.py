"""The page model: extends/block/block.super/include resolved the way Django renders them."""

from __future__ import annotations

import pytest
from templates_we_have import DJANGO_ROOTS, EXAMPLE_ROOT

from assetopt.config import load_config
from assetopt.errors import InheritanceCycle, TemplateNotFound
from assetopt.io.project import Project
from assetopt.templates.pages import Includes, resolve_page
from assetopt.templates.tags import StartTag


def srcs(page, tag="img"):
    """The src/href of each <tag> in page order, read back from the source slices."""
    out = []
    for pi in page.items:
        if isinstance(pi.item, StartTag) and pi.item.name == tag:
            out.append(pi.item.get("src") or pi.item.get("href"))
    return out


BASE = """<!DOCTYPE html><html><head>{% block css %}<link rel="stylesheet" href="base.css">{% endblock %}</head>
<body>{% block content %}<img src="base-content.png">{% endblock %}{% block footer %}<img src="foot.png">{% endblock %}</body></html>"""


def test_child_block_overrides_parent_and_block_super_keeps_parent(make_project):
    project = make_project(
        templates={
            "base.html": BASE,
            "page.html": '{% extends "base.html" %}{% block css %}{{ block.super }}<link rel="stylesheet" href="page.css">{% endblock %}'
            '{% block content %}<img src="child.png">{% endblock %}outside blocks is ignored <img src="ignored.png">',
        }
    )
    page = resolve_page("page.html", project.load)
    assert srcs(page, "link") == ["base.css", "page.css"]
    assert srcs(page) == ["child.png", "foot.png"]
    assert [t.name for t in page.chain] == ["page.html", "base.html"]
    assert page.is_document


def test_three_level_chain_with_super_at_each_level(make_project):
    project = make_project(
        templates={
            "base.html": BASE,
            "mid.html": '{% extends "base.html" %}{% block content %}<img src="mid.png">{{ block.super }}{% endblock %}',
            "leaf.html": '{% extends "mid.html" %}{% block content %}{{ block.super }}<img src="leaf.png">{% endblock %}',
        }
    )
    page = resolve_page("leaf.html", project.load)
    assert srcs(page) == ["mid.png", "base-content.png", "leaf.png", "foot.png"]


def test_nested_block_defined_inside_parent_block_is_overridable(make_project):
    project = make_project(
        templates={
            "base.html": "<html><body>{% block main %}<img src='a.png'>{% block inner %}<img src='b.png'>{% endblock %}{% endblock %}</body></html>",
            "page.html": "{% extends 'base.html' %}{% block inner %}<img src='c.png'>{% endblock %}",
        }
    )
    assert srcs(resolve_page("page.html", project.load)) == ["a.png", "c.png"]


def test_nested_includes_with_and_only_are_followed_in_place(make_project):
    project = make_project(
        templates={
            "page.html": "<html><body><img src='1.png'>{% include 'a.html' with x=1 %}<img src='4.png'></body></html>",
            "a.html": "<img src='2.png'>{% include \"b.html\" only %}",
            "b.html": "<img src='3.png'>",
        }
    )
    page = resolve_page("page.html", project.load)
    assert srcs(page) == ["1.png", "2.png", "3.png", "4.png"]
    assert {t.name for t in page.templates} == {"page.html", "a.html", "b.html"}


def test_included_template_can_extend_its_own_parent(make_project):
    project = make_project(
        templates={
            "page.html": "<html><body>{% include 'card.html' %}</body></html>",
            "card_base.html": "<div>{% block body %}<img src='default.png'>{% endblock %}</div>",
            "card.html": "{% extends 'card_base.html' %}{% block body %}<img src='card.png'>{% endblock %}",
        }
    )
    assert srcs(resolve_page("page.html", project.load)) == ["card.png"]


def test_if_branches_and_loops_are_marked(make_project):
    project = make_project(
        templates={
            "page.html": "<html><body>{% if a %}<img src='if.png'>{% else %}<img src='else.png'>{% endif %}"
            "{% for p in ps %}<img src='loop.png'>{% empty %}<img src='empty.png'>{% endfor %}<img src='plain.png'></body></html>",
        }
    )
    page = resolve_page("page.html", project.load)
    flags = {pi.item.get("src"): (pi.conditional, pi.in_loop) for pi in page.items if isinstance(pi.item, StartTag) and pi.item.name == "img"}
    assert flags == {
        "if.png": (True, False),
        "else.png": (True, False),
        "loop.png": (False, True),
        "empty.png": (True, False),
        "plain.png": (False, False),
    }


def test_missing_include_names_the_including_file_and_line(make_project):
    project = make_project(templates={"page.html": "<html>\n<body>\n{% include 'nope.html' %}</body></html>"})
    with pytest.raises(TemplateNotFound) as info:
        resolve_page("page.html", project.load)
    assert info.value.path.endswith("page.html")
    assert info.value.lineno == 3
    assert "nope.html" in str(info.value)


def test_missing_parent_names_the_extending_file_and_line(make_project):
    project = make_project(templates={"page.html": "\n{% extends 'gone.html' %}"})
    with pytest.raises(TemplateNotFound) as info:
        resolve_page("page.html", project.load)
    assert (info.value.path.endswith("page.html"), info.value.lineno) == (True, 2)


def test_inheritance_cycle_is_an_error_with_the_chain(make_project):
    project = make_project(
        templates={
            "a.html": "{% extends 'b.html' %}",
            "b.html": "{% extends 'c.html' %}",
            "c.html": "{% extends 'a.html' %}",
        }
    )
    with pytest.raises(InheritanceCycle) as info:
        resolve_page("a.html", project.load)
    assert "a.html -> b.html -> c.html -> a.html" in str(info.value)
    assert info.value.path.endswith("c.html") and info.value.lineno == 1


def test_dynamic_extends_and_include_are_reported_not_guessed(make_project):
    project = make_project(
        templates={
            "page.html": "{% extends layout %}{% block x %}<img src='x.png'>{% endblock %}",
            "other.html": "<html>{% include widget_template %}</html>",
        }
    )
    page = resolve_page("page.html", project.load)
    assert [n.code for n in page.notes] == ["dynamic-extends"]
    assert srcs(page) == ["x.png"]
    other = resolve_page("other.html", project.load)
    assert [(n.code, n.lineno) for n in other.notes] == [("dynamic-include", 1)]


def test_recursive_include_is_followed_once_and_reported(make_project):
    project = make_project(
        templates={
            "page.html": "<html>{% include 'tree.html' %}</html>",
            "tree.html": "<img src='t.png'>{% if kids %}{% include 'tree.html' %}{% endif %}",
        }
    )
    page = resolve_page("page.html", project.load)
    assert srcs(page) == ["t.png"]
    assert [n.code for n in page.notes] == ["recursive-include"]


# ------------------------------------------------------- includes resolved once, shared by pages

SHARED_CASES = {
    "flags_around_the_include": {
        "p1.html": "<html>{% include 'part.html' %}{% if a %}{% include 'part.html' %}{% endif %}</html>",
        "p2.html": "<html>{% load cache assetopt %}{% for x in xs %}{% include 'part.html' %}{% empty %}{% include 'part.html' %}{% endfor %}"
        "{% cache 60 k %}{% include 'part.html' %}{% endcache %}{% bundle 'js' %}{% include 'scripts.html' %}{% endbundle %}</html>",
        "part.html": "<img src='a.png'>{% if b %}<img src='b.png'>{% else %}<img src='c.png'>{% endif %}{{ v }}"
        "{% for y in ys %}<img src='{{ y }}'>{% endfor %}{% include 'inner.html' %}",
        "inner.html": "{% if c %}<img src='d.png'>{% endif %}{% load assetopt %}{% bundle 'js' %}<script src='i.js'></script>{% endbundle %}",
        "scripts.html": "<script src='s.js'></script>{% include 'inner.html' %}",
    },
    "after_different_branches": {
        "p1.html": "<html>{% if a %}<img src='x.png'>{% endif %}{% include 'part.html' %}</html>",
        "p2.html": "<html>{% include 'part.html' %}{% if a %}<img src='x.png'>{% endif %}{% include 'part.html' %}</html>",
        "part.html": "{% if b %}<img src='b.png'>{% else %}<img src='c.png'>{% endif %}",
    },
    "an_include_that_extends": {
        "p1.html": "<html>{% include 'card.html' %}{% include 'card.html' %}</html>",
        "p2.html": "{% extends 'base.html' %}{% block body %}{% include 'card.html' %}{{ block.super }}{% endblock %}",
        "base.html": "<html>{% block body %}{% include 'card.html' %}{% endblock %}</html>",
        "card.html": "{% extends 'card_base.html' %}{% block img %}<img src='card.png'>{{ block.super }}{% endblock %}",
        "card_base.html": "<div>{% block img %}<img src='base.png'>{% endblock %}</div>",
    },
    "recursion_through_the_page": {
        "p1.html": "<html>{% include 'a.html' %}</html>",
        "a.html": "<img src='a.png'>{% include 'b.html' %}",
        "b.html": "<img src='b.png'>{% include 'a.html' %}{% include 'p1.html' %}",
        "p2.html": "<html>{% include 'b.html' %}{% include 'a.html' %}</html>",
        "tree.html": "<html><img src='t.png'>{% if kids %}{% include 'tree.html' %}{% endif %}</html>",
    },
    "missing_inside_a_partial": {
        "p1.html": "<html>{% include 'ok.html' %}</html>",
        "p2.html": "<html>{% include 'broken.html' %}</html>",
        "broken.html": "<img src='x.png'>\n{% include 'gone.html' %}",
        "ok.html": "<img src='ok.png'>{% include widget %}",
    },
}


def _resolved(name: str, load, includes=None):
    try:
        return resolve_page(name, load, includes)
    except (TemplateNotFound, InheritanceCycle) as exc:
        return (type(exc), str(exc), exc.path, exc.lineno)


@pytest.mark.parametrize("templates", [pytest.param(t, id=k) for k, t in SHARED_CASES.items()])
def test_shared_includes_resolve_every_template_as_its_own_walk_does(make_project, templates):
    # Oracle: each template walked alone (no sharing), which follows every include in place.
    project = make_project(templates=templates)
    includes = Includes(project.load)
    for name in sorted(templates) * 2:  # the second round reuses everything the first resolved
        assert _resolved(name, project.load, includes) == _resolved(name, project.load), name


def test_a_partial_resolved_once_is_the_same_items_on_every_page_that_includes_it_alike(make_project):
    project = make_project(templates=SHARED_CASES["flags_around_the_include"])
    includes = Includes(project.load)
    p1 = resolve_page("p1.html", project.load, includes)
    again = resolve_page("p1.html", project.load, includes)
    included = [pi for pi in p1.items if pi.template.name != "p1.html"]
    assert all(a is b for a, b in zip(included, [pi for pi in again.items if pi.template.name != "p1.html"]))  # not walked again
    images = [pi for pi in included if isinstance(pi.item, StartTag) and pi.item.name == "img"]
    plain, under_if = images[:5], images[5:]
    assert [srcs_of(plain), srcs_of(under_if)] == [["a.png", "b.png", "c.png", "{{ y }}", "d.png"]] * 2
    assert [pi.conditional for pi in plain] == [False, True, True, False, True]
    assert all(pi.conditional for pi in under_if)
    # The second copy's {% if b %} is another choice than the first's: its images exclude each other only.
    assert under_if[1].excludes(under_if[2]) and not under_if[1].excludes(plain[2])


def test_every_page_we_have_resolves_the_same_with_shared_includes():
    for root in (EXAMPLE_ROOT, *DJANGO_ROOTS):
        project = Project(load_config(root, {"templates": (str(root),)}, cwd=root))
        includes = Includes(project.load)
        names = project.template_names()
        assert len(names) > 5
        for name in names:
            assert _resolved(name, project.load, includes) == _resolved(name, project.load), name


def srcs_of(items):
    return [pi.item.get("src") for pi in items]
