"""``{% cache %}`` rewrites (``rewrite_cache.py``): exact output, refusals, idempotence, and real renders.

Expected templates are written out by hand. ``rewrite()`` goes through ``plan_rewrite`` (cache only), so
the ``{% load %}`` it needs is part of the expected text.
Renders use Django's real template engine with a LocMem cache; Django is configured once through
``tests/django_settings.py`` like the other modules.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import django
import django_settings
import pytest

from assetopt.rewrite.cache import Suggestion, plan_cache, suggest_cache
from assetopt.rewrite.context import RewriteContext
from assetopt.rewrite.edits import TransformResult, apply_edits
from assetopt.rewrite.loads import load_edits
from assetopt.rewrite.plan import plan_rewrite
from assetopt.template_rewriter import CacheRule
from assetopt.templates.model import parse_template

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "example" / "templates"
LIBRARIES = {
    "cache": "django.templatetags.cache",
    "i18n": "django.templatetags.i18n",
    "static": "django.templatetags.static",
}


@pytest.fixture(scope="module", autouse=True)
def django_configured() -> None:
    django_settings.configure()


@pytest.fixture
def engine() -> Iterator[object]:
    """Django's template engine over a LocMem cache of its own, empty at the start of each test."""
    from django.core.cache import caches
    from django.template import Engine
    from django.test.utils import override_settings

    locmem = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "assetopt-test-rewrite-cache"}
    with override_settings(CACHES={"default": locmem}):
        caches["default"].clear()
        yield Engine(libraries=LIBRARIES)
        caches["default"].clear()


def render(engine: object, source: str, **context: object) -> str:
    from django.template import Context

    return engine.from_string(source).render(Context(context))  # type: ignore[attr-defined]


def plan(source: str, selector: str, *, name: str = "frag", timeout: int = 600, alias: str = "", template: str = "t.html") -> TransformResult:
    t = parse_template(template, source)
    return plan_cache(t, RewriteContext(cache_rules=(CacheRule(template, selector, timeout, name),), cache_alias=alias))


def rewrite(source: str, selector: str, *, name: str = "frag", timeout: int = 600, alias: str = "") -> str:
    t = parse_template("t.html", source)
    rules = (CacheRule("t.html", selector, timeout, name),)
    result = plan_rewrite(t, RewriteContext(only=frozenset({"cache"}), cache_rules=rules, cache_alias=alias))
    assert result.skips == ()
    return apply_edits(source, result.edits)


@dataclass
class User:
    pk: int
    username: str
    first_name: str = ""

    def get_full_name(self) -> str:
        return self.first_name


# (source, selector, options, expected rewritten template)
ACCEPTED = [
    pytest.param(
        '<div class="who">{{ request.user.username }}</div>\n',
        ".who",
        {},
        '{% load cache %}\n{% cache 600 frag request.user.pk %}\n<div class="who">{{ request.user.username }}</div>\n{% endcache %}\n',
        id="request_user_varies_on_request_user_pk",
    ),
    pytest.param(
        '<main>\n  <p class="hello">Hello {{ user.username }}</p>\n</main>\n',
        "p.hello",
        {},
        '{% load cache %}\n<main>\n  {% cache 600 frag user.pk %}\n  <p class="hello">Hello {{ user.username }}</p>\n  {% endcache %}\n</main>\n',
        id="user_username_varies_on_user_pk_at_the_elements_indentation",
    ),
    pytest.param(
        '<nav class="actions">{% if perms.sales.add_order %}<a href="/orders/new">New</a>{% endif %}</nav>\n',
        "nav.actions",
        {},
        '{% load cache %}\n{% cache 600 frag user.pk %}\n<nav class="actions">{% if perms.sales.add_order %}<a href="/orders/new">New</a>{% endif %}</nav>\n{% endcache %}\n',
        id="perms_in_a_condition_varies_on_user_pk",
    ),
    pytest.param(
        '<p class="x">{{ user.username }} {{ request.user.email }}</p>',
        "p.x",
        {},
        '{% load cache %}\n{% cache 600 frag request.user.pk %}\n<p class="x">{{ user.username }} {{ request.user.email }}</p>\n{% endcache %}',
        id="user_and_request_vary_on_request_user_pk_once",
    ),
    pytest.param(
        '<form class="search" method="get"><input name="q" value="{{ request.GET.q }}"></form>\n',
        "form.search",
        {},
        '{% load cache %}\n{% cache 600 frag request.user.pk request.GET.q %}\n<form class="search" method="get"><input name="q" value="{{ request.GET.q }}"></form>\n{% endcache %}\n',
        id="request_value_other_than_the_user_is_varied_on_too",
    ),
    pytest.param(
        '{% load i18n %}\n<footer class="foot">{% trans "Thanks" %}</footer>\n',
        "footer",
        {},
        '{% load i18n cache %}\n{% get_current_language as LANGUAGE_CODE %}{% cache 600 frag LANGUAGE_CODE %}\n<footer class="foot">{% trans "Thanks" %}</footer>\n{% endcache %}\n',
        id="trans_varies_on_the_language",
    ),
    pytest.param(
        '<p class="lang">{{ LANGUAGE_CODE }}</p>\n',
        ".lang",
        {},
        '{% load cache i18n %}\n{% get_current_language as LANGUAGE_CODE %}{% cache 600 frag LANGUAGE_CODE %}\n<p class="lang">{{ LANGUAGE_CODE }}</p>\n{% endcache %}\n',
        id="language_code_varies_on_the_language_and_loads_i18n",
    ),
    pytest.param(
        '<a class="home" href="{% url \'home\' %}">Home</a>\n',
        "a.home",
        {},
        '{% load cache i18n %}\n{% get_current_language as LANGUAGE_CODE %}{% cache 600 frag LANGUAGE_CODE %}\n<a class="home" href="{% url \'home\' %}">Home</a>\n{% endcache %}\n',
        id="url_varies_on_the_language_i18n_patterns",
    ),
    pytest.param(
        '<dl class="d"><dd>{{ o.placed|date:"SHORT_DATE_FORMAT" }}</dd></dl>\n',
        "dl.d",
        {},
        '{% load cache i18n %}\n{% get_current_language as LANGUAGE_CODE %}{% cache 600 frag request.user.pk request.get_full_path LANGUAGE_CODE %}\n<dl class="d"><dd>{{ o.placed|date:"SHORT_DATE_FORMAT" }}</dd></dl>\n{% endcache %}\n',
        id="localized_view_data_varies_on_user_url_and_language",
    ),
    pytest.param(
        '<table>\n{% for o in orders %}\n  <tr class="order">\n    <td>{{ o.number }}</td>\n  </tr>\n{% endfor %}\n</table>\n',
        "tr.order",
        {},
        '{% load cache %}\n<table>\n{% for o in orders %}\n  {% cache 600 frag o.pk %}\n  <tr class="order">\n    <td>{{ o.number }}</td>\n  </tr>\n  {% endcache %}\n{% endfor %}\n</table>\n',
        id="loop_variable_it_reads_is_varied_on",
    ),
    pytest.param(
        '{% for o in orders %}<p class="note">Thanks</p>{% endfor %}',
        "p.note",
        {},
        '{% load cache %}\n{% for o in orders %}{% cache 600 frag %}<p class="note">Thanks</p>{% endcache %}{% endfor %}',
        id="loop_variable_it_does_not_read_is_not_varied_on",
    ),
    pytest.param(
        '{% for o in orders %}{% with total=o.total %}<td class="t">{{ total }}</td>{% endwith %}{% endfor %}',
        "td.t",
        {},
        '{% load cache %}\n{% for o in orders %}{% with total=o.total %}{% cache 600 frag o.pk %}<td class="t">{{ total }}</td>{% endcache %}{% endwith %}{% endfor %}',
        id="name_bound_by_with_reads_the_loop_variable",
    ),
    pytest.param(
        '{% with name=user.get_full_name %}\n<h1 class="t">{{ name }}</h1>\n{% endwith %}\n',
        "h1",
        {},
        '{% load cache %}\n{% with name=user.get_full_name %}\n{% cache 600 frag user.pk %}\n<h1 class="t">{{ name }}</h1>\n{% endcache %}\n{% endwith %}\n',
        id="name_bound_by_with_reads_the_user",
    ),
    pytest.param(
        '<ol class="list">{% for o in orders %}<li>{{ forloop.counter }}: {{ o }}</li>{% endfor %}</ol>\n',
        "ol.list",
        {},
        '{% load cache i18n %}\n{% get_current_language as LANGUAGE_CODE %}{% cache 600 frag request.user.pk request.get_full_path LANGUAGE_CODE %}\n<ol class="list">{% for o in orders %}<li>{{ forloop.counter }}: {{ o }}</li>{% endfor %}</ol>\n{% endcache %}\n',
        id="forloop_of_a_loop_inside_the_fragment_is_deterministic_but_the_list_is_view_data",
    ),
    pytest.param(
        '<div class="card">{% include "card.html" with title=page.title only %}</div>\n',
        "div.card",
        {},
        '{% load cache i18n %}\n{% get_current_language as LANGUAGE_CODE %}{% cache 600 frag request.user.pk request.get_full_path LANGUAGE_CODE %}\n<div class="card">{% include "card.html" with title=page.title only %}</div>\n{% endcache %}\n',
        id="include_with_only_of_view_data_varies_on_user_url_and_language",
    ),
    pytest.param(
        '<footer class="f">© 2024 Nakheel</footer>\n',
        "footer.f",
        {},
        '{% load cache %}\n{% cache 600 frag %}\n<footer class="f">© 2024 Nakheel</footer>\n{% endcache %}\n',
        id="static_content_varies_on_nothing",
    ),
    pytest.param(
        '<p>Hi <b class="name">{{ user.username }}</b>!</p>\n',
        "b.name",
        {},
        '{% load cache %}\n<p>Hi {% cache 600 frag user.pk %}<b class="name">{{ user.username }}</b>{% endcache %}!</p>\n',
        id="element_sharing_its_line_gets_no_new_whitespace",
    ),
    pytest.param(
        '<div>\n  <img class="avatar" src="/avatars/{{ user.pk }}.png" alt="">\n</div>\n',
        "img.avatar",
        {},
        '{% load cache %}\n<div>\n  {% cache 600 frag user.pk %}\n  <img class="avatar" src="/avatars/{{ user.pk }}.png" alt="">\n  {% endcache %}\n</div>\n',
        id="void_element_is_wrapped_alone",
    ),
    pytest.param(
        '<aside class="side">{{ user.username }}</aside>\n',
        "aside",
        {"name": "sidebar", "timeout": 300, "alias": "fragments"},
        '{% load cache %}\n{% cache 300 sidebar user.pk using="fragments" %}\n<aside class="side">{{ user.username }}</aside>\n{% endcache %}\n',
        id="cache_alias_is_the_rollback_switch",
    ),
    pytest.param(
        '<ul>\r\n  <li class="me">{{ user.username }}</li>\r\n</ul>\r\n',
        "li.me",
        {},
        '{% load cache %}\r\n<ul>\r\n  {% cache 600 frag user.pk %}\r\n  <li class="me">{{ user.username }}</li>\r\n  {% endcache %}\r\n</ul>\r\n',
        id="crlf_file_gets_crlf",
    ),
    pytest.param(
        '\ufeff<h1>أهلاً</h1>\n<p class="greet">مرحبا {{ user.first_name }}</p>\n<p>وداعاً</p>\n',
        "p.greet",
        {},
        '\ufeff{% load cache %}\n<h1>أهلاً</h1>\n{% cache 600 frag user.pk %}\n<p class="greet">مرحبا {{ user.first_name }}</p>\n{% endcache %}\n<p>وداعاً</p>\n',
        id="bom_and_arabic_lines_around_the_edit",
    ),
    pytest.param(
        '\ufeff<div class="x">{{ user.username }}</div>\n',
        "div.x",
        {},
        '\ufeff{% load cache %}\n{% cache 600 frag user.pk %}\n<div class="x">{{ user.username }}</div>\n{% endcache %}\n',
        id="bom_then_the_element_on_line_one",
    ),
    pytest.param(
        '<p>مرحبا <bdi class="n">{{ user.first_name }}</bdi> أهلاً</p>\n',
        "bdi.n",
        {},
        '{% load cache %}\n<p>مرحبا {% cache 600 frag user.pk %}<bdi class="n">{{ user.first_name }}</bdi>{% endcache %} أهلاً</p>\n',
        id="arabic_text_on_the_same_line",
    ),
]


@pytest.mark.parametrize(("source", "selector", "options", "expected"), ACCEPTED)
def test_rewrite_wraps_the_element_in_cache(source: str, selector: str, options: dict[str, object], expected: str) -> None:
    assert rewrite(source, selector, **options) == expected


@pytest.mark.parametrize(("source", "selector", "options", "expected"), ACCEPTED)
def test_rewritten_template_compiles_in_django(engine: object, source: str, selector: str, options: dict[str, object], expected: str) -> None:
    engine.from_string(expected)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("source", "selector", "options", "expected"), ACCEPTED)
def test_rewriting_twice_equals_rewriting_once(source: str, selector: str, options: dict[str, object], expected: str) -> None:
    assert plan(expected, selector, **options) == TransformResult()  # type: ignore[arg-type]


def test_edit_reason_names_the_selector_and_the_vary_list() -> None:
    result = plan('{% load i18n %}<p class="x">{% trans "Hi" %} {{ user.username }}</p>', "p.x", name="hello")
    assert [(e.kind, e.lineno, e.reason) for e in result.edits] == [
        ("cache", 1, 'cache "p.x" for 600s as hello, varying on user.pk, LANGUAGE_CODE'),
    ] * 2
    assert result.loads == ("cache", "i18n")


# (source, selector, options, Skip line, Skip reason)
REFUSED = [
    pytest.param(
        '<form class="f" method="get">\n  {% csrf_token %}\n</form>\n',
        ".f",
        {},
        1,
        '".f": not cached: {% csrf_token %} at line 2: a CSRF token must not be cached',
        id="csrf_token_tag",
    ),
    pytest.param(
        '<div class="f"><input type="hidden" name="csrfmiddlewaretoken" value="{{ csrf_token }}"></div>\n',
        ".f",
        {},
        1,
        '".f": not cached: csrf_token at line 1: a CSRF token must not be cached',
        id="csrf_token_variable",
    ),
    pytest.param(
        '<div class="box">\n  <form method="POST" action="/x">\n    <button>Go</button>\n  </form>\n</div>\n',
        ".box",
        {},
        1,
        '".box": not cached: a POST form at line 2: it needs a fresh CSRF token',
        id="post_form_inside_any_case",
    ),
    pytest.param(
        '<form class="f" method="post" action="/x"></form>',
        ".f",
        {},
        1,
        '".f": not cached: a POST form at line 1: it needs a fresh CSRF token',
        id="post_form_is_the_element",
    ),
    pytest.param(
        '<div class="x"><button formmethod="post">Go</button></div>',
        ".x",
        {},
        1,
        '".x": not cached: a POST form at line 1: it needs a fresh CSRF token',
        id="button_that_posts",
    ),
    pytest.param(
        '<div class="x"><form method="{{ method }}"></form></div>',
        ".x",
        {},
        1,
        '".x": not cached: a form method that is template code at line 1: it may post',
        id="form_method_from_a_variable",
    ),
    pytest.param(
        '<div class="msgs">\n{% for m in messages %}<p>{{ m }}</p>{% endfor %}\n</div>\n',
        ".msgs",
        {},
        1,
        '".msgs": not cached: messages at line 2: messages are shown once, to one user',
        id="loop_over_messages",
    ),
    pytest.param(
        '<p class="n">{{ messages|length }}</p>',
        ".n",
        {},
        1,
        '".n": not cached: messages at line 1: messages are shown once, to one user',
        id="messages_variable",
    ),
    pytest.param(
        '<ul>\n{% for o in orders %}\n  <li class="row">{{ forloop.counter }}. {{ o }}</li>\n{% endfor %}\n</ul>\n',
        "li.row",
        {},
        3,
        '"li.row": not cached: forloop at line 3: its value depends on the position in the loop',
        id="forloop_of_the_enclosing_loop",
    ),
    pytest.param(
        '{% for a in rows %}<div class="r">{% for b in a %}{{ forloop.parentloop.counter }}{% endfor %}</div>{% endfor %}',
        ".r",
        {},
        1,
        '".r": not cached: forloop at line 1: its value depends on the position in the loop',
        id="forloop_parentloop_climbs_out_of_the_fragment",
    ),
    pytest.param(
        '{% for o in orders %}{% with n=forloop.counter %}<b class="n">{{ n }}</b>{% endwith %}{% endfor %}',
        "b.n",
        {},
        1,
        '"b.n": not cached: forloop at line 1: its value depends on the position in the loop',
        id="forloop_through_with",
    ),
    pytest.param(
        "{% for o in orders %}<tr class=\"row\"><td class=\"{% cycle 'odd' 'even' %}\">{{ o }}</td></tr>{% endfor %}",
        "tr.row",
        {},
        1,
        '"tr.row": not cached: {% cycle %} at line 1: its value depends on the position in the loop',
        id="cycle_in_the_enclosing_loop",
    ),
    pytest.param(
        '<div class="x"><script nonce="{{ request.csp_nonce }}">init()</script></div>',
        ".x",
        {},
        1,
        '".x": not cached: a CSP nonce at line 1: it changes on every request',
        id="nonce_attribute",
    ),
    pytest.param(
        '<div class="x" data-nonce="{{ csp_nonce }}"></div>',
        ".x",
        {},
        1,
        '".x": not cached: a CSP nonce at line 1: it changes on every request',
        id="csp_nonce_variable",
    ),
    pytest.param(
        '<div class="x">\n{% if a %}\n</div>\n{% else %}\n</div>\n{% endif %}\n',
        "div.x",
        {},
        1,
        '"div.x": not cached: <div> at line 1 and its </div> at line 3 are in different template nodes ({% if %} at line 2 is between them)',
        id="element_crosses_an_if",
    ),
    pytest.param(
        '{% block a %}<div class="x">{% endblock %}{% block b %}</div>{% endblock %}',
        "div.x",
        {},
        1,
        '"div.x": not cached: <div> at line 1 and its </div> at line 1 are in different template nodes ({% endblock %} at line 1 is between them)',
        id="element_crosses_blocks",
    ),
    pytest.param(
        '{% for o in orders %}\n<div class="x">{{ o }}\n{% endfor %}\n</div>\n',
        "div.x",
        {},
        2,
        '"div.x": not cached: <div> at line 2 and its </div> at line 4 are in different template nodes ({% endfor %} at line 3 is between them)',
        id="element_crosses_a_for",
    ),
    pytest.param(
        '{% foo %}<div class="x">\n{% endfoo %}</div>',
        "div.x",
        {},
        1,
        '"div.x": not cached: <div> at line 1 and its </div> at line 2 are in different template nodes ({% endfoo %} at line 2 is between them)',
        id="element_crosses_a_paired_tag_of_another_library",
    ),
    pytest.param(
        '{% load i18n %}{% blocktrans %}<b class="x">{{ n }}</b>{% endblocktrans %}',
        "b.x",
        {},
        1,
        '"b.x": not cached: it is inside {% blocktrans %} at line 1, which allows no {% cache %}',
        id="inside_blocktrans",
    ),
    pytest.param(
        '<main class="m">\n{% block content %}{% endblock %}\n</main>\n',
        "main",
        {},
        1,
        '"main": not cached: {% block content %} at line 2: a child template can override it and the cache key would not tell the versions apart',
        id="holds_a_block",
    ),
    pytest.param(
        '{% block a %}<div class="x">{{ block.super }}</div>{% endblock %}',
        ".x",
        {},
        1,
        '".x": not cached: {{ block.super }} at line 1: the parent\'s block is not visible here',
        id="block_super",
    ),
    pytest.param(
        '<div class="card">{% include "card.html" %}</div>',
        ".card",
        {},
        1,
        '".card": not cached: {% include "card.html" %} at line 1 without "only": what the included template reads is not visible here',
        id="include_without_only",
    ),
    pytest.param(
        '<div class="x">{% cache 60 inner %}a{% endcache %}</div>',
        ".x",
        {},
        1,
        '".x": not cached: it already holds {% cache inner %} at line 1',
        id="holds_a_cache",
    ),
    pytest.param(
        '{% cache 60 other %}\n<div class="x">a</div>\n{% endcache %}\n',
        ".x",
        {},
        2,
        '".x": not cached: already inside {% cache other %} at line 1',
        id="inside_a_cache_of_another_name",
    ),
    pytest.param(
        '<div class="x"{% if a %} hidden{% endif %}>a</div>',
        ".x",
        {},
        1,
        '".x": not cached: the start tag at line 1 is interrupted by template code ({% if %} between attributes)',
        id="opaque_start_tag",
    ),
    pytest.param(
        '<ul><li class="x">a<li>b</ul>',
        ".x",
        {},
        1,
        '".x": not cached: <li> at line 1 has no end tag of its own (HTML closes it implicitly)',
        id="implied_end_tag",
    ),
    pytest.param(
        "<p>a</p>\n<p>b</p>\n",
        "#nope",
        {},
        0,
        '"#nope": matches no element in t.html',
        id="selector_matches_nothing",
    ),
    pytest.param(
        '{# <p class="x">commented out</p> #}\n{% comment %}<p class="x">off</p>{% endcomment %}\n',
        "p.x",
        {},
        0,
        '"p.x": matches no element in t.html',
        id="elements_in_template_comments_do_not_match",
    ),
    pytest.param(
        "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n",
        "li",
        {},
        0,
        '"li": matches 2 elements (lines 2, 3); a cache rule needs exactly one',
        id="selector_matches_two",
    ),
    pytest.param(
        "<p>a</p>",
        "p[",
        {},
        0,
        '"p[": invalid selector (Malformed attribute selector at position 1)',
        id="invalid_selector",
    ),
    pytest.param(
        "<p>a</p>",
        "p",
        {"name": "my frag"},
        0,
        '"p": fragment name \'my frag\' must be letters, digits, "_" or "-" (not starting with a digit)',
        id="fragment_name_with_a_space",
    ),
    pytest.param(
        "<p>a</p>",
        "p",
        {"name": "1st"},
        0,
        '"p": fragment name \'1st\' must be letters, digits, "_" or "-" (not starting with a digit)',
        id="fragment_name_starting_with_a_digit",
    ),
    pytest.param(
        "<p>a</p>",
        "p",
        {"timeout": 0},
        0,
        '"p": timeout must be a positive number of seconds, not 0',
        id="zero_timeout",
    ),
    pytest.param(
        "<p>a</p>",
        "p",
        {"alias": 'x" y'},
        0,
        "\"p\": cache alias 'x\" y' must be letters, digits, '_', '.' or '-'",
        id="alias_that_would_break_the_tag",
    ),
]


@pytest.mark.parametrize(("source", "selector", "options", "lineno", "reason"), REFUSED)
def test_refused_rule_is_a_skip_with_the_reason_and_no_edit(source: str, selector: str, options: dict[str, object], lineno: int, reason: str) -> None:
    result = plan(source, selector, **options)  # type: ignore[arg-type]
    assert [(s.kind, s.path, s.lineno, s.reason) for s in result.skips] == [("cache", "t.html", lineno, reason)]
    assert result.edits == () and result.loads == ()


def test_rules_for_other_templates_are_ignored() -> None:
    t = parse_template("t.html", '<p class="x">{{ user.username }}</p>')
    ctx = RewriteContext(cache_rules=(CacheRule("other.html", "p.x", 600, "frag"),))
    assert plan_cache(t, ctx) == TransformResult()


def test_second_rule_on_an_overlapping_element_is_skipped() -> None:
    source = '<section class="outer">\n  <p class="inner">{{ user.username }}</p>\n</section>\n'
    t = parse_template("t.html", source)
    ctx = RewriteContext(cache_rules=(CacheRule("t.html", ".outer", 600, "outer"), CacheRule("t.html", ".inner", 60, "inner")))
    result = plan_cache(t, ctx)
    assert [e.text for e in result.edits] == ["{% cache 600 outer user.pk %}\n", "\n{% endcache %}"]
    assert [s.reason for s in result.skips] == ['".inner": not cached: its element overlaps the one ".outer" caches']
    rewritten = apply_edits(source, [*load_edits(t, result.loads), *result.edits])
    again = plan_cache(parse_template("t.html", rewritten), ctx)
    assert again.edits == ()
    assert [s.reason for s in again.skips] == ['".inner": not cached: already inside {% cache outer %} at line 2']


def test_plan_rewrite_runs_the_cache_transform_and_adds_its_load() -> None:
    source = '{% load i18n %}\n<header>\n  <p class="who">{% trans "Hello" %} {{ user.username }}</p>\n</header>\n'
    t = parse_template("t.html", source)
    ctx = RewriteContext(only=frozenset({"cache"}), cache_rules=(CacheRule("t.html", "p.who", 60, "who"),))
    assert apply_edits(source, plan_rewrite(t, ctx).edits) == (
        "{% load i18n cache %}\n<header>\n  {% get_current_language as LANGUAGE_CODE %}{% cache 60 who user.pk LANGUAGE_CODE %}\n"
        '  <p class="who">{% trans "Hello" %} {{ user.username }}</p>\n  {% endcache %}\n</header>\n'
    )


def test_plan_rewrite_puts_the_load_before_a_cache_tag_at_the_top() -> None:
    source = '<div class="x">{{ user.username }}</div>\n'
    t = parse_template("t.html", source)
    ctx = RewriteContext(only=frozenset({"cache"}), cache_rules=(CacheRule("t.html", "div.x", 600, "frag"),))
    assert apply_edits(source, plan_rewrite(t, ctx).edits).startswith("{% load cache %}\n{% cache")


# -- rendered by Django --------------------------------------------------------------------------------

AMAL, BADR = User(1, "amal", "أمل"), User(2, "badr", "Badr")


def test_cached_fragment_renders_like_the_original_and_varies_per_user(engine: object) -> None:
    source = '<header>\n  <p class="who">Signed in as {{ user.username }}</p>\n</header>\n'
    rewritten = rewrite(source, "p.who")
    assert rewritten == (
        '{% load cache %}\n<header>\n  {% cache 600 frag user.pk %}\n  <p class="who">Signed in as {{ user.username }}</p>\n'
        "  {% endcache %}\n</header>\n"
    )
    for user in (AMAL, BADR):
        original = render(engine, source, user=user)
        cached = render(engine, rewritten, user=user)
        # the tags' own lines add whitespace between block elements, nothing else
        assert cached == f'\n<header>\n  \n  <p class="who">Signed in as {user.username}</p>\n  \n</header>\n'
        assert cached.split() == original.split()
    # B after A: B sees B's name; A's cached entry is still served to A (same pk, renamed)
    assert "Signed in as badr" in render(engine, rewritten, user=BADR)
    assert "Signed in as amal" in render(engine, rewritten, user=User(1, "renamed"))


def test_fragment_cached_without_the_vary_would_show_a_to_b(engine: object) -> None:
    """The control: the same fragment cached on its name alone leaks the first user's name."""
    leaky = '{% load cache %}{% cache 600 frag %}<p class="who">{{ user.username }}</p>{% endcache %}'
    assert render(engine, leaky, user=AMAL) == '<p class="who">amal</p>'
    assert render(engine, leaky, user=BADR) == '<p class="who">amal</p>'


def test_inline_fragment_renders_byte_for_byte_like_the_original(engine: object) -> None:
    source = '<p>مرحبا <bdi class="n">{{ user.first_name }}</bdi> أهلاً</p>\n'
    rewritten = rewrite(source, "bdi.n")
    for user in (AMAL, BADR, AMAL):
        assert render(engine, rewritten, user=user) == "\n" + render(engine, source, user=user)
    assert render(engine, rewritten, user=AMAL) == '\n<p>مرحبا <bdi class="n">أمل</bdi> أهلاً</p>\n'


def test_cached_fragment_varies_per_language(engine: object) -> None:
    from django.utils import translation

    source = '{% load i18n %}<p class="lang">{% trans "Arabic" %}</p>'
    rewritten = rewrite(source, "p.lang")
    assert rewritten == (
        "{% load i18n cache %}{% get_current_language as LANGUAGE_CODE %}{% cache 600 frag LANGUAGE_CODE %}"
        '<p class="lang">{% trans "Arabic" %}</p>{% endcache %}'
    )
    for lang, expected in (("en", "Arabic"), ("ar", "العربيّة"), ("en", "Arabic")):
        with translation.override(lang):
            assert render(engine, rewritten) == render(engine, source) == f'<p class="lang">{expected}</p>'


def test_a_rule_varying_on_the_language_sets_it_for_view_data_translated_out_of_sight(engine: object) -> None:
    """A rule's vary = ["LANGUAGE_CODE"] for view data translated where the template cannot see it (a
    gettext_lazy label, a choice's get_FOO_display): the key named LANGUAGE_CODE, which nothing set
    without the i18n context processor (startproject's settings lack it), so it was "" in every language
    and the Arabic page was served the English fragment cached before it."""
    from django.utils import translation
    from django.utils.translation import gettext_lazy

    source = '<p class="kind">{{ label }}</p>'
    rewritten = _rewrite_with(source, "p.kind", ("LANGUAGE_CODE",))
    assert rewritten == (
        "{% load cache i18n %}\n{% get_current_language as LANGUAGE_CODE %}{% cache 600 frag LANGUAGE_CODE %}\n"
        '<p class="kind">{{ label }}</p>\n{% endcache %}'
    )
    for lang, expected in (("en", "Arabic"), ("ar", "العربيّة"), ("en", "Arabic")):
        with translation.override(lang):
            # the {% load %} line and the tags' own lines around the block element add newlines
            assert render(engine, rewritten, label=gettext_lazy("Arabic")) == f'\n\n<p class="kind">{expected}</p>\n'
    # the control: the key as it was written before, LANGUAGE_CODE unset, serves English in Arabic
    before = '{% load cache %}{% cache 600 old LANGUAGE_CODE %}<p class="kind">{{ label }}</p>{% endcache %}'
    for lang in ("en", "ar"):
        with translation.override(lang):
            assert render(engine, before, label=gettext_lazy("Arabic")) == '<p class="kind">Arabic</p>'


def test_cached_row_varies_per_loop_variable(engine: object) -> None:
    source = '{% for o in orders %}<li class="row">{{ o }}</li>{% endfor %}'
    rewritten = rewrite(source, "li.row")
    assert rewritten == '{% load cache %}\n{% for o in orders %}{% cache 600 frag o %}<li class="row">{{ o }}</li>{% endcache %}{% endfor %}'
    assert render(engine, rewritten, orders=["A-1", "A-2"]) == '\n<li class="row">A-1</li><li class="row">A-2</li>'


def test_cached_search_box_varies_per_query(engine: object) -> None:
    source = '<form class="search" method="get"><input name="q" value="{{ request.GET.q }}"></form>'
    rewritten = rewrite(source, "form.search")

    @dataclass
    class Request:
        GET: dict[str, str]
        user: User

    for q in ("dates", "olives"):
        request = Request({"q": q}, AMAL)
        original = render(engine, source, request=request)
        assert original == f'<form class="search" method="get"><input name="q" value="{q}"></form>'
        # "{% load %}" line, then the tags on lines of their own around the form
        assert render(engine, rewritten, request=request) == "\n\n" + original + "\n"


def _rewrite_with(source: str, selector: str, vary: tuple[str, ...] | None) -> str:
    t = parse_template("t.html", source)
    result = plan_rewrite(t, RewriteContext(only=frozenset({"cache"}), cache_rules=(CacheRule("t.html", selector, 600, "frag", vary),)))
    assert result.skips == ()
    return apply_edits(source, result.edits)


def _get(query: dict[str, str], user: User = AMAL) -> object:
    """A real Django GET request for /s/ with ``query``, signed in as ``user``."""
    from django.test import RequestFactory

    request = RequestFactory().get("/s/", query)
    request.user = user  # type: ignore[attr-defined]
    return request


def _search_form(request: object) -> object:
    from django import forms

    class SearchForm(forms.Form):
        q = forms.CharField(required=False)

    return SearchForm(request.GET)  # type: ignore[attr-defined]


SEARCHES = ({"q": "dates"}, {"q": "olives"}, {"q": "figs", "page": "2"})


def test_view_data_is_keyed_on_the_language_a_visitor_switched_to(engine: object) -> None:
    """A site without i18n_patterns takes the language from the session or a cookie: one visitor's
    path is the same in English and Arabic. The view's data may be translated where the template cannot
    see it (a lazy label, ``get_FOO_display``): keyed per user and path alone, the visitor who switched
    to Arabic was served the English fragment until it expired. The derived key holds the language."""
    from django.utils import translation
    from django.utils.translation import gettext_lazy

    source = '<p class="status">{{ status }}</p>'
    rewritten = rewrite(source, "p.status")
    assert "{% cache 600 frag request.user.pk request.get_full_path LANGUAGE_CODE %}" in rewritten, rewritten
    before = "{% load cache %}{% cache 600 old request.user.pk request.get_full_path %}" + source + "{% endcache %}"
    request, status = _get({}), gettext_lazy("Yes")  # Django's own catalogue: "نعم" in Arabic
    shown: dict[str, list[str]] = {"before": [], "now": []}
    for language in ("en", "ar"):
        with translation.override(language):
            shown["before"].append(render(engine, before, request=request, status=status).strip())
            shown["now"].append(render(engine, rewritten, request=request, status=status).strip())
    assert shown["before"] == ['<p class="status">Yes</p>'] * 2  # the Arabic visit got the English entry
    assert shown["now"] == ['<p class="status">Yes</p>', '<p class="status">نعم</p>']


def test_a_loop_over_the_whole_query_is_keyed_on_its_string(engine: object) -> None:
    """``{% cache 600 frag request.GET.items %}`` (the key before) is the str() of a generator, printed
    with its address, which the next request may reuse: Django then served one search's filters for
    another's. The whole query is keyed on ``request.GET.urlencode``, a string of every parameter."""
    source = '<ul class="filters">{% for k, v in request.GET.items %}<li>{{ k }}={{ v }}</li>{% endfor %}</ul>'
    rewritten = rewrite(source, "ul.filters")
    assert rewritten == "{% load cache %}\n{% cache 600 frag request.user.pk request.GET.urlencode %}\n" + source + "\n{% endcache %}"
    for query in SEARCHES:
        request = _get(query)
        expected = "".join(f"<li>{k}={v}</li>" for k, v in query.items())
        assert render(engine, source, request=request) == f'<ul class="filters">{expected}</ul>'
        assert render(engine, rewritten, request=request) == "\n\n" + render(engine, source, request=request) + "\n"


def test_a_get_form_bound_to_the_query_is_keyed_on_it_whatever_the_rule_declares(engine: object) -> None:
    """A rule saying the search box is the same for everyone (``vary = []``) cached the first visitor's
    search for all: a GET form's fields show the query string, so the key holds it."""
    source = '<form class="search" method="get" action="/s/">{{ form.q }}</form>'
    rewritten = _rewrite_with(source, "form.search", ())
    assert rewritten == "{% load cache %}\n{% cache 600 frag request.GET.urlencode %}\n" + source + "\n{% endcache %}"
    for query in SEARCHES:
        request = _get(query, BADR if query["q"] == "olives" else AMAL)
        original = render(engine, source, request=request, form=_search_form(request))
        assert f'value="{query["q"]}"' in original, original
        assert render(engine, rewritten, request=request, form=_search_form(request)) == "\n\n" + original + "\n"


@pytest.mark.parametrize(
    ("source", "key"),
    [
        pytest.param(
            '<form class="search" method="get" action="/s/">{{ form.q }}</form>',
            "request.user.pk request.get_full_path LANGUAGE_CODE",
            id="form_from_the_view",
        ),
        pytest.param(
            '<form class="search" method="get" action="/s/"><input name="q" value="{{ search_query }}"></form>',
            "request.user.pk request.get_full_path LANGUAGE_CODE",
            id="value_from_the_view",
        ),
        pytest.param(
            '{% with q=request.GET.q %}<form class="search" method="get" action="/s/"><input name="q" value="{{ q }}"></form>{% endwith %}',
            "request.user.pk request.GET.q request.GET.urlencode",  # the field shows a name bound outside: the whole query too
            id="query_bound_outside",
        ),
    ],
)
def test_a_suggested_key_for_a_search_box_covers_the_query_string(engine: object, source: str, key: str) -> None:
    """What ``--suggest-cache`` derives for a search box (no rule) already holds the query: two searches,
    by one user or by two, never share a cached box."""
    rewritten = rewrite(source, "form.search")
    assert f"{{% cache 600 frag {key} %}}" in rewritten, rewritten
    for query in SEARCHES:
        for user in (AMAL, BADR):
            request = _get(query, user)
            context = {"request": request, "form": _search_form(request), "search_query": query["q"]}
            original = render(engine, source, **context)
            assert f'value="{query["q"]}"' in original, original
            assert render(engine, rewritten, **context).strip("\n") == original


# -- the example site -------------------------------------------------------------------------------------


def example(name: str) -> str:
    return (EXAMPLE / name).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        pytest.param(".user-menu", '".user-menu": not cached: a POST form at line 84: it needs a fresh CSRF token', id="user_menu_posts_logout"),
        pytest.param(
            ".language-switcher",
            '".language-switcher": not cached: a POST form at line 22: it needs a fresh CSRF token',
            id="language_switcher_posts",
        ),
        pytest.param(
            ".navbar-search",
            'cache ".navbar-search" for 600s as frag, varying on request.user.pk, request.GET.q, LANGUAGE_CODE',
            id="search_form_varies_on_the_query",
        ),
        pytest.param(".navbar-brand", 'cache ".navbar-brand" for 600s as frag, varying on LANGUAGE_CODE', id="brand_varies_on_the_language"),
    ],
)
def test_cache_rules_on_the_example_navbar(selector: str, expected: str) -> None:
    result = plan(example("partials/navbar.html"), selector, template="partials/navbar.html")
    assert [s.reason for s in result.skips] + sorted({e.reason for e in result.edits}) == [expected]


PER_REQUEST = ("request.user.pk", "request.get_full_path", "LANGUAGE_CODE")  # the view's data may be translated


def test_suggest_cache_on_the_example_navbar() -> None:
    found = suggest_cache(parse_template("partials/navbar.html", example("partials/navbar.html")))
    assert [(s.lineno, s.what, s.verdict, s.vary) for s in found] == [
        # LANGUAGES is a setting and LANGUAGE_CODE the language: the same for everyone in a language
        (25, "{% for code, name in LANGUAGES %}", "ok", ("LANGUAGE_CODE",)),
        # `notifications` comes from a context processor the template cannot see into: never "the
        # same for every request" (it was, and a rule written from it served one user's bell to all)
        (48, "{{ notifications|length }}", "ok", PER_REQUEST),
        (52, "{% for notification in notifications %}", "ok", PER_REQUEST),
    ]
    assert {s.path for s in found} == {"partials/navbar.html"}
    assert found[0].reason == "cacheable, varying on LANGUAGE_CODE"
    assert found[1].reason.startswith(
        "cacheable per request, varying on request.user.pk, request.get_full_path, LANGUAGE_CODE: reads notifications (from the view); "
        'write vary in the rule if you know what its data depends on (per user: vary = ["request.user.pk"]'
    )


def test_suggest_cache_on_the_example_dashboard() -> None:
    found = suggest_cache(parse_template("dashboard/admin_dashboard.html", example("dashboard/admin_dashboard.html")))
    view = PER_REQUEST
    assert [(s.lineno, s.what, s.verdict, s.vary) for s in found] == [
        (30, "{% for stat in stats %}", "refused", ()),  # includes stat_card.html without "only"
        (41, "{% for month, amount in monthly %}", "ok", view),  # |date, |floatformat, {% trans %}
        (52, "{% for warehouse, value in stock_by_warehouse %}", "ok", view),
        (61, "{% for product, units in top_products %}", "ok", view),  # {% url %}, {% blocktrans %}
        (74, "{{ orders|length }}", "ok", PER_REQUEST),
        (89, "{% for order in orders %}", "ok", view),  # its include has "only"
        (108, "{% for product in low_stock %}", "ok", view),
        (125, "{% for move in recent_moves %}", "ok", view),
    ]
    assert found[0].reason == (
        '{% include "partials/stat_card.html" with stat=stat %} at line 31 without "only": what the included template reads is not visible here'
    )
    assert "reads orders (from the view)" in found[5].reason


SUGGESTED = [
    pytest.param(
        "{% for a in rows %}{% for b in a %}{{ b }}{% endfor %}{% endfor %}",
        [(1, "{% for a in rows %}", "ok", PER_REQUEST)],
        id="loop_inside_a_loop_is_not_a_candidate",
    ),
    pytest.param(
        "{% load cache %}{% cache 60 x %}{% for a in rows %}{{ a }}{% endfor %}{% endcache %}", [], id="loop_inside_a_cache_is_not_a_candidate"
    ),
    pytest.param('{% for c in "abc" %}{{ c }}{% endfor %}', [], id="loop_over_a_literal_is_not_a_candidate"),
    pytest.param(
        '{% for o in orders %}<form method="post">{% csrf_token %}</form>{% endfor %}',
        [(1, "{% for o in orders %}", "refused", ())],
        id="loop_with_a_post_form_is_refused",
    ),
    pytest.param(
        "<b>{{ orders.count }}</b> <i>{{ user.orders.count }}</i>",
        [(1, "{{ orders.count }}", "ok", PER_REQUEST), (1, "{{ user.orders.count }}", "ok", ("user.pk",))],
        id="count_statistics",
    ),
    pytest.param('<a title="{{ orders|length }}">x</a>', [], id="statistic_inside_an_attribute_is_not_a_candidate"),
]


@pytest.mark.parametrize(("source", "expected"), SUGGESTED)
def test_suggest_cache_candidates(source: str, expected: list[tuple[int, str, str, tuple[str, ...]]]) -> None:
    found = suggest_cache(parse_template("t.html", source))
    assert [(s.lineno, s.what, s.verdict, s.vary) for s in found] == expected
    assert all(isinstance(s, Suggestion) and s.path == "t.html" for s in found)


def _every_template() -> list[tuple[str, Path]]:
    roots = [EXAMPLE, Path(django.__file__).parent / "contrib" / "admin" / "templates"]
    return [(str(p.relative_to(root)), p) for root in roots for p in sorted(root.rglob("*.html"))]


def test_suggest_cache_reads_every_template_we_have() -> None:
    """The located structure agrees with the template tree everywhere (it raises otherwise)."""
    seen = 0
    for name, path in _every_template():
        for s in suggest_cache(parse_template(name, path.read_text(encoding="utf-8"))):
            assert s.verdict in ("ok", "refused") and s.reason
            assert (s.verdict == "ok") or s.vary == ()
            seen += 1
    assert seen > 50
