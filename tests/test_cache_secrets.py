"""A ``{% cache %}`` fragment that renders something looking like a secret is refused (cache_secrets).

Cached, a secret would be written into the cache backend (shared infrastructure, kept until the
timeout) and a regenerated one would show stale. Names are matched on whole identifier segments, so
lookalikes (``secretary``, ``tokenize``, ``passwordless``) keep the verdict they had before the rule.
Each fragment is the element with ``class="f"`` in ``t.html``."""

from __future__ import annotations

import pytest

from assetopt.rewrite.cache import plan_cache
from assetopt.rewrite.context import RewriteContext
from assetopt.template_rewriter import CacheRule
from assetopt.templates.cache_fragments import analyse_fragment
from assetopt.templates.cache_secrets import secret_in, segments_of
from assetopt.templates.model import parse_template

PER_REQUEST = ("request.user.pk", "request.get_full_path", "LANGUAGE_CODE")  # the view's data, maybe translated

WHY = "(looks like a secret: never put secrets into a cache backend)"


def verdict(source: str):
    at = source.index('class="f"')
    start = source.rindex("<", 0, at)
    name = source[start + 1 : source.index(" ", start)]
    return analyse_fragment(parse_template("t.html", source), start, source.index(f"</{name}>", start) + len(name) + 3)


@pytest.mark.parametrize(
    ("name", "segments"),
    [
        pytest.param("recovery_codes.unused_codes", ("recovery", "codes", "unused", "codes"), id="dots_and_underscores"),
        pytest.param("user.apiKey", ("user", "api", "key"), id="camel_case"),
        pytest.param("APIKey", ("api", "key"), id="acronym_then_word"),
        pytest.param("tokenize", ("tokenize",), id="one_word_stays_whole"),
    ],
)
def test_names_are_split_into_identifier_segments(name: str, segments: tuple[str, ...]) -> None:
    assert segments_of(name) == segments


SECRETS = [
    pytest.param("{{ form.secret }}", "form.secret", id="secret_allauth_totp"),
    pytest.param("{{ totp_secret }}", "totp_secret", id="secret_word_in_a_name"),
    pytest.param("{{ secret_key }}", "secret_key", id="secret_key_two_factor"),
    pytest.param("{{ user.auth_token.key }}", "user.auth_token.key", id="token_drf"),
    pytest.param("{% for t in device.token_set.all %}{{ t.token }}{% endfor %}", "device.token_set.all", id="tokens_django_otp_static"),
    pytest.param("{{ backup_tokens|join:' ' }}", "backup_tokens", id="tokens_plural"),
    pytest.param("{{ form.password.value }}", "form.password.value", id="password"),
    pytest.param("{{ smtp_passwd }}", "smtp_passwd", id="passwd"),
    pytest.param("{{ recovery_codes.unused_codes }}", "recovery_codes.unused_codes", id="recovery_codes"),
    pytest.param("{{ otp }}", "otp", id="otp"),
    pytest.param("{{ totp.url }}", "totp.url", id="totp"),
    pytest.param("{{ otpauth_url }}", "otpauth_url", id="otpauth_uri_holds_the_secret"),
    pytest.param("{{ device.bin_key }}", "device.bin_key", id="bin_key_django_otp"),
    pytest.param("{{ wallet.seed }}", "wallet.seed", id="seed"),
    pytest.param("{{ profile.api_key }}", "profile.api_key", id="api_key"),
    pytest.param("{{ profile.apiKey }}", "profile.apiKey", id="apiKey_camel_case"),
    pytest.param("{{ apikey }}", "apikey", id="apikey"),
    pytest.param("{{ ssh.private_key }}", "ssh.private_key", id="private_key"),
    pytest.param("{{ backup_codes }}", "backup_codes", id="backup_codes"),
    pytest.param("{{ unused_codes }}", "unused_codes", id="unused_codes"),
    pytest.param("{{ mfa_codes }}", "mfa_codes", id="mfa_codes"),
    pytest.param("{% url 'password_reset_confirm' uidb64=uid token=reset_token %}", "reset_token", id="token_in_a_url"),
    pytest.param("{{ user.name|default:user.api_key }}", "user.api_key", id="filter_argument"),
]


@pytest.mark.parametrize(("code", "what"), SECRETS)
def test_a_fragment_rendering_a_secret_is_refused_naming_the_variable(code: str, what: str) -> None:
    v = verdict(f'<div>\n<p class="f">{code}</p></div>')
    assert v.refusal == f"t.html:2: renders {what} {WHY}"


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        pytest.param(
            '{% for c in backup_codes %}\n<li class="f">{{ c }}</li>{% endfor %}',
            "t.html:1: renders c (an item of backup_codes)",
            id="enclosing_loops_item",
        ),
        pytest.param(
            '{% firstof profile.key as api_key %}\n<p class="f">{{ api_key }}</p>', "t.html:2: renders api_key", id="an_alias_named_for_a_secret"
        ),
        pytest.param(
            '{% with secret=profile.key %}\n<p class="f">{{ secret }}</p>{% endwith %}', "t.html:2: renders secret", id="a_with_name_for_a_secret"
        ),
        pytest.param(
            '{% with c=user.api_key %}\n<p class="f">{{ c }}</p>{% endwith %}',
            "t.html:1: renders c (bound to user.api_key)",
            id="with_alias_followed",
        ),
        pytest.param(
            '{% load x %}\n<p class="f">{% otp_secret user %}</p>', "t.html:2: renders {% otp_secret %}", id="custom_tag_named_for_a_secret"
        ),
        pytest.param(
            '<form>\n<p class="f"><input type="password" value="{{ form.data.pw }}"></p></form>',
            't.html:2: renders an <input type="password"> whose value',
            id="password_input",
        ),
        pytest.param(
            '<p class="f">\n<input type="password" {% if v %}value="{{ v }}"{% endif %}></p>',
            't.html:2: renders an <input type="password"> with template code',
            id="password_input_opaque",
        ),
    ],
)
def test_a_secret_reached_indirectly_is_refused(source: str, reason: str) -> None:
    v = verdict(source)
    assert v.refusal.startswith(reason) and v.refusal.endswith(WHY), v.refusal


def test_a_secret_is_the_reason_even_when_something_else_comes_first() -> None:
    """No key, rule or restructuring makes a secret cacheable: its reason is the one to show."""
    v = verdict('<div class="f">{% block b %}{% endblock %}{{ totp_secret }}</div>')
    assert v.refusal == f"t.html:1: renders totp_secret {WHY}"


LOOKALIKES = [
    pytest.param('<p class="f">{{ secretary.name }}</p>', PER_REQUEST, "", id="secretary"),
    pytest.param('<p class="f">{{ tokenize }}</p>', PER_REQUEST, "", id="tokenize"),
    pytest.param('<p class="f">{{ form.passwordless.auto_id }}</p>', PER_REQUEST, "", id="passwordless_allauth"),
    pytest.param('<p class="f">{{ unused_code_count }}</p>', PER_REQUEST, "", id="a_count_of_codes_allauth"),
    pytest.param('<p class="f">{{ country.code }} {{ cache_key }}</p>', PER_REQUEST, "", id="code_and_key_alone"),
    pytest.param('<p class="f">{% if token_fail %}expired{% endif %}</p>', PER_REQUEST, "", id="a_condition_shows_no_value"),
    pytest.param(
        "{% url 'account_change_password' as change_password_url %}<p class=\"f\">{{ change_password_url }}</p>",
        ("LANGUAGE_CODE",),
        "",
        id="a_link_named_for_a_password_is_judged_by_its_arguments",
    ),
    pytest.param('<p class="f">{% csrf_token %}</p>', (), "{% csrf_token %} at line 1: a CSRF token must not be cached", id="csrf_token_tag"),
    pytest.param('<p class="f">{{ csrf_token }}</p>', (), "csrf_token at line 1: a CSRF token must not be cached", id="csrf_token_var"),
    pytest.param('<p class="f"><input type="text" value="{{ q }}"></p>', PER_REQUEST, "", id="a_text_input_outside_a_post_form"),
]


@pytest.mark.parametrize(("source", "vary", "refusal"), LOOKALIKES)
def test_lookalikes_keep_their_verdict(source: str, vary: tuple[str, ...], refusal: str) -> None:
    v = verdict(source)
    assert (v.vary, v.refusal) == (vary, refusal)


@pytest.mark.parametrize("name", ["secretary", "tokenize", "form.passwordless", "unused_code_count", "csrf_token", "seeded", "keyboard"])
def test_no_secret_in_lookalike_names(name: str) -> None:
    assert secret_in(name) == ""


def test_an_explicit_rule_around_a_secret_is_refused_with_the_reason() -> None:
    source = '<h1>Codes</h1>\n<ul class="codes">{% for c in codes.unused_codes %}<li>{{ c }}</li>{% endfor %}</ul>\n'
    t = parse_template("t.html", source)
    result = plan_cache(t, RewriteContext(cache_rules=(CacheRule("t.html", "ul.codes", 600, "codes", ("request.user.pk",)),)))
    assert result.edits == ()
    (skip,) = result.skips
    assert skip.reason == f'"ul.codes": not cached: t.html:2: renders codes.unused_codes {WHY}'


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        pytest.param("unused_code_count", "", id="a_count_named_for_codes"),
        pytest.param("token_total", "", id="a_total_named_for_tokens"),
        pytest.param("recovery_codes.count", "recovery", id="the_count_of_a_secret_list_is_still_read_through_it"),
        pytest.param("backup_code", "backup_code", id="one_backup_code"),
    ],
)
def test_a_name_that_counts_secrets_is_no_secret(name: str, secret: str) -> None:
    assert secret_in(name) == secret


# -- secrets under innocent names (django-allauth, django-helpdesk, django-otp) -----------------------------

# django-allauth 65.21.1 account/email_confirm.html:18-19: the confirmation key goes into the link.
ALLAUTH_CONFIRM = """{% url 'account_confirm_email' confirmation.key as action_url %}
{% element form method="post" action=action_url %}"""


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        pytest.param(
            ALLAUTH_CONFIRM.replace("\n", '\n<div class="f">') + "{% endelement %}</div>",
            "t.html:1: renders action_url (bound to confirmation.key)",
            id="allauth_email_confirm_link_bound_outside",
        ),
        pytest.param(
            '<div class="f">' + ALLAUTH_CONFIRM + "{% endelement %}</div>",
            "t.html:1: renders confirmation.key",
            id="allauth_email_confirm_link_bound_inside",
        ),
        pytest.param(
            # allauth account/phone_change.html:46 shape: the bound link in a plain form's action
            "{% url 'account_confirm_email' confirmation.key as action_url %}\n"
            '<form class="f" method="get" action="{{ action_url }}"><button>Confirm</button></form>',
            "t.html:1: renders action_url (bound to confirmation.key)",
            id="bound_link_in_a_form_action",
        ),
        pytest.param(
            "{% with link=action_url %}{% url 'account_confirm_email' confirmation.key as action_url %}\n"
            '<a class="f" href="{{ link }}">confirm</a>{% endwith %}',
            "t.html:1: renders link (bound to confirmation.key)",
            id="followed_through_two_bindings",
        ),
        # django-helpdesk 2.6.1 helpdesk/public_view_ticket.html:96: the view passes the ticket's secret_key as `key`
        pytest.param(
            '<form method="get">\n<p class="f"><input type="hidden" name="key" value="{{ key }}" /></p></form>',
            "t.html:2: renders key",
            id="helpdesk_bare_key_from_the_view",
        ),
        # django-otp (not among the pinned corpora): TOTPDevice.key is the seed, config_url the otpauth:// URL
        pytest.param('<p class="f">\n<code>{{ device.key }}</code></p>', "t.html:2: renders device.key", id="django_otp_device_key"),
        pytest.param('<p class="f">\n{{ totpdevice.key }}</p>', "t.html:2: renders totpdevice.key", id="a_devices_class_name"),
        pytest.param('<p class="f">\n{{ email_confirmation.key }}</p>', "t.html:2: renders email_confirmation.key", id="confirmation_key"),
        pytest.param(
            '<p class="f">\n<a href="{{ device.config_url }}">app</a></p>', "t.html:2: renders device.config_url", id="django_otp_config_url"
        ),
        pytest.param('<p class="f">\n<img src="{{ qr_url }}"></p>', "t.html:2: renders qr_url", id="qr_image"),
        pytest.param('<p class="f">\n<img src="{{ qrcode.url }}"></p>', "t.html:2: renders qrcode.url", id="qrcode"),
        pytest.param('<p class="f">\n{{ provisioning_uri }}</p>', "t.html:2: renders provisioning_uri", id="pyotp_provisioning_uri"),
        pytest.param(
            '<p class="f">\n<a href="otpauth://totp/Shop:{{ user.email }}?secret={{ s }}&issuer=Shop">add</a></p>',
            "t.html:2: renders an otpauth:// URL completed by template code",
            id="otpauth_url_in_the_markup",
        ),
        pytest.param(
            '{% for device in user.totpdevice_set.all %}\n<li class="f">{{ device.key }}</li>{% endfor %}',
            "t.html:1: renders device.key (device is an item of user.totpdevice_set.all)",
            id="device_in_a_loop",
        ),
        pytest.param(
            '{% for d in devices %}\n<li class="f">{{ d.key }}</li>{% endfor %}',
            "t.html:1: renders d.key (d is an item of devices)",
            id="an_item_of_devices_read_through_the_loop",
        ),
        pytest.param(
            '{% with dev=request.user.totpdevice %}\n<p class="f">{{ dev.key }}</p>{% endwith %}',
            "t.html:1: renders dev.key (dev is bound to request.user.totpdevice)",
            id="a_device_bound_outside_under_another_name",
        ),
    ],
)
def test_a_secret_under_an_innocent_name_is_refused(source: str, reason: str) -> None:
    v = verdict(source)
    assert v.refusal.startswith(reason) and v.refusal.endswith(WHY), v.refusal


INNOCENT_KEYS = [
    pytest.param('{% for key, value in d.items %}<p class="f">{{ key }}: {{ value }}</p>{% endfor %}', id="a_loops_key"),
    pytest.param('{% with key=item.name %}<p class="f">{{ key }}</p>{% endwith %}', id="a_with_name_key"),
    pytest.param('<p class="f">{{ item.key }} {{ cache_key }} {{ monkey }} {{ keyboard.layout }}</p>', id="key_after_no_owner"),
    pytest.param('{% for o in orders %}<p class="f">{{ o.key }}</p>{% endfor %}', id="an_item_of_no_owner"),
    pytest.param('{% for key, value in d.items %}<p class="f">{{ value.key }}</p>{% endfor %}', id="a_loops_value_key"),
    # wiki 0.13.0 wiki/includes/pagination.html:8 and plugins/attachments/search.html:70
    pytest.param(
        '{% with query as appended_value and "query" as appended_key %}<p class="f">{% if appended_key %}&{{ appended_key }}={{ appended_value }}'
        "{% endif %}</p>{% endwith %}",
        id="wiki_appended_key",
    ),
    # django-unfold 0.110.0 unfold/helpers/language_form.html:8 and pagination_inline.html:7
    pytest.param(
        '{% for language_key, language_flag in language_flags.items %}<p class="f">{{ language_key }}</p>{% endfor %}', id="unfold_language_key"
    ),
    pytest.param(
        "{% with pagination_key=inline_admin_formset.formset.get_pagination_key %}"
        '<p class="f"><input type="hidden" name="{{ pagination_key }}" value="{{ page_obj.number }}" /></p>{% endwith %}',
        id="unfold_pagination_key",
    ),
    pytest.param('<p class="f"><a href="{{ product.qrx }}">{{ preset.key_name }}</a></p>', id="qr_and_reset_as_parts_of_words"),
    pytest.param('<p class="f"><a href="https://example.com/otpauth">docs</a></p>', id="otpauth_in_a_literal_url"),
]


@pytest.mark.parametrize("source", INNOCENT_KEYS)
def test_a_key_that_names_no_secret_keeps_its_verdict(source: str) -> None:
    v = verdict(source)
    assert v.refusal == "", v.refusal


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        pytest.param("device.key", "device.key", id="device"),
        pytest.param("static_device.keys", "device.keys", id="device_suffix_and_plural"),
        pytest.param("invitation.key", "invitation.key", id="invitation"),
        pytest.param("device.key_count", "", id="counted"),
        pytest.param("device.name", "", id="no_key"),
        pytest.param("d.items.key", "", id="no_owner"),
        pytest.param("preset.key", "", id="reset_only_as_a_whole_segment"),
        pytest.param("user.staticdevice_set.all.key", "staticdevice.key", id="past_a_related_manager"),
        pytest.param("user.totpdevice_set.first.key", "totpdevice.key", id="past_first"),
        pytest.param("orders.all.0.key", "", id="a_manager_of_no_owner"),
    ],
)
def test_key_owners(name: str, secret: str) -> None:
    assert secret_in(name) == secret
