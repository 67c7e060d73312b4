"""Static verdicts of ``{% cache %}`` fragments that do not overclaim (issue 13).

Each fragment is the element with ``class="f"``. A template cannot show what the view's data depends
on, so reading it is never "the same for every request"; what the template does show (the user, by any
path or alias; a loop's object) goes into the key by its pk.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assetopt.config import load_config
from assetopt.errors import ConfigError
from assetopt.rewrite.cache import plan_cache
from assetopt.rewrite.context import RewriteContext
from assetopt.template_rewriter import CacheRule
from assetopt.templates.cache_fragments import analyse_fragment, suggest_cache
from assetopt.templates.cache_reads import CacheFacts
from assetopt.templates.model import parse_template

# the view's data: per user and full path, and the language (its translations are invisible here)
PER_REQUEST = ("request.user.pk", "request.get_full_path", "LANGUAGE_CODE")


def fragment(source: str) -> tuple[int, int]:
    at = source.index('class="f"')
    start = source.rindex("<", 0, at)
    name = source[start + 1 : source.index(" ", start)]
    return start, source.index(f"</{name}>", start) + len(name) + 3


def verdict(source: str, facts: CacheFacts | None = None, declared: tuple[str, ...] | None = None):
    return analyse_fragment(parse_template("t.html", source), *fragment(source), facts, declared)


KEYED = [
    pytest.param('<p class="f">{{ view.request.user.email }}</p>', ("request.user.pk",), id="view_request_user_reads_the_user"),
    pytest.param('{% firstof user.email "x" as who %}<p class="f">{{ who }}</p>', ("user.pk",), id="firstof_alias_is_traced_to_the_user"),
    pytest.param("{% url 'p' user.email as purl %}<p class=\"f\">{{ purl }}</p>", ("user.pk", "LANGUAGE_CODE"), id="url_alias_is_traced_to_the_user"),
    pytest.param(
        '{% regroup user.groups.all by name as gl %}<p class="f">{% for g in gl %}{{ g.grouper }}{% endfor %}</p>',
        ("user.pk",),
        id="regroup_alias_is_traced_to_the_user",
    ),
    pytest.param(
        "{% for o in rows %}{% cycle user.email 'b' as c silent %}<p class=\"f\">{{ c }}</p>{% endfor %}",
        ("user.pk",),
        id="cycle_alias_is_traced_to_the_user",
    ),
    pytest.param(
        '{% load i18n %}<p class="f">{% blocktrans with n=user.username %}Hi {{ n }}{% endblocktrans %}</p>',
        ("user.pk", "LANGUAGE_CODE"),
        id="blocktrans_with_reads_the_user",
    ),
    pytest.param('{% load x %}{% whoami as me %}<p class="f">{{ me }}</p>', PER_REQUEST, id="custom_tag_alias_is_per_request"),
    pytest.param(
        '{% for order in orders %}<li class="f">{{ order.number }}</li>{% endfor %}', ("order.pk",), id="loop_fragment_keys_on_the_objects_pk"
    ),
    pytest.param('{% for c in codes %}<li class="f">{{ c }}</li>{% endfor %}', ("c",), id="loop_fragment_printing_only_the_value_keys_on_it"),
    pytest.param(
        '<table class="f">{% for order in orders %}<tr><td>{{ order.number }}</td></tr>{% endfor %}</table>',
        PER_REQUEST,
        id="order_history_is_per_request",
    ),
    pytest.param('<ul class="f">{% for a in addresses %}<li>{{ a.street }}</li>{% endfor %}</ul>', PER_REQUEST, id="address_book_is_per_request"),
    pytest.param(
        '<ul class="f">{% for p in thread.participants.all %}<li>{{ p.name }}</li>{% endfor %}</ul>',
        PER_REQUEST,
        id="thread_participants_are_per_request",
    ),
    pytest.param('<p class="f">{{ order.shipping_address }}</p>', PER_REQUEST, id="per_object_page_is_per_request"),
    pytest.param('<p class="f">{% with n=order.number %}{{ n }}{% endwith %}</p>', PER_REQUEST, id="with_inside_reads_the_view"),
    pytest.param('<p class="f">{{ STATIC_URL }}logo.svg</p>', (), id="static_url_is_a_constant"),
    pytest.param('<p class="f">&copy; Nakheel</p>', (), id="literal_text_is_shared"),
]


@pytest.mark.parametrize(("source", "vary"), KEYED)
def test_fragment_key_holds_what_its_data_depends_on(source: str, vary: tuple[str, ...]) -> None:
    v = verdict(source)
    assert (v.refusal, v.vary) == ("", vary)
    if vary == ():
        assert v.shared
    if set(PER_REQUEST) <= set(vary) or "user.pk" in vary:
        assert not v.shared and v.depends


REFUSED = [
    pytest.param(
        '<ul class="f">{% for e in form.non_field_errors %}<li>{{ e }}</li>{% endfor %}</ul>',
        "form.non_field_errors at line 1: form errors belong to one submission",
        id="form_errors",
    ),
    pytest.param('<p class="f">{{ form.email.errors }}</p>', "form.email.errors at line 1: form errors", id="field_errors"),
    pytest.param(
        '{% load x %}<p class="f">{% whoami %}</p>',
        "{% whoami %} at line 1 is a custom tag that may take the context (takes_context=True)",
        id="unknown_custom_tag",
    ),
    pytest.param('<p class="f">{% debug %}</p>', "{% debug %} at line 1: it prints the whole context", id="debug_tag"),
    pytest.param('<p class="f">{% include "x.html" %}</p>', 'without "only"', id="include_without_only"),
    pytest.param('<form class="f" method="post"></form>', "a POST form at line 1", id="post_form"),
    pytest.param('<p class="f">{{ messages }}</p>', "messages at line 1", id="messages"),
]


@pytest.mark.parametrize(("source", "reason"), REFUSED)
def test_fragment_is_refused_with_the_reason(source: str, reason: str) -> None:
    assert reason in verdict(source).refusal


@pytest.mark.parametrize(
    ("tags", "refused"),
    [
        pytest.param({"whoami": "args"}, False, id="simple_tag_reading_only_its_arguments"),
        pytest.param({"whoami": "context"}, True, id="takes_context_true"),
        pytest.param({}, True, id="not_in_any_library"),
    ],
)
def test_django_mode_knows_which_custom_tags_take_the_context(tags: dict[str, str], refused: bool) -> None:
    v = verdict('{% load x %}<p class="f">{% whoami user.pk %}</p>', CacheFacts(tags=tags))
    assert bool(v.refusal) is refused
    if not refused:
        assert v.vary == ("user.pk",)


def test_declared_constants_and_context_processors() -> None:
    source = '<p class="f">{{ SITE_NAME }} {{ notifications|length }}</p>'
    assert verdict(source).depends == ("SITE_NAME (from the view)", "notifications (from the view)")
    facts = CacheFacts(constants=("SITE_NAME",), processors={"notifications": "erp.core.context_processors.navigation"})
    v = verdict(source, facts)
    assert v.depends == ("notifications (from the context processor erp.core.context_processors.navigation)",)
    assert v.vary == PER_REQUEST


def test_a_rules_vary_replaces_the_per_request_key_but_never_drops_the_user() -> None:
    source = '<p class="f">{{ user.username }}: {{ stats.total }}</p>'
    assert verdict(source).vary == PER_REQUEST
    assert verdict(source, declared=()).vary == ("user.pk",)  # "the stats are the same for everyone"
    assert verdict(source, declared=("order.pk",)).vary == ("user.pk", "order.pk")


def test_suggestion_is_never_the_same_for_every_request_when_it_reads_view_data() -> None:
    found = suggest_cache(parse_template("t.html", "{% for order in orders %}<tr><td>{{ order.number }}</td></tr>{% endfor %}"))
    assert [(s.verdict, s.vary) for s in found] == [("ok", PER_REQUEST)]
    assert found[0].reason.startswith(
        "cacheable per request, varying on request.user.pk, request.get_full_path, LANGUAGE_CODE: reads orders (from the view)"
    )
    assert 'vary = ["order.pk"]' in found[0].reason


def test_rule_vary_goes_into_the_inserted_tag() -> None:
    source = '<section class="stats">{{ stats.total }}</section>'
    t = parse_template("t.html", source)
    for vary, tag in (
        (None, "{% get_current_language as LANGUAGE_CODE %}{% cache 60 s request.user.pk request.get_full_path LANGUAGE_CODE %}"),
        ((), "{% cache 60 s %}"),
        (("request.user.pk",), "{% cache 60 s request.user.pk %}"),
    ):
        result = plan_cache(t, RewriteContext(cache_rules=(CacheRule("t.html", "section.stats", 60, "s", vary),)))
        assert result.edits[0].text.strip() == tag


@pytest.mark.parametrize(
    ("vary", "message"),
    [
        pytest.param('["order"]', "vary 'order' is not an id: key on order.pk", id="object_not_id"),
        pytest.param('["request.user"]', "vary 'request.user' is not an id", id="user_object"),
        pytest.param('"order.pk"', "vary must be a list", id="not_a_list"),
        pytest.param('["order pk"]', "is not a template variable", id="not_a_variable"),
    ],
)
def test_rule_vary_must_be_cheap_stable_ids(tmp_path: Path, vary: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.assetopt]\n[[tool.assetopt.cache]]\ntemplate = "t.html"\nselector = "p"\ntimeout = 60\nname = "n"\nvary = {vary}\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="cache #1: "):
        load_config(tmp_path)
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert message in str(info.value)


def test_rule_vary_ids_are_accepted(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.assetopt]\n[[tool.assetopt.cache]]\ntemplate = "t.html"\nselector = "p"\ntimeout = 60\nname = "n"\n'
        'vary = ["request.user.pk", "order.pk", "customer_id", "request.GET.q"]\n',
        encoding="utf-8",
    )
    assert load_config(tmp_path).cache[0].vary == ("request.user.pk", "order.pk", "customer_id", "request.GET.q")


# ---------------------------------------------------------------------------------------------
# Fields a variable or a tag renders inside a POST form (148c907 caught only <input>/<select> markup)
# ---------------------------------------------------------------------------------------------


def in_post_form(fields: str, load: str = "") -> str:
    """An edit page: the POST form opens outside the fragment (``div.f``), the fields are inside it."""
    return (
        f'{load}<form method="post" action="{{% url \'article_edit\' article.pk %}}" novalidate>\n'
        "{% csrf_token %}\n"
        '<div class="f">\n'
        f"{fields}\n"
        "</div>\n"
        '<button type="submit" class="btn btn-primary">Save</button>\n'
        "</form>\n"
    )


# (fields inside the form, the code the reason names, "the fields"/"a field")
RENDERED_FIELDS = [
    pytest.param("{{ form }}", "{{ form }}", "the fields", id="form"),
    pytest.param("{{ form.as_p }}", "{{ form.as_p }}", "the fields", id="as_p"),
    pytest.param("<table>{{ form.as_table }}</table>", "{{ form.as_table }}", "the fields", id="as_table"),
    pytest.param("<ul>{{ form.as_ul }}</ul>", "{{ form.as_ul }}", "the fields", id="as_ul"),
    pytest.param("{{ form.as_div }}", "{{ form.as_div }}", "the fields", id="as_div"),
    pytest.param(
        '{% for field in form %}<div class="mb-3">{{ field.label_tag }}\n{{ field }}\n<small>{{ field.help_text }}</small></div>{% endfor %}',
        "{{ field }}",
        "a field",
        id="for_field_in_form",
    ),
    pytest.param(
        '<p><label for="{{ form.title.id_for_label }}">Title</label>\n{{ form.title }}</p>', "{{ form.title }}", "a field", id="form_dot_field"
    ),
    pytest.param(
        "{% for hidden in form.hidden_fields %}{{ hidden }}{% endfor %}\n{% for f in form.visible_fields %}<p>{{ f.label_tag }} {{ f }}</p>{% endfor %}",
        "{{ hidden }}",
        "a field",
        id="visible_and_hidden_fields",
    ),
    pytest.param("{% crispy form %}", "{% crispy form %}", "the fields", id="crispy_tag"),
    pytest.param("{{ form|crispy }}", "{{ form|crispy }}", "the fields", id="crispy_filter"),
    pytest.param("{{ form.title|as_crispy_field }}", "{{ form.title|as_crispy_field }}", "a field", id="as_crispy_field"),
    pytest.param(
        '{% render_field form.title class="form-control" placeholder=form.title.label %}',
        '{% render_field form.title class="form-control" placeholder=form.title.label %}',
        "a field",
        id="widget_tweaks_render_field",
    ),
    pytest.param(
        '{{ profile_form.bio|add_class:"form-control" }}', '{{ profile_form.bio|add_class:"form-control" }}', "a field", id="widget_tweaks_filter"
    ),
    pytest.param("{% bootstrap_form form %}", "{% bootstrap_form form %}", "the fields", id="bootstrap_form"),
    pytest.param(
        "{% bootstrap_field form.title show_label=False %}", "{% bootstrap_field form.title show_label=False %}", "a field", id="bootstrap_field"
    ),
    pytest.param(
        "{{ formset.management_form }}{% for f in formset %}<tr>{{ f.id }}<td>{{ f.name }}</td></tr>{% endfor %}",
        "{{ formset.management_form }}",
        "the fields",
        id="formset",
    ),
    pytest.param(
        "{% for radio in form.visibility %}<label>{{ radio.tag }} {{ radio.choice_label }}</label>{% endfor %}",
        "{{ radio.tag }}",
        "a field",
        id="radio_subwidgets",
    ),
    pytest.param("{% with f=form.title %}{{ f.label }}: {{ f }}{% endwith %}", "{{ f }}", "a field", id="with_alias"),
    pytest.param(
        '{% include "forms/field.html" with field=form.title only %}',
        '{% include "forms/field.html" with field=form.title only %}',
        "a field",
        id="include_only",
    ),
]
LOADS = "{% load crispy_forms_tags widget_tweaks django_bootstrap5 %}"
# Django mode where every form tag reads only its arguments (bootstrap_form is a simple_tag): before,
# such a fragment was "ok, varying on request.user.pk, request.get_full_path".
ARGS_ONLY = CacheFacts(tags=dict.fromkeys(("crispy", "render_field", "bootstrap_form", "bootstrap_field"), "args"))


@pytest.mark.parametrize(("fields", "code", "shown"), RENDERED_FIELDS)
@pytest.mark.parametrize("facts", [pytest.param(None, id="no_settings"), pytest.param(ARGS_ONLY, id="args_only_tags")])
def test_fields_a_variable_or_tag_renders_in_a_post_form_are_refused(fields: str, code: str, shown: str, facts: CacheFacts | None) -> None:
    source = in_post_form(fields, LOADS)
    v = verdict(source, facts)
    line = source[: source.index(code)].count("\n") + 1
    assert v.refusal == (
        f"{shown} of a POST form rendered by {code} at line {line}: the values shown are the current ones"
        " (after a failed save, the user's input), and the form is sent back, so a stale copy would save old values"
    )


def test_a_cache_rule_around_a_rendered_form_is_skipped_naming_the_template_and_line() -> None:
    source = in_post_form("{% for field in form %}\n<p>{{ field.label_tag }} {{ field }}</p>\n{% endfor %}")
    result = plan_cache(
        parse_template("articles/edit.html", source), RewriteContext(cache_rules=(CacheRule("articles/edit.html", ".f", 600, "fields"),))
    )
    assert result.edits == ()
    (skip,) = result.skips
    assert (skip.path, skip.lineno) == ("articles/edit.html", 3)
    assert "a field of a POST form rendered by {{ field }} at line 5" in skip.reason, skip.reason


def test_the_example_leave_request_form_loop_is_refused() -> None:
    """example/templates/hr/leave_requests.html loops over the leave form's fields inside its POST
    form; suggest-cache called the loop "ok, varying on request.user.pk, request.get_full_path"."""
    path = Path(__file__).parent.parent / "example" / "templates" / "hr" / "leave_requests.html"
    source = path.read_text(encoding="utf-8")
    loop = source.count("\n", 0, source.index("{% for field in form %}")) + 1
    field = source.count("\n", 0, source.index("{{ field }}")) + 1
    (s,) = [s for s in suggest_cache(parse_template("hr/leave_requests.html", source)) if s.what == "{% for field in form %}"]
    assert (s.lineno, s.verdict) == (loop, "refused")
    assert s.reason.startswith(f"a field of a POST form rendered by {{{{ field }}}} at line {field}:"), s.reason


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param("{{ search_form }}", id="form"),
        pytest.param("{% for field in search_form %}{{ field.label_tag }} {{ field }}{% endfor %}", id="for_field_in_form"),
        pytest.param('{% render_field search_form.q class="form-control" %}', id="render_field"),
        pytest.param("{% bootstrap_form search_form %}", id="bootstrap_form"),
    ],
)
def test_a_get_search_form_rendered_by_code_stays_a_candidate(fields: str) -> None:
    source = f'{LOADS}<form action="/search/" method="get" role="search">\n<div class="f">{fields}</div>\n</form>\n'
    v = verdict(source, ARGS_ONLY)
    # the search form comes from the view: per user and URL (the URL holds the query)
    assert (v.refusal, v.vary) == ("", PER_REQUEST)
    assert v.depends == ("search_form (from the view)",)


@pytest.mark.parametrize(
    ("fields", "vary"),
    [
        # literal markup reads nothing: the same for every request, as before 148c907 and after
        pytest.param('<input type="email" name="email" placeholder="you@example.com" required>\n<button>Subscribe</button>', (), id="literal_fields"),
        # labels and help texts are text, not fields: they read the view's form, so per user and URL
        pytest.param(
            '{% for field in form %}<label for="{{ field.id_for_label }}">{{ field.label }}</label><small>{{ field.help_text }}</small>{% endfor %}',
            PER_REQUEST,
            id="labels_of_fields",
        ),
        pytest.param("<h2>{{ title }}</h2><p>{{ form.title.help_text }}</p>{{ field_count }}", PER_REQUEST, id="bare_variables_and_help_text"),
    ],
)
def test_a_post_form_without_field_values_keeps_its_verdict(fields: str, vary: tuple[str, ...]) -> None:
    v = verdict(in_post_form(fields))
    assert (v.refusal, v.vary) == ("", vary)
