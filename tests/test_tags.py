"""The HTML scanner: exact source slices for tags and attributes; template code makes a tag opaque."""

from __future__ import annotations

from pathlib import Path

import pytest
from templates_we_have import template_params

from assetopt.templates.lexer import lex
from assetopt.templates.tags import (
    Attr,
    EndTag,
    HtmlComment,
    HtmlItem,
    OpaqueTag,
    RawText,
    StartTag,
    scan_tags,
)

REPO = Path(__file__).resolve().parent.parent


def scan(source: str) -> tuple[HtmlItem, ...]:
    return scan_tags(source, lex(source))


def _attr_shape(source: str, a: Attr) -> tuple[object, ...]:
    value = None if a.value is None else source[a.value_start : a.value_end]
    return (a.name, source[a.start : a.end], value, a.quote)


def _shape(source: str, item: HtmlItem, expected: tuple[object, ...] | None) -> tuple[object, ...]:
    """An item as a comparable tuple of exact source slices (opaque reasons matched by substring)."""
    text = source[item.start : item.end]
    if isinstance(item, StartTag):
        attrs = tuple(_attr_shape(source, a) for a in item.attrs)
        return ("StartTag", item.name, text, item.self_closing, attrs)
    if isinstance(item, EndTag):
        return ("EndTag", item.name, text)
    if isinstance(item, RawText):
        return ("RawText", item.parent, text)
    if isinstance(item, HtmlComment):
        return ("HtmlComment", text)
    assert isinstance(item, OpaqueTag)
    reason = item.reason
    if expected is not None and expected[0] == "OpaqueTag" and str(expected[3]) in reason:
        reason = str(expected[3])  # a matching substring: show it as equal
    return ("OpaqueTag", item.name, text, reason)


def assert_items(source: str, expected: list[tuple[object, ...]]) -> None:
    items = scan(source)
    padded = list(expected) + [None] * (len(items) - len(expected))
    assert [_shape(source, i, e) for i, e in zip(items, padded)] == expected


def start(name: str, text: str, *attrs: tuple[object, ...], self_closing: bool = False) -> tuple[object, ...]:
    return ("StartTag", name, text, self_closing, attrs)


def end(name: str, text: str | None = None) -> tuple[object, ...]:
    return ("EndTag", name, text if text is not None else f"</{name}>")


def opaque(name: str, text: str, reason: str) -> tuple[object, ...]:
    return ("OpaqueTag", name, text, reason)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # --- template code in the tag but outside a value: opaque, never guessed at ---
        pytest.param(
            '<img {% if x %}loading="lazy"{% endif %} src="a.png">',
            [opaque("img", '<img {% if x %}loading="lazy"{% endif %} src="a.png">', "{% if %} between attributes")],
            id="if_between_attributes",
        ),
        pytest.param(
            '<li{% if x %} class="a"{% endif %}>',
            [opaque("li", '<li{% if x %} class="a"{% endif %}>', "right after the tag name")],
            id="if_right_after_tag_name",
        ),
        pytest.param(
            "<{{ tag }}>",
            [opaque("", "<{{ tag }}>", "tag name is template code")],
            id="tag_name_is_variable",
        ),
        pytest.param(
            '<div {% include "attrs.html" %} id="x">',
            [opaque("div", '<div {% include "attrs.html" %} id="x">', "{% include %}")],
            id="include_between_attributes",
        ),
        pytest.param(
            '<a href="{% block u %}x{% endblock %}">',
            [opaque("a", '<a href="{% block u %}x{% endblock %}">', "{% block %} inside the value of href")],
            id="block_inside_value",
        ),
        pytest.param(
            '<p class="{% if a %}x">{% endif %}',
            [opaque("p", '<p class="{% if a %}x">', "{% if %} not closed inside the value of class")],
            id="if_opened_in_value_closed_outside",
        ),
        pytest.param(
            '{% if a %}<p class="x{% endif %}">',
            [opaque("p", '<p class="x{% endif %}">', "{% endif %} without its opening tag inside the value of class")],
            id="endif_in_value_opened_outside",
        ),
        pytest.param(
            '<div class="a" {{ attrs }}>',
            [opaque("div", '<div class="a" {{ attrs }}>', "{{ attrs }} between attributes")],
            id="variable_between_attributes",
        ),
        pytest.param(
            '<a data-{{ k }}="1">',
            [opaque("a", '<a data-{{ k }}="1">', "attribute name")],
            id="variable_inside_attribute_name",
        ),
        # --- template code inside a value is normal and keeps the value's span ---
        pytest.param(
            '<link rel="stylesheet" href="{% static \'css/a.css\' %}">',
            [
                start(
                    "link",
                    '<link rel="stylesheet" href="{% static \'css/a.css\' %}">',
                    ("rel", 'rel="stylesheet"', "stylesheet", '"'),
                    ("href", "href=\"{% static 'css/a.css' %}\"", "{% static 'css/a.css' %}", '"'),
                )
            ],
            id="static_inside_quoted_value",
        ),
        pytest.param(
            '<link href="{% static "css/a.css" %}">',
            [
                start(
                    "link",
                    '<link href="{% static "css/a.css" %}">',
                    ("href", 'href="{% static "css/a.css" %}"', '{% static "css/a.css" %}', '"'),
                )
            ],
            id="double_quotes_inside_template_code_do_not_close_the_value",
        ),
        pytest.param(
            '<a title="{% if a > b %}big{% endif %}" href="x">',
            [
                start(
                    "a",
                    '<a title="{% if a > b %}big{% endif %}" href="x">',
                    ("title", 'title="{% if a > b %}big{% endif %}"', "{% if a > b %}big{% endif %}", '"'),
                    ("href", 'href="x"', "x", '"'),
                )
            ],
            id="greater_than_inside_if_in_value",
        ),
        pytest.param(
            "<img src={{ x }} alt=b>",
            [start("img", "<img src={{ x }} alt=b>", ("src", "src={{ x }}", "{{ x }}", ""), ("alt", "alt=b", "b", ""))],
            id="unquoted_variable_value",
        ),
        pytest.param(
            "<img src={{ STATIC_URL }}img/a.png>",
            [
                start(
                    "img",
                    "<img src={{ STATIC_URL }}img/a.png>",
                    ("src", "src={{ STATIC_URL }}img/a.png", "{{ STATIC_URL }}img/a.png", ""),
                )
            ],
            id="unquoted_variable_then_literal",
        ),
        # --- plain HTML syntax ---
        pytest.param(
            "<img alt='say \"hi\"' src=a.png>",
            [
                start(
                    "img",
                    "<img alt='say \"hi\"' src=a.png>",
                    ("alt", "alt='say \"hi\"'", 'say "hi"', "'"),
                    ("src", "src=a.png", "a.png", ""),
                )
            ],
            id="single_quoted_value_with_double_quotes",
        ),
        pytest.param(
            '<input type="checkbox" checked disabled>',
            [
                start(
                    "input",
                    '<input type="checkbox" checked disabled>',
                    ("type", 'type="checkbox"', "checkbox", '"'),
                    ("checked", "checked", None, ""),
                    ("disabled", "disabled", None, ""),
                )
            ],
            id="attributes_without_values",
        ),
        pytest.param(
            '<a href = "x">',
            [start("a", '<a href = "x">', ("href", 'href = "x"', "x", '"'))],
            id="spaces_around_equals",
        ),
        pytest.param(
            '<br/><img src="a.png" />',
            [
                start("br", "<br/>", self_closing=True),
                start("img", '<img src="a.png" />', ("src", 'src="a.png"', "a.png", '"'), self_closing=True),
            ],
            id="self_closing",
        ),
        pytest.param(
            '<IMG SRC="A.png" Alt="X"></DIV>',
            [
                start("img", '<IMG SRC="A.png" Alt="X">', ("src", 'SRC="A.png"', "A.png", '"'), ("alt", 'Alt="X"', "X", '"')),
                end("div", "</DIV>"),
            ],
            id="uppercase_names_lowered_slices_kept",
        ),
        # --- markup that is not markup ---
        pytest.param(
            '{% comment %}<img src="a.png">{% endcomment %}<p>',
            [start("p", "<p>")],
            id="img_inside_comment_block",
        ),
        pytest.param(
            '{# <img src="a.png"> #}<p>',
            [start("p", "<p>")],
            id="img_inside_hash_comment",
        ),
        pytest.param(
            '{% verbatim %}<img src="a.png">{% endverbatim %}<p>',
            [start("p", "<p>")],
            id="img_inside_verbatim",
        ),
        pytest.param(
            '{% verbatim v %}<img src="a.png">{% endverbatim v %}<p>',
            [start("p", "<p>")],
            id="img_inside_named_verbatim",
        ),
        pytest.param(
            '<!-- <img src="a.png"> --><p>',
            [("HtmlComment", '<!-- <img src="a.png"> -->'), start("p", "<p>")],
            id="img_inside_html_comment",
        ),
        pytest.param(
            '<script>var s = "</div>"; if (a<b) { go(); }</script><p>',
            [
                start("script", "<script>"),
                ("RawText", "script", 'var s = "</div>"; if (a<b) { go(); }'),
                end("script"),
                start("p", "<p>"),
            ],
            id="script_body_is_raw_text",
        ),
        pytest.param(
            "<script src=\"{% static 'a.js' %}\"></script>",
            [
                start("script", "<script src=\"{% static 'a.js' %}\">", ("src", "src=\"{% static 'a.js' %}\"", "{% static 'a.js' %}", '"')),
                ("RawText", "script", ""),
                end("script"),
            ],
            id="empty_script_body",
        ),
        pytest.param(
            "<style>a > b { color: red; } p<i {}</style>",
            [
                start("style", "<style>"),
                ("RawText", "style", "a > b { color: red; } p<i {}"),
                end("style"),
            ],
            id="style_body_is_raw_text",
        ),
        pytest.param(
            "<SCRIPT>x<y</Script >",
            [start("script", "<SCRIPT>"), ("RawText", "script", "x<y"), end("script", "</Script >")],
            id="uppercase_script_closes_case_insensitively",
        ),
        pytest.param(
            "<p>a < b and 1 <2</p>",
            [start("p", "<p>"), end("p")],
            id="bare_less_than_in_text",
        ),
        pytest.param(
            '<p>x</p>\n<img src="a.png"',
            [start("p", "<p>"), end("p"), opaque("img", '<img src="a.png"', "unterminated")],
            id="unterminated_tag_at_end_of_file",
        ),
        pytest.param(
            '<img alt="x',
            [opaque("img", '<img alt="x', "unterminated")],
            id="unterminated_value_at_end_of_file",
        ),
        pytest.param(
            '<div class="a"\n<p>',
            [opaque("div", '<div class="a"\n', "unterminated"), start("p", "<p>")],
            id="unterminated_tag_stops_before_the_next_tag",
        ),
        pytest.param(
            '<img alt="صورة المنتج" src="a.png">',
            [
                start(
                    "img",
                    '<img alt="صورة المنتج" src="a.png">',
                    ("alt", 'alt="صورة المنتج"', "صورة المنتج", '"'),
                    ("src", 'src="a.png"', "a.png", '"'),
                )
            ],
            id="arabic_attribute_value",
        ),
        pytest.param(
            '\ufeff<p title="{{ x }}">مرحبا</p>',
            [start("p", '<p title="{{ x }}">', ("title", 'title="{{ x }}"', "{{ x }}", '"')), end("p")],
            id="bom_then_tag",
        ),
    ],
)
def test_scan_tags_gives_exact_slices(source: str, expected: list[tuple[object, ...]]) -> None:
    assert_items(source, expected)


def test_attribute_offsets_with_arabic_value_are_character_offsets() -> None:
    source = '<img alt="صورة المنتج" src="a.png">'
    # 0 "<", 1-3 "img", 5-7 "alt", 9 '"', 10-20 the 11-character value, 21 '"', 23-25 "src",
    # 27 '"', 28-32 "a.png", 33 '"', 34 ">"
    (tag,) = scan(source)
    assert isinstance(tag, StartTag)
    assert (tag.start, tag.end, tag.lineno) == (0, 35, 1)
    alt, src = tag.attrs
    assert (alt.start, alt.value_start, alt.value_end, alt.end) == (5, 10, 21, 22)
    assert (src.start, src.value_start, src.value_end, src.end) == (23, 28, 33, 34)
    assert alt.value == "صورة المنتج"


def test_value_with_template_code_keeps_its_character_offsets() -> None:
    source = '<link rel="stylesheet" href="{% static \'css/a.css\' %}">'
    # '<link ' is 6, 'rel="stylesheet"' 16, then ' ' at 22, 'href="' 23-28; the tag code is 24 long.
    (tag,) = scan(source)
    assert isinstance(tag, StartTag)
    href = tag.attr("href")
    assert href is not None
    assert (href.start, href.value_start, href.value_end, href.end) == (23, 29, 53, 54)
    assert tag.end == len(source) == 55
    assert href.has_template_code
    assert tag.get("href") == "{% static 'css/a.css' %}"


def test_valueless_attribute_has_empty_value_span_at_its_end() -> None:
    source = "<input disabled>"
    (tag,) = scan(source)
    assert isinstance(tag, StartTag)
    (a,) = tag.attrs
    assert (a.start, a.end, a.value, a.value_start, a.value_end) == (7, 15, None, 15, 15)
    assert tag.get("disabled") == ""
    assert tag.get("missing", "d") == "d"
    assert not a.has_template_code


def test_crlf_items_report_their_line_numbers() -> None:
    source = '<html>\r\n<body>\r\n<img\r\n  src="a.png">\r\n</body>\r\n'
    items = scan(source)
    assert [(type(i).__name__, source[i.start : i.end], i.lineno) for i in items] == [
        ("StartTag", "<html>", 1),
        ("StartTag", "<body>", 2),
        ("StartTag", '<img\r\n  src="a.png">', 3),
        ("EndTag", "</body>", 5),
    ]


def test_crlf_line_numbers_after_template_code_and_for_opaque_tags() -> None:
    source = '{% load static %}\r\n{# c #}\r\n<li{% if x %} class="a"{% endif %}>\r\n<script>\r\nx</script>'
    items = scan(source)
    assert [(type(i).__name__, i.lineno) for i in items] == [
        ("OpaqueTag", 3),
        ("StartTag", 4),
        ("RawText", 4),  # the body starts right after "<script>", still on line 4
        ("EndTag", 5),
    ]


def test_opaque_script_start_tag_still_has_a_raw_text_body() -> None:
    source = '<script{% if nonce %} nonce="{{ nonce }}"{% endif %}>var s = "<img src=\'a.png\'>";</script>'
    items = scan(source)
    assert not [i for i in items if isinstance(i, StartTag) and i.name == "img"]
    assert [(type(i).__name__, source[i.start : i.end]) for i in items] == [
        ("OpaqueTag", '<script{% if nonce %} nonce="{{ nonce }}"{% endif %}>'),
        ("RawText", "var s = \"<img src='a.png'>\";"),
        ("EndTag", "</script>"),
    ]


def test_self_closing_script_still_starts_raw_text() -> None:
    source = '<script src="a.js" /><img src="b.png"></script>'
    items = scan(source)
    assert [(type(i).__name__, source[i.start : i.end]) for i in items] == [
        ("StartTag", '<script src="a.js" />'),
        ("RawText", '<img src="b.png">'),
        ("EndTag", "</script>"),
    ]


# --- property over every template we have ---------------------------------------------------------


@pytest.mark.parametrize("path", template_params())
def test_items_are_ordered_and_tags_are_delimited(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    items = scan_tags(source, lex(source, str(path)))
    prev_end = 0
    for item in items:
        assert prev_end <= item.start <= item.end <= len(source), item
        prev_end = item.end
        if isinstance(item, StartTag):
            assert source[item.start] == "<", item
            assert source[item.end - 1] == ">", item
            attr_end = item.start
            for a in item.attrs:
                assert attr_end < a.start and a.end <= item.end, a
                attr_end = a.end
                if a.value is not None:
                    assert a.value == source[a.value_start : a.value_end], a
        elif isinstance(item, EndTag):
            assert source[item.start : item.start + 2] == "</", item
        elif isinstance(item, HtmlComment):
            assert source.startswith("<!--", item.start), item
        elif isinstance(item, OpaqueTag):
            assert source[item.start] == "<", item


@pytest.mark.parametrize("tag", ["localtime on", 'timezone "UTC"', 'bundle "css"', "compress css"])
def test_a_container_opened_in_a_value_and_closed_outside_makes_the_tag_opaque_not_an_error(tag: str) -> None:
    from assetopt.templates.model import parse_template

    name = tag.split()[0]
    source = f'<div title="{{% {tag} %}}">x{{% end{name} %}}</div>'
    template = parse_template("t.html", source)
    assert [type(i).__name__ for i in template.items if getattr(i, "name", None) == "div"][0] == "OpaqueTag"
