"""The lexer keeps Django's own token spans, tiles the source, and marks comment/verbatim regions."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.template.base import DebugLexer
from templates_we_have import DJANGO_ROOTS, template_params

from assetopt.errors import TemplateError
from assetopt.templates.lexer import LineIndex, Region, Token, TokenKind, lex

REPO = Path(__file__).resolve().parent.parent


TEMPLATE_FILES = template_params()


def _django_tokens(source: str) -> list[tuple[str, tuple[int, int], str, int]]:
    return [(t.token_type.name, t.position, t.contents, t.lineno) for t in DebugLexer(source).tokenize()]


def _ours(tokens: tuple[Token, ...]) -> list[tuple[str, tuple[int, int], str, int]]:
    return [(t.kind.name, (t.start, t.end), t.contents, t.lineno) for t in tokens]


def assert_tiles(source: str, tokens: tuple[Token, ...]) -> None:
    if not source:
        assert tokens == ()
        return
    assert tokens[0].start == 0
    for prev, tok in zip(tokens, tokens[1:]):
        assert tok.start == prev.end, f"gap or overlap between {prev} and {tok}"
    assert tokens[-1].end == len(source)
    assert "".join(source[t.start : t.end] for t in tokens) == source


# --- invariants over every template we have -------------------------------------------------------


def test_django_template_dirs_are_found() -> None:
    for root in DJANGO_ROOTS:
        assert any(p.suffix == ".html" for p in root.rglob("*")), root


@pytest.mark.parametrize("path", TEMPLATE_FILES)
def test_spans_equal_django_debug_lexer_and_tile_the_source(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    tokens = lex(source, str(path))
    assert [(t.start, t.end) for t in tokens] == [t.position for t in DebugLexer(source).tokenize()]
    assert _ours(tokens) == _django_tokens(source)
    assert_tiles(source, tokens)


@pytest.mark.parametrize("path", TEMPLATE_FILES)
def test_line_index_agrees_with_django_token_lines(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    lines = LineIndex(source)
    for tok in lex(source):
        assert lines.lineno(tok.start) == tok.lineno, tok


# --- CRLF, BOM and non-ASCII text -------------------------------------------------------------------

T, V, B, C = TokenKind.TEXT, TokenKind.VAR, TokenKind.BLOCK, TokenKind.COMMENT


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param(
            "<p>\r\n{% if x %}\r\n{{ y }}\r\n{% endif %}\r\n",
            [
                (T, "<p>\r\n", "<p>\r\n", 1),
                (B, "{% if x %}", "if x", 2),
                (T, "\r\n", "\r\n", 2),
                (V, "{{ y }}", "y", 3),
                (T, "\r\n", "\r\n", 3),
                (B, "{% endif %}", "endif", 4),
                (T, "\r\n", "\r\n", 4),
            ],
            id="crlf",
        ),
        pytest.param(
            "\ufeff{% load static %}\n<p>{{ a }}</p>",
            [
                (T, "\ufeff", "\ufeff", 1),
                (B, "{% load static %}", "load static", 1),
                (T, "\n<p>", "\n<p>", 1),
                (V, "{{ a }}", "a", 2),
                (T, "</p>", "</p>", 2),
            ],
            id="leading_bom",
        ),
        pytest.param(
            "<p>مرحبا {{ name }}</p>\r\n",
            [
                (T, "<p>مرحبا ", "<p>مرحبا ", 1),
                (V, "{{ name }}", "name", 1),
                (T, "</p>\r\n", "</p>\r\n", 1),
            ],
            id="arabic_text_crlf",
        ),
        pytest.param(
            '\ufeff{% trans "مرحبا" %}\r\n{# تعليق #}<b>{{ اسم }}</b>',
            [
                (T, "\ufeff", "\ufeff", 1),
                (B, '{% trans "مرحبا" %}', 'trans "مرحبا"', 1),
                (T, "\r\n", "\r\n", 1),
                (C, "{# تعليق #}", "تعليق", 2),
                (T, "<b>", "<b>", 2),
                (V, "{{ اسم }}", "اسم", 2),
                (T, "</b>", "</b>", 2),
            ],
            id="bom_arabic_in_tags_and_comment",
        ),
    ],
)
def test_tokens_tile_crlf_bom_and_arabic_sources(source: str, expected: list[tuple[object, ...]]) -> None:
    tokens = lex(source)
    assert [(t.kind, source[t.start : t.end], t.contents, t.lineno) for t in tokens] == expected
    assert_tiles(source, tokens)
    assert _ours(tokens) == _django_tokens(source)


def test_arabic_text_offsets_count_characters_not_bytes() -> None:
    source = "<p>مرحبا {{ name }}</p>\r\n"
    # "<p>" is 3 characters, "مرحبا" 5, the space 1: the variable starts at 9 and is 10 long.
    assert [(t.start, t.end) for t in lex(source)] == [(0, 9), (9, 19), (19, 25)]
    assert len(source) == 25


def test_leading_bom_is_its_own_text_token_at_offset_zero() -> None:
    source = "\ufeff{{ a }}"
    assert [(t.kind, t.start, t.end) for t in lex(source)] == [(T, 0, 1), (V, 1, 8)]


def test_empty_source_has_no_tokens() -> None:
    assert lex("") == ()


# --- regions -------------------------------------------------------------------------------------

N, CM, VB = Region.NORMAL, Region.COMMENT, Region.VERBATIM

REGION_SOURCE = (
    'a{% comment %}<img src="x.png">{{ v }}{% endcomment %}b'
    "{# note #}c"
    "{% verbatim %}{{ raw }}{% if %}{% endverbatim %}d"
    "{% verbatim x %}{% endverbatim %}{% endverbatim x %}e"
)


def test_comment_and_verbatim_bodies_are_marked_with_their_region() -> None:
    tokens = lex(REGION_SOURCE)
    assert [(t.kind, REGION_SOURCE[t.start : t.end], t.region) for t in tokens] == [
        (T, "a", N),
        (B, "{% comment %}", CM),
        (T, '<img src="x.png">', CM),
        (V, "{{ v }}", CM),
        (B, "{% endcomment %}", CM),
        (T, "b", N),
        (C, "{# note #}", N),
        (T, "c", N),
        (B, "{% verbatim %}", VB),
        (T, "{{ raw }}", VB),
        (T, "{% if %}", VB),
        (B, "{% endverbatim %}", VB),
        (T, "d", N),
        (B, "{% verbatim x %}", VB),
        (T, "{% endverbatim %}", VB),  # a named verbatim ends only at its own name
        (B, "{% endverbatim x %}", VB),
        (T, "e", N),
    ]
    assert_tiles(REGION_SOURCE, tokens)


def test_only_normal_text_is_markup() -> None:
    markup = [REGION_SOURCE[t.start : t.end] for t in lex(REGION_SOURCE) if t.is_markup]
    assert markup == ["a", "b", "c", "d", "e"]


def test_hash_comment_is_a_comment_token_with_its_contents() -> None:
    source = "x{# <img src='a.png'> #}y"
    tokens = lex(source)
    assert [(t.kind, source[t.start : t.end], t.contents) for t in tokens] == [
        (T, "x", "x"),
        (C, "{# <img src='a.png'> #}", "<img src='a.png'>"),
        (T, "y", "y"),
    ]
    assert not tokens[1].is_markup


def test_comment_block_with_a_note_starts_a_comment_region() -> None:
    source = '{% comment "why" %}<p>{% endcomment %}'
    assert [t.region for t in lex(source)] == [CM, CM, CM]


def test_tag_name_is_the_first_word_of_a_block_tag_only() -> None:
    source = "{% static 'a.css' %}{{ static }}{# static #}"
    assert [t.tag_name for t in lex(source)] == ["static", "", ""]


@pytest.mark.parametrize(
    ("source", "message", "lineno"),
    [
        pytest.param("line one\nline two\n  {% comment %}\n<img>\n", "unclosed {% comment %}", 3, id="comment"),
        pytest.param(
            "{% comment %}x{% endcomment %}\r\n\r\n{% comment %}{{ y }}",
            "unclosed {% comment %}",
            3,
            id="second_comment_crlf",
        ),
        pytest.param("a\n{% verbatim %}{{ x }}\n", "unclosed {% verbatim %}", 2, id="verbatim"),
        pytest.param("\n\n\n\n{% verbatim v %}{% endverbatim %}", "unclosed {% verbatim %}", 5, id="named_verbatim_wrong_end"),
    ],
)
def test_unclosed_comment_or_verbatim_raises_with_the_opening_line(source: str, message: str, lineno: int) -> None:
    with pytest.raises(TemplateError) as exc:
        lex(source, "templates/base.html")
    err = exc.value
    assert err.message == message
    assert err.lineno == lineno
    assert err.path == "templates/base.html"
    assert str(err).startswith(f"templates/base.html:{lineno}: {message}")


def test_unclosed_comment_hint_says_what_to_add() -> None:
    with pytest.raises(TemplateError) as exc:
        lex("{% comment %}")
    assert exc.value.hint == "add {% endcomment %}"
    assert exc.value.lineno == 1


def test_comment_region_ends_only_at_exact_endcomment_like_django() -> None:
    source = '{% comment %}<img src="a.png">{% endcomment note %}<img src="b.png">{% endcomment %}X'
    tokens = lex(source)
    # Django renders this template as "X": both <img> tags are inside the comment.
    assert [(source[t.start : t.end], t.region) for t in tokens] == [
        ("{% comment %}", CM),
        ('<img src="a.png">', CM),
        ("{% endcomment note %}", CM),
        ('<img src="b.png">', CM),
        ("{% endcomment %}", CM),
        ("X", N),
    ]


# --- LineIndex ------------------------------------------------------------------------------------

# offsets: a0 b1 \r2 \n3 | c4 d5 \r6 \n7 | \r8 \n9 | e10 f11 ; len 12
CRLF_TEXT = "ab\r\ncd\r\n\r\nef"


@pytest.mark.parametrize(
    ("offset", "lineno"),
    [
        pytest.param(0, 1, id="start_of_line_1"),
        pytest.param(2, 1, id="cr_ending_line_1"),
        pytest.param(3, 1, id="lf_ending_line_1"),
        pytest.param(4, 2, id="start_of_line_2"),
        pytest.param(6, 2, id="cr_ending_line_2"),
        pytest.param(7, 2, id="lf_ending_line_2"),
        pytest.param(8, 3, id="start_of_empty_line_3"),
        pytest.param(9, 3, id="lf_ending_empty_line_3"),
        pytest.param(10, 4, id="start_of_last_line"),
        pytest.param(11, 4, id="last_char"),
        pytest.param(12, 4, id="end_of_text"),
    ],
)
def test_line_index_on_crlf_text(offset: int, lineno: int) -> None:
    assert len(CRLF_TEXT) == 12
    assert LineIndex(CRLF_TEXT).lineno(offset) == lineno


def test_line_index_matches_counting_newlines_at_every_offset() -> None:
    source = "\ufeffa\r\n\r\nمرحبا\nb\r\n"
    lines = LineIndex(source)
    assert [lines.lineno(i) for i in range(len(source) + 1)] == [source[:i].count("\n") + 1 for i in range(len(source) + 1)]


def test_line_index_of_text_without_newline_is_always_line_1() -> None:
    lines = LineIndex("<p>x</p>")
    assert {lines.lineno(i) for i in range(9)} == {1}
