"""Attribute values as the literal values they can produce, and what those values point at."""

from __future__ import annotations

import itertools

import pytest

from assetopt.templates.model import parse_template
from assetopt.templates.refs import Ref, RefKind, classify_url, classify_value
from assetopt.templates.tags import StartTag
from assetopt.templates.values import Dynamic, Literal, Static, StaticPrefix, ValueVariants

STATIC_URL = "/static/"
BIDI = "{% if LANGUAGE_BIDI %}{% static 'b.rtl.css' %}{% else %}{% static 'b.css' %}{% endif %}"
FOUR_IFS = "{% if a %}1{% endif %}{% if b %}2{% endif %}{% if c %}3{% endif %}{% if d %}4{% endif %}"
FIVE_IFS = FOUR_IFS + "{% if e %}5{% endif %}"


def variants_of(value: str, quote: str = '"') -> ValueVariants:
    """``value`` as the href of a one-tag template, through ``Template.value_variants``."""
    source = f'{{% load static %}}\n<a class="x" href={quote}{value}{quote}>'
    template = parse_template("t.html", source)
    (tag,) = template.items
    assert isinstance(tag, StartTag)
    attr = tag.attr("href")
    assert attr is not None and attr.value == value
    return template.value_variants(attr)


def ref_of(value: str, static_url: str = STATIC_URL) -> Ref:
    return classify_value(variants_of(value), static_url)


# --- variants ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "variants", "conditional"),
    [
        pytest.param(BIDI, ((Static("b.rtl.css"),), (Static("b.css"),)), True, id="rtl_ltr_static"),
        pytest.param("{% if x %}a{% endif %}", ((Literal("a"),), ()), True, id="if_without_else_has_empty_variant"),
        pytest.param(
            "{% if a %}x.css{% elif b %}y.css{% else %}z.css{% endif %}",
            ((Literal("x.css"),), (Literal("y.css"),), (Literal("z.css"),)),
            True,
            id="if_elif_else",
        ),
        pytest.param(
            "{% if a %}x{% elif b %}y{% endif %}",
            ((Literal("x"),), (Literal("y"),), ()),
            True,
            id="if_elif_without_else",
        ),
        pytest.param(
            "css/{% if rtl %}a.rtl{% else %}a{% endif %}.css",
            ((Literal("css/a.rtl.css"),), (Literal("css/a.css"),)),
            True,
            id="literals_around_if_are_joined",
        ),
        pytest.param(
            "{% if a %}same{% else %}same{% endif %}",
            ((Literal("same"),),),
            True,
            id="equal_variants_deduplicated",
        ),
        pytest.param("{{ STATIC_URL }}img/a.png", ((StaticPrefix(), Literal("img/a.png")),), False, id="static_url_prefix"),
        pytest.param('{% static "x.css" %}', ((Static("x.css"),),), False, id="static_double_quotes"),
        pytest.param("{% static 'x.css' %}", ((Static("x.css"),),), False, id="static_single_quotes"),
        pytest.param("{% static 'css/a.css' %}?v=3", ((Static("css/a.css"), Literal("?v=3")),), False, id="static_then_query"),
        pytest.param("/static/css/a.css?v=3", ((Literal("/static/css/a.css?v=3"),),), False, id="plain_literal"),
        pytest.param("{{ product.image_url }}", ((Dynamic("{{ product.image_url }}"),),), False, id="variable_is_dynamic"),
        pytest.param("{% static path_var %}", ((Dynamic("{% static path_var %}"),),), False, id="static_of_variable_is_dynamic"),
        pytest.param("{% url 'home' %}", ((Dynamic("{% url 'home' %}"),),), False, id="other_tag_is_dynamic"),
        pytest.param("a{# note #}b", ((Literal("ab"),),), False, id="hash_comment_dropped"),
    ],
)
def test_value_variants(value: str, variants: tuple[object, ...], conditional: bool) -> None:
    vv = variants_of(value)
    assert vv.variants == variants
    assert vv.conditional is conditional


def test_value_variants_in_single_quoted_attribute() -> None:
    vv = variants_of('{% static "x.css" %}', quote="'")
    assert vv.variants == ((Static("x.css"),),)


def test_four_independent_ifs_enumerate_all_sixteen_variants() -> None:
    vv = variants_of(FOUR_IFS)
    # each {% if %} either adds its digit or not: every subset of "1234", kept in order
    expected = set()
    for picks in itertools.product([True, False], repeat=4):
        text = "".join(d for d, on in zip("1234", picks) if on)
        expected.add((Literal(text),) if text else ())
    assert len(vv.variants) == 16
    assert set(vv.variants) == expected
    assert vv.variants[0] == (Literal("1234"),)
    assert not vv.is_dynamic


def test_more_than_sixteen_variants_is_dynamic_not_enumerated() -> None:
    vv = variants_of(FIVE_IFS)  # 2**5 = 32 combinations
    assert vv.variants == ((Dynamic(FIVE_IFS),),)
    assert vv.conditional is True
    assert vv.is_dynamic


# --- classify_value ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kind", "paths", "conditional"),
    [
        pytest.param(BIDI, RefKind.STATIC, ("b.rtl.css", "b.css"), True, id="rtl_ltr_static"),
        pytest.param("{{ STATIC_URL }}img/a.png", RefKind.STATIC, ("img/a.png",), False, id="static_url_prefix"),
        pytest.param("/static/css/a.css?v=3", RefKind.STATIC, ("css/a.css",), False, id="literal_under_static_url"),
        pytest.param('{% static "x.css" %}', RefKind.STATIC, ("x.css",), False, id="static_double_quotes"),
        pytest.param("{% static 'css/a.css' %}?v=3", RefKind.STATIC, ("css/a.css",), False, id="static_then_query"),
        pytest.param("{% if x %}{% static 'a.css' %}{% endif %}", RefKind.STATIC, ("a.css",), True, id="static_or_nothing"),
        pytest.param("https://cdn.example/x.js", RefKind.EXTERNAL, (), False, id="https_external"),
        pytest.param("//cdn/x.js", RefKind.EXTERNAL, (), False, id="protocol_relative_external"),
        pytest.param("data:image/png;base64,iVBORw0KGgo=", RefKind.DATA, (), False, id="data_uri"),
        pytest.param("/media/a.png", RefKind.SITE, (), False, id="site_path"),
        pytest.param("img/a.png", RefKind.RELATIVE, (), False, id="relative_path"),
        pytest.param("{{ product.image_url }}", RefKind.DYNAMIC, (), False, id="variable_dynamic"),
        pytest.param("{% static path_var %}", RefKind.DYNAMIC, (), False, id="static_of_variable_dynamic"),
        pytest.param(
            "{% if x %}{% static 'a.css' %}{% else %}{{ url }}{% endif %}",
            RefKind.DYNAMIC,
            (),
            True,
            id="static_or_variable_dynamic",
        ),
        pytest.param("{{ STATIC_URL }}../../etc/passwd", RefKind.UNSAFE, (), False, id="dotdot_after_static_url"),
        pytest.param("/static/../../etc/passwd", RefKind.UNSAFE, (), False, id="dotdot_after_literal_prefix"),
        pytest.param("{% static '../x' %}", RefKind.UNSAFE, (), False, id="static_dotdot"),
        pytest.param(
            "{% if x %}{% static '../x' %}{% else %}{{ url }}{% endif %}",
            RefKind.UNSAFE,
            (),
            True,
            id="unsafe_beats_dynamic",
        ),
        pytest.param(FIVE_IFS, RefKind.DYNAMIC, (), True, id="too_many_variants_dynamic"),
    ],
)
def test_classify_value(value: str, kind: RefKind, paths: tuple[str, ...], conditional: bool) -> None:
    ref = ref_of(value)
    assert (ref.kind, ref.paths, ref.conditional) == (kind, paths, conditional)


def test_rtl_ltr_ref_names_both_static_tags() -> None:
    ref = ref_of(BIDI)
    assert ref.path == "b.rtl.css"
    assert ref.url == "{% static 'b.rtl.css' %} | {% static 'b.css' %}"


def test_dynamic_ref_keeps_the_template_code_for_messages() -> None:
    assert ref_of("{{ product.image_url }}").url == "{{ product.image_url }}"
    assert ref_of(FIVE_IFS).url == FIVE_IFS


# --- classify_url ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "static_url", "kind", "paths"),
    [
        pytest.param("/static/css/a.css?v=3", "/static/", RefKind.STATIC, ("css/a.css",), id="query_dropped"),
        pytest.param("/static/css/a.css#x", "/static/", RefKind.STATIC, ("css/a.css",), id="fragment_dropped"),
        pytest.param("/static/css/./a.css", "/static/", RefKind.STATIC, ("css/a.css",), id="dot_normalised"),
        pytest.param("  /static/a.css\n", "/static/", RefKind.STATIC, ("a.css",), id="whitespace_stripped"),
        pytest.param("/static/", "/static/", RefKind.SITE, (), id="static_root_is_a_folder_not_unsafe"),
        pytest.param("https://cdn.example/x.js", "/static/", RefKind.EXTERNAL, (), id="https"),
        pytest.param("HTTP://cdn.example/x.js", "/static/", RefKind.EXTERNAL, (), id="uppercase_scheme"),
        pytest.param("//cdn/x.js", "/static/", RefKind.EXTERNAL, (), id="protocol_relative"),
        pytest.param("data:image/png;base64,iVBORw0KGgo=", "/static/", RefKind.DATA, (), id="data"),
        pytest.param("/media/a.png", "/static/", RefKind.SITE, (), id="media_is_site"),
        pytest.param("/staticfiles/a.png", "/static/", RefKind.SITE, (), id="prefix_must_match_whole_segment"),
        pytest.param("img/a.png", "/static/", RefKind.RELATIVE, (), id="relative"),
        pytest.param("/static/../../etc/passwd", "/static/", RefKind.UNSAFE, (), id="dotdot"),
        pytest.param("/static/css/../../x", "/static/", RefKind.UNSAFE, (), id="dotdot_after_normalising"),
        pytest.param("/static/%2e%2e/x", "/static/", RefKind.UNSAFE, (), id="percent_encoded_dotdot"),
        pytest.param("/static//etc/passwd", "/static/", RefKind.UNSAFE, (), id="absolute_after_prefix"),
        pytest.param(
            "https://cdn.example/static/css/a.css",
            "https://cdn.example/static/",
            RefKind.STATIC,
            ("css/a.css",),
            id="cdn_static_url",
        ),
        pytest.param("https://other.example/x.js", "https://cdn.example/static/", RefKind.EXTERNAL, (), id="other_host"),
        pytest.param("", "/static/", RefKind.EMPTY, (), id="empty"),
    ],
)
def test_classify_url(url: str, static_url: str, kind: RefKind, paths: tuple[str, ...]) -> None:
    ref = classify_url(url, static_url)
    assert (ref.kind, ref.paths) == (kind, paths)


def test_classify_url_keeps_the_stripped_url() -> None:
    assert classify_url("  /media/a.png ", STATIC_URL).url == "/media/a.png"
