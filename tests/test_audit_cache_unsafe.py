"""``assetopt audit`` reports an existing ``{% cache %}`` block holding what no key makes safe (cache-unsafe)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from assetopt.audit.report import all_findings
from assetopt.audit.run import run_audit
from assetopt.cli import cli
from assetopt.templates.cache_fragments import analyse_fragment
from assetopt.templates.cache_never import never_cacheable
from assetopt.templates.model import parse_template

HEAD = "{% load cache %}<!DOCTYPE html><html><body>\n"
TAIL = "\n</body></html>"


def unsafe(result):
    return [f for f in all_findings(result) if f.code == "cache-unsafe"]


@pytest.mark.parametrize(
    ("body", "why"),
    [
        pytest.param("<p>{{ user.recovery_codes }}</p>", "renders user.recovery_codes", id="secret"),
        pytest.param('<form method="get">{% csrf_token %}</form>', "{% csrf_token %} at line 4: a CSRF token must not be cached", id="csrf_tag"),
        pytest.param('<input type="hidden" value="{{ csrf_token }}">', "csrf_token at line 4: a CSRF token must not be cached", id="csrf_var"),
        pytest.param(
            '<form method="post" action="/save/"><button>Save</button></form>', "a POST form at line 4: it needs a fresh CSRF token", id="post_form"
        ),
        pytest.param("{{ form.non_field_errors }}", "form.non_field_errors at line 4: form errors belong to one submission", id="form_errors"),
        pytest.param('<script nonce="{{ request.csp_nonce }}">go()</script>', "a CSP nonce at line 4: it changes on every request", id="nonce"),
        pytest.param("{% debug %}", "{% debug %} at line 4: it prints the whole context of the request", id="debug"),
        pytest.param(
            "{% for m in messages %}<li>{{ m }}</li>{% endfor %}", "messages at line 4: messages are shown once, to one user", id="messages"
        ),
    ],
)
def test_an_existing_cache_block_holding_what_no_key_makes_safe_is_reported_once_at_its_tag(make_project, body: str, why: str) -> None:
    page = HEAD + "<nav>static</nav>\n{% cache 600 panel request.user.pk %}\n" + body + "\n{% endcache %}" + TAIL
    result = run_audit(make_project(templates={"p.html": page}))
    found = unsafe(result)
    assert [(f.path, f.lineno, f.severity) for f in found] == [("templates/p.html", 3, "warning")], found
    assert found[0].message.startswith("{% cache panel %} holds what no cache key makes safe"), found[0].message
    assert why in found[0].message, found[0].message
    assert "move it out of the {% cache %} block" in found[0].fix


@pytest.mark.parametrize(
    "block",
    [
        pytest.param('{% cache 600 nav %}<nav><a href="/">Home</a><a href="/about/">About</a></nav>{% endcache %}', id="static_nav"),
        pytest.param("{% cache 600 hello request.user.pk %}<p>Hello {{ request.user.username }}</p>{% endcache %}", id="per_user_key"),
        pytest.param('{% cache 600 search %}<form method="get" action="/s/"><input name="q"></form>{% endcache %}', id="get_form"),
        # Key dependent: per-user data under a shared key is for verify --cache, not this finding.
        pytest.param("{% cache 600 orders %}{% for o in orders %}{{ o.total }}{% endfor %}{% endcache %}", id="coarse_key_not_judged"),
    ],
)
def test_a_safe_existing_cache_block_is_not_reported(make_project, block: str) -> None:
    result = run_audit(make_project(templates={"p.html": HEAD + block + TAIL}))
    assert unsafe(result) == []
    assert result.pages[0].cache_fragments == 1


def test_fields_of_a_post_form_cached_inside_it_are_reported(make_project) -> None:
    page = (
        HEAD
        + '<form method="post" action="/save/">\n{% cache 600 fields request.user.pk %}\n<input name="title" value="{{ form.title.value }}">\n{% endcache %}</form>'
        + TAIL
    )
    found = unsafe(run_audit(make_project(templates={"p.html": page})))
    assert [(f.path, f.lineno) for f in found] == [("templates/p.html", 3)], found
    assert "a field of a POST form whose value or checked state is template code at line 4: the form is sent back" in found[0].message, found[
        0
    ].message


def test_a_block_in_an_included_template_is_reported_once_for_three_pages(make_project) -> None:
    partial = "{% load cache %}<aside>\n{% cache 300 account request.user.pk %}\n{% csrf_token %}\n{% endcache %}</aside>"
    pages = {f"p{i}.html": f'<!DOCTYPE html><html><body>{i}{{% include "_account.html" %}}</body></html>' for i in range(3)}
    result = run_audit(make_project(templates={"_account.html": partial, **pages}))
    assert sorted(p.name for p in result.pages if p.cache_fragments == 1) == ["p0.html", "p1.html", "p2.html"]
    found = unsafe(result)
    assert [(f.path, f.lineno) for f in found] == [("templates/_account.html", 2)], found
    assert "{% csrf_token %} at line 3" in found[0].message


def test_the_cli_lists_cache_unsafe_and_fails_on_warnings_as_for_any_warning(tmp_path, write_tree, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    page = HEAD + "{% cache 600 panel %}\n<p>{{ user.recovery_codes }}</p>\n{% endcache %}" + TAIL
    write_tree(tmp_path, {"templates/p.html": page, "static/.keep": ""})
    args = ["audit", "--templates", "templates", "--static", "static"]
    shown = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert shown.exit_code == 0, shown.output  # a warning alone does not fail the audit
    assert "cache-unsafe" in shown.output and "templates/p.html:2" in shown.output, shown.output
    failed = CliRunner().invoke(cli, [*args, "-q", "--fail-on", "findings>0"], catch_exceptions=False)
    assert failed.exit_code == 1, failed.output


# -- names bound outside the block are followed, as for suggestions (cache_bindings) --------------------------

BOUND_OUTSIDE = [
    pytest.param(
        "{% with m=messages %}\n{% cache 600 panel request.user.pk %}\n<p>{{ m }}</p>\n{% endcache %}\n{% endwith %}",
        "messages at line 3: messages are shown once, to one user (the fragment reads it as m)",
        id="with_around_the_block",
    ),
    pytest.param(
        "{% for m in messages %}\n{% cache 600 panel m.pk %}\n<li>{{ m }}</li>\n{% endcache %}\n{% endfor %}",
        "messages at line 3: messages are shown once, to one user (the fragment reads it as m)",
        id="loop_around_the_block",
    ),
    pytest.param(
        "{% with errs=form.non_field_errors %}\n{% cache 600 panel %}\n{{ errs }}\n{% endcache %}\n{% endwith %}",
        "form.non_field_errors at line 3: form errors belong to one submission",
        id="form_errors_bound_outside",
    ),
    pytest.param(
        "{% url 'account_confirm_email' confirmation.key as action_url %}\n{% cache 600 panel %}\n"
        '<form method="get" action="{{ action_url }}"><button>Confirm</button></form>\n{% endcache %}',
        "renders action_url (bound to confirmation.key)",
        id="allauth_confirmation_link_bound_outside",
    ),
    pytest.param(
        "{% with c=user.recovery_codes %}\n{% cache 600 panel %}\n<p>{{ c }}</p>\n{% endcache %}\n{% endwith %}",
        "renders c (bound to user.recovery_codes)",
        id="secret_bound_outside",
    ),
    pytest.param(
        '{% cache 600 panel %}\n<form method="{{ form_method }}" action="/save/"><button>Save</button></form>\n{% endcache %}',
        "a form method that is template code at line 4: it may post",
        id="form_method_is_template_code",
    ),
]


@pytest.mark.parametrize(("body", "why"), BOUND_OUTSIDE)
def test_what_a_block_reads_through_a_name_bound_outside_it_is_reported(make_project, body: str, why: str) -> None:
    result = run_audit(make_project(templates={"p.html": HEAD + "<nav>static</nav>\n" + body + TAIL}))
    found = unsafe(result)
    assert len(found) == 1, found
    assert why in found[0].message, found[0].message


@pytest.mark.parametrize(("body", "why"), BOUND_OUTSIDE)
def test_suggestions_and_the_audit_follow_bound_names_alike(body: str, why: str) -> None:
    """One aliasing rule: the fragment a suggestion would wrap is refused for the reason the audit gives."""
    source = HEAD + "<nav>static</nav>\n" + body + TAIL
    t = parse_template("p.html", source)
    (node,) = [n for n in t.bodies if n.kind == "cache"]
    start, end = node.delimiters.open.end, node.delimiters.close.start
    reasons = [why_ for _, why_ in never_cacheable(t, start, end)]
    verdict = analyse_fragment(t, start, end)
    assert verdict.refusal in reasons, (verdict.refusal, reasons)
    assert any(why in r for r in reasons), reasons


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("{% with n=orders|length %}\n{% cache 600 panel %}\n<p>{{ n }}</p>\n{% endcache %}\n{% endwith %}", id="a_count_bound_outside"),
        pytest.param(
            "{% for key, value in settings_rows %}\n{% cache 600 row key %}\n<dt>{{ key }}</dt><dd>{{ value }}</dd>\n{% endcache %}\n{% endfor %}",
            id="a_loops_key_and_value",
        ),
        pytest.param(
            "{% url 'account_email' as email_url %}\n{% cache 600 panel %}\n<a href=\"{{ email_url }}\">email</a>\n{% endcache %}", id="a_plain_link"
        ),
    ],
)
def test_a_name_bound_outside_to_something_harmless_is_not_reported(make_project, body: str) -> None:
    result = run_audit(make_project(templates={"p.html": HEAD + body + TAIL}))
    assert unsafe(result) == []


def test_messages_bound_outside_a_block_are_shown_again_by_django_as_the_audit_says(make_project) -> None:
    """The block the audit reports really serves a message a second time: Django renders it from the cache."""
    import django_settings
    from django.core.cache import caches
    from django.template import Context, Engine
    from django.test.utils import override_settings

    django_settings.configure()
    body = "{% with m=messages %}{% cache 600 panel user_pk %}{% for x in m %}<p>{{ x }}</p>{% endfor %}{% endcache %}{% endwith %}"
    locmem = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "assetopt-test-audit-messages"}
    with override_settings(CACHES={"default": locmem}):
        caches["default"].clear()
        template = Engine(libraries={"cache": "django.templatetags.cache"}).from_string("{% load cache %}" + body)
        first = template.render(Context({"messages": ["Order 12 saved"], "user_pk": 1}))
        again = template.render(Context({"messages": [], "user_pk": 1}))
        caches["default"].clear()
    assert first == again == "<p>Order 12 saved</p>"
    found = unsafe(run_audit(make_project(templates={"p.html": HEAD + body + TAIL})))
    assert len(found) == 1 and "(the fragment reads it as m)" in found[0].message, found


# -- keys that print an address (cache-key) ----------------------------------------------------------------


def keyed(result):
    return [f for f in all_findings(result) if f.code == "cache-key"]


@pytest.mark.parametrize(
    ("part", "fix"),
    [
        pytest.param("request.GET.items", "key on request.GET.urlencode", id="query_generator"),
        pytest.param("request.POST.lists", "key on request.POST.urlencode", id="form_generator"),
        pytest.param("request.session", "key on request.session.session_key request.session.items", id="session"),
        pytest.param("request.META", "key on the entries the block shows (request.META.HTTP_USER_AGENT)", id="environ"),
    ],
)
def test_an_existing_cache_block_keyed_on_an_address_is_reported(make_project, part: str, fix: str) -> None:
    page = HEAD + "<nav>static</nav>\n{% cache 600 panel request.user.pk " + part + ' using="frags" %}\n<p>x</p>\n{% endcache %}' + TAIL
    found = keyed(run_audit(make_project(templates={"p.html": page})))
    assert [(f.path, f.lineno, f.severity, f.fix) for f in found] == [("templates/p.html", 3, "warning", fix)], found
    assert found[0].message.startswith(f"{{% cache panel %}} keys on {part}, "), found[0].message
    assert "its str(), the object's memory address" in found[0].message


@pytest.mark.parametrize(
    "parts",
    ["request.GET.urlencode", "request.GET.q request.user.pk", "request.session.session_key request.session.items", "order.pk", "request.GET"],
)
def test_a_cache_block_keyed_on_content_is_not_reported_as_an_address(make_project, parts: str) -> None:
    page = HEAD + "{% cache 600 panel " + parts + " %}<p>x</p>{% endcache %}" + TAIL
    assert keyed(run_audit(make_project(templates={"p.html": page}))) == []


def test_a_block_keyed_on_the_querys_generator_serves_one_search_for_another_when_django_renders_it() -> None:
    """What the cache-key finding is about, rendered by Django over LocMem: the generator is freed once
    its str() is hashed, the next request's generator lands on the same address, and gets the first
    search's copy. Keyed on the fix, each search is its own."""
    import django_settings
    from django.core.cache import caches
    from django.template import Context, Engine
    from django.test import RequestFactory
    from django.test.utils import override_settings

    django_settings.configure()
    body = "{% for k, v in request.GET.items %}{{ k }}={{ v }};{% endfor %}"
    engine = Engine(libraries={"cache": "django.templatetags.cache"})
    searches = [{"q": q} for q in ("dates", "olives", "figs", "lemons")]
    locmem = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "assetopt-test-audit-address"}
    with override_settings(CACHES={"default": locmem}):
        for key, leaks in (("request.GET.items", True), ("request.GET.urlencode", False)):
            caches["default"].clear()
            template = engine.from_string("{% load cache %}{% cache 600 f " + key + " %}" + body + "{% endcache %}")
            shown = [template.render(Context({"request": RequestFactory().get("/s/", q)})) for q in searches]
            wrong = [s for s, q in zip(shown, searches) if s != f"q={q['q']};"]
            assert bool(wrong) is leaks, (key, shown)
        caches["default"].clear()
