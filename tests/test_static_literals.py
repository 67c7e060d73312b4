"""``templates.static_literals``: the literal paths of the ``{% static %}`` tags Django runs (the
``assetopt.W005`` check looks each one up as a manifest storage would)."""

from __future__ import annotations

from assetopt.templates.model import parse_template
from assetopt.templates.static_literals import static_literals

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
