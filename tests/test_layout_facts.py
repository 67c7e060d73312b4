"""What the rewrite makes of the browser's layout pass: ``sizes`` from measured widths, roles from the
first screen and the LCP element, the probe marks that map rendered elements back to template tags,
and ``plan_project`` with a layout (the layout decides on the pages it measured, the template rules
everywhere else)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assetopt.browser.layout import PROBE_ATTR, probe_source
from assetopt.rewrite.context import context_from_config
from assetopt.rewrite.layout_facts import (
    VIEWPORTS,
    ImageLayout,
    Layout,
    PageLayout,
    layout_from_json,
    layout_role,
    layout_to_json,
    sizes_from_widths,
)
from assetopt.rewrite.project import plan_project
from assetopt.templates.fold import BELOW, CHROME, LCP
from assetopt.templates.model import parse_template


def _at(**by_viewport: float) -> dict[int, float]:
    return {int(k[1:]): v for k, v in by_viewport.items()}


def test_the_measured_viewports_are_lighthouse_s_two_screens_and_the_widths_around_them():
    assert VIEWPORTS == (360, 412, 600, 768, 1024, 1350, 1920)


@pytest.mark.parametrize(
    ("widths", "expected"),
    [
        pytest.param({v: 96.0 for v in VIEWPORTS}, "96px", id="fixed_everywhere_is_one_px_value"),
        pytest.param({v: 96.2 for v in VIEWPORTS}, "97px", id="fractions_round_up"),
        pytest.param({360: 96.0, 412: 96.9}, "97px", id="within_one_px_is_fixed_and_takes_the_larger"),
        # w = viewport - 32: at each band's ends 328/360=91.1 %, 380/412=92.2 % -> 93vw; 568/600=94.7 % -> 95vw;
        # 736/768=95.8 % -> 96vw; 992/1024=96.9 % -> 97vw; 1318/1350=97.6 % -> 98vw; 1888/1920=98.3 % -> 99vw
        pytest.param(
            {v: v - 32.0 for v in VIEWPORTS},
            "(max-width: 412px) 93vw, (max-width: 600px) 95vw, (max-width: 768px) 96vw, (max-width: 1024px) 97vw, (max-width: 1350px) 98vw, 99vw",
            id="fluid_takes_the_larger_share_at_either_end_of_each_band",
        ),
        # 96 px on phones, 240 px from 768 up: between 600 and 768 the larger share, 240/768 = 31.25 % -> 32vw
        pytest.param(
            {360: 96.0, 412: 96.0, 600: 96.0, 768: 240.0, 1024: 240.0, 1350: 240.0, 1920: 240.0},
            "(max-width: 600px) 96px, (max-width: 768px) 32vw, 240px",
            id="avatar_then_card_merges_equal_bands",
        ),
        pytest.param(
            {360: 0.0, 412: 0.0, 600: 0.0, 768: 400.0, 1024: 400.0, 1350: 400.0, 1920: 400.0},
            "(max-width: 600px) 1px, (max-width: 768px) 53vw, 400px",
            id="hidden_on_phones_is_1px_there",
        ),
        pytest.param({412: 300.0}, "300px", id="one_viewport_is_a_fixed_slot"),
        pytest.param({v: 0.0 for v in VIEWPORTS}, None, id="never_displayed_has_no_layout_sizes"),
        pytest.param({}, None, id="not_measured"),
    ],
)
def test_sizes_from_measured_widths(widths: dict[int, float], expected: str | None):
    assert sizes_from_widths(widths) == expected


def test_sizes_never_state_a_slot_narrower_than_measured():
    """At every measured viewport the stated slot covers the measured width (the rule rounds up)."""
    cases = [{v: v * 0.3137 + 7 for v in VIEWPORTS}, {v: min(v - 24.0, 540.0) for v in VIEWPORTS}, {v: 96.0 if v < 700 else 333.3 for v in VIEWPORTS}]
    for widths in cases:
        sizes = sizes_from_widths(widths)
        assert sizes is not None
        entries = [e.strip() for e in sizes.split(",")]
        for viewport, width in widths.items():
            for entry in entries:
                cond, _, value = entry.rpartition(" ")
                if not cond or viewport <= int(cond.removeprefix("(max-width: ").removesuffix("px)")):
                    break
            stated = float(value[:-2]) * viewport / 100 if value.endswith("vw") else float(value[:-2])
            assert stated >= width - 1e-9, (sizes, viewport, width)


@pytest.mark.parametrize(
    ("image", "role"),
    [
        pytest.param(ImageLayout((), frozenset({"mobile"}), frozenset({"mobile"}), frozenset({"mobile"})), LCP, id="lcp_element"),
        pytest.param(ImageLayout((), frozenset({"mobile"}), frozenset(), frozenset({"desktop"}), copies=4), CHROME, id="lcp_in_a_loop_all_eager"),
        pytest.param(ImageLayout((), frozenset({"mobile", "desktop"}), frozenset({"mobile", "desktop"})), CHROME, id="first_screen_everywhere"),
        pytest.param(ImageLayout((), frozenset({"mobile", "desktop"}), frozenset({"desktop"})), BELOW, id="below_on_the_phone"),
        pytest.param(ImageLayout((), frozenset({"desktop"}), frozenset({"desktop"})), CHROME, id="shown_only_on_desktop_in_its_first_screen"),
        pytest.param(ImageLayout(()), BELOW, id="never_displayed_is_lazy"),
    ],
)
def test_layout_role(image: ImageLayout, role: str):
    assert layout_role(image)[0] == role


def test_the_layout_survives_its_json_and_a_foreign_entry_is_refused():
    layout = Layout(
        (
            PageLayout(
                "/en/",
                "home.html",
                {("home.html", 12): ImageLayout(((412, 380.0), (1350, 1046.5)), frozenset({"mobile"}), frozenset(), frozenset(), 3)},
            ),
        ),
        "156.0",
    )
    data = layout_to_json(layout)
    assert layout_from_json(data) == layout
    assert layout_from_json({**data, "version": -1}) is None
    assert layout_from_json({"version": data["version"], "pages": [{"url": "/"}]}) is None


def test_the_probe_marks_every_img_with_its_template_and_offset_and_leaves_translations_alone():
    source = (
        "{% load static i18n %}<p>"
        '<img src="{% static \'a.png\' %}" alt="">'
        '{% for m in team %}<img{% if m.x %} class="x"{% endif %} src="{% static m.avatar %}">{% endfor %}'
        '{% blocktrans %}<img src="b.png">{% endblocktrans %}</p>'
    )
    template = parse_template("team.html", source)
    marked = probe_source(template)
    assert marked is not None
    first, second = source.index("<img src="), source.index("<img{% if")
    assert f'<img {PROBE_ATTR}="team.html:{first}" src=' in marked
    assert f'<img {PROBE_ATTR}="team.html:{second}"{{% if m.x %}}' in marked
    assert '{% blocktrans %}<img src="b.png">{% endblocktrans %}' in marked
    assert marked.count(PROBE_ATTR) == 2
    assert probe_source(parse_template("none.html", "<p>no images</p>")) is None


BASE = """{% load static %}<html><body><header><img src="{% static 'img/logo.png' %}" alt=""></header>
{% block content %}{% endblock %}</body></html>
"""
HOME = """{% extends "base.html" %}{% load static %}{% block content %}
<img src="{% static 'img/first.jpg' %}" alt="first">
<img src="{% static 'img/hero.jpg' %}" alt="hero">
{% for m in team %}<img src="{% static m.avatar %}"{% if m.lead %} class="lead"{% endif %} alt="">{% endfor %}
{% include "card.html" %}
{% endblock %}
"""
OTHER = """{% extends "base.html" %}{% block content %}{% include "card.html" %}{% endblock %}
"""
CARD = """{% load static %}<img src="{% static 'img/card.jpg' %}" alt="card">
"""


def _offset(project, name: str, needle: str) -> int:
    return project.load(name).source.index(needle)


def test_a_layout_decides_roles_and_sizes_on_the_pages_it_measured_and_the_template_rules_elsewhere(make_project):
    project = make_project(templates={"base.html": BASE, "home.html": HOME, "other.html": OTHER, "card.html": CARD}, images=True)
    first = ("home.html", _offset(project, "home.html", "<img src=\"{% static 'img/first.jpg'"))
    hero = ("home.html", _offset(project, "home.html", "<img src=\"{% static 'img/hero.jpg'"))
    card = ("card.html", _offset(project, "card.html", "<img"))
    team = ("home.html", _offset(project, "home.html", '<img src="{% static m.avatar'))
    wide = {v: v - 20.0 for v in VIEWPORTS}
    layout = Layout(
        (
            PageLayout(
                "/",
                "home.html",
                {
                    # the template rules would make "first" the LCP and "hero" lazy: Chromium saw the opposite
                    first: ImageLayout(tuple(wide.items()), frozenset({"mobile", "desktop"}), frozenset()),
                    hero: ImageLayout(tuple(wide.items()), frozenset({"mobile", "desktop"}), frozenset({"mobile", "desktop"}), frozenset({"mobile"})),
                    card: ImageLayout(tuple((v, 300.0) for v in VIEWPORTS), frozenset({"mobile", "desktop"}), frozenset()),
                    team: ImageLayout(tuple((v, 96.0) for v in VIEWPORTS), frozenset({"mobile", "desktop"}), frozenset(), copies=5),
                },
            ),
        )
    )
    ctx = replace(context_from_config(project.config), layout=layout)
    result = plan_project(project, ctx, compile_check=False)
    after = {c.name: c.after for c in result.changes}
    home = after["home.html"]
    fluid = sizes_from_widths(wide)
    assert f'alt="first" loading="lazy" decoding="async" sizes="{fluid}">{{% endpicture %}}' in home
    assert f'alt="hero" fetchpriority="high" sizes="{fluid}">{{% endpicture %}}' in home
    # a tag with template code between its attributes (opaque): wrapped, its sizes right after <img
    assert '{% for m in team %}{% picture %}<img sizes="96px" src="{% static m.avatar %}"{% if m.lead %}' in home
    # card.html is below the first screen on the measured page, but it is the first content image of
    # other.html, which no browser measured: the template rule (the LCP candidate) wins
    assert 'alt="card" fetchpriority="high" sizes="300px">{% endpicture %}' in after["card.html"]
    assert "loading" not in after["card.html"]
    reasons = [e.reason for c in result.changes for e in c.edits]
    assert "lazy: below the first screen in Chromium (mobile, desktop)" in reasons
    assert "LCP candidate: fetchpriority=high (the LCP element in Chromium (mobile))" in reasons


def test_without_a_layout_the_rewrite_writes_no_sizes(make_project):
    project = make_project(templates={"base.html": BASE, "home.html": HOME, "other.html": OTHER, "card.html": CARD}, images=True)
    result = plan_project(project, context_from_config(project.config), compile_check=False)
    assert result.changes and not any("sizes=" in c.after for c in result.changes)
