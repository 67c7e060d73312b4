"""Every ``{% cache %}`` key part assetopt writes or accepts is a value whose ``str()`` is its content.

Django keys a fragment on the ``str()`` of its vary-on values: a generator, a bound method or a
``SessionStore`` prints its address (reused by later requests), a QuerySet at most 20 items, a model
its ``__str__``. The derived keys (``analyse_fragment``), a rule's declared ``vary`` (config) and the
values ``verify --cache`` sees (``contrib/django/key_values``) are checked here; the leaks these keys
cause and prevent are rendered with Django over LocMem and Redis in ``test_cache_leaks.py``.
"""

from __future__ import annotations

import decimal
import json
from pathlib import Path

import pytest

from assetopt.config import load_config
from assetopt.errors import ConfigError
from assetopt.templates.cache_fragments import analyse_fragment
from assetopt.templates.cache_keys import HTMX_WHOLE, address_key, vary_problem
from assetopt.templates.model import parse_template


def fragment(source: str) -> tuple[int, int]:
    at = source.index('class="f"')
    start = source.rindex("<", 0, at)
    name = source[start + 1 : source.index(" ", start)]
    return start, source.index(f"</{name}>", start) + len(name) + 3


def verdict(source: str, declared: tuple[str, ...] | None = None):
    return analyse_fragment(parse_template("t.html", source), *fragment(source), None, declared)


KEYS = [
    pytest.param('<p class="f">{{ request.session|cart_items }}</p>', ("request.session.session_key", "request.session.items"), id="whole_session"),
    pytest.param(
        '{% with s=request.session %}<p class="f">{{ s.cart }}</p>{% endwith %}',
        ("request.session.session_key", "request.session.items"),
        id="session_bound_outside",
    ),
    pytest.param(
        '<p class="f">{% for k, v in request.session.items %}{{ k }}{% endfor %}</p>',
        ("request.session.session_key", "request.session.items"),
        id="session_items",
    ),
    pytest.param('<p class="f">{{ request.session.cart }}</p>', ("request.session.cart",), id="one_session_value_is_json"),
    pytest.param('<p class="f">{{ request.site.name }}</p>', ("request.site.pk",), id="current_site_by_pk"),
    pytest.param('<p class="f">{{ request.resolver_match.url_name }}</p>', ("request.resolver_match.url_name",), id="url_name"),
    pytest.param('<p class="f">{{ request.resolver_match }}</p>', ("request.path_info",), id="whole_match_by_path"),
    pytest.param('<p class="f">{{ request.headers.accept_language }}</p>', ("request.headers.accept_language",), id="one_header"),
    pytest.param('<p class="f">{{ request.get_full_path }}</p>', ("request.get_full_path",), id="full_path"),
    pytest.param('<p class="f">{% for k, v in request.GET.lists %}{{ k }}{% endfor %}</p>', ("request.GET.urlencode",), id="query_lists"),
    # django-htmx: request.htmx's truth is the HX-Request header; each value keys on itself; handed over, all of them
    pytest.param('<p class="f">{% if request.htmx %}rows{% else %}page{% endif %}</p>', ("request.headers.hx_request",), id="htmx_truth"),
    pytest.param(
        '<p class="f">{% if request.htmx and not request.htmx.boosted %}rows{% endif %}</p>',
        ("request.headers.hx_request", "request.htmx.boosted"),
        id="htmx_truth_and_a_value",
    ),
    pytest.param('<p class="f">{{ request.htmx.target }}</p>', ("request.htmx.target",), id="htmx_value"),
    pytest.param('<p class="f">{% include "rows.html" with h=request.htmx only %}</p>', (*HTMX_WHOLE, "LANGUAGE_CODE"), id="htmx_handed"),
    pytest.param('<p class="f">{% if request.htmx|yesno:"a,b" == "a" %}rows{% endif %}</p>', HTMX_WHOLE, id="htmx_through_a_filter"),
    # django-user-agents: a function of the User-Agent header
    pytest.param('<p class="f">{% if request.user_agent.is_mobile %}m{% endif %}</p>', ("request.user_agent.is_mobile",), id="ua_flag"),
    pytest.param('<p class="f">{{ request.user_agent.browser.family }}</p>', ("request.user_agent.browser",), id="ua_family"),
    pytest.param('<p class="f">{{ request.user_agent }}</p>', ("request.headers.user_agent",), id="ua_whole"),
]


@pytest.mark.parametrize(("source", "parts"), KEYS)
def test_request_reads_are_keyed_on_values_whose_str_is_their_content(source: str, parts: tuple[str, ...]) -> None:
    v = verdict(source)
    assert v.refusal == ""
    assert v.vary == ("request.user.pk", *parts)


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        pytest.param(
            '<p class="f">{% for p in request.tenant.projects.all %}{{ p.name }}{% endfor %}</p>',
            "request.tenant.projects.all at line 1: request.tenant is set by code assetopt does not know (a middleware)",
            id="middleware_attribute",
        ),
        pytest.param(
            '<p class="f">{{ request.tenant }}</p>',
            'if it is a model instance, declare its id in the rule (vary = ["request.tenant.pk"]) and prove it with `assetopt verify --cache`',
            id="names_the_fix",
        ),
        pytest.param('<p class="f">{{ request.htmx.request.user }}</p>', "request.htmx.request is none of the values django-htmx", id="htmx_unknown"),
        pytest.param('<p class="f">{{ request.META }}</p>', "request.META is the whole WSGI environ", id="whole_environ"),
    ],
)
def test_request_values_of_unknown_kind_are_refused(source: str, reason: str) -> None:
    assert reason in verdict(source).refusal


def test_a_rules_id_of_a_middleware_attribute_stands_in_for_its_reads() -> None:
    source = '<p class="f">{{ request.tenant.name }}</p>'
    assert verdict(source, ("request.tenant.pk",)).vary == ("request.user.pk", "request.tenant.pk")
    assert verdict(source, ("request.tenant.name",)).refusal  # not an id: still refused


@pytest.mark.parametrize(
    ("source", "parts"),
    [
        pytest.param('{% for o in orders %}<li class="f">{{ o }}</li>{% endfor %}', ("o",), id="printed_is_its_str"),
        pytest.param('{% for o in orders %}<li class="f">{{ o|upper|truncatechars:9 }}</li>{% endfor %}', ("o",), id="text_filters"),
        pytest.param('{% for o in orders %}<li class="f">{{ o.number }}</li>{% endfor %}', ("o.pk",), id="attribute_is_an_object"),
        pytest.param(
            '{% for o in orders %}<li class="f">{% include "row.html" with order=o only %}</li>{% endfor %}',
            ("LANGUAGE_CODE", "o", "o.pk"),
            id="handed_to_an_include",
        ),
        pytest.param('{% for o in orders %}<li class="f">{{ o|money }}</li>{% endfor %}', ("o", "o.pk"), id="handed_to_a_filter"),
        pytest.param('{% for o in orders %}<li class="f">{{ o|money }} {{ o.number }}</li>{% endfor %}', ("o.pk",), id="handed_and_attribute"),
    ],
)
def test_a_loops_value_is_keyed_on_its_str_only_when_that_is_what_is_shown(source: str, parts: tuple[str, ...]) -> None:
    """``str(order)`` may be "Order" for every order: handed to code that reads its attributes, the key
    also holds its pk (for a list of strings ``o.pk`` is empty and ``o`` is the content)."""
    assert verdict(source).vary == parts


@pytest.mark.parametrize(
    ("part", "problem"),
    [
        pytest.param("request.GET.items", "key on request.GET.urlencode", id="generator"),
        pytest.param("request.GET", "key on request.GET.urlencode", id="querydict"),
        pytest.param("request.session", "key on request.session.session_key request.session.items", id="session"),
        pytest.param("request.site", "key on request.site.pk", id="site"),
        pytest.param("request.META", "the whole WSGI environ", id="environ"),
        pytest.param("request.tenant", "set by code assetopt does not know", id="middleware"),
        pytest.param("request.tenant.name", "set by code assetopt does not know", id="middleware_value"),
        pytest.param("request.user", "is not an id: key on request.user.pk", id="user"),
        pytest.param("user", "is not an id: key on user.pk", id="lazy_user"),
        pytest.param("perms", "is not an id: key on user.pk (a PermWrapper", id="perms"),
        pytest.param("perms.shop", "is not an id: key on user.pk", id="perms_of_an_app"),
        pytest.param("orders", "is not an id", id="queryset"),
        # django-htmx's HtmxDetails has no pk (the advice for unknown middleware attributes): every request would share one entry
        pytest.param("request.htmx.pk", "request.htmx.pk is none of the values django-htmx's HtmxDetails gives", id="htmx_pk"),
        pytest.param("request.htmx", "key on request.headers.hx_request", id="htmx_whole"),
    ],
)
def test_declared_vary_parts_that_are_no_content_are_refused(part: str, problem: str) -> None:
    assert problem in vary_problem(part)


@pytest.mark.parametrize(
    "part",
    [
        "request.user.pk",
        "order.pk",
        "customer_id",
        "LANGUAGE_CODE",
        "request.GET.q",
        "request.GET.urlencode",
        "request.get_full_path",
        "request.path",
        "request.session.session_key",
        "request.session.cart",
        "request.COOKIES.theme",
        "request.tenant.pk",
        "request.resolver_match.kwargs.slug",
        "request.headers.hx_request",
        "request.htmx.target",
    ],
)
def test_declared_vary_parts_whose_str_is_their_content_pass(part: str) -> None:
    assert vary_problem(part) == ""


def test_the_config_refuses_a_vary_that_prints_an_address(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.assetopt]\n[[tool.assetopt.cache]]\ntemplate = "t.html"\nselector = "p"\ntimeout = 60\nname = "n"\nvary = ["request.GET.items"]\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert "cache #1: vary 'request.GET.items' is no stable key: its str() is not known to be its content" in str(info.value)
    assert "key on request.GET.urlencode" in str(info.value)


def _vary_config(tmp_path: Path, vary: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.assetopt]\n[[tool.assetopt.cache]]\ntemplate = "t.html"\nselector = "p"\ntimeout = 60\nname = "n"\nvary = {vary}\n',
        encoding="utf-8",
    )
    return tmp_path


def test_the_config_refuses_the_session_key_alone(tmp_path: Path) -> None:
    """A session the view creates in this request has no key until the response saves it: keyed on
    ``session_key`` alone, every new visitor shares the None entry (the shop's basket, rendered in
    test_cache_leaks, shows the first visitor's cart to the second)."""
    with pytest.raises(ConfigError) as info:
        load_config(_vary_config(tmp_path, '["request.session.session_key"]'))
    assert "cache #1: vary keys on request.session.session_key alone: it is None until the response saves a session" in str(info.value)
    assert "key on request.session.session_key request.session.items" in str(info.value)


@pytest.mark.parametrize(
    "vary", ['["request.session.session_key", "request.session.items"]', '["request.session.session_key", "request.session.cart"]']
)
def test_the_session_key_with_the_sessions_content_is_accepted(tmp_path: Path, vary: str) -> None:
    (rule,) = load_config(_vary_config(tmp_path, vary)).cache
    assert rule.vary == tuple(json.loads(vary))


class Order:
    """An order whose str() is the same for every order (the model's __str__ says "Order")."""

    def __init__(self, pk: int, number: str) -> None:
        self.pk, self.number = pk, number

    def __str__(self) -> str:
        return "Order"


def test_a_loops_object_handed_to_an_include_is_keyed_on_its_pk_when_django_renders_it() -> None:
    """Rendered by Django over LocMem: keyed on ``o`` (the key derived before), the second order's row
    is the first's from the cache; keyed as derived now, each row is its own."""
    import django_settings

    django_settings.configure()
    from django.core.cache import caches
    from django.template import Context, Engine
    from django.test.utils import override_settings

    from assetopt.rewrite.cache import plan_cache
    from assetopt.rewrite.context import RewriteContext
    from assetopt.rewrite.edits import apply_edits
    from assetopt.template_rewriter import CacheRule

    source = '<ul>{% for o in orders %}<li class="f">{% include "row.html" with order=o only %}</li>{% endfor %}</ul>'
    planned = plan_cache(parse_template("t.html", source), RewriteContext(cache_rules=(CacheRule("t.html", "li.f", 600, "row"),)))
    assert planned.skips == ()
    now = "{% load " + " ".join(planned.loads) + " %}" + apply_edits(source, planned.edits)
    assert "{% cache 600 row LANGUAGE_CODE o o.pk %}" in now
    before = "{% load cache %}" + source.replace('<li class="f">', '{% cache 600 row o %}<li class="f">').replace("</li>", "</li>{% endcache %}")
    engine = Engine(
        libraries={"cache": "django.templatetags.cache", "i18n": "django.templatetags.i18n"},
        loaders=[("django.template.loaders.locmem.Loader", {"row.html": "{{ order.number }}"})],
    )
    orders = [Order(1, "A-1001"), Order(2, "B-2002")]
    locmem = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "assetopt-test-cache-keys"}
    with override_settings(CACHES={"default": locmem}):
        caches["default"].clear()
        leaked = engine.from_string(before).render(Context({"orders": orders}))
        assert leaked == '<ul><li class="f">A-1001</li><li class="f">A-1001</li></ul>'  # B-2002 got A-1001's row
        for _ in range(2):  # the second round comes from the cache
            assert (
                " ".join(engine.from_string(now).render(Context({"orders": orders})).split())
                == '<ul><li class="f">A-1001</li><li class="f">B-2002</li></ul>'
            )
        caches["default"].clear()


# -- the values verify --cache sees ------------------------------------------------------------------------


def _unstable(value: object) -> str:
    import django_settings

    from assetopt.contrib.django.key_values import unstable_reason

    django_settings.configure()

    return unstable_reason(value)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("alice", id="str"),
        pytest.param(7, id="int"),
        pytest.param(None, id="none"),
        pytest.param(decimal.Decimal("1.50"), id="decimal"),
        pytest.param({"cart": ["olives", 2]}.items(), id="dict_items_of_json"),
        pytest.param([1, "a", (2, None)], id="list_of_scalars"),
    ],
)
def test_values_whose_str_is_their_content_are_keys(value: object) -> None:
    assert _unstable(value) == ""


def test_values_that_print_an_address_or_an_object_are_not_keys() -> None:
    import django_settings

    django_settings.configure()
    from django.http import QueryDict
    from django.utils.functional import SimpleLazyObject

    assert _unstable(QueryDict("q=figs&page=2").items()) == "a generator: its str() is its memory address, which another request may reuse"
    assert _unstable([object()]).startswith("a list holding a object: its str() is its memory address")
    assert _unstable(SimpleLazyObject(lambda: object())).startswith("a object: its str() is its memory address")

    class Order:
        def __str__(self) -> str:
            return "Order"

    assert _unstable(Order()) == "a Order: its str() is not known to be its content; key on an id or a string"


def test_an_existing_cache_tag_keyed_on_the_whole_htmx_object_is_named() -> None:
    """``{% cache 600 x request.htmx %}``: an HtmxDetails prints its address (the audit's ``cache-key``)."""
    what, instead = address_key("request.htmx") or ("", "")
    assert "HtmxDetails" in what and instead.startswith("request.headers.hx_request")
    assert address_key("request.htmx.target") is None
