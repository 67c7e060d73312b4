"""Image roles on a page: chrome (header/nav, prioritised, selected), the LCP candidate, below the fold."""

from __future__ import annotations

import pytest

from assetopt.rewrite.images import eager_starts
from assetopt.templates.fold import BELOW, CHROME, LCP, image_roles
from assetopt.templates.pages import resolve_page


def roles(make_project, body: str, selectors: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    project = make_project(templates={"p.html": "<html><body>" + body + "</body></html>"})
    page = resolve_page("p.html", project.load)
    eager = frozenset(("p.html", s) for s in eager_starts(page.template, selectors)) if selectors else frozenset()
    found = image_roles(page, eager)
    src = page.template.source
    out = []
    for (_name, start), role in sorted(found.items(), key=lambda kv: kv[0][1]):
        tag = src[start : src.index(">", start) + 1]
        out.append((tag.split("src=")[1].split()[0].strip("'\">"), role))
    return out


@pytest.mark.parametrize(
    "body, expected",
    [
        pytest.param("<nav><img src=l></nav><img src=h><img src=b>", [("l", CHROME), ("h", LCP), ("b", BELOW)], id="nav_hero_rest"),
        pytest.param(
            "{% for p in ps %}<img src=card>{% endfor %}<img src=b>",
            [("card", CHROME), ("b", BELOW)],
            id="first_image_in_a_loop_stays_eager_but_is_not_prioritised",
        ),
        pytest.param(
            "<header{% if x %} class=a{% endif %}><img src=l></header><img src=h>", [("l", CHROME), ("h", LCP)], id="opaque_header_is_still_a_header"
        ),
        pytest.param(
            '<img src=h><img src=p fetchpriority="{{ prio }}">', [("h", LCP), ("p", CHROME)], id="fetchpriority_from_template_code_never_lazy"
        ),
        pytest.param(
            '<img src=h fetchpriority="high"><img src=c><img src=d>',
            [("h", CHROME), ("c", BELOW), ("d", BELOW)],
            id="a_prioritised_hero_holds_the_lcp_slot_the_next_image_is_below",
        ),
        pytest.param(
            '<nav><img src=l fetchpriority="high"></nav><img src=h><img src=b>',
            [("l", CHROME), ("h", LCP), ("b", BELOW)],
            id="a_prioritised_image_in_the_chrome_leaves_the_slot_to_the_hero",
        ),
        pytest.param(
            "<aside><img src=avatar></aside><main><img src=help><img src=b></main>",
            [("avatar", CHROME), ("help", LCP), ("b", BELOW)],
            id="a_sidebar_is_chrome_beside_the_content_not_before_it",  # django-jazzmin's admin, seen in Chromium
        ),
    ],
)
def test_roles(make_project, body, expected):
    assert roles(make_project, body) == expected


def test_an_eager_selector_never_takes_the_lcp_slot_from_the_hero(make_project):
    body = "<div class=brand><img src=logo></div><img src=hero><img src=b>"
    assert roles(make_project, body, (".brand img",)) == [("logo", CHROME), ("hero", LCP), ("b", BELOW)]
